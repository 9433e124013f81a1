use crate::context::PostContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::links::Link;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::images::src_is_fallback;
use crate::rules::helpers::insecure::{Options, https_would_not_help};

declare_rule! {
    /// ## What it does
    /// Reports `http:` links to hosts that serve https: the hosts a pack lists as
    /// `https-only-hosts`, and the site's own hosts (the pack's `hosts`, or the host of a post
    /// whose own `link` is https). With `any-http = true`, every `http:` link.
    ///
    /// An address that is no link (an image's `src`, a frame's) is said to be loaded, not
    /// linked. An image's `http:` `src` beside a `srcset` with width descriptors (`300w`) or a
    /// `1x` candidate is an info: browsers that read `srcset` never fetch it.
    ///
    /// Not reported: hosts only the author's machine or network reaches (`localhost`,
    /// `*.local`, `*.test`, `*.internal`, `*.lan`, `*.home.arpa`, names without a dot, private
    /// addresses), even when they are the export's own host: https would not make them
    /// reachable. `link-editor-only` reports them, or leaves a local export's own links alone.
    ///
    /// ## Why it matters
    /// Readers go through a redirect at best; at worst browsers warn, block an `http:` image on
    /// an https page as mixed content, or the link leaks where they came from.
    ///
    /// ## Example
    /// ```html
    /// <a href="http://news.example.com/2024/07/story/">the story</a>
    /// ```
    /// Use `https://news.example.com/2024/07/story/`.
    pub struct LinkInsecure {
        code: codes::LINK_INSECURE,
        severity: Warning,
        summary: "An http: link to a host that serves https",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
        options: Options,
    }
}

/// What the `http:` address is: a link readers follow, or the address an element loads (an
/// image's `src` is no link).
fn message(link: &Link, host: &str, fallback: bool) -> String {
    let (tag, attribute) = (link.tag, link.attribute);
    if link.is_anchor() {
        format!("`http:` link to {host}, which serves https")
    } else if fallback {
        format!(
            "`<img>` has an `http:` `src` from {host}, which serves https; browsers that read its \
             `srcset` never fetch it"
        )
    } else {
        format!("`<{tag}>` loads its `{attribute}` over `http:` from {host}, which serves https")
    }
}

/// Whether the written address starts with `http:` in any case (not `//host`, which takes
/// the page's scheme). Compared in place: most links are `http(s)`, and a copy per link was
/// a rule's cost on the corpus.
fn written_as_http(value: &str) -> bool {
    value
        .as_bytes()
        .get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"http:"))
}

impl Rule for LinkInsecure {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let options = post.settings.options::<Options>(Self::META.code);
        let site = &post.settings.site;
        let own_https_host = (post.link_url.as_ref())
            .filter(|u| u.scheme() == "https")
            .and_then(|u| u.host_str().map(str::to_owned));
        let https_only = site
            .https_only_hosts
            .as_ref()
            .map_or(&[][..], |h| &h.value[..]);
        for link in &post.links {
            let Ok(url) = &link.target else { continue };
            if url.scheme() != "http" || !written_as_http(&link.value) {
                continue;
            }
            // An address only the author's machine reaches is not fixed by https: that is
            // `link-editor-only`'s finding (or, for a local export's own host, none).
            if url.host().is_some_and(|h| https_would_not_help(&h)) {
                continue;
            }
            let host = url.host_str().unwrap_or_default();
            let is_own =
                site.hosts().iter().any(|h| h == host) || own_https_host.as_deref() == Some(host);
            let listed = https_only.iter().any(|h| h == host);
            if !(options.any_http || is_own || listed) {
                continue;
            }
            let field = &post.html[link.field];
            let element = &field.index.elements[link.element];
            let fallback = link.tag == "img" && src_is_fallback(&field.index, element);
            let mut diagnostic = post
                .link_diagnostic(&Self::META, link, message(link, host, fallback))
                .with_label("insecure")
                .with_help(format!("use `https://{host}…`"));
            if fallback {
                diagnostic = diagnostic.with_severity(Severity::Info);
            }
            // Upgrading is sure only where the pack says the host serves https.
            let written = field
                .source
                .as_str()
                .get(link.span.clone())
                .unwrap_or_default();
            if listed && written.starts_with("http:") {
                let scheme = field.file_range(link.span.start..link.span.start + 4);
                diagnostic = diagnostic.with_fix(
                    Applicability::Unsafe,
                    "upgrade the link to https",
                    vec![Edit::replace(scheme, "https")],
                );
            }
            out.push(diagnostic);
        }
    }
}
