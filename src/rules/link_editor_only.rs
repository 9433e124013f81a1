use std::net::IpAddr;

use url::{Host, Url};

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use super::declare_rule;

/// Why a target only works for an editor, if it does.
fn editor_only(url: &Url, own_host: Option<&str>, staging: &[String]) -> Option<String> {
    if url.scheme() == "file" {
        return Some("a `file:` link opens a file on the author's own computer".to_owned());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host()?;
    let host_text = host.to_string();
    // A site exported from a local machine links its own pages on that host: those are the
    // export's own links, not a leak of one editor's environment.
    let own = own_host == Some(host_text.as_str());
    let private = match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.');
            (name == "localhost" || name.ends_with(".localhost"))
                .then(|| format!("`{name}` is the author's own machine"))
                .or_else(|| {
                    name.ends_with(".local")
                        .then(|| format!("`{name}` is a local network name"))
                })
                .or_else(|| {
                    staging
                        .iter()
                        .any(|s| s == name)
                        .then(|| format!("`{name}` is a staging host"))
                })
        }
        Host::Ipv4(ip) => private_ip(IpAddr::V4(ip)),
        Host::Ipv6(ip) => private_ip(IpAddr::V6(ip)),
    };
    if let Some(why) = private.filter(|_| !own) {
        return Some(why);
    }
    if url.path().contains("/wp-admin/") {
        return Some("`wp-admin/` pages need a login".to_owned());
    }
    let preview = url.query_pairs().any(|(key, value)| {
        (key == "preview" && value == "true") || key == "preview_id" || key == "preview_nonce"
    });
    preview.then(|| "a preview link works only for a logged-in editor".to_owned())
}

fn private_ip(ip: IpAddr) -> Option<String> {
    let private = match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    };
    private.then(|| format!("`{ip}` is a private or loopback address"))
}

declare_rule! {
    /// ## What it does
    /// Reports links that work only for someone logged in or on one machine: `wp-admin/` pages,
    /// preview links (`?preview=true`, `preview_id=`), `localhost`, loopback and private-range
    /// IP addresses, `*.local` names, `file:` URLs, and the hosts a pack lists as
    /// `staging-hosts`. A site exported from a local machine may link its own pages on that
    /// host (its `link` is there too): those are not reported.
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
        let own_host = post
            .post
            .link()
            .and_then(|l| Url::parse(l).ok())
            .and_then(|u| u.host_str().map(str::to_owned));
        let staging = post
            .settings
            .site
            .staging_hosts
            .as_ref()
            .map_or(&[][..], |h| &h.value[..]);
        for link in &post.links {
            let Ok(url) = &link.target else { continue };
            let Some(why) = editor_only(url, own_host.as_deref(), staging) else {
                continue;
            };
            out.push(
                post.link_diagnostic(
                    &Self::META,
                    link,
                    format!("link works only for an editor: {why}"),
                )
                .with_label("not reachable by readers")
                .with_help("link the public address of the page"),
            );
        }
    }
}
