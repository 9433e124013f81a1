//! What `text-hidden-as-tag` reports as hidden text, which `unclosed-element` leaves to it: the
//! element such text makes, and the end tags written inside its tag.

use crate::html::structure::{code_block, is_hidden_text};
use crate::html::{Element, HtmlIndex};

/// Whether `text-hidden-as-tag` reports an element as hidden text: one in a code sample, or one that is
/// not a tool's markup. `unclosed-element` leaves to it the end tags such text swallowed.
pub(crate) fn is_reported_hidden_text(index: &HtmlIndex, element: &Element) -> bool {
    is_hidden_text(index, element)
        && (code_block(index, element).is_some() || !is_markup(index, element))
}

/// A tag with attributes given values (`<g class="gr_ …" data-gr-id="35">`, a browser
/// extension's markup pasted with the text): markup a tool wrote, not words between angle
/// brackets. What it wraps shows. In a code sample, such a tag is the code, and is reported.
fn is_markup(index: &HtmlIndex, element: &Element) -> bool {
    index
        .attributes_of(element)
        .iter()
        .any(|attribute| attribute.value_span.is_some())
}

/// The lower-case names of the end tags written in a tag's text: `</div` in `<ii</div>`.
pub(crate) fn end_tag_names_in(tag: &str) -> impl Iterator<Item = String> + '_ {
    tag.match_indices("</").filter_map(move |(at, _)| {
        let rest = &tag[at + 2..];
        let len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        (len > 0).then(|| rest[..len].to_ascii_lowercase())
    })
}
