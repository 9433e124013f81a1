//! Every real post in `../shared/corpus/` (6,120 posts from 50 sites): read, linted, every span
//! inside its file on character boundaries. Skipped when the corpus is absent.


use postlint::engine::LintOptions;

#[test]
fn whole_corpus_lints_with_valid_spans() {
    let Some(corpus) = crate::common::shared("corpus/posts") else {
        return;
    };
    let outcome = postlint::check(&[corpus], LintOptions::default());
    assert!(
        outcome.input_errors.is_empty(),
        "{:?}",
        outcome.input_errors
    );
    let posts: usize = outcome.reports.iter().map(|r| r.posts).sum();
    assert_eq!(posts, 6120);
    for report in &outcome.reports {
        let bytes = &std::fs::read(&report.file.name).expect("corpus file");
        let text = std::str::from_utf8(bytes).ok();
        for finding in &report.findings {
            let end = finding.span.offset + finding.span.length;
            assert!(end <= bytes.len(), "{}: {finding:?}", report.file.name);
            if let Some(text) = text {
                assert!(text.is_char_boundary(finding.span.offset));
                assert!(text.is_char_boundary(end));
            }
            assert_eq!(
                (finding.span.line, finding.span.column),
                crate::common::naive_line_col(bytes, finding.span.offset),
                "{}",
                report.file.name
            );
        }
    }
}

#[test]
fn collection_array_gives_the_same_findings_as_single_post_files() {
    let (Some(array), Some(singles)) = (
        crate::common::shared("corpus/arrays/izquierdahispanica-posts.json"),
        crate::common::shared("corpus/posts/rest-izquierdahispanica"),
    ) else {
        return;
    };
    let count = |path| {
        let outcome = postlint::check(&[path], LintOptions::default());
        let posts: usize = outcome.reports.iter().map(|r| r.posts).sum();
        let mut messages: Vec<String> = outcome
            .reports
            .iter()
            .flat_map(|r| &r.findings)
            .map(|f| f.diagnostic.message.to_string())
            .collect();
        messages.sort();
        (posts, messages)
    };
    let (array_posts, array_findings) = count(array);
    let (_, single_findings) = count(singles);
    assert_eq!(array_posts, 373);
    // The per-file set holds a few more posts than the array; every array finding is in it.
    for message in &array_findings {
        assert!(single_findings.contains(message), "{message}");
    }
}
