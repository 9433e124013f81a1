//! The rule registry, the docs `postlint explain` prints and `rules/default.toml` agree.

use postlint::diagnostic::Severity;
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
fn default_pack_lists_every_rule_once_with_its_severity() {
    let text = std::fs::read_to_string("rules/default.toml").expect("rules/default.toml");
    let pack: toml::Table = text.parse().expect("valid TOML");
    let listed = pack["rules"].as_table().expect("[rules.*] tables");
    assert_eq!(listed.len(), rules::ALL.len());
    for rule in rules::ALL {
        let meta = rule.meta();
        let entry = listed
            .get(meta.code)
            .unwrap_or_else(|| panic!("{} missing from default.toml", meta.code));
        if entry["severity"].as_str() == Some("off") {
            assert!(
                !meta.enabled_by_default,
                "{} is off in default.toml only",
                meta.code
            );
            continue;
        }
        assert!(
            meta.enabled_by_default,
            "{} is off by default, not in default.toml",
            meta.code
        );
        let severity: Severity = entry["severity"].clone().try_into().expect("a severity");
        assert_eq!(severity, meta.severity, "{}", meta.code);
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
