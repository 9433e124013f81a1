use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a scheduled post (`status: future`) whose `date_gmt` has passed (against
    /// `--now`, or the clock).
    ///
    /// ## Why it matters
    /// The post should be live and is not: WP-Cron never fired (a site with little traffic,
    /// or `DISABLE_WP_CRON` without a real cron job). WordPress shows it as "Missed schedule".
    ///
    /// ## Example
    /// `"status": "future", "date_gmt": "2024-01-01T00:00:00"` a year later.
    pub struct MissedSchedule {
        code: "missed-schedule",
        severity: Warning,
        summary: "A scheduled post's time has passed (WP-Cron never published it)",
        phase: Post,
        reads: ["date_gmt", "status"],
    }
}

impl Rule for MissedSchedule {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        if post.post.str_at("status").map(|s| s.as_str()) != Some("future") {
            return;
        }
        let gmt = post.dates.get("date_gmt");
        let (Some(value), Some(text)) = (gmt.value(), gmt.text()) else {
            return;
        };
        if value >= post.now {
            return;
        }
        out.push(
            post.value_diagnostic(
                &Self::META,
                &text.raw,
                "date_gmt",
                format!(
                    "scheduled for {} UTC, which has passed",
                    value.format("%Y-%m-%d %H:%M")
                ),
            )
            .with_label("missed schedule")
            .with_help(
                "publish it now, and check that WP-Cron runs (a real cron job calling wp-cron.php)",
            ),
        );
    }
}
