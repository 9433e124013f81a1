//! The links of a post, found once in its HTML index and parsed once with the url crate; every
//! link rule (and the remote checker) reads this list.

pub mod archive;
pub mod cache;
pub mod outcome;
pub mod page;
mod queue;
pub mod remote;

use std::borrow::Cow;
use std::ops::Range;

use url::{Position, Url};

use crate::html::{ElementId, HtmlIndex, Quoting};

/// What `--links` asks of the remote checker.
#[derive(Debug, Clone, Default)]
pub struct LinkCheck {
    pub check: remote::CheckOptions,
    /// Where `links.json` is kept; `None` with `--no-cache`.
    pub cache_dir: Option<std::path::PathBuf>,
    pub ttl: cache::Ttl,
    /// Targets matching these are not requested.
    pub exclude: Vec<regex::Regex>,
    /// Where archived copies of dead links are looked for; `None` with `--no-archive` (and by
    /// default in the library, so that tests never reach the Internet Archive).
    pub archive: Option<archive::ArchiveOptions>,
}

/// Elements and the attribute that holds their target.
const LINK_ATTRIBUTES: [(&str, &str); 9] = [
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("track", "src"),
];

/// Stands in for the post's own address when it has none, so relative links still parse.
const PLACEHOLDER_BASE: &str = "https://postlint.invalid/";

#[derive(Debug)]
pub struct Link {
    /// Index of the HTML field in the post's view.
    pub field: usize,
    pub element: ElementId,
    pub tag: &'static str,
    pub attribute: &'static str,
    /// The attribute's value, character references decoded, surrounding whitespace removed as
    /// browsers do.
    pub value: String,
    /// The value's text in the field's HTML; the attribute name when the value is empty.
    pub span: Range<usize>,
    /// How the text at `span` is written, for a fix that writes another target there;
    /// `Absent` when `span` is not the target alone (an empty value, a `srcset` whose
    /// candidates cannot be told apart in the source).
    pub quoting: Quoting,
    /// The target resolved against the post's `link`; an error for what cannot be parsed.
    pub target: Result<Url, url::ParseError>,
}

impl Link {
    pub fn is_anchor(&self) -> bool {
        self.tag == "a" || self.tag == "area"
    }

    /// `href="#x"`: a link within the page.
    pub fn fragment_only(&self) -> Option<&str> {
        self.value.strip_prefix('#')
    }
}

/// The base that relative links resolve against: the post's own address (parsed).
pub fn base_url(post_link: Option<&Url>) -> Url {
    post_link
        .filter(|url| !url.cannot_be_a_base())
        .cloned()
        .unwrap_or_else(|| Url::parse(PLACEHOLDER_BASE).expect("the placeholder base is a URL"))
}

/// Joins a post's link values with its address, a value written again right after itself
/// once: a link around its own image, an image's `src` and its `srcset`. In the corpus 39% of
/// the links repeat a value of their post, 95% of those within the two links before; the url
/// crate's parse is most of a link's cost (about 60 instructions a byte), a look back a few
/// comparisons, where a map of every value cost more than it saved on posts without repeats.
pub struct Joiner<'a> {
    base: &'a Url,
}

/// How many of the post's links before a value are looked at for the same value.
const LOOK_BACK: usize = 4;

impl<'a> Joiner<'a> {
    pub fn new(base: &'a Url) -> Self {
        Self { base }
    }

    /// `value` joined with the base: a copy of a recent link's target when it had the same
    /// value (`links` is the post's list so far).
    fn join(&self, value: &str, links: &[Link]) -> Result<Url, url::ParseError> {
        let recent = &links[links.len().saturating_sub(LOOK_BACK)..];
        // Not an empty value: an `<a>` without `href` has one and no target of its own.
        let same = |link: &&Link| !value.is_empty() && link.value == value;
        match recent.iter().rev().find(same) {
            Some(earlier) => earlier.target.clone(),
            None => self.base.join(value),
        }
    }
}

/// Every link of one field, in document order, added to the post's `links`.
pub fn find(field: usize, index: &HtmlIndex, joiner: &Joiner<'_>, links: &mut Vec<Link>) {
    for (id, element) in index.elements.iter().enumerate() {
        let Some(&(tag, attribute)) = LINK_ATTRIBUTES.iter().find(|(t, _)| **t == *element.name)
        else {
            continue;
        };
        let Some(attr) = index.attribute(element, attribute) else {
            if tag == "a" || tag == "area" {
                links.push(Link {
                    field,
                    element: id,
                    tag,
                    attribute,
                    value: String::new(),
                    span: element.start_tag.clone(),
                    quoting: Quoting::Absent,
                    target: Err(url::ParseError::EmptyHost),
                });
            }
            continue;
        };
        if let Some(srcset) = index.attribute(element, "srcset") {
            let value = index.value(srcset);
            srcset_links((field, id, tag), (srcset, value), joiner, links);
        }
        let value = index.value(attr).trim_matches(is_html_space);
        let target = joiner.join(value, links);
        links.push(Link {
            field,
            element: id,
            tag,
            attribute,
            target,
            span: attr
                .value_span
                .clone()
                .unwrap_or_else(|| attr.name_span.clone()),
            value: value.to_owned(),
            quoting: attr.quoting,
        });
    }
}

/// The image candidates of `srcset="a.jpg 1x, b.jpg 2x"`, each with its span when the value
/// has no character references (otherwise the whole value).
fn srcset_links(
    (field, element, tag): (usize, ElementId, &'static str),
    (srcset, value): (&crate::html::Attribute, &str),
    joiner: &Joiner<'_>,
    links: &mut Vec<Link>,
) {
    let Some(span) = srcset.value_span.clone() else {
        return;
    };
    let exact = span.len() == value.len();
    let mut offset = 0;
    for candidate in value.split(',') {
        let leading = candidate.len() - candidate.trim_start().len();
        let url = candidate
            .trim_start()
            .split(is_html_space)
            .next()
            .unwrap_or_default();
        if !url.is_empty() {
            let start = offset + leading;
            let target = joiner.join(url, links);
            links.push(Link {
                field,
                element,
                tag,
                attribute: "srcset",
                value: url.to_owned(),
                span: if exact {
                    span.start + start..span.start + start + url.len()
                } else {
                    span.clone()
                },
                quoting: if exact {
                    srcset.quoting
                } else {
                    Quoting::Absent
                },
                target,
            });
        }
        offset += candidate.len() + 1;
    }
}

/// The ids, and names of `<a>`, that a link's `#fragment` can jump to.
pub fn anchors(index: &HtmlIndex) -> impl Iterator<Item = &str> {
    index.elements.iter().flat_map(move |element| {
        index
            .attributes_of(element)
            .iter()
            .filter(|a| &*a.name == "id" || (&*a.name == "name" && &*element.name == "a"))
            .map(|a| index.value(a))
    })
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// The form two links are compared in: scheme and host lower-cased and the default port
/// dropped (the url crate does both), tracking parameters removed, a trailing slash ignored;
/// the fragment is kept, since `#a` and `#b` are different places.
pub fn normalized(url: &Url) -> String {
    normalized_key(url).into_owned()
}

/// [`normalized`]'s text, without rebuilding the URL where normalizing would change nothing
/// or only cut the path's trailing slashes: that is most links, and the rebuild (a clone, the
/// path copied and parsed again) was most of `duplicate-link`'s cost.
pub fn normalized_key(url: &Url) -> Cow<'_, str> {
    if url.query().is_some() {
        return Cow::Owned(rebuilt(url));
    }
    let path = url.path();
    if path.len() <= 1 || !path.ends_with('/') {
        return Cow::Borrowed(url.as_str());
    }
    let trimmed = path.trim_end_matches('/');
    // Parsing an http(s) path again changes nothing but an emptied one (which becomes `/`):
    // its dot segments and escapes were settled when it was first parsed.
    if trimmed.is_empty() || !matches!(url.scheme(), "http" | "https") {
        return Cow::Owned(rebuilt(url));
    }
    let serialized = url.as_str();
    let path_end = serialized.len() - url[Position::AfterPath..].len();
    let cut = path_end - (path.len() - trimmed.len());
    Cow::Owned([&serialized[..cut], &serialized[path_end..]].concat())
}

fn rebuilt(url: &Url) -> String {
    let mut url = url.clone();
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| !is_tracking_parameter(key))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    url.to_string()
}

fn is_tracking_parameter(key: &str) -> bool {
    key.starts_with("utm_") || matches!(key, "fbclid" | "gclid" | "dclid" | "msclkid" | "mc_eid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalized(&Url::parse(text).expect("url"))
    }

    /// Each link's target is its value joined with the base, whether it was joined or copied.
    #[test]
    fn repeated_values_get_the_targets_a_join_gives() {
        let html = r#"<a href="/a"><img src="/a" srcset="/a 1x, /b 2x"></a><a>no href</a>
            <a href="">self</a><a href="">again</a><a href=" /b ">b</a><a href="/a">a</a>
            <img src="x y"><img src="x y"><a href="http://[::1">bad</a><a href="http://[::1">"#;
        let base = Url::parse("https://example.org/post/").expect("url");
        let index = HtmlIndex::parse(html);
        let mut links = Vec::new();
        find(0, &index, &Joiner::new(&base), &mut links);
        assert_eq!(links.len(), 13);
        for link in &links {
            if link.value.is_empty() {
                continue;
            }
            assert_eq!(link.target, base.join(&link.value), "{}", link.value);
        }
        let no_href = links
            .iter()
            .find(|l| index.text_of(&index.elements[l.element]) == "no href");
        assert_eq!(
            no_href.map(|l| &l.target),
            Some(&Err(url::ParseError::EmptyHost))
        );
        let own = links
            .iter()
            .filter(|l| index.text_of(&index.elements[l.element]) == "again");
        assert_eq!(
            own.map(|l| l.target.clone()).collect::<Vec<_>>(),
            vec![Ok(base.clone())]
        );
    }

    use proptest::prelude::*;

    /// Values equal as text or only after decoding, differing in case, escapes, whitespace or
    /// `./`, relative and absolute, empty, unparsable.
    const VALUES: &[&str] = &[
        "/a",
        "/A",
        " /a ",
        "a",
        "./a",
        "../a",
        "%2Fa",
        "&#47;a",
        "/a?x&amp;y",
        "/a?x&y",
        "http://x.org/a",
        "HTTP://X.ORG/a",
        "//x.org/a",
        "#f",
        "",
        "?q",
        "http://[::1",
        "javascript:x",
        "x y",
        "\t/a\n",
        "caf\u{e9}",
    ];
    const BASES: &[Option<&str>] = &[
        Some("https://example.org/post/"),
        Some("https://example.org/post"),
        Some("https://EXAMPLE.org/other/post/?p=1"),
        Some("mailto:x@example.org"),
        Some("http://[::1]/p/"),
        None,
    ];

    fn element((tag, value, other): (usize, usize, usize)) -> String {
        let (v, w) = (VALUES[value], VALUES[other]);
        match tag {
            0 => format!("<a href=\"{v}\">x</a>"),
            1 => format!("<img src=\"{v}\" srcset=\"{v} 1x, {w} 2x\">"),
            2 => "<a>no href</a>".to_owned(),
            3 => format!("<area href='{v}'>"),
            _ => format!("<iframe src={v}></iframe>"),
        }
    }

    proptest! {
        /// The look-back copies a target only where a join gives the same: whatever the base
        /// and however the values repeat, each link's target is its own value's join.
        #[test]
        fn copied_targets_are_the_joins(
            elements in prop::collection::vec((0usize..5, 0..VALUES.len(), 0..VALUES.len()), 0..24),
            base in 0..BASES.len(),
        ) {
            let html: String = elements.into_iter().map(element).collect();
            let link = BASES[base].map(|b| Url::parse(b).expect("url"));
            let base = base_url(link.as_ref());
            let index = HtmlIndex::parse(&html);
            let mut links = Vec::new();
            find(0, &index, &Joiner::new(&base), &mut links);
            for link in &links {
                let plain = match index.attribute(&index.elements[link.element], link.attribute) {
                    None => Err(url::ParseError::EmptyHost),
                    Some(_) => base.join(&link.value),
                };
                prop_assert_eq!(&link.target, &plain, "{} in {}", link.value, html);
            }
        }
    }

    #[test]
    fn normalisation_ignores_what_does_not_change_the_target() {
        assert_eq!(
            norm("HTTPS://Example.ORG:443/a/?utm_source=x&b=1"),
            norm("https://example.org/a?b=1")
        );
        assert_eq!(
            norm("https://example.org/a/?fbclid=1"),
            norm("https://example.org/a")
        );
        assert_ne!(
            norm("https://example.org/a#one"),
            norm("https://example.org/a#two")
        );
        assert_ne!(norm("http://example.org/a"), norm("https://example.org/a"));
    }

    #[test]
    fn the_borrowed_and_cut_keys_are_the_rebuilt_ones() {
        for text in [
            "https://example.org",
            "https://example.org/",
            "https://example.org//",
            "https://example.org///#top",
            "HTTP://Example.ORG:80/a/b/",
            "https://example.org/a/b//#part/",
            "https://example.org/caf%C3%A9/%2e%2e/x/",
            "https://example.org/a%2F/",
            "https://user:pw@example.org:8443/a/",
            "https://example.org/a/?",
            "https://example.org/a/?utm_source=x#f",
            "https://example.org/a b/ü/",
            "https://[::1]:8080/a/",
            "ftp://example.org/a/",
            "mailto:someone@example.org",
            "data:text/plain,hi/",
            "file:///c:/a/",
        ] {
            let url = Url::parse(text).expect("url");
            assert_eq!(normalized_key(&url), rebuilt(&url), "{text}");
        }
    }
}
