use crate::meta::RuleMeta;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--links`, reports a link whose target redirects permanently (301 or 308); the
    /// message gives the final URL.
    ///
    /// ## Why it matters
    /// Every reader pays the extra round trip, and the redirect may be dropped one day; linking
    /// the final URL is both faster and safer.
    ///
    /// ## Example
    /// `http://example.org/old` answering 301 to `https://example.org/new`.
    pub struct LinkRedirect {
        code: "link-redirect",
        severity: Info,
        summary: "A link goes through a permanent redirect (301, 308)",
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkRedirect {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
