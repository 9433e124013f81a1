//! A field's text as the editor wrote it, read back from the JSON of the file: `<\/p>` is
//! `</p>` again, `\u2019` is `’`, `\n` ends a line. Reports for editors show findings in it;
//! the file's own position (line and column of the JSON) stays beside it.

use std::cell::Cell;
use std::ops::Range;

use crate::diagnostic::Finding;
use crate::source::{LineCol, LineIndex, SourceFile, count_chars};

/// Characters of decoded text shown on each side of a finding, at most.
const SIDE_CHARS: usize = 160;
/// Lines of decoded text shown before and after the finding's own.
const SIDE_LINES: usize = 1;
/// The largest string read whole for the rendered view.
pub const MAX_FIELD_BYTES: usize = 4 << 20;
/// Bytes read at a time while looking for a string's quotes.
const STEP: usize = 64 << 10;

/// JSON string text decoded, with the decoded offset of each source offset where a character
/// or an escape starts (and of the end), so that spans can be found in it.
pub struct Decoded {
    pub bytes: Vec<u8>,
    /// `(source offset, decoded offset)`, increasing.
    map: Vec<(usize, usize)>,
}

impl Decoded {
    /// The file offset where the decoded text ends (its closing quote, or the end of what
    /// was read).
    pub fn source_end(&self) -> usize {
        self.map.last().map_or(0, |&(source, _)| source)
    }

    /// The decoded offset of a source offset, when it is a character boundary of the text.
    pub fn offset_of(&self, source: usize) -> Option<usize> {
        self.map
            .binary_search_by_key(&source, |&(s, _)| s)
            .ok()
            .map(|i| self.map[i].1)
    }
}

/// Decodes the JSON string text in `raw` (whose first byte is at file offset `base`) from
/// `start` to the closing quote or the end of `raw`. Escapes that are not valid stay as written.
pub fn decode(raw: &[u8], base: usize, start: usize) -> Decoded {
    let mut bytes = Vec::with_capacity(raw.len().saturating_sub(start));
    let mut map = Vec::new();
    let mut i = start;
    while i < raw.len() && raw[i] != b'"' {
        map.push((base + i, bytes.len()));
        if raw[i] != b'\\' {
            bytes.push(raw[i]);
            i += 1;
            continue;
        }
        let (text, used) = escape_at(raw, i);
        bytes.extend_from_slice(text.as_bytes());
        i += used;
    }
    map.push((base + i, bytes.len()));
    Decoded { bytes, map }
}

/// The text of the escape at `raw[i]` (a backslash) and how many bytes it takes.
fn escape_at(raw: &[u8], i: usize) -> (String, usize) {
    let simple = match raw.get(i + 1) {
        Some(b'"') => Some('"'),
        Some(b'\\') => Some('\\'),
        Some(b'/') => Some('/'),
        Some(b'b') => Some('\u{8}'),
        Some(b'f') => Some('\u{c}'),
        Some(b'n') => Some('\n'),
        Some(b'r') => Some('\r'),
        Some(b't') => Some('\t'),
        _ => None,
    };
    if let Some(c) = simple {
        return (c.to_string(), 2);
    }
    let unit = |at: usize| {
        let hex = raw.get(at + 2..at + 6)?;
        (raw.get(at + 1) == Some(&b'u'))
            .then(|| u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
            .flatten()
    };
    match unit(i) {
        Some(high @ 0xD800..=0xDBFF) => match unit(i + 6) {
            Some(low @ 0xDC00..=0xDFFF) => {
                let c = char::decode_utf16([high, low]).next().and_then(Result::ok);
                (c.unwrap_or('\u{FFFD}').to_string(), 12)
            }
            _ => ('\u{FFFD}'.to_string(), 6),
        },
        Some(unit) => (
            char::from_u32(u32::from(unit))
                .unwrap_or('\u{FFFD}')
                .to_string(),
            6,
        ),
        None => ("\\".to_owned(), 1),
    }
}

/// Whether the byte at `i` follows an odd run of backslashes (it is escaped).
fn is_escaped(raw: &[u8], i: usize) -> bool {
    raw[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The first offset at or after `from` where decoding can start: not inside an escape, not
/// inside a UTF-8 sequence.
fn safe_start(raw: &[u8], from: usize) -> Option<usize> {
    (from.max(6)..raw.len()).find(|&i| {
        let b = raw[i];
        // Inside `\uXXXX` when one of the four bytes before is its `u`.
        let inside_unicode = (1..=4).any(|k| {
            i > k && raw[i - k] == b'u' && raw[i - k - 1] == b'\\' && !is_escaped(raw, i - k - 1)
        });
        b.is_ascii() && b != b'\\' && !is_escaped(raw, i) && !inside_unicode
    })
}

/// The opening quote of the string holding `at`: the nearest unescaped `"` before it (inside
/// a string every quote is escaped).
fn opening_quote(raw: &[u8], at: usize) -> Option<usize> {
    (0..at.min(raw.len()))
        .rev()
        .find(|&i| raw[i] == b'"' && !is_escaped(raw, i))
}

/// The finding in its field's decoded text: a line or two before, the finding's own text,
/// and a line or two after. `raw` is a region of the file starting at `base` that holds the
/// finding with some margin; `None` when the finding is not inside one string there.
pub fn snippet(
    raw: &[u8],
    base: usize,
    (offset, length): (usize, usize),
) -> Option<(String, String, String)> {
    let local = offset.checked_sub(base)?;
    let quote = opening_quote(raw, local);
    let start = match quote {
        Some(quote) => quote + 1,
        None => safe_start(raw, 0)?,
    };
    if start > local {
        return None;
    }
    let decoded = decode(raw, base, start);
    let hit_start = decoded.offset_of(offset)?;
    let hit_end = decoded.offset_of(offset + length)?;
    let text = &decoded.bytes;
    let from = side_start(text, hit_start, quote.is_none());
    let to = side_end(text, hit_end);
    let part = |range: std::ops::Range<usize>| String::from_utf8_lossy(&text[range]).into_owned();
    // `…` where a line was cut; blank lines around are left out.
    let cut_before = from > 0 && text[from - 1] != b'\n';
    let cut_after = to < text.len() && text[to] != b'\n';
    let before = part(from..hit_start);
    let before = before.trim_start_matches(['\n', '\r']);
    let after = part(hit_end..to);
    let after = after.trim_end_matches(['\n', '\r']);
    Some((
        format!("{}{before}", if cut_before { "…" } else { "" }),
        part(hit_start..hit_end),
        format!("{after}{}", if cut_after { "…" } else { "" }),
    ))
}

/// Where the text before a finding starts: the start of the line before its own, at most
/// `SIDE_CHARS` characters back. When decoding started mid-string, the first line is partial.
fn side_start(text: &[u8], hit: usize, partial_first_line: bool) -> usize {
    let mut lines = 0;
    let mut chars = 0;
    let mut at = hit;
    while at > 0 && chars < SIDE_CHARS {
        if text[at - 1] == b'\n' {
            if lines == SIDE_LINES {
                break;
            }
            lines += 1;
        }
        at -= 1;
        chars += usize::from(!crate::source::is_continuation(text[at]));
    }
    while at < hit && crate::source::is_continuation(text[at]) {
        at += 1;
    }
    if at == 0 && partial_first_line {
        // The text before was cut at an arbitrary place: start at a line or a tag.
        let cut = text[..hit].iter().position(|&b| b == b'\n' || b == b'<');
        return cut.map_or(hit, |c| c + usize::from(text[c] == b'\n'));
    }
    at
}

/// Where the text after a finding ends: the end of the line after its own, at most
/// `SIDE_CHARS` characters on.
fn side_end(text: &[u8], hit_end: usize) -> usize {
    let mut lines = 0;
    let mut chars = 0;
    let mut at = hit_end;
    while at < text.len() && chars < SIDE_CHARS {
        if text[at] == b'\n' {
            if lines == SIDE_LINES {
                break;
            }
            lines += 1;
        }
        if !crate::source::is_continuation(text[at]) {
            chars += 1;
        }
        at += 1;
    }
    while at < text.len() && crate::source::is_continuation(text[at]) {
        at += 1;
    }
    at
}

/// The whole JSON string holding `offset` in a file: its opening quote's offset + 1 and its
/// decoded text (up to the end of the file when it was cut off inside it). `None` when it is
/// larger than `MAX_FIELD_BYTES` or not found.
pub fn whole_string(file: &SourceFile, offset: usize) -> Option<(usize, Decoded)> {
    let mut step = STEP;
    let start = loop {
        let low = offset.saturating_sub(step);
        let bytes = file.read_range(low..offset).ok()?;
        // A run of backslashes could cross the chunk's start: read from further back then.
        if let Some(quote) = opening_quote(&bytes, bytes.len()).filter(|&q| q > 0 || low == 0) {
            break low + quote + 1;
        }
        if low == 0 || step > MAX_FIELD_BYTES {
            return None;
        }
        step *= 2;
    };
    let mut step = STEP;
    loop {
        let end = offset + step;
        step *= 2;
        let bytes = file.read_range(start..end).ok()?;
        let decoded = decode(&bytes, start, 0);
        let closed = decoded
            .map
            .last()
            .is_some_and(|&(s, _)| s - start < bytes.len());
        // A file cut off inside the string: what there is of it.
        let cut_off = bytes.len() < end - start;
        if closed || cut_off {
            return Some((start, decoded));
        }
        if end - start > MAX_FIELD_BYTES {
            return None;
        }
    }
}

/// A place in a field's text as decoded, what the editor sees in WordPress: the field and
/// the line and column there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPlace {
    pub field: &'static str,
    pub at: LineCol,
}

impl std::fmt::Display for FieldPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.field, self.at.line, self.at.column)
    }
}

/// One JSON string of a file, decoded, for showing findings in it.
pub struct FieldText {
    /// The file offsets of its text (between the quotes).
    pub range: Range<usize>,
    pub decoded: Decoded,
    lines: LineIndex,
    /// The last place asked for: findings come in order, so a long line is counted once.
    cursor: Cell<(usize, LineCol)>,
}

impl FieldText {
    fn new(start: usize, mut decoded: Decoded) -> Self {
        let lines = LineIndex::new(&decoded.bytes);
        without_controls(&mut decoded.bytes);
        Self {
            range: start..decoded.source_end(),
            decoded,
            lines,
            cursor: Cell::new((0, LineCol { line: 1, column: 1 })),
        }
    }

    pub fn text(&self) -> &[u8] {
        &self.decoded.bytes
    }

    /// A file range as a range of the decoded text, when the string holds it.
    pub fn local(&self, span: &Range<usize>) -> Option<Range<usize>> {
        if span.start < self.range.start || span.end > self.range.end {
            return None;
        }
        Some(self.decoded.offset_of(span.start)?..self.decoded.offset_of(span.end)?)
    }

    /// The line and column (1-based, in characters) of an offset of the decoded text.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let text = self.text();
        let offset = offset.min(text.len());
        let line = self.lines.line_of(offset);
        let (last, at) = self.cursor.get();
        let (from, column) = if at.line == line + 1 && last <= offset {
            (last, at.column)
        } else {
            (self.lines.line_start(line), 1)
        };
        let at = LineCol {
            line: line + 1,
            column: column + count_chars(&text[from..offset]),
        };
        self.cursor.set((offset, at));
        at
    }
}

/// Control characters a string may hold through its escapes (`\u001b`) made harmless for a
/// terminal, byte for byte so that offsets stay: a lone carriage return ends a line as line
/// indexes count it.
fn without_controls(text: &mut [u8]) {
    let mut i = 0;
    while i < text.len() {
        let c1 = text[i] == 0xC2 && text.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b));
        match text[i] {
            b'\r' if text.get(i + 1) != Some(&b'\n') => text[i] = b'\n',
            b'\n' | b'\t' | b'\r' => {}
            0x00..=0x1F | 0x7F => text[i] = b'?',
            _ if c1 => {
                text[i] = b'?';
                text[i + 1] = b'?';
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
}

/// The strings of one file that findings are in, decoded when first asked for. The last one
/// is kept: findings come in file order, so those of one field read it once.
pub struct FieldTexts<'a> {
    file: &'a SourceFile,
    last: Option<FieldText>,
}

impl<'a> FieldTexts<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Self { file, last: None }
    }

    /// The decoded string that holds `span` whole, when it is inside one (of at most
    /// `MAX_FIELD_BYTES`).
    pub fn holding(&mut self, span: &Range<usize>) -> Option<&FieldText> {
        let known = self.last.as_ref().is_some_and(|t| t.local(span).is_some());
        if !known {
            let (start, decoded) = whole_string(self.file, span.start)?;
            self.last = Some(FieldText::new(start, decoded));
        }
        self.last.as_ref().filter(|t| t.local(span).is_some())
    }

    /// Where a finding is in its field's decoded text.
    pub fn place(&mut self, finding: &Finding) -> Option<FieldPlace> {
        let field = finding.diagnostic.field?;
        let span = finding.span.offset..finding.span.offset + finding.span.length;
        let text = self.holding(&span)?;
        let local = text.local(&span)?;
        Some(FieldPlace {
            field,
            at: text.line_col(local.start),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded_and_offsets_mapped() {
        let raw = br#"x":"costs.<\/span><\/p>\n<p>\u2019\ud83d\ude00 \q"#;
        let decoded = decode(raw, 100, 4);
        assert_eq!(
            String::from_utf8_lossy(&decoded.bytes),
            "costs.</span></p>\n<p>\u{2019}\u{1F600} \\q"
        );
        // `<\/p>` starts at raw offset 4 + 14 = 18.
        assert_eq!(decoded.offset_of(100 + 18), Some(13));
        assert_eq!(decoded.offset_of(100 + 19), Some(14), "the escape `\\/`");
        assert_eq!(decoded.offset_of(100 + 20), None, "inside an escape");
    }

    #[test]
    fn decoding_starts_outside_escapes() {
        assert_eq!(safe_start(br#"\u2019abcdef"#, 0), Some(6));
        assert_eq!(safe_start(br#"aaaaaa\\nb"#, 7), Some(8));
        assert_eq!(safe_start(br#"aaaaaa\nbc"#, 7), Some(8));
        assert!(is_escaped(br#"a\""#, 2));
        assert!(!is_escaped(br#"a\\""#, 3));
    }
}
