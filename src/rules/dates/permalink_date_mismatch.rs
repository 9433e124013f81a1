use std::ops::Range;

use chrono::Datelike;

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

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
        let Some(found) = date_path(link.as_str()) else {
            return;
        };
        let agrees = found.year == date.year() as u32
            && found.month == date.month()
            && found.day.is_none_or(|d| d == date.day());
        if agrees {
            return;
        }
        let written = &link.as_str()[found.segments.clone()];
        let range = post.file_range(&link.file_range(found.segments));
        let mut diagnostic = Diagnostic::new(
            &Self::META,
            range,
            format!(
                "the permalink says {}, the post is dated {}",
                written.trim_matches('/'),
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

/// The date segments of a permalink's path: `/2024/07/` or `/2024/07/15/`.
struct DatePath {
    segments: Range<usize>,
    year: u32,
    month: u32,
    day: Option<u32>,
}

/// The first date in a permalink's path: a year 1900-2099, a month 01-12 and, when it follows,
/// a day 01-31, each in ASCII digits between slashes, as WordPress writes them. By hand rather
/// than with a regex: compiling the pattern (its literal prefilter most) was about a tenth of
/// a small post's whole process, for a match this short.
fn date_path(link: &str) -> Option<DatePath> {
    let bytes = link.as_bytes();
    memchr::memchr_iter(b'/', bytes).find_map(|at| date_path_at(bytes, at))
}

/// The date segments starting at the slash at `at`, if they are there.
fn date_path_at(bytes: &[u8], at: usize) -> Option<DatePath> {
    let rest = &bytes[at..];
    let segment = |from: usize, digits: usize, range: Range<u32>| {
        let end = from + digits;
        let value = number(rest.get(from..end)?)?;
        (range.contains(&value) && rest.get(end) == Some(&b'/')).then_some(value)
    };
    let year = segment(1, 4, 1900..2100)?;
    let month = segment(6, 2, 1..13)?;
    let day = segment(9, 2, 1..32);
    let length = if day.is_some() { 12 } else { 9 };
    Some(DatePath {
        segments: at..at + length,
        year,
        month,
        day,
    })
}

/// ASCII digits as a number; `None` for anything else.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |value: u32, &digit| {
        digit
            .is_ascii_digit()
            .then(|| value * 10 + u32::from(digit - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(link: &str) -> Option<(&str, u32, u32, Option<u32>)> {
        let path = date_path(link)?;
        Some((&link[path.segments], path.year, path.month, path.day))
    }

    #[test]
    fn the_first_date_in_range_is_found_with_its_day_when_one_follows() {
        assert_eq!(
            found("https://a.example/2024/07/15/story/"),
            Some(("/2024/07/15/", 2024, 7, Some(15)))
        );
        assert_eq!(
            found("https://a.example/2024/07/story/"),
            Some(("/2024/07/", 2024, 7, None))
        );
        // A day out of range, or not followed by a slash, is no day.
        assert_eq!(
            found("https://a.example/2024/07/32/x/"),
            Some(("/2024/07/", 2024, 7, None))
        );
        assert_eq!(
            found("https://a.example/2024/07/15"),
            Some(("/2024/07/", 2024, 7, None))
        );
        // A month or year out of range is skipped for the next date.
        assert_eq!(
            found("https://a.example/2024/13/x/1899/01/y/2023/12/z"),
            Some(("/2023/12/", 2023, 12, None))
        );
        assert_eq!(found("https://a.example/2024/7/x/"), None);
        assert_eq!(found("https://a.example/20245/07/"), None);
        assert_eq!(found("https://a.example/2024/07"), None);
    }
}
