//! The rule registry is the one source of each rule's code, default severity, phase and whether
//! it runs by default; the docs `postlint explain` prints and the README's rule table agree with
//! it.

use postlint::config::{Config, Level};
use postlint::meta::Phase;
use postlint::report;
use postlint::rules;

#[test]
fn every_rule_documents_what_why_and_an_example() {
    for rule in rules::ALL {
        let meta = rule.meta();
        let doc = meta.doc_text();
        for heading in ["## What it does", "## Why it matters", "## Example"] {
            assert!(doc.contains(heading), "{} lacks `{heading}`", meta.code);
        }
        assert!(!meta.summary.is_empty(), "{}", meta.code);
        assert!(!meta.reads.is_empty(), "{}", meta.code);
    }
}

#[test]
fn codes_are_kebab_case_unique_and_sorted() {
    let codes: Vec<_> = rules::ALL.iter().map(|r| r.meta().code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    for code in codes {
        assert!(
            code.split('-').all(|w| !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{code}"
        );
        assert!(
            !code.starts_with("no-"),
            "{code}: name rules after what they flag"
        );
    }
}

#[test]
fn the_registry_lists_every_rule_once_in_the_order_of_all() {
    assert_eq!(rules::REGISTRY.len(), rules::ALL.len());
    for (meta, rule) in rules::REGISTRY.iter().zip(rules::ALL) {
        assert_eq!(meta.code, rule.meta().code);
        assert_eq!(meta.severity, rule.meta().severity, "{}", meta.code);
        assert_eq!(
            meta.enabled_by_default,
            rule.meta().enabled_by_default,
            "{}",
            meta.code
        );
    }
}

#[test]
fn default_severities_and_switches_come_from_the_registry() {
    let config = Config::builtin(rules::REGISTRY);
    let levels = config.rule_levels();
    assert_eq!(levels.len(), rules::REGISTRY.len());
    for (code, level, from) in levels {
        let meta = rules::REGISTRY
            .iter()
            .find(|meta| meta.code == code)
            .unwrap_or_else(|| panic!("{code} is not in the registry"));
        let expected = if meta.enabled_by_default {
            Level::On(meta.severity)
        } else {
            Level::Off
        };
        assert_eq!(level, expected, "{code}");
        assert_eq!(from, None, "{code}: a default is set by no file");
    }
}

/// Where the README's rule table is: from its header row to the first line that is not a row.
fn readme_rule_table(readme: &str) -> std::ops::Range<usize> {
    let start = readme
        .find("\n| code | default severity |")
        .map_or(readme.len(), |at| at + 1);
    let rows: usize = readme[start..]
        .split_inclusive('\n')
        .take_while(|line| line.starts_with('|'))
        .map(str::len)
        .sum();
    start..start + rows
}

/// The table comes from the registry: `POSTLINT_UPDATE_README=1` writes it into the README.
#[test]
fn readme_rule_table_is_the_registry() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let at = readme_rule_table(&readme);
    let expected = report::rules::markdown_table();
    if readme[at.clone()] == expected {
        return;
    }
    if std::env::var_os("POSTLINT_UPDATE_README").is_some() {
        let mut updated = readme.clone();
        updated.replace_range(at, &expected);
        // Renamed into place, so that the other tests never read half a README.
        std::fs::write("README.md.new", updated).expect("README.md.new written");
        std::fs::rename("README.md.new", "README.md").expect("README.md replaced");
        return;
    }
    let diff = similar::TextDiff::from_lines(&readme[at], &expected);
    panic!(
        "README.md's rule table differs from the registry; POSTLINT_UPDATE_README=1 rewrites it\n{}",
        diff.unified_diff().header("README.md", "registry")
    );
}

#[test]
fn readme_rule_table_is_found_whole() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let table = &readme[readme_rule_table(&readme)];
    assert_eq!(table.lines().count(), rules::ALL.len() + 2, "{table}");
    assert!(table.ends_with("|\n"), "{table}");
    let changed = readme.replacen("| `empty-title` | error |", "| `empty-title` | info |", 1);
    assert_ne!(
        &changed[readme_rule_table(&changed)],
        report::rules::markdown_table()
    );
}

#[test]
fn phases_match_what_the_rules_read() {
    for rule in rules::ALL {
        let meta = rule.meta();
        let whole_file = meta.reads == ["file"];
        assert_eq!(
            meta.phase == Phase::File,
            whole_file,
            "{}: a file-phase rule reads `file`, and only it",
            meta.code
        );
    }
    let phase = |code: &str| rules::find(code).map(|r| r.meta().phase);
    assert_eq!(phase("link-broken"), Some(Phase::Links));
    assert_eq!(phase("duplicate-slug"), Some(Phase::Site));
    assert_eq!(phase("stray-end-tag"), Some(Phase::Post));
}

#[test]
fn explain_states_the_phase() {
    let text = report::rules::explain("link-redirect").expect("a rule");
    assert!(text.contains("Phase: links."), "{text}");
    let text = report::rules::explain("duplicate-title").expect("a rule");
    assert!(text.contains("Phase: site."), "{text}");
}
