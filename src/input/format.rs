//! The input formats postlint reads, and which one a file is: told once, from its first bytes,
//! recorded in the file's report so that nothing after the read guesses again, and handed to
//! the file loop as the reader of its format (`reading::FileFormat`).

use std::ops::Range;

use crate::source::SourceFile;

use super::json_format::JsonFormat;
use super::reading::{FileFormat, ReadOptions, ReadProblem};
use super::wxr;
use super::wxr_format::WxrFormat;

/// How much of a file is read to tell its format (a byte order mark and white space may come
/// first).
pub const SNIFF_BYTES: u64 = 1024;

/// What a file is, as its first bytes say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// REST API or WP-CLI JSON: a post, an array of posts, or one post a line. Anything that
    /// is not XML is read as JSON, and told apart from a post there.
    #[default]
    Json,
    /// A WordPress export (WXR): XML in UTF-8.
    Wxr,
    /// An XML export written in UTF-16, which postlint does not read; `mark` is where it says
    /// so (its byte order mark or first character).
    Utf16Wxr { mark: Range<usize> },
}

impl InputFormat {
    /// The format of a file that starts with `head` (its first [`SNIFF_BYTES`] or fewer).
    pub fn sniff(head: &[u8]) -> Self {
        if let Some(mark) = wxr::utf16_xml(head) {
            return Self::Utf16Wxr { mark };
        }
        if wxr::looks_like_xml(head) {
            return Self::Wxr;
        }
        Self::Json
    }

    /// The format of a file read before, told again from its first bytes (a shard's file, whose
    /// report says nothing of it); JSON when it cannot be read.
    pub fn of_file(file: &SourceFile) -> Self {
        let head = file.read_range(0..SNIFF_BYTES as usize).unwrap_or_default();
        Self::sniff(&head)
    }

    /// Hands `read` this format's reader, or, for a file in a format postlint knows but does not
    /// read, what it says of it.
    pub fn read_with<V: ReadWith>(&self, options: &ReadOptions<'_>, read: V) -> V::Output {
        match self {
            Self::Json => read.read(&JsonFormat::new(options), self.clone()),
            Self::Wxr => read.read(&WxrFormat::new(options), self.clone()),
            Self::Utf16Wxr { mark } => read.refused(
                ReadProblem::Wxr(wxr::utf16_error(mark.clone())),
                self.clone(),
            ),
        }
    }

    /// Whether its posts' fields are XML text rather than JSON strings.
    pub fn is_xml(&self) -> bool {
        !matches!(self, Self::Json)
    }
}

/// What reads a file once its format is told: the engine's file loop.
pub trait ReadWith {
    type Output;

    /// Reads the file through `format`; its report records it as `recorded`.
    fn read<F: FileFormat>(self, format: &F, recorded: InputFormat) -> Self::Output;

    /// A file postlint does not read: `problem` is what it says of it, at its start.
    fn refused(self, problem: ReadProblem, recorded: InputFormat) -> Self::Output;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_told_from_json_by_their_first_bytes() {
        assert_eq!(
            InputFormat::sniff(b"\xEF\xBB\xBF\n<?xml version=\"1.0\"?>"),
            InputFormat::Wxr
        );
        assert_eq!(
            InputFormat::sniff(b"  <rss version=\"2.0\">"),
            InputFormat::Wxr
        );
        assert_eq!(InputFormat::sniff(b"{\"id\":1}"), InputFormat::Json);
        // Another tool's HTML is no export: the JSON reader says what it is.
        assert_eq!(InputFormat::sniff(b"<!DOCTYPE html>"), InputFormat::Json);
        assert_eq!(
            InputFormat::sniff(b"\xFF\xFE<\0?\0x\0m\0l\0"),
            InputFormat::Utf16Wxr { mark: 0..2 }
        );
    }
}
