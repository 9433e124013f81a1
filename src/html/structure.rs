//! What the structure rules agree on, so that one defect gets one finding: which elements are
//! left open, which "elements" are text a browser hid, and which markup is code in a code
//! sample. `unclosed-element`, `stray-end-tag`, `text-hidden-as-tag` and the link rules read
//! these, each leaving to the others what is theirs.

use std::collections::HashMap;

use fnv::FnvHashMap;
use std::ops::Range;

use super::{Closed, Element, ElementId, HtmlIndex, StrayEndTag, Traits, is_html_element};

/// Elements whose end tag the HTML standard lets authors leave out.
fn end_tag_optional(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rtc"
            | "rp"
            | "html"
            | "head"
            | "body"
    )
}

/// How an element that needs an end tag ended without one.
pub enum LeftOpen<'a> {
    /// Still open where the field ends.
    ToTheEnd,
    /// Ended by the end tag of an element around it.
    By(&'a Range<usize>),
}

/// Whether the element needed an end tag and did not get one. `None` when it was closed
/// properly, may be left open, or was ended by a start tag (as `<p>` is by `<div>`).
pub fn left_open<'a>(element: &'a Element, html: &str) -> Option<LeftOpen<'a>> {
    if element.traits.any(Traits::VOID)
        || element.end_tag.is_some()
        || end_tag_optional(&element.name)
    {
        return None;
    }
    match &element.closed {
        Closed::Unclosed => Some(LeftOpen::ToTheEnd),
        Closed::Implied { by } if html.get(by.clone())?.starts_with("</") => Some(LeftOpen::By(by)),
        _ => None,
    }
}

/// A name no browser knows as an element, and that no one writes as one: not HTML (obsolete
/// elements included), not a custom element (`<my-card>` has a hyphen), not Word's `<o:p>`.
pub fn is_unknown_name(name: &str) -> bool {
    is_unknown(is_html_element(name), name)
}

/// `is_unknown_name`, told whether the name is an element of HTML (an element's `tag`, looked
/// up once when it was built).
fn is_unknown(html_element: bool, name: &str) -> bool {
    !html_element && !name.contains(['-', ':'])
}

/// Text such as `<nombre de usuario>`, `<your name>` or `<receiver>`: written between angle
/// brackets, read by browsers as the start tag of an element they do not know, and not shown.
/// Names inside SVG and MathML are theirs.
pub fn is_hidden_text(index: &HtmlIndex, element: &Element) -> bool {
    is_unknown(element.tag.is_some(), &element.name)
        && index.ancestor(element, Around::Foreign).is_none()
}

/// The `<pre>` or `<code>` an element is inside: code samples, where markup that was meant to
/// be shown was read as markup.
pub fn code_block(index: &HtmlIndex, element: &Element) -> Option<ElementId> {
    index.ancestor(element, Around::CodeSample)
}

/// The elements that hold code samples.
pub fn is_code_sample(name: &str) -> bool {
    matches!(name, "pre" | "code" | "kbd" | "samp")
}

/// Whether `unclosed-element` or `text-hidden-as-tag` reports the element: a stray end tag
/// written for it is part of that one finding.
pub fn is_reported_open(index: &HtmlIndex, element: &Element, html: &str) -> bool {
    is_hidden_text(index, element) || left_open(element, html).is_some()
}

/// A stray end tag that is the trace of another finding: the end tag of an element left open
/// (reported there), or of text a browser hid.
pub fn is_consequence(index: &HtmlIndex, stray: &StrayEndTag, html: &str) -> bool {
    if is_unknown_name(&stray.name) {
        return true;
    }
    stray
        .meant_for
        .is_some_and(|id| is_reported_open(index, &index.elements[id], html))
}

/// Start tags the field shows as text (`&lt;e&gt;` in a code sample reads `<e>`), by name, with
/// the offset of the first text that writes each. An end tag of such a name that closes no
/// element, after it, is a leftover of markup that was escaped into text: WordPress or an editor
/// closed the tag while it was still markup. Readers see nothing of it, and writing its `<` as
/// `&lt;` would show them a `</e>` nobody meant.
pub struct EscapedStartTags(HashMap<Box<str>, usize>);

impl EscapedStartTags {
    /// Reads the text of the field, once: built only for a field with an end tag of an
    /// unknown name that closes nothing.
    pub fn of(index: &HtmlIndex) -> Self {
        let mut names: HashMap<Box<str>, usize> = HashMap::new();
        for run in &index.texts {
            for name in tag_names_in(index.text(run)) {
                names.entry(name.into()).or_insert(run.span.start);
            }
        }
        Self(names)
    }

    /// Whether a stray end tag is the leftover of a start tag shown as text before it.
    pub fn is_leftover(&self, stray: &StrayEndTag) -> bool {
        stray.meant_for.is_none()
            && is_unknown_name(&stray.name)
            && self
                .0
                .get(&stray.name)
                .is_some_and(|&at| at < stray.span.start)
    }
}

/// Whether any stray end tag of the field could be a leftover: only then is the text read.
pub fn may_have_leftovers(index: &HtmlIndex) -> bool {
    index
        .stray_end_tags
        .iter()
        .any(|stray| stray.meant_for.is_none() && is_unknown_name(&stray.name))
}

/// The lower-case names of the start tags written in a text: `<e>`, `<List a>`, `<k, v>`.
fn tag_names_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.match_indices('<').filter_map(move |(at, _)| {
        let rest = &text[at + 1..];
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        name.starts_with(|c: char| c.is_ascii_alphabetic())
            .then(|| name.to_ascii_lowercase())
    })
}

/// The kinds of element the rules look for around another. The nearest of each kind is found
/// for every element in one pass, the first time it is asked for: asking for each of a hundred
/// thousand nested elements then costs a hundred thousand steps, not a walk up for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Around {
    Paragraph,
    Heading,
    Block,
    /// `<pre>`, `<code>`, `<kbd>`, `<samp>`.
    CodeSample,
    /// `<svg>`, `<math>`, whose element names are theirs.
    Foreign,
    /// Text shown as written or not at all: code samples, scripts, styles, `<textarea>`.
    Literal,
}

impl Around {
    pub(super) const COUNT: usize = 6;

    fn is(self, element: &Element) -> bool {
        let name = &*element.name;
        match self {
            Around::Paragraph => name == "p",
            Around::Heading => element.traits.any(Traits::HEADING),
            Around::Block => element.traits.any(Traits::BLOCK),
            Around::CodeSample => is_code_sample(name),
            Around::Foreign => matches!(name, "svg" | "math"),
            Around::Literal => element.traits.any(Traits::LITERAL),
        }
    }
}

impl HtmlIndex {
    /// The nearest ancestor of the `kind` asked for.
    pub fn ancestor(&self, element: &Element, kind: Around) -> Option<ElementId> {
        self.enclosing(element.parent, kind)
    }

    /// The nearest of `from` and its ancestors of the `kind` asked for.
    pub fn enclosing(&self, from: Option<ElementId>, kind: Around) -> Option<ElementId> {
        let table = self.nearest[kind as usize]
            .get_or_init(|| self.nearest_each(|element| kind.is(element)));
        table.get(from?).copied().flatten()
    }

    /// For every element, the nearest of itself and its ancestors that passes `is_target`: one
    /// pass in document order (a parent comes before its children), for a rule that asks of
    /// many elements what a walk up would tell.
    pub fn nearest_each(&self, is_target: impl Fn(&Element) -> bool) -> Vec<Option<ElementId>> {
        let mut nearest: Vec<Option<ElementId>> = Vec::with_capacity(self.elements.len());
        for (id, element) in self.elements.iter().enumerate() {
            let inherited = element
                .parent
                .and_then(|p| nearest.get(p).copied().flatten());
            nearest.push(if is_target(element) {
                Some(id)
            } else {
                inherited
            });
        }
        nearest
    }

    /// The stray end tags written for elements out of their reach, by element: built once
    /// per field, so that looking one up stays constant on a field of a million tags. Keyed
    /// with FNV: `unclosed-element` looks up every element, and SipHash was most of that.
    pub fn stray_end_tags_by_element(&self) -> FnvHashMap<ElementId, &StrayEndTag> {
        self.stray_end_tags
            .iter()
            .filter_map(|stray| Some((stray.meant_for?, stray)))
            .collect()
    }
}
