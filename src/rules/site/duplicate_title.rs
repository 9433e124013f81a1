use crate::rule::Rule;
use crate::site::stages::{SiteRule, SiteRun};

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::duplicates::{Duplicates, KeyOf, Placed, Published, Series};

/// This many posts or more under one title are a series ("MiniPosts", "Weekly briefing"),
/// named so on purpose; two are a post published twice or a rewrite beside its original.
const SERIES: usize = 3;

/// Titles compare as a reader reads them: case and spacing do not matter.
fn title_key(post: &Published) -> Option<(String, &Placed)> {
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
    /// Not reported: a series, three or more posts under one title, which a site names so on
    /// purpose (WordPress numbers their slugs `title-2`, `title-3`, …); and a post that also
    /// has the slug of an older post with its title, which `duplicate-slug` reports (unless it
    /// is off): one defect, one finding.
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
    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        let series = Series {
            from: SERIES,
            slug_reported: run.settings.is_enabled(codes::DUPLICATE_SLUG),
        };
        let key = (title_key as KeyOf, "title");
        Some(Duplicates::start(run, &Self::META, key, Some(series)))
    }
}
