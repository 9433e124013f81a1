use std::collections::HashSet;

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

/// The ids and anchor names a link within the post can jump to.
fn targets(post: &PostContext<'_, '_>) -> HashSet<String> {
    let mut found = HashSet::new();
    for field in post.html.iter().filter(|f| f.kind != HtmlFieldKind::Title) {
        let index = &field.index;
        for element in &index.elements {
            for attribute in index.attributes_of(element) {
                let is_target = &*attribute.name == "id"
                    || (&*attribute.name == "name" && &*element.name == "a");
                if is_target {
                    found.insert(index.value(attribute).to_owned());
                }
            }
        }
    }
    found
}

/// Ids that themes put around every post, outside its content: a link to them works.
pub const THEME_IDS: [&str; 16] = [
    "top",
    "wrapper",
    "page",
    "content",
    "main",
    "primary",
    "main-content",
    "site-content",
    "masthead",
    "header",
    "footer",
    "colophon",
    "comments",
    "respond",
    "site-navigation",
    "secondary",
];

/// Fragments that are not ids at all, and links that scripts handle: `#!/route`,
/// `#elementor-action:…`, tab switchers (`data-toggle="tab"`), WordPress's `#more-123` (on the
/// single post page only) and footnote links of the footnotes block (rendered outside the
/// content).
fn not_an_id_link(fragment: &str, post: &PostContext<'_, '_>, link: &crate::links::Link) -> bool {
    if fragment.contains([':', '=', '/', '!'])
        || THEME_IDS.contains(&fragment.to_ascii_lowercase().as_str())
    {
        return true;
    }
    if fragment
        .strip_prefix("more-")
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return true;
    }
    let index = &post.html[link.field].index;
    let element = &index.elements[link.element];
    let scripted = [
        "data-toggle",
        "data-bs-toggle",
        "aria-controls",
        "data-tab",
        "data-target",
    ]
    .iter()
    .any(|a| index.attribute(element, a).is_some())
        || index
            .attribute(element, "role")
            .is_some_and(|r| index.value(r) == "tab");
    let footnote = element
        .parent
        .is_some_and(|p| index.attribute(&index.elements[p], "data-fn").is_some());
    scripted || footnote
}

declare_rule! {
    /// ## What it does
    /// Reports a link to a place in the post itself (`href="#methods"`, or the post's own
    /// `link` followed by `#methods`) when nothing in the post has `id="methods"` or
    /// `name="methods"`. Not reported: `#top` (browsers scroll to the top for it) and the ids
    /// themes put around every post (`#content`, `#comments`, …), fragments that are not ids
    /// (`#!/route`, `#elementor-action:…`), links that scripts handle (tabs with
    /// `data-toggle`), WordPress's `#more-123` and footnote links of the footnotes block.
    ///
    /// ## Why it matters
    /// The table of contents or footnote link does nothing: the heading it pointed at was
    /// renamed, or its id was stripped on import.
    ///
    /// ## Example
    /// ```html
    /// <a href="#methods">How we did it</a> … <h2>Methods</h2>
    /// ```
    /// Give the heading the id: `<h2 id="methods">Methods</h2>`.
    pub struct FragmentMissing {
        code: "fragment-missing",
        severity: Warning,
        summary: "A link to `#x` in the post, with no `id=\"x\"` in it",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for FragmentMissing {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let mut known: Option<HashSet<String>> = None;
        let own = post
            .post
            .link()
            .map(|l| l.split('#').next().unwrap_or(l).to_owned());
        for link in post.links.iter().filter(|l| l.is_anchor()) {
            let fragment = match link.fragment_only() {
                Some(fragment) => fragment.to_owned(),
                None => {
                    let Ok(url) = &link.target else { continue };
                    let Some(fragment) = url.fragment() else {
                        continue;
                    };
                    let mut page = url.clone();
                    page.set_fragment(None);
                    if own.as_deref() != Some(page.as_str()) {
                        continue;
                    }
                    fragment.to_owned()
                }
            };
            let decoded = percent_encoding_decode(&fragment);
            if decoded.is_empty() || not_an_id_link(&decoded, post, link) {
                continue;
            }
            let known = known.get_or_insert_with(|| targets(post));
            if known.contains(&decoded) || known.contains(&fragment) {
                continue;
            }
            out.push(
                post.link_diagnostic(&Self::META, link, format!("nothing in the post has `id=\"{decoded}\"`"))
                    .with_label("jumps nowhere")
                    .with_help(format!("add `id=\"{decoded}\"` to the element this link should jump to, or fix the link")),
            );
        }
    }
}

/// `%C3%A9` → `é`; anything that does not decode stays as written.
fn percent_encoding_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_owned(), |decoded| decoded.into_owned())
}
