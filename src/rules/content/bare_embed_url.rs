use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, ElementId, HtmlIndex, is_blank};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::reader_text::{in_literal, looks_unrendered, source_range};

/// Addresses WordPress embeds when they stand alone on a line (its oEmbed providers, and
/// Instagram and Facebook, which it embedded until 5.5), by the paths that are embeddable.
static PROVIDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^https?://(?:
            (?:www\.|m\.)?youtube\.com/(?:watch|playlist|shorts/|live/)
          | youtu\.be/
          | (?:[\w-]+\.)?vimeo\.com/\S
          | (?:www\.)?dailymotion\.com/video/ | dai\.ly/
          | (?:www\.|mobile\.)?(?:twitter|x)\.com/\w{1,15}/status(?:es)?/
          | (?:www\.)?instagram\.com/(?:[\w.]+/)?(?:p|reel|tv)/
          | (?:www\.|m\.)?facebook\.com/(?:[^/\s]+/(?:posts|videos|photos)/|watch/?\?|video\.php|photo\.php|permalink\.php)
          | (?:www\.)?tiktok\.com/@[^/\s]+/video/
          | (?:www\.|m\.)?soundcloud\.com/[^/\s]+/
          | (?:open|play)\.spotify\.com/
          | (?:www\.)?flickr\.com/photos/ | flic\.kr/
          | (?:www\.)?reddit\.com/r/[^/\s]+/comments/
          | (?:www\.|embed\.)?ted\.com/talks/
          | [\w-]+\.tumblr\.com/post/
          | (?:www\.)?slideshare\.net/[^/\s]+/
          | (?:www\.)?scribd\.com/(?:doc|document)/
          | (?:www\.)?mixcloud\.com/[^/\s]+/
          | (?:www\.)?kickstarter\.com/projects/
          | speakerdeck\.com/[^/\s]+/
          | (?:[\w-]+\.)?wordpress\.tv/\S
          | videopress\.com/v/
          | (?:www\.)?threads\.net/@
          | bsky\.app/profile/[^/\s]+/post/
          | (?:www\.)?pinterest\.[a-z.]+/pin/
        )",
    )
    .expect("the provider pattern")
});

declare_rule! {
    /// ## What it does
    /// Reports a paragraph (or an embed block's wrapper) whose only content is the address of
    /// a video, post or track that WordPress embeds (YouTube, Vimeo, X/Twitter, Instagram,
    /// Facebook, TikTok, SoundCloud, Spotify, Flickr, Reddit, TED, Tumblr …), as plain text,
    /// in the rendered HTML: the embed failed, and readers see an address, not even a link,
    /// where the player should be. It points at the address.
    ///
    /// Not reported: an address that is a link (`<a href="…">https://youtu.be/…</a>`), which
    /// is both WordPress's fallback for a failed embed and a link an author made on purpose
    /// (a post about the addresses themselves shows them so); readers can follow it either
    /// way. Addresses of pages that are not embeddable (a channel, a profile, a search), an
    /// address in a sentence or beside other text, one in `pre` or `code`, and a
    /// field that holds the post's raw content rather than its rendering (block delimiters
    /// such as `<!-- wp:embed -->`, or a blank line between words), where
    /// WordPress still embeds the address for readers.
    ///
    /// ## Why it matters
    /// The author placed a video or a post there; the reader gets a line of URL and has to
    /// leave the page to see it. Embeds fail when the provider removed the item, changed its
    /// API (Instagram and Facebook since WordPress 5.5), or the site's oEmbed cache broke.
    ///
    /// ## Example
    /// ```html
    /// <p>Watch the launch:</p>
    /// <p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>
    /// ```
    /// Re-embed it (an Embed block, or the provider's embed code), or link it in a sentence.
    pub struct BareEmbedUrl {
        code: "bare-embed-url",
        severity: Warning,
        summary: "A paragraph that holds only the URL of a video or post whose embed failed",
        phase: Post,
        reads: ["content.rendered"],
        markup: Rendered,
    }
}

impl Rule for BareEmbedUrl {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Paragraph, Kind::Division])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        post.field(HtmlFieldKind::Content)?;
        Some(Box::new(BareUrls {
            unrendered: None,
            out: Vec::new(),
        }))
    }
}

/// The paragraphs and embed wrappers of a post's content, judged as the walk meets them.
struct BareUrls {
    /// Whether the content looks like text WordPress never rendered, asked at the first
    /// candidate: then nothing of it is reported from there on.
    unrendered: Option<bool>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for BareUrls {
    fn element(&mut self, at: &At<'v>, _id: ElementId, element: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content
            || self.unrendered == Some(true)
            || !holds_embed(index, element)
        {
            return;
        }
        let Some((url, span)) = lone_url(field, element) else {
            return;
        };
        // Walking up for `pre` and `code` only for the few that hold a provider's URL.
        if !PROVIDER.is_match(&url) || in_literal(index, element.parent) {
            return;
        }
        if *self
            .unrendered
            .get_or_insert_with(|| looks_unrendered(index))
        {
            return;
        }
        self.out.push(diagnostic(field, at.post, span, &url));
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        out.extend(self.out);
    }
}

/// A paragraph, or the wrapper of an Embed block (whether it is in code is asked last).
fn holds_embed(index: &HtmlIndex, element: &Element) -> bool {
    let wrapper = || {
        &*element.name == "div"
            && index.attribute(element, "class").is_some_and(|c| {
                index
                    .value(c)
                    .split_whitespace()
                    .any(|c| c == "wp-block-embed__wrapper")
            })
    };
    element.has.text && !element.has.media && (&*element.name == "p" || wrapper())
}

/// The URL that is all the element's visible text, with its range in the field's HTML.
fn lone_url(field: &HtmlField<'_, '_>, element: &Element) -> Option<(String, Range<usize>)> {
    let index = &field.index;
    // Every paragraph comes here: no allocation, and a second run of text ends the look.
    let mut runs =
        (index.texts_in(element.content.clone()).iter()).filter(|t| !is_blank(index.text(t)));
    let (Some(run), None) = (runs.next(), runs.next()) else {
        return None;
    };
    // A link to itself is how WordPress shows a failed embed, and how authors link an address
    // on purpose: the two cannot be told apart, and readers can follow either.
    if index.link_of(run).is_some() {
        return None;
    }
    let text = index.text(run);
    let url = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}');
    if url.contains(char::is_whitespace) || !url.starts_with("http") {
        return None;
    }
    let start = text.len() - text.trim_start_matches(|c: char| c.is_whitespace()).len();
    let span = source_range(field.source.as_str(), index, run, start..start + url.len());
    Some((url.to_owned(), span))
}

fn diagnostic(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    span: Range<usize>,
    url: &str,
) -> Diagnostic {
    field
        .diagnostic(
            &BareEmbedUrl::META,
            post,
            span,
            format!("the embed of `{url}` failed: readers see its bare address"),
        )
        .with_label("bare embed address")
        .with_help("embed it again (an Embed block or the provider's embed code), or link it in a sentence")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddable_addresses_are_told_from_other_pages() {
        for url in [
            "https://www.youtube.com/watch?v=x",
            "http://youtu.be/x",
            "https://vimeo.com/123",
            "https://x.com/WordPress/status/1",
            "https://www.instagram.com/p/Bx/",
            "https://open.spotify.com/track/1",
            "https://www.flickr.com/photos/fukata/1",
        ] {
            assert!(PROVIDER.is_match(url), "{url}");
        }
        for url in [
            "https://twitter.com/#!/izquierdah",
            "https://www.youtube.com/channel/x",
            "https://www.flickr.com/groups/api/discuss/1",
            "https://example.com/watch?v=x",
        ] {
            assert!(!PROVIDER.is_match(url), "{url}");
        }
    }
}
