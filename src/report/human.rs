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
use crate::engine::FileReport;
use crate::source::{LineIndex, SourceFile};

use super::Summary;

/// Characters of the line shown on each side of a span.
const WINDOW_CHARS: usize = 60;
/// Context lines longer than this are left out rather than flooding the terminal.
const MAX_CONTEXT_LINE: usize = 160;
/// How much of the file's end is kept padded for labels at the end of the file.
const TAIL_BYTES: usize = 4096;

pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(reports: &[FileReport], style: &Style) -> String {
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
        let source = Snippets::new(&report.file);
        for finding in &report.findings {
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
        }
    }
    out.push_str(&Summary::of(reports).line());
    out.push('\n');
    out
}

/// One finding as miette sees it.
struct Shown<'a> {
    finding: &'a Finding,
    source: &'a Snippets<'a>,
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
        Some(Box::new(format!(
            "{}[{}]{}",
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
        let primary = LabeledSpan::new_primary_with_span(
            Some(
                diagnostic
                    .label
                    .clone()
                    .unwrap_or_else(|| "here".to_owned()),
            ),
            to_source_span(&diagnostic.range),
        );
        let secondary = diagnostic.secondary.iter().map(|label| {
            LabeledSpan::new_with_span(Some(label.message.clone()), to_source_span(&label.range))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn to_source_span(range: &std::ops::Range<usize>) -> SourceSpan {
    (range.start, range.end - range.start).into()
}

/// A file's text as miette reads it, in windows around each span.
struct Snippets<'a> {
    file: &'a SourceFile,
    lines: LineIndex,
    /// The end of the file plus one space, so a label at the very end (a file cut off) has a
    /// place to be drawn.
    padded_tail: Vec<u8>,
    tail_start: usize,
}

impl<'a> Snippets<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let bytes = &file.bytes;
        let mut tail_start = bytes.len().saturating_sub(TAIL_BYTES);
        while tail_start > 0 && is_continuation(bytes[tail_start]) {
            tail_start -= 1;
        }
        let mut padded_tail = bytes[tail_start..].to_vec();
        padded_tail.push(b' ');
        Self {
            file,
            lines: LineIndex::new(bytes),
            padded_tail,
            tail_start,
        }
    }

    /// The bytes of a window; one that ends at the end of the file gets the padding space.
    fn window_bytes(&self, start: usize, stop: usize) -> (&[u8], usize) {
        if stop == self.file.bytes.len() && start >= self.tail_start {
            (
                &self.padded_tail[start - self.tail_start..],
                stop - start + 1,
            )
        } else {
            (&self.file.bytes[start..stop], stop - start)
        }
    }

    /// The start of the window: at most `WINDOW_CHARS` characters before `offset`, on its line.
    fn window_start(&self, offset: usize) -> usize {
        let bytes = &self.file.bytes;
        let line_start = self.lines.line_start(self.lines.line_of(offset));
        let mut start = offset;
        let mut chars = 0;
        while start > line_start && chars < WINDOW_CHARS {
            start -= 1;
            if !is_continuation(bytes[start]) {
                chars += 1;
            }
        }
        start
    }

    /// The end of the window: at most `WINDOW_CHARS` characters after `offset`, on its line.
    fn window_end(&self, offset: usize) -> usize {
        let bytes = &self.file.bytes;
        let line_end = self.lines.line_end(self.lines.line_of(offset), bytes);
        let mut end = offset;
        let mut chars = 0;
        while end < line_end && (chars < WINDOW_CHARS || is_continuation(bytes[end])) {
            if !is_continuation(bytes[end]) {
                chars += 1;
            }
            end += 1;
        }
        end.max(offset)
    }

    /// Extends a window by up to `count` whole short lines before it.
    fn lines_before(&self, start: usize, count: usize) -> usize {
        let mut line = self.lines.line_of(start);
        let mut start = start;
        for _ in 0..count {
            if line == 0 || start != self.lines.line_start(line) {
                break;
            }
            let previous = line - 1;
            let text =
                self.lines.line_start(previous)..self.lines.line_end(previous, &self.file.bytes);
            if text.len() > MAX_CONTEXT_LINE {
                break;
            }
            line = previous;
            start = text.start;
        }
        start
    }

    /// Extends a window by up to `count` whole short lines after it.
    fn lines_after(&self, end: usize, count: usize) -> usize {
        let bytes = &self.file.bytes;
        let mut line = self.lines.line_of(end);
        let mut end = end;
        for _ in 0..count {
            if end != self.lines.line_end(line, bytes) || line + 1 >= self.lines.len() {
                break;
            }
            let next = line + 1;
            let text = self.lines.line_start(next)..self.lines.line_end(next, bytes);
            if text.len() > MAX_CONTEXT_LINE {
                break;
            }
            line = next;
            end = text.end;
        }
        end
    }
}

fn is_continuation(byte: u8) -> bool {
    (byte & 0xC0) == 0x80
}

impl SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let bytes = &self.file.bytes;
        let (offset, end) = (span.offset(), span.offset() + span.len());
        if end > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        // miette asks with no context for the `[file:line:col]` header: answer with the span
        // itself so the column is the span's own.
        let (start, stop) = if context_lines_before == 0 && context_lines_after == 0 {
            (offset, end)
        } else {
            let start = self.lines_before(self.window_start(offset), context_lines_before);
            let stop = self.lines_after(self.window_end(end), context_lines_after);
            (start, stop)
        };
        let at = self.lines.line_col(bytes, start);
        let line_count = self.lines.line_of(stop) - self.lines.line_of(start) + 1;
        let (data, len) = if context_lines_before == 0 && context_lines_after == 0 {
            (&bytes[start..stop], stop - start)
        } else {
            self.window_bytes(start, stop)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            data,
            (start, len).into(),
            at.line - 1,
            at.column - 1,
            line_count,
        )))
    }
}
