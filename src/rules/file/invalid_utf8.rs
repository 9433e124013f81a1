use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::rule::{FileProblem, Rule};

use crate::rules::declare_rule;

/// One finding per post holding bytes that are not UTF-8, at its first bad byte; `posts` are
/// the spans of the segment's posts, in order. Bad bytes outside any post get one of their own.
fn check_segment(bytes: &[u8], base: usize, posts: &[Range<usize>]) -> Vec<Diagnostic> {
    if std::str::from_utf8(bytes).is_ok() {
        return Vec::new();
    }
    let mut groups: Vec<(Option<usize>, Range<usize>, usize)> = Vec::new();
    for bad in invalid_sequences(bytes) {
        let post = posts
            .partition_point(|p| p.start <= bad.start)
            .checked_sub(1)
            .filter(|&i| posts[i].contains(&bad.start));
        match groups.last_mut() {
            Some((last, _, count)) if *last == post => *count += 1,
            _ => groups.push((post, bad, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(_, first, count)| {
            diagnostic(
                bytes[first.start],
                base + first.start..base + first.end,
                count,
            )
        })
        .collect()
}

fn invalid_sequences(bytes: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    bytes.utf8_chunks().filter_map(move |chunk| {
        at += chunk.valid().len();
        let bad = at..at + chunk.invalid().len();
        at = bad.end;
        (!bad.is_empty()).then_some(bad)
    })
}

fn diagnostic(byte: u8, range: Range<usize>, count: usize) -> Diagnostic {
    let message = if count == 1 {
        format!("byte 0x{byte:02X} is not valid UTF-8")
    } else {
        format!(
            "byte 0x{byte:02X} is not valid UTF-8 (and {} more invalid sequences in this post)",
            count - 1
        )
    };
    Diagnostic::new(&InvalidUtf8::META, range, message)
        .with_label("not UTF-8")
        .with_help(
            "the file was saved in another encoding (often Windows-1252 or Latin-1); \
             convert it to UTF-8. postlint reads each invalid byte as U+FFFD",
        )
}

declare_rule! {
    /// ## What it does
    /// Reports a file that contains bytes which are not valid UTF-8.
    ///
    /// ## Why it matters
    /// JSON is UTF-8. A file in another encoding shows readers garbled letters (`CafÃ©`) or
    /// replacement characters once it is imported. postlint lints the rest of the file,
    /// reading each bad byte as U+FFFD.
    ///
    /// ## Example
    /// A title saved in Latin-1: the byte `0xE9` where UTF-8 needs `0xC3 0xA9` for `é`.
    pub struct InvalidUtf8 {
        code: "invalid-utf8",
        severity: Error,
        summary: "The file has bytes that are not UTF-8",
        phase: File,
        reads: ["file"],
    }
}

impl Rule for InvalidUtf8 {
    fn check_file(&self, problem: &FileProblem<'_>, out: &mut Vec<Diagnostic>) {
        if let FileProblem::Segment {
            bytes,
            base,
            posts,
            utf8,
        } = *problem
        {
            // The JSON reader has checked its piece once already: not again here.
            if !utf8 {
                out.extend(check_segment(bytes, base, posts));
            }
        }
    }
}
