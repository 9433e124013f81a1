use std::ops::Range;

use url::Url;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::{Element, ElementId, HtmlIndex};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::images::src_is_fallback;
use crate::rules::helpers::insecure::{self, https_would_not_help};

/// Elements that load a resource into the page, and the attributes that name it.
const RESOURCES: [(&str, &[&str]); 10] = [
    ("img", &["src", "srcset"]),
    ("source", &["src", "srcset"]),
    ("video", &["src", "poster"]),
    ("audio", &["src"]),
    ("track", &["src"]),
    ("iframe", &["src"]),
    ("script", &["src"]),
    ("embed", &["src"]),
    ("object", &["data"]),
    ("input", &["src"]),
];

/// Active content: browsers block it over `http:` on an https page, they do not upgrade it.
fn is_blocked(tag: &str) -> bool {
    matches!(tag, "script" | "iframe" | "embed" | "object")
}

declare_rule! {
    /// ## What it does
    /// Reports a resource loaded over `http:` into a post whose own address (`link`) is
    /// https: the `src` of an `img`, `source`, `video`, `audio`, `track`, `iframe`, `script`,
    /// `embed` or `input`, a `srcset` candidate, a video's `poster`, an `object`'s `data`. An
    /// element is reported once, at its first `http:` address; the message counts the others.
    /// Scripts, frames, embeds and objects are errors: browsers block them. Images, audio and
    /// video are warnings: browsers try them over https and show nothing when that fails.
    ///
    /// An image whose only `http:` address is its `src`, beside a `srcset` with width
    /// descriptors (`300w`) or a `1x` candidate, is an info: a browser that reads `srcset`
    /// never fetches that `src`.
    ///
    /// Not reported: an element `link-insecure` reports (an `http:` link to the site's own
    /// hosts or to an https-only host, by its `src` or a `srcset` beside it): one defect, one
    /// finding. Addresses only the author's machine or network reaches (`localhost`,
    /// `*.local`, private addresses), which https would not fix: `link-editor-only` reports
    /// them. A 1×1 image (an affiliate or analytics beacon), which readers never see.
    /// Lazy-loading attributes (`data-src`), which only a script reads, and links
    /// (`<a href>`), which load nothing into the page.
    ///
    /// ## Why it matters
    /// An https page that loads `http:` content is "mixed content": browsers block scripts and
    /// frames outright, and load images and media only if their host also serves https. The
    /// reader meets a missing video, a broken image, or a "not secure" warning.
    ///
    /// ## Example
    /// ```html
    /// <img src="http://photos.example.org/harbour.jpg" alt="The harbour">
    /// <iframe src="http://maps.example.org/embed?q=harbour"></iframe>
    /// ```
    /// Use `https://` addresses, or host the image on the site.
    pub struct MixedContent {
        code: "mixed-content",
        severity: Warning,
        summary: "An http: image, video, script or frame on an https page",
        phase: Post,
        reads: ["link", "content.rendered"],
    }
}

/// One `http:` address of an element.
struct Insecure {
    attribute: &'static str,
    url: Url,
    /// The address in the field's HTML.
    span: Range<usize>,
}

impl Rule for MixedContent {
    fn visits(&self) -> Visits {
        Visits::elements(&[
            Kind::Image,
            Kind::Source,
            Kind::Video,
            Kind::Audio,
            Kind::Track,
            Kind::Frame,
            Kind::Script,
            Kind::Embed,
            Kind::Object,
            Kind::Input,
        ])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        let own = post.link_url.as_ref()?;
        post.field(HtmlFieldKind::Content)?;
        if own.scheme() != "https" {
            return None;
        }
        Some(Box::new(InsecureResources {
            own,
            out: Vec::new(),
        }))
    }
}

/// The resources of an https post's content, judged as the walk meets them.
struct InsecureResources<'v> {
    /// The post's own address.
    own: &'v Url,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for InsecureResources<'v> {
    fn element(&mut self, at: &At<'v>, _id: ElementId, element: &'v Element) {
        let (post, field, index) = (at.post, at.field, at.index());
        if field.kind != HtmlFieldKind::Content {
            return;
        }
        let Some(&(tag, attributes)) = RESOURCES.iter().find(|(t, _)| *t == &*element.name) else {
            return;
        };
        if is_tracking_pixel(index, element) {
            return;
        }
        let found = insecure_addresses(index, element, attributes);
        let Some(first) = found.first() else { return };
        if found
            .iter()
            .any(|i| left_to_link_insecure(post, self.own, index, element, i))
        {
            return;
        }
        let diagnostic = if found.len() == 1 && is_src_fallback(index, element, first) {
            fallback_diagnostic(field, post, first)
        } else {
            diagnostic(field, post, tag, first, found.len() - 1)
        };
        self.out.push(diagnostic);
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

/// A 1×1 image (an affiliate or analytics beacon): readers see nothing of it either way.
fn is_tracking_pixel(index: &HtmlIndex, element: &Element) -> bool {
    let tiny = |name: &str| {
        index
            .attribute(element, name)
            .and_then(|a| {
                index
                    .value(a)
                    .trim()
                    .trim_end_matches("px")
                    .parse::<u32>()
                    .ok()
            })
            .is_some_and(|n| n <= 1)
    };
    &*element.name == "img" && tiny("width") && tiny("height")
}

/// The element's `http:` addresses that https would reach, `src` before `srcset`.
fn insecure_addresses(
    index: &HtmlIndex,
    element: &Element,
    attributes: &[&'static str],
) -> Vec<Insecure> {
    let mut found = Vec::new();
    for &name in attributes {
        let Some(attribute) = index.attribute(element, name) else {
            continue;
        };
        let Some(span) = attribute.value_span.clone() else {
            continue;
        };
        let value = index.value(attribute);
        let candidates = if name == "srcset" {
            srcset_urls(value, span.clone())
        } else {
            let trimmed = value.trim_start();
            let start = span.start + value.len() - trimmed.len();
            let url = trimmed.trim_end();
            let exact = span.len() == value.len();
            vec![(
                url,
                if exact {
                    start..start + url.len()
                } else {
                    span
                },
            )]
        };
        for (text, span) in candidates {
            if !text
                .get(..5)
                .is_some_and(|s| s.eq_ignore_ascii_case("http:"))
            {
                continue;
            }
            let Ok(url) = Url::parse(text) else { continue };
            if url.host().is_none_or(|h| https_would_not_help(&h)) {
                continue;
            }
            found.push(Insecure {
                attribute: name,
                url,
                span,
            });
        }
    }
    found
}

/// Whether the one `http:` address of an element is its `src`, which its `srcset` makes a
/// fallback no current browser fetches.
fn is_src_fallback(index: &HtmlIndex, element: &Element, address: &Insecure) -> bool {
    address.attribute == "src" && src_is_fallback(index, element)
}

/// The `http:` `src` of an image whose `srcset` is all https: only browsers that do not read
/// `srcset` load it.
fn fallback_diagnostic(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    address: &Insecure,
) -> Diagnostic {
    let host = address.url.host_str().unwrap_or_default();
    field
        .diagnostic(
            &MixedContent::META,
            post,
            address.span.clone(),
            format!(
                "`<img>` has an `http:` `src` from {host}, but browsers that read its `srcset` \
                 never fetch it: only very old ones would"
            ),
        )
        .with_severity(Severity::Info)
        .with_label("fallback only")
        .with_help(format!("use `https://{host}…` in `src` too"))
}

/// The candidate URLs of a `srcset`, each with its span when the value has no character
/// references (else the whole value).
fn srcset_urls(value: &str, span: Range<usize>) -> Vec<(&str, Range<usize>)> {
    let exact = span.len() == value.len();
    let mut urls = Vec::new();
    let mut offset = 0;
    for candidate in value.split(',') {
        let trimmed = candidate.trim_start();
        let start = offset + candidate.len() - trimmed.len();
        let url = trimmed.split_whitespace().next().unwrap_or_default();
        if !url.is_empty() {
            let range = if exact {
                span.start + start..span.start + start + url.len()
            } else {
                span.clone()
            };
            urls.push((url, range));
        }
        offset += candidate.len() + 1;
    }
    urls
}

/// Whether `link-insecure` reports this address (its `src`, or a `srcset` candidate beside a
/// `src`): an `http:` link to the site's own or an https-only host. That is the element's
/// one finding.
fn left_to_link_insecure(
    post: &PostContext<'_, '_>,
    own: &Url,
    index: &HtmlIndex,
    element: &Element,
    address: &Insecure,
) -> bool {
    let code = codes::LINK_INSECURE;
    if !post.settings.is_enabled(code) {
        return false;
    }
    let listed = &*element.name != "script"
        && (address.attribute == "src"
            || (address.attribute == "srcset" && index.attribute(element, "src").is_some()));
    if !listed {
        return false;
    }
    let host = address.url.host_str().unwrap_or_default();
    let site = &post.settings.site;
    let https_only = site
        .https_only_hosts
        .as_ref()
        .is_some_and(|h| h.value.iter().any(|h| h == host));
    post.settings.options::<insecure::Options>(code).any_http
        || https_only
        || own.host_str() == Some(host)
        || site.hosts().iter().any(|h| h == host)
}

fn diagnostic(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    tag: &str,
    first: &Insecure,
    more: usize,
) -> Diagnostic {
    let host = first.url.host_str().unwrap_or_default();
    let also = match more {
        0 => String::new(),
        1 => " (and 1 more `http:` address of the element)".to_owned(),
        n => format!(" (and {n} more `http:` addresses of the element)"),
    };
    let (message, label) = if is_blocked(tag) {
        (
            format!(
                "`<{tag}>` loads `http:` content from {host} into an https page: browsers block it{also}"
            ),
            "blocked",
        )
    } else {
        (
            format!(
                "`<{tag}>` loads `http:` content from {host} into an https page: it shows only if {host} also serves https{also}"
            ),
            "mixed content",
        )
    };
    let diagnostic = field
        .diagnostic(&MixedContent::META, post, first.span.clone(), message)
        .with_label(label)
        .with_help(format!(
            "use `https://{host}…`, or host the file on the site"
        ));
    if is_blocked(tag) {
        diagnostic.with_severity(Severity::Error)
    } else {
        diagnostic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_candidates_keep_their_spans() {
        let value = "http://a.example/1.jpg 1x, https://b.example/2.jpg 2x";
        let urls = srcset_urls(value, 10..10 + value.len());
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[1].0, "https://b.example/2.jpg");
        assert_eq!(urls[1].1, 10 + 27..10 + 27 + 23);
    }
}
