//! Which site a post belongs to: its root URL, from its REST self link, the configured site or
//! its `link`. Sites are told apart by root, not host: sub-folder sites of a multisite network
//! and local exports on `http://localhost/…` share a host. The same root gives the WordPress
//! edit link the reports show.

use crate::config::Valued as Configured;
use crate::input::json::Value;
use crate::post::Post;

/// The site root of a post: from its REST self link (`_links.self`), else the configured
/// site (`--site`, `[site] url`) its `link` is under, else the origin of its `link`.
pub fn site_root(post: &Post<'_>, configured: &[Configured<String>]) -> Option<url::Url> {
    let link = post
        .link()
        .and_then(|l| url::Url::parse(l).ok())
        .filter(is_web_address);
    self_link_root(post)
        .or_else(|| configured_root(configured, link.as_ref()))
        .or_else(|| link.as_ref().map(origin_root))
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
