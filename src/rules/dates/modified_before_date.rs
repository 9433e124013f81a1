use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a post whose `modified` is earlier than its `date`. Off by default: a
    /// scheduled post edited before it went live legitimately has that (the seed post was
    /// modified the evening before it was published), so this is for audits of imports.
    ///
    /// ## Why it matters
    /// In an import, it shows dates that were copied or converted inconsistently.
    ///
    /// ## Example
    /// `"date": "2024-07-15T08:00:00", "modified": "2024-07-14T23:52:36"`.
    pub struct ModifiedBeforeDate {
        code: "modified-before-date",
        severity: Info,
        summary: "modified is earlier than date (off by default; for import audits)",
        phase: Post,
        reads: ["date", "modified"],
        enabled: false,
    }
}

impl Rule for ModifiedBeforeDate {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let date = post.dates.get("date");
        let modified = post.dates.get("modified");
        let (Some(date_value), Some(modified_value), Some(text)) =
            (date.value(), modified.value(), modified.text())
        else {
            return;
        };
        if modified_value >= date_value {
            return;
        }
        let date_range = date.text().map(|t| post.file_range(&t.raw));
        let mut diagnostic = post
            .value_diagnostic(&Self::META, &text.raw, "modified", "`modified` is earlier than `date`")
            .with_label("before the post's date")
            .with_help("fine for a post scheduled and edited before it went live; otherwise check the import");
        if let Some(range) = date_range {
            diagnostic = diagnostic.with_secondary(range, "`date`");
        }
        out.push(diagnostic);
    }
}
