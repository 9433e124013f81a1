//! The second half of the sorted site phase: each rule reads its groups back from its sort.

use std::collections::BTreeMap;

use super::{
    Dated, Entry, GroupKey, LinkFrom, LinkKey, Name, Place, Published, SortedSite, bare, located,
};
use crate::extsort::{Drain, Sorter};
use crate::rules::{
    date_clock_skew, date_offset_suspicious as dates, duplicate_slug, duplicate_title,
    link_internal_draft, link_internal_missing, site_links,
};
use crate::site::{DateFacts, PostFacts, Word};

/// Why the posts at an offset look wrong next to the rest of the site's, as
/// `date-offset-suspicious` judges it in memory: `(offset, posts, skewed)` at it, their
/// earliest and latest local dates, the site's usual offset and its dated posts.
fn why_odd(
    tally: &super::Tally,
    (offset, posts, skewed): (i32, usize, usize),
    (first, last): (i64, i64),
    (usual, published): (i32, usize),
) -> Option<String> {
    if let Some(why) = dates::suspicion(offset, usual) {
        let rest = tally.offsets.iter().filter(|(o, _)| **o != offset);
        let rest_first = rest.clone().map(|(_, o)| o.1).min();
        let rest_last = rest.map(|(_, o)| o.2).max();
        // Posts of one era (all before or all after the rest) are a change of zone.
        let era = match (rest_first, rest_last) {
            (Some(rest_first), Some(rest_last)) => last < rest_first || first > rest_last,
            _ => true,
        };
        if dates::is_rare(posts, published) && !era {
            return Some(why);
        }
    }
    dates::skewed_off_the_site(offset, usual, posts, skewed)
}

/// The post a name resolved to: its place, status and title.
type Target = (Place, Option<String>, Option<String>);

impl SortedSite {
    /// `date-offset-suspicious` and `date-clock-skew`: each site's usual offset from the
    /// counts, then the posts of the offsets that look wrong and the skewed ones, read back
    /// from the sort.
    pub(super) fn finish_dates(&mut self) {
        let Some(sorter) = self.dated.take() else {
            return;
        };
        let suspicious = self.rule(dates::DateOffsetSuspicious::META.code);
        let skew = self.rule(date_clock_skew::DateClockSkew::META.code);
        // (site, offset) → (why, usual) for the offsets whose posts are reported.
        let mut odd: BTreeMap<(usize, i32), (String, i32)> = BTreeMap::new();
        for site in 0..self.sites.len() {
            let Some((usual, count, published)) = self.usual_offset(site) else {
                continue;
            };
            let tally = &self.sites[site];
            if let Some((_, order)) = suspicious {
                let note = dates::note(&tally.name, usual, count, published);
                self.notes.push(((site, order, 0, 0, 0), note));
            }
            for (&offset, &(posts, first, last)) in &tally.offsets {
                let skewed = tally.skewed.get(&offset).copied().unwrap_or(0);
                if let Some(why) = why_odd(
                    tally,
                    (offset, posts, skewed),
                    (first, last),
                    (usual, published),
                ) {
                    odd.insert((site, offset), (why, usual));
                }
            }
        }
        let any_skewed = skew.is_some() && self.sites.iter().any(|t| !t.skewed.is_empty());
        if (suspicious.is_none() || odd.is_empty()) && !any_skewed {
            return;
        }
        let Some(mut drain) = self.keep(sorter.finish()) else {
            return;
        };
        for ((site, offset, file, index), dated) in drain.by_ref() {
            let is_odd = odd.get(&(site, offset));
            let skewed = dated.skew != 0;
            if is_odd.is_none() && !(skewed && skew.is_some()) {
                continue;
            }
            let Some(facts) = restore_dated(file, offset, dated) else {
                continue;
            };
            let Some(dates_of) = &facts.dates else {
                continue;
            };
            match (is_odd, suspicious, skew) {
                (Some((why, usual)), Some((_, order)), _) => {
                    let name = &self.sites[site].name;
                    let finding = dates::finding(name, &facts, dates_of, *usual, why);
                    let seq = self.seq();
                    self.found.push(((site, order, seq, 0, 0), finding));
                }
                // In the order of the run, as the in-memory phase gives them.
                (None, _, Some((_, order))) if skewed => {
                    let finding = date_clock_skew::site_finding(&facts, dates_of);
                    self.found.push(((site, order, file, index, 0), finding));
                }
                _ => {}
            }
        }
        self.drained(&mut drain);
    }

    /// A site's usual offset, how many posts have it, and how many dated posts it has: `None`
    /// with too few to tell.
    fn usual_offset(&self, site: usize) -> Option<(i32, usize, usize)> {
        let tally = &self.sites[site];
        let published: usize = tally.offsets.values().map(|o| o.0).sum();
        if published < dates::MIN_EVIDENCE {
            return None;
        }
        let counts = tally.offsets.iter().map(|(offset, o)| (*offset, o.0));
        let (usual, count) = dates::usual_of(counts)?;
        Some((usual, count, published))
    }

    fn drained<K, V>(&mut self, drain: &mut Drain<K, V>) {
        if let Some(error) = drain.error() {
            self.error.get_or_insert(error);
        }
    }

    /// `duplicate-slug` and `duplicate-title`: the first version of each post, then each
    /// group of posts under one slug or title, given to the rule.
    pub(super) fn finish_duplicates(&mut self) {
        let Some(ids) = self.ids.take() else { return };
        let Some(mut drain) = self.keep(ids.finish()) else {
            return;
        };
        let mut last: Option<(usize, Option<String>, i64)> = None;
        for ((site, post_type, id, file, _), published) in drain.by_ref() {
            let version = Some((site, post_type, id));
            if version == last {
                continue;
            }
            last = version;
            let grouped = self.group(site, file, published);
            self.keep(grouped);
        }
        self.drained(&mut drain);
        drop(drain);
        let slugs = self.slugs.take();
        self.report_groups(slugs, duplicate_slug::DuplicateSlug::META.code);
        let titles = self.titles.take();
        self.report_groups(titles, duplicate_title::DuplicateTitle::META.code);
    }

    fn report_groups(&mut self, sorter: Option<Sorter<GroupKey, Published>>, code: &str) {
        let (Some(sorter), Some((rule, order))) = (sorter, self.rule(code)) else {
            return;
        };
        let Some(mut drain) = self.keep(sorter.finish()) else {
            return;
        };
        let mut group: Vec<PostFacts> = Vec::new();
        let mut group_key: Option<(usize, String)> = None;
        let report = |phase: &mut Self, site: usize, group: &mut Vec<PostFacts>| {
            if group.len() > 1 {
                let mut out = Vec::new();
                let name = &phase.sites[site].name;
                rule.check_site(name, group, &phase.settings, &mut out);
                for finding in out {
                    let seq = phase.seq();
                    phase.found.push(((site, order, seq, 0, 0), finding));
                }
            }
            group.clear();
        };
        for ((site, key, _, _, file, _), published) in drain.by_ref() {
            let same = group_key
                .as_ref()
                .is_some_and(|g| g.0 == site && g.1 == key);
            if !same {
                if let Some((group_site, _)) = group_key {
                    report(self, group_site, &mut group);
                }
                group_key = Some((site, key));
            }
            group.push(published.restore(file));
        }
        if let Some((group_site, _)) = group_key {
            report(self, group_site, &mut group);
        }
        self.drained(&mut drain);
    }

    /// `link-internal-missing` and `link-internal-draft`: each link meets the first post of the
    /// name it gives, by id or permalink, else by slug.
    pub(super) fn finish_links(&mut self) {
        for (site, tally) in self.sites.iter().enumerate() {
            let missing = self.rule(link_internal_missing::LinkInternalMissing::META.code);
            if let Some((_, order)) = missing
                && !link_internal_missing::export_complete(&self.settings)
                && tally.internal_links > 0
            {
                let note = link_internal_missing::not_checked(&tally.name);
                self.notes.push(((site, order, 0, 0, 0), note));
            }
        }
        let Some(names) = self.names.take() else {
            return;
        };
        self.resolve(names, true);
        if let Some(by_slug) = self.by_slug.take() {
            self.resolve(by_slug, false);
        }
    }

    /// Reads a sort of names back: a link meets the first post under its name, or is sent on
    /// to the slugs (`to_slugs`), or has no target.
    fn resolve(&mut self, sorter: Sorter<LinkKey, Entry>, to_slugs: bool) {
        let Some(mut drain) = self.keep(sorter.finish()) else {
            return;
        };
        let mut current: Option<(usize, Name)> = None;
        let mut target: Option<Target> = None;
        for ((site, name, _, file, index, n), entry) in drain.by_ref() {
            let same = current.as_ref().is_some_and(|c| c.0 == site && c.1 == name);
            if !same {
                target = None;
                current = Some((site, name.clone()));
            }
            match entry {
                Entry::Post { status, title } => {
                    target.get_or_insert(((file, index), status, title));
                }
                Entry::Link(from) => {
                    let place = (site, file, index, n);
                    match &target {
                        Some(target) => self.resolved(place, &from, target),
                        None if to_slugs && !matches!(name, Name::Id(_)) => {
                            self.send_to_slugs(place, from);
                        }
                        None => self.missing(place, &from),
                    }
                }
            }
        }
        self.drained(&mut drain);
    }

    fn send_to_slugs(&mut self, place: (usize, usize, usize, usize), from: LinkFrom) {
        let (site, file, index, n) = place;
        let Some(slug) = site_links::link_slug(&from.link()) else {
            self.missing(place, &from);
            return;
        };
        let key = (site, Name::Slug(slug), true, file, index, n);
        let pushed = self
            .by_slug
            .as_mut()
            .map(|s| s.push(key, Entry::Link(from)));
        if let Some(pushed) = pushed {
            self.keep(pushed);
        }
    }

    fn resolved(&mut self, place: (usize, usize, usize, usize), from: &LinkFrom, target: &Target) {
        let (site, file, index, n) = place;
        let (target_place, status, title) = target;
        let status = status.as_deref().unwrap_or("unknown");
        let Some((_, order)) = self.rule(link_internal_draft::LinkInternalDraft::META.code) else {
            return;
        };
        if !from.published || status == "publish" || *target_place == (file, index) {
            return;
        }
        let source = bare(file, from.post.clone());
        let finding = link_internal_draft::finding(&source, &from.link(), status, title.as_deref());
        self.found.push(((site, order, file, index, n), finding));
    }

    fn missing(&mut self, place: (usize, usize, usize, usize), from: &LinkFrom) {
        if !self.missing_on() {
            return;
        }
        let Some((_, order)) = self.rule(link_internal_missing::LinkInternalMissing::META.code)
        else {
            return;
        };
        let (site, file, index, n) = place;
        let source = bare(file, from.post.clone());
        let finding = link_internal_missing::finding(&self.sites[site].name, &source, &from.link());
        self.found.push(((site, order, file, index, n), finding));
    }
}

fn restore_dated(file: usize, offset: i32, dated: Dated) -> Option<PostFacts> {
    let local = chrono::DateTime::from_timestamp(dated.local, 0)?.naive_utc();
    Some(PostFacts {
        dates: Some(DateFacts {
            offset,
            skew: dated.skew,
            local,
            gmt_value: dated.gmt_value,
            gmt: located(dated.gmt),
            local_at: located(dated.local_at),
            modified_gmt: dated.modified_gmt.map(located),
        }),
        post_type: dated.post_type.map(Word::Owned),
        ..bare(file, dated.post)
    })
}
