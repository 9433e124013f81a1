//! A run of some posts of a site (`--post`, a post's address) does not hold the site: a link
//! to one of its posts that is not in the run is asked of the site, by id or slug through the
//! REST API, before it is called missing. One answer per target, a bounded number of them.

use std::collections::{BTreeMap, HashMap};

use url::Url;

use super::SiteRequest;
use super::fetch::{Api, SiteClient};
use crate::outcome::CheckOutcome;
use crate::rules::helpers::codes::LINK_INTERNAL_MISSING;
use crate::rules::helpers::missing_target::target_of;

/// Targets asked of the site in one run, at most; links to more are not judged.
pub const MAX_ASKED: usize = 50;

/// What the site said of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Said {
    /// A post or page is there (a draft or private one too: it exists).
    Exists,
    Missing,
    /// The site could not be asked, or gave no clear answer.
    Unknown(String),
    /// The target names no post to ask about.
    NotAsked(String),
}

/// Keeps the `link-internal-missing` findings whose target the site says is missing, drops
/// the others, and adds a note on what was asked and what could not be. Returns what the site
/// said of each target it could tell about (`true`: there is such a post), for the saved copy.
pub fn confirm_missing(
    outcome: &mut CheckOutcome,
    request: &SiteRequest,
    api: &Api,
) -> BTreeMap<String, bool> {
    let targets = missing_targets(outcome);
    if missing_findings(outcome).next().is_none() {
        return BTreeMap::new();
    }
    let asked = &targets[..targets.len().min(MAX_ASKED)];
    let said = ask_all(request, api, asked);
    let not_judged = keep_confirmed(outcome, &said);
    let why = not_judged.iter().flatten().next().map(String::as_str);
    let counts = (asked.len(), targets.len());
    let asked_how = "were asked of the site";
    let note = note(
        request.url.as_str(),
        asked_how,
        counts,
        (not_judged.len(), why),
    );
    outcome.site_notes.push(note);
    said.into_iter()
        .filter_map(|(target, said)| match said {
            Said::Exists => Some((target, true)),
            Said::Missing => Some((target, false)),
            Said::Unknown(_) | Said::NotAsked(_) => None,
        })
        .collect()
}

/// The same judgement from what the live run was told (`confirm_missing`), for its saved copy.
pub fn apply_told(outcome: &mut CheckOutcome, site: &str, told: &BTreeMap<String, bool>) {
    if missing_findings(outcome).next().is_none() {
        return;
    }
    let targets = missing_targets(outcome);
    let said: HashMap<String, Said> = told
        .iter()
        .map(|(target, &exists)| {
            let said = if exists { Said::Exists } else { Said::Missing };
            (target.clone(), said)
        })
        .collect();
    let not_judged = keep_confirmed(outcome, &said);
    let answered = targets.iter().filter(|t| said.contains_key(*t)).count();
    let why = (!not_judged.is_empty()).then_some("the live run did not learn of them");
    let asked_how = "were looked up in what the site said when it was saved";
    let note = note(
        site,
        asked_how,
        (answered, targets.len()),
        (not_judged.len(), why),
    );
    outcome.site_notes.push(note);
}

/// The distinct targets of the run's `link-internal-missing` findings, in order.
fn missing_targets(outcome: &CheckOutcome) -> Vec<String> {
    let mut targets: Vec<String> = missing_findings(outcome)
        .filter_map(|finding| target_of(&finding.diagnostic).map(str::to_owned))
        .collect();
    targets.sort();
    targets.dedup();
    targets
}

/// Keeps the findings whose target is said missing; returns, for each one dropped unjudged,
/// why when known.
fn keep_confirmed(outcome: &mut CheckOutcome, said: &HashMap<String, Said>) -> Vec<Option<String>> {
    let mut not_judged = Vec::new();
    for report in &mut outcome.reports {
        report.findings.retain(|finding| {
            if finding.diagnostic.rule != LINK_INTERNAL_MISSING {
                return true;
            }
            match target_of(&finding.diagnostic).and_then(|t| said.get(t)) {
                Some(Said::Missing) => true,
                Some(Said::Exists) => false,
                Some(Said::Unknown(reason) | Said::NotAsked(reason)) => {
                    not_judged.push(Some(reason.clone()));
                    false
                }
                // Past the bound, or a target too long to be quoted whole.
                None => {
                    not_judged.push(None);
                    false
                }
            }
        });
    }
    not_judged
}

fn missing_findings(
    outcome: &CheckOutcome,
) -> impl Iterator<Item = crate::diagnostic::Finding> + '_ {
    outcome
        .reports
        .iter()
        .flat_map(|report| &report.findings)
        .filter(|finding| finding.diagnostic.rule == LINK_INTERNAL_MISSING)
}

fn note(
    site: &str,
    asked_how: &str,
    (asked, targets): (usize, usize),
    (not_judged, why): (usize, Option<&str>),
) -> String {
    let mut note = format!(
        "{site}: the run holds some posts only, so {asked} internal link target(s) not in it \
         {asked_how}"
    );
    if targets > asked {
        note.push_str(&format!(
            "; {} more were not (at most {MAX_ASKED} a run)",
            targets - asked
        ));
    }
    if not_judged > 0 {
        let why = why.map_or_else(String::new, |reason| format!(" ({reason})"));
        note.push_str(&format!("; {not_judged} link(s) left unjudged{why}"));
    }
    note
}

/// Asks the site about each target, one after the other (they are few, and the site is
/// one host).
fn ask_all(request: &SiteRequest, api: &Api, targets: &[String]) -> HashMap<String, Said> {
    let unknown_all = |reason: String| {
        targets
            .iter()
            .map(|t| (t.clone(), Said::Unknown(reason.clone())))
            .collect()
    };
    if targets.is_empty() {
        return HashMap::new();
    }
    let runtime = match crate::http::runtime() {
        Ok(runtime) => runtime,
        Err(error) => return unknown_all(format!("cannot start the HTTP client: {error}")),
    };
    let client = match SiteClient::new(request) {
        Ok(client) => client,
        Err(reason) => return unknown_all(reason),
    };
    let signed_in = request.credentials.is_some();
    runtime.block_on(async {
        let mut said = HashMap::new();
        // A site that cannot tell about one target is not asked about the rest: a site down
        // or slow would otherwise cost every target its timeouts.
        let mut failed: Option<String> = None;
        for target in targets {
            let answer = match &failed {
                Some(reason) => Said::Unknown(reason.clone()),
                None => ask(&client, api, target, signed_in).await,
            };
            if let Said::Unknown(reason) = &answer {
                failed.get_or_insert_with(|| reason.clone());
            }
            said.insert(target.clone(), answer);
        }
        said
    })
}

/// Asks for one target: by id for `?p=`/`?page_id=`, else by the slug of its last segment,
/// among posts, then pages.
async fn ask(client: &SiteClient, api: &Api, target: &str, signed_in: bool) -> Said {
    let Ok(url) = Url::parse(target) else {
        return Said::NotAsked(format!("`{target}` is not an address"));
    };
    let id = url
        .query_pairs()
        .find(|(k, _)| k == "p" || k == "page_id")
        .and_then(|(_, v)| v.parse::<u64>().ok());
    for collection in ["posts", "pages"] {
        let said = match id {
            Some(id) => by_id(client, api, collection, id).await,
            None => match slug_of(&url) {
                Some(slug) => by_slug(client, api, collection, &slug, signed_in).await,
                None => return Said::NotAsked(format!("`{target}` names no post")),
            },
        };
        if said != Said::Missing {
            return said;
        }
    }
    Said::Missing
}

async fn by_id(client: &SiteClient, api: &Api, collection: &str, id: u64) -> Said {
    let url = api.url(&format!("wp/v2/{collection}/{id}"), "_fields=id");
    let answer = match client.get(&url).await {
        Ok(answer) => answer,
        Err(reason) => return Said::Unknown(format!("{url}: {reason}")),
    };
    let code = answer.rest_error_code().unwrap_or_default();
    match answer.status.as_u16() {
        200..=299 => Said::Exists,
        // A draft or private post: there, but not for this reader.
        401 | 403 => Said::Exists,
        404 if super::single::NOT_FOUND_CODES.contains(&code.as_str()) => Said::Missing,
        _ => Said::Unknown(format!("{url} answered {}", answer.describe())),
    }
}

async fn by_slug(
    client: &SiteClient,
    api: &Api,
    collection: &str,
    slug: &str,
    signed_in: bool,
) -> Said {
    let encoded: String = url::form_urlencoded::byte_serialize(slug.as_bytes()).collect();
    let status = if signed_in { "&status=any" } else { "" };
    let query = format!("slug={encoded}&_fields=id{status}");
    let url = api.url(&format!("wp/v2/{collection}"), &query);
    let answer = match client.get(&url).await {
        Ok(answer) => answer,
        Err(reason) => return Said::Unknown(format!("{url}: {reason}")),
    };
    if !answer.status.is_success() || !answer.is_json() {
        return Said::Unknown(format!("{url} answered {}", answer.describe()));
    }
    match serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(&answer.body) {
        Ok(found) if found.is_empty() => Said::Missing,
        Ok(_) => Said::Exists,
        Err(_) => Said::Unknown(format!("{url} answered something else than a list")),
    }
}

/// The slug a link names: its last path segment, decoded and lower-cased as the site phase
/// compares it.
fn slug_of(url: &Url) -> Option<String> {
    let segment = url.path_segments()?.rfind(|s| !s.is_empty())?;
    let slug = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?;
    Some(slug.to_lowercase())
}
