//! The link phase of a run: after linting, the distinct targets of every post go once to the
//! remote checker (or come from the cache), and each link that uses a target gets its finding.
//! Its findings go through the same settle step as every other.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;

use url::Url;

use crate::config::Config;
use crate::diagnostic::{ArchivedCopy, LinkDetails, LinkHop};
use crate::links::LinkCheck;
use crate::links::archive::{Lookup, lookup_all, withhold_unsafe_copies};
use crate::links::cache::LinkCache;
use crate::links::page::names_an_id;
use crate::links::remote::{self, Checked, Outcome, Target, check_all};
use crate::rule::{CheckedLink, Rule};
use crate::rules;
use crate::site::{PostFacts, RemoteLink, SiteFinding, page_key};

/// What the stage did, for the user.
#[derive(Debug, Default)]
pub struct LinkStats {
    pub targets: usize,
    pub requested: usize,
    pub from_cache: usize,
    pub notices: Vec<String>,
}

/// Checks the targets of `facts`; returns what was done and the findings.
pub fn run(
    check: &LinkCheck,
    config: &Config,
    facts: &[PostFacts],
) -> (LinkStats, Vec<SiteFinding>) {
    let mut stats = LinkStats::default();
    let pages = RunPages::of(facts);
    let targets = targets(check, facts, &pages);
    stats.targets = targets.len();
    let mut cache =
        check
            .cache_dir
            .as_deref()
            .and_then(|dir| match LinkCache::open(dir, check.ttl) {
                Ok((cache, warning)) => {
                    stats.notices.extend(warning);
                    Some(cache)
                }
                Err(refused) => {
                    stats.notices.push(refused);
                    None
                }
            });
    let mut results: HashMap<String, Checked> = HashMap::new();
    let mut to_check = Vec::new();
    for (url, fragments) in targets {
        match cache.as_ref().and_then(|c| c.get(&url)) {
            Some(cached) if knows_fragments(cached, &fragments) => {
                results.insert(url, cached.clone());
                stats.from_cache += 1;
            }
            _ => to_check.extend(Url::parse(&url).ok().map(|url| Target { url, fragments })),
        }
    }
    stats.requested = to_check.len();
    let bar = progress_bar(to_check.len());
    let checked = check_all(to_check, &check.check, &|done, total, failures| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("{failures} broken"));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut checked = checked;
    stats.notices.extend(remote::judge_offline(&mut checked));
    for (url, result) in checked {
        if let Some(cache) = cache.as_mut()
            && !matches!(result.outcome, Outcome::Unverifiable { .. } if check.ttl.unverifiable.is_zero())
        {
            cache.put(url.clone(), result.clone());
        }
        results.insert(url, result);
    }
    stats.notices.extend(find_archived_copies(
        check,
        facts,
        &mut results,
        cache.as_mut(),
    ));
    stats
        .notices
        .extend(withhold_unsafe_copies(&mut results, &check.check));
    if let Some(cache) = &cache
        && let Err(error) = cache.save()
    {
        stats
            .notices
            .push(format!("cannot write the link cache: {error}"));
    }
    let found = link_findings(config, facts, &results, &pages);
    (stats, found)
}

/// Each distinct target once, with the fragments links point to in it.
fn targets(
    check: &LinkCheck,
    facts: &[PostFacts],
    pages: &RunPages<'_>,
) -> Vec<(String, BTreeSet<String>)> {
    let mut order = Vec::new();
    let mut fragments: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for link in facts.iter().flat_map(|f| &f.remote_links) {
        if check.exclude.iter().any(|re| re.is_match(&link.url)) {
            continue;
        }
        let wanted = fragments.entry(&link.url).or_insert_with(|| {
            order.push(link.url.as_str());
            BTreeSet::new()
        });
        // A fragment of a post of this run is looked for in the post, not over the network.
        let fragment = link.fragment.as_deref().filter(|f| names_an_id(f));
        if pages.anchors_of(&link.url).is_none() {
            wanted.extend(fragment.map(str::to_owned));
        }
    }
    order
        .into_iter()
        .map(|url| (url.to_owned(), fragments.remove(url).unwrap_or_default()))
        .collect()
}

/// A cached result answers for `fragments` when it is not a page's, or knows them all.
fn knows_fragments(cached: &Checked, fragments: &BTreeSet<String>) -> bool {
    let page_read = matches!(
        cached.outcome,
        Outcome::Ok { .. } | Outcome::Redirect { .. }
    );
    !page_read || fragments.iter().all(|f| cached.fragments.contains_key(f))
}

/// The post date an archived copy should be near: `YYYYMMDD`, or empty without a date.
fn archive_date(fact: &PostFacts) -> String {
    fact.dates
        .as_ref()
        .map(|d| d.local.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

/// Asks the archive for copies of the dead targets near the dates of the posts linking them
/// (each pair once, cached with the result); returns a notice when the archive failed.
fn find_archived_copies(
    check: &LinkCheck,
    facts: &[PostFacts],
    results: &mut HashMap<String, Checked>,
    mut cache: Option<&mut LinkCache>,
) -> Option<String> {
    let archive = check.archive.as_ref()?;
    let mut lookups: Vec<Lookup> = Vec::new();
    for fact in facts {
        let date = archive_date(fact);
        for link in &fact.remote_links {
            let Some(result) = results.get(&link.url) else {
                continue;
            };
            let lookup = (link.url.clone(), date.clone());
            if result.is_dead()
                && !result.archived.contains_key(&date)
                && !lookups.contains(&lookup)
            {
                lookups.push(lookup);
            }
        }
    }
    // The archive is asked once a second: many dead links take a while, so say so.
    let bar = labelled_bar(lookups.len(), "finding archived copies");
    let (found, failure) = lookup_all(lookups, archive, &check.check, &|done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for ((url, date), copy) in found {
        if let Some(cache) = cache.as_deref_mut() {
            cache.add_archived(&url, date.clone(), copy.clone());
        }
        if let Some(result) = results.get_mut(&url) {
            result.archived.insert(date, copy);
        }
    }
    failure
}

fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    labelled_bar(total, "checking links")
}

/// A progress bar on a terminal, for `total` steps of what `label` says.
fn labelled_bar(total: usize, label: &str) -> Option<indicatif::ProgressBar> {
    if total == 0 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{label} {{bar:30}} {{pos}}/{{len}} {{msg}} {{per_sec}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// The findings the link rules make of each link, from what the check found of its target.
fn link_findings(
    config: &Config,
    facts: &[PostFacts],
    results: &HashMap<String, Checked>,
    pages: &RunPages<'_>,
) -> Vec<SiteFinding> {
    let link_rules: Vec<&dyn Rule> = (rules::ALL.iter().copied())
        .filter(|rule| config.may_enable(rule.meta().code))
        .collect();
    let mut found = Vec::new();
    for fact in facts {
        let date = archive_date(fact);
        for link in &fact.remote_links {
            let Some(result) = results.get(&link.url) else {
                continue;
            };
            let checked = checked_link(link, result, &date, pages);
            let mut diagnostics = Vec::new();
            for rule in &link_rules {
                rule.check_link(&checked, &mut diagnostics);
            }
            for diagnostic in diagnostics {
                let mut diagnostic = diagnostic.with_link(details(link, result, &date));
                diagnostic.post = Some(fact.post.clone());
                diagnostic.field = Some(link.field);
                found.push(SiteFinding::new(fact.file, diagnostic, &link.url));
            }
        }
    }
    found
}

/// What the link rules read of `link`: its check's `result`, the archived copy near its post's
/// `date`, and the post of the run it points into when its fragment names a place there.
fn checked_link<'a>(
    link: &'a RemoteLink,
    result: &'a Checked,
    date: &str,
    pages: &'a RunPages<'a>,
) -> CheckedLink<'a> {
    let names_a_place = link.fragment.as_deref().is_some_and(names_an_id);
    CheckedLink {
        link,
        result,
        archived: result.archived.get(date).and_then(Option::as_ref),
        run_page: names_a_place.then(|| pages.anchors_of(&link.url)).flatten(),
    }
}

/// What the JSON report says of the target of `link`: where it ended, the redirects on the
/// way, and the archived copy near the post's `date`.
fn details(link: &RemoteLink, result: &Checked, date: &str) -> LinkDetails {
    let (redirects, last) = match result.hops.split_last() {
        Some((last, redirects)) => (redirects, Some(last)),
        None => (&[][..], None),
    };
    LinkDetails {
        url: link.url.clone(),
        final_url: last.map(|hop| hop.url.clone()),
        status: last.map(|hop| hop.status),
        redirects: redirects
            .iter()
            .map(|hop| LinkHop {
                url: hop.url.clone(),
                status: hop.status,
            })
            .collect(),
        archived: result
            .archived
            .get(date)
            .and_then(Option::as_ref)
            .map(|copy| ArchivedCopy {
                url: copy.url.clone(),
                timestamp: copy.timestamp.clone(),
            }),
    }
}

/// The posts of the run by their address, with their ids and anchor names: a link from one
/// post into another is checked against it without the network.
struct RunPages<'a> {
    anchors: HashMap<&'a str, HashSet<&'a str>>,
}

impl<'a> RunPages<'a> {
    fn of(facts: &'a [PostFacts]) -> Self {
        let anchors = facts
            .iter()
            .filter_map(|fact| {
                let page = fact.permalink.as_deref()?;
                Some((page, fact.anchors.iter().map(String::as_str).collect()))
            })
            .collect();
        Self { anchors }
    }

    /// The anchors of the run's post at `url` (a target without its fragment), if it is one.
    fn anchors_of(&self, url: &str) -> Option<&HashSet<&'a str>> {
        let page = page_key(&Url::parse(url).ok()?);
        self.anchors.get(page.as_str())
    }
}
