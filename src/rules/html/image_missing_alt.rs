use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, ElementId};
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
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Image])
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(ImagesWithoutAlt::default()))
    }
}

/// The images of a post's content, judged as the walk meets them.
#[derive(Default)]
struct ImagesWithoutAlt {
    /// The last link an image was in, and whether it has no name.
    last_link: Option<(ElementId, bool)>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for ImagesWithoutAlt {
    fn element(&mut self, at: &At<'v>, _id: ElementId, image: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content || index.attribute(image, "alt").is_some() {
            return;
        }
        let names_its_link = image.link.is_some_and(|link| match self.last_link {
            Some((id, unnamed)) if id == link => unnamed,
            _ => {
                let unnamed = has_no_name(index, link);
                self.last_link = Some((link, unnamed));
                unnamed
            }
        });
        let message = if names_its_link {
            "`<img>` has no `alt` text, and it is all its link holds: the link has no name \
             either, and screen readers announce it by its address"
        } else {
            "`<img>` has no `alt` text"
        };
        self.out.push(
            field
                .diagnostic(
                    &ImageMissingAlt::META,
                    at.post,
                    image.start_tag.clone(),
                    message,
                )
                .with_label("no alt")
                .with_help(
                    "describe the image in `alt=\"…\"`, or write `alt=\"\"` if it is decorative",
                ),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}
