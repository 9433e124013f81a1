//! The site phase: rules that see every post of a site in the run.

use std::sync::Arc;

use assert_cmd::Command;
use postlint::config::{Config, ConfigRequest};
use postlint::engine::LintOptions;

fn rules_found(outcome: &postlint::outcome::CheckOutcome) -> Vec<&'static str> {
    outcome
        .reports
        .iter()
        .flat_map(|r| &r.findings)
        .map(|f| f.diagnostic.rule)
        .collect()
}

#[test]
fn an_incomplete_export_leaves_internal_links_alone_and_says_so() {
    let fixture =
        crate::common::fixture("rules/link-internal-missing/invalid_deleted_and_renamed.ndjson");
    let outcome = postlint::check(&[fixture], LintOptions::default());
    assert!(!rules_found(&outcome).contains(&"link-internal-missing"));
    assert_eq!(
        outcome
            .site_notes
            .iter()
            .find(|n| n.contains("internal links"))
            .map(String::as_str),
        Some(
            "news.example.com: internal links not checked, the run may not hold the whole site (set `export = \"complete\"`)"
        )
    );
}

#[test]
fn findings_of_the_site_phase_land_in_the_right_files_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(&a, r#"{"id":1,"slug":"same","status":"publish","type":"post","link":"https://s.example/same/","title":{"rendered":"One"},"content":{"rendered":"<p>x<\/a><\/p>"}}"#).expect("a");
    std::fs::write(&b, r#"{"id":2,"slug":"same","status":"publish","type":"post","link":"https://s.example/same-2/","title":{"rendered":"One"},"content":{"rendered":"<p>y<\/p>"}}"#).expect("b");
    let config = Arc::new(
        Config::load(&ConfigRequest {
            none: true,
            ..ConfigRequest::default()
        })
        .expect("config"),
    );
    let outcome = postlint::check_with(&[a, b], config, LintOptions::default());
    let per_file: Vec<Vec<&str>> = outcome
        .reports
        .iter()
        .map(|r| r.findings.iter().map(|f| f.diagnostic.rule).collect())
        .collect();
    assert_eq!(
        per_file,
        [
            vec!["stray-end-tag"],
            // The shared title of the same pair is not reported again: one defect, one finding.
            vec!["duplicate-slug"]
        ]
    );
    let duplicate = &outcome.reports[1].findings.to_vec()[0];
    assert_eq!(
        duplicate.diagnostic.message,
        "post 1 has the same slug, \"same\""
    );
    assert!(
        duplicate.secondary.is_empty(),
        "the first post is in another file"
    );
    assert_eq!((duplicate.span.line, duplicate.span.column), (1, 17));
}

#[test]
fn a_shard_says_its_site_phase_was_partial() {
    let out = Command::cargo_bin("postlint")
        .expect("binary")
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--shard",
            "1/2",
            "fixtures/rules/date-offset-suspicious",
        ])
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let sites = report["summary"]["sites"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !sites.is_empty() {
        assert_eq!(
            sites[0],
            "partial: this shard saw only its own files of each site"
        );
    }
}

#[test]
fn corpus_site_findings_stay_as_judged() {
    let Some(corpus) = crate::common::shared("corpus/posts") else {
        return;
    };
    let outcome = postlint::check(&[corpus], LintOptions::default());
    let count = |rule: &str| rules_found(&outcome).iter().filter(|r| **r == rule).count();
    // No corpus site declares a complete export.
    assert_eq!(count("link-internal-missing"), 0);
    eprintln!(
        "corpus: duplicate-slug {}, duplicate-title {}, link-internal-draft {}",
        count("duplicate-slug"),
        count("duplicate-title"),
        count("link-internal-draft")
    );
}
