use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::input::json::JsonStyle;
use crate::links::outcome::Outcome;
use crate::rule::{CheckedLink, Rule};

use crate::rules::declare_rule;

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

impl Rule for LinkRedirect {
    fn check_link(&self, checked: &CheckedLink<'_>, out: &mut Vec<Diagnostic>) {
        if let Outcome::Redirect { status, final_url } = &checked.result.outcome {
            let link = checked.link;
            out.push(Self::diagnostic(
                (link.at.range.clone(), link.style),
                &link.url,
                *status,
                final_url,
                link.written(final_url),
            ));
        }
    }
}

impl LinkRedirect {
    /// The finding on the `href`/`src` value at `at`, whose target `url` redirects
    /// permanently (`status`) to `final_url`. Its fix writes `written` there (`final_url` as
    /// the HTML must hold it, escaped for the attribute's quoting) in the field's JSON `style`;
    /// without `written`, there is no fix.
    fn diagnostic(
        (at, style): (Range<usize>, JsonStyle),
        url: &str,
        status: u16,
        final_url: &str,
        written: Option<String>,
    ) -> Diagnostic {
        let help = format!("link `{final_url}` directly");
        let diagnostic = Diagnostic::new(
            &Self::META,
            at.clone(),
            format!("`{url}` redirects permanently ({status}) to `{final_url}`"),
        )
        .with_label("redirects")
        .with_help(help.clone());
        match written {
            Some(written) => {
                let edit = Edit::replace(at, style.encode(&written));
                diagnostic.with_fix(Applicability::Unsafe, help, vec![edit])
            }
            None => diagnostic,
        }
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
        let final_url = "https://example.org/a?b=1&c=\"d\"";
        let found = LinkRedirect::diagnostic(
            (40..58, style),
            "http://example.org/",
            301,
            final_url,
            crate::html::Quoting::Double.write(final_url),
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
