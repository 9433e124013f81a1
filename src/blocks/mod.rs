//! Gutenberg block markup, read once per HTML field from the comments the HTML index collected:
//! `<!-- wp:name {json} -->` opens a block, `<!-- /wp:name -->` closes it, `<!-- wp:name /-->`
//! is a block with no inner content. Names follow WordPress's block grammar
//! (`[a-z][a-z0-9_-]*`, optionally `namespace/`); a name without a namespace is `core/`'s.
//!
//! The structure follows WordPress's parser (`WP_Block_Parser`): a closer ends the innermost
//! open block, whatever its name. Where the author's intent is plain, the parse keeps it
//! instead, so that one defect gives one finding: a closer whose name matches an outer open
//! block ends that block, and the blocks inside it are the ones left unclosed.

mod attributes;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::html::{HtmlIndex, is_blank, is_media, reader};

use attributes::parse_attributes;

pub type BlockId = usize;

/// The comment delimiters' searchers, built once: `memmem::find` builds one per call, which
/// cost more than the search in most fields.
static COMMENT_OPEN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"<!--"));
static COMMENT_CLOSE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-->"));

/// A block of the field, in document order of its opener.
#[derive(Debug, Clone)]
pub struct Block {
    /// With its namespace: `core/paragraph`.
    pub name: String,
    /// The opening delimiter comment, `<!--` to `-->`.
    pub opener: Range<usize>,
    pub attributes: Attributes,
    pub end: BlockEnd,
    pub parent: Option<BlockId>,
}

impl Block {
    /// The name as WordPress writes it: `paragraph` for `core/paragraph`.
    pub fn short_name(&self) -> &str {
        short_name(&self.name)
    }

    /// The block's inner HTML, between its opener and its own closer.
    pub fn content(&self) -> Option<Range<usize>> {
        match &self.end {
            BlockEnd::Closer(closer) => Some(self.opener.end..closer.start),
            _ => None,
        }
    }

    /// An attribute, when the attributes are a JSON object that has it.
    pub fn attribute(&self, key: &str) -> Option<&serde_json::Value> {
        match &self.attributes {
            Attributes::Object { values, .. } => values.get(key),
            _ => None,
        }
    }
}

/// Whether a range of a field holds nothing a reader meets: no text but whitespace, no image
/// or embed, no anchor, script or form control.
/// A range with more elements or text runs than this is not empty: blocks nested without end
/// (hostile input) must not make every block scan the whole field.
const MOST_PIECES_OF_AN_EMPTY_BLOCK: usize = 1000;

pub fn holds_nothing(index: &HtmlIndex, range: Range<usize>) -> bool {
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < range.start);
    let to = index
        .elements
        .partition_point(|e| e.start_tag.start < range.end)
        .max(from);
    let texts = index.texts_in(range.clone());
    if to - from > MOST_PIECES_OF_AN_EMPTY_BLOCK || texts.len() > MOST_PIECES_OF_AN_EMPTY_BLOCK {
        return false;
    }
    let no_media = index.elements[from..to].iter().all(|e| !is_media(&e.name));
    no_media && texts.iter().all(|t| is_blank(index.text(t))) && !reader::holds_items(index, range)
}

/// A paragraph, heading or list block with nothing in it (`block-empty`).
pub fn is_empty_block(index: &HtmlIndex, block: &Block) -> bool {
    matches!(
        block.name.as_str(),
        "core/paragraph" | "core/heading" | "core/list"
    ) && block
        .content()
        .is_some_and(|content| holds_nothing(index, content))
}

/// `core/paragraph` is written `paragraph`.
pub fn short_name(name: &str) -> &str {
    name.strip_prefix("core/").unwrap_or(name)
}

/// What follows a block's name in its opener.
#[derive(Debug, Clone)]
pub enum Attributes {
    None,
    /// A JSON object; `span` is its bytes in the field.
    Object {
        span: Range<usize>,
        values: serde_json::Map<String, serde_json::Value>,
    },
    /// Not a JSON object: WordPress's parser and the editor drop it.
    Invalid {
        span: Range<usize>,
        problem: String,
    },
}

/// How a block ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockEnd {
    /// `<!-- wp:name /-->`: no inner content.
    SelfClosing,
    /// Its own closer.
    Closer(Range<usize>),
    /// A closer of another name, which WordPress lets end the innermost open block: that
    /// closer is in [`Blocks::stray_closers`].
    WrongCloser(Range<usize>),
    /// No closer: an outer block's closer ended it (`cut_by`), or the field did.
    Unclosed { cut_by: Option<Range<usize>> },
}

/// A closer that does not close a block of its name.
#[derive(Debug, Clone)]
pub struct StrayCloser {
    pub name: String,
    pub span: Range<usize>,
    /// The innermost open block, which WordPress ends with this closer; `None` when no block
    /// was open.
    pub closes: Option<BlockId>,
}

/// The blocks of one HTML field.
#[derive(Debug, Clone, Default)]
pub struct Blocks {
    pub blocks: Vec<Block>,
    pub stray_closers: Vec<StrayCloser>,
    /// A delimiter left without its `-->`: at most one, the rest of the field being inside it.
    pub unterminated: Vec<Unterminated>,
}

impl Blocks {
    /// Reads the block delimiters of a field's HTML as WordPress's block parser finds them.
    pub fn parse(html: &str) -> Self {
        let mut builder = Builder::default();
        let mut scan = Scan::new(html);
        while let Some(found) = scan.next() {
            match found {
                Found::Delimiter(delimiter) => builder.add(delimiter),
                Found::Unterminated(opener) => builder.blocks.unterminated.push(opener),
            }
        }
        builder.blocks
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty() && self.stray_closers.is_empty() && self.unterminated.is_empty()
    }

    /// The innermost block properly closed whose inner HTML holds a position (looked for
    /// among a few levels of nesting: hostile input nests without end).
    pub fn innermost_at(&self, position: usize) -> Option<&Block> {
        let before = self.blocks.partition_point(|b| b.opener.start < position);
        let mut at = before.checked_sub(1);
        for _ in 0..64 {
            let id = at?;
            let block = self.blocks.get(id)?;
            if block.content().is_some_and(|c| c.contains(&position)) {
                return Some(block);
            }
            at = block.parent;
        }
        None
    }
}

/// A delimiter's start, `<!-- wp:name`, that no `-->` ever follows: the comment it opens runs
/// to the end of the field, and browsers show readers nothing after it.
#[derive(Debug, Clone)]
pub struct Unterminated {
    pub name: String,
    /// From `<!--` to the end of the name.
    pub span: Range<usize>,
}

/// One delimiter comment, read.
#[derive(Debug)]
struct Delimiter {
    span: Range<usize>,
    kind: DelimiterKind,
    name: String,
    attributes: Attributes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DelimiterKind {
    Opener,
    Closer,
    SelfClosing,
}

enum Found {
    Delimiter(Delimiter),
    Unterminated(Unterminated),
}

/// The field's HTML read for delimiters from left to right, as `WP_Block_Parser::next_token`
/// reads it with one regular expression:
///
/// ```text
/// <!--\s+(/)?wp:([a-z][a-z0-9_-]*/)?([a-z][a-z0-9_-]*)\s+
///   ({(?:(?:[^}]+|}+(?=})|(?!}\s+/?-->).)*+)?}\s+)?(/)?-->
/// ```
///
/// So a delimiter is found wherever `<!--` is (not only where an HTML comment starts), the name
/// needs whitespace after it, and the attributes run from `{` to the first `}` followed by
/// whitespace and `/-->` or `-->`: a `-->` inside an attribute's string does not end them.
/// Written by hand rather than with a backtracking regex crate: the regex, tried again from
/// each `<!--`, looks to the end of the field for each, which is quadratic on hostile input;
/// here each look-ahead remembers what it found.
struct Scan<'h> {
    html: &'h str,
    at: usize,
    /// The first `}` from some position on that ends attributes, and that position.
    attributes_end: Option<(usize, Option<usize>)>,
    /// The first `-->` from some position on, and that position.
    comment_end: Option<(usize, Option<usize>)>,
    done: bool,
}

impl<'h> Scan<'h> {
    fn new(html: &'h str) -> Self {
        Self {
            html,
            at: 0,
            attributes_end: None,
            comment_end: None,
            done: false,
        }
    }

    fn next(&mut self) -> Option<Found> {
        while !self.done {
            let Some(found) = COMMENT_OPEN.find(&self.html.as_bytes()[self.at..]) else {
                self.done = true;
                break;
            };
            let start = self.at + found;
            self.at = start + 4;
            match self.read(start) {
                Some(Found::Delimiter(delimiter)) => {
                    self.at = delimiter.span.end;
                    return Some(Found::Delimiter(delimiter));
                }
                // Nothing after it reaches a reader, nor a parser looking for `-->`.
                Some(unterminated) => {
                    self.done = true;
                    return Some(unterminated);
                }
                None => {}
            }
        }
        None
    }

    /// The delimiter whose `<!--` is at `start`, if one is.
    fn read(&mut self, start: usize) -> Option<Found> {
        let bytes = self.html.as_bytes();
        let mut at = start + 4;
        let space = spaces(bytes, at);
        if space == 0 {
            return None;
        }
        at += space;
        let closer = bytes.get(at) == Some(&b'/');
        at += usize::from(closer);
        if !bytes[at..].starts_with(b"wp:") {
            return None;
        }
        at += 3;
        let name_start = at;
        let name_end = name_end(bytes, at)?;
        let name = full_name(&self.html[name_start..name_end]);
        let found = self.read_rest(name_end).map(|(end, void, attributes)| {
            let kind = match (void, closer) {
                (true, _) => DelimiterKind::SelfClosing,
                (false, true) => DelimiterKind::Closer,
                (false, false) => DelimiterKind::Opener,
            };
            Found::Delimiter(Delimiter {
                span: start..end,
                kind,
                name: name.clone(),
                attributes,
            })
        });
        found.or_else(|| self.near_miss(start, name, name_end, closer))
    }

    /// After the name, as WordPress reads it: whitespace, the attributes if any, `/` if the
    /// block is void, `-->`. The end of the delimiter, whether it is void, the attributes.
    fn read_rest(&mut self, name_end: usize) -> Option<(usize, bool, Attributes)> {
        let bytes = self.html.as_bytes();
        let mut at = name_end + spaces(bytes, name_end);
        if at == name_end {
            return None;
        }
        let mut attributes = Attributes::None;
        if bytes.get(at) == Some(&b'{') {
            let last = self.attributes_end_from(at + 1)?;
            let span = at..last + 1;
            attributes = parse_attributes(&self.html[span.clone()], span);
            at = last + 1;
            at += spaces(bytes, at);
        }
        let void = bytes.get(at) == Some(&b'/');
        at += usize::from(void);
        bytes[at..]
            .starts_with(b"-->")
            .then_some((at + 3, void, attributes))
    }

    /// A delimiter WordPress does not read as one, but whose author meant one: `<!-- wp:image
    /// id="5" -->`, `<!-- wp:heading {"level":3}-->`, `<!-- wp:more-->`. Kept, as the comment
    /// ends for a browser (at the first `-->`), so that its closer is not stray and its
    /// attributes are reported; with no `-->` at all it hides the rest of the field.
    fn near_miss(
        &mut self,
        start: usize,
        name: String,
        name_end: usize,
        closer: bool,
    ) -> Option<Found> {
        let Some(end) = self.comment_end_from(name_end) else {
            return Some(Found::Unterminated(Unterminated {
                name,
                span: start..name_end,
            }));
        };
        let rest = &self.html[name_end..end];
        if !rest.is_empty() && !rest.starts_with(|c: char| is_space(c) || c == '/' || c == '{') {
            return None;
        }
        let (void, attributes) = attributes_and_slash(rest, name_end);
        let kind = match (void, closer) {
            (true, _) => DelimiterKind::SelfClosing,
            (false, true) => DelimiterKind::Closer,
            (false, false) => DelimiterKind::Opener,
        };
        let attributes = match attributes {
            Attributes::Object { span, .. } => Attributes::Invalid {
                span,
                problem: "WordPress needs whitespace between them and `-->`".to_owned(),
            },
            other => other,
        };
        Some(Found::Delimiter(Delimiter {
            span: start..end + 3,
            kind,
            name,
            attributes,
        }))
    }

    /// The first `}` at or after `from` that whitespace and `-->` or `/-->` follow.
    fn attributes_end_from(&mut self, from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.attributes_end
            && searched_from <= from
            && found.is_none_or(|end| from <= end)
        {
            return found;
        }
        let bytes = self.html.as_bytes();
        let found = memchr::memchr_iter(b'}', &bytes[from..])
            .map(|i| from + i)
            .find(|&brace| {
                let after = brace + 1;
                let space = spaces(bytes, after);
                let rest = &bytes[after + space..];
                space > 0 && (rest.starts_with(b"-->") || rest.starts_with(b"/-->"))
            });
        self.attributes_end = Some((from, found));
        found
    }

    /// The first `-->` at or after `from`.
    fn comment_end_from(&mut self, from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.comment_end
            && searched_from <= from
            && found.is_none_or(|end| from <= end)
        {
            return found;
        }
        let found = COMMENT_CLOSE
            .find(&self.html.as_bytes()[from..])
            .map(|i| from + i);
        self.comment_end = Some((from, found));
        found
    }
}

/// How many bytes of PHP's `\s` start `bytes[at..]`.
fn spaces(bytes: &[u8], at: usize) -> usize {
    (bytes.get(at..).unwrap_or_default().iter())
        .take_while(|&&b| is_space(char::from(b)))
        .count()
}

/// `core/paragraph` for `paragraph`; a name with its namespace as it is.
fn full_name(name: &str) -> String {
    if name.contains('/') {
        name.to_owned()
    } else {
        format!("core/{name}")
    }
}

/// PHP's `\s`: the block grammar's whitespace.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

/// Where a block name that starts at `at` ends: `name` or `namespace/name`.
fn name_end(bytes: &[u8], at: usize) -> Option<usize> {
    let part = |from: usize| -> Option<usize> {
        let rest = bytes.get(from..)?;
        if !rest.first()?.is_ascii_lowercase() {
            return None;
        }
        let len = rest
            .iter()
            .take_while(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')
            })
            .count();
        Some(from + len)
    };
    let first = part(at)?;
    if bytes.get(first) == Some(&b'/') {
        // `wp:core/4-invalid`: WordPress's grammar reads no name after the namespace, and
        // wants whitespace after a name, so the comment is plain HTML, not a delimiter.
        return part(first + 1);
    }
    Some(first)
}

/// What follows the name of a delimiter WordPress does not read: the attribute JSON (with
/// its span at `start` + its offset) and whether the delimiter ends with `/`.
fn attributes_and_slash(rest: &str, start: usize) -> (bool, Attributes) {
    let trimmed = rest.trim_end_matches(is_space);
    let (self_closing, before_slash) = match trimmed.strip_suffix('/') {
        Some(before) => (true, before.trim_end_matches(is_space)),
        None => (false, trimmed),
    };
    let json = before_slash.trim_start_matches(is_space);
    if json.is_empty() {
        return (self_closing, Attributes::None);
    }
    // `before_slash` is a prefix of `rest`, `json` a suffix of it.
    let from = start + (before_slash.len() - json.len());
    let span = from..from + json.len();
    if !json.starts_with('{') {
        let problem = "they are not in braces".to_owned();
        return (self_closing, Attributes::Invalid { span, problem });
    }
    (self_closing, parse_attributes(json, span))
}

/// Builds the block list, keeping the stack of open blocks.
#[derive(Default)]
struct Builder {
    blocks: Blocks,
    open: Vec<BlockId>,
    /// How many blocks of each name are open: a closer whose name is not open needs no search.
    open_names: HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, delimiter: Delimiter) {
        match delimiter.kind {
            DelimiterKind::SelfClosing => {
                self.push(delimiter, BlockEnd::SelfClosing);
            }
            DelimiterKind::Opener => {
                let name = delimiter.name.clone();
                let id = self.push(delimiter, BlockEnd::Unclosed { cut_by: None });
                self.open.push(id);
                *self.open_names.entry(name).or_default() += 1;
            }
            DelimiterKind::Closer => self.close(delimiter.name, delimiter.span),
        }
    }

    fn push(&mut self, delimiter: Delimiter, end: BlockEnd) -> BlockId {
        self.blocks.blocks.push(Block {
            name: delimiter.name,
            opener: delimiter.span,
            attributes: delimiter.attributes,
            end,
            parent: self.open.last().copied(),
        });
        self.blocks.blocks.len() - 1
    }

    fn close(&mut self, name: String, span: Range<usize>) {
        let Some(&innermost) = self.open.last() else {
            self.blocks.stray_closers.push(StrayCloser {
                name,
                span,
                closes: None,
            });
            return;
        };
        if self.open_names.get(&name).copied().unwrap_or(0) == 0 {
            // No open block of this name: WordPress ends the innermost one with it.
            self.pop(BlockEnd::WrongCloser(span.clone()));
            self.blocks.stray_closers.push(StrayCloser {
                name,
                span,
                closes: Some(innermost),
            });
            return;
        }
        // The blocks above the one of this name were left without their closers.
        while let Some(&top) = self.open.last() {
            if self.blocks.blocks[top].name == name {
                self.pop(BlockEnd::Closer(span));
                return;
            }
            self.pop(BlockEnd::Unclosed {
                cut_by: Some(span.clone()),
            });
        }
    }

    fn pop(&mut self, end: BlockEnd) {
        let Some(id) = self.open.pop() else { return };
        let block = &mut self.blocks.blocks[id];
        if let Some(count) = self.open_names.get_mut(&block.name) {
            *count = count.saturating_sub(1);
        }
        block.end = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::HtmlIndex;

    fn parse(html: &str) -> Blocks {
        Blocks::parse(html)
    }

    #[test]
    fn openers_closers_and_self_closing_blocks_nest() {
        let html = "<!-- wp:group --><div><!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->\
                    <!-- wp:core/separator /--></div><!-- /wp:group -->";
        let blocks = parse(html);
        assert!(blocks.stray_closers.is_empty());
        let names: Vec<_> = blocks.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["core/group", "core/paragraph", "core/separator"]);
        assert_eq!(blocks.blocks[1].parent, Some(0));
        assert_eq!(blocks.blocks[2].end, BlockEnd::SelfClosing);
        let paragraph = blocks.blocks[1].content().expect("closed");
        assert_eq!(&html[paragraph], "<p>x</p>");
        assert_eq!(&html[blocks.blocks[0].opener.clone()], "<!-- wp:group -->");
    }

    #[test]
    fn attributes_keep_their_span() {
        let html = r#"<!-- wp:heading {"level":3} --><h3>x</h3><!-- /wp:heading -->"#;
        let blocks = parse(html);
        let Attributes::Object { span, values } = &blocks.blocks[0].attributes else {
            panic!("attributes: {:?}", blocks.blocks[0].attributes);
        };
        assert_eq!(&html[span.clone()], r#"{"level":3}"#);
        assert_eq!(values.get("level"), Some(&serde_json::json!(3)));
    }

    #[test]
    fn attributes_that_are_not_json_are_invalid() {
        for (html, bad) in [
            (r#"<!-- wp:image {"id":5,} /-->"#, r#"{"id":5,}"#),
            (r#"<!-- wp:image id="5" -->"#, r#"id="5""#),
        ] {
            let blocks = parse(html);
            let Attributes::Invalid { span, .. } = &blocks.blocks[0].attributes else {
                panic!("{html}: {:?}", blocks.blocks[0].attributes);
            };
            assert_eq!(&html[span.clone()], bad);
        }
    }

    #[test]
    fn ordinary_comments_are_not_blocks() {
        for html in [
            "<!--more-->",
            "<!-- more -->",
            "<!--wp:paragraph-->",
            "<!-- wp:Para -->",
        ] {
            assert!(parse(html).is_empty(), "{html}");
        }
    }

    #[test]
    fn a_closer_of_an_outer_block_leaves_the_inner_one_unclosed() {
        let html = "<!-- wp:quote --><!-- wp:paragraph --><p>x</p><!-- /wp:quote -->";
        let blocks = parse(html);
        assert!(blocks.stray_closers.is_empty());
        assert!(matches!(blocks.blocks[0].end, BlockEnd::Closer(_)));
        assert_eq!(
            blocks.blocks[1].end,
            BlockEnd::Unclosed {
                cut_by: Some(46..html.len())
            }
        );
    }

    #[test]
    fn a_closer_of_no_open_block_is_stray() {
        let blocks = parse("<p>x</p><!-- /wp:paragraph -->");
        assert_eq!(blocks.stray_closers[0].closes, None);
        let blocks = parse("<!-- wp:paragraph --><p>x</p><!-- /wp:heading -->");
        assert_eq!(blocks.stray_closers[0].closes, Some(0));
        assert!(matches!(blocks.blocks[0].end, BlockEnd::WrongCloser(_)));
    }

    #[test]
    fn deep_nesting_does_not_scan_the_field_for_every_block() {
        let depth = 20_000;
        let html = format!(
            "{}{}",
            "<!-- wp:paragraph -->\n".repeat(depth),
            "<!-- /wp:paragraph -->\n".repeat(depth)
        );
        let index = HtmlIndex::parse(&html);
        let blocks = Blocks::parse(&html);
        assert_eq!(blocks.blocks.len(), depth);
        assert!(blocks.stray_closers.is_empty());
        let empty = blocks
            .blocks
            .iter()
            .filter(|b| is_empty_block(&index, b))
            .count();
        // The innermost are judged empty; the outer ones hold too much to be looked through.
        assert!(empty > 0 && empty < depth, "{empty}");
        let innermost = blocks
            .innermost_at(depth * 22 - 1)
            .expect("in the innermost block");
        assert_eq!(innermost.opener.start, (depth - 1) * 22);
    }

    #[test]
    fn an_arrow_inside_an_attribute_string_does_not_end_the_delimiter() {
        let html = r#"<!-- wp:paragraph {"a":"x --> y","b":"}"} --><p>x</p><!-- /wp:paragraph -->"#;
        let blocks = parse(html);
        let Attributes::Object { values, .. } = &blocks.blocks[0].attributes else {
            panic!("attributes: {:?}", blocks.blocks[0].attributes);
        };
        assert_eq!(values.get("a"), Some(&serde_json::json!("x --> y")));
        assert_eq!(
            blocks.blocks[0].content().map(|c| &html[c]),
            Some("<p>x</p>")
        );
    }

    #[test]
    fn attributes_run_to_the_first_brace_that_whitespace_and_the_arrow_follow() {
        // As WordPress reads it: the heading's attributes swallow the text up to the
        // paragraph's `} -->`, and do not decode.
        let html = r#"<!-- wp:heading {"level":3}--><h3>x</h3><!-- wp:paragraph {"b":1} -->"#;
        let blocks = parse(html);
        assert_eq!(blocks.blocks.len(), 1);
        assert_eq!(blocks.blocks[0].opener, 0..html.len());
        assert!(matches!(
            blocks.blocks[0].attributes,
            Attributes::Invalid { .. }
        ));
    }

    #[test]
    fn attributes_nest_as_deep_as_php_decodes() {
        let nested = |depth: usize| {
            let json = format!(
                "{{\"a\":{}1{}}}",
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            );
            parse(&format!("<!-- wp:x {json} /-->")).blocks[0]
                .attributes
                .clone()
        };
        assert!(matches!(nested(512), Attributes::Object { .. }));
        let Attributes::Invalid { problem, .. } = nested(513) else {
            panic!("513 levels are too deep for PHP");
        };
        assert_eq!(problem, "they nest deeper than 512 levels");
    }

    #[test]
    fn the_deepest_attributes_decode_whatever_the_stack_of_the_caller() {
        let json = format!("{{\"a\":{}1{}}}", "[".repeat(511), "]".repeat(511));
        let decoded = std::thread::Builder::new()
            .stack_size(128 << 10)
            .spawn(move || matches!(parse_attributes(&json, 0..1), Attributes::Object { .. }))
            .expect("a thread")
            .join()
            .expect("no stack overflow");
        assert!(decoded);
    }

    #[test]
    fn an_opener_without_its_arrow_hides_the_rest_and_is_kept() {
        let html = "<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph --><!-- wp:paragraph {\"a\":1}<p>y</p>";
        let blocks = parse(html);
        assert_eq!(blocks.blocks.len(), 1);
        let opener = &blocks.unterminated[0];
        assert_eq!(opener.name, "core/paragraph");
        assert_eq!(&html[opener.span.clone()], "<!-- wp:paragraph");
    }

    #[test]
    fn openers_that_never_end_are_read_in_linear_time() {
        // Each makes WordPress's regex look to the end of the field for a `} -->`.
        let html = "<!-- wp:a {\"x\":1} x -->".repeat(100_000);
        let blocks = parse(&html);
        assert!(blocks.unterminated.is_empty());
        assert_eq!(blocks.blocks.len(), 100_000);
    }

    #[test]
    fn an_opener_left_open_runs_to_the_end() {
        let blocks = parse("<!-- wp:paragraph --><p>x</p>");
        assert_eq!(blocks.blocks[0].end, BlockEnd::Unclosed { cut_by: None });
    }
}
