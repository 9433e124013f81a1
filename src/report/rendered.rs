//! The HTML report's view of a post as a reader sees it: the content, decoded from the JSON,
//! in a document for an `<iframe sandbox srcdoc>`, with each finding marked at its place.
//! The document runs no script and loads nothing: a Content-Security-Policy forbids every
//! fetch, and `src`/`srcset` are renamed so images show as placeholders without asking.

use std::ops::Range;
use std::sync::LazyLock;

use crate::diagnostic::Finding;
use crate::source::SourceFile;

use super::decoded::whole_string;

/// The fields a view is made of: the post's body as published (or as WP-CLI holds it).
const CONTENT_FIELDS: [&str; 2] = ["content.rendered", "post_content"];

const HEAD: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<base target=\"_blank\"><style>body{font:16px/1.6 Georgia,serif;max-width:720px;margin:16px auto;padding:0 16px;color:#1d2327}\
img,iframe,video,pl-embed,pl-object,pl-applet{display:inline-block;min-width:80px;min-height:48px;max-width:100%;background:#dcdcde;outline:1px dashed #8c8f94}\
mark.pl-hit{background:#ffd8a8;outline:2px solid #d63638}\
mark.pl-at{display:inline-block;min-width:1.2em;padding:0 3px;margin:0 1px;border-radius:3px;background:#d63638;color:#fff;font:bold 11px/1.4 system-ui,sans-serif;vertical-align:middle}\
mark.pl-at::before{content:attr(data-n)}mark.pl-current{box-shadow:0 0 0 3px #2271b1}</style></head><body>";

/// A finding's mark in the view: its element id and its number in the post's list.
pub struct Mark {
    pub id: String,
    pub number: usize,
}

/// The view of a post with `findings` (in the order the report lists them), and for each
/// finding the id of its mark, when it has one. `None` when no finding is in the content.
pub fn view(
    file: &SourceFile,
    findings: &[Finding],
    key: &str,
) -> Option<(String, Vec<Option<String>>)> {
    let first = findings.iter().find(|f| is_content(f))?;
    let (start, decoded) = whole_string(file, first.span.offset)?;
    let mut places = Vec::new();
    let mut ids = vec![None; findings.len()];
    for (n, finding) in findings.iter().enumerate() {
        let range = is_content(finding)
            .then(|| {
                let begin = decoded.offset_of(finding.span.offset)?;
                let end = decoded.offset_of(finding.span.offset + finding.span.length)?;
                Some(begin..end)
            })
            .flatten()
            .filter(|_| finding.span.offset >= start);
        if let Some(range) = range {
            let id = format!("{key}-{}", n + 1);
            places.push((
                range,
                Mark {
                    id: id.clone(),
                    number: n + 1,
                },
            ));
            ids[n] = Some(id);
        }
    }
    if places.is_empty() {
        return None;
    }
    let html = String::from_utf8_lossy(&decoded.bytes);
    Some((document(&html, places), ids))
}

fn is_content(finding: &Finding) -> bool {
    finding
        .diagnostic
        .field
        .is_some_and(|field| CONTENT_FIELDS.contains(&field))
}

/// The content with the marks put in and every source renamed, in a page of its own.
fn document(html: &str, mut places: Vec<(Range<usize>, Mark)>) -> String {
    places.sort_by_key(|(range, _)| range.start);
    let tags = tag_ranges(html.as_bytes());
    // (position, order, text): closing marks go before opening ones at the same position.
    let mut inserts: Vec<(usize, u8, String)> = Vec::new();
    let mut wrapped_until = 0;
    for (range, mark) in places {
        let attributes = format!("id=\"{}\" data-n=\"{}\"", mark.id, mark.number);
        let text_only = !range.is_empty()
            && range.start >= wrapped_until
            && html.is_char_boundary(range.start)
            && html.is_char_boundary(range.end)
            && !tags
                .iter()
                .any(|t| t.start < range.end && range.start < t.end);
        if text_only {
            wrapped_until = range.end;
            inserts.push((
                range.start,
                1,
                format!("<mark class=\"pl-hit\" {attributes}>"),
            ));
            inserts.push((range.end, 0, "</mark>".to_owned()));
        } else {
            let at = outside_tags(&tags, range.start);
            let at = floor_char_boundary(html, at);
            inserts.push((at, 2, format!("<mark class=\"pl-at\" {attributes}></mark>")));
        }
    }
    inserts.sort_by_key(|(at, order, _)| (*at, *order));
    let mut body = String::with_capacity(html.len() + inserts.len() * 64);
    let mut done = 0;
    for (at, _, text) in inserts {
        body.push_str(&neutralised(&html[done..at], &tags, done));
        body.push_str(&text);
        done = at;
    }
    body.push_str(&neutralised(&html[done..], &tags, done));
    format!("{HEAD}{body}</body></html>")
}

/// Where tags and comments are in the HTML: `<` followed by a letter, `/`, `!` or `?`, up
/// to its `>` (quotes in attribute values honoured), or `-->` for a comment.
fn tag_ranges(html: &[u8]) -> Vec<Range<usize>> {
    let mut tags = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let opens = html[i] == b'<'
            && html
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !opens {
            i += 1;
            continue;
        }
        let end = if html[i..].starts_with(b"<!--") {
            memchr::memmem::find(&html[i + 4..], b"-->").map_or(html.len(), |e| i + 4 + e + 3)
        } else {
            tag_end(html, i)
        };
        tags.push(i..end);
        i = end;
    }
    tags
}

fn tag_end(html: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (i, &b) in html.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'>') => return i + 1,
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    html.len()
}

/// The position itself when it is in text, else the start of the tag holding it.
fn outside_tags(tags: &[Range<usize>], at: usize) -> usize {
    let i = tags.partition_point(|t| t.start < at);
    match i.checked_sub(1).map(|i| &tags[i]) {
        Some(tag) if at < tag.end => tag.start,
        _ => at,
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

static FETCHING_ATTRIBUTE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)(\s)(src|srcset|poster|data|allow|on[a-z]+)(\s*=)")
        .expect("a valid pattern")
});

static STYLE_URL: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?i)\burl\(").expect("a valid pattern"));

static ACTIVE_TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)^<(/?)(script|embed|object|applet)\b").expect("a valid pattern")
});

/// A tag with what would fetch or run renamed: `src`, `srcset`, `poster`, `data`, `allow`
/// and event handlers become `data-pl-…`, `url(` in a style is broken, `<script>` becomes an
/// inert `<template>`, `<embed>`, `<object>` and `<applet>` placeholders. The sandbox and the
/// policy would block them anyway, but each blocked attempt is an error in the console.
fn defused(tag: &str) -> String {
    let tag = FETCHING_ATTRIBUTE.replace_all(tag, "${1}data-pl-${2}${3}");
    let tag = STYLE_URL.replace_all(&tag, "blocked-url(");
    ACTIVE_TAG
        .replace(&tag, |c: &regex::Captures<'_>| {
            let name = c[2].to_ascii_lowercase();
            match (&c[1], name.as_str()) {
                ("/", "script") => "</template".to_owned(),
                (_, "script") => "<template data-pl-script".to_owned(),
                (slash, name) => format!("<{slash}pl-{name}"),
            }
        })
        .into_owned()
}

/// A piece of the HTML (starting at `base`) with every tag in it defused.
fn neutralised(piece: &str, tags: &[Range<usize>], base: usize) -> String {
    let end = base + piece.len();
    let mut out = String::with_capacity(piece.len());
    let mut done = base;
    for tag in tags.iter().filter(|t| t.start < end && base < t.end) {
        let from = tag.start.max(base);
        let to = tag.end.min(end);
        out.push_str(&piece[done - base..from - base]);
        let text = &piece[from - base..to - base];
        out.push_str(&defused(text));
        done = to;
    }
    out.push_str(&piece[done - base..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(id: &str, number: usize) -> Mark {
        Mark {
            id: id.to_owned(),
            number,
        }
    }

    #[test]
    fn text_is_wrapped_and_tags_get_a_mark_before_them() {
        let html = "<p>Hello<span></span> <a href=\"x\">world</a></p>";
        let span = html.find("<span>").expect("a span");
        let world = html.find("world").expect("text");
        let href = html.find("href").expect("an attribute");
        let page = document(
            html,
            vec![
                (span..span + 13, mark("p1-1", 1)),
                (world..world + 5, mark("p1-2", 2)),
                (href..href + 4, mark("p1-3", 3)),
            ],
        );
        let body = page.split("<body>").nth(1).expect("a body");
        assert_eq!(
            body,
            "<p>Hello<mark class=\"pl-at\" id=\"p1-1\" data-n=\"1\"></mark><span></span> \
             <mark class=\"pl-at\" id=\"p1-3\" data-n=\"3\"></mark><a href=\"x\">\
             <mark class=\"pl-hit\" id=\"p1-2\" data-n=\"2\">world</mark></a></p></body></html>"
        );
    }

    #[test]
    fn media_are_not_fetched() {
        let html = "<p>A src=x</p><img\nsrc=\"https://example.com/a.jpg\" srcset='b 2x' alt=\"a\">";
        let page = document(html, Vec::new());
        assert!(page.contains("<p>A src=x</p>"), "text is left alone");
        assert!(
            page.contains("<img\ndata-pl-src=\"https://example.com/a.jpg\" data-pl-srcset='b 2x'")
        );
        assert!(page.contains("default-src 'none'"));
        let page = document(
            "<p style=\"background:URL(a.png)\" onclick=\"x()\">a</p><script>alert(1)</script>\
             <iframe allow=\"web-share\"></iframe><object data=\"a.swf\"></object>",
            Vec::new(),
        );
        assert!(page.contains(
            "<p style=\"background:blocked-url(a.png)\" data-pl-onclick=\"x()\">a</p>\
             <template data-pl-script>alert(1)</template><iframe data-pl-allow=\"web-share\">\
             </iframe><pl-object data-pl-data=\"a.swf\"></pl-object>"
        ));
    }
}
