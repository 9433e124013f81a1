//! What the empty-element rules decide for each other: which empty paragraph, heading or span a
//! rule in force reports, so that what is inside it is part of that one finding.

use std::ops::Range;

use crate::blocks::holds_nothing;
use crate::context::walk::Open;
use crate::context::{HtmlField, PostContext};
use crate::html::reader;
use crate::html::{Around, Closed, Comment, Element, ElementId, HtmlIndex};
use crate::post::{Form, HtmlFieldKind};

use super::codes::{BLOCK_EMPTY, EMPTY_HEADING, EMPTY_PARAGRAPH};
use super::headings::is_empty_heading;

/// The rule whose finding an empty paragraph is: `empty-paragraph`'s, or `block-empty`'s for
/// the `<p>` of an empty paragraph block; `None` for a paragraph that is not empty, or that
/// nobody reports. What is inside such a paragraph (an empty `<span>`, one left open) is part of that
/// one finding: `empty-span` and `unclosed-element` leave it out.
pub(crate) fn empty_paragraph_owner(
    field: &HtmlField<'_, '_>,
    element: &Element,
) -> Option<&'static str> {
    let index = &field.index;
    if &*element.name != "p" || element.has.text || element.has.media {
        return None;
    }
    // A paragraph holding a comment (`<!-- more -->`) is WordPress's own marker.
    let holds_comment = holds_comment(index, &element.content);
    // A link without text is `empty-link`'s finding; a script, an embed, an anchor target or
    // a form control keeps the paragraph on the page.
    if holds_comment
        || reader::holds_items(index, whole(element))
        || clears_floats(index, element)
        || is_auto_paragraph(field, element)
    {
        return None;
    }
    Some(if in_empty_paragraph_block(field, element) {
        BLOCK_EMPTY
    } else {
        EMPTY_PARAGRAPH
    })
}

/// Whether a comment lies inside `range`.
fn holds_comment(index: &HtmlIndex, range: &Range<usize>) -> bool {
    first_comment_from(index, range.start).is_some_and(|c| c.span.end <= range.end)
}

/// The first comment starting at or after `start`. The comments are in document order and do
/// not overlap, so it is the only one a range from `start` need look at: a search, not a scan
/// of every comment for every element (quadratic in a post of both).
pub(crate) fn first_comment_from(index: &HtmlIndex, start: usize) -> Option<&Comment> {
    let first = index.comments.partition_point(|c| c.span.start < start);
    index.comments.get(first)
}

/// A `<p>` that WordPress's auto-paragraph filter opened right before a block it does not
/// know (a plugin's form or table of contents `<div>`), which closed it at once: in rendered
/// content, with no end tag of its own. The editor never wrote it and cannot remove it.
fn is_auto_paragraph(field: &HtmlField<'_, '_>, paragraph: &Element) -> bool {
    let Closed::Implied { by } = &paragraph.closed else {
        return false;
    };
    field.form == Form::Rendered
        && paragraph.end_tag.is_none()
        && field
            .source
            .as_str()
            .get(by.clone())
            .is_some_and(opens_shortcode_block)
}

/// The blocks shortcodes and plugins write (expanded after the auto-paragraph filter ran, so
/// the filter's `<p>` is left before them). A heading or a list after `<p>` was written so.
fn opens_shortcode_block(tag: &str) -> bool {
    let name = tag
        .trim_start_matches('<')
        .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        name.as_str(),
        "div" | "form" | "table" | "section" | "figure" | "aside" | "nav"
    )
}

/// Whether the paragraph holds a `<br>` that clears floats (`<br style="clear:both">`,
/// `<br clear="all">`): a deliberate spacer that keeps what follows below floated images or
/// ads, not a blank line pressed by mistake.
fn clears_floats(index: &HtmlIndex, paragraph: &Element) -> bool {
    if !paragraph.has.line_break {
        return false;
    }
    let content = paragraph.content.clone();
    let first = index
        .elements
        .partition_point(|e| e.start_tag.start < content.start);
    index.elements[first..]
        .iter()
        .take_while(|e| e.start_tag.start < content.end)
        .filter(|e| &*e.name == "br")
        .any(|br| {
            index.attribute(br, "clear").is_some()
                || index
                    .attribute(br, "style")
                    .is_some_and(|s| index.value(s).to_ascii_lowercase().contains("clear"))
        })
}

/// The paragraph from its start tag to its end tag (or its start tag alone, without one).
pub(crate) fn whole(element: &Element) -> Range<usize> {
    element.start_tag.start
        ..element
            .end_tag
            .as_ref()
            .map_or(element.start_tag.end, |t| t.end)
}

/// Whether an element is inside an empty paragraph or heading a rule in force reports,
/// answered for the last paragraph and heading asked about, for a rule that asks of each element in turn: the spans of one
/// paragraph come one after another, and each answer walks the whole paragraph (asked afresh,
/// a paragraph of a hundred thousand spans costs ten billion steps).
#[derive(Default)]
pub(crate) struct ReportedAround {
    /// (the field's place in the post, the paragraph or heading, the answer).
    paragraph: Option<(usize, ElementId, bool)>,
    heading: Option<(usize, ElementId, bool)>,
}

impl ReportedAround {
    /// Whether the element is inside an empty paragraph or heading a rule in force reports;
    /// `field_at` tells the post's fields apart. `around` is what the walk keeps open around
    /// the element: its nearest paragraph and heading, which `HtmlIndex::ancestor` would find
    /// from a table of every element of the field.
    pub(crate) fn covers(
        &mut self,
        post: &PostContext<'_, '_>,
        (field, field_at): (&HtmlField<'_, '_>, usize),
        around: &Open,
    ) -> bool {
        if field.kind != HtmlFieldKind::Content {
            return false;
        }
        let index = &field.index;
        let paragraph = around.paragraph.map(|p| {
            remembered(&mut self.paragraph, (field_at, p), || {
                empty_paragraph_owner(field, &index.elements[p])
                    .is_some_and(|code| post.settings.is_enabled(code))
            })
        });
        paragraph == Some(true)
            || post.settings.is_enabled(EMPTY_HEADING)
                && around.heading.is_some_and(|h| {
                    remembered(&mut self.heading, (field_at, h), || {
                        is_empty_heading(index, &index.elements[h])
                    })
                })
    }

    /// [`Self::covers`] for a rule not on the walk: the paragraph and heading around the
    /// element found from the index's tables of them.
    pub(crate) fn covers_element(
        &mut self,
        post: &PostContext<'_, '_>,
        (field, field_at): (&HtmlField<'_, '_>, usize),
        element: &Element,
    ) -> bool {
        let index = &field.index;
        let around = Open {
            paragraph: index.ancestor(element, Around::Paragraph),
            heading: index.ancestor(element, Around::Heading),
            ..Open::default()
        };
        self.covers(post, (field, field_at), &around)
    }
}

/// The answer kept in `last` for `key`, or `answer()` kept there.
fn remembered(
    last: &mut Option<(usize, ElementId, bool)>,
    key: (usize, ElementId),
    answer: impl FnOnce() -> bool,
) -> bool {
    match *last {
        Some((field_at, id, kept)) if (field_at, id) == key => kept,
        _ => {
            let kept = answer();
            *last = Some((key.0, key.1, kept));
            kept
        }
    }
}

/// An empty paragraph block is `block-empty`'s finding (or a template's slot, when it has a
/// `placeholder`); removing only its `<p>` would leave a block the editor calls invalid.
fn in_empty_paragraph_block(field: &HtmlField<'_, '_>, element: &Element) -> bool {
    field
        .blocks
        .innermost_at(element.start_tag.start)
        .is_some_and(|b| {
            b.name == "core/paragraph"
                && b.content()
                    .is_some_and(|content| holds_nothing(&field.index, content))
        })
}

/// An id is an anchor target; a class or aria-hidden marks markup a block, a theme or a
/// renderer draws on purpose (a cover's dim layer, an icon slot).
pub(crate) fn is_deliberate(index: &HtmlIndex, element: &Element) -> bool {
    ["id", "class", "aria-hidden"]
        .iter()
        .any(|a| index.attribute(element, a).is_some())
}

/// A `<span>` with nothing in it, not even a line break, and nothing that marks it deliberate:
/// what `empty-span` reports, whatever its options.
pub(crate) fn is_bare_empty_span(index: &HtmlIndex, element: &Element) -> bool {
    let has = element.has;
    &*element.name == "span"
        && !has.text
        && !has.media
        && !has.line_break
        && !is_deliberate(index, element)
}
