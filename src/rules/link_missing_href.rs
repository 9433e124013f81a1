use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::{Element, HtmlIndex};
use crate::rule::Rule;

use super::declare_rule;

/// An `<a>` that a page builder or a script uses as a control (the title of an accordion, a
/// tab or a toggle), which has no target by design.
fn is_widget(index: &HtmlIndex, element: &Element, has_href: bool) -> bool {
    let has = |name: &str| index.attribute(element, name).is_some();
    let role = index
        .attribute(element, "role")
        .map(|r| index.value(r).trim().to_ascii_lowercase());
    if matches!(
        role.as_deref(),
        Some("button" | "tab" | "menuitem" | "switch")
    ) {
        return true;
    }
    if has("data-toggle") || has("data-bs-toggle") || has("aria-controls") {
        return true;
    }
    // An Elementor button with `href="#"` is a button whose link was never set; without any
    // `href`, an Elementor class marks a widget's title.
    !has_href
        && index.attribute(element, "class").is_some_and(|c| {
            index
                .value(c)
                .split_ascii_whitespace()
                .any(|class| class.starts_with("elementor-"))
        })
}

/// What a reader is shown of a link that goes nowhere, and how much that matters.
fn finding(index: &HtmlIndex, element: &Element, value: &str, has_href: bool) -> Option<Finding> {
    let is_anchor_target =
        index.attribute(element, "id").is_some() || index.attribute(element, "name").is_some();
    if (!has_href && is_anchor_target) || is_widget(index, element, has_href) {
        return None;
    }
    if !has_href {
        return Some(without_href(index, element));
    }
    match value {
        "" => Some(Finding::error("`href` is empty: the link goes nowhere")),
        "#" => Some(Finding::error(
            "`href=\"#\"` goes nowhere but the top of the page",
        )),
        _ => None,
    }
}

/// An `<a>` with no `href` at all: a lost link, unless there is nothing to see or its `title`
/// says what it meant.
fn without_href(index: &HtmlIndex, element: &Element) -> Finding {
    let has = element.has;
    if !has.text && !has.media {
        return Finding {
            message: "an empty `<a>` with no `href`: readers see nothing (a leftover bookmark)",
            severity: Some(Severity::Info),
            help: "remove the empty `<a></a>`",
        };
    }
    let titled = index
        .attribute(element, "title")
        .is_some_and(|t| !index.value(t).trim().is_empty());
    if titled {
        return Finding {
            message: "`<a>` has no `href`, only a `title`: a tooltip, such as an abbreviation's \
                      meaning",
            severity: Some(Severity::Info),
            help: "write `<abbr title=\"…\">` for an abbreviation, or restore the link's URL",
        };
    }
    Finding::error("`<a>` has no `href`: the link goes nowhere")
}

struct Finding {
    message: &'static str,
    /// `None` where the rule's own severity applies.
    severity: Option<Severity>,
    help: &'static str,
}

impl Finding {
    fn error(message: &'static str) -> Self {
        Self {
            message,
            severity: None,
            help: "restore the link's URL, or remove the `<a>` and keep its text",
        }
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a link that goes nowhere: an `<a>` with no `href`, an empty or blank `href`, or
    /// `href="#"`.
    ///
    /// Not reported:
    /// - an `<a>` inside a code sample (`<pre>`, `<code>`): code such as a regular expression
    ///   (`/<a([^>]*)>/`) that was not escaped, not a link that lost its target;
    /// - an `<a id="…">` or `<a name="…">` without `href`: an anchor target, not a link;
    /// - an `<a>` that is a control, not a link: `role="button"`, `role="tab"`, `data-toggle`,
    ///   `data-bs-toggle` or `aria-controls` (a script handles the click), or, without `href`,
    ///   an Elementor class such as `elementor-accordion-title` or `elementor-tab-title` (page
    ///   builders write their accordion, tab and toggle titles so). An Elementor button with
    ///   `href="#"` is still reported: its link was never set.
    ///
    /// Reported as infos, since a reader loses nothing:
    /// - an empty `<a></a>` without `href`: nothing shows (Word leaves these as bookmarks);
    /// - an `<a title="…">` without `href`: a pasted abbreviation, whose meaning shows as a
    ///   tooltip (`<abbr>` is the element for it).
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
        summary: "A link with no target (no href, an empty one, or #); not a builder's accordion or tab title",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkMissingHref {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for link in post.links.iter().filter(|l| l.tag == "a") {
            if post.in_code_sample(link) {
                continue;
            }
            let index = &post.html[link.field].index;
            let element = &index.elements[link.element];
            let has_href = index.attribute(element, "href").is_some();
            let Some(finding) = finding(index, element, &link.value, has_href) else {
                continue;
            };
            let mut diagnostic = post
                .link_diagnostic(&Self::META, link, finding.message)
                .with_label("no target")
                .with_help(finding.help);
            if let Some(severity) = finding.severity {
                diagnostic = diagnostic.with_severity(severity);
            }
            out.push(diagnostic);
        }
    }
}
