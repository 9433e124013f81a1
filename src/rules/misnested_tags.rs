use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::structure::is_hidden_text;
use crate::html::{Closed, HtmlIndex, is_blank};
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports tags closed in the wrong order, such as `<b><i>text</b></i>`: the `</b>` closes
    /// the `<b>` while the `<i>` inside it is still open.
    ///
    /// A warning when text lies between the two end tags: browsers carry the formatting over
    /// it, further than the author meant. An info when nothing a reader sees lies between
    /// them (`<b><i>text</b></i>`, or an `<em>` closed just after the `</p>` it spans):
    /// browsers end the formatting where the author meant, and only the markup is untidy.
    ///
    /// ## Why it matters
    /// Browsers repair misnested formatting by closing and reopening elements behind the
    /// scenes, so the formatting may run on further than the author meant, and the block
    /// editor may refuse to edit the paragraph ("This block contains unexpected content").
    ///
    /// ## Example
    /// ```html
    /// <p><b><i>Breaking</b></i> news</p>
    /// ```
    /// Close the tags in reverse order: `<b><i>Breaking</i></b>`.
    pub struct MisnestedTags {
        code: "misnested-tags",
        severity: Warning,
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
                let severity = if text_between(&field.index, by.end..own_end.start) {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(
                    field
                        .diagnostic(&Self::META, post, own_end.clone(), format!("`</{name}>` comes after `</{closer}>`, which already closed `<{name}>`"))
                        .with_severity(severity)
                        .with_label("closes too late")
                        .with_secondary(field.file_range(by.clone()), format!("`<{name}>` was still open here"))
                        .with_help(format!("close `<{name}>` before `</{closer}>`: tags close in reverse order")),
                );
            }
        }
    }
}

/// Whether a reader sees text between the end tag that closed an element and its own.
fn text_between(index: &HtmlIndex, between: std::ops::Range<usize>) -> bool {
    index
        .texts_in(between)
        .iter()
        .any(|text| !is_blank(index.text(text)))
}
