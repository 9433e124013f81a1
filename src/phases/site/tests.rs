//! The executor's promise: a site rule gives the same notes and findings whether its groupings
//! stay in memory or go through the external sort, at any budget. Checked on a rule written here
//! and on the site rules of the registry, over generated sites with every kind of site finding.

use std::sync::Arc;

use proptest::prelude::*;

use super::{GROUPINGS_AT_ONCE, execute, execute_merge, share_stages, start};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, PostRef};
use crate::site::stages::{
    Grouping, Keyed, PostPlace, SharedPost, SharedStage, SiteOut, SiteRule, SiteRun, StageReader,
};
use crate::site::{DateFacts, InternalLink, Located, PlacedValue, PostFacts, SiteFinding, Word};
use crate::spill::{FactSpill, Packed};

/// A small, seeded generator: the same seed gives the same site.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % sides.max(1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.roll(from.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.roll(100) < percent
    }
}

fn valued(value: &str, at: usize) -> PlacedValue {
    PlacedValue {
        value: value.into(),
        at: Located::new(at..at + value.len()),
    }
}

const SITES: [&str; 3] = ["a.example", "b.example", "localhost/c"];
const SLUGS: [&str; 6] = ["hello", "budget", "news", "about", "draft-notes", ""];
const TITLES: [&str; 5] = ["Hello", "hello  ", "Weekly briefing", "About", "Budget"];
const STATUSES: [&str; 4] = ["publish", "publish", "draft", "future"];
const USUAL: i32 = 9 * 3600;

/// One post of a generated site: duplicated slugs and titles, versions of one id, links to
/// posts, drafts and nowhere, odd and skewed date pairs, guids on other hosts.
fn post(dice: &mut Dice, file: usize, index: usize) -> PostFacts {
    let site = SITES[dice.roll(SITES.len() as u64) as usize];
    let id = dice.roll(40) as i64;
    let slug = dice.pick(&SLUGS);
    let permalink = format!("https://{site}/{slug}/");
    let at = 100 * index;
    let post = PostRef {
        index,
        id: dice.chance(90).then_some(id),
        link: Some(permalink.clone()),
        title: Some(dice.pick(&TITLES).to_owned()),
        site: Some(format!("https://{site}/")),
        status: None,
        body: None,
    };
    let links = (0..dice.roll(4))
        .map(|n| {
            let by_id = dice.chance(20).then(|| dice.roll(50) as i64);
            let slug = dice.pick(&["hello", "budget", "gone", "about", "news", "ÉTÉ"]);
            let target = format!("https://{site}/2024/{slug}/");
            InternalLink {
                path: format!("/2024/{slug}/").into(),
                target: by_id
                    .map_or(target, |id| format!("https://{site}/?p={id}"))
                    .into(),
                post_id: by_id,
                at: Located::new(at + 50 + n as usize..at + 60 + n as usize),
            }
        })
        .collect();
    PostFacts {
        file,
        post: Arc::new(post),
        site: dice.chance(95).then(|| site.to_owned()),
        host: Some(site.to_owned()),
        status: Some(Word::Borrowed(dice.pick(&STATUSES))),
        post_type: Some(Word::Borrowed(dice.pick(&["post", "post", "page"]))),
        parent: dice.chance(20).then(|| dice.roll(3) as i64),
        permalink: Some(permalink.into()),
        language: None,
        slug: Some(valued(slug, at)),
        title: Some(valued(&title(dice), at + 10)),
        guid_host: Some(valued(dice.pick(&[site, site, "old.example"]), at + 20)),
        dates: dice.chance(90).then(|| dates(dice, at)),
        internal_links: links,
        remote_links: Vec::new(),
        anchors: Vec::new(),
    }
}

/// Now and then one of a few titles (a series), else one of many (some pairs).
fn title(dice: &mut Dice) -> String {
    if dice.chance(10) {
        dice.pick(&TITLES).to_owned()
    } else {
        format!("Story {}", dice.roll(150))
    }
}

fn dates(dice: &mut Dice, at: usize) -> DateFacts {
    let offset = match dice.roll(40) {
        0 => 0,
        1 => 2 * USUAL,
        2 => -USUAL,
        3 => 3600 * dice.roll(5) as i32,
        _ => USUAL,
    };
    let seconds = 1_600_000_000 + 86_400 * dice.roll(1500) as i64;
    let local = chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc();
    DateFacts {
        offset,
        skew: if dice.chance(10) {
            dice.roll(90) as i32 - 45
        } else {
            0
        },
        local,
        gmt_value: format!("{seconds}").into(),
        gmt: Located::new(at + 30..at + 40),
        local_at: Located::new(at + 40..at + 50),
        modified_gmt: dice.chance(50).then(|| Located::new(at + 60..at + 70)),
    }
}

/// Sites of `posts` posts in `files` files, from `seed`.
fn generated(seed: u64, files: usize, posts: usize) -> Vec<Vec<PostFacts>> {
    let mut dice = Dice(seed | 1);
    (0..files)
        .map(|file| {
            (0..posts / files)
                .map(|index| post(&mut dice, file, index))
                .collect()
        })
        .collect()
}

/// What a run of the rules gives, as text to compare.
fn shown((notes, found, error): (Vec<String>, Vec<SiteFinding>, Option<String>)) -> String {
    assert_eq!(error, None);
    let found: Vec<String> = (found.iter())
        .map(|f| format!("{} {} {:?}", f.file, f.fingerprint, f.diagnostic))
        .collect();
    format!("{notes:#?}\n{found:#?}")
}

/// The rules under test, started with groupings of this budget (`None`: in memory).
type Starts = fn(Option<usize>) -> Vec<(usize, Box<dyn SiteRule>)>;

fn site_run(settings: Arc<crate::config::Effective>, budget: Option<usize>) -> SiteRun {
    match budget {
        None => SiteRun::in_memory(settings),
        Some(budget) => SiteRun::bounded_exactly(settings, budget),
    }
}

/// The rules over the files' facts in memory, as `run` gives them.
fn in_memory(starts: Starts, files: &[Vec<PostFacts>]) -> String {
    in_shards(starts, files, 1)
}

/// `in_memory`, the rules started once for each of `shards` shares of the sites.
fn in_shards(starts: Starts, files: &[Vec<PostFacts>], shards: usize) -> String {
    let mut facts: Vec<PostFacts> = files.iter().flatten().cloned().collect();
    facts.sort_by(|a, b| {
        (a.site.is_none(), &a.site, a.file, a.post.index).cmp(&(
            b.site.is_none(),
            &b.site,
            b.file,
            b.post.index,
        ))
    });
    shown(execute(&|| starts(None), shards, facts.iter()))
}

/// The rules over the files' facts spilled at `budget` bytes, as `run_sorted` gives them.
fn spilled(starts: Starts, files: &[Vec<PostFacts>], budget: u64) -> String {
    spilled_in_shards(starts, files, budget, 1)
}

/// `spilled`, the rules started once for each of `shards` shares of the sites, each share's
/// groupings with its part of the budget.
fn spilled_in_shards(
    starts: Starts,
    files: &[Vec<PostFacts>],
    budget: u64,
    shards: usize,
) -> String {
    let reports: Vec<Option<usize>> = (0..files.len()).map(Some).collect();
    spilled_with_reports(starts, files, &reports, budget, shards)
}

/// `spilled_in_shards`, each input given the report of `reports` (`None`: it gave none).
fn spilled_with_reports(
    starts: Starts,
    files: &[Vec<PostFacts>],
    reports: &[Option<usize>],
    budget: u64,
    shards: usize,
) -> String {
    let spill = FactSpill::new(budget);
    for (file, facts) in files.iter().enumerate() {
        spill.add(file, Packed::of(facts.clone()));
    }
    match spill.finish(reports) {
        Ok(mut merge) => {
            let share = merge.budget / GROUPINGS_AT_ONCE / shards;
            let ran = shown(execute_merge(&|| starts(Some(share)), shards, &mut merge));
            assert_eq!(merge.error, None);
            ran
        }
        Err(error) => panic!("{error}"),
    }
}

/// A rule written here, in two stages: posts grouped by their title's length, then each post
/// after the first of a group grouped by the first's place and reported there.
struct SameLength {
    by_length: Grouping<Keyed<(usize, usize), PostPlace>, SharedPost>,
    by_first: Grouping<Keyed<(usize, PostPlace), PostPlace>, SharedPost>,
}

impl SiteRule for SameLength {
    fn post(&mut self, site: usize, post: &PostFacts, out: &mut SiteOut) -> Result<(), String> {
        let Some(title) = &post.title else {
            return Ok(());
        };
        if post.post.index == 0 {
            out.note(site, format!("{}: {}", out.site_name(site), title.value));
        }
        let key = Keyed {
            group: (site, title.value.len()),
            order: PostPlace::of(post, 0),
        };
        self.by_length.push(key, SharedPost::of(post))
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let Self {
            by_length,
            mut by_first,
        } = *self;
        let mut groups = by_length.groups()?;
        while let Some(mut group) = groups.next_group() {
            let (site, length) = *group.key();
            let Some((first, _)) = group.next() else {
                continue;
            };
            for (place, post) in group {
                out.found(site, reported(&post, length, "after a first"));
                let key = Keyed {
                    group: (site, first),
                    order: place,
                };
                by_first.push(key, post)?;
            }
        }
        groups.error()?;
        let mut groups = by_first.groups()?;
        while let Some(group) = groups.next_group() {
            let (site, first) = *group.key();
            for (place, post) in group {
                let why = format!("follows {}:{}", first.file, first.post);
                out.found_at(site, place, reported(&post, place.post, &why));
            }
        }
        groups.error()
    }
}

fn reported(post: &SharedPost, n: usize, why: &str) -> SiteFinding {
    // Through the registry: no module outside `src/rules/` names a rule's module.
    let meta = (crate::rules::REGISTRY.iter())
        .find(|meta| meta.code == "duplicate-slug")
        .expect("duplicate-slug is registered");
    let mut diagnostic = Diagnostic::new(meta, n..n + 1, why.to_owned());
    diagnostic.post = Some(post.0.clone());
    SiteFinding::new(n, diagnostic, why)
}

fn same_length(budget: Option<usize>) -> Vec<(usize, Box<dyn SiteRule>)> {
    let config = Config::builtin(crate::rules::REGISTRY);
    let run = site_run(config.effective(None, None), budget);
    let rule = SameLength {
        by_length: run.grouping(|_, post| post.weight()),
        by_first: run.grouping(|_, post| post.weight()),
    };
    vec![(0, Box::new(rule))]
}

/// A shared stage written here: posts grouped by their title's length, read back group by
/// group, each post with its rank in its group.
struct ByLength {
    posts: Grouping<Keyed<(usize, usize), PostPlace>, SharedPost>,
}

/// A post of a [`ByLength`] group.
#[derive(Clone, Copy)]
struct Ranked<'a> {
    length: usize,
    rank: usize,
    place: PostPlace,
    post: &'a SharedPost,
}

impl SharedStage for ByLength {
    type Item<'a> = Ranked<'a>;

    fn start(run: &SiteRun) -> Self {
        Self {
            posts: run.grouping(|_, post| post.weight()),
        }
    }

    fn post(&mut self, site: usize, post: &PostFacts) -> Result<(), String> {
        let Some(title) = &post.title else {
            return Ok(());
        };
        let key = Keyed {
            group: (site, title.value.len()),
            order: PostPlace::of(post, 0),
        };
        self.posts.push(key, SharedPost::of(post))
    }

    fn finish(self, each: &mut dyn for<'a> FnMut(usize, Ranked<'a>)) -> Result<(), String> {
        let mut groups = self.posts.groups()?;
        while let Some(group) = groups.next_group() {
            let (site, length) = *group.key();
            for (rank, (place, post)) in group.enumerate() {
                let post = &post;
                each(
                    site,
                    Ranked {
                        length,
                        rank,
                        place,
                        post,
                    },
                );
            }
        }
        groups.error()
    }
}

/// Reads [`ByLength`]: reports the first post of each group where it is.
struct FirstOfLength;

impl StageReader<ByLength> for FirstOfLength {
    fn read(&mut self, site: usize, item: Ranked<'_>, out: &mut SiteOut) -> Result<(), String> {
        if item.rank == 0 {
            let why = format!("first of length {}", item.length);
            out.found_at(site, item.place, reported(item.post, item.length, &why));
        }
        Ok(())
    }
}

/// Reads [`ByLength`]: groups the posts after the first of each group by their rank, and
/// reports them by rank when the stage is read, with a note per site of how many.
struct LaterByRank {
    by_rank: Grouping<Keyed<(usize, usize), PostPlace>, SharedPost>,
    later: Vec<usize>,
}

impl StageReader<ByLength> for LaterByRank {
    fn read(&mut self, site: usize, item: Ranked<'_>, _out: &mut SiteOut) -> Result<(), String> {
        if item.rank == 0 {
            return Ok(());
        }
        if self.later.len() <= site {
            self.later.resize(site + 1, 0);
        }
        self.later[site] += 1;
        let key = Keyed {
            group: (site, item.rank),
            order: item.place,
        };
        self.by_rank.push(key, item.post.clone())
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        for (site, later) in self.later.iter().enumerate() {
            out.note(site, format!("{}: {later} later", out.site_name(site)));
        }
        let mut groups = self.by_rank.groups()?;
        while let Some(group) = groups.next_group() {
            let (site, rank) = *group.key();
            for (place, post) in group {
                out.found_at(site, place, reported(&post, rank, "later"));
            }
        }
        groups.error()
    }
}

/// Two rules written here that read one shared stage, with a rule between them in the
/// registry's order that reads none.
fn sharing(budget: Option<usize>) -> Vec<(usize, Box<dyn SiteRule>)> {
    let config = Config::builtin(crate::rules::REGISTRY);
    let run = site_run(config.effective(None, None), budget);
    let later = LaterByRank {
        by_rank: run.grouping(|_, post| post.weight()),
        later: Vec::new(),
    };
    let mut rules = vec![(0, run.reading::<ByLength>(later))];
    rules.extend(same_length(budget).into_iter().map(|(_, rule)| (1, rule)));
    rules.push((2, run.reading::<ByLength>(FirstOfLength)));
    rules
}

/// A config with every site rule on: a complete export, `guid-host-mismatch` chosen, no zone.
fn every_site_rule_config() -> Config {
    Config::from_text(
        "postlint.toml",
        "export = \"complete\"\nextend-select = [\"guid-host-mismatch\"]\n",
        std::path::PathBuf::from("."),
        crate::rules::REGISTRY,
    )
    .expect("the config is valid")
}

/// Every site rule on.
fn every_site_rule(budget: Option<usize>) -> Vec<(usize, Box<dyn SiteRule>)> {
    let config = every_site_rule_config();
    let run = site_run(config.effective(None, None), budget);
    start(&config, &run)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_rule_written_here_gives_the_same_in_memory_and_sorted(
        seed in any::<u64>(),
        budget in prop_oneof![1u64..64, 64u64..1 << 20],
    ) {
        let files = generated(seed, 4, 120);
        prop_assert_eq!(in_memory(same_length, &files), spilled(same_length, &files, budget));
    }

    #[test]
    fn rules_sharing_a_stage_give_the_same_in_memory_and_sorted(
        seed in any::<u64>(),
        budget in prop_oneof![1u64..64, 64u64..1 << 20],
    ) {
        let files = generated(seed, 4, 120);
        prop_assert_eq!(in_memory(sharing, &files), spilled(sharing, &files, budget));
    }

    #[test]
    fn the_site_rules_give_the_same_in_memory_and_sorted(
        seed in any::<u64>(),
        budget in prop_oneof![1u64..64, 64u64..1 << 20],
    ) {
        let files = generated(seed, 5, 300);
        prop_assert_eq!(
            in_memory(every_site_rule, &files),
            spilled(every_site_rule, &files, budget)
        );
    }
}

proptest! {
    // Each case runs every site rule three times over 300 posts.
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Each share of the sites run by rules of its own gives what one set of rules fed every
    /// site gives, in memory and sorted.
    #[test]
    fn the_site_rules_give_the_same_in_any_number_of_shards(
        seed in any::<u64>(),
        shards in 2usize..5,
        budget in prop_oneof![1u64..64, 64u64..1 << 20],
    ) {
        let files = generated(seed, 5, 300);
        let expected = in_memory(every_site_rule, &files);
        prop_assert_eq!(&expected, &in_shards(every_site_rule, &files, shards));
        prop_assert_eq!(
            in_memory(same_length, &files),
            spilled_in_shards(same_length, &files, budget, shards)
        );
        prop_assert_eq!(&expected, &spilled_in_shards(every_site_rule, &files, budget, shards));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Inputs that gave no report (a file that failed after some of its posts were linted)
    /// are left out and the others renumbered to their reports, whether each share of the
    /// sites numbers the sites from the packed facts in memory or one reader merges them from
    /// disk: a site whose posts are all in such an input is no site of the run.
    #[test]
    fn inputs_without_a_report_are_left_out_in_every_share(
        seed in any::<u64>(),
        shards in 1usize..5,
        budget in prop_oneof![1u64..64, 1u64 << 22..1 << 24],
        gave_none in proptest::collection::vec(any::<bool>(), 5),
    ) {
        let files = generated(seed, 5, 300);
        let mut reports = Vec::new();
        let mut kept = Vec::new();
        for (facts, none) in files.iter().zip(gave_none) {
            if none {
                reports.push(None);
                continue;
            }
            reports.push(Some(kept.len()));
            let report = kept.len();
            kept.push(facts.iter().cloned().map(|fact| PostFacts { file: report, ..fact }).collect());
        }
        prop_assert_eq!(
            in_memory(every_site_rule, &kept),
            spilled_with_reports(every_site_rule, &files, &reports, budget, shards)
        );
    }
}

#[test]
fn the_generated_sites_have_every_kind_of_site_finding() {
    let shown = in_memory(every_site_rule, &generated(7, 5, 300));
    let codes: Vec<&str> = (crate::rules::ALL.iter())
        .map(|rule| rule.meta())
        .filter(|meta| meta.phase == crate::meta::Phase::Site)
        .map(|meta| meta.code)
        .collect();
    assert_eq!(codes.len(), 7);
    for code in codes {
        // Quoted twice: a diagnostic's debug text inside the list's.
        let named = format!("rule: \\\"{code}\\\"");
        assert!(shown.contains(&named), "no {code}: {shown}");
    }
    // The date rules' summary names each site's usual offset.
    assert!(shown.contains("+09:00 ("), "{shown}");
}

#[test]
fn rules_reading_one_stage_are_fed_as_one_and_report_at_their_own_places() {
    assert_eq!(share_stages(sharing(None)).len(), 2, "one rule per stage");
    let shown = in_memory(sharing, &generated(7, 4, 120));
    // The first site's findings come first: the first reader's, then the rule between, then
    // the second reader's (messages quoted twice: a diagnostic's debug text inside the list's).
    let at = |message: &str| shown.find(&format!(r#"message: \"{message}"#));
    let (later, between, first) = (at("later"), at("after a first"), at("first of length"));
    assert!(
        later.is_some() && between.is_some() && first.is_some(),
        "{shown}"
    );
    assert!(later < between && between < first, "{shown}");
    // The first reader's notes, from its own finish.
    assert!(shown.contains(r#" later","#), "{shown}");
}

#[test]
fn the_site_rules_share_the_link_join_and_the_first_versions() {
    let rules = every_site_rule(None);
    assert_eq!(rules.len(), 7);
    assert_eq!(share_stages(rules).len(), 5);
}

/// What the site phase holds with `--memory-budget`: the facts packed in memory (when they take
/// at most half the budget) and the groupings' shares, together within the budget; facts past
/// half are read from disk and leave the groupings the whole budget. Either way the same report.
#[test]
fn the_packed_facts_and_the_groupings_stay_within_the_budget() {
    let files = generated(7, 3, 60);
    let expected = in_memory(every_site_rule, &files);
    let reports: Vec<Option<usize>> = (0..files.len()).map(Some).collect();
    for (budget, kept) in [(1usize << 20, true), (1 << 10, false)] {
        let spill = FactSpill::new(budget as u64);
        for (file, facts) in files.iter().enumerate() {
            spill.add(file, Packed::of(facts.clone()));
        }
        let mut merge = spill.finish(&reports).expect("the facts are written");
        assert_eq!(merge.held() > 0, kept, "at {budget} bytes");
        assert!(merge.held() + merge.budget <= budget, "at {budget} bytes");
        assert!(merge.budget >= budget / 2, "at {budget} bytes");
        let share = merge.budget / GROUPINGS_AT_ONCE;
        let ran = shown(execute_merge(
            &|| every_site_rule(Some(share)),
            1,
            &mut merge,
        ));
        assert_eq!(merge.error, None);
        assert_eq!(ran, expected, "at {budget} bytes");
    }
}

/// The facts read back from disk are merged a batch ahead on another thread of the pool
/// (`extsort::ReadAhead`, 1,024 records a batch: 6,000 posts are several) and come in the
/// order of the facts kept packed in memory; on a pool of one the reader makes every batch.
#[test]
fn the_facts_read_back_a_batch_ahead_come_in_the_order_kept_in_memory() {
    let files = generated(31, 5, 6_000);
    let reports: Vec<Option<usize>> = (0..files.len()).map(Some).collect();
    let read_back = |budget: u64, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        pool.expect("a pool").install(|| {
            let spill = FactSpill::new(budget);
            for (file, facts) in files.iter().enumerate() {
                spill.add(file, Packed::of(facts.clone()));
            }
            let mut merge = spill.finish(&reports).expect("the facts are written");
            let runs = merge.runs();
            let read: Vec<String> = merge.by_ref().map(|facts| format!("{facts:?}")).collect();
            assert_eq!(merge.error, None);
            (runs, read)
        })
    };
    let (runs, in_memory) = read_back(64 << 20, 2);
    assert_eq!((runs, in_memory.len()), (0, 6_000));
    for threads in [2, 1] {
        let (runs, from_disk) = read_back(16 << 10, threads);
        assert!(runs > 1, "{runs} runs");
        let first_apart = (from_disk.iter().zip(&in_memory)).position(|(a, b)| a != b);
        assert_eq!(first_apart, None, "on {threads} threads");
        assert_eq!(from_disk.len(), in_memory.len(), "on {threads} threads");
    }
}

/// Under a budget of one byte the groupings write runs of `LEAST_RUN` bytes, not of a record
/// or two, and report what they report in memory.
#[test]
fn a_one_byte_budget_gives_the_report_in_memory() {
    let files = generated(11, 4, 400);
    let expected = in_memory(every_site_rule, &files);
    let spill = FactSpill::new(1);
    for (file, facts) in files.iter().enumerate() {
        spill.add(file, Packed::of(facts.clone()));
    }
    let reports: Vec<Option<usize>> = (0..files.len()).map(Some).collect();
    let mut merge = spill.finish(&reports).expect("the facts are written");
    let share = merge.budget / GROUPINGS_AT_ONCE;
    assert_eq!(share, 0);
    let config = every_site_rule_config();
    let run = SiteRun::bounded(config.effective(None, None), share);
    let ran = shown(execute_merge(&|| start(&config, &run), 1, &mut merge));
    assert_eq!(merge.error, None);
    assert_eq!(ran, expected);
}

/// The facts are written as a run past half the budget, so that the buffer being written and
/// the one the workers fill meanwhile (a worker whose half is full waits) stay within the budget
/// together: one worker holds half at most, any number the whole. The report is the same.
#[test]
fn the_facts_held_while_a_run_is_written_stay_within_the_budget() {
    use rayon::prelude::*;

    let files = generated(13, 60, 3_000);
    let expected = in_memory(every_site_rule, &files);
    let reports: Vec<Option<usize>> = (0..files.len()).map(Some).collect();
    let budget = 256usize << 10;
    // A file's packed facts (50 posts) and the growth of the buffer's index stay under this.
    let one_file = budget / 4;
    let largest = (files.iter())
        .map(|facts| Packed::of(facts.clone()).bytes())
        .max()
        .unwrap_or(0);
    for workers in [1, 4] {
        let spill = FactSpill::new(budget as u64);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(workers).build();
        let pool = pool.expect("a pool");
        pool.install(|| {
            (files.par_iter().enumerate())
                .for_each(|(file, facts)| spill.add(file, Packed::of(facts.clone())));
        });
        let held = spill.most_held();
        // Each worker adds its file before it looks whether to wait, so each of the others may
        // have put one file past the half into the buffer taken for writing, and one into the
        // buffer filled meanwhile.
        let others = 2 * (workers - 1) * largest;
        let bound = if workers == 1 { budget / 2 } else { budget };
        assert!(
            held <= bound + one_file + others,
            "{workers} workers held {held} bytes"
        );
        let mut merge = spill.finish(&reports).expect("the facts are written");
        assert!(merge.runs() >= 4, "{} runs", merge.runs());
        let share = merge.budget / GROUPINGS_AT_ONCE;
        let ran = shown(execute_merge(
            &|| every_site_rule(Some(share)),
            1,
            &mut merge,
        ));
        assert_eq!(merge.error, None);
        assert_eq!(ran, expected, "{workers} workers");
    }
}

/// Facts that stayed packed in memory are read in shares, each share decoding its own sites'
/// posts: an input that gave no report is left out and the others go to their reports, the
/// sites numbered as one reader of every post numbers them, in any number of shares.
#[test]
fn each_share_reads_its_own_sites_and_leaves_out_an_input_without_a_report() {
    let files = generated(23, 3, 240);
    let mut kept = vec![files[0].clone(), files[2].clone()];
    for fact in &mut kept[1] {
        fact.file = 1;
    }
    let expected = in_memory(every_site_rule, &kept);
    for shards in 1..6 {
        let spill = FactSpill::new(1 << 20);
        for (file, facts) in files.iter().enumerate() {
            spill.add(file, Packed::of(facts.clone()));
        }
        let mut merge = spill
            .finish(&[Some(0), None, Some(1)])
            .expect("kept in memory");
        assert_eq!(merge.runs(), 0);
        let share = merge.budget / GROUPINGS_AT_ONCE / shards;
        let ran = shown(execute_merge(
            &|| every_site_rule(Some(share)),
            shards,
            &mut merge,
        ));
        assert_eq!(merge.error, None);
        assert_eq!(ran, expected, "in {shards} shares");
    }
}
