//! The recursive-descent parser: values with their spans, soft errors recorded and read past,
//! hard ones closing every open container where it stands.

use std::ops::Range;

use super::room;
use super::text::{StringBuilder, control_escape, control_name, has_control, hex4};
use super::{DEFAULT_MAX_DEPTH, JsonStr, Member, Node, SyntaxError, Value};

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

    /// Whether the whole text is UTF-8 (checked once, when the parser was made).
    pub fn is_utf8(&self) -> bool {
        self.valid.is_some()
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
        self.parse_value_at(room::TOP)
    }

    /// Parses one value whose containers start with the room of `place` (`room`).
    fn parse_value_at(&mut self, place: usize) -> Option<Node<'s>> {
        self.skip_whitespace();
        let start = self.pos;
        let value = match self.peek() {
            None => {
                self.eof_error("a value");
                return None;
            }
            Some(b'{') => self.parse_object(place)?,
            Some(b'[') => self.parse_array(place)?,
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

    fn parse_object(&mut self, place: usize) -> Option<Value<'s>> {
        let open = self.pos;
        self.enter(open)?;
        self.bump();
        let mut members = room::starting(place, self.depth);
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
        room::closing(place, members.len());
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
        let value = self.parse_value_at(room::of_key(
            self.src.get(key.raw.clone()).unwrap_or_default(),
        ))?;
        Some(Member { key, value })
    }

    fn parse_array(&mut self, place: usize) -> Option<Value<'s>> {
        let open = self.pos;
        self.enter(open)?;
        self.bump();
        let mut items = room::starting(place, self.depth);
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
                    let Some(item) = self.parse_value_at(room::of_items(place)) else {
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
        room::closing(place, items.len());
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
        loop {
            let stop = next_quote_or_backslash(&self.src[self.pos..]);
            let run = self.pos..self.pos + stop;
            decoded.push_raw(run.clone());
            self.pos = run.end;
            match self.peek() {
                None => {
                    self.report_controls(controls(&self.src[start..self.pos], start));
                    self.eof_error("a string");
                    break;
                }
                Some(b'"') => {
                    self.report_controls(controls(&self.src[start..self.pos], start));
                    self.bump();
                    break;
                }
                _ => self.parse_escape(&mut decoded),
            }
        }
        let raw_end = if self.halted { self.pos } else { self.pos - 1 };
        decoded.finish(start..raw_end)
    }

    /// Reports the raw control characters of a string: the first, and how many.
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
    #[inline]
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

/// The offset of the first `"` or `\\` in `bytes`, or their length.
///
/// Runs between escapes are mostly a few bytes long (`<\/span><\/p>`), where memchr's set-up
/// for each call costs more than its search: the first 16 bytes are looked at eight at a time
/// in a word (memchr has no entry point for that), the rest with memchr.
#[inline]
pub(super) fn next_quote_or_backslash(bytes: &[u8]) -> usize {
    let mut at = 0;
    while at < 16 {
        let Some(word) = bytes[at..].first_chunk::<8>() else {
            break;
        };
        let word = u64::from_le_bytes(*word);
        let found = holds_byte(word, b'"') | holds_byte(word, b'\\');
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = &bytes[at..];
    at + memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len())
}

/// The high bit of each byte of `word` equal to `byte`, and maybe of bytes above the lowest
/// such one (a borrow carries): the lowest set bit is always exact.
#[inline]
fn holds_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let diff = word ^ (ONES * u64::from(byte));
    diff.wrapping_sub(ONES) & !diff & HIGHS
}

/// The first raw control character of a string's bytes (at `offset` in the file) and how many
/// there are. One pass over the whole string, escapes included (no escape holds one), rather
/// than one per run between escapes: `<\/p>` makes runs of a few bytes.
fn controls(bytes: &[u8], offset: usize) -> Option<(usize, usize)> {
    if !has_control(bytes) {
        return None;
    }
    let first = bytes.iter().position(|&b| b < 0x20)?;
    let count = bytes[first..].iter().filter(|&&b| b < 0x20).count();
    Some((offset + first, count))
}

/// RFC 8259's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub(super) fn is_json_number(text: &str) -> bool {
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
