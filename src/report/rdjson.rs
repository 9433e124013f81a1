//! `--format rdjson`: reviewdog's diagnostic format.

use serde_json::{Value, json};

use crate::diagnostic::Severity;
use crate::outcome::CheckOutcome;

pub fn render(outcome: &CheckOutcome) -> String {
    let diagnostics: Vec<Value> = outcome
        .reports
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |f| {
                let d = &f.diagnostic;
                let s = &f.span;
                json!({
                    "message": d.message,
                    "location": {
                        "path": r.file.name,
                        "range": {
                            "start": { "line": s.line, "column": s.column },
                            "end": { "line": s.end_line, "column": s.end_column },
                        }
                    },
                    "severity": severity(d.severity),
                    "code": { "value": d.rule },
                })
            })
        })
        .collect();
    let report = json!({
        "source": { "name": "postlint", "url": "https://github.com/postlint/postlint" },
        "diagnostics": diagnostics,
    });
    let mut text = serde_json::to_string_pretty(&report).expect("rdjson values always serialize");
    text.push('\n');
    text
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}
