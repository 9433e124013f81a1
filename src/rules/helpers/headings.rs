//! What the rules about headings and what hides in them share: what makes a heading empty, a
//! theme's title slot, a heading's level.

use super::elements::has_class;
use crate::html::reader::{self, ItemKind};
use crate::html::structure::is_hidden_text;
use crate::html::{Element, HtmlIndex};

/// The level of a heading element: 1 for `h1` … 6 for `h6`.
pub(crate) fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

/// A heading that shows a reader nothing, and that no script or embed inside it fills in.
pub(crate) fn is_empty_heading(index: &HtmlIndex, element: &Element) -> bool {
    is_empty_heading_if(index, element, || index.is_hidden(element))
}

/// The same, told by `is_hidden` whether readers miss the heading (the walk knows:
/// `At::hidden`), asked only of a heading with nothing in it.
pub(crate) fn is_empty_heading_if(
    index: &HtmlIndex,
    element: &Element,
    is_hidden: impl FnOnce() -> bool,
) -> bool {
    heading_level(&element.name).is_some()
        && !element.has.text
        && !element.has.media
        && !is_hidden()
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
pub(crate) fn is_theme_title(index: &HtmlIndex, element: &Element) -> bool {
    has_class(index, element, |class| {
        matches!(
            class,
            "entry-title" | "post-title" | "page-title" | "wp-block-post-title"
        )
    })
}

/// A script, an embed or a form control inside: something fills the heading in or stands in
/// it. Links and anchor targets do not count: they show nothing by themselves.
pub(crate) fn holds_page_items(index: &HtmlIndex, element: &Element) -> bool {
    let inside = element.content.clone();
    reader::items_in(index, inside)
        .any(|item| matches!(item.kind, ItemKind::Embed | ItemKind::Form))
}
