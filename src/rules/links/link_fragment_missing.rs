use std::collections::HashSet;
use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::links::page::{fragment_forms, names_an_id};
use crate::rule::{CheckedLink, Rule};

use crate::rules::declare_rule;
use crate::rules::helpers::fragments::provided_by_theme;

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

impl Rule for LinkFragmentMissing {
    fn check_link(&self, checked: &CheckedLink<'_>, out: &mut Vec<Diagnostic>) {
        let link = checked.link;
        let Some(fragment) = &link.fragment else {
            return;
        };
        let at = link.at.range.clone();
        if checked.result.fragments.get(fragment) == Some(&Some(false)) {
            out.push(Self::diagnostic(at.clone(), &link.url, fragment));
        }
        if let Some(anchors) = checked.run_page
            && !in_run_page(fragment, anchors)
        {
            out.push(Self::diagnostic(at, &link.url, fragment));
        }
    }
}

/// Whether a post of the run holds the place `fragment` names (in one of the forms browsers
/// try), or its theme provides it (`#comments`, `#more-12`). Fragments that name no element
/// are never missing.
fn in_run_page(fragment: &str, anchors: &HashSet<&str>) -> bool {
    let present = (fragment_forms(fragment).iter()).any(|form| anchors.contains(form.as_str()));
    !names_an_id(fragment) || present || provided_by_theme(fragment)
}

impl LinkFragmentMissing {
    /// The finding on the `href` value at `at`, whose page `url` holds no `fragment`.
    fn diagnostic(at: Range<usize>, url: &str, fragment: &str) -> Diagnostic {
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
