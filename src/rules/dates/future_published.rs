use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a published or private post whose `date_gmt` is later than now (`--now`, or
    /// the clock).
    ///
    /// ## Why it matters
    /// WordPress would have stored such a post as scheduled (`future`); a published one dated
    /// ahead was written to the database directly or by a server with a wrong clock, and it
    /// sorts above everything newer in lists and feeds.
    ///
    /// ## Example
    /// `"status": "publish", "date_gmt": "2031-01-01T00:00:00"`.
    pub struct FuturePublished {
        code: "future-published",
        severity: Warning,
        summary: "A published post is dated in the future",
        phase: Post,
        reads: ["date_gmt", "status"],
    }
}

impl Rule for FuturePublished {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let status = post.post.str_at("status").map(|s| s.as_str());
        if !matches!(status, Some("publish" | "private")) {
            return;
        }
        let gmt = post.dates.get("date_gmt");
        let (Some(value), Some(text)) = (gmt.value(), gmt.text()) else {
            return;
        };
        if value <= post.now {
            return;
        }
        out.push(
            post.value_diagnostic(
                &Self::META,
                &text.raw,
                "date_gmt",
                format!(
                    "published, but dated {} UTC, after now",
                    value.format("%Y-%m-%d %H:%M")
                ),
            )
            .with_label("in the future")
            .with_help("schedule it (status `future`) or correct the date"),
        );
    }
}
