//! A JSON string's decoded text as it is read: borrowed when nothing is decoded, else built with
//! a map from each escape back to the file; and the names of control characters in messages.

use std::borrow::Cow;
use std::ops::Range;

use super::JsonStr;

/// Builds a string's decoded text and its escape map, borrowing when nothing was decoded.
///
/// Every string of a file passes through here, and REST exports escape every `/` and every
/// non-ASCII character (`<\/p>`, `\u2019`): runs between escapes are a few bytes long, so the
/// per-run and per-escape steps are kept small and inlined, and the text is allocated once
/// something is decoded, with room for the whole string (`start_owning`).
pub(super) struct StringBuilder<'s> {
    src: &'s [u8],
    valid: Option<&'s str>,
    start: usize,
    /// While nothing was decoded, the text is the file's bytes from `start` to here.
    borrowed_end: usize,
    /// The decoded text once something was decoded (`owned`); empty, unallocated, before.
    text: String,
    owned: bool,
    escapes: Vec<(usize, usize)>,
}

impl<'s> StringBuilder<'s> {
    pub(super) fn new(src: &'s [u8], valid: Option<&'s str>, start: usize) -> Self {
        Self {
            src,
            valid,
            start,
            borrowed_end: start,
            text: String::new(),
            owned: false,
            escapes: Vec::new(),
        }
    }

    /// Copies the borrowed prefix into the text, which is decoded from now on; `resume` is
    /// where the string's raw text goes on (outside any escape).
    ///
    /// The text and the escape map are sized once from the raw string (decoded text is never
    /// longer than its escapes, but for invalid UTF-8, and each escape holds a backslash and
    /// is two bytes at least):
    /// grown by doubling, they were reallocated and copied about once per owned string.
    #[cold]
    fn start_owning(&mut self, resume: usize) {
        let (start, end) = (self.start, self.borrowed_end);
        let (room, escapes) = match closing_quote(self.src, resume) {
            // An escape is two bytes at least: a run of `\\` holds one per two backslashes.
            Some(close) => (
                close - start,
                bytecount::count(&self.src[start..close], b'\\').min((close - start) / 2),
            ),
            // A string cut off: a guess, grown by doubling past it.
            None => (2 * (end - start) + 64, 16),
        };
        // Only ever called with a valid UTF-8 prefix: see `push_raw`.
        let prefix = match self.valid.and_then(|text| text.get(start..end)) {
            Some(prefix) => Cow::Borrowed(prefix),
            None => String::from_utf8_lossy(&self.src[start..end]),
        };
        self.text = String::with_capacity(room.max(prefix.len()));
        self.text.push_str(&prefix);
        self.escapes = Vec::with_capacity(escapes);
        self.owned = true;
    }

    /// Raw bytes that decode as themselves; invalid UTF-8 becomes U+FFFD and is mapped.
    #[inline]
    pub(super) fn push_raw(&mut self, range: Range<usize>) {
        // Runs end at `"` or `\\`, ASCII, so they are character boundaries of valid text.
        match self.valid.and_then(|text| text.get(range.clone())) {
            Some(run) if self.owned => self.push_run(run, range.start),
            Some(_) if self.borrowed_end == range.start => self.borrowed_end = range.end,
            Some(run) => {
                self.start_owning(range.start);
                self.text.push_str(run);
            }
            None => self.push_checked(range),
        }
    }

    /// A run of valid text at `start` of the file, once the text is owned. Most runs are a
    /// few bytes between escapes (`<\/p>`), and copying a length that varies from run to run
    /// is a branch in `memcpy` that misses at each: a short run is copied as the file's next
    /// `WIDE` bytes, a copy of one fixed length, and what follows the run cut off again.
    #[inline]
    fn push_run(&mut self, run: &str, start: usize) {
        const WIDE: usize = 16;
        let wide = self.valid.and_then(|text| text.get(start..start + WIDE));
        match wide {
            Some(wide) if run.len() <= WIDE && self.text.capacity() - self.text.len() >= WIDE => {
                // The run ends at `"` or `\\`, a character boundary of `wide`.
                let end = self.text.len() + run.len();
                self.text.push_str(wide);
                self.text.truncate(end);
            }
            _ => self.text.push_str(run),
        }
    }

    /// A run of a file that is not all UTF-8: checked on its own.
    #[cold]
    fn push_checked(&mut self, range: Range<usize>) {
        match std::str::from_utf8(&self.src[range.clone()]) {
            Ok(_) if !self.owned && self.borrowed_end == range.start => {
                self.borrowed_end = range.end;
            }
            Ok(run) => {
                if !self.owned {
                    self.start_owning(range.start);
                }
                self.text.push_str(run);
            }
            Err(_) => self.push_lossy(range),
        }
    }

    fn push_lossy(&mut self, range: Range<usize>) {
        if !self.owned {
            self.start_owning(range.start);
        }
        let mut at = range.start;
        for chunk in self.src[range].utf8_chunks() {
            self.text.push_str(chunk.valid());
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                at += chunk.invalid().len();
                self.push_escape('\u{FFFD}', at);
            }
        }
    }

    #[inline]
    pub(super) fn push_escape(&mut self, c: char, raw_after: usize) {
        if !self.owned {
            self.start_owning(raw_after);
        }
        self.text.push(c);
        self.escapes.push((self.text.len(), raw_after));
    }

    pub(super) fn finish(self, raw: Range<usize>) -> JsonStr<'s> {
        let text = if self.owned {
            Cow::Owned(self.text)
        } else {
            Cow::Borrowed(match self.valid {
                Some(text) => text.get(self.start..self.borrowed_end).unwrap_or_default(),
                None => std::str::from_utf8(&self.src[self.start..self.borrowed_end])
                    .unwrap_or_default(),
            })
        };
        JsonStr {
            raw,
            text,
            escapes: self.escapes,
        }
    }
}

/// The closing quote of the string whose raw text goes on at `at` (outside any escape): the
/// first `"` after an even run of backslashes, if the text holds one. Only a size hint.
fn closing_quote(src: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let quote = at + memchr::memchr(b'"', src.get(at..)?)?;
        let backslashes = (src[at..quote].iter().rev())
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        at = quote + 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs of every length up to past `WIDE`, between escapes, up to the file's last byte:
    /// the text is the runs and the escapes' characters, whatever each copy takes of the file.
    #[test]
    fn runs_between_escapes_are_copied_exactly() {
        for length in 0..40 {
            for tail in [0, 1, 7, 15, 16, 40] {
                let run = "é<abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
                    .chars()
                    .take(length)
                    .collect::<String>();
                let file = format!("\"\\/{run}\\/{run}\"{}", "x".repeat(tail));
                let first = 3..3 + run.len();
                let second = first.end + 2..first.end + 2 + run.len();
                let mut text = StringBuilder::new(file.as_bytes(), Some(&file), 1);
                text.push_escape('/', 3);
                text.push_raw(first.clone());
                text.push_escape('/', second.start);
                text.push_raw(second);
                let decoded = text.finish(1..file.len() - tail - 1);
                assert_eq!(decoded.text, format!("/{run}/{run}"), "{length} {tail}");
            }
        }
    }
}
