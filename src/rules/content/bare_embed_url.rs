use std::ops::Range;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, ElementId, HtmlIndex, is_blank};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::ascii_first::AsciiFirst;
use crate::rules::helpers::reader_text::{in_literal, looks_unrendered, source_range};

/// Addresses WordPress embeds when they stand alone on a line (its oEmbed providers, and
/// Instagram and Facebook, which it embedded until 5.5), by the paths that are embeddable.
static PROVIDER: AsciiFirst = AsciiFirst::new(
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
);

/// Whether WordPress embeds the address.
fn embeddable(url: &str) -> bool {
    PROVIDER.is_match(url)
}

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
        if !embeddable(&url) || in_literal(index, element.parent) {
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
        crate::diagnostic::append(out, self.out);
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
            assert!(embeddable(url), "{url}");
        }
        for url in [
            "https://twitter.com/#!/izquierdah",
            "https://www.youtube.com/channel/x",
            "https://www.flickr.com/groups/api/discuss/1",
            "https://example.com/watch?v=x",
        ] {
            assert!(!embeddable(url), "{url}");
        }
    }

    /// Starts of addresses of every provider, and of others.
    const HOSTS: &[&str] = &[
        "https://www.youtube.com/",
        "http://m.youtube.com/",
        "https://youtu.be/",
        "https://vimeo.com/",
        "https://player.vimeo.com/",
        "https://www.dailymotion.com/",
        "https://dai.ly/",
        "https://mobile.twitter.com/",
        "https://x.com/",
        "https://www.instagram.com/",
        "https://m.facebook.com/",
        "https://www.tiktok.com/",
        "https://soundcloud.com/",
        "https://open.spotify.com/",
        "https://flic.kr/",
        "https://www.reddit.com/",
        "https://embed.ted.com/",
        "https://a-b.tumblr.com/",
        "https://www.slideshare.net/",
        "https://www.scribd.com/",
        "https://www.mixcloud.com/",
        "https://www.kickstarter.com/",
        "https://speakerdeck.com/",
        "https://blog.wordpress.tv/",
        "https://videopress.com/",
        "https://www.threads.net/",
        "https://bsky.app/",
        "https://www.pinterest.co.uk/",
        "https://example.com/",
        "https://www.flickr.com/",
        "http:/",
    ];
    /// A first path segment: none, words, a name of 15 characters and one of 16.
    const USERS: &[&str] = &[
        "",
        "@a/",
        "a/",
        "a.b/",
        "a-b/",
        "a_b/",
        "name_of_15_char/",
        "name_of_16_chars/",
        "r/a/",
    ];
    /// What follows it.
    const PATHS: &[&str] = &[
        "watch",
        "playlist",
        "shorts/",
        "live/",
        "video/",
        "status/",
        "statuses/",
        "p/",
        "reel/",
        "tv/",
        "posts/",
        "videos/",
        "photos/",
        "watch?",
        "watch/",
        "video.php",
        "photo.php",
        "permalink.php",
        "comments/",
        "talks/",
        "post/",
        "doc/",
        "document/",
        "projects/",
        "v/",
        "profile/a/post/",
        "pin/",
        "",
        "x",
        "/",
        "?",
        " ",
        "\t",
    ];

    /// The two patterns on one address, in lower and upper case.
    fn agree(url: &str) -> bool {
        [url.to_owned(), url.to_ascii_uppercase()]
            .iter()
            .all(|url| {
                PROVIDER.ascii().is_match(url.as_bytes()) == PROVIDER.unicode().is_match(url)
            })
    }

    #[test]
    fn the_ascii_pattern_finds_what_the_unicode_one_finds_on_every_provider() {
        let mut embeddable = 0;
        for host in HOSTS {
            for user in USERS {
                for path in PATHS {
                    for tail in ["", "1", "/x?v=1", " x"] {
                        let url = format!("{host}{user}{path}{tail}");
                        assert!(agree(&url), "{url}");
                        embeddable += usize::from(PROVIDER.unicode().is_match(&url));
                    }
                }
            }
        }
        // The table reaches both answers.
        assert!(embeddable > 1000, "{embeddable}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn the_ascii_pattern_finds_what_the_unicode_one_finds(
            host in 0..HOSTS.len(),
            user in 0..USERS.len(),
            path in 0..PATHS.len(),
            tail in "[ -~]{0,12}",
        ) {
            let url = format!("{}{}{}{tail}", HOSTS[host], USERS[user], PATHS[path]);
            proptest::prop_assert!(agree(&url), "{}", url);
        }
    }

    #[test]
    fn an_address_that_is_not_ascii_is_judged_by_the_unicode_pattern() {
        // `é` is a word character to Unicode, not to ASCII.
        assert!(embeddable("https://x.com/José/status/1"));
        assert!(
            !PROVIDER
                .ascii()
                .is_match("https://x.com/José/status/1".as_bytes())
        );
        assert!(embeddable("https://www.instagram.com/café.ü/p/1"));
    }
}
