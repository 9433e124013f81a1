use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::HtmlIndex;
use crate::rule::Rule;

use crate::rules::declare_rule;

/// The class Broken Link Checker gives a link it found dead, when it renders the post.
const BROKEN_LINK_CLASS: &str = "broken_link";

declare_rule! {
    /// ## What it does
    /// Reports a link the site's own broken-link plugin marked as dead: `class="broken_link"`,
    /// the mark Broken Link Checker adds when it renders a post whose link failed its last
    /// check. No request is made: the site already knows.
    ///
    /// It reads what the site rendered (`content.rendered`): the plugin adds the class as the
    /// page is served, so an export of the raw content never holds it.
    ///
    /// With `--links`, `link-broken` may report the same link from its own request: that
    /// finding says what the target answers now, this one what the plugin found and what
    /// readers may see (the plugin strikes such links through by default).
    ///
    /// ## Why it matters
    /// The link's target was gone when the plugin last checked: readers follow it to an error
    /// page, or see it struck through (the plugin's default style). The mark stays until someone edits the
    /// link or tells the plugin it works.
    ///
    /// ## Example
    /// ```html
    /// <a href="https://old.example.org/report" class="broken_link">the report</a>
    /// ```
    /// Point the link at the report's new address (or an archived copy), or unlink the text,
    /// then recheck it in the plugin.
    pub struct LinkMarkedBroken {
        code: "link-marked-broken",
        severity: Warning,
        summary: "A link the site's broken-link plugin marked as dead (`class=\"broken_link\"`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
        markup: Rendered,
    }
}

impl Rule for LinkMarkedBroken {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for link in post.links.iter().filter(|l| l.tag == "a") {
            let index = &post.html[link.field].index;
            if !is_marked_broken(index, &index.elements[link.element]) {
                continue;
            }
            out.push(
                post.link_diagnostic(
                    &Self::META,
                    link,
                    format!(
                        "the site's broken-link checker marked the link to `{}` as dead: it \
                         failed the plugin's last check",
                        shorten(&link.value)
                    ),
                )
                .with_label("marked broken")
                .with_help(
                    "point the link at the target's new address (or an archived copy), or \
                     unlink the text; then recheck it in the plugin",
                ),
            );
        }
    }
}

fn is_marked_broken(index: &HtmlIndex, element: &crate::html::Element) -> bool {
    index.attribute(element, "class").is_some_and(|class| {
        index
            .value(class)
            .split_ascii_whitespace()
            .any(|c| c == BROKEN_LINK_CLASS)
    })
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
