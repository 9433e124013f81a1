use std::sync::Arc;

use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, PostRef};
use crate::rule::Rule;
use crate::suppress::{Directive, Suppressions};

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

impl Rule for SuppressionWithoutReason {
    fn check_suppressions(
        &self,
        post: &PostContext<'_, '_>,
        suppressions: &Suppressions<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let without_reason = (suppressions.directives.iter()).filter(|(d, _)| d.reason.is_none());
        for (directive, _) in without_reason {
            out.push(without_reason_at(&post.post_ref, directive));
        }
    }
}

fn without_reason_at(post: &Arc<PostRef>, directive: &Directive) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &SuppressionWithoutReason::META,
        directive.comment.clone(),
        "this suppression gives no reason",
    )
    .with_label("no `-- reason`")
    .with_help("say why after `--`: `<!-- postlint-disable-next-line RULE -- why it is fine -->`");
    diagnostic.post = Some(post.clone());
    diagnostic.field = directive.field;
    diagnostic
}
