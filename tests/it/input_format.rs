//! The input format interface, proved with a toy format written here and read by the engine's
//! one file loop: posts separated by a line `---`, each a title line and then its content.

use std::borrow::Cow;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;

use postlint::config::Config;
use postlint::engine::{LintOptions, Linter};
use postlint::input::format::InputFormat;
use postlint::input::json::{JsonStr, Member, Node, Value};
use postlint::input::reading::{Dialect, Entry, FileFormat, Piece, PieceEnd, PieceReader, Pieces};
use postlint::source::SourceFile;

const SEPARATOR: &str = "---\n";

/// The toy format: its state between pieces is the number of posts before.
struct Dashes;

impl FileFormat for Dashes {
    type State = usize;
    type Pieces<R: Read> = DashPieces<R>;
    type Reader<'s> = DashReader<'s>;

    fn pieces<R: Read>(&self, reader: R) -> DashPieces<R> {
        DashPieces {
            reader: Some(reader),
            bytes: Vec::new(),
            base: 0,
            posts: 0,
        }
    }

    fn read<'s>(&self, piece: &Piece<'s, usize>) -> DashReader<'s> {
        DashReader {
            text: piece.bytes(),
            index: piece.state,
            done: false,
        }
    }
}

/// The file read whole, handed out a post at a time: each piece ends after a separator.
struct DashPieces<R> {
    reader: Option<R>,
    /// The bytes from `base` on.
    bytes: Vec<u8>,
    base: usize,
    posts: usize,
}

impl<R: Read> Pieces for DashPieces<R> {
    type State = usize;

    fn next_piece(&mut self) -> std::io::Result<Option<Piece<'_, usize>>> {
        if let Some(mut reader) = self.reader.take() {
            reader.read_to_end(&mut self.bytes)?;
        }
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let text = std::str::from_utf8(&self.bytes).unwrap_or_default();
        let end = text
            .find(SEPARATOR)
            .map_or(text.len(), |at| at + SEPARATOR.len());
        Ok(Some(Piece {
            text: &self.bytes[..end],
            prefix_len: 0,
            base: self.base,
            at_eof: end == self.bytes.len(),
            state: self.posts,
        }))
    }

    fn base(&self) -> usize {
        self.base
    }

    fn consume(&mut self, read: usize, next: usize) {
        self.bytes.drain(..read);
        self.base += read;
        self.posts = next;
    }
}

/// The one post of a piece: its first line is the title, the rest up to the separator its
/// content, in the shape every post is read into (REST's keys), of raw text as WP-CLI's.
struct DashReader<'s> {
    text: &'s [u8],
    index: usize,
    done: bool,
}

fn string<'s>(text: &'s str, span: Range<usize>) -> Node<'s> {
    let value = &text[span.clone()];
    Node {
        value: Value::String(JsonStr::mapped(
            span.clone(),
            Cow::Borrowed(value),
            Vec::new(),
        )),
        span,
    }
}

fn member<'s>(key: &'static str, value: Node<'s>) -> Member<'s> {
    Member {
        key: JsonStr::mapped(0..0, Cow::Borrowed(key), Vec::new()),
        value,
    }
}

impl<'s> Iterator for DashReader<'s> {
    type Item = Entry<'s>;

    fn next(&mut self) -> Option<Entry<'s>> {
        if std::mem::replace(&mut self.done, true) {
            return None;
        }
        let text = std::str::from_utf8(self.text).ok()?;
        let body = text.strip_suffix(SEPARATOR).unwrap_or(text);
        let title_end = body.find('\n').unwrap_or(body.len());
        let content_start = (title_end + 1).min(body.len());
        let members = vec![
            member("title", string(text, 0..title_end)),
            member("content", string(text, content_start..body.len())),
        ];
        Some(Entry {
            index: self.index,
            node: Node {
                value: Value::Object(members),
                span: 0..body.len(),
            },
            recovered: false,
            dialect: Some(Dialect::WpCli),
        })
    }
}

impl<'s> PieceReader<'s> for DashReader<'s> {
    type State = usize;

    fn end(self) -> PieceEnd<usize> {
        PieceEnd {
            read: self.text.len(),
            next: Some(self.index + 1),
            problems: Vec::new(),
            missing: Vec::new(),
            foreign: false,
            utf8: false,
        }
    }
}

#[test]
fn a_toy_format_gets_findings_with_exact_spans_through_the_one_loop() {
    let text =
        "First\n<p>fine</p>\n---\nSecond\n<p>one</span> two</p>\n---\nThird\n<p>é</em></p>\n";
    let linter = Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        LintOptions::default(),
    );
    let file = SourceFile::in_memory("toy.txt", text.as_bytes().to_vec());
    let report = linter
        .lint_with_format(&Dashes, InputFormat::Json, file, text.as_bytes(), None)
        .expect("read from memory");
    assert_eq!(report.posts, 3);
    let strays: Vec<(Range<usize>, usize, usize)> = (report.findings.iter())
        .filter(|f| f.diagnostic.rule == "stray-end-tag")
        .map(|f| (f.diagnostic.range.clone(), f.span.line, f.span.column))
        .collect();
    let span = text.find("</span>").expect("in the text");
    let em = text.find("</em>").expect("in the text");
    // Lines and columns count characters: `é` is one.
    assert_eq!(
        strays,
        [
            (span..span + "</span>".len(), 5, 7),
            (em..em + "</em>".len(), 8, 5),
        ]
    );
}
