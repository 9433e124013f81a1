use std::ops::Range;

use crate::diagnostic::{Diagnostic, Finding};
use crate::engine::{Rule, RuleMeta};
use crate::post;
use crate::source::LineCol;

use super::declare_rule;

/// How far into a file to look for a NUL byte, as git and ripgrep do to spot binary files.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// A binary file, told by a NUL byte near its start.
pub fn check_binary(first_segment: &[u8]) -> Option<Diagnostic> {
    let sniffed = &first_segment[..first_segment.len().min(BINARY_SNIFF_LEN)];
    let nul = memchr::memchr(0, sniffed)?;
    Some(
        Diagnostic::new(
            &NotAPost::META,
            nul..nul + 1,
            "this is a binary file, not JSON",
        )
        .with_label("NUL byte")
        .with_help("postlint reads WordPress posts saved as JSON or NDJSON text"),
    )
}

/// Whether a segment holds only whitespace (and, at the start of the file, a byte order mark).
pub fn is_blank(segment: &[u8], at_file_start: bool) -> bool {
    let text = if at_file_start {
        segment.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(segment)
    } else {
        segment
    };
    text.iter().all(u8::is_ascii_whitespace)
}

pub fn empty_file() -> Finding {
    let diagnostic = Diagnostic::new(&NotAPost::META, 0..0, "the file is empty")
        .with_help("a post file holds a post object, an array of posts, or one post per line");
    Finding::at_point(diagnostic, LineCol { line: 1, column: 1 })
}

pub fn diagnostic(head: Range<usize>, why: post::NotAPost) -> Diagnostic {
    Diagnostic::new(&NotAPost::META, head, why.message).with_help(why.help)
}

declare_rule! {
    /// ## What it does
    /// Reports JSON that is not a WordPress post: an empty or binary file, a REST error response
    /// (`{"code":"rest_no_route",…}`), a bare number or string, or an object with none of a
    /// post's fields.
    ///
    /// ## Why it matters
    /// Such a file usually means the request that saved it failed (a wrong URL, an expired
    /// login, a maintenance page), so the post it should hold was never checked.
    ///
    /// ## Example
    /// ```json
    /// {"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}
    /// ```
    pub struct NotAPost {
        code: "not-a-post",
        severity: Error,
        summary: "The JSON is not a WordPress post (empty, binary, an API error, …)",
        reads: ["file"],
    }
}

impl Rule for NotAPost {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
