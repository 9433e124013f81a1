use crate::context::PostContext;
use crate::dates::WpDate;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::Rule;

use crate::rules::declare_rule;

const FIELDS: [&str; 4] = ["date", "date_gmt", "modified", "modified_gmt"];

declare_rule! {
    /// ## What it does
    /// Reports a date that is not in the form WordPress writes, `YYYY-MM-DDTHH:MM:SS`:
    /// - an error for a value that is not a date or not a real one (`2024-02-30`,
    ///   `24:00:00`), for `-0001-11-30T00:00:00` (how a zeroed database row renders), and for
    ///   a zero local date;
    /// - a warning for a trailing `Z`, an offset or fractions of a second: the value did not
    ///   come from WordPress core, so something rewrote it.
    ///
    /// `0000-00-00T00:00:00` in `date_gmt` is a draft's floating date and is left to
    /// `date-gmt-missing`.
    ///
    /// ## Why it matters
    /// Themes, feeds and importers parse these values; a broken one shows as 1970 or "-0001",
    /// or stops an import.
    ///
    /// ## Example
    /// ```json
    /// {"date": "2024-02-30T08:00:00", "modified": "-0001-11-30T00:00:00"}
    /// ```
    pub struct DateFormat {
        code: "date-format",
        severity: Error,
        summary: "A date that is not YYYY-MM-DDTHH:MM:SS, not real, or a zeroed row",
        phase: Post,
        reads: ["date", "date_gmt", "modified", "modified_gmt"],
    }
}

impl Rule for DateFormat {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in FIELDS {
            let date = post.dates.get(field);
            let (severity, message, help) = match &date {
                WpDate::Invalid(_, why) => (Severity::Error, why.clone(), "write it as YYYY-MM-DDTHH:MM:SS".to_owned()),
                WpDate::ZeroedRow(_) => (
                    Severity::Error,
                    "`-0001-11-30T00:00:00` is how WordPress renders a zeroed date".to_owned(),
                    "the database row lost its date; restore it from a backup or the post's history".to_owned(),
                ),
                WpDate::Zero(_) if !field.ends_with("_gmt") => (
                    Severity::Error,
                    format!("`{field}` is zero"),
                    "the database row lost its date; restore it from a backup or the post's history".to_owned(),
                ),
                WpDate::NotCore(_, _, why) => (
                    Severity::Warning,
                    format!("`{field}` has {why}: WordPress core writes YYYY-MM-DDTHH:MM:SS"),
                    "something other than WordPress rewrote this value; check the plugin or proxy that serves it".to_owned(),
                ),
                _ => continue,
            };
            let Some(text) = date.text() else { continue };
            out.push(
                post.value_diagnostic(&Self::META, &text.raw, static_field(field), message)
                    .with_severity(severity)
                    .with_label("not a WordPress date")
                    .with_help(help),
            );
        }
    }
}

fn static_field(field: &str) -> &'static str {
    FIELDS.into_iter().find(|f| *f == field).unwrap_or("date")
}
