use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Severity, Text};
use crate::html::{Element, HtmlIndex};
use crate::rule::Rule;

use crate::rules::declare_rule;

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

/// The texts of a back-to-top link.
const UP_TEXTS: [&str; 10] = [
    "↑",
    "▲",
    "⬆",
    "top",
    "back to top",
    "arriba",
    "volver arriba",
    "subir",
    "nach oben",
    "haut de page",
];

/// A class or id that names the way up: `back-to-top`, `scrolltop`, `e-fas-arrow-up`,
/// `chevron-up`; by whole words, so that `hidden-desktop` or `topic` is none.
fn names_the_way_up(token: &str) -> bool {
    let words: Vec<&str> = token.split(['-', '_']).collect();
    let arrow_up = words
        .windows(2)
        .any(|pair| matches!(pair[0], "arrow" | "angle" | "chevron" | "caret") && pair[1] == "up");
    arrow_up
        || words
            .iter()
            .any(|w| matches!(*w, "top" | "totop" | "scrolltop" | "arriba"))
}

/// A back-to-top button: `href="#"` is its target, going to the top of the page is its job.
/// Known by its class or id, an up arrow icon inside it, or its words.
fn is_back_to_top(index: &HtmlIndex, element: &Element) -> bool {
    let marked = |e: &Element| {
        ["class", "id"].iter().any(|name| {
            index.attribute(e, name).is_some_and(|a| {
                let value = index.value(a).to_ascii_lowercase();
                value.split_ascii_whitespace().any(names_the_way_up)
            })
        })
    };
    let text = index.text_of(element);
    let words = text.trim().to_lowercase();
    if UP_TEXTS.contains(&words.as_str()) || marked(element) {
        return true;
    }
    // An icon-only link: an arrow inside it (bounded: an icon is a few elements).
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < element.content.start);
    words.is_empty()
        && index.elements[from..]
            .iter()
            .take_while(|e| e.start_tag.start < element.content.end)
            .take(16)
            .any(marked)
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
        "#" if is_back_to_top(index, element) => None,
        "#" => Some(Finding::error(
            "`href=\"#\"` goes nowhere but the top of the page",
        )),
        _ => None,
    }
}

/// An `<a>` with no `href` at all. It shows as plain text, so it is a lost link only where
/// something says a link was there: an attribute that only a link has (`target`, `rel`, …), a
/// button's class, or an address as its text. Otherwise nothing says it ever had a URL (a bare `<a>Del</a>`, a
/// dictionary's `<a title="griego">gr.</a>`): an info.
fn without_href(index: &HtmlIndex, element: &Element) -> Finding {
    let has = element.has;
    if !has.text && !has.media {
        return Finding {
            message: "an empty `<a>` with no `href`: readers see nothing (a leftover bookmark)"
                .into(),
            severity: Some(Severity::Info),
            help: "remove the empty `<a></a>`",
        };
    }
    if let Some(attribute) = LINK_ONLY
        .iter()
        .find(|name| index.attribute(element, name).is_some())
    {
        return Finding::error(format!(
            "`<a>` has no `href`, but a `{attribute}`, which only a link has: its URL was lost"
        ));
    }
    if is_button(index, element) {
        return Finding::error(
            "`<a>` is a button with no `href`: it looks clickable and does nothing",
        );
    }
    if looks_like_an_address(&index.text_of(element)) {
        return Finding::error(
            "`<a>` has no `href`, and its text is an address: the link was lost",
        );
    }
    let titled = index
        .attribute(element, "title")
        .is_some_and(|t| !index.value(t).trim().is_empty());
    if titled {
        return Finding {
            message: "`<a>` has no `href`, only a `title`: plain text with a tooltip, such as an \
                      abbreviation's meaning; no link was there"
                .into(),
            severity: Some(Severity::Info),
            help: "write `<abbr title=\"…\">` for an abbreviation, or remove the `<a>` tags",
        };
    }
    Finding {
        message: "`<a>` has no `href` and nothing that only a link has: it shows as plain text, \
                  and no link was there"
            .into(),
        severity: Some(Severity::Info),
        help: "remove the `<a>` tags and keep the text; if a link was meant, give it its URL",
    }
}

/// The attributes that only a link uses: on an `<a>` without `href`, the trace of a URL that
/// was lost (a pasted `<a target="_new" rel="noopener">`).
const LINK_ONLY: [&str; 6] = [
    "target",
    "rel",
    "download",
    "hreflang",
    "ping",
    "referrerpolicy",
];

/// A link styled as a button (a button block's `wp-block-button__link`, a theme's `btn`):
/// readers are invited to click it.
fn is_button(index: &HtmlIndex, element: &Element) -> bool {
    index.attribute(element, "class").is_some_and(|c| {
        index
            .value(c)
            .split_ascii_whitespace()
            .any(|class| class.contains("button") || class == "btn" || class.starts_with("btn-"))
    })
}

/// Text that is itself an address: an e-mail address or a web address, which readers would
/// expect to click.
fn looks_like_an_address(text: &str) -> bool {
    let text = text.trim();
    if text.contains(char::is_whitespace) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    let email = text
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
    email
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
}

struct Finding {
    message: Text,
    /// `None` where the rule's own severity applies.
    severity: Option<Severity>,
    help: &'static str,
}

impl Finding {
    fn error(message: impl Into<Text>) -> Self {
        Self {
            message: message.into(),
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
    ///   `href="#"` is still reported: its link was never set;
    /// - a back-to-top button with `href="#"` (a `top` or `back-to-top` class or id, an up
    ///   arrow icon alone in it, or "↑", "Top", "Back to top", "Volver arriba" as its text):
    ///   the top of the page is its target.
    ///
    /// An `<a>` without `href` shows as plain text. It is an error only where something says
    /// a link was there and lost its URL: an attribute only a link has (`target`, `rel`,
    /// `download`, `hreflang`, `ping`, `referrerpolicy`), a button's class (a button block
    /// whose URL was never set), or an e-mail or web address as its text. Otherwise it is an info that says no link was there, since a reader loses
    /// nothing:
    /// - an empty `<a></a>` without `href`: nothing shows (Word leaves these as bookmarks);
    /// - an `<a title="…">` without `href`: a pasted abbreviation or a dictionary's markup
    ///   (`<a title="griego o griega">gr.</a>`), whose meaning shows as a tooltip (`<abbr>` is
    ///   the element for it);
    /// - a bare `<a>` around text (`<a>Del</a>`): markup copied from another page, which
    ///   reads as the words it holds.
    ///
    /// ## Why it matters
    /// The text looks like a link (or was meant to be one) but clicking it does nothing or
    /// jumps to the top of the page. Usually the URL was lost when the post was pasted or
    /// imported.
    ///
    /// ## Example
    /// ```html
    /// <p>Read the <a target="_blank">joint statement</a>.</p>
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
