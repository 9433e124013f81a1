//! What `date-gmt-mismatch` and `modified-gmt-mismatch` share: judging one local/GMT pair.

use std::ops::Range;

use crate::context::PostContext;
use crate::dates::{
    MAX_CLOCK_SKEW, SiteZone, ZoneSource, format_offset, is_unpublished, offset_of,
    without_clock_skew,
};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::meta::RuleMeta;

/// WordPress accepts offsets from −12:00 to +14:00.
const MIN_OFFSET: i64 = -12 * 3600;
const MAX_OFFSET: i64 = 14 * 3600;

/// What is wrong with a pair, if anything.
pub enum PairProblem {
    /// The pair is impossible whatever the site's zone.
    Impossible(String),
    /// The site's zone had another offset then.
    WrongForZone {
        expected: i32,
        zone: String,
        source: ZoneSource,
    },
    /// The offset is `nominal`, a right one, give or take a few seconds: a clock skew between
    /// the machines that wrote the two dates.
    ClockSkew { nominal: i32 },
}

/// Judges a local/GMT pair: its offset must be a possible one, and, when the zone is known,
/// one the zone had at that instant (an hour around a daylight-saving switch is exempt:
/// WordPress itself writes such pairs).
pub fn judge(
    local: chrono::NaiveDateTime,
    gmt: chrono::NaiveDateTime,
    zone: Option<&SiteZone>,
    status: Option<&str>,
) -> Option<PairProblem> {
    let offset = offset_of(local, gmt);
    let nominal = without_clock_skew(local, offset);
    if !(MIN_OFFSET..=MAX_OFFSET).contains(&nominal) {
        return Some(PairProblem::Impossible(format!(
            "the offset {} is outside −12:00…+14:00",
            format_offset(offset as i32)
        )));
    }
    let modern = local.date() >= chrono::NaiveDate::from_ymd_opt(1900, 1, 1)?;
    if modern && nominal % 900 != 0 {
        return Some(PairProblem::Impossible(format!(
            "the offset {} is not a whole quarter of an hour",
            format_offset(offset as i32)
        )));
    }
    let skew = (nominal != offset).then_some(PairProblem::ClockSkew {
        nominal: nominal as i32,
    });
    // A draft's GMT date may float, or be computed from today's zone on the fly.
    if is_unpublished(status) {
        return skew;
    }
    let Some(zone_then) = zone else {
        return skew;
    };
    let zone = zone_then.at(local);
    let acceptable = zone.acceptable_offsets(gmt);
    if acceptable.contains(&(offset as i32)) {
        return None;
    }
    let nearest = acceptable
        .iter()
        .copied()
        .min_by_key(|a| (offset - i64::from(*a)).abs())
        .filter(|a| (offset - i64::from(*a)).abs() <= MAX_CLOCK_SKEW);
    if let Some(nominal) = nearest {
        return Some(PairProblem::ClockSkew { nominal });
    }
    Some(PairProblem::WrongForZone {
        expected: zone.offset_at(gmt),
        zone: zone.describe(),
        source: zone_then.source,
    })
}

/// Checks the pair `local_key`/`gmt_key` of a post and reports with `meta` those problems
/// `wanted` accepts.
pub fn check(
    post: &PostContext<'_, '_>,
    meta: &RuleMeta,
    (local_key, gmt_key): (&str, &str),
    wanted: impl Fn(&PairProblem) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let local = post.dates.get(local_key);
    let gmt = post.dates.get(gmt_key);
    let (Some(local_value), Some(gmt_value)) = (local.value(), gmt.value()) else {
        return;
    };
    let (Some(local_text), Some(gmt_text)) = (local.text(), gmt.text()) else {
        return;
    };
    let status = post.post.str_at("status").map(|s| s.as_str());
    let Some(problem) = judge(
        local_value,
        gmt_value,
        post.settings.site.zone.as_ref(),
        status,
    ) else {
        return;
    };
    if !wanted(&problem) {
        return;
    }
    let actual = offset_of(local_value, gmt_value) as i32;
    let gmt_range = post.file_range(&(gmt_text.raw.clone()));
    let local_range = post.file_range(&(local_text.raw.clone()));
    let mut diagnostic = match &problem {
        PairProblem::ClockSkew { nominal } => clock_skew(
            meta,
            (local_key, gmt_key),
            (local_value, actual, *nominal),
            (gmt_range, local_range),
        ),
        _ => wrong_pair(
            meta,
            (local_key, gmt_key),
            (local_value, actual, &problem),
            (gmt_range, local_range),
        ),
    };
    diagnostic.post = Some(post.post_ref.clone());
    diagnostic.field = Some(gmt_field(gmt_key));
    out.push(diagnostic);
}

/// The report's name of a GMT field.
fn gmt_field(gmt_key: &str) -> &'static str {
    match gmt_key {
        "date_gmt" => "date_gmt",
        _ => "modified_gmt",
    }
}

/// A pair impossible whatever the zone, or wrong for the site's zone; the fix is safe only
/// where the config states the zone.
fn wrong_pair(
    meta: &RuleMeta,
    (local_key, gmt_key): (&str, &str),
    (local_value, actual, problem): (chrono::NaiveDateTime, i32, &PairProblem),
    (gmt_range, local_range): (Range<usize>, Range<usize>),
) -> Diagnostic {
    let (message, fix) = match problem {
        PairProblem::WrongForZone { expected, zone, .. } => (
            format!(
                "`{gmt_key}` is {} from `{local_key}`, but {zone} was at {} then",
                format_offset(actual),
                format_offset(*expected)
            ),
            Some(local_value - chrono::Duration::seconds(i64::from(*expected))),
        ),
        PairProblem::Impossible(why) => (
            format!("`{local_key}` and `{gmt_key}` cannot both be right: {why}"),
            None,
        ),
        // `clock_skew` words a skew; nothing calls this with one.
        PairProblem::ClockSkew { .. } => (String::new(), None),
    };
    let help = match fix {
        Some(fixed) => format!(
            "set `{gmt_key}` to \"{}\"",
            fixed.format("%Y-%m-%dT%H:%M:%S")
        ),
        None => format!(
            "check the site's time zone setting, then set `{gmt_key}` to `{local_key}` minus the site's offset"
        ),
    };
    let mut diagnostic = Diagnostic::new(meta, gmt_range.clone(), message)
        .with_label(format!("{} from `{local_key}`", format_offset(actual)))
        .with_secondary(local_range, format!("local `{local_key}`"))
        .with_help(help);
    // Only a zone the config states is sure enough to rewrite a date by.
    let configured = matches!(
        problem,
        PairProblem::WrongForZone {
            source: ZoneSource::Config,
            ..
        }
    );
    if let (Some(fixed), true) = (fix, configured) {
        let value = fixed.format("%Y-%m-%dT%H:%M:%S").to_string();
        diagnostic = diagnostic.with_fix(
            Applicability::Safe,
            format!("set `{gmt_key}` to \"{value}\""),
            vec![Edit::replace(gmt_range, value)],
        );
    }
    diagnostic
}

/// A pair whose offset is `nominal`, a right one, give or take the seconds of a clock skew:
/// `actual` is what the pair says. Its fix (unsafe: which clock was right is not known) sets
/// the GMT value from the local one. Both the post phase and the site phase
/// (`date-clock-skew`, when the site's other posts tell the offset) make it here.
pub fn clock_skew(
    meta: &RuleMeta,
    (local_key, gmt_key): (&str, &str),
    (local_value, actual, nominal): (chrono::NaiveDateTime, i32, i32),
    (gmt_range, local_range): (Range<usize>, Range<usize>),
) -> Diagnostic {
    let fixed = local_value - chrono::Duration::seconds(i64::from(nominal));
    let value = fixed.format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut diagnostic = Diagnostic::new(
        meta,
        gmt_range.clone(),
        format!(
            "`{gmt_key}` is {} from `{local_key}`: the offset {} and a clock skew of {}, not a wrong time zone",
            format_offset(actual),
            format_offset(nominal),
            describe_seconds(actual - nominal)
        ),
    )
    .with_label(format!("{} from `{local_key}`", format_offset(actual)))
    .with_secondary(local_range, format!("local `{local_key}`"))
    .with_help(format!(
        "the clocks of the editor's machine and the server disagreed; if `{local_key}` is right, set `{gmt_key}` to \"{value}\""
    ))
    .with_fix(
        Applicability::Unsafe,
        format!("set `{gmt_key}` to \"{value}\""),
        vec![Edit::replace(gmt_range, value.clone())],
    );
    diagnostic.field = Some(gmt_field(gmt_key));
    diagnostic
}

/// A skew for people, whichever clock was ahead: `21 seconds`, `1 minute 30 seconds`.
fn describe_seconds(seconds: i32) -> String {
    let (minutes, secs) = (seconds.unsigned_abs() / 60, seconds.unsigned_abs() % 60);
    let unit = |n: u32, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (minutes, secs) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}
