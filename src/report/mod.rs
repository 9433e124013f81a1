//! Reports, one file per format. A report only renders findings; it never runs a rule.

pub mod align;
pub mod decoded;
pub mod excerpt;
pub mod formats;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod posts;
pub mod rdjson;
pub mod rendered;
pub mod rules;
pub mod sarif;
pub mod snippets;
pub mod statistics;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::outcome::CheckOutcome;

/// Totals over a run, shared by every format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub posts: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
    /// Findings `--fix` would mend, and those only `--unsafe-fixes` would.
    pub fixable: usize,
    pub unsafe_fixable: usize,
    /// What the site phase inferred per site (the usual UTC offset of its posts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
}

impl Summary {
    pub fn of(outcome: &CheckOutcome) -> Self {
        let reports = &outcome.reports;
        let mut summary = Summary {
            files: reports.len(),
            sites: outcome.site_notes.clone(),
            ..Summary::default()
        };
        for report in reports {
            summary.posts += report.posts;
            for finding in &report.findings {
                summary.count(&finding.diagnostic);
            }
        }
        summary
    }

    /// Counts one finding.
    pub fn count(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        *self.by_rule.entry(diagnostic.rule).or_default() += 1;
        match diagnostic.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => self.fixable += 1,
            Some(Applicability::Unsafe) => self.unsafe_fixable += 1,
            None => {}
        }
    }

    /// Adds the counts of another part of the run (its posts and findings; not its files or
    /// sites, which are the run's).
    pub fn add(&mut self, other: Summary) {
        self.posts += other.posts;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        for (rule, count) in other.by_rule {
            *self.by_rule.entry(rule).or_default() += count;
        }
        self.fixable += other.fixable;
        self.unsafe_fixable += other.unsafe_fixable;
    }

    /// `3 errors, 1 warning in 2 posts (2 files)`; infos are named only when there are some.
    pub fn line(&self) -> String {
        let mut counts = vec![
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
        ];
        if self.infos > 0 {
            counts.push(plural(self.infos, "info", "infos"));
        }
        format!(
            "{} in {} ({})",
            counts.join(", "),
            plural(self.posts, "post", "posts"),
            plural(self.files, "file", "files")
        )
    }
}

/// `1 post`, `2 posts`.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
