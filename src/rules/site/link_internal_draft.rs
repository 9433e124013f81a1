use crate::config::Effective;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::site::{InternalLink, PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::site_links::{SitePosts, is_archive_or_asset};

declare_rule! {
    /// ## What it does
    /// Reports a published post that links to a post of the same site (in the run) whose
    /// status is not `publish`: a draft, a pending or scheduled post, a private one.
    ///
    /// ## Why it matters
    /// Readers get a "page not found" (or a login page) until the target is published, and a
    /// scheduled target may never be.
    ///
    /// ## Example
    /// A published analysis linking `?p=812`, a draft.
    pub struct LinkInternalDraft {
        code: "link-internal-draft",
        severity: Warning,
        summary: "A published post links to a post that is not published",
        phase: Site,
        reads: ["content.rendered", "status", "link", "slug", "id"],
    }
}

impl Rule for LinkInternalDraft {
    fn check_site(
        &self,
        _host: &str,
        posts: &[PostFacts],
        _settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        let site = SitePosts::new(posts);
        for post in posts
            .iter()
            .filter(|p| p.status.as_deref() == Some("publish"))
        {
            for link in &post.internal_links {
                if is_archive_or_asset(link) {
                    continue;
                }
                let Some(target) = site.target(link) else {
                    continue;
                };
                let status = target.status.as_deref().unwrap_or("unknown");
                if status == "publish" || std::ptr::eq(target, post) {
                    continue;
                }
                out.push(finding(post, link, status, target.post.title.as_deref()));
            }
        }
        None
    }
}

/// The finding on `link` of `post` to a post that is `status`, titled `target_title`.
pub fn finding(
    post: &PostFacts,
    link: &InternalLink,
    status: &str,
    target_title: Option<&str>,
) -> SiteFinding {
    let mut diagnostic = Diagnostic::new(
        &LinkInternalDraft::META,
        link.at.range.clone(),
        format!("links to a post that is `{status}`, not published"),
    )
    .with_label(format!("{status} post"))
    .with_help(format!(
        "publish \"{}\" first, or remove the link until it is",
        target_title.unwrap_or("the target")
    ));
    diagnostic.post = Some(post.post.clone());
    diagnostic.field = Some("content.rendered");
    SiteFinding::new(post.file, diagnostic, &link.target)
}
