use crate::config::Effective;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
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
    fn check_site(
        &self,
        _site: &str,
        posts: &[PostFacts],
        _settings: &Effective,
        out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        for post in posts {
            // The host of the post's own `link`, not its site's: a site is more than a host.
            let (Some(guid), Some(host)) = (&post.guid_host, &post.host) else {
                continue;
            };
            if guid.value == *host {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                guid.at.range.clone(),
                format!("`guid` is on {}, `link` on {host}", guid.value),
            )
            .with_label("another host")
            .with_help("expected after a domain move; keep the guid as it is");
            diagnostic.post = Some(post.post.clone());
            diagnostic.field = Some("guid.rendered");
            out.push(SiteFinding::new(post.file, diagnostic, &guid.value));
        }
        None
    }
}
