use crate::diagnostic::Diagnostic;
use crate::input::json::SyntaxError;
use crate::rule::{FileProblem, Rule};

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports text that is not valid JSON: a file cut off in the middle, a raw newline or other
    /// control character inside a string, a bad escape, a missing or extra comma.
    ///
    /// postlint keeps going: it recovers every field it can and lints what it recovered, so one
    /// damaged export still gets all its other findings.
    ///
    /// ## Why it matters
    /// Damaged JSON means the export, a plugin or a proxy lost part of the post. Other tools
    /// reject such a file outright or, worse, read a different post than the one published.
    ///
    /// ## Example
    /// A string with a raw line break, and a file that ends inside a string:
    /// ```json
    /// {"title":{"rendered":"Two
    /// lines"},"content":{"rendered":"<p>cut off her
    /// ```
    /// Write the line break as `\n`, and export the post again to restore its end.
    pub struct JsonSyntax {
        code: "json-syntax",
        severity: Error,
        summary: "The file is not valid JSON (cut off, raw control characters, bad escapes)",
        phase: File,
        reads: ["file"],
    }
}

impl Rule for JsonSyntax {
    fn check_file(&self, problem: &FileProblem<'_>, out: &mut Vec<Diagnostic>) {
        match *problem {
            FileProblem::JsonSyntax { error, base } => out.push(syntax_error(error, base)),
            FileProblem::TooLarge {
                at,
                limit,
                wxr: false,
            } => out.push(too_large(at, limit)),
            _ => {}
        }
    }
}

/// A syntax error found in a segment that starts at file offset `base`.
fn syntax_error(error: &SyntaxError, base: usize) -> Diagnostic {
    let span = base + error.span.start..base + error.span.end;
    let diagnostic = Diagnostic::new(&JsonSyntax::META, span, error.message.clone());
    match &error.help {
        Some(help) => diagnostic.with_help(help.clone()),
        None => diagnostic,
    }
}

/// A post too large to hold (`--max-post-size`), starting at `at`: the rest of the file is
/// not read.
fn too_large(at: usize, limit: usize) -> Diagnostic {
    let message = format!(
        "a post from here on is larger than the limit of {}; the rest of the file is not linted",
        bytesize::ByteSize::b(limit as u64).display().iec()
    );
    Diagnostic::new(&JsonSyntax::META, at..at, message)
        .with_help("raise the limit with --max-post-size if the post is real")
}
