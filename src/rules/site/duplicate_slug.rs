use crate::rule::Rule;
use crate::site::stages::{SiteRule, SiteRun};

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::duplicates::{Duplicates, Placed, Published};

/// Posts share a slug when they are of one type and, for pages, one parent.
fn slug_key(post: &Published) -> Option<(String, &Placed)> {
    let slug = post.slug.as_ref().filter(|s| !s.value.is_empty())?;
    let kind = post.post_type.as_deref().unwrap_or("post");
    Some((
        format!(
            "{kind}\u{0}{:?}\u{0}{:?}\u{0}{}",
            post.language, post.parent, slug.value
        ),
        slug,
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports published posts of one type (posts, pages, …) of one site that share a `slug`.
    /// Pages under different parents may share one, and so may translations in the language
    /// folders of a multilingual site (`/en/…`); two versions of one post (the same `id`) count
    /// once. Each post after the first is reported, naming the first.
    ///
    /// ## Why it matters
    /// WordPress gives every post of a type its own slug (it appends `-2`); two with the same
    /// one come from an import or a direct database write, and only one of them can be reached
    /// at its address.
    ///
    /// ## Example
    /// Two published posts with `"slug": "budget-2024"`.
    pub struct DuplicateSlug {
        code: codes::DUPLICATE_SLUG,
        severity: Error,
        summary: "Published posts of one type share a slug",
        phase: Site,
        reads: ["slug", "type", "status", "parent"],
    }
}

impl Rule for DuplicateSlug {
    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        Some(Duplicates::start(
            run,
            &Self::META,
            (slug_key, "slug"),
            None,
        ))
    }
}
