use url::Url;

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::is_blank;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a post whose `title.rendered` is empty, or only whitespace and character
    /// references such as `&nbsp;`. A post without a `title` field at all (a response limited
    /// with `_fields`) is not reported.
    ///
    /// Not reported: a page whose `link` is the site's root, the front page, left untitled on
    /// purpose (its blocks carry the heading, and WordPress titles its document with the
    /// site's name). The root is the origin
    /// (`https://example.com/`), or the folder of a site in a sub-folder
    /// (`https://example.com/blog/`) as the post's REST address (`_links.self`) or the
    /// configured site (`--site`, `[site] url`) gives it.
    ///
    /// ## Why it matters
    /// An untitled post shows as "(no title)" in lists, feeds and search results, and its
    /// permalink falls back to its id.
    ///
    /// ## Example
    /// ```json
    /// {"id": 12, "title": {"rendered": "&nbsp;"}}
    /// ```
    pub struct EmptyTitle {
        code: "empty-title",
        severity: Error,
        summary: "The title is empty",
        phase: Post,
        reads: ["title.rendered"],
    }
}

impl Rule for EmptyTitle {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Title) else {
            return;
        };
        if !is_blank(&field.index.plain_text()) {
            return;
        }
        // An empty string has no bytes to point at: point at its quotes, the whole value.
        let source = field.source;
        let value = post.file_range(&(source.raw.start.saturating_sub(1)..source.raw.end + 1));
        // WordPress titles the front page's document with the site's name, and its blocks
        // carry the heading: an untitled front page is left so on purpose.
        if is_front_page(post) {
            return;
        }
        let mut diagnostic = field
            .diagnostic(
                &Self::META,
                post,
                0..source.as_str().len(),
                "the post has no title",
            )
            .with_help("give the post a title")
            .with_label("empty title");
        if source.as_str().is_empty() {
            diagnostic.range = value;
        }
        out.push(diagnostic);
    }
}

/// A page at the site's root: the front page, which themes often show without its title. The
/// root is the origin (`https://example.com/`) or, for a site in a sub-folder, the root its REST
/// address or the configured site gives (`https://example.com/blog/`).
fn is_front_page(post: &PostContext<'_, '_>) -> bool {
    let is_page = post
        .post
        .str_at("type")
        .is_some_and(|t| t.as_str() == "page");
    let Some(link) = post.link_url.as_ref() else {
        return false;
    };
    let at_root = link.query().is_none()
        && (link.path() == "/"
            || post
                .site_root
                .as_ref()
                .is_some_and(|root| same_page(root, link)));
    is_page && at_root
}

/// Whether two addresses name one page: the same origin and path, a trailing slash aside.
fn same_page(root: &Url, link: &Url) -> bool {
    root.origin() == link.origin()
        && root.path().trim_end_matches('/') == link.path().trim_end_matches('/')
}
