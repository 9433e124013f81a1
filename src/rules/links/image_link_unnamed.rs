use std::ops::Range;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, ElementId, HtmlIndex, is_blank};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::image_links::{has_no_name, named_by_images_alone};

fn group_message(count: usize) -> String {
    match count {
        1 => "this link holds only an image with an empty `alt`: it has no name, and screen \
              readers announce it by its address or file name"
            .to_owned(),
        n => format!(
            "{n} links in a row hold only an image with an empty `alt`: they have no name, and \
             screen readers announce each by its address or file name"
        ),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports links whose only content is an image marked as decoration, `<a
    /// href="…/harbour.jpg"><img src="…" alt=""></a>`: the link has no accessible name. Links
    /// in a row with nothing a reader sees between them (a gallery of thumbnails) are one
    /// finding, on the first, with their count in the message.
    ///
    /// An image's `alt` is its link's name (WCAG technique H30): `alt=""`, right for a
    /// decorative image, leaves a link with nothing to say. A name from elsewhere counts: text
    /// in the link, an `aria-label`, `aria-labelledby` or `title` on the link, an `aria-label`
    /// on the image.
    ///
    /// One defect, one finding: an image with no `alt` attribute at all is
    /// `image-missing-alt`'s, in a link or not, and a link holding one is left to it (the fix
    /// is the same, the image's `alt`); this rule reports what that rule leaves alone by
    /// design, the empty `alt` that is right for decoration and wrong as all a link holds.
    /// `empty-link` reports links with nothing in them at all.
    ///
    /// Not reported: a link hidden from readers (`hidden`, `aria-hidden="true"`,
    /// `display:none`, on it or an element around it, or an Elementor widget hidden on every
    /// device); a link that also holds other media (a video, an SVG), whose name this
    /// rule cannot read; a link without `href`.
    ///
    /// ## Why it matters
    /// Screen readers announce such a link by its address or the image's file name
    /// ("link, IMG underscore 2041 dot jpg"), or as just "link": the reader cannot tell where
    /// it goes (WCAG 2.4.4 and 4.1.2). html-validate's `wcag/h30` reports these links (and
    /// those of images without `alt`, which `image-missing-alt` reports here).
    ///
    /// ## Example
    /// ```html
    /// <a href="/uploads/harbour-large.jpg"><img src="/uploads/harbour.jpg" alt=""></a>
    /// ```
    /// Say where the link goes: `alt="The harbour at dawn (full size)"`.
    pub struct ImageLinkUnnamed {
        code: "image-link-unnamed",
        severity: Warning,
        summary: "A link whose only content is an image with an empty alt: it has no accessible name",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for ImageLinkUnnamed {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Link])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        let field = post.field(HtmlFieldKind::Content)?;
        Some(Box::new(UnnamedImageLinks {
            post,
            field,
            group: None,
            out: Vec::new(),
        }))
    }
}

/// The links of a post's content, grouped as the walk meets them.
struct UnnamedImageLinks<'v> {
    post: &'v PostContext<'v, 'v>,
    field: &'v HtmlField<'v, 'v>,
    group: Option<Group>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for UnnamedImageLinks<'v> {
    fn element(&mut self, at: &At<'v>, id: ElementId, element: &'v Element) {
        if at.field.kind != HtmlFieldKind::Content {
            return;
        }
        let (field, post, index) = (self.field, self.post, at.index());
        if !is_unnamed_image_link(index, id) {
            // Another link parts the group: a reader meets it in between.
            let parted = self.group.take().map(|g| g.diagnostic(field, post));
            self.out.extend(parted);
            return;
        }
        let whole = whole(element);
        match &mut self.group {
            Some(open) if nothing_seen_between(index, open.end..whole.start) => {
                open.count += 1;
                open.last = element.start_tag.clone();
                open.end = whole.end;
            }
            _ => {
                let ended = self.group.take().map(|g| g.diagnostic(field, post));
                self.out.extend(ended);
                self.group = Some(Group {
                    first: element.start_tag.clone(),
                    last: element.start_tag.clone(),
                    end: whole.end,
                    count: 1,
                });
            }
        }
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
        out.extend(self.group.map(|g| g.diagnostic(self.field, self.post)));
    }
}

/// Links without a name, one after the other.
struct Group {
    /// The start tags of the first and the last link.
    first: Range<usize>,
    last: Range<usize>,
    /// Where the last link ends.
    end: usize,
    count: usize,
}

impl Group {
    fn diagnostic(self, field: &HtmlField<'_, '_>, post: &PostContext<'_, '_>) -> Diagnostic {
        let diagnostic = field
            .diagnostic(
                &ImageLinkUnnamed::META,
                post,
                self.first,
                group_message(self.count),
            )
            .with_label("no accessible name")
            .with_help(
                "say where each link goes in its image's `alt` (`alt=\"The harbour at dawn, \
                 full size\"`), or give the link an `aria-label`",
            );
        if self.count == 1 {
            return diagnostic;
        }
        diagnostic.with_secondary(field.file_range(self.last), "the last of them")
    }
}

/// From an element's start tag to its end (its end tag, or where it was closed).
fn whole(element: &Element) -> Range<usize> {
    let end = element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |tag| tag.end);
    element.start_tag.start..end
}

/// No text a reader sees in a stretch of the field (tags and whitespace only).
fn nothing_seen_between(index: &HtmlIndex, between: Range<usize>) -> bool {
    between.start <= between.end
        && index
            .texts_in(between)
            .iter()
            .all(|text| is_blank(index.text(text)))
}

/// Whether the `<a>` at `id` is a link whose only content is images marked as decoration
/// (`alt=""`), and nothing else names it. A link with an image without `alt` is
/// `image-missing-alt`'s.
fn is_unnamed_image_link(index: &HtmlIndex, id: ElementId) -> bool {
    has_no_name(index, id)
        && named_by_images_alone(index, id)
            .is_some_and(|mut images| images.all(|image| index.attribute(image, "alt").is_some()))
}
