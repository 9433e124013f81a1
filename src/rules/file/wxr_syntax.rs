use crate::diagnostic::Diagnostic;
use crate::input::json::SyntaxError;
use crate::rule::{FileProblem, Rule};

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a WordPress export (WXR, the XML of Tools → Export) that WordPress's importer
    /// would not read whole: XML that is not well-formed (a mismatched end tag, a file cut off
    /// inside an `<item>`, a raw `<![CDATA[` inside a CDATA section, elements nested deeper
    /// than the XML reader goes), a prefix such as `wp:` that no `xmlns:wp` declares, a missing
    /// or invalid `<wp:wxr_version>`, an export saved in UTF-16, or XML that is no export at
    /// all.
    ///
    /// The posts and pages complete before the damage are still linted.
    ///
    /// ## Why it matters
    /// The importer stops at the first well-formedness error, so every post after it is
    /// silently left out of the migration; a file without a valid version is refused outright.
    ///
    /// ## Example
    /// An export cut off in the middle of an item:
    /// ```xml
    /// <item>
    ///   <title>Hello world</title>
    ///   <content:encoded><![CDATA[<p>Welcome
    /// ```
    /// Export the site again; a complete file ends with `</channel></rss>`.
    pub struct WxrSyntax {
        code: "wxr-syntax",
        severity: Error,
        summary: "The WXR export is not well-formed XML, or not an export WordPress's importer reads",
        phase: File,
        reads: ["file"],
    }
}

impl Rule for WxrSyntax {
    fn check_file(&self, problem: &FileProblem<'_>, out: &mut Vec<Diagnostic>) {
        match *problem {
            FileProblem::Wxr(error) => out.push(diagnostic(error)),
            FileProblem::TooLarge {
                at,
                limit,
                wxr: true,
            } => out.push(too_large(at, limit)),
            _ => {}
        }
    }
}

/// An item too large to hold (`--max-post-size`), starting at `at`: the rest of the export is
/// not read.
fn too_large(at: usize, limit: usize) -> Diagnostic {
    let message = format!(
        "an item from here on is larger than the limit of {}; the rest of the file is not linted",
        bytesize::ByteSize::b(limit as u64).display().iec()
    );
    Diagnostic::new(&WxrSyntax::META, at..at, message)
        .with_help("raise the limit with --max-post-size if the item is real")
}

/// A problem of a WXR file (`input::wxr`), at its bytes.
fn diagnostic(error: &SyntaxError) -> Diagnostic {
    let diagnostic = Diagnostic::new(&WxrSyntax::META, error.span.clone(), error.message.clone());
    match &error.help {
        Some(help) => diagnostic.with_help(help.clone()),
        None => diagnostic,
    }
}
