use fnv::FnvHashSet;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::{Element, ElementId, HtmlIndex};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;

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
    /// An `<img alt="">` without a source beside an image that has one (in the same figure,
    /// paragraph or cell, looking through a link or `<picture>` around either) is an info: the
    /// reader sees the image beside it, and `alt=""` hides the empty one from screen readers
    /// too. A lazy-loading plugin's placeholder left behind, or a copy of the image's markup.
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
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Image])
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(ImagesWithoutSource {
            shown: None,
            out: Vec::new(),
        }))
    }
}

/// The images of a post's fields but the title, judged as the walk meets them.
struct ImagesWithoutSource {
    /// The holders of the shown images of the field being walked, built for its first image
    /// without a source only: most fields have none.
    shown: Option<(usize, FnvHashSet<ElementId>)>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for ImagesWithoutSource {
    fn element(&mut self, at: &At<'v>, _id: ElementId, image: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind == HtmlFieldKind::Title {
            return;
        }
        let Some(message) = missing_source(index, image) else {
            return;
        };
        if self.shown.as_ref().is_none_or(|(of, _)| *of != at.field_at) {
            self.shown = Some((at.field_at, holders_of_shown_images(index)));
        }
        let beside = self
            .shown
            .as_ref()
            .is_some_and(|(_, shown)| holder(index, image).is_some_and(|h| shown.contains(&h)));
        let diagnostic = if is_decorative(index, image) && beside {
            beside_a_shown_image(field, at.post, image)
        } else {
            field
                .diagnostic(
                    &ImageSrcMissing::META,
                    at.post,
                    image.start_tag.clone(),
                    message,
                )
                .with_label("no image to show")
                .with_help("restore the image's address in `src`, or remove the `<img>`")
        };
        self.out.push(diagnostic);
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

/// An `<img alt="">` without a source beside an image that has one: the reader sees that image,
/// and nothing of this one, which `alt=""` also hides from screen readers.
fn beside_a_shown_image(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    image: &Element,
) -> Diagnostic {
    field
        .diagnostic(
            &ImageSrcMissing::META,
            post,
            image.start_tag.clone(),
            "`<img alt=\"\">` without a source beside an image that has one: it shows nothing, \
             and screen readers skip it",
        )
        .with_severity(Severity::Info)
        .with_label("shows nothing")
        .with_help("remove the empty `<img>`; the image beside it is the one readers see")
}

/// `alt=""`: the image says it is decoration, so screen readers skip it.
fn is_decorative(index: &HtmlIndex, image: &Element) -> bool {
    index
        .attribute(image, "alt")
        .is_some_and(|alt| index.value(alt).trim().is_empty())
}

/// What an image sits in, looking through the inline wrappers an image is often put in (a link,
/// a `<picture>`, a `<span>`): a figure, a paragraph, a cell. `None` at the top level, where
/// images far apart share no holder.
fn holder(index: &HtmlIndex, image: &Element) -> Option<ElementId> {
    let mut at = image.parent;
    for _ in 0..MAX_WRAPPERS {
        let id = at?;
        if !matches!(
            &*index.elements[id].name,
            "a" | "picture" | "span" | "noscript"
        ) {
            return Some(id);
        }
        at = index.elements[id].parent;
    }
    None
}

/// How many inline wrappers `holder` looks through: more are generated markup, and a bound
/// keeps deep nesting linear.
const MAX_WRAPPERS: usize = 4;

/// The holders of the images that have a source: one pass over the field.
fn holders_of_shown_images(index: &HtmlIndex) -> FnvHashSet<ElementId> {
    index
        .elements
        .iter()
        .filter(|e| &*e.name == "img" && missing_source(index, e).is_none())
        .filter_map(|image| holder(index, image))
        .collect()
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
