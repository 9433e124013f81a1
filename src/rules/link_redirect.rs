use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::input::json::JsonStyle;
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
        phase: Links,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for LinkRedirect {}

impl LinkRedirect {
    /// The finding on the `href`/`src` value at `at`, written in `style`, whose target `url`
    /// redirects permanently (`status`) to `final_url`; its fix writes `final_url` there.
    pub fn diagnostic(
        at: Range<usize>,
        url: &str,
        status: u16,
        final_url: &str,
        style: JsonStyle,
    ) -> Diagnostic {
        // The value sits in a double-quoted attribute of the HTML.
        let attribute = final_url.replace('&', "&amp;").replace('"', "&quot;");
        let edit = Edit::replace(at.clone(), style.encode(&attribute));
        Diagnostic::new(
            &Self::META,
            at,
            format!("`{url}` redirects permanently ({status}) to `{final_url}`"),
        )
        .with_label("redirects")
        .with_help(format!("link `{final_url}` directly"))
        .with_fix(
            Applicability::Unsafe,
            format!("link `{final_url}` directly"),
            vec![edit],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_final_url_and_writes_it_in_the_fields_style() {
        let style = JsonStyle {
            escape_slash: true,
            escape_non_ascii: true,
        };
        let found = LinkRedirect::diagnostic(
            40..58,
            "http://example.org/",
            301,
            "https://example.org/a?b=1&c=\"d\"",
            style,
        );
        assert_eq!(found.rule, "link-redirect");
        assert_eq!(found.range, 40..58);
        assert_eq!(
            found.message,
            "`http://example.org/` redirects permanently (301) to `https://example.org/a?b=1&c=\"d\"`"
        );
        assert_eq!(found.label.as_deref(), Some("redirects"));
        let fix = found.fix.expect("a fix");
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits.len(), 1);
        assert_eq!(fix.edits[0].range, 40..58);
        assert_eq!(
            fix.edits[0].content,
            r#"https:\/\/example.org\/a?b=1&amp;c=&quot;d&quot;"#
        );
    }
}
