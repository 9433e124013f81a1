use std::collections::HashMap;

use crate::config::Effective;
use crate::context::PostContext;
use crate::dates::{ZoneSource, format_offset};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::Rule;
use crate::site::{DateFacts, PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::date_pairs::{PairProblem, check};

/// Fewer posts than this with dates say too little about a site's usual offset.
pub const MIN_EVIDENCE: usize = 5;
/// An odd offset is suspicious only while it stays this rare among the site's posts.
const RARE_SHARE: f64 = 0.05;

/// The offset most of a site's published posts have, and how many do.
fn usual_offset(posts: &[&PostFacts]) -> Option<(i32, usize)> {
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for post in posts {
        if let Some(dates) = &post.dates {
            *counts.entry(dates.offset).or_default() += 1;
        }
    }
    usual_of(counts)
}

/// The most frequent offset of `(offset, posts)` counts, the smaller one on a tie.
pub fn usual_of(counts: impl IntoIterator<Item = (i32, usize)>) -> Option<(i32, usize)> {
    counts.into_iter().max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(b.0.abs().cmp(&a.0.abs()))
            .then(b.0.cmp(&a.0))
    })
}

/// What looks wrong with an offset on a site whose usual offset is `usual`.
pub fn suspicion(offset: i32, usual: i32) -> Option<String> {
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

/// Posts of one era (all before or all after the rest) mean the site changed its zone, not
/// that they are wrong.
fn is_an_era(odd: &[&PostFacts], rest: &[&PostFacts]) -> bool {
    let dates = |posts: &[&PostFacts]| -> Vec<chrono::NaiveDateTime> {
        posts
            .iter()
            .filter_map(|p| p.dates.as_ref().map(|d| d.local))
            .collect()
    };
    let (odd, rest) = (dates(odd), dates(rest));
    let (Some(odd_min), Some(odd_max), Some(rest_min), Some(rest_max)) = (
        odd.iter().min(),
        odd.iter().max(),
        rest.iter().min(),
        rest.iter().max(),
    ) else {
        return true;
    };
    odd_max < rest_min || odd_min > rest_max
}

declare_rule! {
    /// ## What it does
    /// Warns about a `date`/`date_gmt` pair that looks wrong when the site's zone is not known
    /// for certain:
    /// - against a zone learnt from the site's REST index (`--site-index`), which tells only
    ///   today's setting: a post whose offset that zone did not have at the time;
    /// - with no zone at all, against the site's other posts in the run (a site is its root
    ///   URL, from the post's `_links.self`, else `--site`/`[site] url`, else its `link`):
    ///   `date == date_gmt` on a site whose posts otherwise carry an offset (local time written
    ///   as GMT, a classic import bug), or an offset twice or minus the site's usual one
    ///   (converted twice, or with the sign flipped).
    ///
    /// - with no zone, a pair a few seconds off an offset no other post of the site has (and
    ///   not its usual one): two signs at once, so neither rarity nor era is asked. The seconds
    ///   are no clock skew on a right offset, the offset is wrong; `date-clock-skew` leaves the
    ///   pair to this rule.
    ///
    /// A page's pair is an info: themes seldom show a page's date, and a published page
    /// schedules nothing.
    ///
    /// Conservative by design: it needs at least five dated posts of the site, the odd offset
    /// must be rare (at most 5% of them), and posts of one era (all older or all newer than the
    /// rest) are taken as a change of the site's zone, not as mistakes. The summary names the
    /// offset inferred for each site.
    ///
    /// ## Why it matters
    /// A wrong pair shows readers the wrong time and can publish a scheduled post hours early;
    /// without the site's zone, the other posts are the best witness.
    ///
    /// ## Example
    /// Forty posts of a site at +09:00, and one with `"date": "2024-07-15T08:00:00",
    /// "date_gmt": "2024-07-15T08:00:00"`.
    pub struct DateOffsetSuspicious {
        code: "date-offset-suspicious",
        severity: Warning,
        summary: "A date pair looks wrong next to the site's other posts or its REST index",
        phase: Site,
        reads: ["date", "date_gmt", "modified", "modified_gmt", "link", "status"],
    }
}

impl Rule for DateOffsetSuspicious {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let from_index = |problem: &PairProblem| {
            matches!(
                problem,
                PairProblem::WrongForZone {
                    source: ZoneSource::SiteIndex,
                    ..
                }
            )
        };
        check(post, &Self::META, ("date", "date_gmt"), from_index, out);
        check(
            post,
            &Self::META,
            ("modified", "modified_gmt"),
            from_index,
            out,
        );
    }

    fn check_site(
        &self,
        site_name: &str,
        posts: &[PostFacts],
        settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        if settings.site.zone.is_some() {
            return None;
        }
        let judged = SiteOffsets::judge(posts)?;
        for (offset, why) in &judged.odd {
            for post in &judged.by_offset[offset] {
                if let Some(dates) = &post.dates {
                    out.push(finding(site_name, post, dates, judged.usual, why));
                }
            }
        }
        Some(note(
            site_name,
            judged.usual,
            judged.by_offset[&judged.usual].len(),
            judged.published,
        ))
    }
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

/// What a site's published dated posts say of their offsets (without clock skew), when there
/// are enough of them: the usual one, and the odd ones this rule reports, with why.
pub struct SiteOffsets<'p> {
    pub usual: i32,
    pub published: usize,
    pub by_offset: HashMap<i32, Vec<&'p PostFacts>>,
    /// Sorted by offset.
    pub odd: Vec<(i32, String)>,
}

impl<'p> SiteOffsets<'p> {
    /// `None` with fewer than `MIN_EVIDENCE` published dated posts.
    pub fn judge(posts: &'p [PostFacts]) -> Option<Self> {
        let published: Vec<&PostFacts> = posts.iter().filter(|p| is_published_dated(p)).collect();
        if published.len() < MIN_EVIDENCE {
            return None;
        }
        let (usual, _) = usual_offset(&published)?;
        let mut by_offset: HashMap<i32, Vec<&PostFacts>> = HashMap::new();
        for post in &published {
            if let Some(dates) = &post.dates {
                by_offset.entry(dates.offset).or_default().push(post);
            }
        }
        let mut offsets: Vec<i32> = by_offset.keys().copied().collect();
        offsets.sort_unstable();
        let odd = offsets
            .into_iter()
            .filter_map(|offset| {
                let why = why_odd(offset, usual, &by_offset[&offset], &published)?;
                Some((offset, why))
            })
            .collect();
        Some(Self {
            usual,
            published: published.len(),
            by_offset,
            odd,
        })
    }

    /// Whether this rule reports the posts at an offset.
    pub fn is_odd(&self, offset: i32) -> bool {
        self.odd.iter().any(|(odd, _)| *odd == offset)
    }
}

/// Why the posts at `offset` look wrong next to the rest of the site's, if they do.
fn why_odd(
    offset: i32,
    usual: i32,
    odd: &[&PostFacts],
    published: &[&PostFacts],
) -> Option<String> {
    if let Some(why) = suspicion(offset, usual) {
        let rest: Vec<&PostFacts> = published
            .iter()
            .copied()
            .filter(|p| p.dates.as_ref().is_some_and(|d| d.offset != offset))
            .collect();
        if is_rare(odd.len(), published.len()) && !is_an_era(odd, &rest) {
            return Some(why);
        }
    }
    let skewed = odd
        .iter()
        .filter(|p| p.dates.as_ref().is_some_and(|d| d.skew != 0))
        .count();
    skewed_off_the_site(offset, usual, odd.len(), skewed)
}

/// A pair a few seconds off an offset no other post of the site has (and not its usual one):
/// the seconds are no clock skew on top of a right offset, the offset itself is wrong. One
/// post alone at an offset, skewed, is two signs at once; enough evidence is asked first.
pub fn skewed_off_the_site(offset: i32, usual: i32, posts: usize, skewed: usize) -> Option<String> {
    (posts == 1 && skewed == 1 && offset != usual).then(|| {
        format!(
            "no other post of the site is at {}, and this pair is seconds off it: not a clock \
             skew on a right offset, but a wrong offset (the site's posts are at {})",
            format_offset(offset),
            format_offset(usual)
        )
    })
}

/// Whether the offset a skewed pair rounds to is one its site keeps, so that the seconds are
/// a clock skew (`date-clock-skew`): fewer than `MIN_EVIDENCE` dated posts say too little to
/// doubt it; else this rule must not report it.
pub fn keeps_offset(judged: Option<&SiteOffsets<'_>>, offset: i32) -> bool {
    judged.is_none_or(|judged| !judged.is_odd(offset))
}

/// Whether `odd` posts of `published` are few enough to be mistakes.
pub fn is_rare(odd: usize, published: usize) -> bool {
    (odd as f64) <= RARE_SHARE * published as f64
}

/// The summary's line: the offset inferred for the site.
pub fn note(site_name: &str, usual: i32, count: usize, published: usize) -> String {
    format!(
        "{site_name}: {} ({count} of {published} dated posts)",
        format_offset(usual)
    )
}

/// The finding on the dates of `post`, odd next to the site's `usual` offset for `why`.
pub fn finding(
    site_name: &str,
    post: &PostFacts,
    dates: &DateFacts,
    usual: i32,
    why: &str,
) -> SiteFinding {
    let expected = dates.local - chrono::Duration::seconds(i64::from(usual));
    let mut diagnostic = Diagnostic::new(
        &DateOffsetSuspicious::META,
        dates.gmt.range.clone(),
        why.to_owned(),
    )
    .with_label(format!(
        "{} from `date`",
        format_offset(dates.offset + dates.skew)
    ))
    .with_secondary(dates.local_at.range.clone(), "local `date`")
    .with_help(format!(
        "{site_name} usually writes {}; if this post follows it, set `date_gmt` to \"{}\"",
        format_offset(usual),
        expected.format("%Y-%m-%dT%H:%M:%S")
    ));
    // A page's date is seldom shown to readers and schedules nothing once published.
    if post.post_type.as_deref() == Some("page") {
        diagnostic = diagnostic.with_severity(Severity::Info);
    }
    diagnostic.post = Some(post.post.clone());
    diagnostic.field = Some("date_gmt");
    SiteFinding::new(post.file, diagnostic, &dates.gmt_value)
}
