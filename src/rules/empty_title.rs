use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::is_blank;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a post whose `title.rendered` is empty, or only whitespace and character
    /// references such as `&nbsp;`. A post without a `title` field at all (a response limited
    /// with `_fields`) is not reported.
    ///
    /// ## Why it matters
    /// An untitled post shows as "(no title)" in lists, feeds and search results, and its
    /// permalink falls back to its id.
    ///
    /// ## Example
    /// ```json
    /// {"id": 12, "title": {"rendered": "&nbsp;"}}
    /// ```
    pub struct EmptyTitle {
        code: "empty-title",
        severity: Error,
        summary: "The title is empty",
        phase: Post,
        reads: ["title.rendered"],
    }
}

impl Rule for EmptyTitle {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Title) else {
            return;
        };
        if !is_blank(&field.index.plain_text()) {
            return;
        }
        // An empty string has no bytes to point at: point at its quotes, the whole value.
        let source = field.source;
        let value = post.file_range(&(source.raw.start.saturating_sub(1)..source.raw.end + 1));
        let mut diagnostic = field
            .diagnostic(
                &Self::META,
                post,
                0..source.as_str().len(),
                "the post has no title",
            )
            .with_label("empty title")
            .with_help("give the post a title");
        if source.as_str().is_empty() {
            diagnostic.range = value;
        }
        out.push(diagnostic);
    }
}
