use crate::meta::RuleMeta;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `postlint-disable…` comment that silences nothing: no finding of the rules
    /// it names is where it applies, or it names a rule that does not exist, or its directive
    /// is misspelt.
    ///
    /// ## Why it matters
    /// A stale suppression hides the next real problem at that place, and one with a typo in
    /// its rule code never worked at all.
    ///
    /// ## Example
    /// ```html
    /// <!-- postlint-disable-next-line empty-span -- legacy markup -->
    /// <p>No empty span here any more.</p>
    /// ```
    /// Remove the comment.
    pub struct UnusedSuppression {
        code: "unused-suppression",
        severity: Warning,
        summary: "A postlint-disable comment silences nothing (or names no rule)",
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
