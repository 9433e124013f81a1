//! The link phase of a run: after linting, the distinct targets of every post go once to the
//! remote checker (or come from the cache), and each link that uses a target gets its finding.
//! Its findings go through the same settle step as every other.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;

use url::Url;

use crate::config::Config;
use crate::links::LinkCheck;
use crate::links::cache::LinkCache;
use crate::links::remote::{Outcome, check_all};
use crate::rules::link_broken::LinkBroken;
use crate::rules::link_redirect::LinkRedirect;
use crate::rules::link_unverifiable::LinkUnverifiable;
use crate::site::{PostFacts, SiteFinding};

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
    let mut targets: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for link in facts.iter().flat_map(|f| &f.remote_links) {
        let excluded = check.exclude.iter().any(|re| re.is_match(&link.url));
        if !excluded && seen.insert(link.url.as_str()) {
            targets.push(&link.url);
        }
    }
    stats.targets = targets.len();
    let mut cache = check.cache_dir.as_deref().map(|dir| {
        let (cache, warning) = LinkCache::open(dir, check.ttl);
        stats.notices.extend(warning);
        cache
    });
    let mut outcomes: HashMap<String, Outcome> = HashMap::new();
    let mut to_check = Vec::new();
    for target in targets {
        match cache.as_ref().and_then(|c| c.get(target)) {
            Some(outcome) => {
                outcomes.insert(target.to_owned(), outcome.clone());
                stats.from_cache += 1;
            }
            None => to_check.extend(Url::parse(target).ok()),
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
    for (url, outcome) in checked {
        if let Some(cache) = cache.as_mut()
            && !matches!(outcome, Outcome::Unverifiable { .. } if check.ttl.unverifiable.is_zero())
        {
            cache.put(url.clone(), outcome.clone());
        }
        outcomes.insert(url, outcome);
    }
    if let Some(cache) = &cache
        && let Err(error) = cache.save()
    {
        stats
            .notices
            .push(format!("cannot write the link cache: {error}"));
    }
    let found = link_findings(config, facts, &outcomes);
    (stats, found)
}

fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if total == 0 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template(
        "checking links {bar:30} {pos}/{len} {msg} {per_sec}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// The findings of links whose targets failed.
fn link_findings(
    config: &Config,
    facts: &[PostFacts],
    outcomes: &HashMap<String, Outcome>,
) -> Vec<SiteFinding> {
    let mut found = Vec::new();
    for fact in facts {
        for link in &fact.remote_links {
            let Some(outcome) = outcomes.get(&link.url) else {
                continue;
            };
            let at = link.at.range.clone();
            let mut diagnostic = match outcome {
                Outcome::Ok { .. } => continue,
                Outcome::Broken { reason } => LinkBroken::diagnostic(at, &link.url, reason),
                Outcome::Unverifiable { reason } => {
                    LinkUnverifiable::diagnostic(at, &link.url, reason)
                }
                Outcome::Redirect { status, final_url } => {
                    LinkRedirect::diagnostic(at, &link.url, *status, final_url, link.style)
                }
            };
            if !config.may_enable(diagnostic.rule) {
                continue;
            }
            diagnostic.post = Some(fact.post.clone());
            diagnostic.field = Some("content.rendered");
            found.push(SiteFinding::new(fact.file, diagnostic, &link.url));
        }
    }
    found
}
