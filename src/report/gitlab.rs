//! `--format gitlab`: GitLab's Code Quality report.

use serde_json::{Value, json};

use crate::diagnostic::Severity;
use crate::outcome::CheckOutcome;

pub fn render(outcome: &CheckOutcome) -> String {
    let issues: Vec<Value> = outcome
        .reports
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |f| {
                let d = &f.diagnostic;
                let post = d.post.as_ref().map(|p| format!("{:?}:{}", p.id, p.index)).unwrap_or_default();
                json!({
                    "type": "issue",
                    "description": d.message,
                    "check_name": d.rule,
                    "fingerprint": format!("{:016x}{:016x}", f.fingerprint, crate::diagnostic::fingerprint(&r.file.name, post.as_bytes())),
                    "severity": severity(d.severity),
                    "location": {
                        "path": r.file.name,
                        "positions": {
                            "begin": { "line": f.span.line, "column": f.span.column },
                            "end": { "line": f.span.end_line, "column": f.span.end_column },
                        }
                    }
                })
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&issues).expect("Code Quality values always serialize");
    text.push('\n');
    text
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}
