//! The HTML report's view of a post as a reader sees it: the content, decoded from the JSON,
//! in a document for an `<iframe sandbox srcdoc>`, with each finding marked at its place.
//! The document runs no script and loads nothing: a Content-Security-Policy forbids every
//! fetch, and `src`/`srcset` are renamed so images show as placeholders without asking.

use std::ops::Range;
use std::sync::LazyLock;

use crate::diagnostic::{Finding, PostRef};
use crate::source::SourceFile;

use super::align::{Alignment, tag_ranges};
use super::decoded::{Decoded, MAX_FIELD_BYTES, decode, whole_string};

/// The fields a body is: what readers get, or the text as written (REST's `content.raw`,
/// WP-CLI's `post_content`).
const BODY_FIELDS: [&str; 3] = ["content.rendered", "content.raw", "post_content"];
/// The field of the text as written that a rendered body is made from.
const RAW_FIELD: &str = "content.raw";

const HEAD: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<base target=\"_blank\"><style>body{font:16px/1.6 Georgia,serif;max-width:720px;margin:16px auto;padding:0 16px;color:#1d2327;overflow-wrap:anywhere}\
body *{max-width:100%;box-sizing:border-box}pre{white-space:pre-wrap}figure{margin-left:0;margin-right:0}\
img,iframe,video,pl-embed,pl-object,pl-applet{display:inline-block;min-width:80px;min-height:48px;max-width:100%;background:#dcdcde;outline:1px dashed #8c8f94}\
mark.pl-hit{background:#ffd8a8;outline:2px solid #d63638}\
mark.pl-at{display:inline-block;min-width:1.2em;padding:0 3px;margin:0 1px;border-radius:3px;background:#d63638;color:#fff;font:bold 11px/1.4 system-ui,sans-serif;vertical-align:middle}\
mark.pl-at::before{content:attr(data-n)}mark.pl-current{box-shadow:0 0 0 3px #2271b1}</style></head><body>";

/// A finding's mark in the view: its element id and its number in the post's list.
pub struct Mark {
    pub id: String,
    pub number: usize,
}

/// Where a listed finding is in the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Marked: the id of its mark.
    Marked(String),
    /// In the body as written, with no place in what readers get, and why.
    Unseen(&'static str),
    /// In another field (the title, a date): not part of the view.
    Elsewhere,
}

/// A post's view and where each of its listed findings is in it.
pub struct View {
    pub document: String,
    /// One per finding, in the order the report lists them.
    pub places: Vec<Place>,
    /// Whether the view is what readers get (`content.rendered`), not only the text as
    /// written (a file without rendered content).
    pub rendered: bool,
}

/// A post's body, decoded from its JSON string.
struct BodyText {
    /// The file offsets of its text.
    range: Range<usize>,
    decoded: Decoded,
    rendered: bool,
}

/// The view of a post with `findings` (in the order the report lists them). `None` when the
/// post has no body, or none of its findings is in its body.
pub fn view(
    file: &SourceFile,
    post: Option<&PostRef>,
    findings: &[Finding],
    key: &str,
) -> Option<View> {
    let body = body_text(file, post, findings)?;
    let html = String::from_utf8_lossy(&body.decoded.bytes);
    let raws = raw_texts(file, findings, &body);
    let alignments: Vec<Alignment<'_>> = raws
        .iter()
        .map(|raw| Alignment::new(&raw.text, &html))
        .collect();
    let mut marks = Vec::new();
    let mut places = Vec::with_capacity(findings.len());
    for (n, finding) in findings.iter().enumerate() {
        let place = match locate(finding, &body, &raws, &alignments) {
            InBody::At(range) => {
                let id = format!("{key}-{}", n + 1);
                let number = n + 1;
                marks.push((
                    range,
                    Mark {
                        id: id.clone(),
                        number,
                    },
                ));
                Place::Marked(id)
            }
            InBody::Unseen(reason) => Place::Unseen(reason),
            InBody::Elsewhere => Place::Elsewhere,
        };
        places.push(place);
    }
    if places.iter().all(|p| *p == Place::Elsewhere) {
        return None;
    }
    Some(View {
        document: document(&html, marks),
        places,
        rendered: body.rendered,
    })
}

/// The post's body: where the post says it is, else (a report merged from shards of an
/// older version) the string of its first finding in a body field.
fn body_text(file: &SourceFile, post: Option<&PostRef>, findings: &[Finding]) -> Option<BodyText> {
    if let Some(body) = post.and_then(|p| p.body.as_ref()) {
        if body.range.len() > MAX_FIELD_BYTES {
            return None;
        }
        let bytes = file.read_range(body.range.clone()).ok()?;
        return Some(BodyText {
            range: body.range.clone(),
            decoded: decode(&bytes, body.range.start, 0),
            rendered: body.rendered,
        });
    }
    let first = findings.iter().find(|f| {
        f.diagnostic
            .field
            .is_some_and(|field| field != RAW_FIELD && BODY_FIELDS.contains(&field))
    })?;
    let (start, decoded) = whole_string(file, first.span.offset)?;
    Some(BodyText {
        range: start..decoded.source_end(),
        decoded,
        rendered: first.diagnostic.field == Some("content.rendered"),
    })
}

/// A string of text as written (`content.raw`) beside a rendered body.
struct RawText {
    range: Range<usize>,
    decoded: Decoded,
    text: String,
}

/// The strings of text as written that the findings are in (one, the content, in a post read
/// with `context=edit`), each read back once.
fn raw_texts(file: &SourceFile, findings: &[Finding], body: &BodyText) -> Vec<RawText> {
    let mut raws: Vec<RawText> = Vec::new();
    if !body.rendered {
        return raws;
    }
    for finding in findings {
        let at = finding.span.offset;
        let known = raws.iter().any(|r| r.range.contains(&at));
        if finding.diagnostic.field != Some(RAW_FIELD) || known {
            continue;
        }
        if let Some((start, decoded)) = whole_string(file, at) {
            raws.push(RawText {
                range: start..decoded.source_end(),
                text: String::from_utf8_lossy(&decoded.bytes).into_owned(),
                decoded,
            });
        }
    }
    raws
}

/// Where a finding is in a post's body: at a range of it, not shown there (and why), or in
/// another text than the body.
enum InBody {
    At(Range<usize>),
    Unseen(&'static str),
    Elsewhere,
}

/// Where a finding is in the body's text: its own bytes when it is in the body's string,
/// else (a finding in the text as written, beside a rendered body) where that text went.
fn locate(
    finding: &Finding,
    body: &BodyText,
    raws: &[RawText],
    alignments: &[Alignment<'_>],
) -> InBody {
    let Some(field) = finding.diagnostic.field.filter(|f| BODY_FIELDS.contains(f)) else {
        return InBody::Elsewhere;
    };
    let span = finding.span.offset..finding.span.offset + finding.span.length;
    if let Some(range) = decoded_range(&body.range, &body.decoded, &span) {
        return InBody::At(range);
    }
    if field != RAW_FIELD {
        return InBody::Elsewhere;
    }
    let raw = raws.iter().position(|r| r.range.contains(&span.start));
    let Some((raw, alignment)) = raw.map(|i| (&raws[i], &alignments[i])) else {
        return InBody::Elsewhere;
    };
    let Some(range) = decoded_range(&raw.range, &raw.decoded, &span) else {
        return InBody::Elsewhere;
    };
    match alignment.place(range) {
        Ok(range) => InBody::At(range),
        Err(unseen) => InBody::Unseen(unseen.reason()),
    }
}

/// A file range as a range of a string's decoded text, when the string holds it.
fn decoded_range(
    string: &Range<usize>,
    decoded: &Decoded,
    span: &Range<usize>,
) -> Option<Range<usize>> {
    if span.start < string.start || span.end > string.end {
        return None;
    }
    Some(decoded.offset_of(span.start)?..decoded.offset_of(span.end)?)
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

/// What in a tag fetches or runs. Each is built at the first tag that needs it: the three
/// were an eighth of a small post's HTML report, and `url(` and the active elements are rare.
/// (With Unicode off, for ASCII tags, the attributes' pattern cost more to build, not less.)
const FETCHING_ATTRIBUTE: &str = r"(?i)(\s)(src|srcset|poster|data|allow|on[a-z]+)(\s*=)";
const FETCHING_REPLACEMENT: &str = "${1}data-pl-${2}${3}";

static FETCHING: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(FETCHING_ATTRIBUTE).expect("a valid pattern"));

/// Asked only of a tag holding `url(` in any case: `u`, `r` and `l` have no other case
/// than their ASCII one, so no other tag can match.
static STYLE_URL: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?i)\burl\(").expect("a valid pattern"));

/// Asked only of a tag whose name starts as one of these can, in ASCII's cases ([`ACTIVE`]).
static ACTIVE_TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)^<(/?)(script|embed|object|applet)\b").expect("a valid pattern")
});

/// How [`ACTIVE_TAG`]'s names start, ASCII lower-cased: of their letters only `s` has a case
/// outside ASCII under Unicode's folding (`ſ`), and `i` is not looked at.
const ACTIVE: [&str; 5] = ["scr", "\u{17f}cr", "embed", "object", "applet"];

/// A tag with what would fetch or run renamed: `src`, `srcset`, `poster`, `data`, `allow`
/// and event handlers become `data-pl-…`, `url(` in a style is broken, `<script>` becomes an
/// inert `<template>`, `<embed>`, `<object>` and `<applet>` placeholders. The sandbox and the
/// policy would block them anyway, but each blocked attempt is an error in the console.
fn defused(tag: &str) -> String {
    let mut tag = FETCHING.replace_all(tag, FETCHING_REPLACEMENT).into_owned();
    let lower = tag.to_ascii_lowercase();
    if memchr::memmem::find(lower.as_bytes(), b"url(").is_some() {
        tag = STYLE_URL.replace_all(&tag, "blocked-url(").into_owned();
    }
    let name = lower.trim_start_matches('<').trim_start_matches('/');
    if !ACTIVE.iter().any(|start| name.starts_with(start)) {
        return tag;
    }
    ACTIVE_TAG.replace(&tag, renamed_active).into_owned()
}

/// An active element's tag start ([`ACTIVE_TAG`]'s match) renamed: `<script>` to an inert
/// `<template>`, the others to placeholders.
fn renamed_active(c: &regex::Captures<'_>) -> String {
    let name = c[2].to_ascii_lowercase();
    match (&c[1], name.as_str()) {
        ("/", "script") => "</template".to_owned(),
        (_, "script") => "<template data-pl-script".to_owned(),
        (slash, name) => format!("<{slash}pl-{name}"),
    }
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

    /// `defused` as it was, each pattern built with Unicode and asked of every tag.
    fn defused_before(tag: &str) -> String {
        let fetching = regex::Regex::new(FETCHING_ATTRIBUTE).expect("pattern");
        let tag = fetching.replace_all(tag, FETCHING_REPLACEMENT);
        let tag = STYLE_URL.replace_all(&tag, "blocked-url(");
        ACTIVE_TAG.replace(&tag, renamed_active).into_owned()
    }

    /// Pieces of tags: names, attributes, spaces, `url(`, and letters of other cases.
    const PIECES: &[&str] = &[
        "<",
        "</",
        "/",
        ">",
        "script",
        "SCRIPT",
        "\u{17f}cript",
        "embed",
        "Object",
        "applet",
        "img",
        "a",
        "p",
        " ",
        "\u{a0}",
        "\n",
        "src",
        "SRCSET",
        "poster",
        "data",
        "allow",
        "onclick",
        "on\u{17f}",
        "on\u{212a}ey",
        "=",
        " = ",
        "\"x\"",
        "style=\"",
        "background:",
        "url(",
        "URL(",
        "x",
        "-",
        "\u{e9}",
        "\u{d55c}",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn a_tag_is_defused_as_before(picks in proptest::collection::vec(0..PIECES.len(), 0..10)) {
            let tag: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            proptest::prop_assert_eq!(defused(&tag), defused_before(&tag), "{:?}", tag);
        }
    }

    #[test]
    fn tags_of_each_kind_are_defused_as_before() {
        for tag in [
            "<img src=\"a.png\" srcset=\"b.png 2x\">",
            "<SCRIPT src=x>",
            "</script>",
            "<\u{17f}cript>",
            "<embed src=x>",
            "</Object>",
            "<applet code=x>",
            "<div style=\"background:URL(x)\" onclick=\"f()\">",
            "<div style=\"background:\u{e9}url(x)\">",
            "<p title=\"\u{d55c}\" on\u{17f}=1 data=\"x\">",
            "<a href=x>",
        ] {
            assert_eq!(defused(tag), defused_before(tag), "{tag}");
        }
    }

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
