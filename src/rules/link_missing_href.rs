use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a link that goes nowhere: an `<a>` with no `href`, an empty or blank `href`, or
    /// `href="#"`. An `<a id="…">` or `<a name="…">` without `href` is an anchor target, not a
    /// link, and is not reported.
    ///
    /// ## Why it matters
    /// The text looks like a link (or was meant to be one) but clicking it does nothing or
    /// jumps to the top of the page. Usually the URL was lost when the post was pasted or
    /// imported.
    ///
    /// ## Example
    /// ```html
    /// <p>Read the <a>joint statement</a>.</p>
    /// ```
    /// Restore the target: `<a href="https://…">joint statement</a>`.
    pub struct LinkMissingHref {
        code: "link-missing-href",
        severity: Error,
        summary: "A link with no target (no href, an empty one, or #)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkMissingHref {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for link in post.links.iter().filter(|l| l.tag == "a") {
            let index = &post.html[link.field].index;
            let element = &index.elements[link.element];
            let has_href = index.attribute(element, "href").is_some();
            let is_anchor_target = index.attribute(element, "id").is_some()
                || index.attribute(element, "name").is_some();
            let message = match link.value.as_str() {
                _ if !has_href && is_anchor_target => continue,
                _ if !has_href => "`<a>` has no `href`: the link goes nowhere",
                "" => "`href` is empty: the link goes nowhere",
                "#" => "`href=\"#\"` goes nowhere but the top of the page",
                _ => continue,
            };
            out.push(
                post.link_diagnostic(&Self::META, link, message)
                    .with_label("no target")
                    .with_help("restore the link's URL, or remove the `<a>` and keep its text"),
            );
        }
    }
}
