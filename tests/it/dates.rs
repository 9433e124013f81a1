//! The date rules in the situations real archives hold: time zones with daylight saving, zone
//! changes with and without a history, manual offsets, local mean time, site indexes.


use std::path::Path;
use std::sync::Arc;

use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::diagnostic::Finding;
use postlint::engine::LintOptions;

const DATE_RULES: [&str; 9] = [
    "date-format",
    "date-gmt-mismatch",
    "date-gmt-missing",
    "date-offset-suspicious",
    "future-published",
    "missed-schedule",
    "modified-before-date",
    "modified-gmt-mismatch",
    "permalink-date-mismatch",
];

fn post(id: u32, date: &str, date_gmt: &str) -> String {
    format!(
        r#"{{"id":{id},"date":"{date}","date_gmt":"{date_gmt}","modified":"{date}","modified_gmt":"{date_gmt}","status":"publish","type":"post","link":"https://site.example/p{id}/","title":{{"rendered":"P{id}"}},"content":{{"rendered":"<p>x</p>"}}}}"#
    )
}

/// Date findings for `posts` (NDJSON) under `config` (a postlint.toml text, or none) and the
/// command-line zone.
fn date_findings(
    posts: &str,
    config: Option<&str>,
    timezone: Option<&str>,
) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, posts).expect("write");
    if let Some(config) = config {
        std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    }
    let request = ConfigRequest {
        file: config.map(|_| dir.path().join("postlint.toml")),
        none: config.is_none(),
        start_dir: dir.path().to_path_buf(),
        cli: CliRules {
            timezone: timezone.map(str::to_owned),
            extend_select: vec!["modified-before-date".to_owned()],
            ..CliRules::default()
        },
        site_index: None,
    };
    let config = Arc::new(Config::load(&request).expect("config"));
    findings(&path, config, posts)
}

fn findings(path: &Path, config: Arc<Config>, text: &str) -> Vec<(String, String)> {
    let outcome = postlint::check_with(&[path.to_path_buf()], config, LintOptions::default());
    let found: Vec<Finding> = outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect();
    found
        .into_iter()
        .filter(|f| DATE_RULES.contains(&f.diagnostic.rule))
        .map(|f| {
            let at = &text[f.span.offset..f.span.offset + f.span.length];
            (
                f.diagnostic.rule.to_owned(),
                format!("{at}: {}", f.diagnostic.message),
            )
        })
        .collect()
}

#[test]
fn seed_is_consistent_with_and_without_its_zone() {
    let seed =
        std::fs::read_to_string(crate::common::fixture("seed_koreapro_2205786.json")).expect("seed");
    let pack = std::fs::read_to_string("rules/koreapro.toml").expect("pack");
    // modified (23:52 the evening before) is earlier than date: legitimate, and only the
    // off-by-default audit rule mentions it.
    let expected = vec![(
        "modified-before-date".to_owned(),
        "2024-07-14T23:52:36: `modified` is earlier than `date`".to_owned(),
    )];
    assert_eq!(date_findings(&seed, Some(&pack), None), expected);
    assert_eq!(date_findings(&seed, None, None), expected);
    assert_eq!(date_findings(&seed, None, Some("Asia/Seoul")), expected);
}

#[test]
fn wrong_pair_on_a_seoul_site_gives_both_offsets_and_the_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.json");
    let text = post(1, "2024-07-15T08:00:00", "2024-07-15T08:00:00");
    std::fs::write(&path, &text).expect("write");
    let request = ConfigRequest {
        none: true,
        cli: CliRules {
            timezone: Some("Asia/Seoul".to_owned()),
            ..CliRules::default()
        },
        ..ConfigRequest::default()
    };
    let config = Arc::new(Config::load(&request).expect("config"));
    let outcome = postlint::check_with(&[path], config, LintOptions::default());
    let found = &outcome.reports[0].findings.to_vec()[0];
    assert_eq!(found.diagnostic.rule, "date-gmt-mismatch");
    assert_eq!(
        found.diagnostic.message,
        "`date_gmt` is +00:00 from `date`, but Asia/Seoul was at +09:00 then"
    );
    assert_eq!(
        found.diagnostic.help.as_deref(),
        Some("set `date_gmt` to \"2024-07-14T23:00:00\"")
    );
    assert_eq!(found.secondary.len(), 1);
    assert_eq!(
        &text[found.secondary[0].offset..][..19],
        "2024-07-15T08:00:00"
    );
}

#[test]
fn manual_offsets_of_half_and_three_quarter_hours() {
    let kolkata = post(1, "2024-07-15T08:00:00", "2024-07-15T02:30:00");
    let kathmandu = post(2, "2024-07-15T08:00:00", "2024-07-15T02:15:00");
    assert!(date_findings(&kolkata, Some("utc-offset = \"+05:30\"\n"), None).is_empty());
    assert!(date_findings(&kathmandu, Some("timezone = \"Asia/Kathmandu\"\n"), None).is_empty());
    assert!(date_findings(&kathmandu, None, None).is_empty());
    let wrong = date_findings(&kathmandu, Some("utc-offset = \"+05:30\"\n"), None);
    assert_eq!(wrong.len(), 2);
    assert_eq!(
        wrong[0].1,
        "2024-07-15T02:15:00: `date_gmt` is +05:45 from `date`, but +05:30 was at +05:30 then"
    );
}

#[test]
fn local_mean_time_before_1900() {
    // Asia/Kolkata in 1850 was +05:53:28; the quarter-hour rule does not apply before 1900.
    let old = post(1, "1850-01-01T12:00:00", "1850-01-01T06:06:32");
    assert!(date_findings(&old, Some("timezone = \"Asia/Kolkata\"\n"), None).is_empty());
    assert!(date_findings(&old, None, None).is_empty());
}

#[test]
fn a_site_that_changed_zone_needs_its_history() {
    let posts = [
        post(1, "2018-05-01T10:00:00", "2018-05-01T10:00:00"),
        post(2, "2018-11-01T10:00:00", "2018-11-01T10:00:00"),
        post(3, "2020-05-01T10:00:00", "2020-05-01T08:00:00"),
        post(4, "2020-11-01T10:00:00", "2020-11-01T09:00:00"),
    ]
    .join("\n");
    let without_history = date_findings(&posts, Some("timezone = \"Europe/Madrid\"\n"), None);
    // The two 2018 posts, each in its `date` and its `modified` pair.
    assert_eq!(without_history.len(), 4, "{without_history:?}");
    let with_history = "timezone = \"Europe/Madrid\"\n[[timezone-history]]\nuntil = \"2019-03-01\"\ntimezone = \"UTC\"\n";
    assert!(date_findings(&posts, Some(with_history), None).is_empty());
    // With no zone at all, the old era is a change of zone, not a mistake.
    assert!(date_findings(&posts, None, None).is_empty());
}

#[test]
fn floating_drafts_in_all_three_forms_are_fine() {
    let drafts = [
        r#"{"id":1,"date":"2024-07-20T09:00:00","date_gmt":null,"modified":"2024-07-20T09:00:00","modified_gmt":null,"status":"draft","link":"https://site.example/?p=1"}"#,
        r#"{"id":2,"date":"2024-07-20T09:00:00","date_gmt":"0000-00-00T00:00:00","modified":"2024-07-20T09:00:00","modified_gmt":"0000-00-00T00:00:00","status":"draft","link":"https://site.example/?p=2"}"#,
        r#"{"id":3,"date":"2024-12-20T09:00:00","date_gmt":"2024-12-20T07:00:00","modified":"2024-12-20T09:00:00","modified_gmt":"2024-12-20T07:00:00","status":"draft","link":"https://site.example/?p=3"}"#,
    ]
    .join("\n");
    assert!(date_findings(&drafts, Some("timezone = \"Europe/Madrid\"\n"), None).is_empty());
}

#[test]
fn a_site_index_only_makes_mismatches_suspicious() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.json");
    let text = post(1, "2024-07-15T08:00:00", "2024-07-15T08:00:00");
    std::fs::write(&path, &text).expect("write");
    let index = dir.path().join("index.json");
    std::fs::write(
        &index,
        r#"{"name":"Site","timezone_string":"","gmt_offset":"9"}"#,
    )
    .expect("index");
    let request = ConfigRequest {
        none: true,
        site_index: Some(index),
        ..ConfigRequest::default()
    };
    let config = Arc::new(Config::load(&request).expect("config"));
    let found = findings(&path, config, &text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|(rule, _)| rule == "date-offset-suspicious")
    );
}

#[test]
fn unknown_zone_names_are_config_errors_with_a_suggestion() {
    let request = ConfigRequest {
        none: true,
        cli: CliRules {
            timezone: Some("Asia/Seol".to_owned()),
            ..CliRules::default()
        },
        ..ConfigRequest::default()
    };
    let error = Config::load(&request).err().expect("an error");
    assert_eq!(
        error.message,
        "`--timezone Asia/Seol` is not an IANA time zone name"
    );
    assert_eq!(error.help.as_deref(), Some("did you mean \"Asia/Seoul\"?"));
}

#[test]
fn corpus_date_findings_stay_few() {
    let Some(corpus) = crate::common::shared("corpus/posts") else {
        return;
    };
    let outcome = postlint::check(&[corpus], LintOptions::default());
    let count = |rule: &str| {
        outcome
            .reports
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.diagnostic.rule == rule)
            .count()
    };
    // Judged by hand (see the closing note of the date issue); a change here needs a look.
    assert_eq!(count("date-gmt-mismatch"), 0);
    assert_eq!(count("modified-gmt-mismatch"), 0);
}
