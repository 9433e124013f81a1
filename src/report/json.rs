//! `--format json`: one document, the contract editors and tools build on.
//! Its shape is in `schema/report.schema.json`; a field is only ever added, never renamed.

use serde::Serialize;

use crate::CheckOutcome;
use crate::diagnostic::{Finding, Fix, PostRef, Severity};
use crate::source::ResolvedSpan;

use super::Summary;
use super::posts::{by_post, edit_link};

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Posts with findings (and all posts when the run listed them), most to fix first.
    posts: Vec<JsonPost<'a>>,
}

#[derive(Serialize)]
struct JsonPost<'a> {
    file: &'a str,
    index: usize,
    id: Option<i64>,
    title: Option<String>,
    link: Option<String>,
    edit_link: Option<String>,
    errors: usize,
    warnings: usize,
    infos: usize,
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
    /// How `--fix` (safe) or `--unsafe-fixes` mends it: byte edits of the file.
    fix: Option<&'a Fix>,
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
            fix: diagnostic.fix.as_ref(),
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
        posts: by_post(outcome)
            .iter()
            .filter_map(|p| Some((p, p.post.as_ref()?)))
            .map(|(p, post)| JsonPost {
                file: p.file,
                index: post.index,
                id: post.id,
                title: post.title.clone(),
                link: post.link.clone(),
                edit_link: edit_link(post),
                errors: p.counts.errors,
                warnings: p.counts.warnings,
                infos: p.counts.infos,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("report types always serialize");
    text.push('\n');
    text
}
