use std::ops::Range;
use std::sync::Arc;

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, PostRef};
use crate::rule::Rule;
use crate::suppress::{Directive, Problem, ProblemKind, Suppressions, Use};

use crate::rules::declare_rule;

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
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for UnusedSuppression {
    fn check_suppressions(
        &self,
        post: &PostContext<'_, '_>,
        suppressions: &Suppressions<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        for problem in suppressions.problems {
            out.push(Self::wrong_comment(post, problem));
        }
        let unused = (suppressions.directives.iter()).filter(|(_, used)| *used == Use::Unused);
        for (directive, _) in unused {
            out.push(Self::unused(&post.post_ref, directive));
        }
    }

    fn check_waited_suppression(
        &self,
        post: &Arc<PostRef>,
        directive: &Directive,
        out: &mut Vec<Diagnostic>,
    ) {
        if directive.used == 0 {
            out.push(Self::unused(post, directive));
        }
    }
}

impl UnusedSuppression {
    fn unused(post: &Arc<PostRef>, directive: &Directive) -> Diagnostic {
        let mut diagnostic = Self::diagnostic(directive.comment.clone(), &directive.codes);
        diagnostic.post = Some(post.clone());
        diagnostic.field = directive.field;
        diagnostic
    }

    /// A comment that is no directive, or names no rule.
    fn wrong_comment(post: &PostContext<'_, '_>, problem: &Problem) -> Diagnostic {
        let field = &post.html[problem.field];
        let span = problem.span.clone();
        match &problem.kind {
            ProblemKind::NotADirective { word } => Self::unknown_directive(field, post, span, word),
            ProblemKind::UnknownRule { code, close } => {
                Self::unknown_rule(field, post, span, code, *close)
            }
        }
    }

    /// The finding on a suppression comment (at `comment` in the file) naming `codes` (none:
    /// every rule) that silenced nothing.
    fn diagnostic(comment: Range<usize>, codes: &[String]) -> Diagnostic {
        let what = if codes.is_empty() {
            "any rule".to_owned()
        } else {
            codes.join(", ")
        };
        Diagnostic::new(
            &Self::META,
            comment,
            format!("this suppression of {what} silences nothing"),
        )
        .with_label("unused")
        .with_help("remove the comment: nothing it names is reported where it applies")
    }

    /// The finding on a `postlint-WORD` comment (at `comment` in the field's HTML) whose `WORD`
    /// is no directive.
    fn unknown_directive(
        field: &HtmlField<'_, '_>,
        post: &PostContext<'_, '_>,
        comment: Range<usize>,
        word: &str,
    ) -> Diagnostic {
        field
            .diagnostic(
                &Self::META,
                post,
                comment,
                format!("`postlint-{word}` is not a postlint directive"),
            )
            .with_help("the directives are postlint-disable-next-line, postlint-disable, postlint-enable and postlint-disable-file")
    }

    /// The finding on a suppression comment (at `comment` in the field's HTML) naming `code`,
    /// which is no rule; `close` is a known code it may have meant.
    fn unknown_rule(
        field: &HtmlField<'_, '_>,
        post: &PostContext<'_, '_>,
        comment: Range<usize>,
        code: &str,
        close: Option<&str>,
    ) -> Diagnostic {
        let help = match close {
            Some(close) => format!("did you mean `{close}`?"),
            None => "`postlint rules` lists the rules".to_owned(),
        };
        field
            .diagnostic(
                &Self::META,
                post,
                comment,
                format!("this suppression names an unknown rule `{code}`"),
            )
            .with_help(help)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_the_comment_silences() {
        let codes = ["empty-span".to_owned(), "stray-end-tag".to_owned()];
        let found = UnusedSuppression::diagnostic(3..50, &codes);
        assert_eq!(found.rule, "unused-suppression");
        assert_eq!(found.range, 3..50);
        assert_eq!(
            found.message,
            "this suppression of empty-span, stray-end-tag silences nothing"
        );
        let every = UnusedSuppression::diagnostic(3..50, &[]);
        assert_eq!(
            every.message,
            "this suppression of any rule silences nothing"
        );
    }
}
