//! The retry policy: 429, 5xx, transient failures and a body cut short are tried again, within
//! one budget of attempts, after what the server asked (`Retry-After`) or a growing backoff.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::ClientOptions;

/// Why a request gave no usable answer, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub transient: bool,
}

impl Failure {
    /// A request that got no answer: a refusal of the guarded resolver is final; timeouts and
    /// failed connections are transient.
    pub fn from_error(error: &reqwest::Error) -> Self {
        let reason = describe(error);
        let transient = !is_refusal(&reason)
            && (error.is_timeout() || error.is_connect() || error.is_request());
        Self { reason, transient }
    }

    /// An answer whose body failed while it was read (reqwest reports it as a decode error):
    /// the connection dropped halfway, fewer bytes than `Content-Length` came, or the timeout
    /// struck. As unusable as a 503, and as likely to work the next time.
    pub fn while_reading(error: &reqwest::Error) -> Self {
        let reason = if error.is_timeout() {
            "the answer did not arrive whole before the timeout".to_owned()
        } else {
            format!("the answer was cut short: {}", innermost_cause(error))
        };
        Self {
            reason,
            transient: true,
        }
    }

    /// The server took the request and never answered: asking it the same way again would
    /// only wait as long again.
    pub fn swallowed(&self) -> bool {
        self.reason == NO_ANSWER
    }

    /// The checker refused the target (a private address, a scheme it does not speak).
    pub fn is_refusal(&self) -> bool {
        is_refusal(&self.reason)
    }
}

/// A request that reached no server: its name could not be resolved, or no route leads to
/// the network. When every target fails so, the fault is this machine's, not the links'.
pub fn reached_no_server(reason: &str) -> bool {
    reason.starts_with(UNRESOLVED) || reason.starts_with(NO_ROUTE)
}

const UNRESOLVED: &str = "cannot resolve the name:";
const NO_ROUTE: &str = "no route to the network:";

const NO_ANSWER: &str = "no answer before the timeout";

fn is_refusal(reason: &str) -> bool {
    reason.starts_with("refused:")
}

/// A request error in words: the innermost cause says what happened.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return NO_ANSWER.to_owned();
    }
    let text = innermost_cause(error);
    if is_refusal(&text) {
        return text;
    }
    if error.is_connect() {
        if causes(error).any(|cause| cause.to_string() == HYPER_DNS_ERROR) {
            return format!("{UNRESOLVED} {text}");
        }
        if causes(error).any(is_unreachable) {
            return format!("{NO_ROUTE} {text}");
        }
        return format!("cannot connect: {text}");
    }
    format!("the request failed: {text}")
}

/// How hyper's connector names a failed name lookup (its error type is private, so its words
/// are what there is to go by).
const HYPER_DNS_ERROR: &str = "dns error";

type Cause = dyn std::error::Error + 'static;

fn causes(error: &reqwest::Error) -> impl Iterator<Item = &Cause> {
    std::iter::successors(Some(error as &Cause), |cause| cause.source())
}

fn is_unreachable(cause: &Cause) -> bool {
    use std::io::ErrorKind;
    cause.downcast_ref::<std::io::Error>().is_some_and(|e| {
        matches!(
            e.kind(),
            ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable
        )
    })
}

fn innermost_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// `Retry-After` in seconds (the HTTP-date form is rare and ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// A status worth asking again for: the server is busy or failing for now.
pub fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// What the result of one try says about trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Final,
    /// Worth another try, after what the server asked for when it did.
    Again {
        retry_after: Option<Duration>,
    },
}

/// Runs `try_once` until `verdict` calls its result final or the retries of `options` are
/// spent; the last result is returned either way.
pub async fn with_retries<T, Fut>(
    options: &ClientOptions,
    try_once: impl FnMut() -> Fut,
    verdict: impl Fn(&T) -> Verdict,
) -> T
where
    Fut: Future<Output = T>,
{
    with_retries_until(options, || None, try_once, verdict).await
}

/// `with_retries` that also stops when the next try could not start before the deadline: a
/// wait that would end past it is not begun, however long `Retry-After` asks for. The
/// deadline is asked for after each try, since a bound may start with the first request.
pub async fn with_retries_until<T, Fut>(
    options: &ClientOptions,
    deadline: impl Fn() -> Option<Instant>,
    mut try_once: impl FnMut() -> Fut,
    verdict: impl Fn(&T) -> Verdict,
) -> T
where
    Fut: Future<Output = T>,
{
    let mut attempt = 0;
    loop {
        let result = try_once().await;
        let Verdict::Again { retry_after } = verdict(&result) else {
            return result;
        };
        if attempt >= options.retries {
            return result;
        }
        let delay = options.retry_delay(attempt, retry_after);
        if deadline().is_some_and(|end| Instant::now() + delay >= end) {
            return result;
        }
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// The most bytes of an answer read, and the setting that sets it (for the message).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub bytes: u64,
    pub setting: &'static str,
}

impl BodyLimit {
    /// Not worth another try: the server would send as much again.
    fn exceeded(&self) -> Failure {
        Failure {
            reason: format!(
                "the answer is larger than {}, the limit of one answer ({})",
                bytesize::ByteSize::b(self.bytes),
                self.setting
            ),
            transient: false,
        }
    }
}

/// An answer read to its last byte.
#[derive(Debug)]
pub struct WholeAnswer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Sends `request()` and reads the whole body, trying again on 429 and 5xx (after
/// `Retry-After`), on transient failures, and when the body fails while it is read (the
/// connection dropped halfway, fewer bytes than `Content-Length`, a timeout): such an answer
/// is as unusable as a 503. Every try starts from an empty body, so nothing of a failed one is
/// kept. The last answer or failure is returned.
pub async fn get_whole(
    options: &ClientOptions,
    limit: BodyLimit,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Result<WholeAnswer, Failure> {
    get_whole_until(options, limit, None, request).await
}

/// `get_whole` within `deadline`: every try's timeout ends by it, and no wait runs past it.
pub async fn get_whole_until(
    options: &ClientOptions,
    limit: BodyLimit,
    deadline: Option<Instant>,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Result<WholeAnswer, Failure> {
    let request = &request;
    let try_once = move || async move {
        let mut builder = request();
        if let Some(end) = deadline {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure {
                    reason: NO_ANSWER.to_owned(),
                    transient: false,
                });
            }
            builder = builder.timeout(left.min(options.timeout));
        }
        let response = builder.send().await.map_err(|e| Failure::from_error(&e))?;
        read_whole(response, limit).await
    };
    with_retries_until(options, || deadline, try_once, verdict_of_whole).await
}

fn verdict_of_whole(result: &Result<WholeAnswer, Failure>) -> Verdict {
    match result {
        Ok(answer) if is_retryable_status(answer.status) => Verdict::Again {
            retry_after: retry_after(&answer.headers),
        },
        Err(failure) if failure.transient => Verdict::Again { retry_after: None },
        _ => Verdict::Final,
    }
}

/// Reads the body up to the limit: an answer that announces more is refused before its body
/// is read, and one that sends more (an endless chunked body) when it goes past the limit.
async fn read_whole(
    mut response: reqwest::Response,
    limit: BodyLimit,
) -> Result<WholeAnswer, Failure> {
    if response
        .content_length()
        .is_some_and(|length| length > limit.bytes)
    {
        return Err(limit.exceeded());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure::while_reading(&e))?
    {
        if (body.len() + chunk.len()) as u64 > limit.bytes {
            return Err(limit.exceeded());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(WholeAnswer {
        status: response.status(),
        headers: response.headers().clone(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(retries: u32) -> ClientOptions {
        ClientOptions {
            retries,
            backoff: Duration::ZERO,
            ..ClientOptions::default()
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    /// Runs `with_retries` over `results` and returns what it gave and how many tries it made.
    fn run(retries: u32, results: &[Result<u16, bool>]) -> (Result<u16, bool>, usize) {
        let tries = std::cell::Cell::new(0);
        let result = block_on(with_retries(
            &options(retries),
            || {
                let result = results[tries.get()];
                tries.set(tries.get() + 1);
                async move { result }
            },
            |result| match result {
                Ok(status) if *status >= 500 => Verdict::Again { retry_after: None },
                Err(true) => Verdict::Again { retry_after: None },
                _ => Verdict::Final,
            },
        ));
        (result, tries.get())
    }

    #[test]
    fn failures_are_tried_again_within_one_budget() {
        assert_eq!(run(2, &[Err(true), Ok(500), Ok(200)]), (Ok(200), 3));
        assert_eq!(run(2, &[Ok(503), Ok(503), Ok(503)]), (Ok(503), 3));
        assert_eq!(run(1, &[Err(true), Err(true)]), (Err(true), 2));
        assert_eq!(run(2, &[Err(false)]), (Err(false), 1));
        assert_eq!(run(2, &[Ok(404)]), (Ok(404), 1));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, " 7 ".parse().expect("a header value"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("a value"),
        );
        assert_eq!(retry_after(&headers), None);
        let options = ClientOptions {
            retry_after_cap: Duration::from_secs(5),
            ..ClientOptions::default()
        };
        let asked = Some(Duration::from_secs(60));
        assert_eq!(options.retry_delay(0, asked), Duration::from_secs(5));
        let short = ClientOptions {
            timeout: Duration::from_secs(2),
            ..options.clone()
        };
        assert_eq!(short.retry_delay(0, asked), Duration::from_secs(2));
        let backoff = options.retry_delay(2, None);
        assert!(backoff >= options.backoff * 4 && backoff <= options.backoff * 4 + options.backoff);
    }

    #[test]
    fn busy_and_failing_servers_are_asked_again() {
        assert!(is_retryable_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(is_retryable_status(StatusCode::BAD_GATEWAY));
        assert!(!is_retryable_status(StatusCode::NOT_FOUND));
        assert!(!is_retryable_status(StatusCode::FORBIDDEN));
    }
}
