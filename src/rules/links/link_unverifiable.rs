use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::links::outcome::Outcome;
use crate::rule::{CheckedLink, Rule};

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--links`, reports a link the checker could not verify: the site answered 401, 403
    /// or 429 (or another bot wall) even after retries, or the checker refused the target (a
    /// private or loopback address). It never claims the link is broken.
    ///
    /// ## Why it matters
    /// Someone should open the link in a browser: it may work for readers, or it may be gone.
    ///
    /// ## Example
    /// A news site that answers 403 to every request without a browser's cookies.
    pub struct LinkUnverifiable {
        code: "link-unverifiable",
        severity: Warning,
        summary: "A link's target could not be verified (401, 403, 429, bot walls, refused)",
        phase: Links,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkUnverifiable {
    fn check_link(&self, checked: &CheckedLink<'_>, out: &mut Vec<Diagnostic>) {
        if let Outcome::Unverifiable { reason } = &checked.result.outcome {
            let at = checked.link.at.range.clone();
            out.push(Self::diagnostic(at, &checked.link.url, reason));
        }
    }
}

impl LinkUnverifiable {
    /// The finding on the `href`/`src` value at `at`, whose target `url` could not be checked.
    fn diagnostic(at: Range<usize>, url: &str, reason: &str) -> Diagnostic {
        Diagnostic::new(
            &Self::META,
            at,
            format!("`{url}` could not be verified: {reason}"),
        )
        .with_label("not verified")
        .with_help("open it in a browser to see whether it works for readers")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_why_and_claims_nothing_broken() {
        let found = LinkUnverifiable::diagnostic(7..30, "https://example.org/x", "403 Forbidden");
        assert_eq!(found.rule, "link-unverifiable");
        assert_eq!(found.range, 7..30);
        assert_eq!(
            found.message,
            "`https://example.org/x` could not be verified: 403 Forbidden"
        );
        assert_eq!(found.label.as_deref(), Some("not verified"));
        assert!(found.fix.is_none());
    }
}
