//! Whether a link is named by its images alone and none of them names it: `image-link-unnamed`
//! reports such a link, and `image-missing-alt` leaves to it the images without `alt` in it.

use crate::html::{Element, ElementId, HtmlIndex, is_blank, is_media};

/// Whether the `<a>` at `id` holds only images, none of which has a text alternative, and
/// nothing else names it: a link without an accessible name.
pub(crate) fn has_no_name(index: &HtmlIndex, id: ElementId) -> bool {
    named_by_images_alone(index, id)
        .is_some_and(|mut images| images.all(|image| !has_text_alternative(index, image)))
}

/// The media a link holds, when they are all it holds and only their text alternatives can
/// name it: an `<a href>` with no text, no `aria-label`, `aria-labelledby` or `title`, not
/// hidden, whose media are all images. `None` for any other element.
pub(crate) fn named_by_images_alone(
    index: &HtmlIndex,
    id: ElementId,
) -> Option<impl Iterator<Item = &Element>> {
    let link = index.elements.get(id)?;
    if &*link.name != "a" || link.has.text || !link.has.media {
        return None;
    }
    let named = ["aria-label", "aria-labelledby", "title"]
        .iter()
        .filter_map(|name| index.attribute(link, name))
        .any(|a| !is_blank(index.value(a)));
    let has_href = index
        .attribute(link, "href")
        .is_some_and(|href| !index.value(href).trim().is_empty());
    if named || !has_href || index.is_hidden(link) {
        return None;
    }
    let inside = link.content.clone();
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < inside.start);
    let media = index.elements[from..]
        .iter()
        .take_while(move |e| e.start_tag.start < inside.end)
        // A `<picture>` shows the `<img>` inside it, which decides.
        .filter(|e| is_media(&e.name) && &*e.name != "picture");
    media.clone().all(|e| &*e.name == "img").then_some(media)
}

/// An `alt`, `aria-label` or `aria-labelledby` that says something.
fn has_text_alternative(index: &HtmlIndex, image: &Element) -> bool {
    ["alt", "aria-label", "aria-labelledby"]
        .iter()
        .filter_map(|name| index.attribute(image, name))
        .any(|a| !is_blank(index.value(a)))
}
