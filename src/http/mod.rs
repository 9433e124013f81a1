//! HTTP for the link checker and the site reader: one runtime, one client builder, the guarded
//! resolver, the retry policy (backoff, `Retry-After`, a body cut short) and request errors in
//! words. It knows nothing of links or WordPress; `links` and `wordpress` both build on it, the
//! way lychee keeps its client apart from its checker.

mod resolver;
mod retry;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use resolver::{GuardedResolver, Refusal, is_public, refusal, refusal_by_address};
pub use retry::{
    BodyLimit, Failure, Verdict, WholeAnswer, describe, get_whole, get_whole_until,
    is_retryable_status, reached_no_server, retry_after, with_retries, with_retries_until,
};

/// The client settings the link checker and the site reader share; the defaults suit a CI run
/// against the public web.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Requests in flight at once (the link checker).
    pub concurrency: usize,
    /// Requests to one server at once (link targets, pages of a site).
    pub per_host: usize,
    /// Between two requests to one host.
    pub min_interval: Duration,
    pub connect_timeout: Duration,
    /// For the whole request, the body included (a page of a site); for the link checker, the
    /// bound on one URL's whole check, every request, retry and wait included.
    pub timeout: Duration,
    /// Tries after the first, for 429, 5xx, transient failures and a body cut short.
    pub retries: u32,
    pub backoff: Duration,
    /// `Retry-After` is honoured up to this, and never past `timeout`.
    pub retry_after_cap: Duration,
    /// Connection failures in a row after which a host is left alone for the rest of the run.
    pub host_failure_limit: u32,
    /// Lets the link checker, and the site reader away from the origin the user named, connect
    /// to loopback, private and link-local addresses.
    pub allow_private: bool,
    pub user_agent: String,
    /// Statuses the link checker takes as working besides 2xx.
    pub accept: Vec<u16>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            concurrency: crate::limits::DEFAULT_LINK_CONCURRENCY,
            per_host: crate::limits::DEFAULT_PER_HOST,
            min_interval: Duration::from_millis(10),
            connect_timeout: Duration::from_secs(5),
            timeout: crate::limits::LINK_TIMEOUT.default,
            retries: 2,
            backoff: Duration::from_millis(300),
            retry_after_cap: Duration::from_secs(30),
            host_failure_limit: 5,
            allow_private: false,
            user_agent: crate::limits::default_user_agent(),
            accept: Vec::new(),
        }
    }
}

impl ClientOptions {
    /// How long to wait before retry `attempt` (from 0): what the server asked for, up to a cap
    /// and at most one request's timeout, so that a wait never holds a page of a site longer
    /// than a try may; else exponential backoff with jitter so that clients do not retry in step.
    pub fn retry_delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.retry_after_cap).min(self.timeout);
        }
        let backoff = self.backoff * 2u32.pow(attempt);
        let jitter = Duration::from_millis(rand::random_range(
            0..=self.backoff.as_millis().max(1) as u64 / 2,
        ));
        backoff + jitter
    }
}

/// The runtime the HTTP clients run on: two workers are plenty for I/O-bound requests and
/// leave the cores to the rayon pool.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Whom a client serves; they differ in redirects and in where they may connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Targets taken from content many people write: redirects are left to the caller, so that
    /// every hop is checked like the first, and private addresses are refused unless allowed.
    LinkTargets,
    /// The origin the user named, read without credentials: any address is reached (a user may
    /// name a site on this machine), and redirects are left to the caller, which follows them
    /// hop by hop with `LinkTargets` once they leave that origin.
    NamedSite,
    /// The site the user named, read with the user's credentials, which are for this origin
    /// only: a redirect within it is followed, one that leaves it is an error. reqwest would
    /// drop the Authorization header on such a hop and the answer would come anonymously,
    /// without drafts, while the run says it signed in.
    SignedIn(url::Origin),
}

/// reqwest's default: enough for http to https, a moved blog, a trailing slash.
pub const MAX_REDIRECTS: usize = 10;

/// The rustls client for `purpose`, with the user agent and timeouts of `options`.
pub fn client(options: &ClientOptions, purpose: Purpose) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .user_agent(&options.user_agent)
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout);
    match purpose {
        Purpose::LinkTargets => builder
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver::new(options.allow_private))),
        Purpose::NamedSite => builder.redirect(reqwest::redirect::Policy::none()),
        Purpose::SignedIn(origin) => builder.redirect(redirects_within(origin)),
    }
    .build()
}

/// Follows redirects that stay on `origin`; a hop elsewhere fails the request with a refusal
/// (final, not retried) that names both addresses.
fn redirects_within(origin: url::Origin) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.url().origin() != origin {
            let from = attempt
                .previous()
                .last()
                .map_or_else(String::new, Url::to_string);
            let refusal = format!(
                "refused: {from} redirects to {}, another site than {}: the password goes only \
                 to the site named (name that address instead if it is the same blog)",
                attempt.url(),
                origin.ascii_serialization()
            );
            return attempt.error(refusal);
        }
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        attempt.follow()
    })
}
