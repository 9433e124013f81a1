//! Reports, one file per format. A report only renders findings; it never runs a rule.

pub mod human;
pub mod json;
pub mod rules;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::engine::FileReport;

/// Totals over a run, shared by every format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub posts: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_rule: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for report in reports {
            summary.posts += report.posts;
            for finding in &report.findings {
                let diagnostic = &finding.diagnostic;
                match diagnostic.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
                *summary.by_rule.entry(diagnostic.rule).or_default() += 1;
            }
        }
        summary
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

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
