//! What the phases after linting keep of each post (its site, slug, title, dates, links: the
//! facts), and what they find (`SiteFinding`). The site phase itself is `phases::site`. A site
//! is identified by its root URL ([`crate::site_root::site_root`]), not by its host: sub-folder sites of a
//! multisite network and local exports on `http://localhost/…` share a host.

pub mod host;
pub mod shard;
pub mod stages;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::context::PostContext;
use crate::dates::{WpDate, offset_of, without_clock_skew};
use crate::diagnostic::{Diagnostic, PostRef, fingerprint};
use crate::html::Quoting;
use crate::input::json::{JsonStyle, Value};
use crate::links::normalized;
use crate::post::HtmlFieldKind;
#[cfg(test)]
use crate::site_root::rest_site_root;
use crate::site_root::{is_local_export, site_key};

/// What the site phase needs of a post, kept after the post itself is dropped.
#[derive(Debug, Clone)]
pub struct PostFacts {
    /// Index of the post's file among the run's reports.
    pub file: usize,
    pub post: Arc<PostRef>,
    /// The site the post belongs to, its grouping key: [`site_key`] of its root URL, such as
    /// `example.com` or `localhost/pastorscott/travel`.
    pub site: Option<String>,
    /// Lower-cased host of the post's `link`: links to it are the site's own.
    pub host: Option<String>,
    pub status: Option<Word>,
    pub post_type: Option<Word>,
    /// A page's `parent`: pages under different parents may share a slug.
    pub parent: Option<i64>,
    /// The post's `link`, normalised as links are compared.
    pub permalink: Option<Text>,
    /// The language folder of a multilingual site (`/en/…`): translations may share slugs and
    /// titles across languages.
    pub language: Option<String>,
    pub slug: Option<PlacedValue>,
    /// The title as a reader sees it.
    pub title: Option<PlacedValue>,
    /// The host of `guid.rendered`.
    pub guid_host: Option<PlacedValue>,
    pub dates: Option<DateFacts>,
    /// Links of the body to the post's own site.
    pub internal_links: Vec<InternalLink>,
    /// Every `http(s)` target of the post, when the links are checked over the network.
    pub remote_links: Vec<RemoteLink>,
    /// The post's ids and `<a name>`s, when the links are checked over the network: links
    /// from other posts of the run into it are checked against them.
    pub anchors: Vec<String>,
}

/// A status or post type: the usual ones as static text, as a run keeps one for every post.
pub type Word = std::borrow::Cow<'static, str>;

/// A text of a post's facts that the site rules' records share rather than copy (a permalink,
/// a slug, a link's target): cloned, it is counted, not copied. Written as a plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.into())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(text.into())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

fn word(text: &str) -> Word {
    const USUAL: [&str; 11] = [
        "publish",
        "future",
        "draft",
        "pending",
        "private",
        "trash",
        "inherit",
        "post",
        "page",
        "attachment",
        "revision",
    ];
    match USUAL.iter().find(|usual| **usual == text) {
        Some(usual) => Word::Borrowed(usual),
        None => Word::Owned(text.to_owned()),
    }
}

/// A link whose target the remote checker requests.
#[derive(Debug, Clone)]
pub struct RemoteLink {
    /// The target without its fragment (which is never sent): what is requested and cached.
    pub url: String,
    pub at: Located,
    /// The field it is in (`content.raw`, `content.rendered`), as its findings name it.
    pub field: &'static str,
    /// How the field's JSON string is written, for a fix that replaces the target.
    pub style: JsonStyle,
    /// The `#fragment` of the link, if any: a place in the target page.
    pub fragment: Option<String>,
    /// How the target is written in the HTML.
    pub quoting: Quoting,
    /// One candidate of a `srcset`, which ends at whitespace or a trailing comma.
    pub candidate: bool,
}

impl RemoteLink {
    /// `url` as a fix writes it in place of the target (in the HTML, before the field's JSON
    /// escapes): it reads back as `url`, ends nowhere sooner, and leaves the rest of the tag as
    /// it was. `None` when the target's place cannot take it alone.
    pub fn written(&self, url: &str) -> Option<String> {
        if !self.candidate {
            return self.quoting.write(url);
        }
        // Percent-encoded, whitespace and commas name the same resource and do not split a
        // candidate.
        let mut kept = String::with_capacity(url.len());
        for c in url.chars() {
            match c {
                ',' => kept.push_str("%2C"),
                c if c.is_ascii_whitespace() => kept.push_str(&format!("%{:02X}", c as u32)),
                c => kept.push(c),
            }
        }
        self.quoting.write(&kept)
    }
}

/// A value of the post and where it is.
#[derive(Debug, Clone)]
pub struct PlacedValue {
    pub value: Text,
    pub at: Located,
}

/// A link to a page of the post's own site.
#[derive(Debug, Clone)]
pub struct InternalLink {
    /// The target, normalised as links are compared, without its fragment.
    pub target: Text,
    /// The URL's path, for slug matching and for telling post links from archives.
    pub path: Text,
    /// `?p=ID` or `?page_id=ID`.
    pub post_id: Option<i64>,
    pub at: Located,
}

impl PostFacts {
    /// What the site phase (and the remote link check, when `remote`) keeps of a post being
    /// linted; `None` when nothing is: a post with no `link` belongs to no site.
    pub fn of(post: &PostContext<'_, '_>, remote: bool, folder: Option<&Path>) -> Option<Self> {
        let remote_links = if remote {
            remote_links(post)
        } else {
            Vec::new()
        };
        let link = post.link_url.as_ref();
        let host = link.and_then(|l| l.host_str()).map(str::to_ascii_lowercase);
        let root = post.site_root.as_ref();
        let site = root.map(|root| {
            let key = site_key(root);
            match folder.filter(|_| is_local_export(post.post, link, &post.settings.site.urls)) {
                Some(folder) => format!("{key} in {}", folder.display()),
                None => key,
            }
        });
        if site.is_none() && remote_links.is_empty() {
            return None;
        }
        // The part of the site's paths below its root: `/es/` of `example.com/es/`, when the
        // root is on the host of `link`.
        let root_path = root
            .filter(|r| r.host_str().map(str::to_ascii_lowercase) == host)
            .map_or("/", url::Url::path);
        let value = |key: &str| {
            post.post.str_at(key).map(|s| PlacedValue {
                value: s.as_str().into(),
                at: Located::new(post.file_range(&s.raw)),
            })
        };
        let title = post.field(HtmlFieldKind::Title).map(|field| PlacedValue {
            value: field.index.plain_text().trim().into(),
            at: Located::new(post.file_range(&field.source.raw)),
        });
        let guid_host = value("guid.rendered").and_then(|guid| {
            Some(PlacedValue {
                value: host::host_of(&guid.value)?.into(),
                at: guid.at,
            })
        });
        let parent = match post.post.node.get("parent").map(|n| &n.value) {
            Some(Value::Number(n)) => n.parse().ok(),
            _ => None,
        };
        Some(Self {
            file: 0,
            post: post.post_ref.clone(),
            internal_links: host
                .as_deref()
                .map_or_else(Vec::new, |h| internal_links(post, h, root_path)),
            anchors: if remote { anchors(post) } else { Vec::new() },
            remote_links,
            site,
            host,
            status: post.post.str_at("status").map(|s| word(s.as_str())),
            post_type: post.post.str_at("type").map(|s| word(s.as_str())),
            parent,
            permalink: link.as_ref().map(|l| page_key(l).into()),
            language: link.as_ref().and_then(|l| language_folder(l, root_path)),
            slug: value("slug"),
            title,
            guid_host,
            dates: DateFacts::of(post),
        })
    }
}

/// A URL as pages are compared: normalised like links, without the fragment.
pub fn page_key(url: &url::Url) -> String {
    let mut page = url.clone();
    page.set_fragment(None);
    normalized(&page)
}

/// The path of `link` below the site's root folder, with its leading `/`; `None` when the
/// link is outside it.
fn path_below<'u>(link: &'u url::Url, root_path: &str) -> Option<&'u str> {
    let below = link.path().strip_prefix(root_path.trim_end_matches('/'))?;
    (below.is_empty() || below.starts_with('/')).then_some(below)
}

/// The first folder of a permalink below the site's root when it names a language (`en`,
/// `pt-br`), as WPML and Polylang write them.
fn language_folder(link: &url::Url, root_path: &str) -> Option<String> {
    let first = path_below(link, root_path)?
        .trim_start_matches('/')
        .split('/')
        .next()?;
    let (language, region) = first.split_once('-').unwrap_or((first, ""));
    let is_language = language.len() == 2
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty() || (2..=4).contains(&region.len()));
    is_language.then(|| first.to_owned())
}

/// The ids and `<a name>`s of the post's HTML.
fn anchors(post: &PostContext<'_, '_>) -> Vec<String> {
    post.html
        .iter()
        .filter(|f| f.kind != HtmlFieldKind::Title)
        .flat_map(|f| crate::links::anchors(&f.index).map(str::to_owned))
        .collect()
}

/// Every `http(s)` target of the body and excerpt, without fragments.
fn remote_links(post: &PostContext<'_, '_>) -> Vec<RemoteLink> {
    post.links
        .iter()
        .filter_map(|link| {
            let mut url = link.target.as_ref().ok()?.clone();
            if !matches!(url.scheme(), "http" | "https") || link.fragment_only().is_some() {
                return None;
            }
            let fragment = url.fragment().filter(|f| !f.is_empty()).map(str::to_owned);
            url.set_fragment(None);
            Some(RemoteLink {
                fragment,
                url: url.to_string(),
                at: Located::new(post.html[link.field].file_range(link.span.clone())),
                field: post.html[link.field].path(),
                style: post.html[link.field].style(),
                quoting: link.quoting,
                candidate: link.attribute == "srcset",
            })
        })
        .collect()
}

/// The body's links to the post's own site: on its host below its root folder, or on one of
/// the `[site] hosts`.
fn internal_links(post: &PostContext<'_, '_>, host: &str, root_path: &str) -> Vec<InternalLink> {
    let site_hosts = post.settings.site.hosts();
    post.links
        .iter()
        .filter(|link| link.is_anchor() && post.html[link.field].kind == HtmlFieldKind::Content)
        .filter_map(|link| {
            let url = link.target.as_ref().ok()?;
            let link_host = url.host_str()?.to_ascii_lowercase();
            let path = if link_host == host {
                path_below(url, root_path)?
            } else if site_hosts.contains(&link_host) {
                url.path()
            } else {
                return None;
            };
            if !matches!(url.scheme(), "http" | "https") || link.fragment_only().is_some() {
                return None;
            }
            let post_id = url
                .query_pairs()
                .find(|(k, _)| k == "p" || k == "page_id")
                .and_then(|(_, v)| v.parse().ok());
            Some(InternalLink {
                target: page_key(url).into(),
                path: path.into(),
                post_id,
                at: Located::new(post.html[link.field].file_range(link.span.clone())),
            })
        })
        .collect()
}

impl DateFacts {
    fn of(post: &PostContext<'_, '_>) -> Option<Self> {
        let local = post.dates.get("date");
        let gmt = post.dates.get("date_gmt");
        let (WpDate::Valid(local_text, local_value), WpDate::Valid(gmt_text, gmt_value)) =
            (&local, &gmt)
        else {
            return None;
        };
        let actual = offset_of(*local_value, *gmt_value);
        // A few seconds of clock skew (`date-clock-skew`) do not make another offset.
        let offset = without_clock_skew(*local_value, actual);
        Some(Self {
            offset: i32::try_from(offset).ok()?,
            skew: i32::try_from(actual - offset).ok()?,
            local: *local_value,
            gmt_value: gmt_text.as_str().into(),
            gmt: Located::new(post.file_range(&gmt_text.raw)),
            local_at: Located::new(post.file_range(&local_text.raw)),
            modified_gmt: repeated_modified_gmt(post, local_text, gmt_text),
        })
    }
}

/// The `modified_gmt` value when the modified pair repeats the date pair, value for value (a
/// post never edited since): a skew of the one is the other's.
fn repeated_modified_gmt(
    post: &PostContext<'_, '_>,
    local: &crate::input::json::JsonStr<'_>,
    gmt: &crate::input::json::JsonStr<'_>,
) -> Option<Located> {
    let (WpDate::Valid(modified, _), WpDate::Valid(modified_gmt, _)) =
        (post.dates.get("modified"), post.dates.get("modified_gmt"))
    else {
        return None;
    };
    (modified.as_str() == local.as_str() && modified_gmt.as_str() == gmt.as_str())
        .then(|| Located::new(post.file_range(&modified_gmt.raw)))
}

/// The `date`/`date_gmt` pair of a post, with the spans a finding would point at.
#[derive(Debug, Clone)]
pub struct DateFacts {
    /// `date − date_gmt`, in seconds, without a clock skew of a few seconds.
    pub offset: i32,
    /// The seconds of that clock skew (`date − date_gmt − offset`): 0 for none.
    pub skew: i32,
    pub local: chrono::NaiveDateTime,
    pub gmt_value: Text,
    pub gmt: Located,
    pub local_at: Located,
    /// `modified_gmt`, when the modified pair repeats this one.
    pub modified_gmt: Option<Located>,
}

/// A file range a finding may point at. Its line and column are worked out only if one does
/// (in the settle step): most never do, and a run keeps these for every post.
#[derive(Debug, Clone)]
pub struct Located {
    pub range: Range<usize>,
}

impl Located {
    pub fn new(range: Range<usize>) -> Self {
        Self { range }
    }
}

/// A finding of a phase after linting (the site rules, the link check): its diagnostic, the
/// file it belongs to, and its fingerprint. Lines and columns come when it is added.
#[derive(Debug)]
pub struct SiteFinding {
    pub file: usize,
    pub diagnostic: Diagnostic,
    pub fingerprint: u64,
}

impl SiteFinding {
    /// A finding on `text`, the value its fingerprint is made of.
    pub fn new(file: usize, diagnostic: Diagnostic, text: &str) -> Self {
        Self {
            file,
            fingerprint: fingerprint(diagnostic.rule, text.as_bytes()),
            diagnostic,
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn root(address: &str) -> Option<String> {
        rest_site_root(address).map(String::from)
    }

    #[test]
    fn the_rest_root_of_self_links() {
        let cases = [
            (
                "https://example.com/es/wp-json/wp/v2/posts/12",
                "https://example.com/es/",
            ),
            (
                "https://example.com/wp-json/wp/v2/posts/12",
                "https://example.com/",
            ),
            (
                "http://localhost/pastorscott/travel/wp-json/wp/v2/posts/1225",
                "http://localhost/pastorscott/travel/",
            ),
            ("http://localhost:8080/wp-json", "http://localhost:8080/"),
            (
                "https://example.com/?rest_route=/wp/v2/posts/12",
                "https://example.com/",
            ),
            (
                "https://example.com/blog/index.php?rest_route=%2Fwp%2Fv2%2Fposts%2F1",
                "https://example.com/blog/",
            ),
        ];
        for (address, expected) in cases {
            assert_eq!(root(address).as_deref(), Some(expected), "{address}");
        }
        for not_rest in [
            "https://example.com/es/posts/12",
            "file:///wp-json/x",
            "not a url",
        ] {
            assert_eq!(root(not_rest), None, "{not_rest}");
        }
    }

    #[test]
    fn site_keys_drop_the_scheme_and_the_trailing_slash() {
        let key = |address: &str| site_key(&url::Url::parse(address).expect("URL"));
        assert_eq!(key("https://Example.COM/"), "example.com");
        assert_eq!(key("http://example.com/"), key("https://example.com/"));
        assert_eq!(key("http://localhost:8080/es/"), "localhost:8080/es");
        assert_ne!(key("http://localhost/a/"), key("http://localhost/b/"));
    }

    #[test]
    fn paths_below_a_root_folder() {
        let link = url::Url::parse("https://example.com/es/2024/hola/").expect("URL");
        assert_eq!(path_below(&link, "/es/"), Some("/2024/hola/"));
        assert_eq!(path_below(&link, "/"), Some("/es/2024/hola/"));
        assert_eq!(path_below(&link, "/en/"), None);
        assert_eq!(path_below(&link, "/e/"), None);
    }
}
