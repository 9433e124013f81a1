//! The rule registry is the one source of each rule's code, default severity and whether it
//! runs by default; the docs `postlint explain` prints and the README agree with it.

use postlint::config::{Config, Level};
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

#[test]
fn readme_rule_table_lists_every_rule() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    for rule in rules::ALL {
        let meta = rule.meta();
        let severity = if meta.enabled_by_default {
            meta.severity.to_string()
        } else {
            format!("{} (off by default)", meta.severity)
        };
        let row = format!("| `{}` | {severity} |", meta.code);
        assert!(
            readme.contains(&row),
            "README.md lacks the row for {}",
            meta.code
        );
    }
}
