use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::input::json::JsonStyle;
use crate::rule::Rule;

use crate::rules::declare_rule;

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

impl Rule for LinkBroken {}

impl LinkBroken {
    /// The finding on the `href`/`src` value at `at`, whose target `url` is broken.
    pub fn diagnostic(at: Range<usize>, url: &str, reason: &str) -> Diagnostic {
        Diagnostic::new(&Self::META, at, format!("`{url}` is broken: {reason}"))
            .with_label("broken")
            .with_help("fix the address, link an archived copy, or remove the link")
    }
}

/// Names the archived copy `copy_url` of `date` in the help of a dead link's finding, with an
/// unsafe fix that writes it in place of the target at `at`: `written` is the copy as the
/// HTML must hold it there (escaped for the attribute's quoting; `None` when the target's place
/// cannot take it, and there is no fix), put in the field's JSON `style`.
pub fn with_archived_copy(
    diagnostic: Diagnostic,
    (at, style): (Range<usize>, JsonStyle),
    written: Option<String>,
    (copy_url, date): (&str, &str),
) -> Diagnostic {
    let words = format!("link the archived copy of {date}: `{copy_url}`");
    let diagnostic = diagnostic.with_help(words.clone());
    match written {
        Some(written) => {
            let edit = Edit::replace(at, style.encode(&written));
            diagnostic.with_fix(Applicability::Unsafe, words, vec![edit])
        }
        None => diagnostic,
    }
}
