//! The remote link checker: every distinct `http(s)` target of the run is requested once, with
//! a global and a per-host limit, redirects followed hop by hop, and a safety net so that
//! content from many authors cannot turn CI into a way into its own network. The client, its
//! guarded resolver and the retry policy are `crate::http`'s.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;
use url::Url;

use crate::http::{self, Failure, Purpose, Verdict, is_public};

/// The link checker's name for the client settings it shares with the site reader.
pub use crate::http::ClientOptions as CheckOptions;

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

/// Checks every target once; returns the outcome of each.
pub fn check_all(
    targets: Vec<Url>,
    options: &CheckOptions,
    progress: &dyn Fn(usize, usize, usize),
) -> HashMap<String, Outcome> {
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
    Failed(Failure),
}

impl Answer {
    fn verdict(&self) -> Verdict {
        match self {
            Answer::Status(status, _, retry_after) if http::is_retryable_status(*status) => {
                Verdict::Again {
                    retry_after: *retry_after,
                }
            }
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
        let deadline = Deadline::new(self.options.timeout);
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
            match self.ask(&url, &deadline).await {
                Answer::Status(status, Some(next), _) if status.is_redirection() => {
                    if matches!(status.as_u16(), 301 | 308) && permanent.is_none() {
                        permanent = Some(status.as_u16());
                    }
                    if !matches!(next.scheme(), "http" | "https") {
                        // A reader's browser will not follow it either.
                        return Outcome::Broken {
                            reason: format!(
                                "it redirects to a `{}:` URL, which a browser does not follow",
                                next.scheme()
                            ),
                        };
                    }
                    url = next;
                }
                Answer::Status(status, _, _) => {
                    return self.classify(status, permanent, &url, start);
                }
                Answer::Failed(failure) if failure.is_refusal() => {
                    return Outcome::Unverifiable {
                        reason: failure.reason,
                    };
                }
                Answer::Failed(failure) => {
                    return Outcome::Broken {
                        reason: failure.reason,
                    };
                }
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

    /// Asks `url` once: `HEAD`, then `GET` when `HEAD` is refused or gets no answer, each
    /// with its retries, all before `deadline`.
    async fn ask(&self, url: &Url, deadline: &Deadline) -> Answer {
        let head = self.request_with_retries(Method::HEAD, url, deadline).await;
        let needs_get = match &head {
            Answer::Status(status, _, _) => matches!(status.as_u16(), 400 | 403 | 405 | 501),
            Answer::Failed(failure) => !failure.is_refusal() && !deadline.passed(),
        };
        if !needs_get {
            return head;
        }
        match self.request_with_retries(Method::GET, url, deadline).await {
            Answer::Failed(failure) => match head {
                Answer::Status(..) => head,
                Answer::Failed(_) => Answer::Failed(failure),
            },
            answer => answer,
        }
    }

    async fn request_with_retries(&self, method: Method, url: &Url, deadline: &Deadline) -> Answer {
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
        let answer = http::with_retries_until(
            &self.options,
            deadline.end(),
            || self.request(method.clone(), url, host, deadline),
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
        deadline: &Deadline,
    ) -> Answer {
        let _slot = host.slots.acquire().await;
        self.wait_turn(host).await;
        let _global = self.global.acquire().await;
        let Some(timeout) = deadline.next_timeout() else {
            return Answer::Failed(deadline.spent());
        };
        self.send(method, url, timeout).await
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

    async fn send(&self, method: Method, url: &Url, timeout: Duration) -> Answer {
        let request = self.client.request(method, url.clone()).timeout(timeout);
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok());
                let retry_after = http::retry_after(response.headers());
                Answer::Status(status, location, retry_after)
            }
            Err(error) => Answer::Failed(Failure::from_error(&error)),
        }
    }
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
