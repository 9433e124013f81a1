use crate::config::Effective;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::site::{InternalLink, PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::site_links::{SitePosts, is_archive_or_asset};

declare_rule! {
    /// ## What it does
    /// Reports a link to the site's own pages (on the host of the post's `link`, below the
    /// site's root folder, or on one of the `[site] hosts`) whose target is not a post or page
    /// of the site in the run:
    /// matched by permalink (compared like `duplicate-link`), by `?p=ID` or `?page_id=ID`, or by
    /// the slug in the last segment of its path. Links to uploads, feeds, categories, tags,
    /// authors, date archives, search and the home page are not post links and are left alone.
    ///
    /// It needs the whole site in the run: a pack must say `export = "complete"` (or the posts
    /// and pages of every status were fetched whole from the site). Otherwise it stays silent
    /// and the summary says why. When some posts only are read from a site (`--post`, a post's
    /// address), a target not in the run is asked of the site before it is reported.
    ///
    /// ## Why it matters
    /// A link to a post that was deleted or renamed is broken even when the site answers 200
    /// with a search page or a redirect to the home page, so no HTTP check finds it.
    ///
    /// ## Example
    /// `<a href="https://news.example.com/2023/05/old-slug/">earlier</a>` when no post of the
    /// export has that permalink or the slug `old-slug`.
    pub struct LinkInternalMissing {
        code: "link-internal-missing",
        severity: Warning,
        summary: "A link to the site's own post or page that is not in the export",
        phase: Site,
        reads: ["content.rendered", "link", "slug", "id"],
    }
}

impl Rule for LinkInternalMissing {
    fn check_site(
        &self,
        site_name: &str,
        posts: &[PostFacts],
        settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        let links = posts.iter().map(|p| p.internal_links.len()).sum::<usize>();
        if !export_complete(settings) {
            return (links > 0).then(|| not_checked(site_name));
        }
        let site = SitePosts::new(posts);
        for post in posts {
            for link in &post.internal_links {
                if is_archive_or_asset(link) || site.target(link).is_some() {
                    continue;
                }
                out.push(finding(site_name, post, link));
            }
        }
        None
    }
}

/// The finding on `link` of `post`, whose target is no post of `site_name`.
pub fn finding(site_name: &str, post: &PostFacts, link: &InternalLink) -> SiteFinding {
    let mut diagnostic = Diagnostic::new(
        &LinkInternalMissing::META,
        link.at.range.clone(),
        format!(
            "no post or page of {site_name} has the address `{}`",
            link.target
        ),
    )
    .with_label("not in the site")
    .with_help("the target was deleted or renamed: link its new address, or remove the link");
    diagnostic.post = Some(post.post.clone());
    diagnostic.field = Some("content.rendered");
    SiteFinding::new(post.file, diagnostic, &link.target)
}

/// The target a finding of this rule names, as its message quotes it; `None` for another
/// rule's finding, or a target too long to be quoted whole.
pub fn target_of(diagnostic: &Diagnostic) -> Option<&str> {
    if diagnostic.rule != LinkInternalMissing::META.code {
        return None;
    }
    let (_, quoted) = diagnostic.message.rsplit_once(" has the address `")?;
    let target = quoted.strip_suffix('`')?;
    (!target.contains("…[")).then_some(target)
}

/// Whether the run is said to hold every post of the site, without which the rule is silent.
pub fn export_complete(settings: &Effective) -> bool {
    (settings.site.export_complete.as_ref()).is_some_and(|e| e.value)
}

/// The summary's line for a site whose internal links were not checked.
pub fn not_checked(site_name: &str) -> String {
    format!(
        "{site_name}: internal links not checked, the run may not hold the whole site (set `export = \"complete\"`)"
    )
}
