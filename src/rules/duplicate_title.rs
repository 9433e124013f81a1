use crate::config::Effective;
use crate::rule::Rule;
use crate::site::{PostFacts, SiteFinding, Valued};

use super::declare_rule;
use super::duplicates::report;

/// Titles compare as a reader reads them: case and spacing do not matter.
fn title_key(post: &PostFacts) -> Option<(String, &Valued)> {
    let title = post.title.as_ref()?;
    let words: Vec<&str> = title.value.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let kind = post.post_type.as_deref().unwrap_or("post");
    Some((
        format!(
            "{kind}\u{0}{:?}\u{0}{}",
            post.language,
            words.join(" ").to_lowercase()
        ),
        title,
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports published posts of one type of one site with the same title (as a reader sees
    /// it: tags removed, entities decoded, case and spacing ignored). Translations in the
    /// language folders of a multilingual site (`/en/…`) are compared within their language;
    /// two versions of one post (the same `id`) count once. Each post after the first is reported, naming the first.
    ///
    /// ## Why it matters
    /// Readers cannot tell the posts apart in lists, feeds and search results, and search
    /// engines pick one of them.
    ///
    /// ## Example
    /// Two published posts titled "Weekly briefing".
    pub struct DuplicateTitle {
        code: "duplicate-title",
        severity: Warning,
        summary: "Published posts of one type share a title",
        phase: Site,
        reads: ["title.rendered", "type", "status"],
    }
}

impl Rule for DuplicateTitle {
    fn check_site(
        &self,
        _host: &str,
        posts: &[PostFacts],
        _settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        report(&Self::META, posts, title_key, "title", out);
        None
    }
}
