use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::{Element, HtmlIndex};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `<img>` with no source to show: no `src`, `src=""` or `src="#"`, and no
    /// other source that a browser or a lazy-loading script uses instead.
    ///
    /// Not reported: an image with a non-empty `srcset`, or a lazy-load source (`data-src`,
    /// `data-lazy-src`, `data-srcset`, `data-original` and other `data-…src…` attributes),
    /// which a script copies into `src`; an image inside a `<picture>` that has a
    /// `<source srcset>`.
    ///
    /// ## Why it matters
    /// Readers see a broken-image icon or an empty gap, and with `src=""` some browsers
    /// request the page itself again. The image was lost when the post was pasted or
    /// imported, or its upload never finished.
    ///
    /// ## Example
    /// ```html
    /// <img src="" alt="The new bridge at night">
    /// ```
    /// Restore the image's address, or remove the `<img>`.
    pub struct ImageSrcMissing {
        code: "image-src-missing",
        severity: Error,
        summary: "An `<img>` without a source (`src` missing, empty or `#`, and no srcset or lazy-load source)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for ImageSrcMissing {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let fields = post.html.iter().filter(|f| f.kind != HtmlFieldKind::Title);
        for field in fields {
            let index = &field.index;
            for image in index.elements.iter().filter(|e| &*e.name == "img") {
                let Some(message) = missing_source(index, image) else {
                    continue;
                };
                out.push(
                    field
                        .diagnostic(&Self::META, post, image.start_tag.clone(), message)
                        .with_label("no image to show")
                        .with_help("restore the image's address in `src`, or remove the `<img>`"),
                );
            }
        }
    }
}

/// What is wrong with an image's source, when it has none that anything would load.
fn missing_source(index: &HtmlIndex, image: &Element) -> Option<&'static str> {
    let message = match index.attribute(image, "src").map(|a| index.value(a).trim()) {
        None => "`<img>` has no `src`: readers see no image",
        Some("") => "`<img>` has an empty `src`: readers see no image",
        Some("#") => "`<img src=\"#\">` points at no image: readers see none",
        Some(_) => return None,
    };
    if has_other_source(index, image) || picture_has_source(index, image) {
        return None;
    }
    Some(message)
}

/// A non-empty `srcset`, or a lazy-load source such as `data-src` that a script moves to `src`.
fn has_other_source(index: &HtmlIndex, image: &Element) -> bool {
    index.attributes_of(image).iter().any(|attribute| {
        let name = &*attribute.name;
        let is_source = name == "srcset"
            || name == "data-original"
            || (name.starts_with("data-") && name.contains("src"));
        is_source && !matches!(index.value(attribute).trim(), "" | "#")
    })
}

/// An `<img>` in a `<picture>` whose `<source srcset>` the browser picks first.
fn picture_has_source(index: &HtmlIndex, image: &Element) -> bool {
    let Some(parent) = image.parent else {
        return false;
    };
    let picture = &index.elements[parent];
    if &*picture.name != "picture" {
        return false;
    }
    index.elements[parent + 1..]
        .iter()
        .take_while(|e| e.start_tag.start < picture.content.end)
        .filter(|e| &*e.name == "source")
        .any(|source| has_other_source(index, source))
}
