//! Archived copies of dead links: an availability API (the Internet Archive's by default) is
//! asked for the copy nearest the post's date. The archive is one host, so it is asked one
//! request at a time, at most one a second by default, honouring `Retry-After`, and all the
//! lookups of a run share one time bound, whatever the number of dead links.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde::Deserialize;
use url::Url;

use super::outcome::Archived;
use crate::http::{self, BodyLimit, ClientOptions, Failure, Purpose, is_public};

/// Where and how often to ask for archived copies.
#[derive(Debug, Clone)]
pub struct ArchiveOptions {
    /// The availability API, asked as `?url=TARGET&timestamp=YYYYMMDD`.
    pub api: Url,
    /// Between two requests to it.
    pub interval: Duration,
    /// For all the lookups of a run together, every request, retry and wait included.
    pub bound: Duration,
}

pub const INTERNET_ARCHIVE: &str = "https://archive.org/wayback/available";

impl Default for ArchiveOptions {
    fn default() -> Self {
        Self {
            api: Url::parse(INTERNET_ARCHIVE).expect("the Internet Archive's address is a URL"),
            interval: Duration::from_secs(1),
            bound: crate::limits::ARCHIVE_TIMEOUT.default,
        }
    }
}

/// A lookup: the dead target and the post date (`YYYYMMDD`, or empty for none) to be near.
pub type Lookup = (String, String);

/// Asks for each lookup's archived copy (`None`: the archive has none), telling `progress`
/// how many are done. After a failed lookup the archive is asked no more: what was found is
/// returned, with the failure in words.
pub fn lookup_all(
    lookups: Vec<Lookup>,
    archive: &ArchiveOptions,
    options: &ClientOptions,
    progress: &dyn Fn(usize),
) -> (HashMap<Lookup, Option<Archived>>, Option<String>) {
    if lookups.is_empty() {
        return (HashMap::new(), None);
    }
    let runtime = match http::runtime() {
        Ok(runtime) => runtime,
        Err(error) => return (HashMap::new(), Some(error.to_string())),
    };
    runtime.block_on(lookup_all_async(lookups, archive, options, progress))
}

async fn lookup_all_async(
    lookups: Vec<Lookup>,
    archive: &ArchiveOptions,
    options: &ClientOptions,
    progress: &dyn Fn(usize),
) -> (HashMap<Lookup, Option<Archived>>, Option<String>) {
    let client = match http::client(options, Purpose::LinkTargets) {
        Ok(client) => client,
        Err(error) => return (HashMap::new(), Some(error.to_string())),
    };
    let mut found = HashMap::new();
    let total = lookups.len();
    let deadline = Instant::now() + archive.bound;
    for (i, lookup) in lookups.into_iter().enumerate() {
        let not_looked_up = total - i;
        if i > 0 && Instant::now() + archive.interval >= deadline {
            return (found, Some(out_of_time(archive, not_looked_up, total)));
        }
        if i > 0 {
            tokio::time::sleep(archive.interval).await;
        }
        match lookup_one(&client, archive, options, deadline, &lookup).await {
            Ok(copy) => {
                found.insert(lookup, copy);
            }
            Err(_) if Instant::now() >= deadline => {
                return (found, Some(out_of_time(archive, not_looked_up, total)));
            }
            // An archive that failed after its retries (busy, down, answering nonsense) is
            // left alone for the rest of the run.
            Err(error) => {
                let failure = format!(
                    "the archive at {} failed: {}; {not_looked_up} of {total} dead links were \
                     not looked up",
                    archive.api, error.reason,
                );
                return (found, Some(failure));
            }
        }
        progress(i + 1);
    }
    (found, None)
}

/// The notice of lookups stopped by the run's bound; the cache keeps what was found, so the
/// next run asks only for the rest.
fn out_of_time(archive: &ArchiveOptions, not_looked_up: usize, total: usize) -> String {
    format!(
        "the archive at {} was asked for {:.0} s, the bound of a run (--archive-timeout); \
         {not_looked_up} of {total} dead links were not looked up, and the next run asks for them",
        archive.api,
        archive.bound.as_secs_f64()
    )
}

#[derive(Deserialize)]
struct Availability {
    #[serde(default)]
    archived_snapshots: Snapshots,
}

#[derive(Deserialize, Default)]
struct Snapshots {
    closest: Option<Snapshot>,
}

#[derive(Deserialize)]
struct Snapshot {
    #[serde(default)]
    available: bool,
    url: String,
    timestamp: String,
    #[serde(default)]
    status: Option<String>,
}

async fn lookup_one(
    client: &reqwest::Client,
    archive: &ArchiveOptions,
    options: &ClientOptions,
    deadline: Instant,
    (target, date): &Lookup,
) -> Result<Option<Archived>, Failure> {
    let mut api = archive.api.clone();
    api.query_pairs_mut().append_pair("url", target);
    if !date.is_empty() {
        api.query_pairs_mut().append_pair("timestamp", date);
    }
    let limit = BodyLimit {
        bytes: 1 << 20,
        setting: "the archive's answer",
    };
    let request = || client.get(api.clone());
    let answer = http::get_whole_until(options, limit, Some(deadline), request).await?;
    if !answer.status.is_success() {
        return Err(Failure {
            reason: format!("it answered {}", answer.status.as_u16()),
            transient: false,
        });
    }
    let availability: Availability =
        serde_json::from_slice(&answer.body).map_err(|error| Failure {
            reason: format!("its answer is not what an availability API says: {error}"),
            transient: false,
        })?;
    Ok(availability
        .archived_snapshots
        .closest
        .filter(|s| s.available && s.status.as_deref().is_none_or(|st| st.starts_with('2')))
        .filter(|s| is_safe_copy(&s.url, options.allow_private))
        .map(|s| Archived {
            url: s.url,
            timestamp: s.timestamp,
        }))
}

/// A copy the fix may link: `http(s)`, and not on a private address (the archive's answer is
/// as untrusted as the content).
fn is_safe_copy(url: &str, allow_private: bool) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(name)) => {
            return allow_private || !name.eq_ignore_ascii_case("localhost");
        }
        None => return false,
    };
    allow_private || is_public(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_copies_on_public_addresses_are_linked() {
        assert!(is_safe_copy(
            "https://web.archive.org/web/2019/https://x.example/",
            false
        ));
        assert!(!is_safe_copy("javascript:alert(1)", false));
        assert!(!is_safe_copy("http://127.0.0.1:8080/copy", false));
        assert!(!is_safe_copy("http://localhost/copy", false));
        assert!(is_safe_copy("http://127.0.0.1:8080/copy", true));
    }
}
