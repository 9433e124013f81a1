//! Every rule against its fixtures in `fixtures/rules/<code>/`: `valid_*` must give no finding
//! of the rule, `invalid_*` must, and their findings are snapshotted with the exact text each
//! span covers in the file, so a reviewer sees what a user would be shown.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use postlint::config::{Config, ConfigRequest};
use postlint::diagnostic::Finding;
use postlint::engine::LintOptions;

fn rule_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("fixtures/rules")
        .expect("fixtures/rules")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn config_for(dir: &Path) -> Arc<Config> {
    let file = dir.join("postlint.toml");
    let request = ConfigRequest {
        file: file.exists().then_some(file),
        none: !dir.join("postlint.toml").exists(),
        start_dir: dir.to_path_buf(),
        ..ConfigRequest::default()
    };
    Arc::new(
        Config::load(&request, postlint::rules::REGISTRY)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display())),
    )
}

fn findings_of(rule: &str, path: &Path, config: Arc<Config>) -> Vec<Finding> {
    let outcome = postlint::check_with(&[path.to_path_buf()], config, LintOptions::default());
    outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .filter(|f| f.diagnostic.rule == rule)
        .collect()
}

fn cases(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("rule dir")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(prefix) && (n.ends_with(".json") || n.ends_with(".ndjson"))
            })
        })
        .collect();
    files.sort();
    files
}

fn render(bytes: &[u8], findings: &[Finding]) -> String {
    let text = |offset: usize, length: usize| {
        String::from_utf8_lossy(&bytes[offset..offset + length]).into_owned()
    };
    let mut out = String::new();
    for f in findings {
        let d = &f.diagnostic;
        out.push_str(&format!(
            "{}:{} {} `{}` {}\n",
            f.span.line,
            f.span.column,
            d.severity,
            text(f.span.offset, f.span.length),
            d.message
        ));
        for (label, span) in d.secondary.iter().zip(&f.secondary) {
            out.push_str(&format!(
                "    {}:{} `{}` {}\n",
                span.line,
                span.column,
                text(span.offset, span.length),
                label.message
            ));
        }
    }
    out
}

#[test]
fn every_rule_with_a_check_has_fixtures_both_ways() {
    let dirs: Vec<String> = rule_dirs()
        .iter()
        .filter_map(|d| d.file_name()?.to_str().map(str::to_owned))
        .collect();
    // Reported by the loader, the suppression pass or the link checker, and tested there.
    let elsewhere = [
        "invalid-utf8",
        "json-syntax",
        "not-a-post",
        "suppression-without-reason",
        "unused-suppression",
        "link-broken",
        "link-fragment-missing",
        "link-redirect",
        "link-soft-404",
        "link-unverifiable",
        "wxr-syntax",
    ];
    for rule in postlint::rules::ALL {
        let code = rule.meta().code;
        if elsewhere.contains(&code) {
            continue;
        }
        assert!(
            dirs.iter().any(|d| d == code),
            "fixtures/rules/{code} is missing"
        );
        let dir = Path::new("fixtures/rules").join(code);
        assert!(
            !cases(&dir, "valid_").is_empty(),
            "{code} has no valid_ fixture"
        );
        assert!(
            !cases(&dir, "invalid_").is_empty(),
            "{code} has no invalid_ fixture"
        );
    }
}

#[test]
fn valid_fixtures_stay_clean() {
    for dir in rule_dirs() {
        let rule = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let config = config_for(&dir);
        for case in cases(&dir, "valid_") {
            let found = findings_of(&rule, &case, config.clone());
            let bytes = std::fs::read(&case).expect("case");
            assert!(
                found.is_empty(),
                "{}:\n{}",
                case.display(),
                render(&bytes, &found)
            );
        }
    }
}

#[test]
fn invalid_fixtures_trigger_and_match_their_snapshots() {
    for dir in rule_dirs() {
        let rule = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        let config = config_for(&dir);
        for case in cases(&dir, "invalid_") {
            let found = findings_of(&rule, &case, config.clone());
            assert!(
                !found.is_empty(),
                "{} gives no {rule} finding",
                case.display()
            );
            let bytes = std::fs::read(&case).expect("case");
            let name = format!(
                "{rule}__{}",
                case.file_stem().and_then(|s| s.to_str()).expect("stem")
            );
            insta::assert_snapshot!(name, render(&bytes, &found));
        }
    }
}
