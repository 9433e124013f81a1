use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::Closed;
use crate::html::structure::is_hidden_text;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports tags closed in the wrong order, such as `<b><i>text</b></i>`: the `</b>` closes
    /// the `<b>` while the `<i>` inside it is still open.
    ///
    /// An info: browsers repair it (they close the inner element and reopen it after, in
    /// each paragraph it spans), so the formatting ends where the author put its end tag and
    /// only the markup is untidy.
    ///
    /// ## Why it matters
    /// The block editor may refuse to edit such a paragraph ("This block contains unexpected
    /// content"), and the next edit of the markup is harder to get right.
    ///
    /// ## Example
    /// ```html
    /// <p><b><i>Breaking</b></i> news</p>
    /// ```
    /// Close the tags in reverse order: `<b><i>Breaking</i></b>`.
    pub struct MisnestedTags {
        code: "misnested-tags",
        severity: Info,
        summary: "Tags closed in the wrong order (`<b><i>x</b></i>`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for MisnestedTags {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let html = field.source.as_str();
            for element in &field.index.elements {
                // Closed by another element's end tag, and its own end tag came after.
                let (Closed::Implied { by }, Some(own_end)) = (&element.closed, &element.end_tag)
                else {
                    continue;
                };
                // Text a browser hid is `text-hidden-as-tag`'s, whatever closes it.
                if !html[by.clone()].starts_with("</") || is_hidden_text(&field.index, element) {
                    continue;
                }
                let name = &element.name;
                let closer = html[by.clone()]
                    .trim_start_matches("</")
                    .trim_end_matches('>');
                out.push(
                    field
                        .diagnostic(&Self::META, post, own_end.clone(), format!("`</{name}>` comes after `</{closer}>`, which already closed `<{name}>`"))
                        .with_label("closes too late")
                        .with_secondary(field.file_range(by.clone()), format!("`<{name}>` was still open here"))
                        .with_help(format!("close `<{name}>` before `</{closer}>`: tags close in reverse order")),
                );
            }
        }
    }
}
