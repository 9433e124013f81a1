//! What a site rule is written in: a small map-reduce. The rule sees each post of the run once
//! and sends records to its groupings (by a key: a slug, an offset, a link's target); it then
//! reads each grouping back one group at a time, in key order, and may send what it learns to a
//! next grouping. Whether a grouping stays in memory or goes through the external sort
//! ([`crate::extsort`]) is the executor's choice (`phases::site`), never the rule's. What several
//! rules need alike (a join, a deduplication) is a [`SharedStage`], fed and read back once.

use std::any::{Any, TypeId};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::Effective;
use crate::diagnostic::PostRef;
use crate::extsort::{Drain, Sorter, SpillDir, text_weight};

use super::shard::WirePost;
use super::{PostFacts, SiteFinding};

/// A site rule at work over one run: built by [`crate::rule::Rule::site`], fed every post of
/// its share of the sites, then finished.
///
/// What it finds and notes on a site comes of that site's posts alone: the executor may start a
/// rule once per share of a run's sites (`phases::site`), and each instance sees only its
/// share's posts, so a rule must keep nothing that carries from one site to another (a count
/// over the run, a limit, a finding on one site judged by another's posts).
pub trait SiteRule: Send + Any {
    /// One post of a site (`site`, numbered from 0 in the phase's order, the same in every
    /// share), in the site phase's order: site after site, each site's posts in the run's order.
    fn post(&mut self, site: usize, fact: &PostFacts, out: &mut SiteOut) -> Result<(), String>;

    /// After the last post: reads the groupings back and reports.
    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String>;

    /// The shared stage the rule reads ([`SiteRun::reading`]), if any: the executor keeps one
    /// rule of each stage, which takes over the readers of the others ([`Self::read_also`]).
    fn stage(&self) -> Option<TypeId> {
        None
    }

    /// Takes over the readers of `other`, a rule of the same [`Self::stage`] reporting at
    /// `order` in the registry; `other` is given back when it reads another stage.
    fn read_also(
        &mut self,
        other: Box<dyn SiteRule>,
        _order: usize,
    ) -> Result<(), Box<dyn SiteRule>> {
        Err(other)
    }
}

/// A stage several site rules read (a join, a deduplication): fed each post once and read back
/// once, each item given to every rule that reads it, under that rule's place in the report.
/// Its groupings are the executor's choice, as a rule's are.
pub trait SharedStage: Send + Sized + 'static {
    /// What the stage gives its readers, one at a time.
    type Item<'a>: Copy;

    fn start(run: &SiteRun) -> Self;

    /// One post of site `site`, in the site phase's order.
    fn post(&mut self, site: usize, fact: &PostFacts) -> Result<(), String>;

    /// Reads the stage back, giving each item, with its site, to `each`.
    fn finish(self, each: &mut dyn for<'a> FnMut(usize, Self::Item<'a>)) -> Result<(), String>;
}

/// A site rule's work on the items of a shared stage `S`.
pub trait StageReader<S: SharedStage>: Send + 'static {
    /// One item of the stage, of site `site`.
    fn read(&mut self, site: usize, item: S::Item<'_>, out: &mut SiteOut) -> Result<(), String>;

    /// After the stage's last item.
    fn finish(self: Box<Self>, _out: &mut SiteOut) -> Result<(), String> {
        Ok(())
    }
}

/// A shared stage and the rules reading it, each with its place in the registry (`None`: the
/// place the executor reports this rule at).
struct Reading<S: SharedStage> {
    stage: S,
    readers: Vec<(Option<usize>, Box<dyn StageReader<S>>)>,
}

impl<S: SharedStage> SiteRule for Reading<S> {
    fn post(&mut self, site: usize, fact: &PostFacts, _out: &mut SiteOut) -> Result<(), String> {
        self.stage.post(site, fact)
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let own = out.rule;
        let Self { stage, readers } = *self;
        // A reader that fails stops; the others go on, and the first error is told.
        let mut readers: Vec<_> = (readers.into_iter())
            .map(|(order, reader)| (order.unwrap_or(own), Some(reader)))
            .collect();
        let mut error = None;
        let read = stage.finish(&mut |site, item| {
            for (order, slot) in &mut readers {
                let Some(reader) = slot else { continue };
                out.reporting(*order);
                if let Err(why) = reader.read(site, item, out) {
                    error.get_or_insert(why);
                    *slot = None;
                }
            }
        });
        for (order, reader) in readers {
            out.reporting(order);
            if let Some(Err(why)) = reader.map(|reader| reader.finish(out)) {
                error.get_or_insert(why);
            }
        }
        out.reporting(own);
        read.and(error.map_or(Ok(()), Err))
    }

    fn stage(&self) -> Option<TypeId> {
        Some(TypeId::of::<S>())
    }

    fn read_also(
        &mut self,
        other: Box<dyn SiteRule>,
        order: usize,
    ) -> Result<(), Box<dyn SiteRule>> {
        if !(&*other as &dyn Any).is::<Self>() {
            return Err(other);
        }
        let other: Box<dyn Any> = other;
        if let Ok(other) = other.downcast::<Self>() {
            let readers =
                (other.readers.into_iter()).map(|(at, reader)| (at.or(Some(order)), reader));
            self.readers.extend(readers);
        }
        Ok(())
    }
}

/// The least a grouping holds before it writes a sorted run: under a tiny `--memory-budget` its
/// runs are still of a few hundred records, not of one or two, whose merges cost forty times
/// the time (20,000 posts at a budget of one byte: 131 s against 2.9 s in memory). A grouping
/// whose share of the budget is smaller may pass it by this much.
pub const LEAST_RUN: usize = 64 << 10;

/// What the executor gives a site rule: the run's settings, and groupings that stay in memory or
/// spill to disk as its memory budget decides.
pub struct SiteRun {
    pub settings: Arc<Effective>,
    /// The bytes one grouping may hold before it writes a sorted run; `None`: all in memory.
    budget: Option<usize>,
}

impl SiteRun {
    /// Groupings held in memory, whatever they hold.
    pub fn in_memory(settings: Arc<Effective>) -> Self {
        Self {
            settings,
            budget: None,
        }
    }

    /// Groupings that write sorted runs past `budget` bytes each, or past [`LEAST_RUN`] under a
    /// smaller budget.
    pub fn bounded(settings: Arc<Effective>, budget: usize) -> Self {
        Self {
            settings,
            budget: Some(budget.max(LEAST_RUN)),
        }
    }

    /// Groupings that write sorted runs past `budget` bytes each however small, for tests to
    /// spill a few posts' records.
    #[cfg(test)]
    pub fn bounded_exactly(settings: Arc<Effective>, budget: usize) -> Self {
        Self {
            settings,
            budget: Some(budget),
        }
    }

    /// A new grouping of records; `weigh` tells about what one costs on the heap beyond its size.
    pub fn grouping<K, V>(&self, weigh: fn(&K, &V) -> usize) -> Grouping<K, V>
    where
        K: Ord + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        V: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        // Each grouping sorts in a folder of its own: merges of one sort never list another's.
        let sorter = Sorter::new(SpillDir::new(), self.budget.unwrap_or(usize::MAX), weigh);
        Grouping { sorter }
    }

    /// A rule that reads the shared stage `S` with `reader`: however many rules read `S`, the
    /// executor feeds and reads back one.
    pub fn reading<S: SharedStage>(&self, reader: impl StageReader<S>) -> Box<dyn SiteRule> {
        Box::new(Reading {
            stage: S::start(self),
            readers: vec![(None, Box::new(reader) as Box<dyn StageReader<S>>)],
        })
    }
}

/// A key of a grouping: records of one `group` come back together, ordered by `order` within.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Keyed<G, O> {
    pub group: G,
    pub order: O,
}

/// Records sent to one grouping.
pub struct Grouping<K, V> {
    sorter: Sorter<K, V>,
}

impl<K, V> Grouping<K, V>
where
    K: Ord + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    V: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    pub fn push(&mut self, key: K, value: V) -> Result<(), String> {
        self.sorter.push(key, value)
    }

    /// Every record, in key order.
    pub fn records(self) -> Result<Records<K, V>, String> {
        Ok(Records {
            drain: self.sorter.finish()?,
        })
    }
}

impl<G, O, V> Grouping<Keyed<G, O>, V>
where
    G: Ord + Clone + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    O: Ord + Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    V: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    /// The records group by group, in key order.
    pub fn groups(self) -> Result<Groups<G, O, V>, String> {
        Ok(Groups {
            drain: self.sorter.finish()?,
            next: None,
            current: None,
        })
    }
}

/// A grouping's records in key order.
pub struct Records<K, V> {
    drain: Drain<K, V>,
}

impl<K, V> Records<K, V> {
    /// Why records are missing, when a sorted run could not be read back.
    pub fn error(&mut self) -> Result<(), String> {
        self.drain.error().map_or(Ok(()), Err)
    }
}

impl<K, V> Iterator for Records<K, V>
where
    K: Ord + serde::de::DeserializeOwned + Send + 'static,
    V: serde::de::DeserializeOwned + Send + 'static,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.drain.next()
    }
}

/// A grouping read back one group at a time.
pub struct Groups<G, O, V> {
    drain: Drain<Keyed<G, O>, V>,
    /// The first record after the group being read.
    next: Option<(Keyed<G, O>, V)>,
    current: Option<G>,
}

impl<G, O, V> Groups<G, O, V>
where
    G: Ord + Clone + serde::de::DeserializeOwned + Send + 'static,
    O: Ord + serde::de::DeserializeOwned + Send + 'static,
    V: serde::de::DeserializeOwned + Send + 'static,
{
    /// The next group, its records in `order`; what was left unread of the last one is skipped.
    pub fn next_group(&mut self) -> Option<Group<'_, G, O, V>> {
        loop {
            let record = self.next.take().or_else(|| self.drain.next())?;
            if self.current.as_ref() == Some(&record.0.group) {
                continue;
            }
            self.current = Some(record.0.group.clone());
            self.next = Some(record);
            return Some(Group { groups: self });
        }
    }

    /// Why records are missing, when a sorted run could not be read back.
    pub fn error(&mut self) -> Result<(), String> {
        self.drain.error().map_or(Ok(()), Err)
    }
}

/// The records of one group, in `order`.
pub struct Group<'g, G, O, V> {
    groups: &'g mut Groups<G, O, V>,
}

impl<G, O, V> Group<'_, G, O, V> {
    /// What the records of the group share.
    pub fn key(&self) -> &G {
        // Set by `next_group` before a group is made.
        self.groups.current.as_ref().expect("a group has a key")
    }
}

impl<G, O, V> Iterator for Group<'_, G, O, V>
where
    G: Ord + serde::de::DeserializeOwned + Send + 'static,
    O: Ord + serde::de::DeserializeOwned + Send + 'static,
    V: serde::de::DeserializeOwned + Send + 'static,
{
    type Item = (O, V);

    fn next(&mut self) -> Option<(O, V)> {
        let groups = &mut *self.groups;
        let record = groups.next.take().or_else(|| groups.drain.next())?;
        if groups.current.as_ref() != Some(&record.0.group) {
            groups.next = Some(record);
            return None;
        }
        Some((record.0.order, record.1))
    }
}

/// Where a finding or note goes in the report: by site, by rule (the registry's order), then
/// by the rule's own order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ReportOrder {
    site: usize,
    rule: usize,
    within: Within,
}

/// A rule's own order of its findings: the order it made them in, or a place in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Within {
    Made(usize),
    Place(PostPlace),
}

/// A place in the run: a post of a report, and an item of the post (a link: its position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostPlace {
    pub file: usize,
    pub post: usize,
    pub item: usize,
}

impl PostPlace {
    pub fn of(fact: &PostFacts, item: usize) -> Self {
        Self {
            file: fact.file,
            post: fact.post.index,
            item,
        }
    }
}

/// What the site rules find, each with its place in the report, and the names of the sites.
#[derive(Default)]
pub struct SiteOut {
    sites: Vec<String>,
    /// The rule reporting now: its place in the registry.
    rule: usize,
    made: usize,
    found: Vec<(ReportOrder, SiteFinding)>,
    notes: Vec<(ReportOrder, String)>,
}

impl SiteOut {
    /// The name of site `site`, as the summary says it.
    pub fn site_name(&self, site: usize) -> &str {
        self.sites.get(site).map_or("", String::as_str)
    }

    /// A finding on site `site`, after the rule's earlier ones.
    pub fn found(&mut self, site: usize, finding: SiteFinding) {
        self.made += 1;
        let within = Within::Made(self.made);
        self.found.push((self.order(site, within), finding));
    }

    /// A finding on site `site`, in the rule's findings by its place in the run.
    pub fn found_at(&mut self, site: usize, place: PostPlace, finding: SiteFinding) {
        let order = self.order(site, Within::Place(place));
        self.found.push((order, finding));
    }

    /// The rule's line for the summary about site `site`.
    pub fn note(&mut self, site: usize, note: String) {
        let order = self.order(site, Within::Made(0));
        self.notes.push((order, note));
    }

    fn order(&self, site: usize, within: Within) -> ReportOrder {
        ReportOrder {
            site,
            rule: self.rule,
            within,
        }
    }

    /// Numbers a new site, the one the next posts are of.
    pub(crate) fn add_site(&mut self, name: &str) -> usize {
        self.sites.push(name.to_owned());
        self.sites.len() - 1
    }

    /// The findings and notes after this belong to the rule at `rule` in the registry.
    pub(crate) fn reporting(&mut self, rule: usize) {
        self.rule = rule;
    }

    /// The notes and findings of rules that reported apart (each to its own `SiteOut`, of the
    /// same sites), in the report's order.
    pub(crate) fn merged(outs: Vec<Self>) -> (Vec<String>, Vec<SiteFinding>) {
        let mut all = Self::default();
        for mut out in outs {
            if all.sites.is_empty() {
                all.sites = std::mem::take(&mut out.sites);
            }
            all.found.append(&mut out.found);
            all.notes.append(&mut out.notes);
        }
        all.into_sorted()
    }

    /// The notes and findings in the report's order.
    fn into_sorted(mut self) -> (Vec<String>, Vec<SiteFinding>) {
        self.notes.sort_by_key(|(order, _)| *order);
        self.found.sort_by_key(|(order, _)| *order);
        (
            self.notes.into_iter().map(|(_, note)| note).collect(),
            self.found.into_iter().map(|(_, found)| found).collect(),
        )
    }
}

/// A post as a record carries it, for the findings on it: in memory, the post's own reference.
#[derive(Debug, Clone)]
pub struct SharedPost(pub Arc<PostRef>);

impl SharedPost {
    pub fn of(fact: &PostFacts) -> Self {
        Self(fact.post.clone())
    }

    /// About what it costs a grouping on the heap.
    pub fn weight(&self) -> usize {
        let text = |t: &Option<String>| t.as_deref().map_or(0, text_weight);
        text(&self.0.link) + text(&self.0.title) + text(&self.0.site)
    }
}

impl Serialize for SharedPost {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WirePost::of(&self.0).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SharedPost {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WirePost::deserialize(deserializer).map(|post| Self(Arc::new(post.restore())))
    }
}
