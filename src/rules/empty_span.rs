use serde::Deserialize;

use crate::context::PostContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::html::Element;
use crate::rule::Rule;

use super::declare_rule;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// A span holding only a `<br>` is a line break, not an empty span.
    pub allow_line_break: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_line_break: true,
        }
    }
}

fn is_empty(element: &Element, options: &Options) -> bool {
    let line_break_only = options.allow_line_break && element.has.line_break;
    &*element.name == "span" && !element.has.text && !element.has.media && !line_break_only
}

declare_rule! {
    /// ## What it does
    /// Reports a `<span>` with nothing a reader can see in it: no text once character
    /// references are decoded, or only whitespace, `&nbsp;` or other empty spans. Nested
    /// empty spans are reported once, at the outermost.
    ///
    /// Not reported: a span with an `id` (an anchor target); a span with a `class` or
    /// `aria-hidden`, which a block, a theme or a renderer draws on purpose (the cover block's
    /// dim layer, a page builder's icon slot, KaTeX's struts); a span holding an image or
    /// other media; and, with `allow-line-break = true` (the default), a span holding only a
    /// `<br>`.
    ///
    /// ## Why it matters
    /// Empty spans are left behind by pasting from word processors and by editors' undo; they
    /// carry styles that do nothing, bloat the page and confuse the next edit.
    ///
    /// ## Example
    /// ```html
    /// <p>Officials <span style="color:red"></span>signed <span> </span>the guidelines.</p>
    /// ```
    /// Remove both spans.
    pub struct EmptySpan {
        code: "empty-span",
        severity: Warning,
        summary: "A `<span>` with nothing a reader can see in it",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
        options: Options,
    }
}

impl Rule for EmptySpan {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let options = post.settings.options::<Options>(Self::META.code);
        for field in post
            .html
            .iter()
            .filter(|f| f.kind != crate::post::HtmlFieldKind::Title)
        {
            let index = &field.index;
            for element in &index.elements {
                // An id is an anchor target; a class or aria-hidden marks markup a block, a
                // theme or a renderer draws on purpose (a cover's dim layer, an icon slot).
                let deliberate = ["id", "class", "aria-hidden"]
                    .iter()
                    .any(|a| index.attribute(element, a).is_some());
                if !is_empty(element, &options) || deliberate {
                    continue;
                }
                let inside_empty_span = element
                    .parent
                    .is_some_and(|p| is_empty(&index.elements[p], &options));
                if inside_empty_span {
                    continue;
                }
                let whole = element.start_tag.start
                    ..element
                        .end_tag
                        .as_ref()
                        .map_or(element.content.end, |t| t.end);
                let removal = Edit::delete(field.file_range(whole.clone()));
                out.push(
                    field
                        .diagnostic(&Self::META, post, whole, "`<span>` has no content")
                        .with_fix(
                            Applicability::Safe,
                            "remove the empty `<span>`",
                            vec![removal],
                        )
                        .with_label("empty span")
                        .with_help("remove the empty `<span>`"),
                );
            }
        }
    }
}
