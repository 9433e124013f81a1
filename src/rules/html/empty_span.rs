use serde::Deserialize;

use std::ops::Range;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::html::reader::{self, Flow};
use crate::html::{Element, ElementId, HtmlIndex};
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::empty::{ReportedAround, first_comment_from, is_deliberate};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// A span holding only a `<br>` is a line break, not an empty span.
    pub allow_line_break: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_line_break: true,
        }
    }
}

fn is_empty(element: &Element, options: &Options) -> bool {
    let line_break_only = options.allow_line_break && element.has.line_break;
    &*element.name == "span" && !element.has.text && !element.has.media && !line_break_only
}

declare_rule! {
    /// ## What it does
    /// Reports a `<span>` with nothing a reader can see in it: no text once character
    /// references are decoded, or only whitespace, `&nbsp;` or other empty spans. Nested
    /// empty spans are reported once, at the outermost. Its fix removes the span.
    ///
    /// A span holding only the space between two words (`copias.“<span> </span>Linus`) is
    /// not empty to a reader: without it the words would run together. It is reported as a
    /// styling leftover, an info (the reader sees the space, and nothing is wrong on the
    /// page), and its fix replaces the span with the space it holds.
    ///
    /// One defect, one finding: an empty span in a paragraph or heading that is empty as a
    /// whole (`<p><span> </span></p>`, `<p><span></p>`) is part of `empty-paragraph`'s (or
    /// `block-empty`'s) or `empty-heading`'s finding, whose fix removes the span with it.
    ///
    /// Not reported: a span with an `id` (an anchor target); a span with a `class` or
    /// `aria-hidden`, which a block, a theme or a renderer draws on purpose (the cover block's
    /// dim layer, a page builder's icon slot, KaTeX's struts); a span holding an image or
    /// other media; a span holding a link, an anchor target, a script, an embed or a form
    /// control, which removing it would take off the page; and, with `allow-line-break = true`
    /// (the default), a span holding only a `<br>`; a span holding an HTML comment, such as
    /// WordPress's `<!--more-->` teaser break, which removing it would lose.
    ///
    /// ## Why it matters
    /// Empty spans are left behind by pasting from word processors and by editors' undo; they
    /// carry styles that do nothing, bloat the page and confuse the next edit. Readers see
    /// nothing of them, so they are infos: worth cleaning when the post is next edited.
    ///
    /// ## Example
    /// ```html
    /// <p>Officials <span style="color:red"></span>signed <span> </span>the guidelines.</p>
    /// <p>copias.“<span style="color:#333"> </span>Linus</p>
    /// ```
    /// Remove the first two spans; replace the third with its space.
    pub struct EmptySpan {
        code: "empty-span",
        severity: Info,
        summary: "A `<span>` with nothing a reader can see in it",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
        options: Options,
    }
}

impl Rule for EmptySpan {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Span])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(EmptySpans {
            options: post.settings.options::<Options>(Self::META.code),
            flow: None,
            reported_around: ReportedAround::default(),
            out: Vec::new(),
        }))
    }
}

/// The spans of a post's walk, reported as they come.
struct EmptySpans<'v> {
    options: std::sync::Arc<Options>,
    /// The text flow of the field being walked, built for its first candidate only: most
    /// fields have none.
    flow: Option<(usize, Flow<'v>)>,
    reported_around: ReportedAround,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for EmptySpans<'v> {
    fn element(&mut self, at: &At<'v>, _id: ElementId, element: &'v Element) {
        let (post, field, index) = (at.post, at.field, at.index());
        if field.kind == crate::post::HtmlFieldKind::Title
            || !is_empty(element, &self.options)
            || is_deliberate(index, element)
        {
            return;
        }
        let inside_empty_span = element
            .parent
            .is_some_and(|p| is_empty(&index.elements[p], &self.options));
        // Inside an empty paragraph or heading, the span is part of that one finding:
        // removing the paragraph or heading removes it too.
        if inside_empty_span || (self.reported_around).covers(post, (field, at.field_at), &at.open)
        {
            return;
        }
        let whole = element.start_tag.start
            ..element
                .end_tag
                .as_ref()
                .map_or(element.content.end, |t| t.end);
        if reader::holds_items(index, whole.clone()) || holds_comment(index, &whole) {
            return;
        }
        let joins_words = may_hold_space(index, element, &whole) && {
            if self.flow.as_ref().is_none_or(|(of, _)| *of != at.field_at) {
                self.flow = Some((at.field_at, Flow::of(index)));
            }
            self.flow
                .as_ref()
                .is_some_and(|(_, flow)| flow.removal_joins_words(whole.clone()))
        };
        self.out.push(if joins_words {
            space_between_words(field, post, element, whole)
        } else {
            empty_span(field, post, whole)
        });
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

/// Whether a comment lies in `range`: `<!--more-->` and `<!--nextpage-->` split the post for
/// WordPress, and other comments may be read by a plugin.
/// Whether `whole` may hold a space a reader sees (whitespace, or an element that may be a
/// break): only then can removing it join two words. Most empty spans hold nothing at all,
/// and are told so without the field's text flow, which costs a pass over the whole field.
fn may_hold_space(index: &HtmlIndex, span: &Element, whole: &Range<usize>) -> bool {
    let whitespace = index
        .texts_in(whole.clone())
        .iter()
        .any(|t| index.text(t).chars().any(char::is_whitespace));
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < whole.start);
    let other_elements = index.elements[from..]
        .iter()
        .take_while(|e| e.start_tag.start < whole.end)
        .any(|e| !std::ptr::eq(e, span));
    whitespace || other_elements
}

fn holds_comment(index: &HtmlIndex, range: &Range<usize>) -> bool {
    first_comment_from(index, range.start).is_some_and(|c| c.span.start < range.end)
}

fn empty_span(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    whole: Range<usize>,
) -> Diagnostic {
    let removal = Edit::delete(field.file_range(whole.clone()));
    field
        .diagnostic(&EmptySpan::META, post, whole, "`<span>` has no content")
        .with_fix(
            Applicability::Safe,
            "remove the empty `<span>`",
            vec![removal],
        )
        .with_label("empty span")
        .with_help("remove the empty `<span>`")
}

/// A span holding only the space between two words: its space stays, its tags go.
fn space_between_words(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    element: &Element,
    whole: Range<usize>,
) -> Diagnostic {
    let space = spaces_of(field, element);
    let replacement = Edit::replace(field.file_range(whole.clone()), field.encode(&space));
    let (message, help) = match mark_after(&field.index, whole.end) {
        Some(mark) => (
            format!("`<span>` holds only a space, before `{mark}`"),
            format!("drop the `<span>` tags; the space before `{mark}` may not belong either"),
        ),
        None => (
            "`<span>` holds only the space between two words".to_owned(),
            "keep the space, drop the `<span>` tags around it".to_owned(),
        ),
    };
    field
        .diagnostic(&EmptySpan::META, post, whole, message)
        .with_severity(Severity::Info)
        .with_fix(
            Applicability::Safe,
            "replace the `<span>` with the space it holds",
            vec![replacement],
        )
        .with_label("styling leftover")
        .with_help(help)
}

/// The punctuation a reader sees right after `at`, when that is what follows (`bebé<span>
/// </span>.`): the space then stands before a mark, not between two words.
fn mark_after(index: &HtmlIndex, at: usize) -> Option<char> {
    let from = index.texts.partition_point(|t| t.span.start < at);
    let next = index.texts[from..]
        .iter()
        .flat_map(|t| index.text(t).chars())
        .find(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}'))?;
    (!next.is_alphanumeric() && !next.is_whitespace() && !"“‘«¿¡([{".contains(next)).then_some(next)
}

/// The HTML of what a reader sees in an empty span: its whitespace and `<br>`s, as written.
fn spaces_of(field: &HtmlField<'_, '_>, element: &Element) -> String {
    let html = field.source.as_str();
    let index = &field.index;
    let content = element.content.clone();
    let texts = index
        .texts_in(content.clone())
        .iter()
        .map(|t| t.span.clone());
    let first = index
        .elements
        .partition_point(|e| e.start_tag.start < content.start);
    let breaks = index.elements[first..]
        .iter()
        .take_while(|e| e.start_tag.start < content.end)
        .filter(|e| &*e.name == "br")
        .map(|e| e.start_tag.clone());
    let mut pieces: Vec<Range<usize>> = texts.chain(breaks).collect();
    pieces.sort_by_key(|r| r.start);
    pieces.into_iter().filter_map(|r| html.get(r)).collect()
}
