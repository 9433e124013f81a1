//! What the site rules on date offsets share (`date-offset-suspicious`, `date-clock-skew`): each
//! site's published dated posts counted by offset, and what the counts say of the usual offset
//! and of the odd ones.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dates::format_offset;
use crate::extsort::text_weight;
use crate::site::stages::SharedPost;
use crate::site::{DateFacts, PostFacts, Text, Word};

/// Fewer posts than this with dates say too little about a site's usual offset.
const MIN_EVIDENCE: usize = 5;

/// An odd offset is suspicious only while it stays this rare among the site's posts.
const RARE_SHARE: f64 = 0.05;

/// The most frequent offset of `(offset, posts)` counts, the smaller one on a tie.
fn usual_of(counts: impl IntoIterator<Item = (i32, usize)>) -> Option<(i32, usize)> {
    counts.into_iter().max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(b.0.abs().cmp(&a.0.abs()))
            .then(b.0.cmp(&a.0))
    })
}

/// What looks wrong with an offset on a site whose usual offset is `usual`.
fn suspicion(offset: i32, usual: i32) -> Option<String> {
    if usual == 0 || offset == usual {
        return None;
    }
    if offset == 0 {
        return Some(
            "`date` equals `date_gmt`: the local time was probably written as GMT".to_owned(),
        );
    }
    if offset == 2 * usual {
        return Some(format!(
            "the offset {} is twice the site's usual {}: converted twice?",
            format_offset(offset),
            format_offset(usual)
        ));
    }
    if offset == -usual {
        return Some(format!(
            "the offset {} is the site's usual {} with the sign flipped",
            format_offset(offset),
            format_offset(usual)
        ));
    }
    None
}

/// Whether a post's pair counts among the site's: it is dated and published (or has no
/// status, as a capture of the site gives it).
pub fn is_published_dated(post: &PostFacts) -> bool {
    post.dates.is_some()
        && matches!(
            post.status.as_deref(),
            Some("publish" | "future" | "private") | None
        )
}

/// A published dated post, as the date rules report it.
#[derive(Serialize, Deserialize)]
pub struct DatedPost {
    pub post: SharedPost,
    pub file: usize,
    pub post_type: Option<Word>,
    /// `date` as seconds and nanoseconds since 1970, as if in UTC.
    local: (i64, u32),
    gmt_value: Text,
    gmt: (usize, usize),
    local_at: (usize, usize),
    skew: i32,
    modified_gmt: Option<(usize, usize)>,
}

impl DatedPost {
    pub fn of(post: &PostFacts, dates: &DateFacts) -> Self {
        let span = |at: &crate::site::Located| (at.range.start, at.range.end);
        let local = dates.local.and_utc();
        Self {
            post: SharedPost::of(post),
            file: post.file,
            post_type: post.post_type.clone(),
            local: (local.timestamp(), local.timestamp_subsec_nanos()),
            gmt_value: dates.gmt_value.clone(),
            gmt: span(&dates.gmt),
            local_at: span(&dates.local_at),
            skew: dates.skew,
            modified_gmt: dates.modified_gmt.as_ref().map(span),
        }
    }

    /// About what it costs a grouping on the heap.
    pub fn weight(&self) -> usize {
        self.post.weight() + text_weight(&self.gmt_value)
    }

    /// The post's date facts again, at `offset`.
    pub fn dates(&self, offset: i32) -> Option<DateFacts> {
        let located =
            |(start, end): (usize, usize)| crate::site::Located::new(start..end.max(start));
        let local = chrono::DateTime::from_timestamp(self.local.0, self.local.1)?.naive_utc();
        Some(DateFacts {
            offset,
            skew: self.skew,
            local,
            gmt_value: self.gmt_value.clone(),
            gmt: located(self.gmt),
            local_at: located(self.local_at),
            modified_gmt: self.modified_gmt.map(located),
        })
    }
}

/// The published dated posts of each site (numbered as the phase numbers them) by offset.
#[derive(Default)]
pub struct SiteTallies {
    sites: Vec<BTreeMap<i32, OffsetTally>>,
}

/// The published dated posts of a site at one offset (without clock skew): how many, how many
/// of them skewed, and their earliest and latest local dates.
struct OffsetTally {
    posts: usize,
    skewed: usize,
    first: chrono::NaiveDateTime,
    last: chrono::NaiveDateTime,
}

impl SiteTallies {
    /// Counts a post among its site's when its pair counts ([`is_published_dated`]); returns
    /// its dates then.
    pub fn add<'p>(&mut self, site: usize, post: &'p PostFacts) -> Option<&'p DateFacts> {
        let dates = post.dates.as_ref().filter(|_| is_published_dated(post))?;
        if self.sites.len() <= site {
            self.sites.resize_with(site + 1, BTreeMap::new);
        }
        let tally = self.sites[site].entry(dates.offset).or_insert(OffsetTally {
            posts: 0,
            skewed: 0,
            first: dates.local,
            last: dates.local,
        });
        tally.posts += 1;
        tally.skewed += usize::from(dates.skew != 0);
        tally.first = tally.first.min(dates.local);
        tally.last = tally.last.max(dates.local);
        Some(dates)
    }

    /// What each site's offsets say (`None` for a site with too few dated posts), by site.
    pub fn judge(&self) -> Vec<Option<Judged>> {
        self.sites.iter().map(judge_site).collect()
    }
}

/// What a site's published dated posts say of their offsets, when there are enough of them: the
/// usual one, and the odd ones `date-offset-suspicious` reports, with why.
pub struct Judged {
    pub usual: i32,
    /// How many posts are at the usual offset.
    pub count: usize,
    pub published: usize,
    pub odd: BTreeMap<i32, String>,
}

impl Judged {
    /// Whether the offset a skewed pair rounds to is one its site keeps, so that the seconds
    /// are a clock skew (`date-clock-skew`): fewer than `MIN_EVIDENCE` dated posts (`None`)
    /// say too little to doubt it; else `date-clock-skew` must not report it.
    pub fn keeps_offset(judged: Option<&Self>, offset: i32) -> bool {
        judged.is_none_or(|judged| !judged.odd.contains_key(&offset))
    }
}

/// `None` with fewer than `MIN_EVIDENCE` published dated posts.
fn judge_site(offsets: &BTreeMap<i32, OffsetTally>) -> Option<Judged> {
    let published: usize = offsets.values().map(|tally| tally.posts).sum();
    if published < MIN_EVIDENCE {
        return None;
    }
    let (usual, count) = usual_of(offsets.iter().map(|(offset, tally)| (*offset, tally.posts)))?;
    let odd = (offsets.iter())
        .filter_map(|(&offset, tally)| {
            let why = why_odd(offsets, (offset, tally), usual, published)?;
            Some((offset, why))
        })
        .collect();
    Some(Judged {
        usual,
        count,
        published,
        odd,
    })
}

/// Why the posts at `offset` look wrong next to the rest of the site's, if they do.
fn why_odd(
    offsets: &BTreeMap<i32, OffsetTally>,
    (offset, odd): (i32, &OffsetTally),
    usual: i32,
    published: usize,
) -> Option<String> {
    if let Some(why) = suspicion(offset, usual)
        && is_rare(odd.posts, published)
        && !is_an_era(offsets, (offset, odd))
    {
        return Some(why);
    }
    skewed_off_the_site(offset, usual, odd.posts, odd.skewed)
}

/// Posts of one era (all before or all after the rest) mean the site changed its zone, not
/// that they are wrong.
fn is_an_era(offsets: &BTreeMap<i32, OffsetTally>, (offset, odd): (i32, &OffsetTally)) -> bool {
    let rest = offsets.iter().filter(|(other, _)| **other != offset);
    let rest_first = rest.clone().map(|(_, tally)| tally.first).min();
    let rest_last = rest.map(|(_, tally)| tally.last).max();
    match (rest_first, rest_last) {
        (Some(rest_first), Some(rest_last)) => odd.last < rest_first || odd.first > rest_last,
        _ => true,
    }
}

/// A pair a few seconds off an offset no other post of the site has (and not its usual one):
/// the seconds are no clock skew on top of a right offset, the offset itself is wrong. One
/// post alone at an offset, skewed, is two signs at once; enough evidence is asked first.
fn skewed_off_the_site(offset: i32, usual: i32, posts: usize, skewed: usize) -> Option<String> {
    (posts == 1 && skewed == 1 && offset != usual).then(|| {
        format!(
            "no other post of the site is at {}, and this pair is seconds off it: not a clock \
             skew on a right offset, but a wrong offset (the site's posts are at {})",
            format_offset(offset),
            format_offset(usual)
        )
    })
}

/// Whether `odd` posts of `published` are few enough to be mistakes.
fn is_rare(odd: usize, published: usize) -> bool {
    (odd as f64) <= RARE_SHARE * published as f64
}
