//! `--format json`: one document, the contract editors and tools build on.
//! Its shape is in `schema/report.schema.json`; a field is only ever added, never renamed.

use serde::Serialize;

use crate::CheckOutcome;
use crate::diagnostic::{Finding, PostRef, Severity};
use crate::source::ResolvedSpan;

use super::Summary;

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    post: Option<&'a PostRef>,
    field: Option<&'static str>,
    span: ResolvedSpan,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(file: &'a str, finding: &'a Finding) -> Self {
        let diagnostic = &finding.diagnostic;
        Self {
            rule: diagnostic.rule,
            severity: diagnostic.severity,
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            file,
            post: diagnostic.post.as_deref(),
            field: diagnostic.field,
            span: finding.span,
        }
    }
}

pub fn render(outcome: &CheckOutcome) -> String {
    let reports = &outcome.reports;
    let report = Report {
        version: REPORT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary::of(outcome),
        diagnostics: reports
            .iter()
            .flat_map(|r| {
                r.findings
                    .iter()
                    .map(|f| JsonDiagnostic::new(&r.file.name, f))
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("report types always serialize");
    text.push('\n');
    text
}
