//! The remote link checker: every distinct `http(s)` target of the run is requested once, with
//! a global and a per-host limit, redirects followed hop by hop, one time bound for all of a
//! URL's requests, and a safety net so that content from many authors cannot turn CI into a
//! way into its own network. Of a page asked with `GET` it reads the title and looks for the
//! fragments links name (`page`); the final answer is judged by `outcome`. The client, its
//! guarded resolver and the retry policy are `crate::http`'s.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

pub use super::outcome::{Checked, Outcome};
use super::outcome::{FinalAnswer, Hop, judge};
use super::page::{self, ChannelReader, Scan};
use super::queue::{ServerQueues, server_of};
use crate::http::{self, Failure, Purpose, Verdict};

/// The link checker's name for the client settings it shares with the site reader.
pub use crate::http::ClientOptions as CheckOptions;

/// A distinct target: its URL without a fragment, and the fragments links point to in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub fragments: BTreeSet<String>,
}

impl From<Url> for Target {
    fn from(url: Url) -> Self {
        Self {
            url,
            fragments: BTreeSet::new(),
        }
    }
}

/// Checks started and not ended, per slot of `concurrency`: enough that checks waiting for a
/// server's turn or sleeping before a retry leave the slots busy, few enough that 100,000
/// targets do not each hold a started request in memory.
const LIVE_PER_SLOT: usize = 16;

/// Checks every target once; returns what was found of each, by URL.
pub fn check_all(
    targets: Vec<impl Into<Target>>,
    options: &CheckOptions,
    progress: &dyn Fn(usize, usize, usize),
) -> HashMap<String, Checked> {
    let targets: Vec<Target> = targets.into_iter().map(Into::into).collect();
    let runtime = match http::runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            let reason = format!("cannot start the link checker: {error}");
            return all_unverifiable(targets, &reason);
        }
    };
    runtime.block_on(check_all_async(targets, options.clone(), progress))
}

/// Every target unverifiable for one reason: the checker could not start.
fn all_unverifiable(targets: Vec<Target>, reason: &str) -> HashMap<String, Checked> {
    targets
        .into_iter()
        .map(|target| {
            let outcome = Outcome::Unverifiable {
                reason: reason.to_owned(),
            };
            (target.url.to_string(), Checked::new(outcome))
        })
        .collect()
}

async fn check_all_async(
    targets: Vec<Target>,
    options: CheckOptions,
    progress: &dyn Fn(usize, usize, usize),
) -> HashMap<String, Checked> {
    let client = match http::client(&options, Purpose::LinkTargets) {
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
    let live_per_server = checker.options.per_host.max(1) * 2;
    let most_live = checker.options.concurrency.max(1) * LIVE_PER_SLOT;
    let mut queues = ServerQueues::new(targets, |t| server_of(&t.url), live_per_server);
    let mut tasks = tokio::task::JoinSet::new();
    let mut results = HashMap::new();
    let mut failures = 0;
    loop {
        while tasks.len() < most_live {
            let Some((server, target)) = queues.start_next() else {
                break;
            };
            let checker = checker.clone();
            tasks.spawn(async move {
                let checked = checker.check(&target).await;
                (server, target.url.to_string(), checked)
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        if let Ok((server, url, checked)) = done {
            queues.finished(server);
            failures += usize::from(checked.is_dead());
            results.insert(url, checked);
            progress(results.len(), total, failures);
        }
    }
    results
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

/// What a server answered to one request.
struct Reply {
    status: StatusCode,
    location: Option<Url>,
    retry_after: Option<Duration>,
    /// What was read of the page, when it was asked with `GET` and is HTML.
    scan: Option<Scan>,
}

/// One request's answer, or why there was none.
enum Answer {
    Status(Reply),
    Failed(Failure),
}

impl Answer {
    fn verdict(&self) -> Verdict {
        match self {
            Answer::Status(reply) if http::is_retryable_status(reply.status) => Verdict::Again {
                retry_after: reply.retry_after,
            },
            // A server that swallowed a request is not asked again the same way.
            Answer::Failed(failure) if failure.transient && !failure.swallowed() => {
                Verdict::Again { retry_after: None }
            }
            _ => Verdict::Final,
        }
    }
}

impl Checker {
    fn host(&self, url: &Url) -> Arc<HostState> {
        let key = server_of(url);
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
    async fn check(&self, target: &Target) -> Checked {
        let start = &target.url;
        let deadline = Deadline::new(self.options.timeout);
        let mut url = start.clone();
        let mut seen = HashSet::new();
        let mut permanent = None;
        let mut hops = Vec::new();
        let done = |outcome, hops| Checked {
            hops,
            ..Checked::new(outcome)
        };
        for _ in 0..=10 {
            if let Some(refusal) = self.refusal(&url) {
                return done(Outcome::Unverifiable { reason: refusal }, hops);
            }
            if !seen.insert(url.to_string()) {
                let reason = "redirect loop".to_owned();
                return done(Outcome::Broken { reason }, hops);
            }
            let reply = match self.ask(&url, &target.fragments, &deadline).await {
                Answer::Status(reply) => reply,
                Answer::Failed(failure) if failure.is_refusal() => {
                    let reason = failure.reason;
                    return done(Outcome::Unverifiable { reason }, hops);
                }
                Answer::Failed(failure) => {
                    let reason = failure.reason;
                    return done(Outcome::Broken { reason }, hops);
                }
            };
            let status = reply.status.as_u16();
            hops.push(Hop {
                url: url.to_string(),
                status,
            });
            let next = reply
                .location
                .clone()
                .filter(|_| reply.status.is_redirection());
            let Some(next) = next else {
                return self.finish(target, &url, permanent, reply, hops);
            };
            if matches!(status, 301 | 308) && permanent.is_none() {
                permanent = Some(status);
            }
            if !matches!(next.scheme(), "http" | "https") {
                // A reader's browser will not follow it either.
                let reason = format!(
                    "it redirects to a `{}:` URL, which a browser does not follow",
                    next.scheme()
                );
                return done(Outcome::Broken { reason }, hops);
            }
            url = next;
        }
        let reason = "more than 10 redirects".to_owned();
        done(Outcome::Broken { reason }, hops)
    }

    /// The outcome of a check whose last answer, at `url`, is `reply`.
    fn finish(
        &self,
        target: &Target,
        url: &Url,
        permanent: Option<u16>,
        reply: Reply,
        hops: Vec<Hop>,
    ) -> Checked {
        let start = &target.url;
        let scan = reply.scan.unwrap_or_default();
        let outcome = judge(
            &FinalAnswer {
                start,
                url,
                status: reply.status.as_u16(),
                permanent,
                redirected: hops.len() > 1,
                title: scan.title.as_deref(),
            },
            &self.options.accept,
        );
        let fragments = target
            .fragments
            .iter()
            .map(|f| (f.clone(), scan.fragments.get(f).copied()))
            .collect();
        Checked {
            hops,
            fragments,
            ..Checked::new(outcome)
        }
    }

    /// Why a target is not requested at all: what its address alone forbids. A name that
    /// resolves to a private address is refused by the guarded resolver when connecting.
    fn refusal(&self, url: &Url) -> Option<String> {
        http::refusal_by_address(url, self.options.allow_private)
            .map(|refusal| format!("refused: {refusal}"))
    }

    /// Asks `url` once: `HEAD`, then `GET` when `HEAD` is refused or gets no answer, each
    /// with its retries, all before `deadline`. A page searched for fragments is asked with
    /// `GET` at once.
    async fn ask(&self, url: &Url, fragments: &BTreeSet<String>, deadline: &Deadline) -> Answer {
        if !fragments.is_empty() {
            return self
                .request_with_retries(Method::GET, url, fragments, deadline)
                .await;
        }
        let head = self
            .request_with_retries(Method::HEAD, url, fragments, deadline)
            .await;
        let needs_get = match &head {
            Answer::Status(reply) => matches!(reply.status.as_u16(), 400 | 403 | 405 | 501),
            Answer::Failed(failure) => !failure.is_refusal() && !deadline.passed(),
        };
        if !needs_get {
            return head;
        }
        match self
            .request_with_retries(Method::GET, url, fragments, deadline)
            .await
        {
            Answer::Failed(failure) => match head {
                Answer::Status(..) => head,
                Answer::Failed(_) => Answer::Failed(failure),
            },
            answer => answer,
        }
    }

    async fn request_with_retries(
        &self,
        method: Method,
        url: &Url,
        fragments: &BTreeSet<String>,
        deadline: &Deadline,
    ) -> Answer {
        let host = self.host(url);
        // A host whose last targets all failed is left alone rather than hammered.
        if *host
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            >= self.options.host_failure_limit
        {
            return Answer::Failed(Failure {
                reason: "the host kept failing, so it was left alone".to_owned(),
                transient: false,
            });
        }
        let host = &host;
        // Asked after each try: the bound starts with the first request, inside the first try.
        let answer = http::with_retries_until(
            &self.options,
            || deadline.end(),
            || self.request(method.clone(), url, host, fragments, deadline),
            Answer::verdict,
        )
        .await;
        let mut failures = host
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *failures = if matches!(&answer, Answer::Failed(failure) if failure.transient) {
            *failures + 1
        } else {
            0
        };
        answer
    }

    /// One request. The server's own slot comes first and the global one only when the
    /// server can be asked, so that one server's queue never holds slots the others could use.
    async fn request(
        &self,
        method: Method,
        url: &Url,
        host: &HostState,
        fragments: &BTreeSet<String>,
        deadline: &Deadline,
    ) -> Answer {
        let _slot = host.slots.acquire().await;
        self.wait_turn(host).await;
        let _global = self.global.acquire().await;
        let Some(timeout) = deadline.next_timeout() else {
            return Answer::Failed(deadline.spent());
        };
        self.send(method, url, timeout, fragments).await
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

    /// Sends one request. Of a `GET` answered 2xx with HTML, the title is read (and the
    /// fragments looked for); otherwise the body is never read.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        timeout: Duration,
        fragments: &BTreeSet<String>,
    ) -> Answer {
        let reads_page = method == Method::GET;
        let request = self.client.request(method, url.clone()).timeout(timeout);
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Answer::Failed(Failure::from_error(&error)),
        };
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok());
        let retry_after = http::retry_after(response.headers());
        let scan = if reads_page && status.is_success() && is_html(&response) {
            Some(read_page(response, fragments).await)
        } else {
            None
        };
        Answer::Status(Reply {
            status,
            location,
            retry_after,
            scan,
        })
    }
}

/// A machine without a network: every target on a public host failed before reaching a
/// server (no name resolved, no route), so their links are unverifiable, not broken. One
/// host that refused, answered or timed out shows the network works, and its failures stay
/// broken links; loopback and private targets tell nothing of the network either way. Returns
/// the notice to give once, when the network was unreachable.
pub fn judge_offline(results: &mut HashMap<String, Checked>) -> Option<String> {
    let mut unreached = 0;
    for (url, checked) in results.iter() {
        if !on_public_host(url) {
            continue;
        }
        match &checked.outcome {
            Outcome::Broken { reason } if http::reached_no_server(reason) => unreached += 1,
            Outcome::Unverifiable { reason } if reason.starts_with("refused:") => {}
            _ => return None,
        }
    }
    if unreached == 0 {
        return None;
    }
    for checked in results.values_mut() {
        if let Outcome::Broken { reason } = &checked.outcome
            && http::reached_no_server(reason)
        {
            let reason = format!("the network is unreachable ({reason})");
            checked.outcome = Outcome::Unverifiable { reason };
        }
    }
    Some(format!(
        "the network is unreachable: no host of the {unreached} link targets could be resolved          or reached, so their links are unverifiable, not broken"
    ))
}

/// A target whose host is a name, or a public address.
fn on_public_host(url: &str) -> bool {
    match Url::parse(url).ok().as_ref().and_then(Url::host) {
        Some(url::Host::Domain(_)) => true,
        Some(url::Host::Ipv4(ip)) => http::is_public(ip.into()),
        Some(url::Host::Ipv6(ip)) => http::is_public(ip.into()),
        None => false,
    }
}

fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("text/html") || v.starts_with("application/xhtml")
        })
}

/// Streams the page into the tokenizer, which runs on a blocking thread, up to the limit
/// (64 KiB for a title, 4 MiB for fragments); the download stops when the tokenizer has what
/// it needs. Fragments are known absent only when the page was read to its end.
async fn read_page(mut response: reqwest::Response, fragments: &BTreeSet<String>) -> Scan {
    let limit = if fragments.is_empty() {
        page::TITLE_LIMIT
    } else {
        page::FRAGMENT_LIMIT
    };
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
    let wanted = fragments.clone();
    let scanner = tokio::task::spawn_blocking(move || {
        page::scan(ChannelReader::new(receiver), true, &wanted)
    });
    let mut read = 0u64;
    let mut whole = false;
    while read < limit {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => {
                whole = true;
                break;
            }
            Err(_) => break,
        };
        let take = chunk
            .len()
            .min(usize::try_from(limit - read).unwrap_or(usize::MAX));
        read += take as u64;
        if sender.send(chunk[..take].to_vec()).await.is_err() {
            whole = true; // the tokenizer found all it looked for
            break;
        }
    }
    drop(sender);
    let mut scan = scanner.await.unwrap_or_default();
    if !whole {
        scan.fragments.retain(|_, present| *present);
    }
    scan
}

/// The bound on one URL's check, all its requests, retries and waits together; it starts with
/// the first request, not while the URL waits for its turn.
struct Deadline {
    bound: Duration,
    end: std::sync::OnceLock<Instant>,
}

impl Deadline {
    fn new(bound: Duration) -> Self {
        Self {
            bound,
            end: std::sync::OnceLock::new(),
        }
    }

    fn end(&self) -> Option<Instant> {
        self.end.get().copied()
    }

    fn passed(&self) -> bool {
        self.end().is_some_and(|end| Instant::now() >= end)
    }

    /// The timeout of the next request: what is left, and at most half the bound, so that a
    /// server swallowing `HEAD` leaves time for `GET`. `None` once the bound is spent.
    fn next_timeout(&self) -> Option<Duration> {
        let end = *self.end.get_or_init(|| Instant::now() + self.bound);
        let left = end.saturating_duration_since(Instant::now());
        (!left.is_zero()).then(|| left.min(self.bound / 2))
    }

    fn spent(&self) -> Failure {
        Failure {
            reason: format!(
                "no answer within {:.1} s, the bound for one URL (--link-timeout)",
                self.bound.as_secs_f64()
            ),
            transient: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(outcomes: &[(&str, Outcome)]) -> HashMap<String, Checked> {
        outcomes
            .iter()
            .map(|(url, outcome)| ((*url).to_owned(), Checked::new(outcome.clone())))
            .collect()
    }

    fn broken(reason: &str) -> Outcome {
        Outcome::Broken {
            reason: reason.to_owned(),
        }
    }

    const UNRESOLVED: &str = "cannot resolve the name: failed to lookup address information";

    #[test]
    fn offline_is_every_public_host_unreached_and_no_other_answer() {
        let mut offline = results(&[
            ("https://a.example/", broken(UNRESOLVED)),
            ("https://b.example/", broken(UNRESOLVED)),
            (
                "http://127.0.0.1:9/",
                broken("cannot connect: Connection refused"),
            ),
        ]);
        let notice = judge_offline(&mut offline);
        assert!(notice.is_some_and(|n| n.contains("2 link targets")));
        assert!(matches!(
            offline["https://a.example/"].outcome,
            Outcome::Unverifiable { .. }
        ));
        // A loopback port nobody listens on is a broken link, offline or not.
        assert!(matches!(
            offline["http://127.0.0.1:9/"].outcome,
            Outcome::Broken { .. }
        ));

        // One host that answered: the network works, and a name that does not resolve is
        // a broken link.
        let mut online = results(&[
            ("https://a.example/", broken(UNRESOLVED)),
            ("https://c.example/", Outcome::Ok { status: 200 }),
        ]);
        assert_eq!(judge_offline(&mut online), None);
        assert!(matches!(
            online["https://a.example/"].outcome,
            Outcome::Broken { .. }
        ));
        // A public host that refused the connection was reached.
        let mut refused = results(&[
            ("https://a.example/", broken(UNRESOLVED)),
            (
                "https://93.184.216.34/",
                broken("cannot connect: Connection refused"),
            ),
        ]);
        assert_eq!(judge_offline(&mut refused), None);
        // Nothing public asked: nothing to say.
        let mut local = results(&[("http://127.0.0.1:9/", broken("cannot connect: refused"))]);
        assert_eq!(judge_offline(&mut local), None);
    }
}
