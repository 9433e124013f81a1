use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::links::Link;
use crate::rule::Rule;

use super::declare_rule;

/// Schemes that are fine in a post.
const KNOWN_SCHEMES: [&str; 14] = [
    "http", "https", "mailto", "tel", "sms", "ftp", "data", "webcal", "geo", "irc", "news",
    "magnet", "whatsapp", "skype",
];

/// What is wrong with a link's value, if anything.
fn problem(link: &Link) -> Option<String> {
    let value = link.value.as_str();
    if value.is_empty() || value.starts_with('#') || value.starts_with("{{") {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("javascript:") {
        return Some(
            "`javascript:` URL: the link runs a script instead of going somewhere".to_owned(),
        );
    }
    if let Some(problem) = mangled_scheme(&lower) {
        return Some(problem);
    }
    if let Some(rest) = lower.strip_prefix("mailto:")
        && rest.trim().is_empty()
    {
        return Some("`mailto:` has no address".to_owned());
    }
    if lower.starts_with("http:///") || lower.starts_with("https:///") {
        return Some("the URL has no host (three slashes after the scheme)".to_owned());
    }
    match &link.target {
        Ok(_) => None,
        Err(error) => Some(format!("not a valid URL: {error}")),
    }
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
        summary: "An href or src that is not a valid URL (http//x, htps://, javascript:, …)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkMalformed {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for link in &post.links {
            let Some(problem) = problem(link) else {
                continue;
            };
            out.push(
                post.link_diagnostic(&Self::META, link, problem)
                    .with_label("malformed")
                    .with_help(format!(
                        "write the full address, such as `https://example.org/page`, in `{}`",
                        link.attribute
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
