//! A JSON string's decoded text as it is read: borrowed when nothing is decoded, else built with
//! a map from each escape back to the file; and the names of control characters in messages.

use std::borrow::Cow;
use std::ops::Range;

use super::JsonStr;

/// Builds a string's decoded text and its escape map, borrowing when nothing was decoded.
pub(super) struct StringBuilder<'s> {
    src: &'s [u8],
    valid: Option<&'s str>,
    start: usize,
    owned: Option<String>,
    escapes: Vec<(usize, usize)>,
    borrowed_end: usize,
}

impl<'s> StringBuilder<'s> {
    pub(super) fn new(src: &'s [u8], valid: Option<&'s str>, start: usize) -> Self {
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
    pub(super) fn push_raw(&mut self, range: Range<usize>) {
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

    pub(super) fn push_escape(&mut self, c: char, raw_after: usize) {
        let text = self.owned();
        text.push(c);
        let decoded_after = text.len();
        self.escapes.push((decoded_after, raw_after));
    }

    pub(super) fn finish(self, raw: Range<usize>) -> JsonStr<'s> {
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
pub(super) fn has_control(bytes: &[u8]) -> bool {
    bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | (b < 0x20)))
}

pub(super) fn hex4(src: &[u8], at: usize) -> Option<u32> {
    let digits = src.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |value, &byte| {
        let digit = char::from(byte).to_digit(16)?;
        Some(value * 16 + digit)
    })
}

pub(super) fn control_name(byte: u8) -> String {
    match byte {
        b'\n' => "newline".to_owned(),
        b'\r' => "carriage return".to_owned(),
        b'\t' => "tab".to_owned(),
        0 => "NUL byte".to_owned(),
        other => format!("control character U+{other:04X}"),
    }
}

pub(super) fn control_escape(byte: u8) -> String {
    match byte {
        b'\n' => "`\\n`".to_owned(),
        b'\r' => "`\\r`".to_owned(),
        b'\t' => "`\\t`".to_owned(),
        other => format!("`\\u{other:04x}`"),
    }
}
