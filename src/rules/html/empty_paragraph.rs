use std::ops::Range;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::html::reader::Flow;
use crate::html::{Around, Element, ElementId, HtmlIndex};
use crate::post::{Form, HtmlFieldKind};
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::empty::{empty_paragraph_owner, whole};

declare_rule! {
    /// ## What it does
    /// Reports a paragraph with nothing in it a reader can see: `<p></p>`, `<p>&nbsp;</p>`,
    /// `<p><br></p>`. Its fix removes the paragraph.
    ///
    /// A paragraph holding only a link with no text (`<p><a href="…"></a></p>`) is left to
    /// `empty-link`, which reports the link: it lost its text, and a person must restore it.
    ///
    /// Not reported: a paragraph holding a script or an embed (a gist's
    /// `<script src="https://gist.github.com/….js">`, a video), an anchor target
    /// (`<a name="…">`, an element with an `id`, or the paragraph's own `id`), or a form
    /// control: removing it would take that off the page. Nor a paragraph holding a comment
    /// (`<!--more-->`), which is WordPress's own marker, or a `<br>` that clears floats
    /// (`<br style="clear:both">`), a spacer that keeps what follows below floated images; nor,
    /// in rendered content, a `<p>` the auto-paragraph filter opened right before a plugin's
    /// `<div>` or form, which closed it at once: the editor never wrote it.
    /// Nor the empty `<p>` of a paragraph
    /// block (`<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->`): `block-empty` reports the
    /// block, and removing only its `<p>` would leave a block the editor calls invalid.
    ///
    /// In raw classic content (a WXR export, WP-CLI's `post_content`, REST's `content.raw`),
    /// where paragraphs are blank lines that WordPress's `wpautop` wraps in `<p>`, a stretch
    /// between blank lines that holds only `&nbsp;` is reported too: it is rendered as
    /// `<p>&nbsp;</p>`.
    ///
    /// An empty centred paragraph (`<p align="center"></p>`, `text-align: center`) in a post
    /// whose pictures sit in centred paragraphs of their own is said to have lost its image,
    /// without a fix: a person restores the image or removes the paragraph.
    ///
    /// ## Why it matters
    /// Editors press Enter twice to make space; the empty paragraphs that result give the page
    /// uneven gaps that change with every theme. Spacing belongs to the theme.
    ///
    /// ## Example
    /// ```html
    /// <p>First paragraph.</p>
    /// <p>&nbsp;</p>
    /// <p>Second paragraph.</p>
    /// ```
    /// Remove the middle paragraph.
    pub struct EmptyParagraph {
        code: codes::EMPTY_PARAGRAPH,
        severity: Info,
        summary: "A paragraph with nothing in it (`<p></p>`, `<p>&nbsp;</p>`, `<p><br></p>`)",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for EmptyParagraph {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Paragraph])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        let field = post.field(HtmlFieldKind::Content)?;
        Some(Box::new(EmptyParagraphs {
            post,
            field,
            flow: None,
            centred_images: None,
            out: Vec::new(),
        }))
    }
}

/// The paragraphs of a post's content, judged as the walk meets them.
struct EmptyParagraphs<'v> {
    post: &'v PostContext<'v, 'v>,
    field: &'v HtmlField<'v, 'v>,
    /// Built for the first empty paragraph only: most fields have none.
    flow: Option<Flow<'v>>,
    centred_images: Option<bool>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for EmptyParagraphs<'v> {
    fn element(&mut self, at: &At<'v>, _id: ElementId, element: &'v Element) {
        let (field, post) = (at.field, at.post);
        if field.kind != HtmlFieldKind::Content
            || empty_paragraph_owner(field, element) != Some(EmptyParagraph::META.code)
        {
            return;
        }
        let index = &field.index;
        let lost_image = is_centred(index, element)
            && *(self.centred_images).get_or_insert_with(|| holds_centred_images(index));
        if lost_image {
            self.out.push(lost_image_paragraph(field, post, element));
            return;
        }
        let whole = whole(element);
        let flow = self.flow.get_or_insert_with(|| Flow::of(index));
        let joins_words = flow.removal_joins_words(whole.clone());
        self.out
            .push(empty_paragraph(field, post, element, joins_words));
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
        let (field, post) = (self.field, self.post);
        if field.form != Form::Raw || !field.blocks.is_empty() {
            return;
        }
        for (text, with_break) in implicit_empty_paragraphs(field) {
            let removal = Edit::delete(field.file_range(with_break));
            let diagnostic = field
                .diagnostic(&EmptyParagraph::META, post, text, "empty paragraph")
                .with_label("WordPress makes this a `<p>&nbsp;</p>`")
                .with_fix(
                    Applicability::Safe,
                    "remove the empty paragraph",
                    vec![removal],
                )
                .with_help("remove the line; leave spacing to the theme");
            out.push(diagnostic);
        }
    }
}

/// The stretches of raw classic text between blank lines (the paragraphs `wpautop` makes)
/// that hold only `&nbsp;`, outside any element: the text, and the text with the blank line
/// before it, whose removal leaves one blank line.
fn implicit_empty_paragraphs(field: &HtmlField<'_, '_>) -> Vec<(Range<usize>, Range<usize>)> {
    let html = field.source.as_str();
    let index = &field.index;
    let inside_element =
        |at: usize| (index.elements.iter()).any(|e| e.start_tag.start < at && at < e.content.end);
    let mut found = Vec::new();
    let mut start = 0;
    for (at, _) in html.match_indices("\n\n").chain([(html.len(), "")]) {
        let chunk = &html[start..at];
        let text = chunk.trim_matches(|c: char| c == '\n' || c == ' ' || c == '\t' || c == '\r');
        let lead = chunk.len() - chunk.trim_start_matches(['\n', ' ', '\t', '\r']).len();
        let is_space = !text.is_empty()
            && text
                .split("&nbsp;")
                .all(|rest| rest.chars().all(|c| c == ' ' || c == '\u{a0}'));
        if is_space && start > 0 && !inside_element(start + lead) {
            let text_range = start + lead..start + lead + text.len();
            found.push((text_range.clone(), start..text_range.end));
        }
        start = at;
    }
    found
}

/// A paragraph centred by its own markup: `align="center"`, `text-align: center` in its style,
/// or a centring class (`aligncenter`, `has-text-align-center`).
fn is_centred(index: &HtmlIndex, element: &Element) -> bool {
    let value = |name: &str| {
        index
            .attribute(element, name)
            .map(|a| index.value(a).to_ascii_lowercase())
    };
    value("align").is_some_and(|a| a.trim() == "center")
        || value("style").is_some_and(|style| {
            style
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .contains("text-align:center")
        })
        || value("class").is_some_and(|class| {
            class
                .split_ascii_whitespace()
                .any(|c| matches!(c, "aligncenter" | "has-text-align-center" | "center"))
        })
}

/// Whether the field centres its pictures (or videos) in paragraphs of their own (`<p
/// align="center"><img …></p>`), as posts of photos do: an empty centred paragraph among them
/// lost its picture.
fn holds_centred_images(index: &HtmlIndex) -> bool {
    index
        .elements
        .iter()
        .filter(|e| matches!(&*e.name, "img" | "picture" | "video" | "iframe"))
        .filter_map(|image| index.ancestor(image, Around::Paragraph))
        .map(|p| &index.elements[p])
        .any(|p| !p.has.text && is_centred(index, p))
}

/// An empty centred paragraph in a post whose pictures sit in centred paragraphs: an image
/// (or an embed) it held was lost, and removing it would hide that; no fix.
fn lost_image_paragraph(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    element: &Element,
) -> Diagnostic {
    field
        .diagnostic(
            &EmptyParagraph::META,
            post,
            whole(element),
            "empty centred paragraph, where this post's pictures are: the image it held was \
             likely lost",
        )
        .with_label("an image was likely here")
        .with_help("restore the image this paragraph held, or remove the paragraph")
}

/// An empty paragraph; removing it is offered unless it is all that parts two words.
fn empty_paragraph(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    element: &Element,
    joins_words: bool,
) -> Diagnostic {
    let whole = whole(element);
    let removal = Edit::delete(field.file_range(whole.clone()));
    let diagnostic = field
        .diagnostic(&EmptyParagraph::META, post, whole, "empty paragraph")
        .with_label("nothing to read here");
    if joins_words {
        return diagnostic
            .with_help("remove the paragraph, keeping a space between the words around it");
    }
    diagnostic
        .with_fix(
            Applicability::Safe,
            "remove the empty paragraph",
            vec![removal],
        )
        .with_help("remove the paragraph; leave spacing to the theme")
}
