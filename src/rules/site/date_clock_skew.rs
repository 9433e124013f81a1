use std::sync::Arc;

use crate::context::PostContext;
use crate::dates::{offset_of, without_clock_skew};
use crate::diagnostic::{Diagnostic, PostRef};
use crate::rule::Rule;
use crate::site::stages::{Grouping, SiteOut, SiteRule, SiteRun};
use crate::site::{DateFacts, PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::date_pairs::{PairProblem, check, clock_skew};
use crate::rules::helpers::site_offsets::{DatedPost, Judged, SiteTallies};

declare_rule! {
    /// ## What it does
    /// Reports a `date`/`date_gmt` or `modified`/`modified_gmt` pair whose offset is a right
    /// one give or take a few seconds (up to two minutes): `date` 13:45:26 with a `date_gmt`
    /// nine hours and 21 seconds earlier on a site at +09:00. Real offsets are whole quarters
    /// of an hour (and, when the site's zone is known, the zone's); seconds on top of one mean
    /// that two clocks wrote the pair, the editor's machine and the server, and disagreed. It
    /// is not a wrong time zone, so it is not a `date-gmt-mismatch` or `modified-gmt-mismatch`
    /// error; a pair that is a few seconds off a *wrong* offset still is.
    ///
    /// When the modified pair repeats the date pair (as it does on a post never edited since),
    /// the two are one finding, on `date_gmt`.
    ///
    /// Which offset is right needs a witness. With the site's zone known (`timezone`,
    /// `utc-offset`, `--site-index`), it is the zone's offset then. Without one, it is the
    /// site's other posts in the run, so a published post's date pair is judged in the site
    /// phase: the offset must be one the site keeps. A pair seconds off an offset no other
    /// post of the site has (a +04:30 on a site at −05:00) is no clock skew but a wrong
    /// offset, which `date-offset-suspicious` reports; nor is a pair whose offset that rule
    /// finds odd. With fewer than five dated posts, the site says too little to doubt the
    /// offset. Drafts, whose GMT date may float, and posts of no site are judged alone. The
    /// modified pair of an edited post is judged with its own post, and reported only when
    /// its offset is the date pair's, which the site phase judges.
    ///
    /// ## Why it matters
    /// Readers see the right time to the minute, but feeds and sitemaps carry the GMT value to
    /// the second, and a clock that is off will also skew scheduled posts. The fix (unsafe:
    /// which clock was right is not known) sets the GMT value from the local one.
    ///
    /// ## Example
    /// On a site at +09:00:
    /// ```json
    /// {"date": "2024-07-15T13:45:26", "date_gmt": "2024-07-15T04:45:05"}
    /// ```
    /// `date_gmt` is +09:00:21 from `date`: set it to `"2024-07-15T04:45:26"`.
    pub struct DateClockSkew {
        code: "date-clock-skew",
        severity: Info,
        summary: "A date pair is a right offset plus a few seconds: two clocks disagreed, not a wrong zone",
        phase: Site,
        reads: ["date", "date_gmt", "modified", "modified_gmt", "status", "link"],
    }
}

impl Rule for DateClockSkew {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let skew = |problem: &PairProblem| matches!(problem, PairProblem::ClockSkew { .. });
        // The site phase judges these against the site's other posts.
        let to_the_site = judged_by_the_site(post);
        let mut date = Vec::new();
        if !to_the_site {
            check(post, &Self::META, ("date", "date_gmt"), skew, &mut date);
        }
        // Judged here, a modified pair has the date pair's offset as its witness: the site
        // phase judges that one.
        let modified_alone = !to_the_site
            || (!same_pair(post)
                && nominal_offset(post, ("modified", "modified_gmt"))
                    == nominal_offset(post, ("date", "date_gmt")));
        let mut modified = Vec::new();
        if modified_alone {
            check(
                post,
                &Self::META,
                ("modified", "modified_gmt"),
                skew,
                &mut modified,
            );
        }
        match (date.pop(), modified.pop()) {
            (Some(date), Some(modified)) if same_pair(post) => out.push(merged(date, modified)),
            (date, modified) => out.extend(date.into_iter().chain(modified)),
        }
    }

    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        // With the site's zone known, each pair is judged with its own post.
        if run.settings.site.zone.is_some() {
            return None;
        }
        Some(Box::new(SkewedPairs {
            tallies: SiteTallies::default(),
            skewed: run.grouping(|_, (_, dated)| dated.weight()),
        }))
    }
}

/// The site rule: each site's offsets counted on the way, and the skewed pairs kept to be judged
/// against them.
struct SkewedPairs {
    tallies: SiteTallies,
    /// By site, then in the run's order.
    skewed: Grouping<(usize, usize, usize), (i32, DatedPost)>,
}

impl SiteRule for SkewedPairs {
    fn post(&mut self, site: usize, post: &PostFacts, _out: &mut SiteOut) -> Result<(), String> {
        let Some(dates) = self.tallies.add(site, post) else {
            return Ok(());
        };
        if dates.skew == 0 {
            return Ok(());
        }
        let key = (site, post.file, post.post.index);
        self.skewed
            .push(key, (dates.offset, DatedPost::of(post, dates)))
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let judged = self.tallies.judge();
        let mut skewed = self.skewed.records()?;
        for ((site, _, _), (offset, dated)) in skewed.by_ref() {
            let judged = judged.get(site).and_then(Option::as_ref);
            if !Judged::keeps_offset(judged, offset) {
                continue;
            }
            if let Some(dates) = dated.dates(offset) {
                out.found(site, site_finding((dated.file, &dated.post.0), &dates));
            }
        }
        skewed.error()
    }
}

/// The offset of a pair without its clock skew, when both dates are valid.
fn nominal_offset(post: &PostContext<'_, '_>, (local_key, gmt_key): (&str, &str)) -> Option<i64> {
    let (local, gmt) = (
        post.dates.get(local_key).value()?,
        post.dates.get(gmt_key).value()?,
    );
    Some(without_clock_skew(local, offset_of(local, gmt)))
}

/// Whether a post's date pair is judged in the site phase: the site's zone is not known, the
/// post is published (its pair counts among the site's) and belongs to a site.
fn judged_by_the_site(post: &PostContext<'_, '_>) -> bool {
    let status = post.post.str_at("status").map(|s| s.as_str());
    post.settings.site.zone.is_none()
        && matches!(status, Some("publish" | "future" | "private") | None)
        && post.site_root.is_some()
}

/// The finding on a published post's skewed date pair, from its site facts (and on its
/// modified pair, when that repeats it).
fn site_finding((file, post): (usize, &Arc<PostRef>), dates: &DateFacts) -> SiteFinding {
    let mut diagnostic = clock_skew(
        &DateClockSkew::META,
        ("date", "date_gmt"),
        (dates.local, dates.offset + dates.skew, dates.offset),
        (dates.gmt.range.clone(), dates.local_at.range.clone()),
    );
    if let Some(modified_gmt) = &dates.modified_gmt {
        let modified = clock_skew(
            &DateClockSkew::META,
            ("modified", "modified_gmt"),
            (dates.local, dates.offset + dates.skew, dates.offset),
            (modified_gmt.range.clone(), dates.local_at.range.clone()),
        );
        diagnostic = merged(diagnostic, modified);
    }
    diagnostic.post = Some(post.clone());
    SiteFinding::new(file, diagnostic, &dates.gmt_value)
}

/// Whether the modified pair repeats the date pair, value for value.
fn same_pair(post: &PostContext<'_, '_>) -> bool {
    let text = |key: &str| post.post.str_at(key).map(|s| s.as_str().to_owned());
    text("date") == text("modified") && text("date_gmt") == text("modified_gmt")
}

/// The date pair's finding, also pointing at (and fixing) the modified pair it repeats.
fn merged(date: Diagnostic, modified: Diagnostic) -> Diagnostic {
    let mut date = date.with_secondary(modified.range.clone(), "`modified_gmt`, the same skew");
    if let (Some(fix), Some(other)) = (date.fix.as_mut(), modified.fix) {
        fix.edits.extend(other.edits);
        fix.message = "set `date_gmt` and `modified_gmt` from `date` and `modified`".into();
    }
    date
}
