//! Files are read in segments of whole posts. Whatever the segment size, the findings are the
//! same, byte for byte, as reading each file whole: cut points, re-reads after damage and line
//! counting across segments must not show.


use crate::common::fixture;
use std::sync::Arc;

use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::engine::LintOptions;
use postlint::report;

fn json_report(paths: &[std::path::PathBuf], segment_bytes: usize) -> String {
    let options = LintOptions {
        segment_bytes,
        ..LintOptions::default()
    };
    report::json::render(&postlint::check(paths, options))
}

#[test]
fn tiny_segments_give_the_same_report_as_whole_files() {
    let mut paths = vec![fixture("")];
    if let Some(array) = crate::common::shared("corpus/arrays") {
        paths.push(array);
    }
    let whole = json_report(&paths, usize::MAX / 2);
    for segment_bytes in [1, 7, 64, 4096] {
        let segmented = json_report(&paths, segment_bytes);
        assert!(
            whole == segmented,
            "segments of {segment_bytes} bytes change the report"
        );
    }
}

#[test]
fn a_fifty_megabyte_post_is_linted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.json");
    let paragraph =
        r#"<p>Caf\u00e9 <a href=\"https:\/\/example.org\/\">link<\/a> and text.<\/p>\n"#;
    let mut text = String::from(r#"{"id":7,"title":{"rendered":"Big"},"content":{"rendered":""#);
    while text.len() < 50 << 20 {
        text.push_str(paragraph);
    }
    let stray_column = text.chars().count() + 1;
    text.push_str(r#"<\/span>"}}"#);
    std::fs::write(&path, &text).expect("write");

    // Only the rule under test: every paragraph repeats the same link.
    let config = Config::load(&ConfigRequest {
        none: true,
        cli: CliRules {
            select: Some(vec!["stray-end-tag".to_owned()]),
            ..CliRules::default()
        },
        ..ConfigRequest::default()
    })
    .expect("config");
    let outcome = postlint::check_with(&[path], Arc::new(config), LintOptions::default());
    let findings: Vec<_> = outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect();
    assert_eq!(findings.len(), 1);
    let stray = &findings[0];
    assert_eq!(stray.diagnostic.rule, "stray-end-tag");
    assert_eq!((stray.span.line, stray.span.column), (1, stray_column));
    assert_eq!(stray.span.offset, text.len() - r#"<\/span>"}}"#.len());
}

#[test]
fn a_hundred_thousand_posts_in_one_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("many.ndjson");
    let mut text = String::new();
    for id in 0..100_000 {
        let stray = if id % 25_000 == 0 { r"<\/b>" } else { "" };
        text.push_str(&format!(
            "{{\"id\":{id},\"title\":{{\"rendered\":\"Post {id}\"}},\"content\":{{\"rendered\":\"<p>Text {id}{stray}<\\/p>\"}}}}\n"
        ));
    }
    std::fs::write(&path, &text).expect("write");
    let options = LintOptions {
        segment_bytes: 1 << 20,
        ..LintOptions::default()
    };
    let outcome = postlint::check(&[path], options);
    assert_eq!(outcome.reports[0].posts, 100_000);
    let found: Vec<_> = outcome.reports[0]
        .findings
        .iter()
        .map(|f| (f.span.line, f.diagnostic.post.as_ref().and_then(|p| p.id)))
        .collect();
    assert_eq!(
        found,
        [
            (1, Some(0)),
            (25_001, Some(25_000)),
            (50_001, Some(50_000)),
            (75_001, Some(75_000))
        ]
    );
}
