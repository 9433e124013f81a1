use crate::config::Effective;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::site::stages::{SiteOut, SiteRule, SiteRun, StageReader};
use crate::site::{PostFacts, SiteFinding};

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::missing_target::missing_message;
use crate::rules::helpers::site_links::{Joined, LinkFrom, LinkJoin};

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
        code: codes::LINK_INTERNAL_MISSING,
        severity: Warning,
        summary: "A link to the site's own post or page that is not in the export",
        phase: Site,
        reads: ["content.rendered", "link", "slug", "id"],
    }
}

impl Rule for LinkInternalMissing {
    fn site(&self, run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        if !export_complete(&run.settings) {
            return Some(Box::new(NotChecked::default()));
        }
        Some(run.reading::<LinkJoin>(Missing))
    }
}

/// Every link of the site's posts joined with the post it names: those that name none.
struct Missing;

impl StageReader<LinkJoin> for Missing {
    fn read(&mut self, site: usize, joined: Joined<'_>, out: &mut SiteOut) -> Result<(), String> {
        if joined.target.is_none() {
            let finding = finding(out.site_name(site), joined.from);
            out.found_at(site, joined.from.place, finding);
        }
        Ok(())
    }
}

/// Without the whole site in the run: a line for the summary of each site with internal links.
#[derive(Default)]
struct NotChecked {
    noted: Option<usize>,
}

impl SiteRule for NotChecked {
    fn post(&mut self, site: usize, post: &PostFacts, out: &mut SiteOut) -> Result<(), String> {
        if !post.internal_links.is_empty() && self.noted != Some(site) {
            self.noted = Some(site);
            let note = not_checked(out.site_name(site));
            out.note(site, note);
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _out: &mut SiteOut) -> Result<(), String> {
        Ok(())
    }
}

/// The finding on a link whose target is no post of `site_name`.
fn finding(site_name: &str, from: &LinkFrom) -> SiteFinding {
    let link = from.link();
    let mut diagnostic = Diagnostic::new(
        &LinkInternalMissing::META,
        link.at.range.clone(),
        missing_message(site_name, &link.target),
    )
    .with_label("not in the site")
    .with_help("the target was deleted or renamed: link its new address, or remove the link");
    diagnostic.post = Some(from.post.0.clone());
    diagnostic.field = Some("content.rendered");
    SiteFinding::new(from.place.file, diagnostic, &link.target)
}

/// Whether the run is said to hold every post of the site, without which the rule is silent.
fn export_complete(settings: &Effective) -> bool {
    (settings.site.export_complete.as_ref()).is_some_and(|e| e.value)
}

/// The summary's line for a site whose internal links were not checked.
fn not_checked(site_name: &str) -> String {
    format!(
        "{site_name}: internal links not checked, the run may not hold the whole site (set `export = \"complete\"`)"
    )
}
