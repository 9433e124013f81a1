//! The site phase: after every post of the run was linted in parallel, rules that compare
//! posts of one site (its root URL: `site_root`) see them together. Linear in the number of
//! posts: posts are grouped by sorting, never compared pairwise. Its findings go through the
//! same settle step as every other.

use crate::config::{Config, Effective};
use crate::meta::Phase;
use crate::rule::Rule;
use crate::rules;
use crate::site::{PostFacts, SiteFinding};

/// The site rules that may run, with the settings they read.
struct SiteRules {
    rules: Vec<&'static dyn Rule>,
    settings: std::sync::Arc<Effective>,
    notes: Vec<String>,
    found: Vec<SiteFinding>,
}

impl SiteRules {
    fn new(config: &Config) -> Self {
        // A rule runs here when any file or post has it on; the settle step then keeps each
        // finding only where its own file's and post's settings have the rule on.
        let rules = (rules::ALL.iter().copied())
            .filter(|rule| rule.meta().phase == Phase::Site && config.may_enable(rule.meta().code))
            .collect();
        Self {
            rules,
            settings: config.effective(None, None),
            notes: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Runs every rule over the posts of one site.
    fn check(&mut self, posts: &[PostFacts]) {
        let site = posts[0].site.as_deref().unwrap_or_default();
        for rule in &self.rules {
            if let Some(note) = rule.check_site(site, posts, &self.settings, &mut self.found) {
                self.notes.push(note);
            }
        }
    }
}

/// Runs the site rules over the posts of the run and adds their findings to the reports.
/// Returns one line per site for the summary (what was inferred, and what was not checked).
pub fn run(config: &Config, facts: &mut [PostFacts]) -> (Vec<String>, Vec<SiteFinding>) {
    let mut rules = SiteRules::new(config);
    // Posts without a site: sorted last, and left out.
    let in_sites = facts.iter().filter(|fact| fact.site.is_some()).count();
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
    for posts in facts[..in_sites].chunk_by(|a, b| a.site == b.site) {
        rules.check(posts);
    }
    (rules.notes, rules.found)
}

/// `run` over facts merged from disk in its order (site, then file and post), as the external
/// sort of `--memory-budget` gives them, in bounded memory: see `site_sorted`.
pub fn run_sorted(
    config: &Config,
    merge: &mut crate::spill::Merge,
) -> (Vec<String>, Vec<SiteFinding>) {
    super::site_sorted::run(config, merge)
}
