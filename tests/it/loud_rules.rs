//! The rules made precise in issue #23: what each now says about the cases the corpus
//! showed too loud (the words of its help, which the rule snapshots leave out), and that a
//! configured severity still beats the grade a rule gives one finding.

use std::path::Path;
use std::sync::Arc;

use postlint::config::{Config, ConfigRequest};
use postlint::diagnostic::{Applicability, Finding, Severity};
use postlint::engine::LintOptions;

use crate::common::{findings, fixture};

fn of_rule(rule: &str, case: &str) -> Vec<Finding> {
    findings(&fixture(&format!("rules/{rule}/{case}")))
        .into_iter()
        .filter(|f| f.diagnostic.rule == rule)
        .collect()
}

fn help(finding: &Finding) -> &str {
    finding.diagnostic.help.as_deref().unwrap_or_default()
}

#[test]
fn a_placeholder_in_angle_brackets_is_told_as_hidden_text() {
    let found = of_rule("text-hidden-as-tag", "invalid_placeholder.json");
    let placeholder = &found[0];
    assert_eq!(
        placeholder.diagnostic.message,
        "`<nombre de usuario>` is read as an unknown tag: readers do not see this text"
    );
    assert!(
        help(placeholder).contains("`&lt;nombre de usuario&gt;`"),
        "{}",
        help(placeholder)
    );
    assert!(!help(placeholder).contains("</nombre>"));
    assert!(help(&found[1]).contains("`&lt;your name&gt;`"));
    assert_eq!(found.len(), 2);
    // A custom element is an element, left open: `unclosed-element` reports it, and only it.
    let custom = findings(&fixture(
        "rules/text-hidden-as-tag/invalid_placeholder.json",
    ))
    .into_iter()
    .filter(|f| f.diagnostic.rule == "unclosed-element")
    .map(|f| help(&f).to_owned())
    .collect::<Vec<_>>();
    assert_eq!(custom, ["add `</my-card>` where it should end"]);
}

#[test]
fn the_end_tag_of_a_void_element_lost_no_start_tag() {
    let found = of_rule("stray-end-tag", "invalid_void_end_tags.json");
    let graded: Vec<(&str, Severity)> = found
        .iter()
        .map(|f| (&*f.diagnostic.message, f.diagnostic.severity))
        .collect();
    assert_eq!(
        graded,
        [
            (
                "`<img>` never has an end tag: `</img>` closes nothing",
                Severity::Info
            ),
            (
                "`<source>` never has an end tag: `</source>` closes nothing",
                Severity::Info
            ),
            (
                "`<embed>` never has an end tag: `</embed>` closes nothing",
                Severity::Info
            ),
            ("`</br>` is not a line break end tag", Severity::Info),
        ]
    );
    for f in &found[..3] {
        assert!(!help(f).contains("lost,"), "{}", help(f));
        let fix = f.diagnostic.fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, Applicability::Safe);
    }
}

#[test]
fn a_split_link_is_joined_and_a_repeat_elsewhere_is_not_reported() {
    let split = of_rule("duplicate-link", "invalid_split_link.json");
    assert_eq!(split.len(), 2);
    for f in &split {
        assert_eq!(f.diagnostic.severity, Severity::Warning);
        let fix = f.diagnostic.fix.as_ref().expect("a join");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.edits.len(),
            2,
            "the first `</a>` and the second `<a …>`"
        );
    }
    // Repeats in other paragraphs are calls to action, credits, glossary terms: deliberate.
    assert!(of_rule("duplicate-link", "valid_repeat_elsewhere.json").is_empty());
}

fn config(dir: &Path) -> Arc<Config> {
    let request = ConfigRequest {
        file: Some(dir.join("postlint.toml")),
        none: false,
        start_dir: dir.to_path_buf(),
        ..ConfigRequest::default()
    };
    Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"))
}

#[test]
fn a_configured_severity_beats_the_grade_of_each_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let toml = "[rules.duplicate-link]\nseverity = \"error\"\n\
                [rules.link-malformed]\nseverity = \"error\"\n\
                [rules.link-missing-href]\nseverity = \"warning\"\n\
                [rules.unclosed-element]\nseverity = \"info\"\n";
    std::fs::write(dir.path().join("postlint.toml"), toml).expect("config");
    let cases = [
        ("duplicate-link", "invalid_repeats.json", Severity::Error),
        ("link-malformed", "invalid_javascript.json", Severity::Error),
        (
            "link-missing-href",
            "invalid_info_and_builder_buttons.json",
            Severity::Warning,
        ),
        ("unclosed-element", "invalid_open.json", Severity::Info),
    ];
    for (rule, case, severity) in cases {
        let path = fixture(&format!("rules/{rule}/{case}"));
        let outcome = postlint::check_with(&[path], config(dir.path()), LintOptions::default());
        let found: Vec<Severity> = outcome
            .reports
            .into_iter()
            .flat_map(|r| r.findings)
            .filter(|f| f.diagnostic.rule == rule)
            .map(|f| f.diagnostic.severity)
            .collect();
        assert!(!found.is_empty(), "{rule}");
        assert!(found.iter().all(|s| *s == severity), "{rule}: {found:?}");
    }
}
