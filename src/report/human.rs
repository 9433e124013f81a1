//! `--format human`: miette's graphical report, one block per finding, and a summary line.
//!
//! Posts are often a single line of many kilobytes, so the source shown is a window of the
//! offending line around the span, not the whole line.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use std::ops::Range;

use textwrap::core::display_width;

use crate::diagnostic::{Finding, PostRef, Severity};
use crate::outcome::CheckOutcome;
use crate::source::{LineCol, LineIndex, SourceFile, count_chars, is_continuation};

use super::decoded::{FieldText, FieldTexts};
use super::excerpt::{MAX_SHOWN_SPAN, Region, left_out, read_regions, shown_length, window};
use super::posts::{display_name, edit_link, is_fetched, status_badge};

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
    let handlers = Handlers::new(style);
    let mut out = String::new();
    for report in reports.iter().filter(|r| !r.findings.is_empty()) {
        write_report(report, &handlers, sink)?;
    }
    let summary = Summary::of(outcome);
    // A run that read nothing because of an error (an unknown post, a refused password) ends
    // with that error, not with a count of nothing.
    if summary.posts == 0 && summary.files == 0 && !outcome.input_errors.is_empty() {
        return sink.write_all(out.as_bytes());
    }
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
        // A note quotes the site (its name from its REST index): no escape reaches the terminal.
        out.push_str(&format!("site {}\n", printable(note)));
    }
    sink.write_all(out.as_bytes())
}

/// miette's handlers for a run: one wraps a finding's message and help to the width, the
/// other writes them as they are. A text that fits on its first line comes out of the line
/// breaking as it went in, so a finding whose texts all fit takes `plain`: the Unicode line
/// breaking (icu_segmenter, through textwrap) was most of a small post's report.
struct Handlers {
    wrapping: GraphicalReportHandler,
    plain: GraphicalReportHandler,
    /// The columns a message has after its indent, by severity (the icon's width counts).
    message_room: [usize; 3],
    /// The columns a help text has after `  help: `.
    help_room: usize,
}

impl Handlers {
    fn new(style: &Style) -> Self {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // What miette's renderer gives the texts it wraps: the width less two, less the
        // widest of the first line's indent and the next lines'.
        let width = style.width.saturating_sub(2);
        let characters = &theme.characters;
        let rest = display_width(&format!("  {} ", characters.vbar));
        let room = |indent: String| width.saturating_sub(display_width(&indent).max(rest));
        let message_room = [&characters.error, &characters.warning, &characters.advice]
            .map(|icon| room(format!("  {icon} ")));
        let help_room = width.saturating_sub(HELP_INDENT.len());
        let wrapping = GraphicalReportHandler::new_themed(theme)
            .with_width(style.width)
            .with_context_lines(1);
        Self {
            plain: wrapping.clone().with_wrap_lines(false),
            wrapping,
            message_room,
            help_room,
        }
    }

    /// `plain` when wrapping would leave the finding's message and help as they are.
    fn for_finding(&self, finding: &Finding) -> &GraphicalReportHandler {
        let diagnostic = &finding.diagnostic;
        let severity = match diagnostic.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        let help_fits = (diagnostic.help.as_deref()).is_none_or(|help| fits(help, self.help_room));
        if help_fits && fits(&diagnostic.message, self.message_room[severity]) {
            &self.plain
        } else {
            &self.wrapping
        }
    }
}

/// miette's indent of a help text's lines.
const HELP_INDENT: &str = "  help: ";

/// Whether textwrap's `fill` gives `text` back as it is on one line of `room` columns: not
/// blank (miette's unwrapped lines treat those apart), no trailing space (`fill` drops it),
/// no control character (no line break, no escape sequence), and as wide as the room at most.
/// Where its words break is then of no account: they all go on the first line.
fn fits(text: &str, room: usize) -> bool {
    !text.trim().is_empty()
        && !text.ends_with(' ')
        && !text.chars().any(char::is_control)
        && display_width(text) <= room
}

/// The findings of one file, one at a time.
fn write_report(
    report: &crate::outcome::FileReport,
    handlers: &Handlers,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // A site's answer read in this run: its findings are shown in their fields' text, placed
    // by post and field, as the editor will find them in WordPress.
    let mut fields = (is_fetched(&report.file) && !report.format.is_xml())
        .then(|| FieldTexts::new(&report.file));
    let mut post_shown: Option<usize> = None;
    let mut out = String::new();
    // The file is read back a batch of findings at a time: a file with findings all through
    // it is not held whole.
    let mut findings = report.findings.iter().peekable();
    while findings.peek().is_some() {
        let batch: Vec<Finding> = findings.by_ref().take(SNIPPET_BATCH).collect();
        let source = Snippets::new(&report.file.name, &report.file, &batch);
        for finding in &batch {
            let post = finding.diagnostic.post.as_deref();
            let in_field = match fields.as_mut() {
                Some(fields) => {
                    if post.map(|p| p.index) != post_shown {
                        post_shown = post.map(|p| p.index);
                        out.push_str(&post_heading(post));
                    }
                    // Only a finding in a field is inside one of its strings.
                    let in_field = finding.diagnostic.field.is_some();
                    in_field
                        .then(|| fields.holding(&finding_range(finding)))
                        .flatten()
                }
                None => None,
            };
            match in_field {
                Some(field) => {
                    let source = Snippets::in_field(post, finding, field);
                    render_finding(handlers, &mut out, finding, &source, Some(field));
                }
                None => render_finding(handlers, &mut out, finding, &source, None),
            }
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    Ok(())
}

/// One finding, rendered into `out` followed by a blank line.
fn render_finding(
    handlers: &Handlers,
    out: &mut String,
    finding: &Finding,
    source: &Snippets,
    field: Option<&FieldText>,
) {
    let shown = Shown {
        finding,
        source,
        field,
    };
    // Rendering into a String cannot fail but for a broken Display impl.
    if handlers
        .for_finding(finding)
        .render_report(out, &shown)
        .is_err()
    {
        let file = &source.name;
        out.push_str(&format!("{file}: {}\n", finding.diagnostic.message));
    }
    out.push('\n');
}

fn finding_range(finding: &Finding) -> Range<usize> {
    finding.span.offset..finding.span.offset + finding.span.length
}

/// `Post “Title” (draft) · edit: https://…/wp-admin/post.php?post=10&action=edit`: the post
/// the following findings of a site's answer are in.
fn post_heading(post: Option<&PostRef>) -> String {
    let Some(post) = post else {
        return format!("{}\n\n", display_name(None));
    };
    let mut line = format!("Post “{}”", printable(&display_name(Some(post))));
    if let Some(badge) = post.status.as_deref().and_then(status_badge) {
        line.push_str(&format!(" ({})", printable(badge)));
    }
    if let Some(edit) = edit_link(post) {
        line.push_str(&format!(" · edit: {edit}"));
    }
    line + "\n\n"
}

/// Text from a post safe on a terminal: control characters (an escape sequence in a title)
/// shown as `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// One finding as miette sees it.
struct Shown<'a> {
    finding: &'a Finding,
    source: &'a Snippets,
    /// The decoded field the finding is shown in, when it is shown in its field's text (the
    /// source then counts in that text's offsets, not the file's).
    field: Option<&'a FieldText>,
}

impl Shown<'_> {
    /// A range of the file as the source counts it: itself, or its place in the field's
    /// decoded text (`None` when the field does not hold it).
    fn range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        match self.field {
            Some(field) => field.local(range),
            None => Some(range.clone()),
        }
    }
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
        // In a field's text the post is named above its findings.
        let post = diagnostic.post.as_ref().filter(|_| self.field.is_none());
        let post = post.map(|post| match post.id {
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
        let range = self.range(&diagnostic.range)?;
        let (span, more) = self.source.shown(&range);
        let primary = LabeledSpan::new_primary_with_span(
            Some(diagnostic.label.as_deref().unwrap_or("here").to_owned() + &more),
            span,
        );
        // A further place outside the field (another field's text) is left out there.
        let secondary = diagnostic.secondary.iter().filter_map(|label| {
            let (span, more) = self.source.shown(&self.range(&label.range)?);
            Some(LabeledSpan::new_with_span(
                Some(label.message.to_string() + &more),
                span,
            ))
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

    /// The parts of a field's decoded text around a finding's labels, named by the post's
    /// title and the field, placed by line and column in the field.
    fn in_field(post: Option<&PostRef>, finding: &Finding, field: &FieldText) -> Self {
        let labels = std::iter::once(&finding.diagnostic.range)
            .chain(finding.diagnostic.secondary.iter().map(|l| &l.range));
        let mut local: Vec<Range<usize>> = labels.filter_map(|r| field.local(r)).collect();
        local.sort_unstable_by_key(|r| r.start);
        let positions = local
            .iter()
            .map(|r| (r.start, field.line_col(r.start)))
            .collect();
        let name = match finding.diagnostic.field {
            Some(path) => format!("“{}” {path}", printable(&display_name(post))),
            None => format!("“{}”", printable(&display_name(post))),
        };
        Self {
            name,
            regions: text_regions(field.text(), &local),
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

/// Bytes of a field's text kept around each label, as `read_regions` keeps of a file.
const FIELD_MARGIN: usize = 2048;

/// The parts of `text` around `labels` (sorted by start), neighbours merged, on character
/// boundaries; a part that reaches the end of the text gets the padding a `Region` has there.
fn text_regions(text: &[u8], labels: &[Range<usize>]) -> Vec<Region> {
    let mut merged: Vec<Range<usize>> = Vec::new();
    for label in labels {
        let shown = (label.end - label.start).min(MAX_SHOWN_SPAN);
        let mut start = label.start.saturating_sub(FIELD_MARGIN);
        while start > 0 && is_continuation(text[start]) {
            start -= 1;
        }
        let mut end = (label.start + shown + FIELD_MARGIN).min(text.len());
        while end < text.len() && is_continuation(text[end]) {
            end += 1;
        }
        match merged.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => merged.push(start..end),
        }
    }
    merged
        .into_iter()
        .map(|range| {
            let mut bytes = text[range.clone()].to_vec();
            let len = bytes.len();
            if range.end == text.len() {
                bytes.push(b' ');
            }
            Region {
                start: range.start,
                bytes,
                len,
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What miette's renderer does with a text it wraps: `fill` with these indents.
    fn filled(text: &str, width: usize, first: &str, rest: &str) -> String {
        let options = textwrap::Options::new(width)
            .initial_indent(first)
            .subsequent_indent(rest)
            .break_words(true);
        textwrap::fill(text, options)
    }

    proptest::proptest! {
        /// A text `fits` is one `fill` gives back whole after its indent, whatever the
        /// Unicode line breaking would make of its words (quotes, slashes, hyphens, wide and
        /// combining characters, runs of spaces).
        #[test]
        fn a_text_that_fits_comes_out_of_wrapping_as_it_went_in(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "word", " ", "  ", "-", "/", "(x)", "\"q\"", "’", "😀", "漢字", "e\u{301}",
                    "https://example.com/a-b", "`<a>`", ".", ",", ":", "\t", "\u{1b}[1m", "\n",
                ]),
                0..30,
            ),
            width in 0usize..60,
        ) {
            let text: String = words.concat();
            for (first, rest) in [("  × ", "  │ "), ("  ⚠ ", "  │ "), (HELP_INDENT, "        ")] {
                let room = width.saturating_sub(display_width(first).max(display_width(rest)));
                if fits(&text, room) {
                    proptest::prop_assert_eq!(filled(&text, width, first, rest), format!("{first}{text}"));
                }
            }
        }
    }

    #[test]
    fn only_texts_that_fit_on_their_line_are_left_unwrapped() {
        assert!(fits("`</a>` closes no link: its start tag was lost", 45));
        assert!(!fits("`</a>` closes no link: its start tag was lost", 44));
        assert!(!fits("two\nlines", 80));
        assert!(!fits("a trailing space ", 80));
        assert!(!fits("   ", 80));
        // Wide characters take two columns each.
        assert!(fits("漢字", 4) && !fits("漢字", 3));
    }

    #[test]
    fn rooms_are_the_width_less_miettes_indents() {
        let handlers = Handlers::new(&Style {
            color: false,
            width: 100,
        });
        assert_eq!(handlers.message_room, [94, 94, 94]);
        assert_eq!(handlers.help_room, 90);
    }
}
