use std::collections::HashSet;

use fnv::FnvHashMap;

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::visibility::Hidden;
use crate::html::{ElementId, is_heading};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::fragments::provided_by_theme;

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

/// Fragments that are not ids at all, and links that scripts handle: `#!/route`,
/// `#elementor-action:…`, tab switchers (`data-toggle="tab"`), WordPress's `#more-123` (on the
/// single post page only) and footnote links of the footnotes block (rendered outside the
/// content).
fn not_an_id_link(fragment: &str, post: &PostContext<'_, '_>, link: &crate::links::Link) -> bool {
    if fragment.contains([':', '=', '/', '!']) || provided_by_theme(fragment) {
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

/// A link in markup no reader sees (`display:none`, `hidden`, a widget Elementor hides on
/// every device): dead markup nobody can click, not a link that jumps nowhere. A link hidden
/// only from screen readers (`aria-hidden`) is still clicked, and still reported.
fn clicked_by_nobody(post: &PostContext<'_, '_>, link: &crate::links::Link) -> bool {
    let index = &post.html[link.field].index;
    index.hidden(&index.elements[link.element]) == Hidden::FromEveryone
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
    /// Nor the entries of a table-of-contents plugin's box (an element whose class or id names
    /// it: `ez-toc-container`, `toc_container`, `lwptoc`, `wp-block-rank-math-toc-block`,
    /// `table-of-contents`) when the post has at least as many headings as the box has
    /// entries: the plugin's script gives the headings their ids when the page loads, so the
    /// links work in the browser though the post's HTML has no such id.
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

// Not on the walk: it reads the post's links, and gathers the field's ids only once a link to
// a fragment needs them (most posts have none).
impl Rule for FragmentMissing {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let mut known: Option<HashSet<String>> = None;
        // Per table of contents (field, element): whether its plugin's script gives the
        // headings their ids.
        let mut tocs: FnvHashMap<(usize, ElementId), bool> = FnvHashMap::default();
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
            if decoded.is_empty()
                || not_an_id_link(&decoded, post, link)
                || clicked_by_nobody(post, link)
            {
                continue;
            }
            let known = known.get_or_insert_with(|| targets(post));
            if known.contains(&decoded) || known.contains(&fragment) {
                continue;
            }
            if let Some(toc) = table_of_contents(post, link) {
                let by_script = *tocs
                    .entry((link.field, toc))
                    .or_insert_with(|| ids_made_by_script(post, link.field, toc));
                if by_script {
                    continue;
                }
            }
            out.push(
                post.link_diagnostic(&Self::META, link, format!("nothing in the post has `id=\"{decoded}\"`"))
                    .with_label("jumps nowhere")
                    .with_help(format!("add `id=\"{decoded}\"` to the element this link should jump to, or fix the link")),
            );
        }
    }
}

/// How far up a link the search for its table of contents goes: a plugin's markup nests a
/// few lists deep.
const MAX_TOC_DEPTH: usize = 12;

/// The table of contents a link is in: the nearest element around it whose class or id names
/// one (`ez-toc-container`, `toc_container`, `lwptoc`, `wp-block-rank-math-toc-block`,
/// `table-of-contents`), as the plugins that write them name it.
fn table_of_contents(post: &PostContext<'_, '_>, link: &crate::links::Link) -> Option<ElementId> {
    let index = &post.html[link.field].index;
    let mut at = index.elements[link.element].parent;
    for _ in 0..MAX_TOC_DEPTH {
        let id = at?;
        let element = &index.elements[id];
        let named = ["class", "id"].iter().any(|name| {
            index.attribute(element, name).is_some_and(|a| {
                index
                    .value(a)
                    .split_ascii_whitespace()
                    .any(names_a_table_of_contents)
            })
        });
        if named {
            return Some(id);
        }
        at = element.parent;
    }
    None
}

/// `toc`, `ez-toc-list`, `toc_container`, `lwptoc`, `tocify`, `table-of-contents`.
fn names_a_table_of_contents(class: &str) -> bool {
    let class = class.to_ascii_lowercase();
    class.contains("table-of-contents")
        || class.contains("tableofcontents")
        || class
            .split(['-', '_'])
            .any(|part| part == "toc" || part.ends_with("toc") || part.starts_with("toc"))
}

/// Whether a table of contents is one whose plugin's script gives the headings their ids when
/// the page loads: the post has at least as many headings (outside it) as it has entries.
/// Its links work in the browser though no id is in the post's HTML.
fn ids_made_by_script(post: &PostContext<'_, '_>, field: usize, toc: ElementId) -> bool {
    let index = &post.html[field].index;
    let inside = index.elements[toc].content.clone();
    let within = |id: ElementId| {
        let start = index.elements[id].start_tag.start;
        inside.start <= start && start < inside.end
    };
    let entries = post
        .links
        .iter()
        .filter(|l| l.field == field && l.is_anchor() && l.value.contains('#') && within(l.element))
        .count();
    let headings = (index.elements.iter().enumerate())
        .filter(|(id, e)| is_heading(&e.name) && !within(*id))
        .count();
    entries > 0 && entries <= headings
}

/// `%C3%A9` → `é`; anything that does not decode stays as written.
fn percent_encoding_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_owned(), |decoded| decoded.into_owned())
}
