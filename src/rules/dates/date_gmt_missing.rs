use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `date_gmt` or `modified_gmt` that is `null` or `0000-00-00T00:00:00` on a
    /// post that is published, scheduled or private. Drafts may have no GMT date (it floats
    /// until they are published); a post whose REST answer has no `date_gmt` at all (as in
    /// `context=embed`), or no local date either, is not reported.
    ///
    /// ## Why it matters
    /// WordPress core never returns that for a published post: a plugin or a proxy broke the
    /// value, and every feed and sitemap that reads it gets no date or a wrong one.
    ///
    /// ## Example
    /// ```json
    /// {"status": "publish", "date": "2024-07-15T08:00:00", "date_gmt": null}
    /// ```
    pub struct DateGmtMissing {
        code: "date-gmt-missing",
        severity: Error,
        summary: "A published post has no date_gmt or modified_gmt",
        phase: Post,
        reads: ["date_gmt", "modified_gmt", "status"],
    }
}

impl Rule for DateGmtMissing {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let status = post.post.str_at("status").map(|s| s.as_str());
        if !matches!(status, Some("publish" | "future" | "private")) {
            return;
        }
        for (local, key, field) in [
            ("date", "date_gmt", "date_gmt"),
            ("modified", "modified_gmt", "modified_gmt"),
        ] {
            // Without the local date either, the post has no dates at all (a stripped or
            // synthetic export): nothing to compute the GMT date from.
            let has_local = post.dates.get(local).value().is_some();
            if !has_local || !post.dates.get(key).is_unset() {
                continue;
            }
            let Some(node) = post.post.node.get(key) else {
                continue;
            };
            out.push(
                post.value_diagnostic(&Self::META, &node.span, field, format!("`{key}` is not set on a `{}` post", status.unwrap_or_default()))
                    .with_label("no GMT date")
                    .with_help(format!("set `{key}` from the local date and the site's offset; WordPress core never leaves it empty once published")),
            );
        }
    }
}
