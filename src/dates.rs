//! WordPress dates: the four values REST writes (`date`, `date_gmt`, `modified`, `modified_gmt`,
//! always `YYYY-MM-DDTHH:MM:SS` with no offset). The zones they should agree with are in
//! `crate::zones`.

use std::sync::LazyLock;

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::input::json::{JsonStr, Node, Value};
use crate::post::Post;
// The zones moved to `crate::zones`; these names stay for the rules that import them from here.
pub use crate::zones::{SiteZone, Zone, ZoneSource, format_offset};

/// One of a post's date values, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum WpDate<'a> {
    /// The field is not in the post (REST `context=embed`, `_fields`).
    Absent,
    /// `null`.
    Null,
    /// `0000-00-00T00:00:00`: a draft's floating GMT date.
    Zero(&'a JsonStr<'a>),
    /// `-0001-11-30T00:00:00`: how a zeroed database row renders.
    ZeroedRow(&'a JsonStr<'a>),
    /// Not a date at all, or not a real one (`2024-02-30`, `24:00:00`).
    Invalid(&'a JsonStr<'a>, String),
    /// A date with a `Z`, an offset or fractions: not written by WordPress core.
    NotCore(&'a JsonStr<'a>, NaiveDateTime, &'static str),
    Valid(&'a JsonStr<'a>, NaiveDateTime),
}

/// A post's four dates, each read and parsed once for every rule that looks at them.
#[derive(Debug)]
pub struct PostDates<'a> {
    pub date: WpDate<'a>,
    pub date_gmt: WpDate<'a>,
    pub modified: WpDate<'a>,
    pub modified_gmt: WpDate<'a>,
}

impl<'a> PostDates<'a> {
    pub fn read(post: &'a Post<'a>) -> Self {
        Self {
            date: WpDate::read(post, "date"),
            date_gmt: WpDate::read(post, "date_gmt"),
            modified: WpDate::read(post, "modified"),
            modified_gmt: WpDate::read(post, "modified_gmt"),
        }
    }

    /// A date by its field name; `Absent` for a name that is not one of the four.
    pub fn get(&self, key: &str) -> &WpDate<'a> {
        match key {
            "date" => &self.date,
            "date_gmt" => &self.date_gmt,
            "modified" => &self.modified,
            "modified_gmt" => &self.modified_gmt,
            _ => &WpDate::Absent,
        }
    }
}

impl<'a> WpDate<'a> {
    fn read(post: &'a Post<'a>, key: &str) -> WpDate<'a> {
        match post.node.get(key).map(|n: &Node<'_>| &n.value) {
            None => WpDate::Absent,
            Some(Value::Null) => WpDate::Null,
            Some(Value::String(text)) if post.dialect.sql_dates() => parse_sql(text),
            Some(Value::String(text)) => parse(text),
            Some(_) => WpDate::Absent,
        }
    }

    /// The value when it can be compared (core's format, or one that only added an offset).
    pub fn value(&self) -> Option<NaiveDateTime> {
        match self {
            WpDate::Valid(_, value) | WpDate::NotCore(_, value, _) => Some(*value),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&'a JsonStr<'a>> {
        match self {
            WpDate::Zero(t)
            | WpDate::ZeroedRow(t)
            | WpDate::Invalid(t, _)
            | WpDate::NotCore(t, _, _)
            | WpDate::Valid(t, _) => Some(t),
            WpDate::Absent | WpDate::Null => None,
        }
    }

    /// Null or zero: no GMT date stored.
    pub fn is_unset(&self) -> bool {
        matches!(self, WpDate::Null | WpDate::Zero(_))
    }
}

fn parse<'a>(text: &'a JsonStr<'a>) -> WpDate<'a> {
    let value = text.as_str();
    match value {
        "0000-00-00T00:00:00" | "0000-00-00 00:00:00" => return WpDate::Zero(text),
        "-0001-11-30T00:00:00" => return WpDate::ZeroedRow(text),
        _ => {}
    }
    if let Ok(parsed) = parse_core(value)
        && value.len() == 19
    {
        return WpDate::Valid(text, parsed);
    }
    let (core, why) = split_extras(value);
    match parse_core(core) {
        Ok(parsed) if core.len() == 19 && !why.is_empty() => WpDate::NotCore(text, parsed, why),
        _ => WpDate::Invalid(text, invalid_reason(value)),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, as WXR and WP-CLI write dates (MySQL's format).
fn parse_sql<'a>(text: &'a JsonStr<'a>) -> WpDate<'a> {
    let value = text.as_str();
    if value == "0000-00-00 00:00:00" {
        return WpDate::Zero(text);
    }
    let as_rest = match value.split_once(' ') {
        Some((day, time)) if value.len() == 19 => format!("{day}T{time}"),
        _ => return WpDate::Invalid(text, invalid_reason(value)),
    };
    match parse_core(&as_rest) {
        Ok(parsed) => WpDate::Valid(text, parsed),
        Err(_) => WpDate::Invalid(text, invalid_reason(value)),
    }
}

/// WordPress's `YYYY-MM-DDTHH:MM:SS`, as `NaiveDateTime::parse_from_str` with that format
/// reads it, but with the format's items taken apart once instead of for every date.
fn parse_core(value: &str) -> chrono::ParseResult<NaiveDateTime> {
    if let Some(parsed) = parse_exact(value) {
        return Ok(parsed);
    }
    static ITEMS: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new(CORE_FORMAT).collect());
    parse_with_items(value, &ITEMS)
}

/// `NaiveDateTime::parse_from_str` with a format already taken apart into its `items`: taking
/// a format apart is a `match` per character, done once rather than for every date.
pub(crate) fn parse_with_items(
    text: &str,
    items: &[Item<'_>],
) -> chrono::ParseResult<NaiveDateTime> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, items.iter())?;
    parsed.to_naive_datetime_with_offset(0)
}

const CORE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// A date written exactly as WordPress writes it, every digit in its place, and real (no leap
/// second): read without chrono's format items, whose `match` on each item is a branch that
/// misses at every item of every date. Anything else is left to chrono, whose reading this
/// must equal (a test compares them).
fn parse_exact(value: &str) -> Option<NaiveDateTime> {
    let bytes = value.as_bytes();
    let shape = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if bytes.len() != 19 || shape.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }
    let number = |from: usize, to: usize| {
        (bytes[from..to].iter()).try_fold(0u32, |number, &digit| {
            digit
                .is_ascii_digit()
                .then(|| number * 10 + u32::from(digit - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
    let time = NaiveTime::from_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    Some(date.and_time(time))
}

/// `2024-07-15T08:00:00.123+09:00` → (`2024-07-15T08:00:00`, "fractions of a second").
fn split_extras(value: &str) -> (&str, &'static str) {
    if value.len() <= 19 || !value.is_char_boundary(19) {
        return (value, "");
    }
    let (core, rest) = value.split_at(19);
    let why = if rest.starts_with('.') {
        "fractions of a second"
    } else if rest == "Z" {
        "a trailing `Z`"
    } else if rest.starts_with(['+', '-']) {
        "a UTC offset"
    } else {
        ""
    };
    (core, why)
}

fn invalid_reason(value: &str) -> String {
    let shape_ok = value.len() >= 19
        && value.as_bytes().get(4) == Some(&b'-')
        && value
            .as_bytes()
            .get(10)
            .is_some_and(|b| *b == b'T' || *b == b' ');
    if shape_ok {
        format!("`{value}` is not a real date and time")
    } else {
        format!("`{value}` is not a date in WordPress's `YYYY-MM-DDTHH:MM:SS` form")
    }
}

/// `local − gmt` in seconds.
pub fn offset_of(local: NaiveDateTime, gmt: NaiveDateTime) -> i64 {
    (local - gmt).num_seconds()
}

/// A pair at most this far (in seconds) from an offset a zone can have was written by two
/// clocks that disagree (the editor's machine and the server), not in a wrong zone: real
/// offsets are whole quarters of an hour apart.
pub const MAX_CLOCK_SKEW: i64 = 120;

/// The offset of a pair without its clock skew: the nearest whole quarter of an hour when
/// the offset is within `MAX_CLOCK_SKEW` of one (after 1900; local mean time before has
/// seconds of its own), else the offset itself.
pub fn without_clock_skew(local: NaiveDateTime, offset: i64) -> i64 {
    let modern = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).is_some_and(|y| local.date() >= y);
    let quarter = (offset + 450).div_euclid(900) * 900;
    if modern && (offset - quarter).abs() <= MAX_CLOCK_SKEW {
        quarter
    } else {
        offset
    }
}

/// Statuses whose GMT date may float or be computed on the fly.
pub fn is_unpublished(status: Option<&str>) -> bool {
    matches!(
        status,
        Some("draft" | "pending" | "auto-draft" | "inherit" | "trash")
    )
}

/// The reference time for "in the future" and "in the past": `--now`, or the clock.
pub fn now_or(now: Option<NaiveDateTime>) -> NaiveDateTime {
    now.unwrap_or_else(|| Utc::now().naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_dates_parse_as_chrono_reads_the_format() {
        for text in [
            "2024-07-15T08:00:00",
            "2024-02-30T08:00:00",
            "2024-07-15 08:00:00",
            "2024-07-15T24:00:00",
            "+2024-07-15T08:00:00",
            "2024-7-15T8:00:00",
            "2024-07-15T08:00",
            "",
        ] {
            assert_eq!(
                parse_core(text).ok(),
                NaiveDateTime::parse_from_str(text, CORE_FORMAT).ok(),
                "{text}"
            );
        }
    }

    /// Dates in core's shape whose fields run past their ranges, each field through its edge
    /// values, read as chrono reads them.
    #[test]
    fn dates_read_exactly_are_read_as_chrono_reads_them() {
        let mut fast = 0;
        for year in ["0000", "1900", "2024", "2100", "9999"] {
            for month in ["00", "01", "02", "12", "13"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    for time in ["00:00:00", "23:59:59", "24:00:00", "12:60:00", "23:59:60"] {
                        let text = format!("{year}-{month}-{day}T{time}");
                        let expected = NaiveDateTime::parse_from_str(&text, CORE_FORMAT).ok();
                        assert_eq!(parse_core(&text).ok(), expected, "{text}");
                        fast += usize::from(parse_exact(&text).is_some());
                    }
                }
            }
        }
        for text in [
            "2024-07-15T08:00:0x",
            "2024/07/15T08:00:00",
            "2024-07-15t08:00:00",
        ] {
            assert_eq!(parse_exact(text), None, "{text}");
            assert_eq!(
                parse_core(text).ok(),
                NaiveDateTime::parse_from_str(text, CORE_FORMAT).ok()
            );
        }
        assert!(fast > 100, "most were read without chrono ({fast})");
    }

    #[test]
    fn extras_are_named() {
        assert_eq!(split_extras("2024-07-15T08:00:00Z").1, "a trailing `Z`");
        assert_eq!(split_extras("2024-07-15T08:00:00+09:00").1, "a UTC offset");
        assert_eq!(
            split_extras("2024-07-15T08:00:00.5").1,
            "fractions of a second"
        );
    }

    /// A date in core's shape, each field anywhere in (and just past) its range: Feb 29 on
    /// years that are and are not leap years, day 31 of 30-day months, hour 24, minute and
    /// second 60, years 0000 and 9999.
    fn shaped() -> impl proptest::strategy::Strategy<Value = String> {
        (
            0..=9999u32,
            0..=13u32,
            0..=32u32,
            0..=25u32,
            0..=61u32,
            0..=61u32,
        )
            .prop_map(|(year, month, day, hour, minute, second)| {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            })
    }

    /// A date in core's shape with characters changed, put before or after it: signs,
    /// whitespace, Unicode digits, a lower-case `t`, `Z` and offsets, missing digits.
    fn damaged() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let odd = prop_oneof![
            Just(" "),
            Just("+"),
            Just("-"),
            Just("t"),
            Just("T"),
            Just(":"),
            Just("Z"),
            Just("\t"),
            Just("٣"),
            Just("３"),
            Just("é"),
            Just("0"),
            Just("9"),
            Just(""),
            Just("+09:00"),
            Just(".5"),
        ];
        (
            shaped(),
            proptest::collection::vec((0..20usize, odd.clone()), 0..3),
            proptest::option::of(odd.clone()),
            proptest::option::of(odd),
        )
            .prop_map(|(date, changes, before, after)| {
                let mut chars: Vec<String> = date.chars().map(String::from).collect();
                for (at, odd) in changes {
                    match chars.get_mut(at) {
                        Some(char) => *char = odd.to_owned(),
                        None => chars.push(odd.to_owned()),
                    }
                }
                format!(
                    "{}{}{}",
                    before.unwrap_or_default(),
                    chars.concat(),
                    after.unwrap_or_default()
                )
            })
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// The fast path reads a date only as chrono reads it, on any text near core's shape.
        #[test]
        fn a_date_is_read_as_chrono_reads_it(
            text in proptest::prop_oneof![shaped(), damaged()]
        ) {
            proptest::prop_assert_eq!(
                parse_core(&text).ok(),
                NaiveDateTime::parse_from_str(&text, CORE_FORMAT).ok(),
                "{:?}", text
            );
        }
    }
}
