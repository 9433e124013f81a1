//! Hostile WordPress exports, each generated here: tags hidden where the part scanner must not
//! take them for tags, items past the post limit, nesting past the XML reader's limit, UTF-16,
//! a missing namespace declaration, a large head. Small parts stand in for large files: every
//! export is read in parts of a few bytes as well as whole, and must read the same.

use std::io::Read;
use std::sync::Arc;

use postlint::config::Config;
use postlint::diagnostic::Finding;
use postlint::engine::{LintOptions, Linter};
use postlint::input::wxr;
use postlint::input::wxr_parts::WxrParts;
use postlint::source::SourceFile;

const RSS: &str = "<rss version=\"2.0\" \
    xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
    xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
    xmlns:wp=\"http://wordpress.org/export/1.2/\">";

/// An export: the XML declaration, `doctype`, the channel with its version, `body`.
fn export(doctype: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{doctype}{RSS}\n<channel>\n\
         <wp:wxr_version>1.2</wp:wxr_version>\n{body}</channel>\n</rss>\n"
    )
}

/// A post with `extra` among its fields and `end` as its end tag.
fn item(id: usize, extra: &str, end: &str) -> String {
    format!(
        "<item><title>Post {id}</title>{extra}<wp:post_id>{id}</wp:post_id>\
         <wp:post_type>post</wp:post_type><wp:status>draft</wp:status>\
         <content:encoded><![CDATA[<p>Text of post {id}.</p>]]></content:encoded>{end}\n"
    )
}

fn items(count: usize, extra: &str, end: &str) -> String {
    (1..=count).map(|id| item(id, extra, end)).collect()
}

/// Posts and findings of `bytes` linted as a file, in parts of `segment` bytes and with the
/// post limit `limit`.
fn lint(bytes: &[u8], segment: usize, limit: usize) -> (usize, Vec<Finding>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.xml");
    std::fs::write(&path, bytes).expect("write");
    let options = LintOptions {
        segment_bytes: segment,
        max_post_bytes: limit,
        ..LintOptions::default()
    };
    let outcome = postlint::check(&[path], options);
    assert!(
        outcome.input_errors.is_empty(),
        "{:?}",
        outcome.input_errors
    );
    let posts = outcome.reports.iter().map(|r| r.posts).sum();
    let findings = outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect();
    (posts, findings)
}

/// (rule, offset, length, line, column, message) of each finding.
fn rows(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let s = &f.span;
            let d = &f.diagnostic;
            let at = (s.offset, s.length, s.line, s.column);
            format!("{} {at:?} {}", d.rule, d.message)
        })
        .collect()
}

/// The posts and findings of the export read whole, after checking that parts of every size
/// give the same.
fn lint_in_every_size(bytes: &[u8], limit: usize) -> (usize, Vec<Finding>) {
    let (posts, findings) = lint(bytes, usize::MAX / 4, limit);
    for segment in [1, 7, 64, 700, 4096] {
        let (in_parts, found) = lint(bytes, segment, limit);
        assert_eq!(in_parts, posts, "posts in parts of {segment} bytes");
        assert_eq!(rows(&found), rows(&findings), "parts of {segment} bytes");
    }
    (posts, findings)
}

fn of_rule<'f>(findings: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| f.diagnostic.rule == rule)
        .collect()
}

#[test]
fn tags_inside_other_markup_do_not_cut_the_export() {
    // Each hides an `<item>` or `</item>` from a scan that looks only for those words.
    let doctype = "<!DOCTYPE rss [\n\
        <!ENTITY trap \"<item><title>x</title></item>\">\n\
        <!ENTITY other '</item>'>\n\
        <!ATTLIST item note CDATA \"</item>\">\n\
        <!-- </item> -->\n\
        <?pi </item> ?>\n\
        ]>\n";
    let hidden = "<?note </item> ?><!-- <item> </item> -->\
        <wp:postmeta key=\"</item> > <item>\"/><excerpt:encoded><![CDATA[</item><item>]]></excerpt:encoded>";
    let text = export(doctype, &items(22, hidden, "</item>"));
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 22);
    assert!(
        of_rule(&findings, "wxr-syntax").is_empty(),
        "{:?}",
        rows(&findings)
    );
}

#[test]
fn end_tags_with_white_space_are_places_to_cut() {
    let body: String = (1..=40)
        .map(|id| {
            let padded = format!("<excerpt:encoded>{}</excerpt:encoded>", "e".repeat(2000));
            item(id, &padded, ["</item >", "</item\n\t>"][id % 2])
        })
        .collect();
    let text = export("", &body);
    // Each item fits the limit; the file is twenty times over it.
    let limit = 4 << 10;
    assert!(text.len() > 20 * limit);
    let (posts, findings) = lint_in_every_size(text.as_bytes(), limit);
    assert_eq!(posts, 40);
    assert!(
        of_rule(&findings, "json-syntax").is_empty(),
        "{:?}",
        rows(&findings)
    );
}

/// An export with three small posts, one of `big` bytes of content, and one more small post.
fn export_with_a_big_item(big: usize) -> (String, usize) {
    let small = items(3, "", "</item>");
    let content = format!("<p>{}</p>", "x".repeat(big));
    let huge = item(4, "", "</item>").replace("<p>Text of post 4.</p>", &content);
    let text = export("", &format!("{small}{huge}{}", item(5, "", "</item>")));
    let third_end = text.find("</item>\n<item><title>Post 4").expect("post 4") + "</item>".len();
    (text, third_end)
}

#[test]
fn an_item_over_the_post_limit_is_refused_where_it_starts() {
    let limit = 1 << 20;
    let (text, third_end) = export_with_a_big_item(2 << 20);
    // Parts smaller than the limit, and parts larger (the default of 8 MiB): both refuse it.
    for segment in [4 << 10, LintOptions::default().segment_bytes] {
        let (posts, findings) = lint(text.as_bytes(), segment, limit);
        assert_eq!(posts, 3, "parts of {segment}");
        assert_eq!(findings.len(), 1, "{:?}", rows(&findings));
        let found = &findings[0];
        // The export's own rule: an XML file is no JSON.
        assert_eq!(found.diagnostic.rule, "wxr-syntax");
        assert!(found.diagnostic.message.contains("an item from here on"));
        assert!(found.diagnostic.message.contains("1.0 MiB"));
        let line = text[..third_end].matches('\n').count() + 1;
        let column = third_end - text[..third_end].rfind('\n').map_or(0, |i| i + 1) + 1;
        let at = (found.span.offset, found.span.length);
        assert_eq!(
            (at, found.span.line, found.span.column),
            ((third_end, 0), line, column)
        );
    }
    // Under the limit, the same item is read.
    let (posts, _) = lint(text.as_bytes(), 4 << 10, 4 << 20);
    assert_eq!(posts, 5);
}

/// A reader that counts the bytes handed out.
struct Counting<R> {
    inner: R,
    read: Arc<std::sync::atomic::AtomicUsize>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.read).fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[test]
fn an_endless_item_is_refused_after_reading_about_the_limit() {
    let limit = 1 << 20;
    let head = export("", "<item><title>Endless</title><content:encoded><![CDATA[");
    let head = head[..head.find("</channel>").expect("channel")].to_owned();
    let read = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reader = Counting {
        inner: head.as_bytes().chain(std::io::repeat(b'a')),
        read: read.clone(),
    };
    let options = LintOptions {
        segment_bytes: 64 << 10,
        max_post_bytes: limit,
        ..LintOptions::default()
    };
    let linter = Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        options,
    );
    let file = SourceFile::in_memory("endless.xml", head.as_bytes().to_vec());
    let report = linter.lint_file(file, reader).expect("lint");
    let rules: Vec<&str> = report.findings.iter().map(|f| f.diagnostic.rule).collect();
    assert_eq!(rules, ["wxr-syntax"]);
    let read = read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read <= limit + (2 << 20),
        "{read} bytes read for a limit of {limit}"
    );
}

#[test]
fn nesting_past_the_xml_readers_limit_is_reported_at_the_deep_element() {
    let depth = 65_536;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let body = format!("{}{}", item(1, "", "</item>"), item(2, &deep, "</item>"));
    let text = export("", &body);
    let first_a = text.find("<a>").expect("nesting");
    // The `<a>` that makes the 65,536th open element (after `<rss>`, `<channel>`, `<item>`):
    // the first one the reader cannot open.
    let deepest = first_a + 3 * (65_536 - 3 - 1);
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 1);
    let syntax = of_rule(&findings, "wxr-syntax");
    assert_eq!(syntax.len(), 1, "{:?}", rows(&findings));
    assert_eq!((syntax[0].span.offset, syntax[0].span.length), (deepest, 3));
    assert!(
        syntax[0]
            .diagnostic
            .message
            .contains("more than 65535 deep")
    );
}

/// Items 1, 2 (elements nested past the limit, an empty one and an `<item>` among them) and 3:
/// the deep item is one finding at its first element too deep, and items 1 and 3 are linted.
#[test]
fn items_after_one_nested_too_deep_are_still_linted() {
    for depth in [65_532, 65_536, 70_000] {
        let deep = format!(
            "{}<b/><item><wp:post_type>post</wp:post_type></item>{}",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let body = format!(
            "{}{}{}",
            item(1, "", "</item>"),
            item(2, &deep, "</item>"),
            item(3, "", "</item>")
        );
        let text = export("", &body);
        let first_a = text.find("<a>").expect("nesting");
        let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
        let syntax = of_rule(&findings, "wxr-syntax");
        assert_eq!(syntax.len(), 1, "{depth}: {:?}", rows(&findings));
        // Past `<rss>`, `<channel>`, `<item>`, the 65,533rd `<a>` is the 65,536th element;
        // at 65,532 `<a>`s, the `<b/>` after them is.
        let too_deep = (first_a + 3 * 65_532, 3);
        let at_limit = (first_a + 3 * 65_532, 4);
        let expected = if depth == 65_532 { at_limit } else { too_deep };
        assert_eq!((syntax[0].span.offset, syntax[0].span.length), expected);
        assert_eq!(posts, 2, "items 1 and 3: {:?}", rows(&findings));
    }
}

/// Nesting past the limit between the items, with many elements too deep: one finding, and
/// every item around it linted.
#[test]
fn nesting_too_deep_between_items_is_one_finding() {
    let deep = format!(
        "{}{}{}",
        "<a>".repeat(70_000),
        "<b/>".repeat(1_000),
        "</a>".repeat(70_000)
    );
    let body = format!(
        "{}{deep}{}",
        items(2, "", "</item>"),
        items(2, "", "</item>")
    );
    let text = export("", &body);
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(
        of_rule(&findings, "wxr-syntax").len(),
        1,
        "{:?}",
        rows(&findings)
    );
    assert_eq!(posts, 4);
}

#[test]
fn a_utf16_export_is_reported_as_utf16() {
    let text = export("", &items(2, "", "</item>"));
    let units: Vec<u16> = text.encode_utf16().collect();
    let little: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let big: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
    let with_bom = |bom: &[u8], bytes: &[u8]| [bom, bytes].concat();
    let spaced_big: Vec<u8> = "\n".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    for bytes in [
        with_bom(&[0xFF, 0xFE], &little),
        with_bom(&[0xFE, 0xFF], &big),
        little.clone(),
        with_bom(&spaced_big, &big),
    ] {
        let (posts, findings) = lint(&bytes, 4096, usize::MAX / 4);
        assert_eq!(posts, 0);
        assert_eq!(findings.len(), 1, "{:?}", rows(&findings));
        let found = &findings[0];
        assert_eq!(found.diagnostic.rule, "wxr-syntax");
        assert_eq!((found.span.offset, found.span.length), (0, 2));
        assert!(found.diagnostic.message.contains("UTF-16"));
        assert!(
            found
                .diagnostic
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("UTF-8")
        );
    }
}

#[test]
fn a_missing_wp_namespace_is_reported_as_an_unbound_prefix() {
    let declaration = " xmlns:wp=\"http://wordpress.org/export/1.2/\"";
    let text = export("", &items(3, "", "</item>")).replace(declaration, "");
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 0);
    let syntax = of_rule(&findings, "wxr-syntax");
    // Once, at the first element with the prefix, and no missing version besides.
    assert_eq!(syntax.len(), 1, "{:?}", rows(&findings));
    let first_use = text.find("wp:wxr_version").expect("version");
    let span = &syntax[0].span;
    assert_eq!(
        (span.offset, span.length),
        (first_use, "wp:wxr_version".len())
    );
    let message = &syntax[0].diagnostic.message;
    assert!(
        message.contains("`wp:`") && message.contains("unbound"),
        "{message}"
    );
    let help = syntax[0].diagnostic.help.as_deref().unwrap_or_default();
    assert!(help.contains(declaration.trim()), "{help}");
}

#[test]
fn made_up_prefixes_make_a_bounded_number_of_findings() {
    let elements: String = (0..5000).map(|i| format!("<p{i}:x/>")).collect();
    let text = export("", &format!("{}{elements}", items(2, "", "</item>")));
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 2);
    let syntax = of_rule(&findings, "wxr-syntax");
    assert_eq!(syntax.len(), 17, "{:?}", rows(&findings));
    assert!(
        syntax[16]
            .diagnostic
            .message
            .contains("more than 16 prefixes")
    );
    let seventeenth = text.find("<p16:x/>").expect("p16") + 1;
    assert_eq!(
        (syntax[16].span.offset, syntax[16].span.length),
        (seventeenth, 5)
    );
}

/// The parts of an export read with parts of `segment` bytes: (prefix length, own length) of
/// each, as the engine reads them.
fn parts_of(bytes: &[u8], segment: usize) -> Vec<(usize, usize)> {
    let mut parts = WxrParts::new(bytes, segment, usize::MAX);
    let mut seen = Vec::new();
    while let Some(part) = parts.next_part().expect("read from memory") {
        let (len, last) = (part.bytes().len(), part.last);
        seen.push((part.prefix_len, len));
        let mut read = wxr::read_part(part.text, &wxr::POST_TYPES, part.carried, last);
        assert!(!read.stopped, "{:?}", read.errors);
        if last {
            break;
        }
        let (open_tags, carried) = (std::mem::take(&mut read.open_tags), read.carried);
        drop(read.posts);
        parts.consume(len, open_tags, carried);
    }
    seen
}

#[test]
fn the_head_of_an_export_is_read_once() {
    // Thousands of terms before the first item, as a site with many tags exports them.
    let terms: String = (0..4000)
        .map(|i| {
            format!(
                "<wp:term><wp:term_id>{i}</wp:term_id><wp:term_taxonomy>post_tag</wp:term_taxonomy>\
                 <wp:term_name><![CDATA[Tag {i}]]></wp:term_name></wp:term>\n"
            )
        })
        .collect();
    let text = export("", &format!("{terms}{}", items(30, "", "</item>")));
    let parts = parts_of(text.as_bytes(), 4096);
    // Every byte of the file is in one part, each read behind no more than the start tags
    // open where it starts: `<rss><channel>`, and a `<wp:term>` when it starts inside one.
    assert!(parts.len() > 50, "{} parts", parts.len());
    assert_eq!(parts.iter().map(|(_, len)| len).sum::<usize>(), text.len());
    let open = RSS.len() + "<channel><wp:term>".len();
    assert!(parts.iter().all(|(prefix, _)| *prefix <= open), "{parts:?}");
    let (posts, _) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 30);
}

#[test]
fn a_deep_wrapper_is_read_in_parts_no_shorter_than_their_start_tags() {
    // Items inside 20,000 open elements: each part is read behind 60 KB of start tags, so a
    // part shorter than that would make the work grow with the square of the file.
    let depth = 20_000;
    let body = format!(
        "{}{}{}",
        "<a>".repeat(depth),
        items(300, "", "</item>"),
        "</a>".repeat(depth)
    );
    let text = export("", &body);
    let parts = parts_of(text.as_bytes(), 1);
    let parsed: usize = parts.iter().map(|(prefix, len)| prefix + len).sum();
    assert!(
        parsed <= 3 * text.len(),
        "{parsed} bytes parsed for {}",
        text.len()
    );
    assert!(parts.len() > 1, "{parts:?}");
    let (posts, _) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 300);
}

#[test]
fn an_export_cut_after_an_item_says_where_it_ends_whatever_the_part_size() {
    let text = export("", &items(3, "", "</item>"));
    let cut = &text[..text.rfind("</item>").expect("an item") + "</item>".len()];
    // The parts read as the file read whole, a part ending where the file does included.
    for size in 0..=255u8 {
        postlint::fuzzing::wxr_parts(&[&[size], cut.as_bytes()].concat());
    }
    for segment in [cut.len() - 1, cut.len(), cut.len() + 1] {
        let (posts, findings) = lint(cut.as_bytes(), segment, usize::MAX / 4);
        assert_eq!(posts, 3);
        let syntax = of_rule(&findings, "wxr-syntax");
        assert_eq!(syntax.len(), 1, "parts of {segment}: {:?}", rows(&findings));
        assert_eq!(
            (syntax[0].span.offset, syntax[0].span.length),
            (cut.len(), 0)
        );
        assert!(
            syntax[0]
                .diagnostic
                .message
                .contains("ends inside `<channel>`")
        );
    }
}

#[test]
fn what_a_long_export_lacks_is_reported_at_its_start() {
    let text =
        export("", &items(40, "", "</item>")).replace("<wp:wxr_version>1.2</wp:wxr_version>", "");
    let (posts, findings) = lint_in_every_size(text.as_bytes(), usize::MAX / 4);
    assert_eq!(posts, 40);
    let syntax = of_rule(&findings, "wxr-syntax");
    assert_eq!(syntax.len(), 1, "{:?}", rows(&findings));
    let span = &syntax[0].span;
    assert_eq!(
        (span.offset, span.length, span.line, span.column),
        (0, 0, 1, 1)
    );
    assert!(
        syntax[0]
            .diagnostic
            .message
            .contains("no `<wp:wxr_version>`")
    );
}

#[test]
fn real_exports_read_the_same_in_small_parts() {
    let Some(corpus) = crate::common::shared("corpus/wxr") else {
        return;
    };
    let mut exports = Vec::new();
    collect_exports(&corpus, &mut exports);
    assert_eq!(exports.len(), 41, "{exports:?}");
    let mut posts = 0;
    for path in exports {
        let bytes = std::fs::read(&path).expect("corpus export");
        let (whole, findings) = lint(&bytes, usize::MAX / 4, usize::MAX / 4);
        for segment in [64, 4096] {
            let (in_parts, found) = lint(&bytes, segment, usize::MAX / 4);
            let name = path.display();
            assert_eq!(in_parts, whole, "{name} in parts of {segment} bytes");
            assert_eq!(
                rows(&found),
                rows(&findings),
                "{name} in parts of {segment}"
            );
        }
        posts += whole;
    }
    assert_eq!(posts, 341);
}

fn collect_exports(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("corpus folder");
    for path in entries.map(|e| e.expect("corpus entry").path()) {
        if path.is_dir() {
            collect_exports(&path, found);
        } else if path.extension().is_some_and(|e| e == "xml") {
            found.push(path);
        }
    }
}

#[test]
fn start_tags_left_open_are_held_within_the_post_limit() {
    // Ever deeper elements, each with a large start tag and a place to cut after it: the start
    // tags a part is read behind grow with the file, and must not grow past the limit.
    let limit = 64 << 10;
    let attribute = "v".repeat(2000);
    let body: String = (0..200)
        .map(|i| format!("<a{i} note=\"{attribute}\"><b/>"))
        .collect();
    let text = export("", &body);
    let mut parts = WxrParts::new(text.as_bytes(), 4096, limit);
    let mut held = 0;
    let refused = loop {
        let part = match parts.next_part() {
            Ok(Some(part)) => part,
            Ok(None) => break false,
            Err(error) => break error.kind() == std::io::ErrorKind::FileTooLarge,
        };
        held = held.max(part.text.len());
        let (len, last) = (part.bytes().len(), part.last);
        let mut read = wxr::read_part(part.text, &wxr::POST_TYPES, part.carried, last);
        if read.stopped || last {
            break false;
        }
        let (open_tags, carried) = (std::mem::take(&mut read.open_tags), read.carried);
        drop(read.posts);
        parts.consume(len, open_tags, carried);
    };
    assert!(refused, "the start tags open past the limit are refused");
    assert!(
        held <= 2 * limit + 4096,
        "{held} bytes held for a limit of {limit}"
    );
    let (_, findings) = lint(text.as_bytes(), 4096, limit);
    let too_large = of_rule(&findings, "wxr-syntax");
    assert_eq!(too_large.len(), 1, "{:?}", rows(&findings));
    // At the end of the last part read: right after a place to cut, past the limit's worth of
    // start tags.
    let at = too_large[0].span.offset;
    assert!(text[..at].ends_with("<b/>"), "{:?}", rows(&findings));
    let open: usize = text[..at].matches("<a").count() * (attribute.len() + 14);
    assert!(
        open > limit,
        "refused at {at} with {open} bytes of start tags open"
    );
    assert!(too_large[0].diagnostic.message.contains("64.0 KiB"));
}
