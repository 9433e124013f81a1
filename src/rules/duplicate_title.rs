use crate::config::Effective;
use crate::rule::Rule;
use crate::site::{PlacedValue, PostFacts, SiteFinding};

use super::declare_rule;
use super::duplicate_slug::DuplicateSlug;
use super::duplicates::{Member, groups, report_group};

/// This many posts or more under one title are a series ("MiniPosts", "Weekly briefing"),
/// named so on purpose; two are a post published twice or a rewrite beside its original.
const SERIES: usize = 3;

/// Titles compare as a reader reads them: case and spacing do not matter.
pub fn title_key(post: &PostFacts) -> Option<(String, &PlacedValue)> {
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
    fn check_site(
        &self,
        _host: &str,
        posts: &[PostFacts],
        settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        let slug_reported = settings.is_enabled(DuplicateSlug::META.code);
        for group in groups(posts, title_key).iter().filter(|g| g.len() < SERIES) {
            let keep = |member: &Member<'_>| !(slug_reported && shares_older_slug(group, member));
            report_group(&Self::META, group, "title", keep, out);
        }
        None
    }
}

/// Whether an older post of the group has this post's slug under the same parent: the pair
/// `duplicate-slug` reports.
fn shares_older_slug(group: &[Member<'_>], (post, _): &Member<'_>) -> bool {
    let Some(own) = slug_of(post) else {
        return false;
    };
    group
        .iter()
        .take_while(|(other, _)| !std::ptr::eq(*other, *post))
        .any(|(other, _)| other.parent == post.parent && slug_of(other) == Some(own))
}

fn slug_of(post: &PostFacts) -> Option<&str> {
    let slug = post.slug.as_ref()?.value.as_str();
    (!slug.is_empty()).then_some(slug)
}
