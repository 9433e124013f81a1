//! Property: the span-keeping JSON reader decodes every string as a plain reference decoder
//! (written here one character at a time, for clarity not speed) does: the same text, the same
//! file offset at every character boundary, the same errors in the same order, and the same end;
//! and as serde_json does wherever serde_json accepts the string.

use std::ops::Range;

use postlint::engine::LintOptions;
use postlint::fuzzing::encode_char;
use postlint::input::json::{Node, Parser, SyntaxError, Value};
use proptest::prelude::*;

/// What the reference decoder makes of a string's body.
#[derive(Debug, PartialEq)]
struct Decoded {
    text: String,
    /// The file offset of each character boundary of `text`, the end included.
    offsets: Vec<(usize, usize)>,
    raw: Range<usize>,
    errors: Vec<SyntaxError>,
    /// Where the parser stands after the string.
    end: usize,
}

/// Decodes the string that opens at `src[open]` (a `"`), one character at a time.
fn reference(src: &[u8], open: usize, at_eof: bool) -> Decoded {
    let start = open + 1;
    let mut out = Decoded {
        text: String::new(),
        offsets: Vec::new(),
        raw: start..start,
        errors: Vec::new(),
        end: start,
    };
    // Where the source of the last decoded character ends.
    let mut last_end = start;
    let mut push = |out: &mut Decoded, c: char, from: usize, to: usize| {
        out.offsets.push((out.text.len(), from));
        out.text.push(c);
        last_end = to;
    };
    let mut i = start;
    loop {
        match src.get(i) {
            None => break,
            Some(b'"') => break,
            Some(b'\\') => i = reference_escape(src, i, &mut out, &mut push),
            Some(_) => {
                let chunk = src[i..].utf8_chunks().next().expect("bytes left");
                match chunk.valid().chars().next() {
                    Some(c) => {
                        push(&mut out, c, i, i + c.len_utf8());
                        i += c.len_utf8();
                    }
                    None => {
                        let bad = chunk.invalid().len();
                        push(&mut out, '\u{FFFD}', i, i + bad);
                        i += bad;
                    }
                }
            }
        }
    }
    out.offsets.push((out.text.len(), last_end));
    if let Some(error) = reference_controls(&src[start..i], start) {
        out.errors.push(error);
    }
    if i == src.len() {
        out.raw = start..i;
        out.end = i;
        if at_eof {
            out.errors.push(SyntaxError {
                span: i..i,
                message: "the file ends inside a string: the JSON was cut off here".to_owned(),
                help: Some(
                    "the export was truncated; export the post again or restore the missing end"
                        .to_owned(),
                ),
            });
        }
    } else {
        out.raw = start..i;
        out.end = i + 1;
    }
    out
}

/// One escape at `src[at]` (a backslash); returns where decoding goes on.
fn reference_escape(
    src: &[u8],
    at: usize,
    out: &mut Decoded,
    push: &mut impl FnMut(&mut Decoded, char, usize, usize),
) -> usize {
    let Some(&kind) = src.get(at + 1) else {
        return src.len();
    };
    let simple = match kind {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return reference_unicode(src, at, out, push),
        _ => {
            let len = match kind {
                0xF0..=0xF7 => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            };
            let end = (at + 1 + len).min(src.len());
            let shown = String::from_utf8_lossy(&src[at + 1..end]).into_owned();
            out.errors
                .push(soft(at..end, format!("invalid escape `\\{shown}`")));
            push(out, '\\', at, at + 1);
            return at + 1;
        }
    };
    push(out, simple, at, at + 2);
    at + 2
}

fn reference_unicode(
    src: &[u8],
    at: usize,
    out: &mut Decoded,
    push: &mut impl FnMut(&mut Decoded, char, usize, usize),
) -> usize {
    let hex = |from: usize| {
        let digits = std::str::from_utf8(src.get(from..from + 4)?).ok()?;
        digits
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(digits, 16).ok())?
    };
    let Some(first) = hex(at + 2) else {
        let end = (at + 6).min(src.len());
        out.errors
            .push(soft(at..end, "`\\u` must be followed by four hex digits"));
        push(out, '\\', at, at + 1);
        push(out, 'u', at + 1, at + 2);
        return at + 2;
    };
    if (0xD800..0xDC00).contains(&first)
        && src.get(at + 6..at + 8) == Some(b"\\u")
        && let Some(low @ 0xDC00..0xE000) = hex(at + 8)
    {
        let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
        push(out, char::from_u32(code).expect("a pair"), at, at + 12);
        return at + 12;
    }
    match char::from_u32(first) {
        Some(c) => push(out, c, at, at + 6),
        None => {
            let message = format!("lone surrogate `\\u{first:04x}` is not a character");
            out.errors.push(soft(at..at + 6, message));
            push(out, '\u{FFFD}', at, at + 6);
        }
    }
    at + 6
}

fn reference_controls(raw: &[u8], offset: usize) -> Option<SyntaxError> {
    let first = raw.iter().position(|&b| b < 0x20)?;
    let count = raw.iter().filter(|&&b| b < 0x20).count();
    let byte = raw[first];
    let (name, escape) = match byte {
        b'\n' => ("newline".to_owned(), "`\\n`".to_owned()),
        b'\r' => ("carriage return".to_owned(), "`\\r`".to_owned()),
        b'\t' => ("tab".to_owned(), "`\\t`".to_owned()),
        0 => ("NUL byte".to_owned(), "`\\u0000`".to_owned()),
        other => (
            format!("control character U+{other:04X}"),
            format!("`\\u{other:04x}`"),
        ),
    };
    let message = match count {
        1 => format!("raw {name} inside a string"),
        _ => format!(
            "raw {name} inside a string (and {} more control characters in it)",
            count - 1
        ),
    };
    Some(SyntaxError {
        span: offset + first..offset + first + 1,
        message,
        help: Some(format!(
            "JSON strings must escape control characters: write {escape} instead"
        )),
    })
}

fn soft(span: Range<usize>, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        span,
        message: message.into(),
        help: None,
    }
}

/// What the reader makes of the string opening at `src[open]`.
fn read(src: &[u8], open: usize, at_eof: bool) -> Decoded {
    let mut parser = Parser::new(src);
    if !at_eof {
        parser = parser.ending_before_eof();
    }
    // An array holds the string, so that bytes after it (maybe invalid UTF-8) are in the text.
    parser.bump();
    let node = parser.parse_value().expect("a string starts here");
    let Node {
        value: Value::String(s),
        ..
    } = node
    else {
        panic!("not a string: {node:?}");
    };
    assert_eq!(node.span.start, open);
    let mut offsets: Vec<(usize, usize)> = (s.text.char_indices())
        .map(|(d, _)| (d, s.file_offset(d)))
        .collect();
    offsets.push((s.text.len(), s.file_offset(s.text.len())));
    Decoded {
        text: s.text.to_string(),
        offsets,
        raw: s.raw.clone(),
        errors: parser.take_errors(),
        end: parser.pos(),
    }
}

/// Fixed pieces of a string's body: every escape, good and bad, control bytes, characters of
/// every length, bytes that are not UTF-8, and a quote that ends the string early.
const FRAGMENTS: &[&[u8]] = &[
    b"a",
    b"<p>",
    b" ",
    b"\\/",
    b"\\n",
    b"\\\"",
    b"\\\\",
    b"\\b",
    b"\\f",
    b"\\r",
    b"\\t",
    b"\\u2019",
    b"\\u00e9",
    b"\\ud83d\\ude00",
    b"\\ud83d",
    b"\\ude00",
    b"\\ud83d\\u0041",
    b"\\ud83d\\uzz",
    b"\\u12",
    b"\\uZZZZ",
    b"\\q",
    b"\\",
    b"\\\xc3\xa9",
    b"\\\xff",
    b"\\\n",
    b"\n",
    b"\t",
    b"\r",
    b"\x00",
    b"\x01",
    b"\x1f",
    b"\x7f",
    b"\xc3\xa9",
    b"\xe2\x80\x99",
    b"\xf0\x9f\x98\x80",
    b"\x80",
    b"\xc3",
    b"\xe2\x80",
    b"\xf0\x9f",
    b"\xff",
    b"\xed\xa0\x80",
    b"\"",
];

/// Pieces a string's body is made of.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        1 => "[a-z0-9 <>/=\u{e9}]{1,40}".prop_map(String::into_bytes),
        1 => (0u32..0x1_0000).prop_map(|unit| format!("\\u{unit:04x}").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any body, closed or cut off, in a file that is all UTF-8 or not.
    #[test]
    fn strings_decode_as_the_reference_does(
        body in prop::collection::vec(fragment(), 0..24),
        closed in any::<bool>(),
        invalid_after in any::<bool>(),
        at_eof in any::<bool>(),
    ) {
        let mut src = b"[\"".to_vec();
        src.extend(body.concat());
        if closed {
            src.extend_from_slice(b"\"");
            // Invalid UTF-8 after the string makes the whole file's check fail.
            src.extend_from_slice(if invalid_after { b",\"\xff\"]" } else { b",\"x\"]" });
        }
        prop_assert_eq!(read(&src, 1, at_eof), reference(&src, 1, at_eof));
    }

    /// Text that serde_json reads: the same decoded text, in every escaping style.
    #[test]
    fn valid_strings_decode_as_serde_json_does(text in "\\PC{0,60}", styles in prop::collection::vec(any::<u8>(), 1..8)) {
        let mut src = String::from("[\"");
        for (n, c) in text.chars().enumerate() {
            encode_char(c, styles[n % styles.len()], &mut src);
        }
        src.push_str("\"]");
        let expected: Vec<String> = serde_json::from_str(&src).expect("serde_json reads it");
        let ours = read(src.as_bytes(), 1, true);
        prop_assert_eq!(&ours.text, &expected[0]);
        prop_assert!(ours.errors.is_empty(), "{:?}", ours.errors);
    }
}

/// What a post's strings hold in [`hostile_strings_at_the_seams_are_read_as_in_one_piece`]:
/// [`FRAGMENTS`] but those that end a string early or escape its closing quote, and NUL (a
/// file holding one is not read as posts).
fn post_fragment() -> impl Strategy<Value = Vec<u8>> {
    fragment().prop_filter("a post's string, closed", |f| {
        !matches!(f.as_slice(), b"\"" | b"\\" | b"\x00")
    })
}

/// A file of posts whose strings hold `bodies` (NDJSON or an array), and each post's span.
fn hostile_posts(bodies: &[Vec<Vec<u8>>], array: bool) -> (Vec<u8>, Vec<Range<usize>>) {
    let mut file = Vec::new();
    let mut spans = Vec::new();
    if array {
        file.push(b'[');
    }
    for (id, body) in bodies.iter().enumerate() {
        if id > 0 {
            file.extend_from_slice(if array { b",\n" } else { b"\n" });
        }
        let start = file.len();
        file.extend(format!("{{\"id\":{id},\"title\":{{\"rendered\":\"T\\u00e9\"}},").bytes());
        file.extend_from_slice(b"\"content\":{\"rendered\":\"<p>");
        file.extend(body.concat());
        file.extend_from_slice(b"</p>\"}}");
        spans.push(start..file.len());
    }
    file.extend_from_slice(if array { b"]" } else { b"\n" });
    (file, spans)
}

/// Where `invalid-utf8` reports each post: its first byte that is not UTF-8.
fn first_invalid_bytes(file: &[u8], spans: &[Range<usize>]) -> Vec<usize> {
    let first = |span: &Range<usize>| {
        let mut at = span.start;
        for chunk in file[span.clone()].utf8_chunks() {
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                return Some(at);
            }
        }
        None
    };
    spans.iter().filter_map(first).collect()
}

/// The offsets of a JSON report's findings of one rule.
fn offsets_of(report: &str, rule: &str) -> Vec<usize> {
    let report: serde_json::Value = serde_json::from_str(report).expect("a JSON report");
    let found = report["diagnostics"].as_array().expect("diagnostics");
    (found.iter())
        .filter(|d| d["rule"] == rule)
        .filter_map(|d| d["span"]["offset"].as_u64())
        .map(|at| at as usize)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Posts whose strings hold escapes, runs of backslashes, surrogates, control bytes and
    /// invalid UTF-8, read in pieces of a few bytes on 1, 2 and 4 threads: the report of the
    /// file read in one piece, and `invalid-utf8` at each post's first bad byte (a piece the
    /// reader found all UTF-8 is not looked at again; a post longer than a piece, its strings
    /// cut at the piece's end, is read again with more).
    #[test]
    fn hostile_strings_at_the_seams_are_read_as_in_one_piece(
        bodies in prop::collection::vec(prop::collection::vec(post_fragment(), 0..12), 1..24),
        array in any::<bool>(),
        seg in 8usize..400,
    ) {
        let (file, spans) = hostile_posts(&bodies, array);
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = [dir.path().join("posts.json")];
        std::fs::write(&paths[0], &file).expect("write");
        let whole = crate::hostile_pipeline::json_report(&paths, 1, LintOptions {
            segment_bytes: usize::MAX / 2,
            ..LintOptions::default()
        });
        prop_assert_eq!(offsets_of(&whole, "invalid-utf8"), first_invalid_bytes(&file, &spans));
        let options = LintOptions { segment_bytes: seg, ..LintOptions::default() };
        for threads in [1, 2, 4] {
            let pieces = crate::hostile_pipeline::json_report(&paths, threads, options.clone());
            prop_assert!(whole == pieces, "{} threads, pieces of {}:\n{}\n---\n{}", threads, seg, whole, pieces);
        }
    }
}
