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
    let config = Config::load(
        &ConfigRequest {
            none: true,
            cli: CliRules {
                select: Some(vec!["stray-end-tag".to_owned()]),
                ..CliRules::default()
            },
            ..ConfigRequest::default()
        },
        postlint::rules::REGISTRY,
    )
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

/// A reader that counts the bytes it handed out.
struct Counted<'a> {
    bytes: &'a [u8],
    read: &'a std::sync::atomic::AtomicUsize,
}

impl std::io::Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::io::Read::read(&mut self.bytes, buf)?;
        self.read.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        Ok(n)
    }
}

/// No thread waits between the windows of one large file: the next window is read while one
/// is linted, and a window's facts are taken in while the next is linted. So when the first
/// window's facts reach the run, the file was read past the second window.
#[test]
fn the_next_window_is_read_while_one_is_linted() {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let segment_bytes = 64 << 10;
    let mut text = String::new();
    for id in 0..2_000 {
        text.push_str(&format!(
            "{{\"id\":{id},\"title\":{{\"rendered\":\"Post {id}\"}},\"content\":{{\"rendered\":\"<p>{}<\\/p>\"}}}}\n",
            "Some words of a post. ".repeat(20)
        ));
    }
    let linter = postlint::engine::Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        LintOptions {
            segment_bytes,
            ..LintOptions::default()
        },
    );
    let read = AtomicUsize::new(0);
    let read_when_taken_in = Mutex::new(Vec::new());
    let facts_to = |_facts| {
        let mut seen = read_when_taken_in.lock().expect("not poisoned");
        seen.push(read.load(Ordering::SeqCst));
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let file = postlint::source::SourceFile::in_memory("big.ndjson", text.clone().into_bytes());
    let reader = Counted {
        bytes: text.as_bytes(),
        read: &read,
    };
    let report = pool
        .install(|| linter.lint_file_to(file, reader, Some(&facts_to)))
        .expect("lint");
    assert_eq!(report.posts, 2_000);
    let seen = read_when_taken_in.into_inner().expect("not poisoned");
    // The file's first piece is read alone; then windows of two pieces on two threads.
    let window = 2 * segment_bytes;
    assert!(
        seen[1] > segment_bytes + 2 * window - segment_bytes / 4,
        "the first window's facts were taken in after reading {} bytes, windows of {window}",
        seen[1]
    );
}
