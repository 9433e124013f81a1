//! The remote link checker: every distinct `http(s)` target of the run is requested once, with
//! a global and a per-host limit, retries with backoff, and a safety net so that content from
//! many authors cannot turn CI into a way into its own network.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

/// How the checker behaves; the defaults suit a CI run against the public web.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub concurrency: usize,
    pub per_host: usize,
    /// Between two requests to one host.
    pub min_interval: Duration,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    /// `Retry-After` is honoured up to this.
    pub retry_after_cap: Duration,
    /// Connection failures in a row after which a host is left alone for the rest of the run.
    pub host_failure_limit: u32,
    pub allow_private: bool,
    pub user_agent: String,
    /// Statuses taken as working besides 2xx.
    pub accept: Vec<u16>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            concurrency: 64,
            per_host: 4,
            min_interval: Duration::from_millis(10),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            retries: 2,
            backoff: Duration::from_millis(300),
            retry_after_cap: Duration::from_secs(30),
            host_failure_limit: 5,
            allow_private: false,
            user_agent: format!("postlint/{}", env!("CARGO_PKG_VERSION")),
            accept: Vec::new(),
        }
    }
}

impl CheckOptions {
    /// How long to wait before retry `attempt` (from 0): what the server asked for, up to a cap,
    /// else exponential backoff with jitter so that clients do not retry in step.
    pub fn retry_delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.retry_after_cap);
        }
        let backoff = self.backoff * 2u32.pow(attempt);
        let jitter = Duration::from_millis(rand::random_range(
            0..=self.backoff.as_millis().max(1) as u64 / 2,
        ));
        backoff + jitter
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare and ignored).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// What a target's check found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Ok {
        status: u16,
    },
    /// Works, but through a permanent redirect (301, 308) to `final_url`.
    Redirect {
        status: u16,
        final_url: String,
    },
    Broken {
        reason: String,
    },
    /// The site answered but would not say (401, 403, 429, a bot wall), or the checker refused.
    Unverifiable {
        reason: String,
    },
}

/// The runtime the HTTP clients run on: two workers are plenty for I/O-bound requests and
/// leave the cores to the rayon pool.
pub fn http_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Checks every target once; returns the outcome of each.
pub fn check_all(
    targets: Vec<Url>,
    options: &CheckOptions,
    progress: &dyn Fn(usize, usize, usize),
) -> HashMap<String, Outcome> {
    let runtime = match http_runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            let reason = format!("cannot start the link checker: {error}");
            return all_unverifiable(targets, &reason);
        }
    };
    runtime.block_on(check_all_async(targets, options.clone(), progress))
}

/// Every target unverifiable for one reason: the checker could not start.
fn all_unverifiable(targets: Vec<Url>, reason: &str) -> HashMap<String, Outcome> {
    targets
        .into_iter()
        .map(|url| {
            let outcome = Outcome::Unverifiable {
                reason: reason.to_owned(),
            };
            (url.to_string(), outcome)
        })
        .collect()
}

async fn check_all_async(
    targets: Vec<Url>,
    options: CheckOptions,
    progress: &dyn Fn(usize, usize, usize),
) -> HashMap<String, Outcome> {
    let client = match client(&options) {
        Ok(client) => client,
        Err(error) => {
            let reason = format!("cannot build an HTTP client: {error}");
            return all_unverifiable(targets, &reason);
        }
    };
    let checker = Arc::new(Checker {
        client,
        global: Semaphore::new(options.concurrency.max(1)),
        hosts: Mutex::new(HashMap::new()),
        options,
    });
    let total = targets.len();
    let mut tasks = tokio::task::JoinSet::new();
    for url in targets {
        let checker = checker.clone();
        tasks.spawn(async move {
            let outcome = checker.check(&url).await;
            (url.to_string(), outcome)
        });
    }
    let mut results = HashMap::new();
    let mut failures = 0;
    while let Some(done) = tasks.join_next().await {
        if let Ok((url, outcome)) = done {
            failures += usize::from(matches!(outcome, Outcome::Broken { .. }));
            results.insert(url, outcome);
            progress(results.len(), total, failures);
        }
    }
    results
}

fn client(options: &CheckOptions) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(&options.user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: options.allow_private,
        }))
        .build()
}

/// Resolves names and drops loopback, private, link-local and multicast addresses unless
/// allowed: the connection can only go where this says, so DNS cannot get around the rule.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!(
                    "refused: {host} resolves only to private or loopback addresses"
                )
                .into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Not loopback, private, link-local, multicast or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_multicast()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
                && v6
                    .to_ipv4_mapped()
                    .is_none_or(|v4| is_public(IpAddr::V4(v4)))
        }
    }
}

struct Checker {
    client: reqwest::Client,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    options: CheckOptions,
}

/// Politeness toward one host.
struct HostState {
    slots: Semaphore,
    last_request: Mutex<Option<Instant>>,
    failures_in_a_row: Mutex<u32>,
}

/// One request's answer, or why there was none.
enum Answer {
    Status(StatusCode, Option<Url>, Option<Duration>),
    Failed(String, bool),
}

impl Checker {
    fn host(&self, url: &Url) -> Arc<HostState> {
        // A host is a server: name and port (test servers share 127.0.0.1).
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(HostState {
                    slots: Semaphore::new(self.options.per_host.max(1)),
                    last_request: Mutex::new(None),
                    failures_in_a_row: Mutex::new(0),
                })
            })
            .clone()
    }

    /// Follows redirects by hand, so every hop is checked like the first.
    async fn check(&self, start: &Url) -> Outcome {
        let mut url = start.clone();
        let mut seen = HashSet::new();
        let mut permanent = None;
        for _ in 0..=10 {
            if let Some(refusal) = self.refusal(&url) {
                return Outcome::Unverifiable { reason: refusal };
            }
            if !seen.insert(url.to_string()) {
                return Outcome::Broken {
                    reason: "redirect loop".to_owned(),
                };
            }
            match self.request_with_retries(&url).await {
                Answer::Status(status, Some(next), _) if status.is_redirection() => {
                    if matches!(status.as_u16(), 301 | 308) && permanent.is_none() {
                        permanent = Some(status.as_u16());
                    }
                    if !matches!(next.scheme(), "http" | "https") {
                        return Outcome::Unverifiable {
                            reason: format!("refused: it redirects to a `{}:` URL", next.scheme()),
                        };
                    }
                    url = next;
                }
                Answer::Status(status, _, _) => {
                    return self.classify(status, permanent, &url, start);
                }
                Answer::Failed(reason, _) if reason.starts_with("refused:") => {
                    return Outcome::Unverifiable { reason };
                }
                Answer::Failed(reason, _) => return Outcome::Broken { reason },
            }
        }
        Outcome::Broken {
            reason: "more than 10 redirects".to_owned(),
        }
    }

    /// Why a target is not requested at all.
    fn refusal(&self, url: &Url) -> Option<String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Some(format!(
                "refused: only http and https are checked, not `{}:`",
                url.scheme()
            ));
        }
        let ip = match url.host()? {
            url::Host::Ipv4(v4) => IpAddr::V4(v4),
            url::Host::Ipv6(v6) => IpAddr::V6(v6),
            url::Host::Domain(_) => return None,
        };
        (!self.options.allow_private && !is_public(ip)).then(|| {
            format!("refused: {ip} is a private or loopback address (--allow-private checks it)")
        })
    }

    fn classify(
        &self,
        status: StatusCode,
        permanent: Option<u16>,
        final_url: &Url,
        start: &Url,
    ) -> Outcome {
        let code = status.as_u16();
        if status.is_success() || self.options.accept.contains(&code) {
            return match permanent {
                Some(redirect) if final_url != start => Outcome::Redirect {
                    status: redirect,
                    final_url: final_url.to_string(),
                },
                _ => Outcome::Ok { status: code },
            };
        }
        match code {
            401 | 403 | 429 | 999 => Outcome::Unverifiable {
                reason: format!("the site answered {code} and would not say more"),
            },
            _ => Outcome::Broken {
                reason: format!("the site answered {code}"),
            },
        }
    }

    async fn request_with_retries(&self, url: &Url) -> Answer {
        let host = self.host(url);
        // A host whose last targets all failed is left alone rather than hammered.
        if *host
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            >= self.options.host_failure_limit
        {
            return Answer::Failed(
                "the host kept failing, so it was left alone".to_owned(),
                false,
            );
        }
        let mut attempt = 0;
        let answer = loop {
            let answer = self.request(url, &host).await;
            let (retry, wait) = match &answer {
                Answer::Status(status, _, retry_after) => (
                    status.as_u16() == 429 || status.is_server_error(),
                    *retry_after,
                ),
                Answer::Failed(_, transient) => (*transient, None),
            };
            if !retry || attempt >= self.options.retries {
                break answer;
            }
            tokio::time::sleep(self.options.retry_delay(attempt, wait)).await;
            attempt += 1;
        };
        let mut failures = host
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *failures = if matches!(answer, Answer::Failed(_, true)) {
            *failures + 1
        } else {
            0
        };
        answer
    }

    /// One request: HEAD, then GET when HEAD is refused or fails oddly. The body is never read.
    async fn request(&self, url: &Url, host: &HostState) -> Answer {
        let _global = self.global.acquire().await;
        let _slot = host.slots.acquire().await;
        self.wait_turn(host).await;
        let head = self.send(Method::HEAD, url).await;
        let needs_get = match &head {
            Answer::Status(status, _, _) => matches!(status.as_u16(), 400 | 403 | 405 | 501),
            Answer::Failed(_, _) => true,
        };
        if !needs_get {
            return head;
        }
        match self.send(Method::GET, url).await {
            Answer::Failed(reason, transient) => match head {
                Answer::Status(..) => head,
                Answer::Failed(..) => Answer::Failed(reason, transient),
            },
            answer => answer,
        }
    }

    async fn wait_turn(&self, host: &HostState) {
        let wait = {
            let mut last = host.last_request.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let next = last.map_or(now, |l| (l + self.options.min_interval).max(now));
            *last = Some(next);
            next - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    async fn send(&self, method: Method, url: &Url) -> Answer {
        match self.client.request(method, url.clone()).send().await {
            Ok(response) => {
                let status = response.status();
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok());
                let retry_after = retry_after(response.headers());
                Answer::Status(status, location, retry_after)
            }
            Err(error) => {
                let reason = describe(&error);
                let refused = reason.starts_with("refused:");
                let transient =
                    !refused && (error.is_timeout() || error.is_connect() || error.is_request());
                Answer::Failed(reason, transient)
            }
        }
    }
}

/// A request error in words: the innermost cause says what happened.
pub fn describe(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    if error.is_timeout() {
        return "no answer before the timeout".to_owned();
    }
    let text = cause.to_string();
    if text.starts_with("refused:") {
        return text;
    }
    if error.is_connect() {
        return format!("cannot connect: {text}");
    }
    format!("the request failed: {text}")
}
