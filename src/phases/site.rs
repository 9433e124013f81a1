//! The site phase: after every post of the run was linted in parallel, rules that compare
//! posts of one site (its root URL: `site_root`) see them together. One executor runs every site
//! rule (`site::stages`), over facts in memory or merged from disk past `--memory-budget`;
//! only where each rule's groupings are kept differs, and a stage several rules read is fed and
//! read back once. Its findings go through the same settle step as every other.

use std::borrow::Borrow;

use crate::config::Config;
use crate::meta::Phase;
use crate::rules;
use crate::site::stages::{SiteOut, SiteRule, SiteRun};
use crate::site::{PostFacts, SiteFinding};

/// How many groupings the site rules hold at most at once: each gets this share of the budget.
const GROUPINGS_AT_ONCE: usize = 16;

/// Runs the site rules over the posts of the run and adds their findings to the reports.
/// Returns one line per site for the summary (what was inferred, and what was not checked).
pub fn run(config: &Config, facts: &mut [PostFacts]) -> (Vec<String>, Vec<SiteFinding>) {
    // Grouped by sorting in place rather than into a map of new vectors: the facts of a
    // million posts are not copied. Within a site, posts keep the run's order.
    facts.sort_unstable_by(|a, b| {
        (a.site.is_none(), &a.site, a.file, a.post.index).cmp(&(
            b.site.is_none(),
            &b.site,
            b.file,
            b.post.index,
        ))
    });
    let run = SiteRun::in_memory(config.effective(None, None));
    let (notes, found, _) = execute(start(config, &run), facts.iter());
    (notes, found)
}

/// `run` over facts merged from disk in its order (site, then file and post), as the external
/// sort of `--memory-budget` gives them, in bounded memory: each rule's groupings spill too.
pub fn run_sorted(
    config: &Config,
    merge: &mut crate::spill::Merge,
) -> (Vec<String>, Vec<SiteFinding>) {
    let share = merge.budget / GROUPINGS_AT_ONCE;
    let run = SiteRun::bounded(config.effective(None, None), share);
    let (notes, found, error) = execute(start(config, &run), merge.by_ref());
    if let Some(error) = error {
        merge.error.get_or_insert(error);
    }
    (notes, found)
}

/// Each site rule the config may enable, started, with its place in the registry (the order of
/// its findings in the report).
fn start(config: &Config, run: &SiteRun) -> Vec<(usize, Box<dyn SiteRule>)> {
    // A rule runs here when any file or post has it on; the settle step then keeps each
    // finding only where its own file's and post's settings have the rule on.
    (rules::ALL.iter().enumerate())
        .filter(|(_, rule)| rule.meta().phase == Phase::Site && config.may_enable(rule.meta().code))
        .filter_map(|(order, rule)| Some((order, rule.site(run)?)))
        .collect()
}

/// Feeds every post of a site, site after site (`facts` in the site phase's order), to each
/// started rule, then finishes them. Also returns the first error of a grouping that could not
/// be written or read back (the rule that had it stops; the others go on).
fn execute<F: Borrow<PostFacts>>(
    rules: Vec<(usize, Box<dyn SiteRule>)>,
    facts: impl Iterator<Item = F>,
) -> (Vec<String>, Vec<SiteFinding>, Option<String>) {
    let mut active: Vec<(usize, Option<Box<dyn SiteRule>>)> = (share_stages(rules).into_iter())
        .map(|(order, rule)| (order, Some(rule)))
        .collect();
    let mut out = SiteOut::default();
    let mut error = None;
    let mut current: Option<String> = None;
    let mut site = 0;
    for fact in facts {
        let fact = fact.borrow();
        // Posts without a site come last, and are left out.
        let Some(name) = fact.site.as_deref() else {
            break;
        };
        if current.as_deref() != Some(name) {
            site = out.add_site(name);
            current = Some(name.to_owned());
        }
        for (order, rule) in &mut active {
            out.reporting(*order);
            let Some(working) = rule else { continue };
            if let Err(why) = working.post(site, fact, &mut out) {
                error.get_or_insert(why);
                *rule = None;
            }
        }
    }
    for (order, rule) in active {
        out.reporting(order);
        if let Some(Err(why)) = rule.map(|rule| rule.finish(&mut out)) {
            error.get_or_insert(why);
        }
    }
    let (notes, found) = out.into_sorted();
    (notes, found, error)
}

/// One rule for each shared stage: the first that reads it takes over the readers of the
/// others, so the stage is fed and read back once.
fn share_stages(rules: Vec<(usize, Box<dyn SiteRule>)>) -> Vec<(usize, Box<dyn SiteRule>)> {
    let mut kept: Vec<(usize, Box<dyn SiteRule>)> = Vec::with_capacity(rules.len());
    for (order, rule) in rules {
        let stage = rule.stage();
        let first = stage.and_then(|stage| kept.iter().position(|(_, k)| k.stage() == Some(stage)));
        let Some(first) = first else {
            kept.push((order, rule));
            continue;
        };
        if let Err(rule) = kept[first].1.read_also(rule, order) {
            kept.push((order, rule));
        }
    }
    kept
}

#[cfg(test)]
mod tests;
