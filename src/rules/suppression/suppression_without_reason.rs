use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `postlint-disable…` comment in a post that gives no reason after `--`.
    ///
    /// ## Why it matters
    /// A silenced finding without a reason cannot be reviewed: nobody can tell later whether
    /// the problem was judged harmless or only hidden. The suppression still applies.
    ///
    /// ## Example
    /// ```html
    /// <!-- postlint-disable-next-line empty-span -->
    /// ```
    /// Write the reason after `--`:
    /// ```html
    /// <!-- postlint-disable-next-line empty-span -- pasted from the wire, fix tracked in EDIT-12 -->
    /// ```
    pub struct SuppressionWithoutReason {
        code: "suppression-without-reason",
        severity: Warning,
        summary: "A postlint-disable comment gives no reason",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for SuppressionWithoutReason {}

impl SuppressionWithoutReason {
    /// The finding on a suppression comment (at `comment` in the file) without a reason.
    pub fn diagnostic(comment: Range<usize>) -> Diagnostic {
        Diagnostic::new(&Self::META, comment, "this suppression gives no reason")
            .with_label("no `-- reason`")
            .with_help(
                "say why after `--`: `<!-- postlint-disable-next-line RULE -- why it is fine -->`",
            )
    }
}
