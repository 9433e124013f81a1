//! Archived copies of dead links: an availability API (the Internet Archive's by default) is
//! asked for the copy nearest the post's date. The archive is one host, so it is asked one
//! request at a time, at most one a second by default, honouring `Retry-After`, and all the
//! lookups of a run share one time bound, whatever the number of dead links.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde::Deserialize;
use url::Url;

use super::outcome::{Archived, Checked};
use crate::http::{self, BodyLimit, ClientOptions, Failure, Purpose};

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

pub const INTERNET_ARCHIVE: &str = crate::limits::ARCHIVE_API;

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
    let total = lookups.len();
    // The client's guarded resolver refuses a name that resolves to private addresses when
    // it connects, but an IP literal never reaches a resolver: the address is judged first.
    if let Some(refusal) = http::refusal_by_address(&archive.api, options.allow_private) {
        let failure = format!(
            "the archive at {} was not asked: {refusal}; {total} dead links were not looked up",
            archive.api
        );
        return (HashMap::new(), Some(failure));
    }
    let client = match http::client(options, Purpose::LinkTargets) {
        Ok(client) => client,
        Err(error) => return (HashMap::new(), Some(error.to_string())),
    };
    let mut found = HashMap::new();
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
        .map(|s| Archived {
            url: s.url,
            timestamp: s.timestamp,
        }))
}

/// Most distinct hosts of archived copies resolved in one run; copies elsewhere are withheld.
/// An archive serves its copies from a host or two: more is an answer (or a link cache) made
/// to keep the run resolving names.
const MOST_COPY_HOSTS: usize = 32;

/// Withholds the archived copies of dead targets that a fix may not link: not http(s), or on
/// an address of this machine or a private network, judged after resolution. A copy is the
/// archive's word or the link cache's (a file in the workspace, which a contributor can
/// commit), and an unsafe fix writes it into a post. Returns a notice when any was withheld.
pub fn withhold_unsafe_copies(
    results: &mut HashMap<String, Checked>,
    options: &ClientOptions,
) -> Option<String> {
    let copies: BTreeSet<String> = results
        .values()
        .filter(|result| result.is_dead())
        .flat_map(|result| result.archived.values().flatten())
        .map(|copy| copy.url.clone())
        .collect();
    if copies.is_empty() {
        return None;
    }
    let refused = match http::runtime() {
        Ok(runtime) => {
            let refused = runtime.block_on(unsafe_copies(copies, options));
            // A system lookup past its bound may still hold a thread: not waited for.
            runtime.shutdown_timeout(Duration::ZERO);
            refused
        }
        Err(error) => {
            let reason = format!("cannot start the resolver: {error}");
            copies
                .into_iter()
                .map(|url| (url, reason.clone()))
                .collect()
        }
    };
    let (first, reason) = refused.iter().next()?;
    let notice = format!(
        "{} archived copies were not offered as fixes; the first, {first}: {reason}",
        refused.len()
    );
    for result in results.values_mut() {
        for copy in result.archived.values_mut() {
            if copy.as_ref().is_some_and(|c| refused.contains_key(&c.url)) {
                *copy = None;
            }
        }
    }
    Some(notice)
}

/// The copies refused, with the reason of each. Each host is resolved once, all at once, each
/// lookup within the connect timeout.
async fn unsafe_copies(
    copies: BTreeSet<String>,
    options: &ClientOptions,
) -> BTreeMap<String, String> {
    let mut refused = BTreeMap::new();
    let mut hosts: BTreeMap<Url, Vec<String>> = BTreeMap::new();
    for copy in copies {
        let by_address = Url::parse(&copy)
            .map_err(|error| format!("not an address: {error}"))
            .and_then(
                |url| match http::refusal_by_address(&url, options.allow_private) {
                    Some(refusal) => Err(refusal.to_string()),
                    None => Ok(url),
                },
            );
        match by_address {
            Ok(url) => hosts.entry(host_of(&url)).or_default().push(copy),
            Err(reason) => {
                refused.insert(copy, reason);
            }
        }
    }
    // Refused until its host's lookup says otherwise: a lookup that never finishes withholds.
    let mut lookups = tokio::task::JoinSet::new();
    for (n, (host, copies)) in hosts.into_iter().enumerate() {
        let reason = if n < MOST_COPY_HOSTS {
            "its host's lookup did not finish".to_owned()
        } else {
            format!("copies on more than {MOST_COPY_HOSTS} hosts are not looked up")
        };
        refused.extend(copies.iter().map(|copy| (copy.clone(), reason.clone())));
        if n < MOST_COPY_HOSTS {
            let (allow_private, bound) = (options.allow_private, options.connect_timeout);
            lookups
                .spawn(async move { (http::refusal(&host, allow_private, bound).await, copies) });
        }
    }
    while let Some(done) = lookups.join_next().await {
        let Ok((refusal, copies)) = done else {
            continue;
        };
        for copy in copies {
            match &refusal {
                Some(refusal) => refused.insert(copy, refusal.to_string()),
                None => refused.remove(&copy),
            };
        }
    }
    refused
}

/// The scheme and host of a copy: what its safety depends on.
fn host_of(url: &Url) -> Url {
    let mut host = url.clone();
    host.set_path("/");
    host.set_query(None);
    host.set_fragment(None);
    let _ = host.set_port(None);
    let _ = host.set_username("");
    let _ = host.set_password(None);
    host
}
