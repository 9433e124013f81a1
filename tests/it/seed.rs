//! The real export the project started from: truncated JSON, a raw newline inside a string,
//! and 36 end tags whose start tags were lost.

use crate::common::{findings, fixture, naive_line_col};
use postlint::diagnostic::Severity;

const SEED: &str = "seed_koreapro_2205786.json";

#[test]
fn seed_reports_both_syntax_problems_at_their_exact_bytes() {
    let bytes = std::fs::read(fixture(SEED)).expect("seed fixture");
    let found = findings(&fixture(SEED));
    let syntax: Vec<_> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "json-syntax")
        .collect();
    assert_eq!(syntax.len(), 2);

    let newline = &syntax[0];
    assert_eq!(newline.diagnostic.message, "raw newline inside a string");
    assert_eq!((newline.span.offset, newline.span.length), (507, 1));
    assert_eq!(bytes[newline.span.offset], b'\n');
    assert_eq!((newline.span.line, newline.span.column), (1, 508));
    assert_eq!((newline.span.end_line, newline.span.end_column), (2, 1));

    let cut = &syntax[1];
    assert_eq!(
        cut.diagnostic.message,
        "the file ends inside a string: the JSON was cut off here"
    );
    assert_eq!((cut.span.offset, cut.span.length), (bytes.len(), 0));
    assert_eq!((cut.span.line, cut.span.column), (2, 2323));
}

#[test]
fn seed_reports_every_stray_end_tag_at_its_escaped_text() {
    let bytes = std::fs::read(fixture(SEED)).expect("seed fixture");
    let found = findings(&fixture(SEED));
    let strays: Vec<_> = found
        .iter()
        .filter(|f| f.diagnostic.rule == "stray-end-tag")
        .collect();
    let count = |tag: &str| {
        strays
            .iter()
            .filter(|f| {
                let text = &bytes[f.span.offset..f.span.offset + f.span.length];
                text == tag.as_bytes()
            })
            .count()
    };
    assert_eq!(count(r"<\/span>"), 21);
    assert_eq!(count(r"<\/a>"), 8);
    assert_eq!(count(r"<\/p>"), 6);
    assert_eq!(count(r"<\/b>"), 1);
    assert_eq!(strays.len(), 36);

    for stray in &strays {
        assert_eq!(
            (stray.span.line, stray.span.column),
            naive_line_col(&bytes, stray.span.offset),
            "{stray:?}"
        );
        assert_eq!(stray.diagnostic.field, Some("content.rendered"));
        let post = stray.diagnostic.post.as_ref().expect("a post");
        assert_eq!((post.index, post.id), (0, Some(2_205_786)));
    }
}

#[test]
fn seed_severities_follow_what_a_reader_sees() {
    let found = findings(&fixture(SEED));
    let severity_of = |message_start: &str| -> Vec<Severity> {
        found
            .iter()
            .filter(|f| f.diagnostic.message.starts_with(message_start))
            .map(|f| f.diagnostic.severity)
            .collect()
    };
    assert!(severity_of("`</a>`").iter().all(|s| *s == Severity::Error));
    // A lost `<span>` took at most a style with it: nothing a reader needs is gone.
    assert!(
        severity_of("`</span>`")
            .iter()
            .all(|s| *s == Severity::Info)
    );
    assert!(
        severity_of("`</b>`")
            .iter()
            .all(|s| *s == Severity::Warning)
    );
    assert!(severity_of("`</p>`").iter().all(|s| *s == Severity::Info));
}

#[test]
fn seed_first_findings_have_known_positions() {
    let found = findings(&fixture(SEED));
    let first: Vec<_> = found
        .iter()
        .take(5)
        .map(|f| (f.diagnostic.rule, f.span.line, f.span.column, f.span.length))
        .collect();
    assert_eq!(
        first,
        [
            ("json-syntax", 1, 508, 1),
            ("stray-end-tag", 2, 33, 8),
            ("stray-end-tag", 2, 47, 8),
            ("stray-end-tag", 2, 55, 5),
            ("stray-end-tag", 2, 271, 8),
        ]
    );
}

#[test]
fn seed_fields_are_recovered() {
    let reports = crate::common::lint(&fixture(SEED));
    assert_eq!(reports[0].posts, 1);
    let findings = reports[0].findings.to_vec();
    let post = findings[1].diagnostic.post.as_ref().expect("a post");
    assert_eq!(
        post.title.as_deref(),
        Some("US and South Korea ink new nuclear deterrence guidelines")
    );
    assert_eq!(
        post.link.as_deref(),
        Some(
            "https://koreapro.org/2024/07/us-and-south-korea-ink-new-nuclear-deterrence-guidelines/"
        )
    );
}
