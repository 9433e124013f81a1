use crate::meta::RuleMeta;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--links` (or `[links] remote = true`), reports a link whose target does not work:
    /// 404, 410 and other 4xx answers (but 401, 403 and 429), 5xx after retries, a name that
    /// does not resolve, a refused connection, a TLS failure, no answer before the timeout
    /// (after retries), a redirect loop or more than 10 redirects. Each distinct target is
    /// requested once per run, whatever the number of posts that link it; results are cached.
    ///
    /// ## Why it matters
    /// A broken link is a dead end for the reader and a signal of neglect to search engines.
    ///
    /// ## Example
    /// `<a href="https://example.org/removed-report">the report</a>` when the site answers 404.
    pub struct LinkBroken {
        code: "link-broken",
        severity: Error,
        summary: "A link's target is broken (404, 410, 5xx, DNS, TLS, timeout, redirect loop)",
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkBroken {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
