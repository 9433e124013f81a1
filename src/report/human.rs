//! `--format human`: miette's graphical report, one block per finding, and a summary line.
//!
//! Posts are often a single line of many kilobytes, so the source shown is a window of the
//! offending line around the span, not the whole line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Finding, Severity};
use crate::outcome::CheckOutcome;
use crate::source::{LineCol, LineIndex, SourceFile, count_chars};

use super::excerpt::{MAX_SHOWN_SPAN, Region, left_out, read_regions, shown_length, window};

use super::Summary;

/// Findings whose excerpts are read back from the file at once.
const SNIPPET_BATCH: usize = 256;

pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(outcome: &CheckOutcome, style: &Style) -> String {
    let mut bytes = Vec::new();
    write(outcome, style, &mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the report is UTF-8")
}

/// Writes the report one finding at a time, so that its size never sits in memory.
pub fn write(
    outcome: &CheckOutcome,
    style: &Style,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let reports = &outcome.reports;
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1);
    let mut out = String::new();
    for report in reports.iter().filter(|r| !r.findings.is_empty()) {
        // The file is read back a batch of findings at a time: a file with findings all
        // through it is not held whole.
        let mut findings = report.findings.iter().peekable();
        while findings.peek().is_some() {
            let batch: Vec<Finding> = findings.by_ref().take(SNIPPET_BATCH).collect();
            let source = Snippets::new(&report.file.name, &report.file, &batch);
            for finding in &batch {
                let shown = Shown {
                    finding,
                    source: &source,
                };
                // Rendering into a String cannot fail but for a broken Display impl.
                if handler.render_report(&mut out, &shown).is_err() {
                    out.push_str(&format!(
                        "{}: {}\n",
                        report.file.name, finding.diagnostic.message
                    ));
                }
                out.push('\n');
                sink.write_all(out.as_bytes())?;
                out.clear();
            }
        }
    }
    let summary = Summary::of(outcome);
    out.push_str(&summary.line());
    out.push('\n');
    match (summary.fixable, summary.unsafe_fixable) {
        (0, 0) => {}
        (safe, 0) => out.push_str(&format!("{safe} fixable with `--fix`\n")),
        (safe, risky) => out.push_str(&format!(
            "{safe} fixable with `--fix`, {risky} more with `--unsafe-fixes`\n"
        )),
    }
    for note in &summary.sites {
        out.push_str(&format!("site {note}\n"));
    }
    sink.write_all(out.as_bytes())
}

/// One finding as miette sees it.
struct Shown<'a> {
    finding: &'a Finding,
    source: &'a Snippets,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.diagnostic.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.diagnostic.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let diagnostic = &self.finding.diagnostic;
        let post = diagnostic.post.as_ref().map(|post| match post.id {
            Some(id) => format!(" (post {}, id {id})", post.index),
            None => format!(" (post {})", post.index),
        });
        let fixable = match diagnostic.fix.as_ref().map(|f| f.applicability) {
            Some(crate::diagnostic::Applicability::Safe) => " [fixable]",
            Some(crate::diagnostic::Applicability::Unsafe) => " [fixable with --unsafe-fixes]",
            None => "",
        };
        Some(Box::new(format!(
            "{}[{}]{}{fixable}",
            diagnostic.severity,
            diagnostic.rule,
            post.unwrap_or_default()
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.finding.diagnostic.help.as_ref()?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let diagnostic = &self.finding.diagnostic;
        let (span, more) = self.source.shown(&diagnostic.range);
        let primary = LabeledSpan::new_primary_with_span(
            Some(diagnostic.label.as_deref().unwrap_or("here").to_owned() + &more),
            span,
        );
        let secondary = diagnostic.secondary.iter().map(|label| {
            let (span, more) = self.source.shown(&label.range);
            LabeledSpan::new_with_span(Some(label.message.to_string() + &more), span)
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// The parts of a file around its findings, read back from the file, as miette reads them.
struct Snippets {
    name: String,
    /// Disjoint, in file order.
    regions: Vec<Region>,
    /// The line and column of every label's start, in offset order.
    positions: Vec<(usize, LineCol)>,
}

impl Snippets {
    fn new(name: &str, file: &SourceFile, findings: &[Finding]) -> Self {
        let mut positions: Vec<(usize, LineCol)> = findings
            .iter()
            .flat_map(|f| std::iter::once(&f.span).chain(&f.secondary))
            .map(|span| {
                let at = LineCol {
                    line: span.line,
                    column: span.column,
                };
                (span.offset, at)
            })
            .collect();
        positions.sort_unstable();
        positions.dedup_by_key(|(offset, _)| *offset);
        Self {
            name: name.to_owned(),
            regions: read_regions(file, findings),
            positions,
        }
    }

    fn position(&self, offset: usize) -> Option<LineCol> {
        let i = self
            .positions
            .binary_search_by_key(&offset, |(o, _)| *o)
            .ok()?;
        Some(self.positions[i].1)
    }

    /// The part of a label's range the report shows, and words saying what is left out.
    fn shown(&self, range: &std::ops::Range<usize>) -> (SourceSpan, String) {
        let length = range.end - range.start;
        let Some(region) = self.region(range.start..range.start + length.min(MAX_SHOWN_SPAN))
        else {
            return (
                (range.start, length.min(MAX_SHOWN_SPAN)).into(),
                String::new(),
            );
        };
        let text = &region.bytes[..region.len];
        let (shown, cut) = shown_length(text, region.start, range.start, length);
        let more = if cut {
            format!(" ({})", left_out(length, shown))
        } else {
            String::new()
        };
        ((range.start, shown).into(), more)
    }

    fn region(&self, range: std::ops::Range<usize>) -> Option<&Region> {
        let i = self
            .regions
            .partition_point(|r| r.start <= range.start)
            .checked_sub(1)?;
        let region = &self.regions[i];
        (range.end <= region.start + region.len).then_some(region)
    }
}

impl SourceCode for Snippets {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let (offset, end) = (span.offset(), span.offset() + span.len());
        let region = self.region(offset..end).ok_or(MietteError::OutOfBounds)?;
        let at = self.position(offset).ok_or(MietteError::OutOfBounds)?;
        let (local, local_end) = (offset - region.start, end - region.start);
        // With no context miette wants the `[file:line:col]` of the label itself.
        if context_lines_before == 0 && context_lines_after == 0 {
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &region.bytes[local..local_end],
                *span,
                at.line - 1,
                at.column - 1,
                1,
            )));
        }
        let (start, stop, lines_before) = window(
            region,
            local,
            local_end,
            context_lines_before,
            context_lines_after,
        );
        let stop = if stop == region.len {
            region.bytes.len()
        } else {
            stop
        };
        let (line, column) = if lines_before == 0 {
            let skipped = count_chars(&region.bytes[start..local]);
            (at.line - 1, at.column - 1 - skipped)
        } else {
            (at.line - 1 - lines_before, 0)
        };
        let data = &region.bytes[start..stop];
        let line_count = LineIndex::new(data).len();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            (region.start + start, stop - start).into(),
            line,
            column,
            line_count,
        )))
    }
}
