use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::links::outcome::Outcome;
use crate::rule::{CheckedLink, Rule};

use crate::rules::declare_rule;
use crate::rules::helpers::archived::offering_archived_copy;

declare_rule! {
    /// ## What it does
    /// With `--links`, reports a link whose server says it works while the reader gets no
    /// page: a deep link (a path other than `/`) whose redirects end at the site's home page,
    /// or an answer 200 whose title says the page was not found ("Page not found", "404",
    /// "Página no encontrada", "Seite nicht gefunden", "ページが見つかりません", …). The title is
    /// read (at most the first 64 KiB) only when the checker already makes a `GET`: when
    /// `HEAD` is refused, or when the page is searched for a fragment. With an archived copy
    /// near the post's date, the help names it and an unsafe fix links it instead.
    ///
    /// ## Why it matters
    /// A status check calls these links fine, yet the reader lands on a home page or an error
    /// page: the content they were promised is gone.
    ///
    /// ## Example
    /// `https://example.org/2015/report` redirecting to `https://example.org/`.
    pub struct LinkSoft404 {
        code: "link-soft-404",
        severity: Warning,
        summary: "A link's target is gone though its server answers (home-page redirect, \"not found\" title)",
        phase: Links,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkSoft404 {
    fn check_link(&self, checked: &CheckedLink<'_>, out: &mut Vec<Diagnostic>) {
        if let Outcome::Soft404 { reason } = &checked.result.outcome {
            let at = checked.link.at.range.clone();
            let dead = Self::diagnostic(at, &checked.link.url, reason);
            out.push(offering_archived_copy(dead, checked));
        }
    }
}

impl LinkSoft404 {
    /// The finding on the `href`/`src` value at `at`, whose target `url` is a soft 404.
    fn diagnostic(at: Range<usize>, url: &str, reason: &str) -> Diagnostic {
        Diagnostic::new(&Self::META, at, format!("`{url}` looks gone: {reason}"))
            .with_label("soft 404")
            .with_help("find where the content moved, link an archived copy, or remove the link")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_why_the_page_looks_gone() {
        let found = LinkSoft404::diagnostic(3..20, "https://x.example/a", "it redirects home");
        assert_eq!(found.rule, "link-soft-404");
        assert_eq!(found.range, 3..20);
        assert_eq!(
            found.message,
            "`https://x.example/a` looks gone: it redirects home"
        );
        assert_eq!(found.label.as_deref(), Some("soft 404"));
    }
}
