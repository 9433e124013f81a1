use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::dates::ZoneSource;
use crate::rules::declare_rule;
use crate::rules::helpers::date_pairs::{PairProblem, check};

declare_rule! {
    /// ## What it does
    /// Reports a post whose `modified` and `modified_gmt` cannot both be right. WordPress stores every
    /// date twice, in the site's local time and in UTC, and `modified − modified_gmt` is the offset the
    /// site used. The pair is impossible when that offset is outside −12:00…+14:00, or (after
    /// 1900) not a whole quarter of an hour, or, when the site's zone is known (`timezone`,
    /// `utc-offset` and `[[timezone-history]]` in a pack, or `--timezone`), not an offset the
    /// zone had at that instant.
    ///
    /// Legitimate pairs are never reported: daylight saving (the `date` and `modified` pairs
    /// of one post an hour apart), posts written before the site changed its zone (give the
    /// history), drafts whose GMT date floats, the hour around a daylight-saving switch (where
    /// WordPress itself writes an hour off), local mean time before 1900, and a right offset
    /// plus a few seconds (a clock skew: `date-clock-skew`). A zone learnt
    /// from a site index (`--site-index`) is today's only: mismatches against it are
    /// `date-offset-suspicious` warnings instead.
    ///
    /// ## Why it matters
    /// Feeds, sitemaps, scheduled publishing and "updated" labels use the GMT value: when the
    /// pair disagrees, readers see the wrong time, and the post may publish an hour early or
    /// late.
    ///
    /// ## Example
    /// On a site in Asia/Seoul (+09:00):
    /// ```json
    /// {"modified": "2024-07-15T08:00:00", "modified_gmt": "2024-07-15T08:00:00"}
    /// ```
    /// The help gives the corrected value: `"modified_gmt": "2024-07-14T23:00:00"`.
    pub struct ModifiedGmtMismatch {
        code: "modified-gmt-mismatch",
        severity: Error,
        summary: "`modified` and `modified_gmt` disagree with each other or with the site's zone",
        phase: Post,
        reads: ["modified", "modified_gmt", "status"],
    }
}

impl Rule for ModifiedGmtMismatch {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let from_config = |problem: &PairProblem| match problem {
            PairProblem::Impossible(_) => true,
            PairProblem::WrongForZone { source, .. } => *source == ZoneSource::Config,
            // Seconds off a right offset: `date-clock-skew`, not a wrong zone.
            PairProblem::ClockSkew { .. } => false,
        };
        check(
            post,
            &Self::META,
            ("modified", "modified_gmt"),
            from_config,
            out,
        );
    }
}
