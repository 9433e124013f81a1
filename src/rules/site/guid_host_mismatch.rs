use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::site::stages::{SiteOut, SiteRule, SiteRun};
use crate::site::{PostFacts, SiteFinding};

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a post whose `guid` is on another host than its `link`. Off by default: after a
    /// domain move this is expected (WordPress never rewrites guids); it is for migration
    /// audits.
    ///
    /// ## Why it matters
    /// Feed readers use the guid to tell posts apart; during a migration it shows which posts
    /// came from where.
    ///
    /// ## Example
    /// `"guid": {"rendered": "http://old.example.com/?p=12"}` with
    /// `"link": "https://news.example.com/story/"`.
    pub struct GuidHostMismatch {
        code: "guid-host-mismatch",
        severity: Info,
        summary: "guid is on another host than link (off by default; for migration audits)",
        phase: Site,
        reads: ["guid.rendered", "link"],
        enabled: false,
    }
}

impl Rule for GuidHostMismatch {
    fn site(&self, _run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        Some(Box::new(EachPost))
    }
}

/// Looks at one post at a time: nothing is grouped.
struct EachPost;

impl SiteRule for EachPost {
    fn post(&mut self, site: usize, post: &PostFacts, out: &mut SiteOut) -> Result<(), String> {
        // The host of the post's own `link`, not its site's: a site is more than a host.
        let (Some(guid), Some(host)) = (&post.guid_host, &post.host) else {
            return Ok(());
        };
        if *guid.value == **host {
            return Ok(());
        }
        let mut diagnostic = Diagnostic::new(
            &GuidHostMismatch::META,
            guid.at.range.clone(),
            format!("`guid` is on {}, `link` on {host}", guid.value),
        )
        .with_label("another host")
        .with_help("expected after a domain move; keep the guid as it is");
        diagnostic.post = Some(post.post.clone());
        diagnostic.field = Some("guid.rendered");
        out.found(site, SiteFinding::new(post.file, diagnostic, &guid.value));
        Ok(())
    }

    fn finish(self: Box<Self>, _out: &mut SiteOut) -> Result<(), String> {
        Ok(())
    }
}
