//! One tokenization of an HTML field into an immutable index of elements, attributes, text runs
//! and comments, each with its byte span in the decoded field. Rules query the index; none
//! tokenizes again.
//!
//! html5gum tokenizes (WHATWG-exact, with spans). Tree construction is ours: html5ever builds a
//! DOM but drops source positions and silently repairs what we must report, so the index keeps
//! the open-element stack itself, following the standard's rules for which element an end tag
//! closes, which start tags close an open `<p>`, and which end tags browsers ignore.

mod build;
mod emitter;
mod open;
pub mod reader;
mod references;
pub mod structure;
mod tags;
pub mod visibility;

use std::ops::Range;

use html5gum::Tokenizer;

use build::Builder;
use emitter::IndexEmitter;
pub use references::{reference_map, source_offset};
pub use structure::Around;
pub use tags::{
    Tag, Traits, is_block, is_formatting, is_heading, is_html_element, is_literal, is_void,
};

pub type ElementId = usize;

/// A lower-case tag or attribute name. The common ones are static text, so that the index
/// does not allocate for each `<p>` and `href` of a field.
pub type Name = std::borrow::Cow<'static, str>;

trait NameOf {
    fn of(bytes: &[u8]) -> Name;
}

impl NameOf for Name {
    fn of(bytes: &[u8]) -> Name {
        match tags::common_name(bytes) {
            Some(name) => Name::Borrowed(name),
            None => Name::Owned(lossy(bytes)),
        }
    }
}

const MAX_REOPENABLE: usize = 32;

/// The most bytes of a field the index makes room for before it holds anything (a post of the
/// corpus has 17 KB on average).
const HEAD_START: usize = 1 << 20;

const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

/// How an element came to an end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// By its own end tag.
    EndTag,
    /// A void element (`<br>`, `<img>`) or `/>` in SVG or MathML: no content.
    Empty,
    /// By another tag, as the standard allows for `<p>`, `<li>` and misnested markup; the range
    /// is that other tag.
    Implied { by: Range<usize> },
    /// Still open when the field ended.
    Unclosed,
}

#[derive(Debug, Clone)]
pub struct Element {
    /// Lower-case tag name.
    pub name: Name,
    /// The name's element of HTML, `None` for a name HTML does not have.
    pub tag: Option<Tag>,
    /// What the standard says of the name (`is_void`, `is_heading` ...), looked up once.
    pub traits: Traits,
    /// `<a href="…">`, from `<` to `>`.
    pub start_tag: Range<usize>,
    /// The matching `</a>`, when there is one (even if it came after a misnesting).
    pub end_tag: Option<Range<usize>>,
    pub closed: Closed,
    pub parent: Option<ElementId>,
    /// Indices into [`HtmlIndex::attributes`].
    pub attributes: Range<usize>,
    /// The `<a>` this element is inside (itself, for an `<a>`).
    pub link: Option<ElementId>,
    /// From the end of the start tag to where the element ends (its end tag, the tag that
    /// closed it, or the end of the field).
    pub content: Range<usize>,
    /// What the content holds, as a reader would see it.
    pub has: Content,
}

/// What an element's content holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Content {
    /// Text other than whitespace (`&nbsp;` and zero-width spaces count as whitespace).
    pub text: bool,
    /// Something visible that is not text: an image, a video, an embed, a form control.
    pub media: bool,
    /// A `<br>`.
    pub line_break: bool,
}

/// Elements a reader sees without any text in them.
pub fn is_media(name: &str) -> bool {
    matches!(
        name,
        "img"
            | "picture"
            | "svg"
            | "video"
            | "audio"
            | "iframe"
            | "embed"
            | "object"
            | "canvas"
            | "math"
            | "input"
            | "select"
            | "textarea"
            | "button"
            | "hr"
            | "meter"
            | "progress"
    )
}

/// Text a reader sees as nothing: whitespace, no-break and zero-width spaces.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_blank_character)
}

/// A character a reader sees as nothing (see [`is_blank`]).
pub fn is_blank_character(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}')
}

#[derive(Debug, Clone)]
pub struct Attribute {
    /// Lower-case attribute name.
    pub name: Name,
    pub name_span: Range<usize>,
    /// The value with character references decoded, in `HtmlIndex::values` (read it with
    /// `HtmlIndex::value`).
    pub value: Range<usize>,
    /// The value's text between its quotes; `None` for `href` or `href=""`.
    pub value_span: Option<Range<usize>>,
    /// How the value is written: what a fix that writes another must escape.
    pub quoting: Quoting,
}

/// How an attribute's value is written in the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Quoting {
    /// `href="…"`
    Double,
    /// `href='…'`
    Single,
    /// `href=…`
    Unquoted,
    /// `href` or `href=""`: no value to replace.
    #[default]
    Absent,
}

impl Quoting {
    fn of_value(html: &str, value: &Range<usize>) -> Self {
        match html.as_bytes().get(value.start.wrapping_sub(1)) {
            Some(b'"') => Quoting::Double,
            Some(b'\'') => Quoting::Single,
            _ => Quoting::Unquoted,
        }
    }

    /// The text to write in place of a value written this way so that it reads back as
    /// `value` exactly, whatever `value` holds: `&`, `<`, `>` and the quote that would end it
    /// as character references; an unquoted value gains double quotes (it cannot hold a
    /// space or a quote). `None` when there is no value to replace. By hand: the standard's
    /// table is four replacements, and the escaping crates do not take the quoting as input.
    pub fn write(self, value: &str) -> Option<String> {
        let quote = match self {
            Quoting::Double | Quoting::Unquoted => '"',
            Quoting::Single => '\'',
            Quoting::Absent => return None,
        };
        let mut written = String::with_capacity(value.len() + 2);
        for c in value.chars() {
            match c {
                '&' => written.push_str("&amp;"),
                '<' => written.push_str("&lt;"),
                '>' => written.push_str("&gt;"),
                '"' if quote == '"' => written.push_str("&quot;"),
                '\'' if quote == '\'' => written.push_str("&#39;"),
                c => written.push(c),
            }
        }
        if self == Quoting::Unquoted {
            written = format!("\"{written}\"");
        }
        Some(written)
    }
}

/// A run of text between tags, character references decoded.
#[derive(Debug, Clone)]
pub struct Text {
    /// Where the decoded text is in [`HtmlIndex::text_buffer`]; read it with
    /// [`HtmlIndex::text`].
    pub decoded: Range<usize>,
    pub span: Range<usize>,
    pub parent: Option<ElementId>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    /// What is between `<!--` and `-->`.
    pub text: String,
    pub span: Range<usize>,
}

/// An end tag with no open element to close: browsers drop it (or, for `</p>` and `</br>`,
/// insert an empty element).
#[derive(Debug, Clone)]
pub struct StrayEndTag {
    pub name: Box<str>,
    pub span: Range<usize>,
    pub parent: Option<ElementId>,
    /// The element of the same name this end tag was written for, when the markup keeps it out
    /// of reach: still open behind an element that blocks it (`<h2><span>…<p></span>`), or
    /// already ended by an ancestor's end tag (`<p><ins>…</p> … </ins>`). One defect, then:
    /// that element is left open, and this end tag is how it shows.
    pub meant_for: Option<ElementId>,
}

#[derive(Debug, Clone, Default)]
pub struct HtmlIndex {
    /// In document order of their start tags.
    pub elements: Vec<Element>,
    pub attributes: Vec<Attribute>,
    pub texts: Vec<Text>,
    /// The decoded text of every run, one after the other: one allocation for all of them.
    pub text_buffer: String,
    /// The decoded value of every attribute, one after the other, likewise.
    pub values: String,
    pub comments: Vec<Comment>,
    pub stray_end_tags: Vec<StrayEndTag>,
    /// The nearest element of each kind around every element, made when first asked for
    /// (`HtmlIndex::enclosing`).
    nearest: [std::sync::OnceLock<Vec<Option<ElementId>>>; structure::Around::COUNT],
    /// How far each element is hidden, with its ancestors, made when first asked for
    /// (`HtmlIndex::hidden`); and the Elementor devices the field's markup uses.
    visibility: std::sync::OnceLock<Vec<visibility::Hidden>>,
    elementor_devices: std::sync::OnceLock<u8>,
}

impl HtmlIndex {
    /// An empty index with room for what a field of `len` bytes usually holds, so that the
    /// build does not grow its tables again and again: the text of the runs is at most about
    /// the field's length (a reference decodes to no more bytes than it is written with, but
    /// for a few rare named ones), and the densities of elements, attributes and values are
    /// what WordPress posts show (a tag every few dozen bytes). Untouched room costs no memory
    /// a process holds, but it is address space: a field past [`HEAD_START`] bytes (50 MB of
    /// one attribute value promises a million elements it need not hold) starts with the room
    /// of that many and grows with what it holds.
    fn with_capacity_for(len: usize) -> Self {
        let len = len.min(HEAD_START);
        Self {
            elements: Vec::with_capacity(len / 64),
            attributes: Vec::with_capacity(len / 128),
            texts: Vec::with_capacity(len / 64),
            text_buffer: String::with_capacity(len),
            values: String::with_capacity(len / 8),
            ..Self::default()
        }
    }

    pub fn parse(html: &str) -> Self {
        let mut builder = Builder::new(html);
        // The emitter switches to raw text after <script>, <style>, <textarea> … as a browser
        // would.
        for _ in Tokenizer::new_with_emitter(html, IndexEmitter::new(html, &mut builder)) {}
        builder.finish()
    }

    pub fn attributes_of(&self, element: &Element) -> &[Attribute] {
        &self.attributes[element.attributes.clone()]
    }

    pub fn attribute<'a>(&'a self, element: &Element, name: &str) -> Option<&'a Attribute> {
        self.attributes_of(element)
            .iter()
            .find(|a| &*a.name == name)
    }

    /// An attribute's decoded value.
    pub fn value(&self, attribute: &Attribute) -> &str {
        self.values.get(attribute.value.clone()).unwrap_or_default()
    }

    /// A text run's decoded text.
    pub fn text(&self, run: &Text) -> &str {
        self.text_buffer
            .get(run.decoded.clone())
            .unwrap_or_default()
    }

    /// The text runs inside a range of the field, such as an element's content.
    pub fn texts_in(&self, range: Range<usize>) -> &[Text] {
        let from = self.texts.partition_point(|t| t.span.start < range.start);
        let rest = &self.texts[from..];
        // The end searched near the start (a link's or a paragraph's few runs), doubling the
        // reach: a second search over the whole field read runs far apart, each a cache miss.
        let mut reach = 1;
        while reach < rest.len() && rest[reach].span.start < range.end {
            reach *= 2;
        }
        let to = rest[..reach.min(rest.len())].partition_point(|t| t.span.start < range.end);
        &rest[..to]
    }

    /// The text of an element as a reader sees it.
    pub fn text_of(&self, element: &Element) -> String {
        self.texts_in(element.content.clone())
            .iter()
            .map(|t| self.text(t))
            .collect()
    }

    /// [`Self::text_of`] without the copy: a field's text runs lie back to back in
    /// [`HtmlIndex::text_buffer`], in document order.
    pub fn text_within(&self, element: &Element) -> &str {
        let runs = self.texts_in(element.content.clone());
        let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
            return "";
        };
        self.text_buffer
            .get(first.decoded.start..last.decoded.end)
            .unwrap_or_default()
    }

    /// The `<a>` a text run is inside, if any.
    pub fn link_of(&self, text: &Text) -> Option<ElementId> {
        text.parent.and_then(|p| self.elements[p].link)
    }

    /// All the text of the field, tags removed, as a reader sees it (whitespace kept).
    pub fn plain_text(&self) -> String {
        self.texts.iter().map(|t| self.text(t)).collect()
    }
}

/// html5gum hands out bytes; from a `&str` input they are UTF-8, and the plain check is much
/// cheaper than the lossy conversion's chunk walk.
fn lossy(bytes: &[u8]) -> String {
    utf8(bytes).into_owned()
}

/// The text of html5gum's bytes, borrowed when (as always from `&str` input) it is UTF-8.
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs inside every range of a field, the end found near the start, are those whose
    /// start is in the range, as a search over all of them finds.
    #[test]
    fn the_runs_in_a_range_are_those_starting_in_it() {
        let html = "a<p>b<span>c</span>d<a href=x>e<b>f</b></a>g</p>h<br>i<!-- j -->k&amp;l";
        let index = HtmlIndex::parse(html);
        assert!(index.texts.len() > 8);
        for start in 0..=html.len() + 1 {
            for end in 0..=html.len() + 1 {
                let starts_in = |t: &&Text| (start..end).contains(&t.span.start);
                let expected: Vec<_> = index.texts.iter().filter(starts_in).collect();
                let found: Vec<_> = index.texts_in(start..end).iter().collect();
                assert_eq!(
                    found.iter().map(|t| t.span.clone()).collect::<Vec<_>>(),
                    expected.iter().map(|t| t.span.clone()).collect::<Vec<_>>(),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn a_value_written_for_its_quoting_reads_back_whole() {
        let value = "https://x.example/it's \"a\" <b>&c=1";
        for (tag, quoting) in [
            ("<a href=\"old\" id=k>", Quoting::Double),
            ("<a href='old' id=k>", Quoting::Single),
            ("<a href=old id=k>", Quoting::Unquoted),
        ] {
            let index = HtmlIndex::parse(tag);
            let href = &index.attributes[0];
            assert_eq!(href.quoting, quoting, "{tag}");
            let span = href.value_span.clone().expect("a value");
            let written = quoting.write(value).expect("written");
            let fixed = format!("{}{written}{}", &tag[..span.start], &tag[span.end..]);
            let again = HtmlIndex::parse(&fixed);
            let values: Vec<&str> = again.attributes.iter().map(|a| again.value(a)).collect();
            assert_eq!(values, [value, "k"], "{fixed}");
        }
        let empty = HtmlIndex::parse("<a href=\"\">");
        assert_eq!(empty.attributes[0].quoting, Quoting::Absent);
        assert_eq!(Quoting::Absent.write(value), None);
    }

    #[test]
    fn an_elements_borrowed_text_is_its_copied_text() {
        let index = HtmlIndex::parse(
            "<p>a <a href=x>c&amp;<b>d</b><!-- c --> e</a><a></a><i>\u{e9}<br>&#x1F600;</i></p>",
        );
        for element in &index.elements {
            assert_eq!(index.text_within(element), index.text_of(element));
        }
    }

    fn strays(html: &str) -> Vec<(String, Range<usize>)> {
        HtmlIndex::parse(html)
            .stray_end_tags
            .into_iter()
            .map(|s| (s.name.to_string(), s.span))
            .collect()
    }

    #[test]
    fn matched_tags_are_not_stray() {
        assert!(strays("<p>a <span>b</span> <a href=x>c</a></p>").is_empty());
    }

    #[test]
    fn end_tags_without_start_tags_are_stray() {
        assert_eq!(
            strays("x</span>y</a></p>"),
            [
                ("span".to_owned(), 1..8),
                ("a".to_owned(), 9..13),
                ("p".to_owned(), 13..17)
            ]
        );
    }

    #[test]
    fn block_start_tag_closes_the_paragraph_so_its_end_tag_is_stray() {
        assert_eq!(strays("<p><div>x</div></p>"), [("p".to_owned(), 15..19)]);
    }

    #[test]
    fn span_end_tag_does_not_reach_past_a_paragraph() {
        assert_eq!(
            strays("<span><p>x</span></p>"),
            [("span".to_owned(), 10..17)]
        );
    }

    #[test]
    fn misnested_formatting_is_not_stray() {
        assert!(strays("<b><i>x</b></i>").is_empty());
        assert!(strays("<p><b>x</p><p>y</b></p>").is_empty());
    }

    #[test]
    fn list_items_close_each_other() {
        let index = HtmlIndex::parse("<ul><li>a<li>b</ul>");
        assert!(index.stray_end_tags.is_empty());
        let first = &index.elements[1];
        assert_eq!(first.closed, Closed::Implied { by: 9..13 });
    }

    #[test]
    fn attributes_keep_value_spans_and_the_first_duplicate() {
        let html = r#"<a href="x&amp;y" href="z" id=q title>t</a>"#;
        let index = HtmlIndex::parse(html);
        let a = &index.elements[0];
        let href = index.attribute(a, "href").expect("href");
        assert_eq!(index.value(href), "x&y");
        assert_eq!(&html[href.value_span.clone().expect("span")], "x&amp;y");
        assert_eq!(index.attributes_of(a).len(), 3);
        let title = index.attribute(a, "title").expect("title");
        assert_eq!(title.value_span, None);
        assert_eq!(a.start_tag, 0..38);
    }

    #[test]
    fn duplicates_are_dropped_in_place_keeping_the_order_of_the_rest() {
        let html = "<a id=1 class=a id=2 href=h class=b title=t><b x=1 x=2 y=3></b></a><i z>";
        let index = HtmlIndex::parse(html);
        let names = |element: &Element| -> Vec<(String, String)> {
            index
                .attributes_of(element)
                .iter()
                .map(|a| (a.name.to_string(), index.value(a).to_owned()))
                .collect()
        };
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            names(&index.elements[0]),
            pairs(&[("id", "1"), ("class", "a"), ("href", "h"), ("title", "t")])
        );
        assert_eq!(names(&index.elements[1]), pairs(&[("x", "1"), ("y", "3")]));
        assert_eq!(names(&index.elements[2]), pairs(&[("z", "")]));
        assert_eq!(index.attributes.len(), 7);
    }

    #[test]
    fn text_that_decodes_longer_than_it_is_written_is_whole() {
        // `&nGt;` is five bytes and decodes to two characters of three bytes each: more text
        // than the field's length, which the index's first room is sized by.
        let html = "&nGt;&nGt;<p>&nGt;</p>";
        let index = HtmlIndex::parse(html);
        assert_eq!(index.plain_text(), "\u{226B}\u{20D2}".repeat(3));
        assert_eq!(index.text_within(&index.elements[0]), "\u{226B}\u{20D2}");
    }

    #[test]
    fn tags_inside_select_are_dropped_as_browsers_do() {
        assert!(strays("<p><select><p><option>1</option></p></select></p>").is_empty());
    }

    #[test]
    fn script_content_is_raw_text() {
        let index = HtmlIndex::parse("<script>if (a</b) {}</script>");
        assert!(index.stray_end_tags.is_empty());
    }

    #[test]
    fn references_map_back_to_their_source() {
        let source = "caf&eacute; &amp; &#8217;s";
        let decoded = "caf\u{e9} & \u{2019}s";
        let map = reference_map(source, decoded).expect("aligned");
        let s = decoded.find('s').expect("s");
        assert_eq!(source_offset(&map, s), source.len() - 1);
        let amp = decoded.find('&').expect("amp");
        assert_eq!(
            source_offset(&map, amp),
            source.find("&amp;").expect("source amp")
        );
        assert_eq!(reference_map("&copy 2024", "\u{a9} 2024"), None);
    }

    #[test]
    fn open_elements_are_unclosed_at_the_end() {
        let index = HtmlIndex::parse("<div><span>x");
        assert!(index.elements.iter().all(|e| e.closed == Closed::Unclosed));
    }

    /// What the index is built from: tags that close others by implication, reopen, drop
    /// (inside `<select>`) or go foreign (`<svg>`), media, `<br>`, text blank and not.
    const SOUP: &str = "<p>|</p>|<div>|</div>|<span>|</span>|<b>|</b>|<img>|<br>|</br>|<li>|<ul>|\
        </ul>|<a>|</a>|<select>|</select>|<option>|<svg>|</svg>|<table>|<td>|<h2>|<h3>|</h2>|\
        <video>|x| |\u{200B}";

    /// The content marks of the finished index, by their definition: an element holds text
    /// (media, a line break) when a text not blank (a media element, a `<br>`) is below it.
    fn content_by_definition(index: &HtmlIndex) -> Vec<Content> {
        let mut has = vec![Content::default(); index.elements.len()];
        let mut mark = |from: Option<ElementId>, flag: fn(&mut Content) -> &mut bool| {
            let mut at = from;
            while let Some(id) = at {
                *flag(&mut has[id]) = true;
                at = index.elements[id].parent;
            }
        };
        for text in &index.texts {
            if !is_blank(&index.text_buffer[text.decoded.clone()]) {
                mark(text.parent, |c| &mut c.text);
            }
        }
        for element in &index.elements {
            if element.traits.any(Traits::MEDIA) {
                mark(element.parent, |c| &mut c.media);
            } else if &*element.name == "br" {
                mark(element.parent, |c| &mut c.line_break);
            }
        }
        has
    }

    proptest::proptest! {
        /// The marks made as each text and element is built are those of the finished tree.
        #[test]
        fn content_marks_made_while_building_are_those_of_the_finished_tree(
            pieces in proptest::collection::vec(
                proptest::sample::select(SOUP.split('|').collect::<Vec<_>>()),
                0..40,
            )
        ) {
            let html = pieces.concat();
            let index = HtmlIndex::parse(&html);
            let marked: Vec<Content> = index.elements.iter().map(|e| e.has).collect();
            proptest::prop_assert_eq!(marked, content_by_definition(&index), "{}", html);
        }
    }

    /// Wider soup: formatting elements closed by others and their end tags coming later,
    /// foreign content (HTML inside it), templates, raw text holding tags, `<select>`
    /// dropping tags, comments, CDATA, text after `</body>`, blank text by reference and by
    /// character, the media elements, and runs of one piece (nesting dozens deep).
    const WIDE_SOUP: &str = "<b>|</b>|<i>|</i>|<a href=x>|</a>|<p>|</p>|<span>|</span>|<div>|\
        </div>|<template>|</template>|<svg>|</svg>|<math>|<mi>|</math>|<foreignObject>|<image/>|\
        <script>x<img></script>|<textarea><br></textarea>|<style>b</style>|<noscript>|\
        <select>|<option>|</select>|<!-- x -->|<![CDATA[x]]>|</body>|<body>|</html>|<table>|\
        <tr>|<td>|</table>|<img>|<audio>|<iframe>|<picture>|<source>|<object>|<embed>|<video>|\
        <br>|</br>|<br/>|&nbsp;|&#x200B;|\u{A0}|\u{3000}|\t|x|<your name>|<my-card>|</p></p>";

    proptest::proptest! {
        #[test]
        fn content_marks_made_while_building_are_those_of_the_finished_tree_in_wider_soup(
            pieces in proptest::collection::vec(
                (proptest::sample::select(WIDE_SOUP.split('|').collect::<Vec<_>>()), 1..4usize),
                0..60,
            )
        ) {
            let html: String = pieces.iter().map(|(piece, times)| piece.repeat(*times)).collect();
            let index = HtmlIndex::parse(&html);
            let marked: Vec<Content> = index.elements.iter().map(|e| e.has).collect();
            proptest::prop_assert_eq!(marked, content_by_definition(&index), "{}", html);
        }
    }

    proptest::proptest! {
        /// In any soup (foreign content, templates, tables, raw text), the runs found in each
        /// element's content by the search near its start are those two searches over all the
        /// runs find: the runs lie in order of their starts.
        #[test]
        fn the_runs_of_each_element_in_wider_soup_are_those_of_two_searches(
            pieces in proptest::collection::vec(
                (proptest::sample::select(WIDE_SOUP.split('|').collect::<Vec<_>>()), 1..4usize),
                0..60,
            )
        ) {
            let html: String = pieces.iter().map(|(piece, times)| piece.repeat(*times)).collect();
            let index = HtmlIndex::parse(&html);
            let starts = index.texts.iter().map(|t| t.span.start);
            proptest::prop_assert!(starts.clone().zip(starts.skip(1)).all(|(a, b)| a <= b));
            for element in &index.elements {
                let range = element.content.clone();
                let from = index.texts.partition_point(|t| t.span.start < range.start);
                let to = index.texts.partition_point(|t| t.span.start < range.end);
                let both = &index.texts[from..to.max(from)];
                let spans = |runs: &[Text]| runs.iter().map(|t| t.span.clone()).collect::<Vec<_>>();
                proptest::prop_assert_eq!(spans(index.texts_in(range)), spans(both), "{}", html);
            }
        }
    }

    /// 20,000 elements deep, with text, media and line breaks at many depths: the marks are
    /// those of the finished tree.
    #[test]
    fn content_marks_of_deep_nesting_are_those_of_the_finished_tree() {
        let mut html = String::new();
        for depth in 0..20_000 {
            html.push_str(["<span>", "<b>", "<div>", "<em>"][depth % 4]);
            match depth % 997 {
                0 => html.push_str("<br>"),
                1 => html.push_str("<img>"),
                2 => html.push('x'),
                3 => html.push_str("</b>"),
                _ => {}
            }
        }
        let index = HtmlIndex::parse(&html);
        assert!(index.elements.len() >= 20_000);
        let marked: Vec<Content> = index.elements.iter().map(|e| e.has).collect();
        assert!(marked.iter().any(|c| c.text) && marked.iter().any(|c| !c.media));
        assert!(marked == content_by_definition(&index));
    }
}
