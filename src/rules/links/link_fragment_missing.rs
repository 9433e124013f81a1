use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--links`, reports a link to a place in another page (`https://x.example/page#section`)
    /// whose page holds no `id="section"` nor `<a name="section">`. The page is fetched with
    /// `GET` (HTML only, at most 4 MiB, read as it streams and no further than the last
    /// fragment found), once however many links point into it; a page that could not be read
    /// to its end is not judged. A link into a post of the same run is checked against that
    /// post without the network. Links within the post are `fragment-missing`'s.
    ///
    /// ## Why it matters
    /// The reader lands at the top of a long page instead of the part the link promised.
    ///
    /// ## Example
    /// `<a href="https://example.org/guide#install">` when the guide's sections are now
    /// `#installation`.
    pub struct LinkFragmentMissing {
        code: "link-fragment-missing",
        severity: Warning,
        summary: "A link's `#fragment` names no id or anchor of the page it points to",
        phase: Links,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkFragmentMissing {}

impl LinkFragmentMissing {
    /// The finding on the `href` value at `at`, whose page `url` holds no `fragment`.
    pub fn diagnostic(at: Range<usize>, url: &str, fragment: &str) -> Diagnostic {
        Diagnostic::new(
            &Self::META,
            at,
            format!("`{url}` has no `id` or anchor named `{fragment}`"),
        )
        .with_label("no such place")
        .with_help("link a section the page has, or the page itself without `#…`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_page_and_the_fragment() {
        let found = LinkFragmentMissing::diagnostic(0..9, "https://x.example/p", "intro");
        assert_eq!(found.rule, "link-fragment-missing");
        assert_eq!(
            found.message,
            "`https://x.example/p` has no `id` or anchor named `intro`"
        );
    }
}
