//! Which site a post belongs to: its root URL, from its REST self link, the configured site or
//! its `link`. Sites are told apart by root, not host: sub-folder sites of a multisite network
//! and local exports on `http://localhost/…` share a host. The same root gives the WordPress
//! edit link the reports show.

use std::net::IpAddr;

use url::Host;

use crate::config::Valued as Configured;
use crate::input::json::Value;
use crate::post::Post;

/// The site root of a post: from its REST self link (`_links.self`), else the configured
/// site (`--site`, `[site] url`) its `link` is under, else the origin of its `link`. `link` is
/// the post's `link` as parsed once for its view (`PostContext::link_url`).
pub fn site_root(
    post: &Post<'_>,
    link: Option<&url::Url>,
    configured: &[Configured<String>],
) -> Option<url::Url> {
    let link = link.filter(|l| is_web_address(l));
    self_link_root(post)
        .or_else(|| configured_root(configured, link))
        .or_else(|| link.map(origin_root))
}

/// Whether a post's site is known only by the origin of a `link` on a development host
/// (`http://localhost/?page_id=6`): no REST self link, no configured site. Local exports of
/// unrelated sites share that origin, so the site phase tells them apart by their folder.
pub fn is_local_export(
    post: &Post<'_>,
    link: Option<&url::Url>,
    configured: &[Configured<String>],
) -> bool {
    let Some(link) = link.filter(|l| is_web_address(l)) else {
        return false;
    };
    // The host first: it is a comparison, the others parse addresses again.
    link.host().as_ref().and_then(development_host).is_some()
        && self_link_root(post).is_none()
        && configured_root(configured, Some(link)).is_none()
}

fn is_web_address(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

/// The root of `_links.self[0].href`.
fn self_link_root(post: &Post<'_>) -> Option<url::Url> {
    let links = post.node.get("_links")?.get("self")?;
    let Value::Array(items) = &links.value else {
        return None;
    };
    rest_site_root(items.first()?.get("href")?.as_str()?.as_str())
}

/// The site root of a REST address: what comes before `/wp-json/`
/// (`https://example.com/es/wp-json/wp/v2/posts/12` → `https://example.com/es/`), or the
/// address without its query for the `?rest_route=` form
/// (`https://example.com/?rest_route=/wp/v2/posts/12` → `https://example.com/`).
pub fn rest_site_root(address: &str) -> Option<url::Url> {
    let mut url = url::Url::parse(address).ok().filter(is_web_address)?;
    let path = url.path().to_owned();
    let root_path = if let Some(at) = path.find("/wp-json/").or_else(|| {
        path.ends_with("/wp-json")
            .then(|| path.len() - "/wp-json".len())
    }) {
        path[..=at].to_owned()
    } else if url.query_pairs().any(|(key, _)| key == "rest_route") {
        let folder = path.strip_suffix("index.php").unwrap_or(&path);
        let folder = folder.rsplit_once('/').map_or("", |(folder, _)| folder);
        format!("{folder}/")
    } else {
        return None;
    };
    url.set_path(&root_path);
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

/// The configured site whose root `link` is under (the deepest, when several are); with no
/// `link`, the configured site when there is one only.
fn configured_root(configured: &[Configured<String>], link: Option<&url::Url>) -> Option<url::Url> {
    let roots = configured.iter().filter_map(|site| {
        let mut root = url::Url::parse(&site.value).ok().filter(is_web_address)?;
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        root.set_query(None);
        root.set_fragment(None);
        Some(root)
    });
    let Some(link) = link else {
        let roots: Vec<url::Url> = roots.collect();
        return (roots.len() == 1)
            .then(|| roots.into_iter().next())
            .flatten();
    };
    roots
        .filter(|root| {
            root.host_str() == link.host_str()
                && root.port_or_known_default() == link.port_or_known_default()
                && link.path().starts_with(root.path())
        })
        .max_by_key(|root| root.path().len())
}

/// `scheme://host[:port]/` of a web address.
fn origin_root(link: &url::Url) -> url::Url {
    let mut root = link.clone();
    root.set_path("/");
    root.set_query(None);
    root.set_fragment(None);
    let _ = root.set_username("");
    let _ = root.set_password(None);
    root
}

/// The key a site's posts are grouped by, and its name in messages: host, port if any, and
/// the root's folder without the scheme (`http:` and `https:` of one site are one site) or
/// the trailing slash: `example.com`, `localhost:8080/es`.
pub fn site_key(root: &url::Url) -> String {
    let host = root.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = root.port().map_or_else(String::new, |p| format!(":{p}"));
    format!("{host}{port}{}", root.path().trim_end_matches('/'))
}

/// Why a host is reachable only from the author's machine or network, if it is: loopback and
/// private addresses, `localhost` and the names reserved for local and test networks.
pub fn development_host(host: &Host<&str>) -> Option<String> {
    match host {
        Host::Domain(name) => development_name(name.trim_end_matches('.')),
        Host::Ipv4(ip) => private_ip(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => private_ip(IpAddr::V6(*ip)),
    }
}

/// Suffixes that never resolve on the public internet (RFC 6761, RFC 6762, RFC 8375, ICANN's
/// `.internal`) and the usual home-router `.lan`.
const LOCAL_SUFFIXES: [&str; 5] = [".local", ".test", ".internal", ".lan", ".home.arpa"];

fn development_name(name: &str) -> Option<String> {
    // Compared in place, lower-cased only for a message: every link's host comes here.
    if name.eq_ignore_ascii_case("localhost") || ends_with_ignore_case(name, ".localhost") {
        let name = name.to_ascii_lowercase();
        return Some(format!("`{name}` is the author's own machine"));
    }
    LOCAL_SUFFIXES
        .iter()
        .any(|suffix| ends_with_ignore_case(name, suffix))
        .then(|| format!("`{}` is a local network name", name.to_ascii_lowercase()))
}

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    let (name, suffix) = (name.as_bytes(), suffix.as_bytes());
    name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
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
