//! Raw content beside rendered content (REST's `context=edit`): the rules of the author's
//! markup read the raw text and point there, the rules of what the site produced read the
//! rendered text, and a defect in both is reported once. WP-CLI's raw fields take fixes.

use assert_cmd::Command;

use crate::common::{findings, fixture};

/// (rule, field, line, column, the bytes at the span) of each finding of a fixture.
fn rows(path: &str) -> Vec<(&'static str, &'static str, usize, usize, String)> {
    let path = fixture(path);
    let bytes = std::fs::read(&path).expect("fixture");
    findings(&path)
        .iter()
        .map(|f| {
            let at = &bytes[f.span.offset..f.span.offset + f.span.length];
            (
                f.diagnostic.rule,
                f.diagnostic.field.unwrap_or("-"),
                f.span.line,
                f.span.column,
                String::from_utf8_lossy(at).into_owned(),
            )
        })
        .collect()
}

#[test]
fn a_defect_in_raw_and_rendered_text_is_reported_once_in_the_raw_text() {
    let found = rows("context-edit/invalid_raw_and_rendered.json");
    let expected = [
        ("empty-span", "content.raw", 16, 50, "<span></span>"),
        (
            "unrendered-shortcode",
            "content.rendered",
            17,
            80,
            "[ninja_form id=3]",
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(r, f, l, c, s)| (r, f, l, c, s.to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn shortcodes_in_raw_text_are_what_authors_write() {
    assert_eq!(rows("context-edit/valid_raw_and_rendered.json"), vec![]);
    // Only raw text (WP-CLI): the shortcode rule does not run at all.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("post.json");
    let post = r#"{"ID":3,"post_title":"Form","post_content":"<p>Write to us.</p>\n\n[ninja_form id=3]\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ","post_status":"publish","post_date":"2024-01-01 10:00:00","post_date_gmt":"2024-01-01 10:00:00","post_name":"form"}"#;
    std::fs::write(&file, post).expect("post");
    assert_eq!(findings(&file).len(), 0);
}

#[test]
fn explain_says_which_text_a_rule_reads() {
    let explain = |code: &str| {
        let out = Command::cargo_bin("postlint")
            .expect("binary")
            .args(["explain", code])
            .output()
            .expect("run");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let written = explain("empty-span");
    assert!(
        written.contains("Reads: content.rendered, excerpt.rendered; what the author wrote instead when the post has it (content.raw, excerpt.raw"),
        "{written}"
    );
    let rendered = explain("unrendered-shortcode");
    assert!(
        rendered.contains("Reads: content.rendered only, what the site produced"),
        "{rendered}"
    );
}

/// Runs `postlint check --no-config ARGS` on a file holding `text`; returns the file after.
fn fixed_text(text: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("post.json");
    std::fs::write(&file, text).expect("write");
    Command::cargo_bin("postlint")
        .expect("binary")
        .current_dir(dir.path())
        .args(["check", "--no-config"])
        .args(args)
        .arg("post.json")
        .output()
        .expect("run");
    std::fs::read_to_string(&file).expect("fixed")
}

fn fixed(fixture_path: &str, args: &[&str]) -> String {
    let text = std::fs::read_to_string(fixture(fixture_path)).expect("fixture");
    fixed_text(&text, args)
}

#[test]
fn wp_cli_raw_content_takes_fixes_in_its_own_json() {
    let post = r#"{"ID":12,"post_date":"2024-03-01 10:00:00","post_date_gmt":"2024-03-01 01:00:00","post_content":"<p>Officials <span><\/span>signed new guidelines.<\/p>","post_title":"Guidelines","post_status":"publish","post_name":"guidelines"}"#;
    let after = fixed_text(post, &["--fix"]);
    assert!(
        after.contains(r#""post_content":"<p>Officials signed new guidelines.<\/p>""#),
        "{after}"
    );
    // Its dates are untouched: WP-CLI writes them with a space.
    assert!(
        after.contains(r#""post_date":"2024-03-01 10:00:00""#),
        "{after}"
    );
}

#[test]
fn fixes_in_raw_text_keep_the_readers_page() {
    let after = fixed("context-edit/invalid_raw_and_rendered.json", &["--fix"]);
    assert!(
        after.contains(r#""raw": "<!-- wp:paragraph -->\n<p>Costs rose sharply this year.</p>"#),
        "{after}"
    );
    // The rendered text is the site's: the fix is for the raw text, the author's.
    assert!(
        after.contains(r#"<p>Costs rose <span></span>sharply this year.</p>\n\n\n\n<p>[ninja"#)
    );
}

/// WP-CLI post objects with this `post_content`, in a temporary file; the findings on it.
fn raw_findings(content: &str) -> Vec<(&'static str, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("post.json");
    let post = serde_json::json!({"ID": 5, "post_title": "Notes", "post_content": content,
        "post_status": "publish", "post_date": "2024-01-01 10:00:00",
        "post_date_gmt": "2024-01-01 10:00:00", "post_name": "notes"});
    std::fs::write(&file, post.to_string()).expect("post");
    let bytes = std::fs::read(&file).expect("post");
    findings(&file)
        .iter()
        .map(|f| {
            let at = &bytes[f.span.offset..f.span.offset + f.span.length];
            (f.diagnostic.rule, String::from_utf8_lossy(at).into_owned())
        })
        .collect()
}

#[test]
fn paragraphs_that_wpautop_makes_are_not_unclosed_elements() {
    let classic = "<p>First paragraph, left open\n\nSecond paragraph.\n\n<p>Third\n<ul>\n<li>one\n<li>two\n</ul>\n\nA last one.";
    assert_eq!(raw_findings(classic), vec![]);
}

#[test]
fn a_blank_line_paragraph_of_nbsp_is_an_empty_paragraph_in_raw_classic_text() {
    let classic =
        "First paragraph.\n\n&nbsp;\n\nSecond paragraph.\n\n<pre>code\n\n&nbsp;\n\nmore</pre>";
    assert_eq!(
        raw_findings(classic),
        vec![("empty-paragraph", "&nbsp;".to_owned())]
    );
    // In block content the paragraphs are written out: nothing is implicit.
    let blocks = "<!-- wp:paragraph -->\n<p>First.</p>\n<!-- /wp:paragraph -->\n\n&nbsp;\n\n<!-- wp:paragraph -->\n<p>Second.</p>\n<!-- /wp:paragraph -->";
    assert_eq!(raw_findings(blocks), vec![]);
}
