//! The block rules on the block markup of the shared corpus: WordPress's own test data is
//! valid by construction, so nothing there is reported above info, and every finding's span
//! covers the delimiter comment or the tag it names.

use postlint::diagnostic::Severity;

/// The corpus folders whose posts hold block markup written by WordPress's own tools.
const BLOCK_TEST_DATA: [&str; 4] = [
    "corpus/posts/wxr-theme-test-data__64-block-test-data",
    "corpus/posts/wxr-theme-test-data__themeunittestdata.wordpress",
    "corpus/posts/wxr-wordpress-importer__a11y-unit-test-data",
    "corpus/posts/blocks-gutenberg-parser-rs",
];

/// (file, rule, severity, the text at the span) of every block finding in a folder.
fn block_findings(dir: &str) -> Option<Vec<(String, &'static str, Severity, String)>> {
    let path = crate::common::shared(dir)?;
    let mut found = Vec::new();
    for report in crate::common::lint(&path) {
        let bytes = std::fs::read(&report.file.name).expect("corpus file");
        for finding in &report.findings {
            let rule = finding.diagnostic.rule;
            if !rule.starts_with("block-") {
                continue;
            }
            let span = &bytes[finding.span.offset..finding.span.offset + finding.span.length];
            found.push((
                report.file.name.to_string(),
                rule,
                finding.diagnostic.severity,
                String::from_utf8_lossy(span).into_owned(),
            ));
        }
    }
    Some(found)
}

#[test]
fn wordpress_block_test_data_gives_nothing_above_info() {
    for dir in BLOCK_TEST_DATA {
        let Some(found) = block_findings(dir) else {
            return;
        };
        let loud: Vec<_> = found
            .iter()
            .filter(|(_, _, severity, _)| *severity > Severity::Info)
            .collect();
        assert!(loud.is_empty(), "{dir}: {loud:#?}");
    }
}

#[test]
fn pre_5_0_headings_are_infos_that_point_at_their_tag() {
    let Some(found) = block_findings("corpus/posts/blocks-gutenberg-parser-rs") else {
        return;
    };
    let headings: Vec<_> = found
        .iter()
        .filter(|(_, rule, _, _)| *rule == "block-content-mismatch")
        .collect();
    // The benchmark documents were written by the editor of 2018: headings whose level is
    // only in the tag.
    assert!(headings.len() > 50, "{headings:#?}");
    for (file, _, severity, text) in headings {
        assert_eq!(*severity, Severity::Info, "{file}: {text}");
        assert!(
            text.starts_with("<h") || text.starts_with("<ol"),
            "{file}: {text}"
        );
    }
}

#[test]
fn block_findings_cover_the_delimiter_they_name() {
    let Some(found) = block_findings("corpus/posts") else {
        return;
    };
    assert!(!found.is_empty());
    for (file, rule, _, text) in &found {
        let delimiter = text.starts_with("<!--") && text.ends_with("-->");
        let ok = match *rule {
            "block-unclosed" | "block-empty" => delimiter && !text.starts_with("<!-- /"),
            "block-stray-closer" => delimiter && text.contains("/wp:"),
            "block-content-mismatch" => text.starts_with('<') && text.ends_with('>'),
            "block-invalid-attributes" => !text.is_empty(),
            _ => false,
        };
        assert!(ok, "{file}: {rule} at `{text}`");
    }
}
