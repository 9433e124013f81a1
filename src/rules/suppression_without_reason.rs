use crate::meta::RuleMeta;
use crate::rule::Rule;

use super::declare_rule;

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
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
