use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use super::date_pairs::{PairProblem, check};
use super::declare_rule;

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
        phase: Post,
        reads: ["date", "date_gmt", "modified", "modified_gmt", "status"],
    }
}

impl Rule for DateClockSkew {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let skew = |problem: &PairProblem| matches!(problem, PairProblem::ClockSkew { .. });
        let mut date = Vec::new();
        check(post, &Self::META, ("date", "date_gmt"), skew, &mut date);
        let mut modified = Vec::new();
        check(
            post,
            &Self::META,
            ("modified", "modified_gmt"),
            skew,
            &mut modified,
        );
        match (date.pop(), modified.pop()) {
            (Some(date), Some(modified)) if same_pair(post) => out.push(merged(date, modified)),
            (date, modified) => out.extend(date.into_iter().chain(modified)),
        }
    }
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
