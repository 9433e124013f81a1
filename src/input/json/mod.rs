//! A JSON reader that keeps the byte span of every value and recovers from damage.
//!
//! Written by hand because no crate does both jobs we need: serde_json and simd-json stop at the
//! first error and forget where values were; span-keeping parsers (jsonc-parser, json-spanned-value)
//! also reject damaged input. Real exports are cut mid-string and carry raw newlines inside strings,
//! and postlint must still lint what they hold, with every offset exact.
//!
//! Errors come in two kinds. *Soft* ones (a raw control character in a string, a bad escape, a
//! missing or trailing comma) are recorded and parsing goes on as if the text were right.
//! *Hard* ones (end of file, a character that cannot start anything) stop the parser; every
//! container still open is closed where it stands, so all that was read before is kept.

mod parser;
mod room;
mod text;

use std::borrow::Cow;
use std::ops::Range;

pub use parser::Parser;

/// Nesting deeper than this is refused (a hard error) rather than risking the stack.
pub use crate::limits::DEFAULT_MAX_DEPTH;

/// A string value in the file: where its raw text is, and what it decodes to.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonStr<'s> {
    /// The raw bytes between the quotes.
    pub raw: Range<usize>,
    /// The decoded text; borrowed from the file when the string has no escapes.
    pub text: Cow<'s, str>,
    /// `(decoded offset, file offset)` just after each escape (and each invalid UTF-8 byte),
    /// in increasing order. Between two entries decoded and raw bytes correspond one to one.
    escapes: Vec<(usize, usize)>,
}

impl<'s> JsonStr<'s> {
    /// A string read by another reader (WXR): its raw bytes, its decoded text, and the
    /// `(decoded offset, file offset)` pairs after each place where the two stop matching one
    /// to one (an entity, a CDATA boundary), in increasing order.
    pub fn mapped(raw: Range<usize>, text: Cow<'s, str>, escapes: Vec<(usize, usize)>) -> Self {
        Self { raw, text, escapes }
    }

    /// The file offset of a decoded offset. Exact at every character boundary of `text`.
    pub fn file_offset(&self, decoded: usize) -> usize {
        let after = self.escapes.partition_point(|&(d, _)| d <= decoded);
        match after.checked_sub(1) {
            Some(i) => {
                let (d, raw) = self.escapes[i];
                raw + (decoded - d)
            }
            None => self.raw.start + decoded,
        }
    }

    /// The file range covering a decoded range: escapes inside it are covered whole.
    pub fn file_range(&self, decoded: Range<usize>) -> Range<usize> {
        self.file_offset(decoded.start)..self.file_offset(decoded.end)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How this string was written, read from its escapes, so that text put into it matches.
    pub fn style(&self, src: &[u8]) -> JsonStyle {
        let raw = src.get(self.raw.clone()).unwrap_or_default();
        let escaped_slash = memchr::memmem::find(raw, b"\\/").is_some();
        let raw_non_ascii = !raw.is_ascii();
        let escaped_unicode = memchr::memmem::find(raw, b"\\u").is_some();
        JsonStyle {
            escape_slash: escaped_slash,
            escape_non_ascii: escaped_unicode && !raw_non_ascii,
        }
    }
}

/// How a JSON string is written: WordPress's REST style escapes `/` and every non-ASCII
/// character; a pretty export writes both raw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonStyle {
    pub escape_slash: bool,
    pub escape_non_ascii: bool,
}

impl JsonStyle {
    /// Text as it must be written inside a JSON string of this style.
    pub fn encode(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '/' if self.escape_slash => out.push_str("\\/"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c if (c as u32) > 0x7f && self.escape_non_ascii => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out
    }
}

/// A JSON value with the span of its raw text in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'s> {
    pub value: Value<'s>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'s> {
    Null,
    Bool(bool),
    /// The number's text as written; rules parse it when they need it.
    Number(&'s str),
    String(JsonStr<'s>),
    Array(Vec<Node<'s>>),
    Object(Vec<Member<'s>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member<'s> {
    pub key: JsonStr<'s>,
    pub value: Node<'s>,
}

impl<'s> Node<'s> {
    /// The value of `key` in an object (the first one, as browsers and PHP read duplicates).
    pub fn get(&self, key: &str) -> Option<&Node<'s>> {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .find(|m| m.key.as_str() == key)
                .map(|m| &m.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&JsonStr<'s>> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Where a report about the whole value points: the opening bracket of a container (its
    /// text may be megabytes long), the whole text of anything else.
    pub fn head_span(&self) -> Range<usize> {
        match self.value {
            Value::Array(_) | Value::Object(_) => self.span.start..self.span.start + 1,
            _ => self.span.clone(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// A problem in the JSON text, with the exact bytes it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::parser::{is_json_number, next_quote_or_backslash};
    use super::*;

    fn parse(text: &str) -> (Option<Node<'_>>, Vec<SyntaxError>) {
        let mut parser = Parser::new(text.as_bytes());
        let node = parser.parse_value();
        (node, parser.take_errors())
    }

    fn string(node: &Node<'_>) -> JsonStr<'static> {
        let s = node.as_str().expect("a string");
        JsonStr {
            raw: s.raw.clone(),
            text: Cow::Owned(s.text.to_string()),
            escapes: s.escapes.clone(),
        }
    }

    #[test]
    fn plain_strings_borrow_from_the_file() {
        let (node, errors) = parse(r#""hello""#);
        let node = node.expect("parsed");
        assert!(errors.is_empty());
        let s = node.as_str().expect("a string");
        assert!(matches!(s.text, Cow::Borrowed("hello")));
        assert_eq!(s.raw, 1..6);
    }

    #[test]
    fn escapes_decode_and_map_back_to_the_file() {
        let text = r#""a<\/b>\u2019\ud83d\ude00\n\"c""#;
        let (node, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        let s = string(&node.expect("parsed"));
        assert_eq!(s.text, "a</b>\u{2019}\u{1F600}\n\"c");
        let slash = s.text.find('/').expect("slash");
        assert_eq!(&text[s.file_range(slash..slash + 1)], r"\/");
        let quote = s.text.find('\u{2019}').expect("quote");
        assert_eq!(&text[s.file_range(quote..quote + 3)], r"\u2019");
        let emoji = s.text.find('\u{1F600}').expect("emoji");
        assert_eq!(&text[s.file_range(emoji..emoji + 4)], r"\ud83d\ude00");
        let c = s.text.find('c').expect("c");
        assert_eq!(&text[s.file_range(c..c + 1)], "c");
        assert_eq!(s.file_offset(s.text.len()), text.len() - 1);
    }

    #[test]
    fn raw_newline_is_reported_and_kept() {
        let text = "\"a\nb\"";
        let (node, errors) = parse(text);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, 2..3);
        assert_eq!(errors[0].message, "raw newline inside a string");
        assert_eq!(string(&node.expect("parsed")).text, "a\nb");
    }

    #[test]
    fn control_characters_across_escapes_are_one_report_after_the_escapes() {
        // Controls in three runs between escapes, one right after an unknown escape's
        // backslash: one report for the string, at the first, counting all, after the
        // escape's own error, as when each run was looked at in turn.
        let text = "\"a\tb<\\/p>\u{1}c\\\nd\u{1f}\"";
        let (node, errors) = parse(text);
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "invalid escape `\\\n`",
                "raw tab inside a string (and 3 more control characters in it)"
            ]
        );
        assert_eq!(errors[1].span, 2..3);
        assert_eq!(
            string(&node.expect("parsed")).text,
            "a\tb</p>\u{1}c\\\nd\u{1f}"
        );
        let (_, clean) = parse(r#""a<\/p>\n""#);
        assert!(clean.is_empty(), "{clean:?}");
    }

    #[test]
    fn cut_string_keeps_its_text_and_halts() {
        let text = r#"{"a":"xy\/z"#;
        let mut parser = Parser::new(text.as_bytes());
        let node = parser.parse_value().expect("partial object");
        assert!(parser.is_halted());
        let errors = parser.take_errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, text.len()..text.len());
        let a = node.get("a").and_then(Node::as_str).expect("member a");
        assert_eq!(a.text, "xy/z");
        assert_eq!(a.raw, 6..text.len());
    }

    #[test]
    fn soft_errors_do_not_stop_parsing() {
        let (node, errors) = parse(r#"{"a":1 "b":[1,2,],"c":"\q"}"#);
        let node = node.expect("parsed");
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "expected `,` between members",
                "trailing comma before `]`",
                "invalid escape `\\q`"
            ]
        );
        assert_eq!(
            node.get("c").and_then(Node::as_str).map(|s| s.as_str()),
            Some("\\q")
        );
    }

    #[test]
    fn lone_surrogate_becomes_replacement_character() {
        let (node, errors) = parse(r#""x\ud800y""#);
        assert_eq!(errors.len(), 1);
        let s = string(&node.expect("parsed"));
        assert_eq!(s.text, "x\u{FFFD}y");
        assert_eq!(s.file_offset(s.text.len() - 1), 8);
    }

    #[test]
    fn invalid_utf8_is_mapped_byte_exact() {
        let bytes = b"\"a\xE9b\"";
        let mut parser = Parser::new(bytes);
        let node = parser.parse_value().expect("parsed");
        let s = node.as_str().expect("string");
        assert_eq!(s.text, "a\u{FFFD}b");
        assert_eq!(s.file_offset(4), 3);
    }

    /// A string's text and escape map are sized once from its raw bytes, and no larger than
    /// they can grow: an escape is two bytes at least, so a run of `\\` needs an entry per
    /// two backslashes, not one per backslash (100 MB of them reserved 1.6 GB, aborting under
    /// an address-space cap that the map grown by doubling had fitted in).
    #[test]
    fn a_string_is_sized_from_its_raw_bytes_and_no_larger() {
        for (raw, escapes) in [
            ("\\\\".repeat(500), 500),
            ("\\\"".repeat(500), 500),
            ("\\\\\\u00e9".repeat(250), 500),
            ("\\u00e9".repeat(300), 300),
            ("\\ud83d\\ude00".repeat(100), 100),
            (format!("x\\n{}", "y".repeat(2000)), 1),
        ] {
            let text = format!("\"{raw}\"");
            let mut parser = Parser::new(text.as_bytes());
            let node = parser.parse_value().expect("parsed");
            let s = node.as_str().expect("a string");
            let case = &raw[..12];
            assert_eq!(s.escapes.len(), escapes, "{case}");
            assert!(s.escapes.capacity() <= raw.len() / 2, "{case}");
            assert!(
                matches!(&s.text, Cow::Owned(t) if t.capacity() == raw.len()),
                "{case}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(100_000);
        let mut parser = Parser::new(text.as_bytes());
        let _ = parser.parse_value();
        let errors = parser.take_errors();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("nesting deeper than"));
    }

    #[test]
    fn the_word_search_finds_the_first_quote_or_backslash_as_memchr_does() {
        // Bytes either side of `"` (0x22) and `\` (0x5C), and 0x80 and 0xFF, which a
        // borrow in the word search could mistake for them, at every position of a run.
        let fillers = [b'a', 0x21, 0x23, 0x5B, 0x5D, 0x80, 0xFF, 0x00, 0x01];
        for len in 0..40 {
            for at in 0..=len {
                for &filler in &fillers {
                    for &stop in b"\"\\" {
                        let mut bytes = vec![filler; len];
                        if at < len {
                            bytes[at] = stop;
                            // Another stop after the first must not be found before it.
                            bytes.extend_from_slice(b"x\\\"");
                        }
                        let expected = memchr::memchr2(b'"', b'\\', &bytes).unwrap_or(bytes.len());
                        assert_eq!(next_quote_or_backslash(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for good in ["0", "-1", "12.5", "1e9", "-0.5E-3"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["01", "1.", "-", "1e", "+1", "1.2.3"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    /// A piece of a JSON string: its raw text in the file and what it decodes to.
    fn piece() -> impl proptest::strategy::Strategy<Value = (String, String)> {
        use proptest::prelude::*;
        let run = proptest::collection::vec(
            prop_oneof![
                4 => proptest::char::range('a', 'z'),
                1 => Just('é'),
                1 => Just('€'),
                1 => Just('😀'),
                1 => Just('<'),
            ],
            0..40,
        )
        .prop_map(|chars| {
            let run: String = chars.into_iter().collect();
            (run.clone(), run)
        });
        let escape = prop_oneof![
            Just((r"\/".to_owned(), "/".to_owned())),
            Just((r"\\".to_owned(), "\\".to_owned())),
            Just((r#"\""#.to_owned(), "\"".to_owned())),
            Just((r"\n".to_owned(), "\n".to_owned())),
            Just((r"\u00e9".to_owned(), "é".to_owned())),
            Just((r"\u2019".to_owned(), "\u{2019}".to_owned())),
            Just((r"\ud83d\ude00".to_owned(), "😀".to_owned())),
        ];
        prop_oneof![3 => run, 2 => escape]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Runs of 0-40 bytes (around the 16 bytes a short run is copied as), multi-byte
        /// characters wherever they fall, escapes at every offset, and 0-40 bytes after the
        /// closing quote (the file's end, a multi-byte character, another string): the text
        /// is serde_json's, and each piece maps back to exactly its raw text.
        #[test]
        fn strings_of_runs_and_escapes_decode_and_map_exactly(
            pieces in proptest::collection::vec(piece(), 0..24),
            after in "[a-zé😀\"]{0,40}",
        ) {
            let raw: String = pieces.iter().map(|(raw, _)| raw.as_str()).collect();
            let file = format!("\"{raw}\"{after}");
            let expected: String = serde_json::from_str(&format!("\"{raw}\"")).expect("JSON");
            let mut parser = Parser::new(file.as_bytes());
            let node = parser.parse_value().expect("a string");
            let s = node.as_str().expect("a string");
            proptest::prop_assert_eq!(s.as_str(), expected.as_str());
            let (mut decoded, mut at) = (0, 1);
            for (raw, text) in &pieces {
                let range = s.file_range(decoded..decoded + text.len());
                proptest::prop_assert_eq!(&file[range], raw.as_str());
                decoded += text.len();
                at += raw.len();
            }
            proptest::prop_assert_eq!(s.file_offset(decoded), at);
        }
    }
}
