//! Gutenberg block markup, read once per HTML field from the comments the HTML index collected:
//! `<!-- wp:name {json} -->` opens a block, `<!-- /wp:name -->` closes it, `<!-- wp:name /-->`
//! is a block with no inner content. Names follow WordPress's block grammar
//! (`[a-z][a-z0-9_-]*`, optionally `namespace/`); a name without a namespace is `core/`'s.
//!
//! The structure follows WordPress's parser (`WP_Block_Parser`): a closer ends the innermost
//! open block, whatever its name. Where the author's intent is plain, the parse keeps it
//! instead, so that one defect gives one finding: a closer whose name matches an outer open
//! block ends that block, and the blocks inside it are the ones left unclosed.

use std::collections::HashMap;
use std::ops::Range;

use crate::html::{Comment, HtmlIndex, is_blank, is_media, reader};

pub type BlockId = usize;

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
}

impl Blocks {
    /// Reads the block delimiters among a field's comments (in document order).
    pub fn parse(html: &str, comments: &[Comment]) -> Self {
        let mut builder = Builder::default();
        for comment in comments {
            if let Some(delimiter) = Delimiter::read(html, comment.span.clone()) {
                builder.add(delimiter);
            }
        }
        builder.blocks
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty() && self.stray_closers.is_empty()
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

impl Delimiter {
    /// A comment's bytes as a block delimiter: whitespace, an optional `/`, `wp:`, the name,
    /// then the attributes and an optional `/`. Anything else is an ordinary comment.
    fn read(html: &str, span: Range<usize>) -> Option<Self> {
        let text = html.get(span.clone())?;
        let body = text.strip_prefix("<!--")?.strip_suffix("-->")?;
        let body_start = span.start + 4;
        let after_space = body.trim_start_matches(is_space);
        if after_space.len() == body.len() {
            return None;
        }
        let (closer, after_slash) = match after_space.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, after_space),
        };
        let after_wp = after_slash.strip_prefix("wp:")?;
        let name_len = name_len(after_wp)?;
        let rest = &after_wp[name_len..];
        if !rest.is_empty() && !rest.starts_with(|c: char| is_space(c) || c == '/' || c == '{') {
            return None;
        }
        let rest_start = body_start + (body.len() - rest.len());
        let (self_closing, attributes) = attributes_and_slash(rest, rest_start);
        let kind = match (self_closing, closer) {
            (true, _) => DelimiterKind::SelfClosing,
            (false, true) => DelimiterKind::Closer,
            (false, false) => DelimiterKind::Opener,
        };
        let name = &after_wp[..name_len];
        let name = if name.contains('/') {
            name.to_owned()
        } else {
            format!("core/{name}")
        };
        Some(Self {
            span,
            kind,
            name,
            attributes,
        })
    }
}

/// PHP's `\s`: the block grammar's whitespace.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

/// The length of a block name at the start of `text`: `name` or `namespace/name`.
fn name_len(text: &str) -> Option<usize> {
    let part = |from: usize| -> Option<usize> {
        let bytes = text.as_bytes().get(from..)?;
        if !bytes.first()?.is_ascii_lowercase() {
            return None;
        }
        let len = bytes
            .iter()
            .take_while(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')
            })
            .count();
        Some(from + len)
    };
    let first = part(0)?;
    if text.as_bytes().get(first) == Some(&b'/')
        && let Some(second) = part(first + 1)
    {
        return Some(second);
    }
    Some(first)
}

/// What follows the name: the attribute JSON (with its span at `start` + its offset) and
/// whether the delimiter ends with `/` (a self-closing block).
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
    (self_closing, attributes(json, span))
}

fn attributes(json: &str, span: Range<usize>) -> Attributes {
    if !json.starts_with('{') {
        return Attributes::Invalid {
            span,
            problem: "they are not in braces".to_owned(),
        };
    }
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(values) => Attributes::Object { span, values },
        Err(error) => Attributes::Invalid {
            span,
            problem: json_problem(&error),
        },
    }
}

/// serde_json's message without its "at line 1 column 9", which would count from the JSON
/// rather than the file.
fn json_problem(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
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
        Blocks::parse(html, &HtmlIndex::parse(html).comments)
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
        let blocks = Blocks::parse(&html, &index.comments);
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
    fn an_opener_left_open_runs_to_the_end() {
        let blocks = parse("<!-- wp:paragraph --><p>x</p>");
        assert_eq!(blocks.blocks[0].end, BlockEnd::Unclosed { cut_by: None });
    }
}
