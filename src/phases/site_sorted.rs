//! The site phase over facts merged from disk (`--memory-budget`), in memory bounded whatever
//! the number of posts of a site. The facts stream past once, in the order of the site phase;
//! each rule that compares posts sends what it compares to its own external sort, keyed by the
//! value it groups by (a post's offset, slug, title, id or permalink), and then reads the groups
//! back one at a time:
//! - `duplicate-slug` and `duplicate-title`: published posts, each once (the first version of an
//!   id in the run's order, found by a sort on the id), then sorted by slug and by title; each
//!   group of equal keys goes through the rule itself;
//! - `link-internal-missing` and `link-internal-draft`: posts by id and by permalink sorted
//!   together with the links that name them, so each link meets the first post of its name;
//!   the links left go on to a second sort, by slug;
//! - `date-offset-suspicious` and `date-clock-skew`: the site's offsets are counted on the way,
//!   the dated posts sorted by offset, and only the odd offsets' posts and the skewed ones read
//!   back;
//! - `guid-host-mismatch` looks at one post at a time.
//!
//! Findings and notes are put back in the order the in-memory phase gives them, so that the
//! report does not depend on the budget.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::{Config, Effective};
use crate::meta::Phase;
use crate::rule::Rule;
use crate::rules;
use crate::rules::{
    date_clock_skew, date_offset_suspicious as dates, duplicate_slug, duplicate_title,
    link_internal_draft, link_internal_missing, site_links,
};
use crate::site::shard::WirePost;
use crate::site::{InternalLink, Located, PlacedValue, PostFacts, SiteFinding, Word};
use crate::spill::{Merge, Sorter, SpillDir, text_weight};

/// How many sorts may hold records at once: each gets this share of the budget.
const SORTS_AT_ONCE: usize = 8;

type Span = (usize, usize);
/// A post's place in the run: its report and its position in the file.
type Place = (usize, usize);
/// Where a finding or note goes in the in-memory phase's order: site, rule, then within the rule.
type Order = (usize, usize, usize, usize, usize);

fn span(at: &Located) -> Span {
    (at.range.start, at.range.end)
}

fn located((start, end): Span) -> Located {
    Located::new(start..end.max(start))
}

/// Facts that carry only a post and its report, for the rules' finding builders.
fn bare(file: usize, post: WirePost) -> PostFacts {
    PostFacts {
        file,
        post: Arc::new(post.restore()),
        site: None,
        host: None,
        status: None,
        post_type: None,
        parent: None,
        permalink: None,
        language: None,
        slug: None,
        title: None,
        guid_host: None,
        dates: None,
        internal_links: Vec::new(),
        remote_links: Vec::new(),
        anchors: Vec::new(),
    }
}

/// A published post, as `duplicate-slug` and `duplicate-title` compare it.
#[derive(Serialize, Deserialize)]
struct Published {
    post: WirePost,
    post_type: Option<String>,
    parent: Option<i64>,
    language: Option<String>,
    slug: Option<(String, Span)>,
    title: Option<(String, Span)>,
}

impl Published {
    fn of(fact: &PostFacts) -> Self {
        let valued = |v: &Option<PlacedValue>| v.as_ref().map(|v| (v.value.clone(), span(&v.at)));
        Self {
            post: WirePost::of(&fact.post),
            post_type: fact.post_type.as_deref().map(str::to_owned),
            parent: fact.parent,
            language: fact.language.clone(),
            slug: valued(&fact.slug),
            title: valued(&fact.title),
        }
    }

    fn weight(&self) -> usize {
        let text = |t: &Option<String>| t.as_deref().map_or(0, text_weight);
        let valued = |v: &Option<(String, Span)>| v.as_ref().map_or(0, |v| text_weight(&v.0));
        text(&self.post.link)
            + text(&self.post.title)
            + text(&self.post.site)
            + text(&self.post_type)
            + text(&self.language)
            + valued(&self.slug)
            + valued(&self.title)
    }

    fn restore(self, file: usize) -> PostFacts {
        let valued = |v: Option<(String, Span)>| {
            v.map(|(value, at)| PlacedValue {
                value,
                at: located(at),
            })
        };
        PostFacts {
            status: Some(Word::Borrowed("publish")),
            post_type: self.post_type.map(Word::Owned),
            parent: self.parent,
            language: self.language,
            slug: valued(self.slug),
            title: valued(self.title),
            ..bare(file, self.post)
        }
    }
}

/// A dated post, as `date-offset-suspicious` and `date-clock-skew` report it.
#[derive(Serialize, Deserialize)]
struct Dated {
    post: WirePost,
    /// A page's date is graded lower: readers rarely see it.
    post_type: Option<String>,
    local: i64,
    gmt_value: String,
    gmt: Span,
    local_at: Span,
    skew: i32,
    modified_gmt: Option<Span>,
}

/// A name a link may give a post of its site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Name {
    Id(i64),
    Permalink(String),
    Slug(String),
}

/// What the link rules sort: a post under one of its names, or a link naming a post.
#[derive(Serialize, Deserialize)]
enum Entry {
    Post {
        status: Option<String>,
        title: Option<String>,
    },
    Link(LinkFrom),
}

#[derive(Serialize, Deserialize)]
struct LinkFrom {
    post: WirePost,
    published: bool,
    target: String,
    path: String,
    post_id: Option<i64>,
    at: Span,
}

impl LinkFrom {
    fn link(&self) -> InternalLink {
        InternalLink {
            target: self.target.clone(),
            path: self.path.clone(),
            post_id: self.post_id,
            at: located(self.at),
        }
    }
}

/// Site, name, whether a link (posts come first), then the place of the post and of the link.
type LinkKey = (usize, Name, bool, usize, usize, usize);
/// Site, type and id, then the place: the first version of a post comes first.
type IdKey = (usize, Option<String>, i64, usize, usize);
/// Site, the rule's key, then a group's order: lowest id first, then the run's order.
type GroupKey = (usize, String, bool, Option<i64>, usize, usize);
/// Site, offset, then the run's order.
type DateKey = (usize, i32, usize, usize);

fn entry_weight(key: &LinkKey, entry: &Entry) -> usize {
    let name = match &key.1 {
        Name::Id(_) => 0,
        Name::Permalink(t) | Name::Slug(t) => text_weight(t),
    };
    let text = |t: &Option<String>| t.as_deref().map_or(0, text_weight);
    name + match entry {
        Entry::Post { status, title } => text(status) + text(title),
        Entry::Link(l) => {
            text(&l.post.link) + text(&l.post.title) + text_weight(&l.target) + text_weight(&l.path)
        }
    }
}

/// What one site's posts add up to on the way.
#[derive(Default)]
struct Tally {
    name: String,
    internal_links: usize,
    /// Published dated posts by offset (without clock skew): how many, and their earliest and
    /// latest local dates.
    offsets: BTreeMap<i32, (usize, i64, i64)>,
    /// How many of them have a clock skew, by offset.
    skewed: BTreeMap<i32, usize>,
}

/// The site rules over sorted facts.
struct SortedSite {
    settings: Arc<Effective>,
    on: Vec<(&'static dyn Rule, usize)>,
    sites: Vec<Tally>,
    notes: Vec<(Order, String)>,
    found: Vec<(Order, SiteFinding)>,
    dated: Option<Sorter<DateKey, Dated>>,
    ids: Option<Sorter<IdKey, Published>>,
    slugs: Option<Sorter<GroupKey, Published>>,
    titles: Option<Sorter<GroupKey, Published>>,
    names: Option<Sorter<LinkKey, Entry>>,
    by_slug: Option<Sorter<LinkKey, Entry>>,
    error: Option<String>,
    count: usize,
}

/// Runs the site rules over facts merged from disk in the site phase's order.
pub fn run(config: &Config, merge: &mut Merge) -> (Vec<String>, Vec<SiteFinding>) {
    let mut phase = SortedSite::new(config, merge.budget, &merge.dir());
    for fact in merge.by_ref() {
        phase.add(fact);
    }
    phase.finish();
    if let Some(error) = phase.error.take() {
        merge.error.get_or_insert(error);
    }
    phase.notes.sort_by_key(|(order, _)| *order);
    phase.found.sort_by_key(|(order, _)| *order);
    (
        phase.notes.into_iter().map(|(_, n)| n).collect(),
        phase.found.into_iter().map(|(_, f)| f).collect(),
    )
}

impl SortedSite {
    fn new(config: &Config, budget: usize, dir: &Arc<SpillDir>) -> Self {
        let on: Vec<(&'static dyn Rule, usize)> = (rules::ALL.iter().copied().enumerate())
            .filter(|(_, rule)| {
                rule.meta().phase == Phase::Site && config.may_enable(rule.meta().code)
            })
            .map(|(order, rule)| (rule, order))
            .collect();
        let settings = config.effective(None, None);
        let sorts = budget / SORTS_AT_ONCE;
        let mut phase = Self {
            settings,
            on,
            sites: Vec::new(),
            notes: Vec::new(),
            found: Vec::new(),
            dated: None,
            ids: None,
            slugs: None,
            titles: None,
            names: None,
            by_slug: None,
            error: None,
            count: 0,
        };
        if phase.dates_on() {
            phase.dated = Some(Sorter::new(dir.clone(), sorts, |_, d| {
                text_weight(&d.gmt_value) + post_weight(&d.post)
            }));
        }
        if phase.is_on(duplicate_slug::DuplicateSlug::META.code)
            || phase.is_on(duplicate_title::DuplicateTitle::META.code)
        {
            phase.ids = Some(Sorter::new(dir.clone(), sorts, |k, p| {
                k.1.as_deref().map_or(0, text_weight) + p.weight()
            }));
            phase.slugs = Some(Sorter::new(dir.clone(), sorts, group_weight));
            phase.titles = Some(Sorter::new(dir.clone(), sorts, group_weight));
        }
        if phase.missing_on() || phase.draft_on() {
            phase.names = Some(Sorter::new(dir.clone(), sorts, entry_weight));
            phase.by_slug = Some(Sorter::new(dir.clone(), sorts, entry_weight));
        }
        phase
    }

    fn rule(&self, code: &str) -> Option<(&'static dyn Rule, usize)> {
        self.on.iter().copied().find(|(r, _)| r.meta().code == code)
    }

    fn is_on(&self, code: &str) -> bool {
        self.rule(code).is_some()
    }

    fn dates_on(&self) -> bool {
        self.settings.site.zone.is_none()
            && (self.is_on(dates::DateOffsetSuspicious::META.code)
                || self.is_on(date_clock_skew::DateClockSkew::META.code))
    }

    fn missing_on(&self) -> bool {
        self.is_on(link_internal_missing::LinkInternalMissing::META.code)
            && link_internal_missing::export_complete(&self.settings)
    }

    fn draft_on(&self) -> bool {
        self.is_on(link_internal_draft::LinkInternalDraft::META.code)
    }

    fn seq(&mut self) -> usize {
        self.count += 1;
        self.count
    }

    fn keep<T>(&mut self, pushed: Result<T, String>) -> Option<T> {
        match pushed {
            Ok(value) => Some(value),
            Err(error) => {
                self.error.get_or_insert(error);
                None
            }
        }
    }

    /// One post, in the site phase's order.
    fn add(&mut self, fact: PostFacts) {
        let Some(site_name) = fact.site.as_deref() else {
            return;
        };
        if self.sites.last().is_none_or(|s| s.name != site_name) {
            self.sites.push(Tally {
                name: site_name.to_owned(),
                ..Tally::default()
            });
        }
        let site = self.sites.len() - 1;
        self.sites[site].internal_links += fact.internal_links.len();
        self.add_guid(site, &fact);
        self.add_dates(site, &fact);
        self.add_published(site, &fact);
        self.add_names(site, &fact);
    }

    fn add_guid(&mut self, site: usize, fact: &PostFacts) {
        let Some((rule, order)) = self.rule("guid-host-mismatch") else {
            return;
        };
        let mut out = Vec::new();
        let name = &self.sites[site].name;
        rule.check_site(name, std::slice::from_ref(fact), &self.settings, &mut out);
        for finding in out {
            let seq = self.seq();
            self.found.push(((site, order, seq, 0, 0), finding));
        }
    }

    fn add_dates(&mut self, site: usize, fact: &PostFacts) {
        let Some(dates) = &fact.dates else { return };
        let published = matches!(
            fact.status.as_deref(),
            Some("publish" | "future" | "private") | None
        );
        if !published || self.dated.is_none() {
            return;
        }
        let local = dates.local.and_utc().timestamp();
        let tally = (self.sites[site].offsets.entry(dates.offset)).or_insert((0, local, local));
        *tally = (tally.0 + 1, tally.1.min(local), tally.2.max(local));
        if dates.skew != 0 {
            *self.sites[site].skewed.entry(dates.offset).or_default() += 1;
        }
        let key = (site, dates.offset, fact.file, fact.post.index);
        let dated = Dated {
            post: WirePost::of(&fact.post),
            post_type: fact.post_type.as_deref().map(str::to_owned),
            local,
            gmt_value: dates.gmt_value.clone(),
            gmt: span(&dates.gmt),
            local_at: span(&dates.local_at),
            skew: dates.skew,
            modified_gmt: dates.modified_gmt.as_ref().map(span),
        };
        let pushed = self.dated.as_mut().map(|s| s.push(key, dated));
        if let Some(pushed) = pushed {
            self.keep(pushed);
        }
    }

    fn add_published(&mut self, site: usize, fact: &PostFacts) {
        if self.ids.is_none() || fact.status.as_deref() != Some("publish") {
            return;
        }
        let published = Published::of(fact);
        let pushed = match fact.post.id {
            Some(id) => {
                let key = (
                    site,
                    published.post_type.clone(),
                    id,
                    fact.file,
                    fact.post.index,
                );
                self.ids.as_mut().map(|s| s.push(key, published))
            }
            // Posts without an id are never versions of one another.
            None => Some(self.group(site, fact.file, published)),
        };
        if let Some(pushed) = pushed {
            self.keep(pushed);
        }
    }

    /// Sends a published post, once, to the slug and title sorts.
    fn group(&mut self, site: usize, file: usize, published: Published) -> Result<(), String> {
        let facts = published.restore(file);
        let place = |key: String| {
            (
                site,
                key,
                facts.post.id.is_none(),
                facts.post.id,
                file,
                facts.post.index,
            )
        };
        let slug_key = duplicate_slug::slug_key(&facts).map(|(k, _)| place(k));
        let title_key = duplicate_title::title_key(&facts).map(|(k, _)| place(k));
        if let (Some(key), Some(sorter)) = (slug_key, self.slugs.as_mut()) {
            sorter.push(key, Published::of(&facts))?;
        }
        if let (Some(key), Some(sorter)) = (title_key, self.titles.as_mut()) {
            sorter.push(key, Published::of(&facts))?;
        }
        Ok(())
    }

    fn add_names(&mut self, site: usize, fact: &PostFacts) {
        if self.names.is_none() {
            return;
        }
        let place = (fact.file, fact.post.index);
        let entry = || Entry::Post {
            status: fact.status.as_deref().map(str::to_owned),
            title: fact.post.title.clone(),
        };
        let mut records = Vec::new();
        if let Some(id) = fact.post.id {
            records.push(((site, Name::Id(id), false, place.0, place.1, 0), entry()));
        }
        if let Some(permalink) = &fact.permalink {
            let name = Name::Permalink(permalink.clone());
            records.push(((site, name, false, place.0, place.1, 0), entry()));
        }
        let published = fact.status.as_deref() == Some("publish");
        let wanted = self.missing_on() || (published && self.draft_on());
        for (n, link) in fact.internal_links.iter().enumerate() {
            if !wanted || site_links::is_archive_or_asset(link) {
                continue;
            }
            let name = link
                .post_id
                .map_or_else(|| Name::Permalink(link.target.clone()), Name::Id);
            let from = LinkFrom {
                post: WirePost::of(&fact.post),
                published,
                target: link.target.clone(),
                path: link.path.clone(),
                post_id: link.post_id,
                at: span(&link.at),
            };
            records.push(((site, name, true, place.0, place.1, n), Entry::Link(from)));
        }
        for (key, entry) in records {
            let pushed = self.names.as_mut().map(|s| s.push(key, entry));
            if let Some(pushed) = pushed {
                self.keep(pushed);
            }
        }
        if let Some(slug) = &fact.slug {
            let key = (
                site,
                Name::Slug(slug.value.clone()),
                false,
                place.0,
                place.1,
                0,
            );
            let pushed = self.by_slug.as_mut().map(|s| s.push(key, entry()));
            if let Some(pushed) = pushed {
                self.keep(pushed);
            }
        }
    }

    /// The rules' groups, read back from their sorts once every post went past.
    fn finish(&mut self) {
        self.finish_dates();
        self.finish_duplicates();
        self.finish_links();
    }
}

fn post_weight(post: &WirePost) -> usize {
    let text = |t: &Option<String>| t.as_deref().map_or(0, text_weight);
    text(&post.link) + text(&post.title) + text(&post.site)
}

fn group_weight(key: &GroupKey, published: &Published) -> usize {
    text_weight(&key.1) + published.weight()
}

mod finish;

#[cfg(test)]
mod tests {
    use super::*;

    /// The site rules this phase knows how to run from sorted facts: a new site rule must be
    /// taught to it, or a run past the budget would lose its findings.
    const HANDLED: [&str; 7] = [
        "date-clock-skew",
        "date-offset-suspicious",
        "duplicate-slug",
        "duplicate-title",
        "guid-host-mismatch",
        "link-internal-draft",
        "link-internal-missing",
    ];

    #[test]
    fn every_site_rule_runs_over_sorted_facts() {
        let site_rules: Vec<&str> = (rules::ALL.iter())
            .filter(|rule| rule.meta().phase == Phase::Site)
            .map(|rule| rule.meta().code)
            .collect();
        assert_eq!(site_rules, HANDLED);
    }
}
