//! `--format github`: workflow commands that GitHub turns into annotations on the pull request.
//! GitHub shows ten annotations of each level per step: the most severe come first, and a last
//! notice counts what did not fit.

use crate::diagnostic::{Finding, Severity};
use crate::outcome::CheckOutcome;

/// Annotations GitHub shows per level and step.
const SHOWN_PER_LEVEL: usize = 10;

pub fn render(outcome: &CheckOutcome) -> String {
    let mut all: Vec<(&str, Finding)> = outcome
        .reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r.file.name.as_str(), f)))
        .collect();
    // Stable: within a level, the order of the run.
    all.sort_by_key(|(_, f)| std::cmp::Reverse(f.diagnostic.severity));
    let mut out = String::new();
    let mut omitted = 0;
    let mut shown = [0usize; 3];
    for (file, finding) in &all {
        let level = finding.diagnostic.severity;
        let slot = &mut shown[level as usize];
        // One notice is kept for the count of what was left out.
        let limit = if level == Severity::Info {
            SHOWN_PER_LEVEL - 1
        } else {
            SHOWN_PER_LEVEL
        };
        if *slot >= limit {
            omitted += 1;
            continue;
        }
        *slot += 1;
        out.push_str(&command(file, finding));
    }
    if omitted > 0 {
        out.push_str(&format!(
            "::notice title=postlint::{}\n",
            escape_data(&format!(
                "{omitted} more findings are not shown as annotations (GitHub shows {SHOWN_PER_LEVEL} per level); see the full report"
            ))
        ));
    }
    out
}

fn command(file: &str, finding: &Finding) -> String {
    let d = &finding.diagnostic;
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let span = &finding.span;
    let mut message = d.message.to_string();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(file),
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        escape_property(d.rule),
        escape_data(&message)
    )
}

/// The message part: `%`, CR and LF are encoded.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_github_requires() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
