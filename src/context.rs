//! The one parsed view of a post that every rule reads: its JSON values, its HTML fields
//! tokenized once, its links and dates parsed once, and the settings in force for it.

pub mod walk;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use url::Url;

use crate::blocks::Blocks;
use crate::config::Effective;
use crate::dates::PostDates;
use crate::diagnostic::{Body, Diagnostic, MAX_STATUS_CHARS, PostRef};
use crate::html::HtmlIndex;
use crate::input::json::{JsonStr, JsonStyle};
use crate::links::{self, Link};
use crate::meta::{Markup, RuleMeta};
use crate::post::{Dialect, Form, HtmlFieldKind, Post};

/// An HTML field of a post, tokenized once.
pub struct HtmlField<'p, 's> {
    pub kind: HtmlFieldKind,
    /// Raw (as the author wrote it) or rendered (as the site served it).
    pub form: Form,
    pub source: &'p JsonStr<'s>,
    pub index: HtmlIndex,
    /// The field's Gutenberg blocks, read from the index's comments.
    pub blocks: Blocks,
    /// The segment the post was read from, and its file offset.
    segment: &'s [u8],
    base: usize,
    /// How the field's JSON string is written, read from the segment when a fix first asks.
    style: OnceLock<JsonStyle>,
    dialect: Dialect,
}

impl HtmlField<'_, '_> {
    /// The field's name in reports (`content.rendered`, `content:encoded`, `post_content`).
    pub fn path(&self) -> &'static str {
        self.kind.path_in(self.dialect, self.form)
    }

    /// How the field's JSON string is written, so that fixes write alike.
    pub fn style(&self) -> JsonStyle {
        *self.style.get_or_init(|| self.source.style(self.segment))
    }

    /// HTML as it must be written into this field's JSON string.
    pub fn encode(&self, html: &str) -> String {
        self.style().encode(html)
    }

    /// Maps a range of the decoded HTML to the bytes of the file, through the JSON escapes.
    pub fn file_range(&self, decoded: Range<usize>) -> Range<usize> {
        let local = self.source.file_range(decoded);
        self.base + local.start..self.base + local.end
    }

    /// A diagnostic on a range of this field's HTML.
    pub fn diagnostic(
        &self,
        meta: &RuleMeta,
        post: &PostContext<'_, '_>,
        decoded: Range<usize>,
        message: impl Into<crate::diagnostic::Text>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(meta, self.file_range(decoded), message);
        diagnostic.field = Some(self.path());
        diagnostic.post = Some(post.post_ref.clone());
        diagnostic
    }
}

/// The one parsed view of a post that every rule reads.
pub struct PostContext<'p, 's> {
    pub post: &'p Post<'s>,
    /// The post's four dates, parsed.
    pub dates: PostDates<'p>,
    pub html: Vec<HtmlField<'p, 's>>,
    /// The links of the HTML fields, parsed once, in field and document order.
    pub links: Vec<Link>,
    /// The post's own address, which relative links resolve against.
    pub base_url: Url,
    /// The post's `link` as the url crate parses it, parsed once here for every rule and the
    /// site facts; `None` without a `link` or when it is no URL.
    pub link_url: Option<Url>,
    /// The root URL of the post's site (`site_root`), worked out once: the post's name in
    /// reports and the site phase's grouping both read it.
    pub site_root: Option<Url>,
    pub post_ref: Arc<PostRef>,
    /// The rules, severities, options and site facts in force for this post.
    pub settings: Arc<Effective>,
    /// File offset of the segment the post was read from: spans in `post` are relative to it.
    pub base: usize,
    /// The reference time (UTC) for "in the future" and "in the past".
    pub now: chrono::NaiveDateTime,
    /// Which text of the post `html` holds: what the author wrote, or what the site rendered.
    pub markup: Markup,
}

impl<'p, 's> PostContext<'p, 's> {
    /// Whether a link is inside `<pre>` or `<code>`: markup of a code sample that was not
    /// escaped, whose `href` is the sample's code rather than a link the author meant
    /// (`unclosed-element` and `text-hidden-as-tag` report the unescaped sample).
    pub fn in_code_sample(&self, link: &Link) -> bool {
        self.html.get(link.field).is_some_and(|field| {
            let index = &field.index;
            index
                .elements
                .get(link.element)
                .is_some_and(|element| crate::html::structure::code_block(index, element).is_some())
        })
    }

    /// The HTML field of a kind, when the post has it.
    pub fn field(&self, kind: HtmlFieldKind) -> Option<&HtmlField<'p, 's>> {
        self.html.iter().find(|f| f.kind == kind)
    }

    /// A diagnostic on a link's value.
    pub fn link_diagnostic(
        &self,
        meta: &RuleMeta,
        link: &Link,
        message: impl Into<crate::diagnostic::Text>,
    ) -> Diagnostic {
        self.html[link.field].diagnostic(meta, self, link.span.clone(), message)
    }

    /// A diagnostic on a JSON value of the post (`date_gmt`), by its span in the segment.
    pub fn value_diagnostic(
        &self,
        meta: &RuleMeta,
        local: &Range<usize>,
        field: &'static str,
        message: impl Into<crate::diagnostic::Text>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(meta, self.file_range(local), message);
        diagnostic.post = Some(self.post_ref.clone());
        diagnostic.field = Some(field);
        diagnostic
    }

    /// The file range of a range in the post's segment (a JSON value's `span`).
    pub fn file_range(&self, local: &Range<usize>) -> Range<usize> {
        self.base + local.start..self.base + local.end
    }

    /// The post's view for the rules that read `markup`: for `Written`, each field's raw text
    /// when the post has it, else its rendered text; for `Rendered`, only rendered text.
    pub fn new(
        post: &'p Post<'s>,
        (base, segment): (usize, &'s [u8]),
        (settings, markup): (Arc<Effective>, Markup),
        now: chrono::NaiveDateTime,
    ) -> Self {
        let pick = |kind| match markup {
            Markup::Written => (post.html_field_in(kind, Form::Raw).map(|s| (s, Form::Raw)))
                .or_else(|| {
                    post.html_field_in(kind, Form::Rendered)
                        .map(|s| (s, Form::Rendered))
                }),
            Markup::Rendered => post
                .html_field_in(kind, Form::Rendered)
                .map(|s| (s, Form::Rendered)),
        };
        let html: Vec<_> = HtmlFieldKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let (source, form) = pick(kind)?;
                let index = HtmlIndex::parse(source.as_str());
                let blocks = Blocks::parse(source.as_str());
                Some(HtmlField {
                    kind,
                    form,
                    source,
                    index,
                    blocks,
                    segment,
                    base,
                    style: OnceLock::new(),
                    dialect: post.dialect,
                })
            })
            .collect();
        let link_url = post.link().and_then(|link| Url::parse(link).ok());
        let base_url = links::base_url(link_url.as_ref());
        let mut links = Vec::new();
        let joiner = links::Joiner::new(&base_url);
        for (i, f) in html.iter().enumerate() {
            if f.kind != HtmlFieldKind::Title {
                links::find(i, &f.index, &joiner, &mut links);
            }
        }
        let title = html
            .iter()
            .find(|f| f.kind == HtmlFieldKind::Title)
            .map(|f| f.index.plain_text().trim().to_owned());
        let site_root = crate::site_root::site_root(post, link_url.as_ref(), &settings.site.urls);
        let post_ref = Arc::new(PostRef {
            index: post.index,
            id: post.id(),
            link: post.link().map(str::to_owned),
            title,
            site: site_root.as_ref().map(|root| root.as_str().to_owned()),
            status: post
                .str_at("status")
                .map(|s| crate::diagnostic::elided(s.as_str(), MAX_STATUS_CHARS).into_owned()),
            body: body(post, base),
        });
        Self {
            post,
            dates: PostDates::read(post),
            html,
            links,
            base_url,
            link_url,
            site_root,
            post_ref,
            settings,
            base,
            now,
            markup,
        }
    }
}

/// Where the post's body is in the file: what readers get when the post holds it, else the
/// text as written.
fn body(post: &Post<'_>, base: usize) -> Option<Body> {
    let raw = post.html_field_in(HtmlFieldKind::Content, Form::Raw);
    let at = |source: &JsonStr<'_>, rendered| Body {
        range: base + source.raw.start..base + source.raw.end,
        rendered,
        signed_in: rendered && raw.is_some(),
    };
    match post.html_field_in(HtmlFieldKind::Content, Form::Rendered) {
        Some(rendered) => Some(at(rendered, true)),
        None => Some(at(raw?, false)),
    }
}
