use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::site::SiteFinding;
use crate::site::stages::{SiteOut, SiteRule, SiteRun, StageReader};

use crate::rules::declare_rule;
use crate::rules::helpers::site_links::{Joined, LinkFrom, LinkJoin};

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
    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        Some(run.reading::<LinkJoin>(Drafts))
    }
}

/// The links of published posts joined with the posts they name: those that name one not
/// published.
struct Drafts;

impl StageReader<LinkJoin> for Drafts {
    fn read(&mut self, site: usize, joined: Joined<'_>, out: &mut SiteOut) -> Result<(), String> {
        let (from, Some(target)) = (joined.from, joined.target) else {
            return Ok(());
        };
        let status = target.status.as_deref().unwrap_or("unknown");
        // A post linking itself (by its id or address) is no other post.
        let itself = (target.place.file, target.place.post) == (from.place.file, from.place.post);
        if !from.published || status == "publish" || itself {
            return Ok(());
        }
        let finding = finding(from, status, target.title.as_deref());
        out.found_at(site, from.place, finding);
        Ok(())
    }
}

/// The finding on a link of a published post to a post that is `status`, titled
/// `target_title`.
fn finding(from: &LinkFrom, status: &str, target_title: Option<&str>) -> SiteFinding {
    let link = from.link();
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
    diagnostic.post = Some(from.post.0.clone());
    diagnostic.field = Some("content.rendered");
    SiteFinding::new(from.place.file, diagnostic, &link.target)
}
