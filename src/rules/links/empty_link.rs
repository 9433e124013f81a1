use std::cell::OnceCell;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::visibility::Hidden;
use crate::html::{Closed, Element, ElementId, HtmlIndex, is_blank};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::headings::{holds_text_as_tag, is_empty_heading};

declare_rule! {
    /// ## What it does
    /// Reports a link (`<a href="…">`) with nothing a reader can see or a screen reader can
    /// say: no text, no image, no `aria-label`, `aria-labelledby` or `title`.
    ///
    /// One defect, one finding: a link whose `href` is empty or `#` is `link-missing-href`'s
    /// finding, and one that runs a script (`javascript:`) or opens `about:blank` goes nowhere
    /// either (`link-malformed` reports the script); a link without its own end tag is
    /// `unclosed-element`'s or `misnested-tags`'s (browsers carry it on over the text after
    /// it); a link that is all an empty heading holds is `empty-heading`'s; a paragraph
    /// holding only an empty link is reported here, as the link, not by `empty-paragraph`;
    /// the same empty link twice in a row is reported once; a link whose text an author wrote
    /// in angle brackets (`<a href="…"><your email></a>`), which the browser hides as an
    /// unknown element, is `text-hidden-as-tag`'s.
    ///
    /// Not reported: a link hidden from readers (`hidden`, `aria-hidden="true"`,
    /// `display:none`, on it or an element around it, or an Elementor widget hidden on every
    /// device); a link that shows an icon or a picture through its styles (an element
    /// with a `class` inside it, such as Font Awesome's `<i class="fa fa-twitter"></i>`, or a
    /// `background` in its `style`); a link next to one with the same `href` that has text (a
    /// theme's duplicate, such as a thumbnail's overlay).
    ///
    /// ## Why it matters
    /// The reader sees nothing to click, and screen readers announce a bare "link" or read out
    /// the address. Usually the link's text was lost in an edit, while its tags stayed.
    ///
    /// ## Example
    /// ```html
    /// <p>The full report is <a href="https://example.com/report/"></a> online.</p>
    /// ```
    /// Restore the link's text (`<a href="…">available</a>`), or remove the link.
    pub struct EmptyLink {
        code: "empty-link",
        severity: Warning,
        summary: "A link with no visible text, no image and no aria-label or title",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for EmptyLink {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Link]).reading_hidden()
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(EmptyLinks {
            last: None,
            empty_headings: OnceCell::new(),
            out: Vec::new(),
        }))
    }
}

/// The links of a post's content, judged as the walk meets them.
struct EmptyLinks<'v> {
    /// The last empty link reported: its repeat right after it is the same lost text.
    last: Option<(usize, &'v str)>,
    empty_headings: OnceCell<Vec<Option<ElementId>>>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for EmptyLinks<'v> {
    fn element(&mut self, at: &At<'v>, id: ElementId, link: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content {
            return;
        }
        let Some(href) = empty_link_target(index, (id, link, at.hidden), &self.empty_headings)
        else {
            return;
        };
        let html = field.source.as_str();
        let repeats = self.last.is_some_and(|(end, previous)| {
            previous == href
                && html
                    .get(end..link.start_tag.start)
                    .is_some_and(|between| between.trim().is_empty())
        });
        self.last = Some((
            link.end_tag.as_ref().map_or(link.content.end, |t| t.end),
            href,
        ));
        if !repeats {
            self.out.push(finding(field, at.post, link, href));
        }
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

/// The `href` of an `<a>` that shows and says nothing, when it is this rule's to report.
/// `empty_headings` holds the empty heading around each element, once asked for.
fn empty_link_target<'i>(
    index: &'i HtmlIndex,
    (id, link, hidden): (usize, &Element, Hidden),
    empty_headings: &OnceCell<Vec<Option<ElementId>>>,
) -> Option<&'i str> {
    if &*link.name != "a" || link.has.text || link.has.media || link.closed != Closed::EndTag {
        return None;
    }
    let href = index.value(index.attribute(link, "href")?).trim();
    if goes_nowhere(href) {
        return None;
    }
    let named = ["aria-label", "aria-labelledby", "title"]
        .iter()
        .filter_map(|name| index.attribute(link, name))
        .any(|a| !is_blank(index.value(a)));
    if named
        || hidden > Hidden::No
        || shows_through_styles(index, id, link)
        || in_empty_heading(index, link, empty_headings)
        || holds_text_as_tag(index, link)
        || has_twin_with_text(index, id, link, href)
    {
        return None;
    }
    Some(href)
}

/// An empty `href` or `#` (`link-missing-href`'s finding), a script, a blank page: there is
/// no target whose text could have been lost.
fn goes_nowhere(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    matches!(href, "" | "#") || lower.starts_with("javascript:") || lower == "about:blank"
}

/// A link that draws an icon or a picture with CSS: a `background` in its `style`, or an
/// element with a `class` inside it (an icon font's `<i class="fa …">`).
fn shows_through_styles(index: &HtmlIndex, id: usize, link: &Element) -> bool {
    let styled_background = index
        .attribute(link, "style")
        .is_some_and(|s| index.value(s).to_ascii_lowercase().contains("background"));
    styled_background
        || index.elements[id + 1..]
            .iter()
            .take_while(|e| e.start_tag.start < link.content.end)
            .any(|e| index.attribute(e, "class").is_some())
}

/// Inside a heading that is empty as a whole: `empty-heading` reports it. Found for every
/// element in one pass, the first time a link asks: nested headings cost no walk per link.
fn in_empty_heading(
    index: &HtmlIndex,
    link: &Element,
    empty_headings: &OnceCell<Vec<Option<ElementId>>>,
) -> bool {
    let empty_headings =
        empty_headings.get_or_init(|| index.nearest_each(|e| is_empty_heading(index, e)));
    link.parent
        .and_then(|parent| empty_headings.get(parent).copied().flatten())
        .is_some()
}

/// Another link to the same target with text or an image, right before or after this one:
/// the reader loses nothing (a theme's overlay on a thumbnail, a duplicated wrapper).
fn has_twin_with_text(index: &HtmlIndex, id: usize, link: &Element, href: &str) -> bool {
    let same_target = |e: &Element| {
        &*e.name == "a"
            && (e.has.text || e.has.media)
            && index
                .attribute(e, "href")
                .is_some_and(|a| index.value(a).trim() == href)
    };
    let previous = index.elements[..id]
        .iter()
        .rev()
        .filter(|e| &*e.name == "a")
        .take(1);
    let next = index.elements[id + 1..]
        .iter()
        .filter(|e| &*e.name == "a" && e.start_tag.start >= link.content.end)
        .take(1);
    previous.chain(next).any(same_target)
}

fn finding(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    link: &Element,
    href: &str,
) -> Diagnostic {
    field
        .diagnostic(
            &EmptyLink::META,
            post,
            link.start_tag.clone(),
            format!(
                "the link to `{}` has no text: readers see nothing to click",
                shorten(href)
            ),
        )
        .with_label("no text")
        .with_help("restore the link's text, which an edit probably lost, or remove the link")
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
