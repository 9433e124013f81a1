use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::links::outcome::Outcome;
use crate::rule::{CheckedLink, Rule};

use crate::rules::declare_rule;
use crate::rules::helpers::archived::offering_archived_copy;

declare_rule! {
    /// ## What it does
    /// With `--links` (or `[links] remote = true`), reports a link whose target does not work:
    /// 404, 410 and other 4xx answers (but 401, 403 and 429), 5xx after retries, a name that
    /// does not resolve, a refused connection, a TLS failure, no answer before the timeout
    /// (after retries), a redirect loop or more than 10 redirects, a redirect to `file:`,
    /// `javascript:`, `data:` or another scheme a browser will not follow, and a parked or
    /// for-sale domain (its redirects end at a parking service, or its title says so). Each
    /// distinct target is requested once per run, whatever the number of posts that link it;
    /// results are cached. With an archived copy near the post's date, the help names it and
    /// an unsafe fix links it instead. The archive is asked once a second, and all its lookups
    /// of a run share one bound (`--archive-timeout` or `[links] archive-timeout`, 60 s): a
    /// notice names the dead links left, and the next run looks them up.
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
        phase: Links,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkBroken {
    fn check_link(&self, checked: &CheckedLink<'_>, out: &mut Vec<Diagnostic>) {
        if let Outcome::Broken { reason } = &checked.result.outcome {
            let at = checked.link.at.range.clone();
            let dead = Self::diagnostic(at, &checked.link.url, reason);
            out.push(offering_archived_copy(dead, checked));
        }
    }
}

impl LinkBroken {
    /// The finding on the `href`/`src` value at `at`, whose target `url` is broken.
    fn diagnostic(at: Range<usize>, url: &str, reason: &str) -> Diagnostic {
        Diagnostic::new(&Self::META, at, format!("`{url}` is broken: {reason}"))
            .with_label("broken")
            .with_help("fix the address, link an archived copy, or remove the link")
    }
}
