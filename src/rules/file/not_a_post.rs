use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::post;
use crate::rule::{FileProblem, Rule};

use crate::rules::declare_rule;

/// How far into a file to look for a NUL byte, as git and ripgrep do to spot binary files.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// A file that is plainly not JSON: binary, or a web page. Read from its first segment.
fn check_not_json(first_segment: &[u8]) -> Option<Diagnostic> {
    check_binary(first_segment).or_else(|| check_html_page(first_segment))
}

/// A binary file, told by a NUL byte near its start.
fn check_binary(first_segment: &[u8]) -> Option<Diagnostic> {
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

/// How far into a file to look for an HTML page's `<title>`.
const TITLE_SNIFF_LEN: usize = 64 * 1024;

/// A web page where JSON was expected: an error page, a login wall, a maintenance page, saved
/// or fetched in place of posts. Points at the page's title, which usually says what happened.
fn check_html_page(first_segment: &[u8]) -> Option<Diagnostic> {
    let start = first_segment.len() - strip_bom_and_space(first_segment).len();
    if first_segment.get(start) != Some(&b'<') {
        return None;
    }
    let head = &first_segment[..first_segment.len().min(TITLE_SNIFF_LEN)];
    let help = "a site answered with a web page (an error page, a login wall, a maintenance \
                page) where posts were expected; open it in a browser to see what it says";
    let diagnostic = match title_range(head) {
        Some(title) => {
            let text = String::from_utf8_lossy(&head[title.clone()]);
            let shown: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let shown: String = shown.chars().take(100).collect();
            Diagnostic::new(
                &NotAPost::META,
                title,
                format!("this is an HTML page, not JSON: \u{201c}{shown}\u{201d}"),
            )
            .with_label("the page's title")
        }
        None => {
            let end = memchr::memchr(b'>', &head[start..]).map_or(head.len(), |i| start + i + 1);
            Diagnostic::new(
                &NotAPost::META,
                start..end,
                "this is an HTML page, not JSON",
            )
        }
    };
    Some(diagnostic.with_help(help))
}

fn strip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let space = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &text[space..]
}

/// The text between `<title…>` and `</title`, trimmed; ASCII case-insensitive.
fn title_range(head: &[u8]) -> Option<Range<usize>> {
    let lower = head.to_ascii_lowercase();
    let open = memchr::memmem::find(&lower, b"<title")?;
    let text_start = open + memchr::memchr(b'>', &lower[open..])? + 1;
    let text_end = text_start + memchr::memmem::find(&lower[text_start..], b"</title")?;
    let text = &head[text_start..text_end];
    let leading = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let trailing = text[leading..]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let range = text_start + leading..text_end - trailing;
    (!range.is_empty()).then_some(range)
}

fn empty_file() -> Diagnostic {
    Diagnostic::new(&NotAPost::META, 0..0, "the file is empty")
        .with_help("a post file holds a post object, an array of posts, or one post per line")
}

fn diagnostic(head: Range<usize>, why: &post::NotAPost) -> Diagnostic {
    Diagnostic::new(&NotAPost::META, head, why.message.clone()).with_help(why.help.clone())
}

declare_rule! {
    /// ## What it does
    /// Reports JSON that is not a WordPress post: an empty or binary file, an HTML page (an
    /// error page or login wall saved or fetched in place of posts), a REST error response
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
        summary: "The JSON is not a WordPress post (empty, binary, an HTML page, an API error, …)",
        phase: File,
        reads: ["file"],
    }
}

impl Rule for NotAPost {
    fn check_file(&self, problem: &FileProblem<'_>, out: &mut Vec<Diagnostic>) {
        match problem {
            FileProblem::Start { bytes } => out.extend(check_not_json(bytes)),
            FileProblem::Empty => out.push(empty_file()),
            FileProblem::NotAPost { head, why } => out.push(diagnostic(head.clone(), why)),
            _ => {}
        }
    }
}
