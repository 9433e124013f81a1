use std::sync::LazyLock;

use chrono::Datelike;
use regex::Regex;

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

/// `/2024/07/` or `/2024/07/15/` in a permalink's path. ASCII digits only, as WordPress writes
/// them (and as `u32::from_str` reads them): Unicode's `\d` made the pattern several times
/// larger to compile, a cost every run with a dated post paid at start-up.
static DATE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)[0-9][0-9])/(0[1-9]|1[0-2])/(?:(0[1-9]|[12][0-9]|3[01])/)?")
        .expect("the permalink date pattern is valid")
});

declare_rule! {
    /// ## What it does
    /// Reports a `link` whose `/YYYY/MM/` or `/YYYY/MM/DD/` segments disagree with the post's
    /// local `date`.
    ///
    /// ## Why it matters
    /// WordPress builds date permalinks from the local date; when they disagree, the date was
    /// changed after publishing (old links now redirect, or break) or the dates were imported
    /// wrong.
    ///
    /// ## Example
    /// `"date": "2024-08-01T00:30:00"` with `"link": "https://example.com/2024/07/story/"`.
    pub struct PermalinkDateMismatch {
        code: "permalink-date-mismatch",
        severity: Warning,
        summary: "The date in the permalink differs from the post's date",
        phase: Post,
        reads: ["link", "date", "status"],
    }
}

impl Rule for PermalinkDateMismatch {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(link) = post.post.str_at("link") else {
            return;
        };
        let Some(date) = post.dates.get("date").value() else {
            return;
        };
        let Some(found) = DATE_PATH.captures(link.as_str()) else {
            return;
        };
        let number = |i: usize| found.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let (Some(year), Some(month)) = (number(1), number(2)) else {
            return;
        };
        let day = number(3);
        let agrees = year == date.year() as u32
            && month == date.month()
            && day.is_none_or(|d| d == date.day());
        if agrees {
            return;
        }
        let Some(whole) = found.get(0) else { return };
        let segment = whole.start()..whole.end();
        let range = post.file_range(&link.file_range(segment));
        let mut diagnostic = Diagnostic::new(
            &Self::META,
            range,
            format!(
                "the permalink says {}, the post is dated {}",
                whole.as_str().trim_matches('/'),
                date.format("%Y-%m-%d")
            ),
        )
        .with_label("date in the permalink")
        .with_help("update the permalink (and redirect the old one), or correct the date");
        diagnostic.post = Some(post.post_ref.clone());
        diagnostic.field = Some("link");
        out.push(diagnostic);
    }
}
