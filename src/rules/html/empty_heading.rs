use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::reader::{self, ItemKind};
use crate::html::structure::is_hidden_text;
use crate::html::{Around, Element, HtmlIndex};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a heading (`<h1>`–`<h6>`) with no text a reader can see: nothing, whitespace,
    /// `&nbsp;`, `<br>`, or only a link that lost its text.
    ///
    /// One defect, one finding: a heading holding only an empty link is reported here, not
    /// also by `empty-link`; `heading-level-skip` passes over empty headings.
    ///
    /// Empty headings in a row, with nothing but whitespace between them, are one gap to a
    /// reader: they are reported once, at the first.
    ///
    /// Not reported: a heading holding an image or other media; a heading holding a script,
    /// an embed or a form control (a script fills it in); a heading hidden from readers
    /// (`hidden`, `aria-hidden="true"`, `display:none`); a theme's or a block's title slot
    /// captured with the page (`entry-title`, `post-title`, `page-title`,
    /// `wp-block-post-title`), which the theme fills in from the post's title; a heading
    /// whose text an author wrote in angle brackets (`<h2><your name></h2>`), which the
    /// browser hides as an unknown element: `text-hidden-as-tag` reports that.
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
        let html = field.source.as_str();
        // Where the last empty heading ended: the next one right after it is the same gap.
        let mut run_end: Option<usize> = None;
        for heading in index.elements.iter().filter(|e| is_empty_heading(index, e)) {
            let continues_run = run_end.is_some_and(|end| {
                html.get(end..heading.start_tag.start)
                    .is_some_and(|between| between.trim().is_empty())
            });
            run_end = Some(element_end(heading));
            if continues_run {
                continue;
            }
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

fn element_end(element: &Element) -> usize {
    element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |t| t.end)
}

/// Whether an element is inside a heading this rule reports (with the rule in force): an empty
/// `<span>` there is part of that one finding.
pub(crate) fn in_reported_heading(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    element: &Element,
) -> bool {
    let index = &field.index;
    field.kind == HtmlFieldKind::Content
        && post.settings.is_enabled(EmptyHeading::META.code)
        && index
            .ancestor(element, Around::Heading)
            .is_some_and(|h| is_empty_heading(index, &index.elements[h]))
}

/// The level of a heading element: 1 for `h1` … 6 for `h6`.
pub(super) fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

/// A heading that shows a reader nothing, and that no script or embed inside it fills in.
pub(crate) fn is_empty_heading(index: &HtmlIndex, element: &Element) -> bool {
    heading_level(&element.name).is_some()
        && !element.has.text
        && !element.has.media
        && !is_hidden(index, element)
        && !is_theme_title(index, element)
        && !holds_page_items(index, element)
        && !holds_text_as_tag(index, element)
}

/// Text an author wrote in angle brackets (`<your email>`) that the browser read as an
/// unknown element and hides: `text-hidden-as-tag` reports it, once. An unknown name
/// without a hyphen is no custom element.
pub(crate) fn holds_text_as_tag(index: &HtmlIndex, element: &Element) -> bool {
    let first = index
        .elements
        .partition_point(|e| e.start_tag.start < element.content.start);
    index.elements[first..]
        .iter()
        .take_while(|e| e.start_tag.start < element.content.end)
        .any(|e| is_hidden_text(index, e))
}

/// A theme's or a block's title slot (`<h1 class="entry-title">`, a query loop's
/// `wp-block-post-title`) captured with the page: the theme fills it in, the author did not
/// write it as part of the post's outline.
pub(super) fn is_theme_title(index: &HtmlIndex, element: &Element) -> bool {
    has_class(index, element, |class| {
        matches!(
            class,
            "entry-title" | "post-title" | "page-title" | "wp-block-post-title"
        )
    })
}

/// Whether one of an element's classes is as `wanted` says.
pub(crate) fn has_class(
    index: &HtmlIndex,
    element: &Element,
    wanted: impl Fn(&str) -> bool,
) -> bool {
    index
        .attribute(element, "class")
        .is_some_and(|c| index.value(c).split_ascii_whitespace().any(wanted))
}

/// Hidden by its own attributes: readers see no gap, so nothing is missing.
pub(crate) fn is_hidden(index: &HtmlIndex, element: &Element) -> bool {
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
