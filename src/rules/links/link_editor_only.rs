use url::{Host, Url};

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::links::Link;
use crate::rule::Rule;
use crate::site_root::development_host;

use crate::rules::declare_rule;

/// Why a target only works for an editor, if it does.
fn editor_only(url: &Url, own_host: Option<&str>, staging: &[String]) -> Option<String> {
    if url.scheme() == "file" {
        return Some("a `file:` link opens a file on the author's own computer".to_owned());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host()?;
    // A site exported from a local machine links its own pages on that host: those are the
    // export's own links, not a leak of one editor's environment.
    let own = own_host == url.host_str();
    let private = development_host(&host).or_else(|| match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            staging
                .iter()
                .any(|s| s == name)
                .then(|| format!("`{name}` is a staging host"))
        }
        _ => None,
    });
    if let Some(why) = private.filter(|_| !own) {
        return Some(why);
    }
    if url.path().contains("/wp-admin/") {
        return Some("`wp-admin/` pages need a login".to_owned());
    }
    if is_blogger_editor(url) {
        return Some("Blogger's editor needs the author's login".to_owned());
    }
    is_preview(url).then(|| "a preview link works only for a logged-in editor".to_owned())
}

/// A WordPress preview: `preview=true`, `preview_id` or `preview_nonce` in the query. The query
/// is decoded only when its raw text holds `preview` or an escape that could spell it: most
/// links have no such query, and decoding every one was most of this rule's cost.
fn is_preview(url: &Url) -> bool {
    let Some(query) = url.query() else {
        return false;
    };
    if !query.contains("preview") && !query.contains('%') {
        return false;
    }
    url.query_pairs().any(|(key, value)| {
        (key == "preview" && value == "true") || key == "preview_id" || key == "preview_nonce"
    })
}

/// Blogger's editor: a link or footnote copied from a draft there (`blogger.g?blogID=…#_ftn1`)
/// still points into it.
fn is_blogger_editor(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let blogger = host == "blogger.com" || host.ends_with(".blogger.com");
    blogger && matches!(url.path(), "/blogger.g" | "/post-edit.g" | "/post-create.g")
}

declare_rule! {
    /// ## What it does
    /// Reports links that work only for someone logged in or on one machine: `wp-admin/` pages,
    /// preview links (`?preview=true`, `preview_id=`), Blogger's editor
    /// (`blogger.com/blogger.g?blogID=…`, often footnotes pasted from a Blogger draft),
    /// `localhost` (drafts such as `http://localhost/?p=12` too), loopback and private-range
    /// IP addresses, names of local and test networks (`*.local`, `*.localhost`, `*.test`,
    /// `*.internal`, `*.lan`, `*.home.arpa`), `file:` URLs, and the hosts a pack lists as
    /// `staging-hosts`.
    ///
    /// Not reported: a site exported from a local machine may link its own pages on that host
    /// (its `link`, or its `guid` when it has no `link`, is there too): those are the export's
    /// own links. An element is reported once: an image whose `src` and `srcset` candidates
    /// all load from `localhost` is one defect, reported at its `src` (or at its first
    /// editor-only `srcset` candidate when the `src` is public), the message counting the
    /// other candidates. A name without a dot (`http://http://example.com/`,
    /// `http://intranet/`) is mostly a typo, not reported here.
    ///
    /// ## Why it matters
    /// The editor who wrote the link sees it work; every reader gets a login page, an error or
    /// a timeout.
    ///
    /// ## Example
    /// ```html
    /// <a href="https://news.example.com/?p=123&preview=true">our earlier story</a>
    /// ```
    /// Link the published permalink instead.
    pub struct LinkEditorOnly {
        code: "link-editor-only",
        severity: Error,
        summary: "A link that works only for an editor (wp-admin, preview, localhost, file:)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkEditorOnly {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        // A post without `link` (a WXR item, a Playground export) names its site in `guid`.
        // The `link` parsed once for the view; only the `guid` is parsed here.
        let own = match post.post.link().filter(|link| !link.is_empty()) {
            Some(_) => post.link_url.clone(),
            None => (post.post.str_at("guid.rendered")).and_then(|g| Url::parse(g.as_str()).ok()),
        };
        let own_host = own.as_ref().and_then(|u| u.host_str().map(str::to_owned));
        let staging = post
            .settings
            .site
            .staging_hosts
            .as_ref()
            .map_or(&[][..], |h| &h.value[..]);
        let found = post.links.iter().filter_map(|link| {
            let url = link.target.as_ref().ok()?;
            Some((link, editor_only(url, own_host.as_deref(), staging)?))
        });
        for (link, why, more) in one_per_element(found) {
            let also = match more {
                0 => String::new(),
                1 => " (and 1 more `srcset` candidate of the element)".to_owned(),
                n => format!(" (and {n} more `srcset` candidates of the element)"),
            };
            out.push(
                post.link_diagnostic(
                    &Self::META,
                    link,
                    format!("link works only for an editor: {why}{also}"),
                )
                .with_label("not reachable by readers")
                .with_help("link the public address of the page"),
            );
        }
    }
}

/// One finding per element: an image whose `src` and `srcset` candidates all point at the
/// author's machine is one defect. It is reported at its `src` (or `href`) when that is
/// editor-only, else at its first editor-only `srcset` candidate; the count is of the other
/// editor-only targets folded into it.
fn one_per_element<'l>(
    found: impl Iterator<Item = (&'l Link, String)>,
) -> Vec<(&'l Link, String, usize)> {
    let mut kept: Vec<(&Link, String, usize)> = Vec::new();
    for (link, why) in found {
        let same = kept
            .iter_mut()
            .find(|(k, _, _)| k.field == link.field && k.element == link.element);
        let Some(entry) = same else {
            kept.push((link, why, 0));
            continue;
        };
        entry.2 += 1;
        let better = (link.attribute != "srcset" && entry.0.attribute == "srcset")
            || (link.attribute == entry.0.attribute && link.span.start < entry.0.span.start);
        if better {
            entry.0 = link;
            entry.1 = why;
        }
    }
    kept
}
