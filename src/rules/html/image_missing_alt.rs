use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::ElementId;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::image_links::has_no_name;

declare_rule! {
    /// ## What it does
    /// Reports an `<img>` with no `alt` attribute. An empty `alt=""` is fine: it marks a
    /// decorative image that screen readers skip.
    ///
    /// An image without `alt` that is all its link holds is reported here (one defect, one
    /// finding), and the message says that the link has no name either: the image's `alt` is
    /// the link's name. `image-link-unnamed` reports such links whose images have an empty
    /// `alt`, which this rule leaves alone.
    ///
    /// ## Why it matters
    /// Without `alt`, screen readers read the file name instead (`IMG_2041.jpg`), search
    /// engines learn nothing about the picture, and readers on slow connections see nothing
    /// where it failed to load.
    ///
    /// ## Example
    /// ```html
    /// <img src="/uploads/summit.jpg">
    /// ```
    /// Describe it: `<img src="/uploads/summit.jpg" alt="The two leaders at the summit">`.
    pub struct ImageMissingAlt {
        code: "image-missing-alt",
        severity: Warning,
        summary: "An `<img>` without an `alt` attribute",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for ImageMissingAlt {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Content) else {
            return;
        };
        let index = &field.index;
        // The last link an image was in, and whether it has no name.
        let mut last_link: Option<(ElementId, bool)> = None;
        for image in index.elements.iter().filter(|e| &*e.name == "img") {
            if index.attribute(image, "alt").is_some() {
                continue;
            }
            let names_its_link = image.link.is_some_and(|link| match last_link {
                Some((id, unnamed)) if id == link => unnamed,
                _ => {
                    let unnamed = has_no_name(index, link);
                    last_link = Some((link, unnamed));
                    unnamed
                }
            });
            let message = if names_its_link {
                "`<img>` has no `alt` text, and it is all its link holds: the link has no name \
                 either, and screen readers announce it by its address"
            } else {
                "`<img>` has no `alt` text"
            };
            out.push(
                field
                    .diagnostic(&Self::META, post, image.start_tag.clone(), message)
                    .with_label("no alt")
                    .with_help("describe the image in `alt=\"…\"`, or write `alt=\"\"` if it is decorative"),
            );
        }
    }
}
