//! Hand-made posts for each input case: `valid_*` must give no finding, `invalid_*` are
//! snapshotted, and the cases that matter most have their exact positions asserted.

use std::path::Path;

use crate::common::{findings, fixture, naive_line_col, positions};
use postlint::diagnostic::Severity::{Error, Info};

fn case(name: &str) -> std::path::PathBuf {
    fixture(&format!("cases/{name}"))
}

fn case_names(prefix: &str) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(fixture("cases"))
        .expect("fixtures/cases")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// One line per finding, as a reviewer reads it.
fn summary(path: &Path) -> String {
    findings(path)
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {} [{}..{}] {}",
                f.span.line,
                f.span.column,
                f.diagnostic.severity,
                f.diagnostic.rule,
                f.span.offset,
                f.span.offset + f.span.length,
                f.diagnostic.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn valid_cases_give_no_findings() {
    let names = case_names("valid_");
    assert!(names.len() >= 4);
    for name in names {
        assert_eq!(summary(&case(&name)), "", "{name}");
    }
}

#[test]
fn invalid_cases_match_their_snapshots() {
    let names = case_names("invalid_");
    assert!(names.len() >= 15);
    for name in names {
        let text = summary(&case(&name));
        assert!(!text.is_empty(), "{name} must give a finding");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_span_is_inside_its_file_on_character_boundaries() {
    for name in case_names("") {
        let bytes = std::fs::read(case(&name)).expect("case");
        for f in findings(&case(&name)) {
            let end = f.span.offset + f.span.length;
            assert!(end <= bytes.len(), "{name}: {f:?}");
            if let Ok(text) = std::str::from_utf8(&bytes) {
                assert!(text.is_char_boundary(f.span.offset), "{name}: {f:?}");
                assert!(text.is_char_boundary(end), "{name}: {f:?}");
            }
            let expected = naive_line_col(&bytes, f.span.offset);
            assert_eq!((f.span.line, f.span.column), expected, "{name}: {f:?}");
            let expected_end = naive_line_col(&bytes, end);
            assert_eq!((f.span.end_line, f.span.end_column), expected_end, "{name}");
        }
    }
}

#[test]
fn stray_tags_in_pretty_utf8_json() {
    let found: Vec<_> = findings(&case("invalid_stray_end_tags.json"))
        .into_iter()
        .filter(|f| f.diagnostic.rule == "stray-end-tag")
        .collect();
    assert_eq!(
        positions(&found),
        [
            ("stray-end-tag", Error, 15, 50),
            ("stray-end-tag", Info, 15, 96),
            ("stray-end-tag", Info, 15, 139),
            ("stray-end-tag", Info, 15, 154),
        ]
    );
}

#[test]
fn columns_count_characters_through_unicode_escapes() {
    let bytes = std::fs::read(case("invalid_escaped_spans.json")).expect("case");
    let found = findings(&case("invalid_escaped_spans.json"));
    let texts: Vec<_> = found
        .iter()
        .map(|f| String::from_utf8_lossy(&bytes[f.span.offset..f.span.offset + f.span.length]))
        .collect();
    assert_eq!(texts, [r"<\/span>", r"<\/a>"]);
    assert_eq!(positions(&found)[0], ("stray-end-tag", Info, 1, 351));
}

#[test]
fn crlf_and_cr_only_line_ends_give_the_same_position() {
    for name in ["invalid_crlf.json", "invalid_cr_only.json"] {
        let found = findings(&case(name));
        assert_eq!(
            positions(&found),
            [("stray-end-tag", Info, 7, 22)],
            "{name}"
        );
    }
}

#[test]
fn empty_binary_and_non_post_json_are_explained() {
    let first_message = |name: &str| {
        let found = findings(&case(name));
        assert_eq!(found.len(), 1, "{name}");
        (
            found[0].diagnostic.rule,
            found[0].diagnostic.message.to_string(),
        )
    };
    assert_eq!(
        first_message("invalid_empty.json"),
        ("not-a-post", "the file is empty".to_owned())
    );
    assert_eq!(
        first_message("invalid_whitespace_only.json"),
        ("not-a-post", "the file is empty".to_owned())
    );
    assert_eq!(
        first_message("invalid_binary.json"),
        ("not-a-post", "this is a binary file, not JSON".to_owned())
    );
    assert_eq!(
        first_message("invalid_number.json"),
        (
            "not-a-post",
            "expected a post object, found a number".to_owned()
        )
    );
    let (rule, message) = first_message("invalid_rest_error.json");
    assert_eq!(rule, "not-a-post");
    assert!(message.contains("`rest_no_route`"), "{message}");
}

#[test]
fn invalid_utf8_is_reported_and_the_post_still_linted() {
    let found = findings(&case("invalid_latin1.json"));
    assert_eq!(
        positions(&found),
        [
            ("invalid-utf8", Error, 1, 35),
            ("stray-end-tag", Info, 1, 78)
        ]
    );
    assert_eq!(found[0].span.offset, 34);
}

#[test]
fn ndjson_goes_on_after_a_broken_line() {
    let reports = crate::common::lint(&case("invalid_broken_line.ndjson"));
    assert_eq!(reports[0].posts, 3);
    let found = &reports[0].findings.to_vec();
    assert_eq!(
        positions(found),
        [
            ("json-syntax", Error, 2, 41),
            ("json-syntax", Error, 2, 75),
            ("stray-end-tag", Error, 3, 354),
        ]
    );
    let last = found[2].diagnostic.post.as_ref().expect("post");
    assert_eq!((last.index, last.id), (2, Some(803)));
}

#[test]
fn arrays_report_the_elements_that_are_not_posts() {
    let reports = crate::common::lint(&case("invalid_array_with_non_posts.json"));
    assert_eq!(reports[0].posts, 1);
    let rules: Vec<_> = reports[0]
        .findings
        .iter()
        .map(|f| f.diagnostic.rule)
        .collect();
    assert_eq!(rules, ["not-a-post", "not-a-post"]);
}

#[test]
fn truncated_array_keeps_the_complete_posts() {
    let reports = crate::common::lint(&case("invalid_truncated_array.json"));
    assert_eq!(reports[0].posts, 2);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let found = findings(&case("invalid_deep_nesting.json"));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].diagnostic.message,
        "nesting deeper than 512 levels"
    );
}
