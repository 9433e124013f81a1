//! The input formats postlint reads, and which one a file is: told once, from its first bytes,
//! and recorded in the file's report so that nothing after the read guesses again.

use std::ops::Range;

use crate::source::SourceFile;

use super::wxr;

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

    /// Whether its posts' fields are XML text rather than JSON strings.
    pub fn is_xml(&self) -> bool {
        !matches!(self, Self::Json)
    }
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
