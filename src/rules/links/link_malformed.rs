use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::links::Link;
use crate::rule::Rule;

use crate::rules::declare_rule;

/// Schemes that are fine in a post.
const KNOWN_SCHEMES: [&str; 14] = [
    "http", "https", "mailto", "tel", "sms", "ftp", "data", "webcal", "geo", "irc", "news",
    "magnet", "whatsapp", "skype",
];

/// What is wrong with a link's value, and how much it matters; `None` for nothing. The
/// severity is `None` where the rule's own applies.
struct Problem {
    message: String,
    severity: Option<Severity>,
    help: Option<&'static str>,
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Self {
            message,
            severity: None,
            help: None,
        }
    }
}

/// `http://` or `https://` (in any case) and no third slash: none of the problems below but
/// the parse's own can be in it, so most links need no lower-cased copy.
fn is_web_address_with_host(value: &str) -> bool {
    let bytes = value.as_bytes();
    let after = |scheme: &[u8]| {
        (bytes.len() >= scheme.len() && bytes[..scheme.len()].eq_ignore_ascii_case(scheme))
            .then(|| &bytes[scheme.len()..])
    };
    after(b"https://")
        .or_else(|| after(b"http://"))
        .is_some_and(|rest| rest.first() != Some(&b'/'))
}

/// What is wrong with a link's value, if anything.
fn problem(link: &Link) -> Option<Problem> {
    let value = link.value.as_str();
    if value.is_empty() || value.starts_with('#') || value.starts_with("{{") {
        return None;
    }
    if is_web_address_with_host(value) && link.target.is_ok() {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if let Some(code) = lower.strip_prefix("javascript:") {
        return Some(javascript(value, code));
    }
    if let Some(problem) = mangled_scheme(&lower) {
        return Some(problem.into());
    }
    if let Some(rest) = lower.strip_prefix("mailto:")
        && rest.trim().is_empty()
    {
        return Some("`mailto:` has no address".to_owned().into());
    }
    if lower.starts_with("http:///") || lower.starts_with("https:///") {
        return Some(
            "the URL has no host (three slashes after the scheme)"
                .to_owned()
                .into(),
        );
    }
    match &link.target {
        Ok(_) => None,
        Err(error) => Some(format!("not a valid URL: {error}").into()),
    }
}

/// A `javascript:` URL. `javascript:void(0)` and `javascript:;` are the no-op target that
/// themes and page builders give toggles and tabs, whose script handles the click: a reader
/// sees a control, not a broken link. Other code in an `href` is worth a look.
fn javascript(value: &str, code: &str) -> Problem {
    if is_no_op_script(code) {
        return Problem {
            message: format!(
                "`{value}` does nothing by itself: the link is a control for a script \
                 (a toggle, a tab)"
            ),
            severity: Some(Severity::Info),
            help: Some(
                "nothing to fix if a script handles the click; if this was meant to be a link, \
                 give it its address",
            ),
        };
    }
    Problem {
        message: "`javascript:` URL: the link runs a script instead of going somewhere".to_owned(),
        severity: Some(Severity::Warning),
        help: Some("give the link its address, or make the control a `<button>`"),
    }
}

/// `void(0)`, `void 0`, `;`, or nothing: code that does nothing.
fn is_no_op_script(code: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(code).decode_utf8_lossy();
    let compact: String = decoded
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ';')
        .collect();
    matches!(
        compact.as_str(),
        "" | "void(0)"
            | "void0"
            | "void(null)"
            | "voidnull"
            | "void(false)"
            | "false"
            | "null"
            | "undefined"
    )
}

/// `http//x`, `https:/x`, `htps://x`: a scheme that was mistyped.
fn mangled_scheme(lower: &str) -> Option<String> {
    for scheme in ["https", "http"] {
        let Some(rest) = lower.strip_prefix(scheme) else {
            continue;
        };
        if rest.starts_with("://") {
            return None;
        }
        if rest.starts_with("//") || rest.starts_with(':') {
            return Some(format!("`{scheme}` is not followed by `://`"));
        }
    }
    let (scheme, _) = lower.split_once("://")?;
    let is_scheme = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !is_scheme || KNOWN_SCHEMES.contains(&scheme) {
        return None;
    }
    let close = ["http", "https"]
        .into_iter()
        .find(|known| strsim::levenshtein(scheme, known) <= 2)?;
    Some(format!(
        "unknown scheme `{scheme}://`: did you mean `{close}://`?"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports an `href` or `src` that is not a valid absolute URL or relative reference:
    /// a mistyped scheme (`http//x`, `htps://x`), a missing host (`https:///path`), spaces or
    /// quotes in the host, an empty `mailto:`, and `javascript:` URLs. Relative references are
    /// resolved against the post's `link`, as a browser would.
    ///
    /// `javascript:` URLs are graded by what they do:
    /// - `javascript:void(0)`, `javascript:;` and other code that does nothing are infos: that
    ///   is the target themes and page builders give the title of a toggle, a tab or an
    ///   accordion, whose script handles the click. A reader sees a control that works, not a
    ///   malformed link.
    /// - Any other code in an `href` (`javascript:reply(…)`, `javascript:alert(…)`) is a
    ///   warning: a link that runs code instead of going somewhere, which readers without the
    ///   script, search engines and feed readers cannot follow.
    ///
    /// The other problems are errors: every reader gets a broken link.
    ///
    /// Not reported: links inside a code sample (`<pre>`, `<code>`): there an `<a href>` is
    /// markup of the sample that was not escaped, its `href` the sample's code, not a link the
    /// author meant; `unclosed-element` and `text-hidden-as-tag` report the unescaped sample.
    ///
    /// ## Why it matters
    /// A malformed URL is a broken link for every reader; browsers guess what it means, and
    /// each guesses differently.
    ///
    /// ## Example
    /// ```html
    /// <a href="htps://example.org/report">the report</a>
    /// ```
    /// Fix the scheme: `https://example.org/report`.
    pub struct LinkMalformed {
        code: "link-malformed",
        severity: Error,
        summary: "An href or src that is not a valid URL (http//x, htps://, …); `javascript:` code a warning, `javascript:void(0)` an info",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkMalformed {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for link in &post.links {
            // The problem first: asking for a code sample builds a table of the field's
            // elements, which only a link with a problem needs.
            let Some(problem) = problem(link) else {
                continue;
            };
            if post.in_code_sample(link) {
                continue;
            }
            let help = problem.help.map(str::to_owned).unwrap_or_else(|| {
                format!(
                    "write the full address, such as `https://example.org/page`, in `{}`",
                    link.attribute
                )
            });
            let mut diagnostic = post
                .link_diagnostic(&Self::META, link, problem.message)
                .with_label("malformed")
                .with_help(help);
            if let Some(severity) = problem.severity {
                diagnostic = diagnostic.with_severity(severity);
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A web address with a host, which `problem` passes without a lower-cased copy when
        /// it parses, has none of the problems the copy is searched for.
        #[test]
        fn a_web_address_with_a_host_has_no_problem_but_the_parses(
            value in "(?i)https?://[a-z/ .:@#\\\\]{0,8}"
        ) {
            proptest::prop_assume!(is_web_address_with_host(&value));
            let lower = value.to_ascii_lowercase();
            proptest::prop_assert!(!lower.starts_with("javascript:"));
            proptest::prop_assert!(mangled_scheme(&lower).is_none());
            proptest::prop_assert!(!lower.starts_with("mailto:"));
            proptest::prop_assert!(!lower.starts_with("http:///") && !lower.starts_with("https:///"));
        }
    }

    #[test]
    fn mistyped_schemes() {
        assert!(mangled_scheme("http//example.org").is_some());
        assert!(mangled_scheme("https:/example.org").is_some());
        assert!(mangled_scheme("htps://example.org").is_some());
        assert!(mangled_scheme("https://example.org").is_none());
        assert!(mangled_scheme("httpsexample").is_none());
        assert!(mangled_scheme("ftp://example.org").is_none());
        assert!(mangled_scheme("/http/docs").is_none());
    }

    #[test]
    fn no_op_scripts() {
        for code in [
            "void(0)",
            "void(0);",
            ";",
            "",
            "void 0",
            " void( 0 ) ; ",
            "void%200",
        ] {
            assert!(is_no_op_script(code), "{code:?}");
        }
        for code in ["alert(1)", "reply('x')", "void(document.forms[0].submit())"] {
            assert!(!is_no_op_script(code), "{code:?}");
        }
    }
}
