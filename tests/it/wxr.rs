//! WXR exports and WP-CLI JSON: every post and page found, and every finding's span on the
//! bytes it names, through CDATA sections, entity references and CRLF line ends.

use std::path::Path;

use postlint::diagnostic::Finding;
use postlint::input::json::Node;

use crate::common::{fixture, lint, naive_line_col, shared};

/// The bytes at a finding's span, as the author reads them: CDATA boundaries dropped, XML's
/// and JSON's escapes of `<`, `>`, `&`, `"` and `/` decoded.
fn span_text(bytes: &[u8], finding: &Finding) -> String {
    let span = &finding.span;
    String::from_utf8_lossy(&bytes[span.offset..span.offset + span.length])
        .replace("]]><![CDATA[", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("\\/", "/")
}

/// The snippets a message quotes in backticks.
fn quoted(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 19
        && matches!(bytes[10], b' ' | b'T')
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13 | 16) || b.is_ascii_digit())
}

/// Whether the span holds what the finding says it points at: the tag, link, date, slug or
/// title its message names. A rule not listed here fails, so that a new one gets its check.
fn names_what_it_points_at(rule: &str, message: &str, text: &str) -> bool {
    let quotes = quoted(message);
    match rule {
        "empty-paragraph" => text.starts_with("<p") && text.ends_with("</p>"),
        "empty-span" => text.starts_with("<span") && text.ends_with("</span>"),
        "empty-title" => matches!(text, "<title/>" | "<title></title>") || text.trim().is_empty(),
        "missed-schedule" | "future-published" => is_date(text),
        "permalink-date-mismatch" => {
            !text.is_empty() && message.contains(&format!("says {}", text.trim_matches('/')))
        }
        "duplicate-slug" | "duplicate-title" => message.contains(&format!("\"{text}\"")),
        "wxr-syntax" if text.is_empty() => {
            message.contains("ends inside") || message.contains("no `<wp:wxr_version>`")
        }
        "wxr-syntax" => quotes.contains(&text),
        // A tag (`<a>` names `<a class="…">`), a URL or a part of it.
        "link-text-vague" => !text.trim().is_empty() && message.contains(text.trim()),
        // The start tag of the (first) link or frame it names.
        "image-link-unnamed" => text.starts_with("<a"),
        "iframe-missing-title" => text.starts_with("<iframe"),
        // The target, quoted whole or cut short with `…`.
        "link-marked-broken" => quotes
            .iter()
            .any(|q| !text.is_empty() && text.starts_with(q.trim_end_matches('…'))),
        // A block's comment, its attribute JSON, or the tag that does not match it.
        "block-unclosed"
        | "block-stray-closer"
        | "block-empty"
        | "block-invalid-attributes"
        | "block-content-mismatch" => {
            text.starts_with("<!--") || text.starts_with('{') || text.starts_with('<')
        }
        "stray-end-tag"
        | "unclosed-element"
        | "image-missing-alt"
        | "duplicate-link"
        | "link-missing-href"
        | "link-malformed"
        | "link-editor-only"
        | "empty-heading"
        | "empty-link"
        | "image-src-missing"
        | "heading-level-skip"
        | "nested-link"
        | "text-hidden-as-tag"
        | "mixed-content"
        | "bare-embed-url"
        | "unrendered-shortcode"
        | "placeholder-text" => {
            !text.is_empty()
                && quotes.iter().any(|q| {
                    q.contains(text)
                        || text.contains(q)
                        || text.starts_with(q.trim_end_matches('>'))
                })
        }
        _ => false,
    }
}

/// Checks every finding of a file: its span's text, and its line and column.
fn assert_spans_name_their_bytes(path: &Path, findings: &[Finding]) {
    let bytes = std::fs::read(path).expect("readable");
    for finding in findings {
        let text = span_text(&bytes, finding);
        let message = finding.diagnostic.message.to_string();
        assert!(
            names_what_it_points_at(finding.diagnostic.rule, &message, &text),
            "{}: {} `{message}` points at {text:?}",
            path.display(),
            finding.diagnostic.rule,
        );
        let at = naive_line_col(&bytes, finding.span.offset);
        assert_eq!(
            (finding.span.line, finding.span.column),
            at,
            "{}",
            path.display()
        );
    }
}

/// (rule, line, column, the bytes of the span) of each finding of a fixture.
fn found(path: &str) -> (usize, Vec<(&'static str, usize, usize, String)>) {
    let path = fixture(path);
    let bytes = std::fs::read(&path).expect("fixture");
    let reports = lint(&path);
    let posts = reports.iter().map(|r| r.posts).sum();
    let findings: Vec<Finding> = reports.into_iter().flat_map(|r| r.findings).collect();
    assert_spans_name_their_bytes(&path, &findings);
    let rows = findings
        .iter()
        .map(|f| {
            let raw = &bytes[f.span.offset..f.span.offset + f.span.length];
            let raw = String::from_utf8_lossy(raw).into_owned();
            (f.diagnostic.rule, f.span.line, f.span.column, raw)
        })
        .collect();
    (posts, rows)
}

fn row(
    rule: &'static str,
    line: usize,
    column: usize,
    raw: &str,
) -> (&'static str, usize, usize, String) {
    (rule, line, column, raw.to_owned())
}

#[test]
fn spans_go_through_cdata_sections_and_crlf() {
    let (posts, rows) = found("wxr/invalid_split_cdata_crlf.xml");
    // The attachment is not linted, its stray `</span>` neither.
    assert_eq!(posts, 1);
    assert_eq!(
        rows,
        [
            row("stray-end-tag", 22, 53, "</span>"),
            row("empty-span", 24, 19, "<span></span>"),
        ]
    );
}

#[test]
fn spans_cover_entity_references_whole() {
    let (posts, rows) = found("wxr/invalid_entities_wxr10.xml");
    assert_eq!(posts, 1);
    // A draft's `0000-00-00 00:00:00` GMT date is unset, not a wrong date.
    assert_eq!(rows, [row("stray-end-tag", 21, 70, "&lt;/a&gt;")]);
}

#[test]
fn a_cut_export_keeps_the_items_before_and_says_where_it_ends() {
    let (posts, rows) = found("wxr/invalid_cut_off.xml");
    assert_eq!(posts, 1);
    assert_eq!(
        rows,
        [
            row("unclosed-element", 16, 37, "<em>"),
            row("wxr-syntax", 21, 20, "<![CDATA["),
        ]
    );
}

#[test]
fn a_clean_export_stays_clean() {
    let (posts, rows) = found("wxr/valid_wxr11.xml");
    assert_eq!((posts, rows), (1, vec![]));
}

#[test]
fn findings_name_the_wxr_field() {
    let path = fixture("wxr/invalid_entities_wxr10.xml");
    let findings: Vec<Finding> = lint(&path).into_iter().flat_map(|r| r.findings).collect();
    assert_eq!(findings[0].diagnostic.field, Some("content:encoded"));
    let post = findings[0].diagnostic.post.as_ref().expect("a post");
    assert_eq!(post.id, Some(7));
}

#[test]
fn content_split_by_the_exporter_maps_back_to_both_sections() {
    let bytes = std::fs::read(fixture("wxr/invalid_split_cdata_crlf.xml")).expect("fixture");
    let file = postlint::input::wxr::read(&bytes, &postlint::input::wxr::POST_TYPES);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let content = file.posts[0]
        .get("content")
        .and_then(|c| c.get("rendered"))
        .and_then(Node::as_str)
        .expect("content");
    let start = content.as_str().find("a[b[0]]>").expect("joined text");
    let range = content.file_range(start..start + "a[b[0]]>".len());
    assert_eq!(&bytes[range], b"a[b[0]]]]><![CDATA[>");
}

#[test]
fn wp_cli_json_is_read_with_its_keys_and_dates() {
    let (posts, rows) = found("wp-cli/invalid_post_get.json");
    assert_eq!(posts, 1);
    // No date-format finding: `2024-03-01 10:00:00` is how WP-CLI writes dates.
    assert_eq!(rows, [row("stray-end-tag", 1, 172, "<\\/a>")]);
    let path = fixture("wp-cli/invalid_post_get.json");
    let findings: Vec<Finding> = lint(&path).into_iter().flat_map(|r| r.findings).collect();
    assert_eq!(findings[0].diagnostic.field, Some("post_content"));
    let post = findings[0].diagnostic.post.as_ref().expect("a post");
    assert_eq!(
        (post.id, post.title.as_deref()),
        (Some(12), Some("Guidelines"))
    );
}

#[test]
fn a_wp_cli_list_stays_clean() {
    let (posts, rows) = found("wp-cli/valid_post_list.json");
    assert_eq!((posts, rows), (2, vec![]));
}

/// Posts and pages per file of `../shared/corpus/wxr/`, from its README (items of
/// `wp:post_type` post or page in the WXR namespace); files WordPress's importer refuses or
/// cannot read whole are marked.
const CORPUS: [(&str, usize, bool); 41] = [
    ("wxr-theme-test-data/64-block-test-data.xml", 62, false),
    ("wxr-theme-test-data/theme-preview.xml", 7, false),
    (
        "wxr-theme-test-data/themeunittestdata.wordpress.xml",
        79,
        false,
    ),
    ("wxr-wordpress-importer/a11y-unit-test-data.xml", 64, false),
    ("wxr-wordpress-importer/authors-multiline.xml", 1, false),
    ("wxr-wordpress-importer/backslashes.xml", 1, false),
    ("wxr-wordpress-importer/blank-lines.xml", 1, false),
    ("wxr-wordpress-importer/cdata-edge.xml", 1, false),
    ("wxr-wordpress-importer/chunked-meta.xml", 1, false),
    ("wxr-wordpress-importer/crazy-cdata-escaped.xml", 1, false),
    ("wxr-wordpress-importer/crazy-cdata.xml", 1, true),
    (
        "wxr-wordpress-importer/e2e.fixtures.wxr-simple.xml",
        1,
        false,
    ),
    ("wxr-wordpress-importer/invalid-version-tag.xml", 0, true),
    ("wxr-wordpress-importer/large-authors.xml", 0, false),
    ("wxr-wordpress-importer/malformed-simple.xml", 0, true),
    ("wxr-wordpress-importer/malformed.xml", 0, true),
    ("wxr-wordpress-importer/missing-tags.xml", 1, false),
    ("wxr-wordpress-importer/missing-version-tag.xml", 0, true),
    ("wxr-wordpress-importer/multiple-cdata.xml", 1, false),
    ("wxr-wordpress-importer/namespace-edge-cases.xml", 5, false),
    (
        "wxr-wordpress-importer/phpunit.data.wxr-simple.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/post-content-blank-lines.xml",
        1,
        false,
    ),
    ("wxr-wordpress-importer/slashes.xml", 1, false),
    ("wxr-wordpress-importer/small-export.xml", 11, false),
    ("wxr-wordpress-importer/term-formats.xml", 0, false),
    ("wxr-wordpress-importer/term-meta.xml", 0, false),
    (
        "wxr-wordpress-importer/test-serialized-comment-meta.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/test-serialized-postmeta-no-cdata.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/test-serialized-postmeta-with-cdata.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/test-serialized-term-meta.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/test-utw-post-meta-import.xml",
        1,
        false,
    ),
    ("wxr-wordpress-importer/theme-unit-test-data.xml", 79, false),
    ("wxr-wordpress-importer/valid-wxr-1.0.xml", 6, false),
    ("wxr-wordpress-importer/valid-wxr-1.1.xml", 2, false),
    (
        "wxr-wordpress-importer/wxr-base-url-rewriting.xml",
        1,
        false,
    ),
    ("wxr-wordpress-importer/wxr-comprehensive.xml", 2, false),
    ("wxr-wordpress-importer/wxr-css-urls.xml", 1, false),
    (
        "wxr-wordpress-importer/wxr-flat-attachment-different-site.xml",
        1,
        false,
    ),
    (
        "wxr-wordpress-importer/wxr-flat-attachment-same-site.xml",
        1,
        false,
    ),
    ("wxr-wordpress-importer/wxr-utf-8-challenges.xml", 1, false),
    ("wxr-wordpress-importer/wxr-with-sub-data.xml", 1, false),
];

#[test]
fn every_post_and_page_of_the_corpus_is_linted_with_spans_on_its_bytes() {
    let Some(dir) = shared("corpus/wxr") else {
        return;
    };
    let mut findings_seen = 0;
    for (name, posts, malformed) in CORPUS {
        let path = dir.join(name);
        let reports = lint(&path);
        assert_eq!(
            reports.iter().map(|r| r.posts).sum::<usize>(),
            posts,
            "{name}"
        );
        let findings: Vec<Finding> = reports.into_iter().flat_map(|r| r.findings).collect();
        let syntax = findings
            .iter()
            .filter(|f| f.diagnostic.rule == "wxr-syntax")
            .count();
        assert_eq!(
            syntax > 0,
            malformed,
            "{name}: {syntax} wxr-syntax findings"
        );
        assert_spans_name_their_bytes(&path, &findings);
        findings_seen += findings.len();
    }
    // The spans were checked on real findings, not on none.
    assert!(findings_seen > 200, "{findings_seen} findings");
}

/// Every string of a post, with its key.
fn strings<'a>(node: &'a Node<'a>, out: &mut Vec<&'a postlint::input::json::JsonStr<'a>>) {
    match &node.value {
        postlint::input::json::Value::String(s) => out.push(s),
        postlint::input::json::Value::Object(members) => {
            members.iter().for_each(|m| strings(&m.value, out));
        }
        _ => {}
    }
}

#[test]
fn an_export_cut_at_any_byte_keeps_every_span_inside_the_file() {
    for name in ["invalid_split_cdata_crlf.xml", "invalid_entities_wxr10.xml"] {
        let bytes = std::fs::read(fixture(&format!("wxr/{name}"))).expect("fixture");
        for cut in 0..bytes.len() {
            let prefix = &bytes[..cut];
            let file = postlint::input::wxr::read(prefix, &postlint::input::wxr::POST_TYPES);
            // A cut file always says so, unless it was cut in the white space after `</rss>`.
            let complete = String::from_utf8_lossy(prefix)
                .trim_end()
                .ends_with("</rss>");
            let errors: Vec<_> = file.errors.iter().chain(&file.missing).collect();
            assert_eq!(errors.is_empty(), complete, "{name} cut at {cut}");
            for error in errors {
                assert!(error.span.end <= cut, "{name} cut at {cut}: {error:?}");
            }
            for post in &file.posts {
                let mut found = Vec::new();
                strings(post, &mut found);
                for s in found {
                    let range = s.file_range(0..s.as_str().len());
                    assert!(
                        range.start <= range.end && range.end <= cut,
                        "{name} at {cut}"
                    );
                }
            }
        }
    }
}

mod damaged {
    use proptest::prelude::*;

    use crate::common::fixture;

    /// Bytes that matter to the XML reader and to the span maps.
    const TRICKY: &[u8] = b"<>&;]/![\r\n\xFF\xC3";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A WXR export with bytes replaced, inserted and removed at random: linted and
        /// reported in every format without a panic, every span inside the file at its line
        /// and column (the checks of the `lint_bytes` fuzz target).
        #[test]
        fn a_damaged_export_is_linted_with_exact_spans(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..TRICKY.len(), 0..3u8), 1..8),
            file in 0..2usize,
        ) {
            let name = ["wxr/invalid_split_cdata_crlf.xml", "wxr/invalid_entities_wxr10.xml"][file];
            let mut bytes = std::fs::read(fixture(name)).expect("fixture");
            for (at, byte, kind) in edits {
                let at = at.index(bytes.len());
                match kind {
                    0 => bytes[at] = TRICKY[byte],
                    1 => bytes.insert(at, TRICKY[byte]),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            postlint::fuzzing::lint_bytes(&bytes);
        }
    }
}

#[test]
fn other_item_types_are_linted_when_type_names_them() {
    let run = |types: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("postlint")
            .expect("binary")
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .args(types)
            .arg(fixture("wxr/invalid_split_cdata_crlf.xml"))
            .output()
            .expect("run");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let rules: Vec<String> = (report["diagnostics"].as_array().into_iter().flatten())
            .map(|d| d["rule"].as_str().unwrap_or("-").to_owned())
            .collect();
        (report["summary"]["posts"].as_u64(), rules)
    };
    assert_eq!(run(&[]).0, Some(1), "posts and pages by default");
    let (posts, rules) = run(&["--type", "attachment"]);
    assert_eq!(posts, Some(1));
    assert_eq!(rules, ["stray-end-tag"], "the attachment's stray `</span>`");
    assert_eq!(run(&["--type", "posts,attachment"]).0, Some(2));
    let bad = assert_cmd::Command::cargo_bin("postlint")
        .expect("binary")
        .args(["check", "--type", "Attach ment", "x.xml"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a post type"));
}

/// (rule, offset, length, line, column, message) of every finding of a file linted with
/// parts of at most `segment_bytes`.
fn linted_in_parts(path: &Path, segment_bytes: usize) -> (usize, Vec<String>) {
    let options = postlint::engine::LintOptions {
        segment_bytes,
        now: chrono::NaiveDateTime::parse_from_str("2026-12-01 00:00:00", "%Y-%m-%d %H:%M:%S").ok(),
        ..postlint::engine::LintOptions::default()
    };
    let outcome = postlint::check(&[path.to_path_buf()], options);
    let posts = outcome.reports.iter().map(|r| r.posts).sum();
    let findings = (outcome.reports.iter().flat_map(|r| &r.findings))
        .map(|f| {
            let d = &f.diagnostic;
            let s = &f.span;
            format!(
                "{} {}+{} {}:{} {}",
                d.rule, s.offset, s.length, s.line, s.column, d.message
            )
        })
        .collect();
    (posts, findings)
}

#[test]
fn an_export_read_in_small_parts_gives_the_report_of_one_read_whole() {
    let mut paths: Vec<std::path::PathBuf> = [
        "wxr/invalid_split_cdata_crlf.xml",
        "wxr/invalid_cut_off.xml",
    ]
    .into_iter()
    .map(fixture)
    .collect();
    if let Some(dir) = shared("corpus/wxr") {
        paths.extend(CORPUS.iter().map(|(name, _, _)| dir.join(name)));
    }
    let mut parts_seen = 0;
    for path in &paths {
        let whole = linted_in_parts(path, usize::MAX / 4);
        for segment_bytes in [1, 700, 64 << 10] {
            let parts = linted_in_parts(path, segment_bytes);
            assert_eq!(
                parts,
                whole,
                "{} in parts of {segment_bytes}",
                path.display()
            );
        }
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        parts_seen += usize::from(size > 64 << 10);
    }
    assert!(
        paths.len() == 2 || parts_seen >= 4,
        "{parts_seen} exports over 64 KiB"
    );
}
