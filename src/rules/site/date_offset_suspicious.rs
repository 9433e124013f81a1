use std::sync::Arc;

use crate::context::PostContext;
use crate::dates::{ZoneSource, format_offset};
use crate::diagnostic::{Diagnostic, PostRef, Severity};
use crate::rule::Rule;
use crate::site::stages::{Grouping, Keyed, PostPlace, SiteOut, SiteRule, SiteRun};
use crate::site::{DateFacts, PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::date_pairs::{PairProblem, check};
use crate::rules::helpers::site_offsets::{DatedPost, SiteTallies};

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

    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        // With the site's zone known, each pair is judged by itself.
        if run.settings.site.zone.is_some() {
            return None;
        }
        Some(Box::new(OddOffsets {
            tallies: SiteTallies::default(),
            dated: run.grouping(|_, dated| dated.weight()),
        }))
    }
}

/// The site rule: each site's offsets counted on the way, the dated posts grouped by offset, and
/// the posts of the odd offsets read back.
struct OddOffsets {
    tallies: SiteTallies,
    dated: Grouping<ByOffset, DatedPost>,
}

/// A dated post's site and offset, then its place in the run.
type ByOffset = Keyed<(usize, i32), PostPlace>;

impl SiteRule for OddOffsets {
    fn post(&mut self, site: usize, post: &PostFacts, _out: &mut SiteOut) -> Result<(), String> {
        let Some(dates) = self.tallies.add(site, post) else {
            return Ok(());
        };
        let key = Keyed {
            group: (site, dates.offset),
            order: PostPlace::of(post, 0),
        };
        self.dated.push(key, DatedPost::of(post, dates))
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let judged = self.tallies.judge();
        for (site, judged) in judged.iter().enumerate() {
            if let Some(judged) = judged {
                let note = note(
                    out.site_name(site),
                    judged.usual,
                    judged.count,
                    judged.published,
                );
                out.note(site, note);
            }
        }
        if judged.iter().flatten().all(|judged| judged.odd.is_empty()) {
            return Ok(());
        }
        let mut groups = self.dated.groups()?;
        while let Some(group) = groups.next_group() {
            let (site, offset) = *group.key();
            let Some(Some(judged)) = judged.get(site) else {
                continue;
            };
            let Some(why) = judged.odd.get(&offset) else {
                continue;
            };
            for (_, dated) in group {
                let Some(dates) = dated.dates(offset) else {
                    continue;
                };
                let page = dated.post_type.as_deref() == Some("page");
                let on = (dated.file, &dated.post.0, page);
                out.found(
                    site,
                    finding(out.site_name(site), on, &dates, judged.usual, why),
                );
            }
        }
        groups.error()
    }
}

/// The summary's line: the offset inferred for the site.
fn note(site_name: &str, usual: i32, count: usize, published: usize) -> String {
    format!(
        "{site_name}: {} ({count} of {published} dated posts)",
        format_offset(usual)
    )
}

/// The finding on the dates of `post`, odd next to the site's `usual` offset for `why`.
fn finding(
    site_name: &str,
    (file, post, page): (usize, &Arc<PostRef>, bool),
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
    if page {
        diagnostic = diagnostic.with_severity(Severity::Info);
    }
    diagnostic.post = Some(post.clone());
    diagnostic.field = Some("date_gmt");
    SiteFinding::new(file, diagnostic, &dates.gmt_value)
}
