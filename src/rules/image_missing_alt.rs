use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `<img>` with no `alt` attribute. An empty `alt=""` is fine: it marks a
    /// decorative image that screen readers skip.
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
        for image in index.elements.iter().filter(|e| &*e.name == "img") {
            if index.attribute(image, "alt").is_some() {
                continue;
            }
            out.push(
                field
                    .diagnostic(&Self::META, post, image.start_tag.clone(), "`<img>` has no `alt` text")
                    .with_label("no alt")
                    .with_help("describe the image in `alt=\"…\"`, or write `alt=\"\"` if it is decorative"),
            );
        }
    }
}
