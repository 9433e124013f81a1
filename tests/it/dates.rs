//! The date rules in the situations real archives hold: time zones with daylight saving, zone
//! changes with and without a history, manual offsets, local mean time, site indexes.

use std::path::Path;
use std::sync::Arc;

use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::diagnostic::Finding;
use postlint::engine::LintOptions;

const DATE_RULES: [&str; 10] = [
    "date-clock-skew",
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
    let config = Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"));
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
    let seed = std::fs::read_to_string(crate::common::fixture("seed_koreapro_2205786.json"))
        .expect("seed");
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
    let config = Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"));
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
    let config = Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"));
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
    let error = Config::load(&request, postlint::rules::REGISTRY)
        .err()
        .expect("an error");
    assert_eq!(
        error.message,
        "`--timezone Asia/Seol` is not an IANA time zone name"
    );
    assert_eq!(error.help.as_deref(), Some("did you mean `Asia/Seoul`?"));
}

/// A saved REST index as WordPress writes it (slashes escaped), with a misspelt zone.
const MISSPELT_INDEX: &str = r#"{"name":"S","timezone_string":"Asia\/Seol","gmt_offset":9}"#;

#[test]
fn a_site_index_with_an_unknown_zone_is_an_error_at_the_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index.json");
    std::fs::write(&index, MISSPELT_INDEX).expect("index");
    let request = ConfigRequest {
        none: true,
        site_index: Some(index),
        ..ConfigRequest::default()
    };
    let error = Config::load(&request, postlint::rules::REGISTRY)
        .err()
        .expect("an error");
    assert_eq!(error.message, "`Asia/Seol` is not an IANA time zone name");
    assert_eq!(
        error.help.as_deref(),
        Some("did you mean `Asia/Seoul`? (or give the site's zone with `--timezone`)")
    );
    let place = error.at.as_ref().expect("a place");
    assert!(place.source.name().ends_with("index.json"));
    assert_eq!(&MISSPELT_INDEX[place.span.clone()], r#""Asia\/Seol""#);

    // A zone named by the config or the command line wins, so the index is not consulted.
    let request = ConfigRequest {
        cli: CliRules {
            timezone: Some("Asia/Seoul".to_owned()),
            ..CliRules::default()
        },
        ..request
    };
    assert!(Config::load(&request, postlint::rules::REGISTRY).is_ok());
}

/// The binary in a folder holding `files`: exit code, stdout and stderr of `postlint check ARGS`.
fn run_in(files: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let output = assert_cmd::Command::cargo_bin("postlint")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .output()
        .expect("run");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Files, arguments, the message and the place (`file:line:column`) the error must name.
type ZoneCase<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str, &'a str);

#[test]
fn every_place_a_zone_is_given_rejects_a_misspelt_one_with_exit_2() {
    // 08:00 local is 08:00 GMT: right in UTC, wrong in Seoul.
    let posts = post(1, "2024-07-15T08:00:00", "2024-07-15T08:00:00");
    let cases: [ZoneCase; 4] = [
        (
            &[("postlint.toml", "timezone = \"Asia/Seol\"\n")],
            &["p.json"],
            "`Asia/Seol` is not an IANA time zone name",
            "postlint.toml:1:12",
        ),
        (
            &[
                ("postlint.toml", "extends = [\"pack.toml\"]\n"),
                ("pack.toml", "\ntimezone = \"Asia/Seol\"\n"),
            ],
            &["p.json"],
            "`Asia/Seol` is not an IANA time zone name",
            "pack.toml:2:12",
        ),
        (
            &[],
            &["--timezone", "Asia/Seol", "p.json"],
            "`--timezone Asia/Seol` is not an IANA time zone name",
            "",
        ),
        (
            &[("index.json", MISSPELT_INDEX)],
            &["--site-index", "index.json", "p.json"],
            "`Asia/Seol` is not an IANA time zone name",
            "index.json:1:31",
        ),
    ];
    for (files, args, message, place) in cases {
        let mut files = files.to_vec();
        files.push(("p.json", &posts));
        let (code, _, stderr) = run_in(&files, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("did you mean `Asia/Seoul`?"), "{stderr}");
        assert!(stderr.contains(place), "{args:?}: {place} in {stderr}");
    }
    // Spelt right, the zone reaches the date rules.
    let (code, stdout, stderr) = run_in(
        &[
            ("postlint.toml", "timezone = \"Asia/Seoul\"\n"),
            ("p.json", &posts),
        ],
        &["p.json"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.contains("error[date-gmt-mismatch]"), "{stdout}");
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

/// The issue's case: `date` 13:45:26, `date_gmt` nine hours and 21 seconds earlier.
const SKEWED: (&str, &str) = ("2024-07-15T13:45:26", "2024-07-15T04:45:05");

#[test]
fn a_few_seconds_off_a_right_offset_is_a_clock_skew() {
    let skewed = post(1, SKEWED.0, SKEWED.1);
    // One finding for the post: its modified pair repeats the date pair.
    let expected = vec![(
        "date-clock-skew".to_owned(),
        "2024-07-15T04:45:05: `date_gmt` is +09:00:21 from `date`: the offset +09:00 and a clock skew of 21 seconds, not a wrong time zone".to_owned(),
    )];
    assert_eq!(date_findings(&skewed, None, None), expected);
    assert_eq!(date_findings(&skewed, None, Some("Asia/Seoul")), expected);
    assert_eq!(
        date_findings(&skewed, Some("timezone = \"Asia/Seoul\"\n"), None),
        expected
    );
    // 21 seconds short of the offset is one too.
    let short = post(2, "2024-07-15T13:45:26", "2024-07-15T04:45:47");
    let found = date_findings(&short, None, Some("Asia/Seoul"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .ends_with("the offset +09:00 and a clock skew of 21 seconds, not a wrong time zone"),
        "{found:?}"
    );
}

#[test]
fn a_clock_skew_is_an_info_with_an_unsafe_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.json");
    std::fs::write(&path, post(1, SKEWED.0, SKEWED.1)).expect("write");
    let outcome = postlint::check(&[path], LintOptions::default());
    let found = outcome.reports[0].findings.to_vec();
    assert_eq!(found.len(), 1, "{found:?}");
    let skew = &found[0];
    assert_eq!(
        skew.diagnostic.severity,
        postlint::diagnostic::Severity::Info
    );
    let fix = skew.diagnostic.fix.as_deref().expect("a fix");
    assert_eq!(
        fix.applicability,
        postlint::diagnostic::Applicability::Unsafe
    );
    let contents: Vec<&str> = fix.edits.iter().map(|e| e.content.as_str()).collect();
    assert_eq!(contents, ["2024-07-15T04:45:26", "2024-07-15T04:45:26"]);
}

#[test]
fn a_wrong_zone_with_seconds_is_still_a_mismatch_at_the_same_bytes() {
    // Local time written as GMT, 21 seconds apart, on a site at +09:00.
    let text = post(1, "2024-07-15T13:45:26", "2024-07-15T13:45:05");
    let found = date_findings(&text, Some("timezone = \"Asia/Seoul\"\n"), None);
    let rules: Vec<&str> = found.iter().map(|(rule, _)| rule.as_str()).collect();
    assert_eq!(rules, ["date-gmt-mismatch", "modified-gmt-mismatch"]);
    assert_eq!(
        found[0].1,
        "2024-07-15T13:45:05: `date_gmt` is +00:00:21 from `date`, but Asia/Seoul was at +09:00 then"
    );
    // Without a zone, +00:00:21 is UTC and a skew.
    let rules: Vec<String> = date_findings(&text, None, None)
        .into_iter()
        .map(|(rule, _)| rule)
        .collect();
    assert_eq!(rules, ["date-clock-skew"]);
}

#[test]
fn a_site_index_zone_with_a_clock_skew_is_not_suspicious() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.json");
    let text = post(1, SKEWED.0, SKEWED.1);
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
    let config = Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"));
    let rules: Vec<String> = findings(&path, config, &text)
        .into_iter()
        .map(|(rule, _)| rule)
        .collect();
    assert_eq!(rules, ["date-clock-skew"]);
}

#[test]
fn clock_skews_do_not_hide_a_site_s_usual_offset() {
    // Twenty posts at +09:00, each with a skew of its own, and one written as GMT (with a
    // skew too) in their midst: the site's offset is still +09:00, and that one is odd.
    let mut posts: Vec<String> = (1..=20)
        .map(|day| {
            let local = format!("2024-05-{day:02}T12:00:00");
            let gmt = format!("2024-05-{day:02}T02:59:{:02}", 60 - day);
            post(day, &local, &gmt)
        })
        .collect();
    let odd = post(21, "2024-05-10T18:00:03", "2024-05-10T18:00:00");
    posts.insert(10, odd);
    let text = posts.join("\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, &text).expect("write");
    let config = Arc::new(
        Config::load(
            &ConfigRequest {
                none: true,
                ..ConfigRequest::default()
            },
            postlint::rules::REGISTRY,
        )
        .expect("config"),
    );
    let outcome = postlint::check_with(
        std::slice::from_ref(&path),
        config.clone(),
        LintOptions::default(),
    );
    assert!(
        outcome
            .site_notes
            .iter()
            .any(|n| n == "site.example: +09:00 (20 of 21 dated posts)"),
        "{:?}",
        outcome.site_notes
    );
    let found = findings(&path, config, &text);
    let suspicious: Vec<&String> = found
        .iter()
        .filter(|(rule, _)| rule == "date-offset-suspicious")
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        suspicious,
        [
            "2024-05-10T18:00:00: `date` equals `date_gmt`: the local time was probably written as GMT"
        ]
    );
    // The odd post's 3 seconds sit on a wrong offset: date-offset-suspicious's finding, not
    // also a clock skew.
    let skews = found
        .iter()
        .filter(|(rule, _)| rule == "date-clock-skew")
        .count();
    assert_eq!(skews, 20);
}

#[test]
fn a_permalink_date_is_read_in_ascii_digits_only() {
    let with_link = |link: &str| {
        post(1, "2024-08-01T00:30:00", "2024-08-01T00:30:00")
            .replace("https://site.example/p1/", link)
    };
    // A year written with Arabic-Indic digits is no date WordPress writes: the ASCII date after
    // it is the one compared, and it disagrees with the post's.
    let text = with_link("https://site.example/20٢٤/07/x/2024/07/story/");
    let found = date_findings(&text, None, Some("UTC"));
    assert_eq!(
        found,
        vec![(
            "permalink-date-mismatch".to_owned(),
            "/2024/07/: the permalink says 2024/07, the post is dated 2024-08-01".to_owned()
        )]
    );
    let agreeing = with_link("https://site.example/20٢٤/07/2024/08/story/");
    assert_eq!(date_findings(&agreeing, None, Some("UTC")), vec![]);
}
