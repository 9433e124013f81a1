//! The reader's page: what a reader of an HTML field sees and can reach. A safe fix must leave
//! it unchanged, and `--fix` checks that mechanically (see `crate::fix`).
//!
//! It has two parts:
//! - the visible text: character references decoded, the content of `<script>`, `<style>` and
//!   `<template>` left out, zero-width spaces dropped, and every run of whitespace (`&nbsp;`
//!   too), line break and block boundary counted as one space;
//! - the inventory of what the page holds, as a multiset: embeds and scripts with their `src`,
//!   images with theirs, link targets, anchor targets (`id` on any element, `<a name>`), forms
//!   and their controls.
//!
//! Both are built from the field's [`HtmlIndex`], so the page follows the same tokenization
//! and tree as every rule.

use std::fmt;
use std::ops::Range;

use super::{Element, HtmlIndex, is_block};

/// What a reader meets in an HTML field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReaderPage {
    /// The visible text, whitespace collapsed to single spaces, trimmed.
    pub text: String,
    /// What the page holds, sorted.
    pub inventory: Vec<Item>,
}

/// Something on the page besides its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub kind: ItemKind,
    /// The tag it comes from: `script`, `img`, `a`, `input`, …
    pub tag: String,
    /// What identifies it: a `src`, an `href`, an `id`, a control's `name`.
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// `script`, `iframe`, `embed`, `object`, `video`, `audio`, `source`, `track`.
    Embed,
    Image,
    /// An `href`.
    Link,
    /// An `id`, or `<a name>`: what `#fragment` links land on.
    AnchorTarget,
    /// `form`, `input`, `select`, `textarea`, `button`.
    Form,
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = shorten(&self.value, 60);
        match self.kind {
            ItemKind::Embed if self.value.is_empty() => write!(f, "a `<{}>`", self.tag),
            ItemKind::Embed => write!(f, "the `<{}>` of `{value}`", self.tag),
            ItemKind::Image => write!(f, "the image `{value}`"),
            ItemKind::Link => write!(f, "the link to `{value}`"),
            ItemKind::AnchorTarget => write!(f, "the anchor target `#{value}`"),
            ItemKind::Form => write!(f, "the form control `<{}>` `{value}`", self.tag),
        }
    }
}

/// Elements whose content no reader sees.
fn hides_content(name: &str) -> bool {
    matches!(name, "script" | "style" | "template")
}

fn is_embed(name: &str) -> bool {
    matches!(
        name,
        "script" | "iframe" | "embed" | "object" | "video" | "audio" | "source" | "track"
    )
}

fn is_form(name: &str) -> bool {
    matches!(name, "form" | "input" | "select" | "textarea" | "button")
}

/// Characters that render as nothing at all (not even a space).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{FEFF}')
}

impl ReaderPage {
    pub fn of(index: &HtmlIndex) -> Self {
        let mut inventory: Vec<Item> = index
            .elements
            .iter()
            .flat_map(|element| items_of(index, element))
            .collect();
        inventory.sort();
        Self {
            text: visible_text(&Flow::of(index)),
            inventory,
        }
    }

    /// Says how `after` differs from this page, for a fix's note; `None` when it does not.
    pub fn difference(&self, after: &ReaderPage) -> Option<String> {
        if self.text != after.text {
            let (was, reads) = text_difference(&self.text, &after.text);
            return Some(format!("the text `{was}` would read `{reads}`"));
        }
        match first_difference(&self.inventory, &after.inventory)? {
            (item, true) => Some(format!("{item} would be removed")),
            (item, false) => Some(format!("{item} would be added")),
        }
    }
}

/// The first item one sorted multiset has more of than the other, and whether it is `before`.
fn first_difference<'a>(before: &'a [Item], after: &'a [Item]) -> Option<(&'a Item, bool)> {
    let (mut b, mut a) = (before.iter().peekable(), after.iter().peekable());
    loop {
        match (b.peek(), a.peek()) {
            (None, None) => return None,
            (Some(x), Some(y)) if x == y => {
                b.next();
                a.next();
            }
            (Some(x), Some(y)) => return Some(if x < y { (*x, true) } else { (*y, false) }),
            (Some(x), None) => return Some((*x, true)),
            (None, Some(y)) => return Some((*y, false)),
        }
    }
}

/// The stretch of two texts around where they first differ, with a few words of context.
fn text_difference(before: &str, after: &str) -> (String, String) {
    let common_prefix = before
        .char_indices()
        .zip(after.chars())
        .find(|((_, a), b)| a != b)
        .map_or(before.len().min(after.len()), |((i, _), _)| i);
    let common_prefix = floor_boundary(after, common_prefix.min(after.len()));
    let common_suffix = before
        .chars()
        .rev()
        .zip(after.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>()
        .min(before.len() - common_prefix)
        .min(after.len() - common_prefix);
    let context = |text: &str| {
        let start = context_start(text, common_prefix);
        let end = context_end(text, text.len() - common_suffix);
        format!(
            "{}{}{}",
            if start > 0 { "…" } else { "" },
            &text[start..end],
            if end < text.len() { "…" } else { "" }
        )
    };
    (context(before), context(after))
}

const CONTEXT_CHARS: usize = 20;

fn context_start(text: &str, at: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i)
}

fn context_end(text: &str, at: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(text.len(), |(i, _)| at + i)
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// What an element adds to the page's inventory.
fn items_of(index: &HtmlIndex, element: &Element) -> Vec<Item> {
    let name = &*element.name;
    let attribute = |key: &str| index.attribute(element, key).map(|a| index.value(a));
    let item = |kind, value: &str| Item {
        kind,
        tag: name.to_owned(),
        value: value.to_owned(),
    };
    let mut items = Vec::new();
    if is_embed(name) {
        let source = attribute("src").or_else(|| attribute("data"));
        let inline = || index.text_of(element).trim().to_owned();
        items.push(item(
            ItemKind::Embed,
            &source.map_or_else(inline, str::to_owned),
        ));
    }
    if name == "img" {
        items.push(item(ItemKind::Image, attribute("src").unwrap_or_default()));
    }
    if let Some(href) = attribute("href") {
        items.push(item(ItemKind::Link, href));
    }
    if let Some(id) = attribute("id") {
        items.push(item(ItemKind::AnchorTarget, id));
    }
    if name == "a"
        && let Some(anchor) = attribute("name")
    {
        items.push(item(ItemKind::AnchorTarget, anchor));
    }
    if is_form(name) {
        let what = ["name", "action", "type"]
            .iter()
            .find_map(|key| attribute(key))
            .unwrap_or_default();
        items.push(item(ItemKind::Form, what));
    }
    items
}

/// Whether anything of the page's inventory starts inside `range` of the field: removing that
/// range would take it away.
pub fn holds_items(index: &HtmlIndex, range: Range<usize>) -> bool {
    items_in(index, range).next().is_some()
}

/// The inventory items whose element starts inside `range` of the field.
pub fn items_in(index: &HtmlIndex, range: Range<usize>) -> impl Iterator<Item = Item> + '_ {
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < range.start);
    index.elements[from..]
        .iter()
        .take_while(move |e| e.start_tag.start < range.end)
        .flat_map(|e| items_of(index, e))
}

/// One thing a reader meets along the field.
#[derive(Debug, Clone, Copy)]
enum Piece<'i> {
    Text(&'i str),
    /// A block boundary or a line break: a space to a reader.
    Break,
}

#[derive(Debug, Clone, Copy)]
struct Placed<'i> {
    /// Where a reader meets it: a text's start, a block's start or end, a `<br>`.
    at: usize,
    /// Where what it comes from starts: the text itself, or the start tag of the element that
    /// makes the break. Removing a stretch of the field removes the pieces that start in it.
    owner: usize,
    piece: Piece<'i>,
}

/// What a reader meets, in the order of the field.
#[derive(Debug, Default)]
pub struct Flow<'i> {
    /// Sorted by `at`.
    pieces: Vec<Placed<'i>>,
}

/// What is next to a stretch of the field on one side, as a reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A visible character.
    Word,
    /// Whitespace, a break, or the edge of the field.
    Space,
}

impl<'i> Flow<'i> {
    pub fn of(index: &'i HtmlIndex) -> Self {
        let hidden = hidden_elements(index);
        let mut pieces = Vec::with_capacity(index.texts.len());
        let texts = index
            .texts
            .iter()
            .filter(|t| !t.parent.is_some_and(|p| hidden[p]));
        pieces.extend(texts.map(|t| Placed {
            at: t.span.start,
            owner: t.span.start,
            piece: Piece::Text(index.text(t)),
        }));
        for element in &index.elements {
            let owner = element.start_tag.start;
            let mut add = |at| {
                pieces.push(Placed {
                    at,
                    owner,
                    piece: Piece::Break,
                })
            };
            if is_block(&element.name) {
                add(owner);
                add(element_end(element));
            } else if matches!(&*element.name, "br" | "hr") {
                add(owner);
            }
        }
        pieces.sort_by_key(|p| p.at);
        Self { pieces }
    }

    /// Whether removing `range` of the field would join the words on either side of it: what
    /// the range holds includes a space (whitespace or a break), and a visible character is
    /// next to it on both sides.
    pub fn removal_joins_words(&self, range: Range<usize>) -> bool {
        let inside = |p: &Placed<'_>| range.contains(&p.owner);
        let before_end = self.pieces.partition_point(|p| p.at <= range.start);
        let after_start = self.pieces.partition_point(|p| p.at < range.end);
        let after_end = self.pieces.partition_point(|p| p.at <= range.end);
        // What starts in the range is met inside it or at its end (the range is whole elements).
        let first = self.pieces.partition_point(|p| p.at < range.start);
        let holds_space = self.pieces[first..after_end]
            .iter()
            .filter(|p| inside(p))
            .any(|p| match p.piece {
                Piece::Break => true,
                Piece::Text(text) => text.chars().any(char::is_whitespace),
            });
        if !holds_space {
            return false;
        }
        let before = self.pieces[..before_end]
            .iter()
            .rev()
            .filter(|p| !inside(p))
            .find_map(|p| edge_side(p.piece, true));
        let after = self.pieces[after_start..]
            .iter()
            .filter(|p| !inside(p))
            .find_map(|p| edge_side(p.piece, false));
        before == Some(Side::Word) && after == Some(Side::Word)
    }
}

/// What a piece shows at its end (`last`) or its start; `None` for a text of nothing visible.
fn edge_side(piece: Piece<'_>, last: bool) -> Option<Side> {
    match piece {
        Piece::Break => Some(Side::Space),
        Piece::Text(text) => {
            let mut visible = text.chars().filter(|c| !is_invisible(*c));
            if last {
                visible.next_back()
            } else {
                visible.next()
            }
            .map(side)
        }
    }
}

fn side(c: char) -> Side {
    if c.is_whitespace() {
        Side::Space
    } else {
        Side::Word
    }
}

/// Where an element ends: after its end tag, or where its content ends.
fn element_end(element: &Element) -> usize {
    element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |t| t.end)
}

/// Per element, whether its content is hidden from readers (it or an ancestor is a script,
/// style or template). Parents come before their children, so one pass is enough.
fn hidden_elements(index: &HtmlIndex) -> Vec<bool> {
    let mut hidden = Vec::with_capacity(index.elements.len());
    for element in &index.elements {
        let by_parent = element.parent.is_some_and(|p| hidden[p]);
        hidden.push(by_parent || hides_content(&element.name));
    }
    hidden
}

/// The flow's text with whitespace, breaks and edges collapsed to single spaces.
fn visible_text(flow: &Flow<'_>) -> String {
    let mut out = String::new();
    let mut space = false;
    for placed in &flow.pieces {
        let text = match placed.piece {
            Piece::Break => {
                space = true;
                continue;
            }
            Piece::Text(text) => text,
        };
        for c in text.chars() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> ReaderPage {
        ReaderPage::of(&HtmlIndex::parse(html))
    }

    fn text(html: &str) -> String {
        page(html).text
    }

    fn inventory(html: &str) -> Vec<(ItemKind, String, String)> {
        page(html)
            .inventory
            .into_iter()
            .map(|i| (i.kind, i.tag, i.value))
            .collect()
    }

    #[test]
    fn whitespace_runs_are_one_space_and_edges_are_trimmed() {
        assert_eq!(text("  <p> a \n\t b  </p>\n"), "a b");
    }

    #[test]
    fn nbsp_counts_as_whitespace() {
        assert_eq!(text("a&nbsp;&nbsp; b\u{a0}c"), "a b c");
        assert_eq!(
            text("<p>a</p><p>&nbsp;</p><p>b</p>"),
            text("<p>a</p><p>b</p>")
        );
    }

    #[test]
    fn references_are_decoded() {
        assert_eq!(
            text("caf&eacute; &amp; &#8217;s &lt;b&gt;"),
            "café & ’s <b>"
        );
    }

    #[test]
    fn script_and_style_content_is_left_out() {
        assert_eq!(
            text("a<script>var x = '<b>';</script>b<style>p{}</style>c<template>t</template>"),
            "abc"
        );
    }

    #[test]
    fn block_boundaries_and_line_breaks_are_spaces_inline_tags_are_not() {
        assert_eq!(text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(text("<li>a</li><li>b</li>"), "a b");
        assert_eq!(text("a<br>b"), "a b");
        assert_eq!(text("a<span>b</span><em>c</em>"), "abc");
        assert_eq!(text("a<img src=x.png>b"), "ab");
    }

    #[test]
    fn a_space_span_between_words_is_part_of_the_text() {
        let with = "copias.“<span> </span>Linus";
        assert_eq!(text(with), "copias.“ Linus");
        assert_ne!(text(with), text("copias.“Linus"));
        assert_eq!(text("a <span> </span>b"), text("a b"));
    }

    #[test]
    fn zero_width_spaces_are_nothing() {
        assert_eq!(text("a\u{200B}b \u{FEFF} c"), "ab c");
    }

    #[test]
    fn inventory_holds_ids_names_sources_and_targets() {
        let html = concat!(
            r#"<p id="top"><a name="toc"></a><a href="https://x.org/">x</a>"#,
            r#"<img src="a.png"><script src="https://gist.github.com/u/1.js"></script>"#,
            r#"<iframe src="https://v.example/e"></iframe><script>go()</script>"#,
            r#"<form action="/s"><input name="q"></form></p>"#,
        );
        use ItemKind::*;
        let owned = |k, t: &str, v: &str| (k, t.to_owned(), v.to_owned());
        assert_eq!(
            inventory(html),
            [
                owned(Embed, "iframe", "https://v.example/e"),
                owned(Embed, "script", "go()"),
                owned(Embed, "script", "https://gist.github.com/u/1.js"),
                owned(Image, "img", "a.png"),
                owned(Link, "a", "https://x.org/"),
                owned(AnchorTarget, "a", "toc"),
                owned(AnchorTarget, "p", "top"),
                owned(Form, "form", "/s"),
                owned(Form, "input", "q"),
            ]
        );
    }

    #[test]
    fn differences_are_described() {
        let before = page("<p>copias.“<span> </span>Linus Torvalds</p>");
        let after = page("<p>copias.“Linus Torvalds</p>");
        assert_eq!(
            before.difference(&after).as_deref(),
            Some("the text `copias.“ Linus Torvalds` would read `copias.“Linus Torvalds`")
        );
        let lost = page("<p>x</p>").difference(&page("<p>x</p><p><a name=\"s\"></a></p>"));
        assert_eq!(
            lost.as_deref(),
            Some("the anchor target `#s` would be added")
        );
        let gist = page("<p><script src=\"g.js\"></script></p>").difference(&page(""));
        assert_eq!(
            gist.as_deref(),
            Some("the `<script>` of `g.js` would be removed")
        );
        assert_eq!(page("<p>a</p>").difference(&page("a")), None);
    }

    #[test]
    fn removal_joins_words_only_between_words() {
        let html = "copias.“<span> </span>Linus <span> </span>x<p></p>";
        let index = HtmlIndex::parse(html);
        let flow = Flow::of(&index);
        let first = html.find("<span>").expect("span");
        let first = first..first + "<span> </span>".len();
        assert!(flow.removal_joins_words(first));
        let second = html.rfind("<span>").expect("span");
        assert!(!flow.removal_joins_words(second..second + "<span> </span>".len()));
        let empty = html.find("<p>").expect("p");
        assert!(!flow.removal_joins_words(empty..html.len()));
    }

    #[test]
    fn items_in_a_range_are_found() {
        let html = "<p><a name=\"x\"></a></p><p></p>";
        let index = HtmlIndex::parse(html);
        assert!(holds_items(&index, 0..21));
        assert!(!holds_items(&index, 21..html.len()));
    }
}
