//! What the bench's per-rule cost table rests on (`benches/support/rule_cost.rs`): a lint that
//! counts each rule's time finds what a plain lint finds, and its laps cover the lint without
//! overlap. Also: a lint with one rule left out (`--ignore RULE`) gives the lint with every
//! rule, less that rule's findings; the few rules whose findings stand in for another's are
//! listed, so that a new such tie is seen.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::diagnostic::Diagnostic;
use postlint::engine::{LintOptions, Linter};
use postlint::meta::Phase;
use postlint::rule_costs::{RuleCosts, Shared, Slot};
use postlint::source::SourceFile;

/// Every finding of a lint, in report order: what a left-out rule must not change.
type Found = Vec<Diagnostic>;

/// Rules whose findings stand in for others': left out, the others report what they held back
/// (an empty span inside a reported empty paragraph; an insecure link's mixed content).
const STANDS_IN_FOR: &[(&str, &[&str])] = &[
    ("empty-paragraph", &["empty-span", "unclosed-element"]),
    ("link-insecure", &["mixed-content"]),
];

fn linter_without(codes: &[&str]) -> Linter {
    linter(codes, None)
}

fn linter(codes: &[&str], rule_costs: Option<Arc<RuleCosts>>) -> Linter {
    let request = ConfigRequest {
        none: true,
        cli: CliRules {
            ignore: codes.iter().map(|code| code.to_string()).collect(),
            ..CliRules::default()
        },
        ..ConfigRequest::default()
    };
    let config = Config::load(&request, postlint::rules::REGISTRY).expect("registry codes");
    let options = LintOptions {
        rule_costs,
        ..LintOptions::default()
    };
    Linter::new(Arc::new(config), options)
}

fn found(linter: &Linter, files: &[(String, Arc<[u8]>)]) -> Found {
    let mut found = Found::new();
    for (name, bytes) in files {
        let file = SourceFile::in_memory(name.clone(), bytes.clone());
        let report = (linter.lint_file(file, Cursor::new(bytes.clone())))
            .expect("in-memory reads do not fail");
        found.extend(report.findings.iter().map(|f| f.diagnostic));
    }
    found
}

/// Every rule's own fixtures: each rule finds something in them.
fn rule_fixtures() -> Vec<(String, Arc<[u8]>)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let root = Path::new("fixtures/rules");
    for dir in std::fs::read_dir(root).expect("fixtures/rules") {
        let dir = dir.expect("a fixture folder").path();
        for file in std::fs::read_dir(&dir).expect("a fixture folder") {
            paths.push(file.expect("a fixture").path());
        }
    }
    paths.sort();
    (paths.into_iter())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a readable fixture");
            (path.display().to_string(), bytes.into())
        })
        .collect()
}

#[test]
fn leaving_a_rule_out_removes_its_findings_and_nothing_else() {
    let files = rule_fixtures();
    let all = found(&linter_without(&[]), &files);
    let post_rules = (postlint::rules::REGISTRY.iter())
        .filter(|meta| meta.enabled_by_default && meta.phase == Phase::Post);
    let mut seen_out = 0;
    let mut stands_in = Vec::new();
    for meta in post_rules {
        let expected: Found = (all.iter())
            .filter(|d| d.rule != meta.code)
            .cloned()
            .collect();
        // A rule that finds nothing here (its fixtures need a clock or a config) still must
        // not change the others' findings.
        if expected.len() < all.len() {
            seen_out += 1;
        }
        let without = found(&linter_without(&[meta.code]), &files);
        if without != expected {
            let mut changed: Vec<&str> = (without.iter().filter(|d| !expected.contains(d)))
                .chain(expected.iter().filter(|d| !without.contains(d)))
                .map(|d| d.rule)
                .collect();
            changed.sort();
            changed.dedup();
            stands_in.push((meta.code, changed));
        }
    }
    let listed: Vec<(&str, Vec<&str>)> = (STANDS_IN_FOR.iter())
        .map(|(rule, others)| (*rule, others.to_vec()))
        .collect();
    assert_eq!(
        stands_in, listed,
        "leaving these rules out changed those rules' findings"
    );
    assert!(
        seen_out > 30,
        "only {seen_out} rules were seen left out: the fixtures no longer exercise them"
    );
}

#[test]
fn counting_each_rules_time_changes_no_finding_and_covers_the_lint_once() {
    let files = rule_fixtures();
    let costs = Arc::new(RuleCosts::new(postlint::rules::REGISTRY.len()));
    let counting = linter(&[], Some(Arc::clone(&costs)));
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let start = std::time::Instant::now();
    let timed = one_thread.install(|| found(&counting, &files));
    let whole = start.elapsed();
    assert_eq!(timed, found(&linter(&[], None), &files));
    // Laps never overlap: on one thread they add up to no more than the lint.
    assert!(u128::from(costs.counted()) <= whole.as_nanos());
    let laps = |slot| costs.raw(slot).1;
    let post_rules = (postlint::rules::REGISTRY.iter().enumerate())
        .filter(|(_, meta)| meta.enabled_by_default && meta.phase == Phase::Post);
    for (i, meta) in post_rules {
        assert!(laps(Slot::Rule(i)) > 0, "{} was not timed", meta.code);
    }
    for shared in [Shared::PostView, Shared::Walk, Shared::Settle] {
        assert!(laps(Slot::Shared(shared)) > 0, "{shared:?} was not timed");
    }
}
