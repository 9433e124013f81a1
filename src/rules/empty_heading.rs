use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::reader::{self, ItemKind};
use crate::html::{Element, HtmlIndex};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a heading (`<h1>`–`<h6>`) with no text a reader can see: nothing, whitespace,
    /// `&nbsp;`, `<br>`, or only a link that lost its text.
    ///
    /// One defect, one finding: a heading holding only an empty link is reported here, not
    /// also by `empty-link`; `heading-level-skip` passes over empty headings.
    ///
    /// Not reported: a heading holding an image or other media; a heading holding a script,
    /// an embed or a form control (a script fills it in); a heading hidden from readers
    /// (`hidden`, `aria-hidden="true"`, `display:none`).
    ///
    /// ## Why it matters
    /// Readers see a gap where a heading should be, and screen readers announce "heading
    /// level 4" with nothing after it. The text was usually lost in an edit or an import.
    ///
    /// ## Example
    /// ```html
    /// <h4 class="wp-block-heading"></h4>
    /// <p>The committee met on Tuesday.</p>
    /// ```
    /// Write the heading, or remove the empty `<h4></h4>`.
    pub struct EmptyHeading {
        code: "empty-heading",
        severity: Warning,
        summary: "A heading with no visible text (`<h4></h4>`, `<h2>&nbsp;</h2>`, `<h3><br></h3>`)",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for EmptyHeading {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Content) else {
            return;
        };
        let index = &field.index;
        for heading in index.elements.iter().filter(|e| is_empty_heading(index, e)) {
            let level = &heading.name;
            out.push(
                field
                    .diagnostic(
                        &Self::META,
                        post,
                        heading.start_tag.clone(),
                        format!("empty `<{level}>`: readers see a gap where a heading should be"),
                    )
                    .with_label("no text")
                    .with_help(format!(
                        "write the heading's text, or remove the empty `<{level}></{level}>`"
                    )),
            );
        }
    }
}

/// The level of a heading element: 1 for `h1` … 6 for `h6`.
pub(super) fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

/// A heading that shows a reader nothing, and that no script or embed inside it fills in.
pub(super) fn is_empty_heading(index: &HtmlIndex, element: &Element) -> bool {
    heading_level(&element.name).is_some()
        && !element.has.text
        && !element.has.media
        && !is_hidden(index, element)
        && !holds_page_items(index, element)
}

/// Hidden by its own attributes: readers see no gap, so nothing is missing.
pub(super) fn is_hidden(index: &HtmlIndex, element: &Element) -> bool {
    let value = |name: &str| index.attribute(element, name).map(|a| index.value(a));
    if value("hidden").is_some() || value("aria-hidden").is_some_and(|v| v.trim() == "true") {
        return true;
    }
    value("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// A script, an embed or a form control inside: something fills the heading in or stands in
/// it. Links and anchor targets do not count: they show nothing by themselves.
fn holds_page_items(index: &HtmlIndex, element: &Element) -> bool {
    let inside = element.content.clone();
    reader::items_in(index, inside)
        .any(|item| matches!(item.kind, ItemKind::Embed | ItemKind::Form))
}
