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

use std::borrow::Cow;
use std::ops::Range;

/// Nesting deeper than this is refused (a hard error) rather than risking the stack.
pub const DEFAULT_MAX_DEPTH: usize = 512;

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

/// The recursive-descent parser. It works on bytes so that invalid UTF-8 is one more
/// recoverable problem instead of a reason to give up on the file.
pub struct Parser<'s> {
    src: &'s [u8],
    /// The text when it is all UTF-8 (checked once): string slices then need no checks.
    valid: Option<&'s str>,
    pos: usize,
    depth: usize,
    max_depth: usize,
    halted: bool,
    /// Whether the text ends where the file ends. When it does not (a file read in segments),
    /// running out of text is not damage: the parser stops and says so with `ran_out`.
    at_eof: bool,
    ran_out: bool,
    errors: Vec<SyntaxError>,
}

impl<'s> Parser<'s> {
    pub fn new(src: &'s [u8]) -> Self {
        Self {
            src,
            valid: std::str::from_utf8(src).ok(),
            pos: 0,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            halted: false,
            at_eof: true,
            ran_out: false,
            errors: Vec::new(),
        }
    }

    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Declares that the text stops before the end of the file.
    pub fn ending_before_eof(mut self) -> Self {
        self.at_eof = false;
        self
    }

    /// The text ended before the value did, and the file goes on: read more and parse again.
    pub fn ran_out(&self) -> bool {
        self.ran_out
    }

    pub fn at_eof(&self) -> bool {
        self.at_eof
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn is_halted(&self) -> bool {
        self.halted
    }

    /// Syntax errors found since the last call.
    pub fn take_errors(&mut self) -> Vec<SyntaxError> {
        std::mem::take(&mut self.errors)
    }

    pub fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    pub fn bump(&mut self) {
        self.pos += 1;
    }

    pub fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips a UTF-8 byte order mark at the start of the file (editors on Windows add one).
    pub fn skip_bom(&mut self) {
        if self.src[self.pos..].starts_with(b"\xEF\xBB\xBF") {
            self.pos += 3;
        }
    }

    fn soft_error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            span,
            message: message.into(),
            help: None,
        });
    }

    pub fn hard_error(&mut self, span: Range<usize>, message: impl Into<String>, help: &str) {
        self.errors.push(SyntaxError {
            span,
            message: message.into(),
            help: Some(help.to_owned()),
        });
        self.halted = true;
    }

    fn eof_error(&mut self, inside: &str) {
        if !self.at_eof {
            self.ran_out = true;
            self.halted = true;
            return;
        }
        let end = self.src.len();
        self.hard_error(
            end..end,
            format!("the file ends inside {inside}: the JSON was cut off here"),
            "the export was truncated; export the post again or restore the missing end",
        );
    }

    /// After a hard error in a stream of values (NDJSON), moves to the next line that starts
    /// with `{` or `[` so the following posts are still read. False when there is none.
    pub fn resync_to_next_line(&mut self) -> bool {
        let mut at = self.pos;
        while let Some(newline) = memchr::memchr(b'\n', &self.src[at..]) {
            at += newline + 1;
            if matches!(self.src.get(at), Some(b'{' | b'[')) {
                self.pos = at;
                self.halted = false;
                self.depth = 0;
                return true;
            }
        }
        self.pos = self.src.len();
        false
    }

    /// Parses one value; `None` when none could start here (the error is recorded and the
    /// parser halted).
    pub fn parse_value(&mut self) -> Option<Node<'s>> {
        self.skip_whitespace();
        let start = self.pos;
        let value = match self.peek() {
            None => {
                self.eof_error("a value");
                return None;
            }
            Some(b'{') => self.parse_object()?,
            Some(b'[') => self.parse_array()?,
            Some(b'"') => Value::String(self.parse_string()),
            Some(b't') => self.parse_literal("true", Value::Bool(true))?,
            Some(b'f') => self.parse_literal("false", Value::Bool(false))?,
            Some(b'n') => self.parse_literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.parse_number(),
            Some(_) => {
                let span = self.char_span(start);
                let found = String::from_utf8_lossy(&self.src[span.clone()]).into_owned();
                self.hard_error(
                    span,
                    format!("expected a JSON value, found `{}`", found.escape_debug()),
                    "a value is a string in double quotes, a number, true, false, null, an object or an array",
                );
                return None;
            }
        };
        Some(Node {
            value,
            span: start..self.pos,
        })
    }

    /// The span of the (possibly multi-byte) character at `start`.
    fn char_span(&self, start: usize) -> Range<usize> {
        let len = match self.src[start] {
            0xF0..=0xF7 => 4,
            0xE0..=0xEF => 3,
            0xC0..=0xDF => 2,
            _ => 1,
        };
        start..(start + len).min(self.src.len())
    }

    fn enter(&mut self, start: usize) -> Option<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            self.hard_error(
                start..start + 1,
                format!("nesting deeper than {} levels", self.max_depth),
                "WordPress writes no post deeper than 512 levels; --max-depth sets the limit, up to that",
            );
            return None;
        }
        Some(())
    }

    fn parse_object(&mut self) -> Option<Value<'s>> {
        let open = self.pos;
        self.enter(open)?;
        self.bump();
        let mut members = Vec::new();
        let mut expect_member = true;
        loop {
            self.skip_whitespace();
            match self.peek() {
                None => {
                    self.eof_error("an object");
                    break;
                }
                Some(b'}') => {
                    self.bump();
                    break;
                }
                Some(b',') if !expect_member => {
                    let comma = self.pos;
                    self.bump();
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.soft_error(comma..comma + 1, "trailing comma before `}`");
                    }
                    expect_member = true;
                }
                Some(b'"') => {
                    if !expect_member {
                        self.soft_error(self.pos..self.pos, "expected `,` between members");
                    }
                    let Some(member) = self.parse_member() else {
                        break;
                    };
                    members.push(member);
                    if self.halted {
                        break;
                    }
                    expect_member = false;
                }
                Some(_) => {
                    let span = self.char_span(self.pos);
                    let what = if expect_member {
                        "a member name in double quotes"
                    } else {
                        "`,` or `}`"
                    };
                    self.hard_error(
                        span,
                        format!("expected {what} in this object"),
                        "member names are JSON strings, members are separated by commas",
                    );
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(Value::Object(members))
    }

    fn parse_member(&mut self) -> Option<Member<'s>> {
        let key = self.parse_string();
        if self.halted {
            return None;
        }
        self.skip_whitespace();
        match self.peek() {
            Some(b':') => self.bump(),
            None => {
                self.eof_error("an object");
                return None;
            }
            Some(_) => {
                let span = self.char_span(self.pos);
                self.hard_error(
                    span,
                    format!("expected `:` after the member name \"{}\"", key.text),
                    "write the member as \"name\": value",
                );
                return None;
            }
        }
        let value = self.parse_value()?;
        Some(Member { key, value })
    }

    fn parse_array(&mut self) -> Option<Value<'s>> {
        let open = self.pos;
        self.enter(open)?;
        self.bump();
        let mut items = Vec::new();
        let mut expect_item = true;
        loop {
            self.skip_whitespace();
            match self.peek() {
                None => {
                    self.eof_error("an array");
                    break;
                }
                Some(b']') => {
                    self.bump();
                    break;
                }
                Some(b',') if !expect_item => {
                    let comma = self.pos;
                    self.bump();
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.soft_error(comma..comma + 1, "trailing comma before `]`");
                    }
                    expect_item = true;
                }
                Some(_) => {
                    if !expect_item {
                        self.soft_error(self.pos..self.pos, "expected `,` between array items");
                    }
                    let Some(item) = self.parse_value() else {
                        break;
                    };
                    items.push(item);
                    if self.halted {
                        break;
                    }
                    expect_item = false;
                }
            }
        }
        self.depth -= 1;
        Some(Value::Array(items))
    }

    fn parse_literal(&mut self, word: &str, value: Value<'s>) -> Option<Value<'s>> {
        let start = self.pos;
        if self.src[start..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            return Some(value);
        }
        let end = self.src[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(self.src.len(), |n| start + n);
        let found = String::from_utf8_lossy(&self.src[start..end]).into_owned();
        self.hard_error(
            start..end.max(start + 1),
            format!("expected a JSON value, found `{found}`"),
            "JSON literals are true, false and null, in lower case",
        );
        None
    }

    fn parse_number(&mut self) -> Value<'s> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("0");
        if !is_json_number(text) {
            self.soft_error(
                start..self.pos,
                format!("`{text}` is not a valid JSON number"),
            );
        }
        Value::Number(text)
    }

    /// Parses a string starting at its opening quote. Never fails: damage is recorded and the
    /// text decoded as well as it can be.
    fn parse_string(&mut self) -> JsonStr<'s> {
        self.bump();
        let start = self.pos;
        let mut decoded = StringBuilder::new(self.src, self.valid, start);
        let mut first_control: Option<(usize, usize)> = None;
        loop {
            let rest = &self.src[self.pos..];
            let stop = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
            let run = self.pos..self.pos + stop;
            if has_control(&self.src[run.clone()])
                && let Some(control) = self.src[run.clone()].iter().position(|&b| b < 0x20)
            {
                let count = self.src[run.clone()].iter().filter(|&&b| b < 0x20).count();
                let (_, seen) = first_control.get_or_insert((run.start + control, 0));
                *seen += count;
            }
            decoded.push_raw(run.clone());
            self.pos = run.end;
            match self.peek() {
                None => {
                    self.report_controls(first_control);
                    self.eof_error("a string");
                    break;
                }
                Some(b'"') => {
                    self.report_controls(first_control);
                    self.bump();
                    break;
                }
                _ => self.parse_escape(&mut decoded),
            }
        }
        let raw_end = if self.halted { self.pos } else { self.pos - 1 };
        decoded.finish(start..raw_end)
    }

    fn report_controls(&mut self, first: Option<(usize, usize)>) {
        let Some((at, count)) = first else { return };
        let name = control_name(self.src[at]);
        let message = if count == 1 {
            format!("raw {name} inside a string")
        } else {
            format!(
                "raw {name} inside a string (and {} more control characters in it)",
                count - 1
            )
        };
        self.errors.push(SyntaxError {
            span: at..at + 1,
            message,
            help: Some(format!(
                "JSON strings must escape control characters: write {} instead",
                control_escape(self.src[at])
            )),
        });
    }

    /// Decodes the escape at `self.pos` (a backslash).
    fn parse_escape(&mut self, out: &mut StringBuilder<'s>) {
        let start = self.pos;
        let Some(&kind) = self.src.get(start + 1) else {
            self.pos = self.src.len();
            return;
        };
        let simple = match kind {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            self.pos = start + 2;
            out.push_escape(c, self.pos);
            return;
        }
        if kind == b'u' {
            self.parse_unicode_escape(out);
            return;
        }
        // An unknown escape: keep the backslash and the character as they are written.
        let span = self.char_span(start + 1);
        self.soft_error(
            start..span.end,
            format!(
                "invalid escape `\\{}`",
                String::from_utf8_lossy(&self.src[span.clone()])
            ),
        );
        self.pos = start + 1;
        out.push_raw(start..start + 1);
    }

    fn parse_unicode_escape(&mut self, out: &mut StringBuilder<'s>) {
        let start = self.pos;
        let Some(first) = hex4(self.src, start + 2) else {
            let end = (start + 6).min(self.src.len());
            self.soft_error(start..end, "`\\u` must be followed by four hex digits");
            self.pos = start + 2;
            out.push_raw(start..start + 2);
            return;
        };
        if (0xD800..0xDC00).contains(&first) {
            let low = (self.src.get(start + 6..start + 8) == Some(b"\\u"))
                .then(|| hex4(self.src, start + 8))
                .flatten()
                .filter(|low| (0xDC00..0xE000).contains(low));
            if let Some(low) = low {
                let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                self.pos = start + 12;
                out.push_escape(char::from_u32(code).unwrap_or('\u{FFFD}'), self.pos);
                return;
            }
        }
        self.pos = start + 6;
        match char::from_u32(first) {
            Some(c) => out.push_escape(c, self.pos),
            None => {
                self.soft_error(
                    start..self.pos,
                    format!("lone surrogate `\\u{first:04x}` is not a character"),
                );
                out.push_escape('\u{FFFD}', self.pos);
            }
        }
    }
}

/// Builds a string's decoded text and its escape map, borrowing when nothing was decoded.
struct StringBuilder<'s> {
    src: &'s [u8],
    valid: Option<&'s str>,
    start: usize,
    owned: Option<String>,
    escapes: Vec<(usize, usize)>,
    borrowed_end: usize,
}

impl<'s> StringBuilder<'s> {
    fn new(src: &'s [u8], valid: Option<&'s str>, start: usize) -> Self {
        Self {
            src,
            valid,
            start,
            owned: None,
            escapes: Vec::new(),
            borrowed_end: start,
        }
    }

    fn owned(&mut self) -> &mut String {
        let (src, valid, start, end) = (self.src, self.valid, self.start, self.borrowed_end);
        self.owned.get_or_insert_with(|| {
            // Only ever called with a valid UTF-8 prefix: see `push_raw`.
            match valid.and_then(|text| text.get(start..end)) {
                Some(prefix) => prefix.to_owned(),
                None => String::from_utf8_lossy(&src[start..end]).into_owned(),
            }
        })
    }

    /// Raw bytes that decode as themselves; invalid UTF-8 becomes U+FFFD and is mapped.
    fn push_raw(&mut self, range: Range<usize>) {
        // Runs end at `"` or `\\`, ASCII, so they are character boundaries of valid text.
        let checked = match self.valid.and_then(|text| text.get(range.clone())) {
            Some(text) => Ok(text),
            None => std::str::from_utf8(&self.src[range.clone()]),
        };
        match checked {
            Ok(_) if self.owned.is_none() && self.borrowed_end == range.start => {
                self.borrowed_end = range.end;
            }
            Ok(text) => self.owned().push_str(text),
            Err(_) => self.push_lossy(range),
        }
    }

    fn push_lossy(&mut self, range: Range<usize>) {
        let mut at = range.start;
        for chunk in self.src[range].utf8_chunks() {
            self.owned().push_str(chunk.valid());
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                at += chunk.invalid().len();
                self.push_escape('\u{FFFD}', at);
            }
        }
    }

    fn push_escape(&mut self, c: char, raw_after: usize) {
        let text = self.owned();
        text.push(c);
        let decoded_after = text.len();
        self.escapes.push((decoded_after, raw_after));
    }

    fn finish(self, raw: Range<usize>) -> JsonStr<'s> {
        let text = match self.owned {
            Some(text) => Cow::Owned(text),
            None => Cow::Borrowed(match self.valid {
                Some(text) => text.get(self.start..self.borrowed_end).unwrap_or_default(),
                None => std::str::from_utf8(&self.src[self.start..self.borrowed_end])
                    .unwrap_or_default(),
            }),
        };
        JsonStr {
            raw,
            text,
            escapes: self.escapes,
        }
    }
}

/// Whether any byte is a control character (below 0x20). This runs over every byte of every
/// string, so it folds without an early exit within a chunk, which the compiler vectorises.
fn has_control(bytes: &[u8]) -> bool {
    bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | (b < 0x20)))
}

fn hex4(src: &[u8], at: usize) -> Option<u32> {
    let digits = src.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |value, &byte| {
        let digit = char::from(byte).to_digit(16)?;
        Some(value * 16 + digit)
    })
}

/// RFC 8259's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn control_name(byte: u8) -> String {
    match byte {
        b'\n' => "newline".to_owned(),
        b'\r' => "carriage return".to_owned(),
        b'\t' => "tab".to_owned(),
        0 => "NUL byte".to_owned(),
        other => format!("control character U+{other:04X}"),
    }
}

fn control_escape(byte: u8) -> String {
    match byte {
        b'\n' => "`\\n`".to_owned(),
        b'\r' => "`\\r`".to_owned(),
        b'\t' => "`\\t`".to_owned(),
        other => format!("`\\u{other:04x}`"),
    }
}

#[cfg(test)]
mod tests {
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
    fn numbers_follow_the_grammar() {
        for good in ["0", "-1", "12.5", "1e9", "-0.5E-3"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["01", "1.", "-", "1e", "+1", "1.2.3"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
