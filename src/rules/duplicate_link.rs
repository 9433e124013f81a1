use fnv::FnvHashMap;

use crate::context::PostContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::html::{Element, HtmlIndex};
use crate::links::normalized;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

/// Link text that only invites to open what the link beside it already names.
const READ_MORE: [&str; 14] = [
    "read more",
    "more",
    "continue reading",
    "read the rest",
    "leer más",
    "seguir leyendo",
    "weiterlesen",
    "lire la suite",
    "leggi tutto",
    "続きを読む",
    "阅读更多",
    "selengkapnya",
    "baca selengkapnya",
    "xem thêm",
];

/// A "Read more" link of a card or an excerpt, or a button (a file block's Download): by its
/// class (`more-link` is WordPress's own), its `download` attribute, or its words.
fn is_read_more(index: &HtmlIndex, element: &Element) -> bool {
    let class = index
        .attribute(element, "class")
        .map(|c| index.value(c).to_ascii_lowercase())
        .unwrap_or_default();
    let is_button = class.contains("button") || index.attribute(element, "download").is_some();
    if is_button
        || class.contains("more-link")
        || class.contains("read-more")
        || class.contains("readmore")
    {
        return true;
    }
    // Trimming removes only trim characters, and lower-casing never makes fewer characters:
    // a text with more other characters than the longest phrase cannot be one. Most link
    // texts are told apart so, without being copied.
    let longest = READ_MORE
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0);
    let other_chars: usize = index
        .texts_in(element.content.clone())
        .iter()
        .map(|t| index.text(t).chars().filter(|&c| !is_trimmed(c)).count())
        .sum();
    if other_chars > longest {
        return false;
    }
    let text = index.text_of(element);
    let words = text.trim_matches(is_trimmed).to_lowercase();
    READ_MORE.contains(&words.as_str())
}

/// What is trimmed around a "read more" text: whitespace, ellipses and arrows.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || "…».→>".contains(c)
}

declare_rule! {
    /// ## What it does
    /// Reports a link to a target the post already linked. Targets are compared the way a
    /// reader would see them: scheme and host in any case, the default port, tracking
    /// parameters (`utm_*`, `fbclid`, `gclid`) and a trailing slash make no difference; the
    /// fragment does (`#a` and `#b` are different places). Each repeat is reported, with a
    /// label on the first link. Only links with text count: a link around an image or an icon
    /// alone (a gallery, a card's thumbnail) repeats the text link beside it by design, and so
    /// do a "Read more" link and a button (a file block's Download).
    ///
    /// ## Why it matters
    /// Linking the same page twice dilutes both links, usually means one of them was meant to
    /// go somewhere else, and search engines count only the first.
    ///
    /// ## Example
    /// ```html
    /// <p>The <a href="https://example.org/report">report</a> says … as the
    /// <a href="https://example.org/report/?utm_source=x">same report</a> shows.</p>
    /// ```
    /// Keep one link, or point the second where it was meant to go.
    pub struct DuplicateLink {
        code: "duplicate-link",
        severity: Warning,
        summary: "The same target is linked more than once in a post",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for DuplicateLink {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let mut first_seen: FnvHashMap<String, usize> = FnvHashMap::default();
        for (i, link) in post.links.iter().enumerate() {
            let field = &post.html[link.field];
            let Ok(url) = &link.target else { continue };
            // Links around an image or icon alone repeat the text link beside them by design
            // (galleries, cards); links within the page are fragment-missing's business.
            let element = &field.index.elements[link.element];
            let counts = field.kind == HtmlFieldKind::Content
                && link.is_anchor()
                && element.has.text
                && !is_read_more(&field.index, element)
                && link.fragment_only().is_none()
                && matches!(url.scheme(), "http" | "https");
            if !counts {
                continue;
            }
            let key = normalized(url);
            let Some(&first) = first_seen.get(&key) else {
                first_seen.insert(key, i);
                continue;
            };
            let first = &post.links[first];
            let first_range = post.html[first.field].file_range(first.span.clone());
            let unlink: Vec<Edit> = std::iter::once(element.start_tag.clone())
                .chain(element.end_tag.clone())
                .map(|tag| Edit::delete(field.file_range(tag)))
                .collect();
            out.push(
                post.link_diagnostic(
                    &Self::META,
                    link,
                    format!("`{}` is already linked in this post", link.value),
                )
                .with_label("linked again")
                .with_secondary(first_range, "first linked here")
                .with_fix(
                    Applicability::Unsafe,
                    "unlink the repeat, keeping its text",
                    unlink,
                )
                .with_help("keep one of the links, or point this one where it was meant to go"),
            );
        }
    }
}
