//! The site phase: after every post of the run was linted in parallel, rules that compare
//! posts of one site (its root URL: `site_root`) see them together. One executor runs every site
//! rule (`site::stages`), over facts in memory or merged from disk past `--memory-budget`;
//! only where each rule's groupings are kept differs, and a stage several rules read is fed and
//! read back once. Its findings go through the same settle step as every other.

use std::borrow::Borrow;

use rayon::prelude::*;

use crate::config::Config;
use crate::meta::Phase;
use crate::rules;
use crate::site::stages::{LEAST_RUN, SiteOut, SiteRule, SiteRun};
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
    let shards = shards_for(sites_in(facts));
    let (notes, found, _) = execute(&|| start(config, &run), shards, facts.iter());
    (notes, found)
}

/// How many sites the facts of `run`'s order are of.
fn sites_in(facts: &[PostFacts]) -> usize {
    let with_site = facts.iter().filter_map(|fact| fact.site.as_deref());
    let mut sites = 0;
    let mut last = None;
    for site in with_site {
        if last != Some(site) {
            sites += 1;
            last = Some(site);
        }
    }
    sites
}

/// `run` over facts merged from disk in its order (site, then file and post), as the external
/// sort of `--memory-budget` gives them, in bounded memory: each rule's groupings spill too.
pub fn run_sorted(
    config: &Config,
    merge: &mut crate::spill::Merge,
) -> (Vec<String>, Vec<SiteFinding>) {
    let share = merge.budget / GROUPINGS_AT_ONCE;
    // Each shard has groupings of its own, with a part of the share: together they hold what
    // one set would. None is cut below the least run a grouping writes, which a tiny budget
    // lets every grouping hold beyond its share.
    let shards = shards_for(merge.sites()).min((share / LEAST_RUN).max(1));
    let share = share / shards;
    let run = SiteRun::bounded(config.effective(None, None), share);
    let (notes, found, error) = execute_merge(&|| start(config, &run), shards, merge);
    if let Some(error) = error {
        merge.error.get_or_insert(error);
    }
    (notes, found)
}

/// `execute` over the facts of `merge`: when they stayed packed in memory, each share of the
/// sites reads and decodes its own posts, the shares side by side; else (sorted runs on disk,
/// merged by one reader) as one sequence.
fn execute_merge(
    start: &Starts<'_>,
    shards: usize,
    merge: &mut crate::spill::Merge,
) -> (Vec<String>, Vec<SiteFinding>, Option<String>) {
    match merge.shares(shards) {
        Some(shares) => execute_shares(start, shares),
        None => execute(start, shards, merge.by_ref()),
    }
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

/// How many shares of the sites the rules are run in, each by instances of its own, for runs
/// of `sites` sites: none but one on one thread or one site; else twice as many as threads, so
/// that a thread whose shares' sites were small takes one of another's, at most one per site.
fn shards_for(sites: usize) -> usize {
    let threads = rayon::current_num_threads();
    if threads <= 1 {
        return 1;
    }
    (2 * threads).min(sites).max(1)
}

/// How many posts the executor reads ahead while the rules take the ones before: two such
/// chunks are held at once, a few hundred KB.
const CHUNK_POSTS: usize = 128;

/// A started rule (or a shared stage and its readers) at work, with what it reported: each runs
/// on a thread of the run's pool, apart from the others.
struct Working {
    order: usize,
    /// The share of the sites it is fed (`site % shards == shard`).
    shard: usize,
    shards: usize,
    /// `None` once it failed.
    rule: Option<Box<dyn SiteRule>>,
    out: SiteOut,
    error: Option<String>,
}

impl Working {
    fn take(&mut self, chunk: &Chunk<impl Borrow<PostFacts>>) {
        for name in &chunk.new_sites {
            self.out.add_site(name);
        }
        self.out.reporting(self.order);
        let ours = chunk
            .posts
            .iter()
            .filter(|(site, _)| site % self.shards == self.shard);
        for (site, fact) in ours {
            let Some(rule) = &mut self.rule else { return };
            if let Err(why) = rule.post(*site, fact.borrow(), &mut self.out) {
                self.error.get_or_insert(why);
                self.rule = None;
            }
        }
    }

    fn finish(mut self) -> (SiteOut, Option<String>) {
        self.out.reporting(self.order);
        if let Some(Err(why)) = self.rule.map(|rule| rule.finish(&mut self.out)) {
            self.error.get_or_insert(why);
        }
        (self.out, self.error)
    }
}

/// Posts of the site phase, each with the number of its site, and the sites first seen in them.
struct Chunk<F> {
    new_sites: Vec<String>,
    posts: Vec<(usize, F)>,
}

/// Numbers the sites as the posts come, site after site.
#[derive(Default)]
struct SiteCount {
    current: Option<String>,
    count: usize,
}

impl SiteCount {
    /// The next posts of `facts`, up to [`CHUNK_POSTS`]; posts without a site come last, and are
    /// left out.
    fn next_chunk<F: Borrow<PostFacts>>(
        &mut self,
        facts: &mut impl Iterator<Item = F>,
    ) -> Chunk<F> {
        let mut chunk = Chunk {
            new_sites: Vec::new(),
            posts: Vec::with_capacity(CHUNK_POSTS),
        };
        for fact in facts.take(CHUNK_POSTS) {
            let Some(name) = fact.borrow().site.as_deref() else {
                break;
            };
            if self.current.as_deref() != Some(name) {
                chunk.new_sites.push(name.to_owned());
                self.current = Some(name.to_owned());
                self.count += 1;
            }
            chunk.posts.push((self.count - 1, fact));
        }
        chunk
    }
}

/// Feeds every post of a site, site after site (`facts` in the site phase's order), to each
/// started rule, then finishes them. Also returns the first error of a grouping that could not
/// be written or read back (the rule that had it stops; the others go on).
///
/// The rules (a shared stage counting as one) work apart, each on a thread of the run's pool
/// with a report of its own, while the next posts are read; their reports are merged in the
/// report's order, so the result is the same whatever the number of threads.
///
/// `start` starts the rules once for each of `shards` shares of the sites. A site rule compares
/// the posts of one site, never two (`SiteRule`), so each share gives the findings and notes of
/// its own sites, the same as one instance fed every site would: the link join of a run of many
/// sites is then no longer one thread's work while the other waits.
fn execute<F, I>(
    start: &Starts<'_>,
    shards: usize,
    mut facts: I,
) -> (Vec<String>, Vec<SiteFinding>, Option<String>)
where
    F: Borrow<PostFacts> + Send + Sync,
    I: Iterator<Item = F> + Send,
{
    let shards = shards.max(1);
    let mut working: Vec<Working> = (0..shards)
        .flat_map(|shard| started(start, shard, shards))
        .collect();
    let mut sites = SiteCount::default();
    feed(&mut working, || sites.next_chunk(&mut facts));
    let finished: Vec<(SiteOut, Option<String>)> =
        working.into_par_iter().map(Working::finish).collect();
    merged(finished)
}

/// `execute` with each share of the sites fed by a reader of its own (`Share`: the posts of
/// its sites, decoded as they are read), the shares side by side on the run's threads: each
/// share's rules are fed and finished on the thread that decodes its posts, the others' work
/// there to steal. The sites' numbers are the ones `execute` gives them, so the result is the
/// same.
fn execute_shares(
    start: &Starts<'_>,
    crate::spill::Shares { sites, shares }: crate::spill::Shares,
) -> (Vec<String>, Vec<SiteFinding>, Option<String>) {
    let count = shares.len();
    let finished: Vec<Vec<(SiteOut, Option<String>)>> = (shares.into_par_iter().enumerate())
        .map(|(shard, mut share)| {
            let mut working = started(start, shard, count);
            for rule in &mut working {
                for name in &sites {
                    rule.out.add_site(name);
                }
            }
            feed(&mut working, || Chunk {
                new_sites: Vec::new(),
                posts: share.by_ref().take(CHUNK_POSTS).collect(),
            });
            let mut finished: Vec<_> = working.into_par_iter().map(Working::finish).collect();
            if let (Some(error), Some((_, first))) = (share.error.take(), finished.first_mut()) {
                first.get_or_insert(error);
            }
            finished
        })
        .collect();
    merged(finished.into_iter().flatten().collect())
}

/// How the site rules are started: once for each share of the sites, maybe on several threads.
type Starts<'a> = dyn Fn() -> Vec<(usize, Box<dyn SiteRule>)> + Sync + 'a;

/// The rules `start` gives, at work on share `shard` of `shards` shares of the sites.
fn started(start: &Starts<'_>, shard: usize, shards: usize) -> Vec<Working> {
    (share_stages(start()).into_iter())
        .map(|(order, rule)| Working {
            order,
            shard,
            shards,
            rule: Some(rule),
            out: SiteOut::default(),
            error: None,
        })
        .collect()
}

/// Feeds `working` the chunks `next` reads, until one is empty: each chunk is taken by the
/// rules side by side while the next is read.
fn feed<F: Borrow<PostFacts> + Send + Sync>(
    working: &mut [Working],
    mut next: impl FnMut() -> Chunk<F> + Send,
) {
    let mut chunk = next();
    while !chunk.posts.is_empty() {
        let ((), following) = rayon::join(
            || working.par_iter_mut().for_each(|rule| rule.take(&chunk)),
            &mut next,
        );
        chunk = following;
    }
}

/// The notes and findings of the finished rules, in the report's order, and the first error.
fn merged(
    finished: Vec<(SiteOut, Option<String>)>,
) -> (Vec<String>, Vec<SiteFinding>, Option<String>) {
    let mut error = None;
    let mut outs = Vec::with_capacity(finished.len());
    for (out, failed) in finished {
        error = error.or(failed);
        outs.push(out);
    }
    let (notes, found) = SiteOut::merged(outs);
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
