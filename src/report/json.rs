//! `--format json`: one document, the contract editors and tools build on.
//! Its shape is in `schema/report.schema.json`; a field is only ever added, never renamed.

use serde::Serialize;

use crate::diagnostic::{Finding, Fix, LinkDetails, PostRef, Severity};
use crate::outcome::CheckOutcome;
use crate::source::ResolvedSpan;

use super::Summary;
use super::posts::{Keep, by_post, edit_link};

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Diagnostics<'a>,
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
    /// The root URL of the post's site, which the site rules group posts by.
    site: Option<String>,
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
    /// What the link checker saw of the target (findings of `--links` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a LinkDetails>,
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
            fix: diagnostic.fix.as_deref(),
            link: diagnostic.link.as_deref(),
        }
    }
}

/// One finding as it is unpacked, serialized as a `JsonDiagnostic`.
struct Unpacked<'a> {
    file: &'a str,
    finding: Finding,
}

impl Serialize for Unpacked<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JsonDiagnostic::new(self.file, &self.finding).serialize(serializer)
    }
}

/// Every diagnostic of the run, serialized as the reports are walked rather than gathered
/// first: a run with a million findings does not hold a second copy of them.
struct Diagnostics<'a>(&'a [crate::outcome::FileReport]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|r| {
            r.findings.iter().map(|finding| Unpacked {
                file: &r.file.name,
                finding,
            })
        }))
    }
}

pub fn render(outcome: &CheckOutcome) -> String {
    let mut bytes = Vec::new();
    write(outcome, &mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Writes the report as it is serialized, so that its size never sits in memory.
pub fn write(outcome: &CheckOutcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let reports = &outcome.reports;
    let report = Report {
        version: REPORT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary::of(outcome),
        diagnostics: Diagnostics(reports),
        posts: by_post(outcome, Keep::Counts)
            .iter()
            .filter_map(|p| Some((p, p.post.as_ref()?)))
            .map(|(p, post)| JsonPost {
                file: p.file,
                index: post.index,
                id: post.id,
                title: post.title.clone(),
                link: post.link.clone(),
                edit_link: edit_link(post),
                site: post.site.clone(),
                errors: p.counts.errors,
                warnings: p.counts.warnings,
                infos: p.counts.infos,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
