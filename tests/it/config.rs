//! Configuration: every key, every error at its place, layers and their precedence, packs,
//! pattern rules, suppressions in posts and baselines.

use crate::common::project;
use std::path::Path;
use std::sync::Arc;

use postlint::config::{CliRules, Config, ConfigError, ConfigRequest, Level};
use postlint::diagnostic::{Finding, Severity};
use postlint::engine::LintOptions;

fn load(dir: &Path, cli: CliRules) -> Result<Config, ConfigError> {
    Config::load(
        &ConfigRequest {
            file: Some(dir.join("postlint.toml")),
            none: false,
            start_dir: dir.to_path_buf(),
            cli,
            site_index: None,
        },
        postlint::rules::REGISTRY,
    )
}

fn load_ok(dir: &Path) -> Config {
    match load(dir, CliRules::default()) {
        Ok(config) => config,
        Err(error) => panic!("config error: {error} {:?}", error.help),
    }
}

/// The error's message, help and the text its span covers.
fn error_at(files: &[(&str, &str)]) -> (String, Option<String>, String) {
    let dir = project(files);
    let error = match load(dir.path(), CliRules::default()) {
        Ok(_) => panic!("expected a config error"),
        Err(error) => error,
    };
    let place = error.at.as_ref().expect("an error with a place");
    let text: String = files
        .iter()
        .find(|(path, _)| place.source.name().ends_with(path))
        .map(|(_, text)| text[place.span.clone()].to_owned())
        .expect("the file of the error");
    (error.message.clone(), error.help.clone(), text)
}

fn lint(dir: &Path, config: Config, post: &str) -> Vec<Finding> {
    let path = dir.join("post.json");
    std::fs::write(&path, post).expect("write post");
    let outcome = postlint::check_with(&[path], Arc::new(config), LintOptions::default());
    outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect()
}

fn rules_and_severities(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings
        .iter()
        .map(|f| (f.diagnostic.rule, f.diagnostic.severity))
        .collect()
}

const STRAYS: &str =
    r#"{"id":5,"slug":"five","content":{"rendered":"<p>a<\/a> b<\/b> c<\/em><\/p>"}}"#;

#[test]
fn unknown_key_is_an_error_at_the_key() {
    let (message, _, text) = error_at(&[("postlint.toml", "selekt = [\"all\"]\n")]);
    assert!(message.starts_with("unknown field `selekt`"), "{message}");
    assert_eq!(text, "selekt");
}

#[test]
fn wrong_type_is_an_error_at_the_value() {
    let (message, _, text) = error_at(&[("postlint.toml", "ignore = \"stray-end-tag\"\n")]);
    assert!(message.contains("invalid type"), "{message}");
    assert_eq!(text, "\"stray-end-tag\"");
}

#[test]
fn unknown_rule_code_suggests_the_close_one() {
    let (message, help, text) = error_at(&[("postlint.toml", "ignore = [\"stray-end-tags\"]\n")]);
    assert_eq!(message, "unknown rule `stray-end-tags`");
    assert_eq!(help.as_deref(), Some("did you mean `stray-end-tag`?"));
    assert_eq!(text, "\"stray-end-tags\"");
}

#[test]
fn unknown_rule_table_and_bad_severity_are_errors() {
    let (message, help, text) = error_at(&[(
        "postlint.toml",
        "[rules.json-sintax]\nseverity = \"error\"\n",
    )]);
    assert_eq!(message, "unknown rule `json-sintax`");
    assert_eq!(help.as_deref(), Some("did you mean `json-syntax`?"));
    assert_eq!(text, "json-sintax");

    let (message, _, _) = error_at(&[(
        "postlint.toml",
        "[rules.json-syntax]\nseverity = \"fatal\"\n",
    )]);
    assert_eq!(message, "unknown severity `fatal` for `json-syntax`");
}

#[test]
fn options_on_a_rule_without_options_are_an_error() {
    let (message, _, text) = error_at(&[("postlint.toml", "[rules.json-syntax]\nstrict = true\n")]);
    assert_eq!(message, "`json-syntax` has no options, but strict given");
    assert_eq!(text, "json-syntax");
}

#[test]
fn site_values_are_checked() {
    let (message, _, text) = error_at(&[("postlint.toml", "timezone = \"Seoul time\"\n")]);
    assert_eq!(message, "`Seoul time` is not an IANA time zone name");
    assert_eq!(text, "\"Seoul time\"");
    let (message, _, _) = error_at(&[("postlint.toml", "utc-offset = \"5:30\"\n")]);
    assert_eq!(message, "`5:30` is not a UTC offset");
    let (message, _, _) = error_at(&[("postlint.toml", "export = \"all\"\n")]);
    assert_eq!(message, "unknown export kind `all`");
    let (message, _, text) = error_at(&[(
        "postlint.toml",
        "[[timezone-history]]\nuntil = \"2019\"\ntimezone = \"UTC\"\n",
    )]);
    assert_eq!(message, "`until` must be a date, YYYY-MM-DD");
    assert_eq!(text, "\"2019\"");
}

/// Line and column (1-based, in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The error of a project whose files hold a misspelt zone: message, help, the place (file,
/// line, column) and the text there.
fn zone_error(files: &[(&str, &str)]) -> (String, Option<String>, String, (usize, usize), String) {
    let dir = project(files);
    let error = load(dir.path(), CliRules::default())
        .err()
        .expect("a misspelt zone is an error");
    let place = error.at.as_ref().expect("an error with a place");
    let name = place.source.name().to_owned();
    let (_, text) = files
        .iter()
        .find(|(path, _)| name.ends_with(path))
        .expect("the file of the error");
    (
        error.message.clone(),
        error.help.clone(),
        name,
        line_column(text, place.span.start),
        text[place.span.clone()].to_owned(),
    )
}

#[test]
fn a_misspelt_zone_is_an_error_at_its_place_with_the_close_name() {
    let (message, help, file, at, text) = zone_error(&[(
        "postlint.toml",
        "hosts = [\"site.example\"]\ntimezone = \"Asia/Seol\"\n",
    )]);
    assert_eq!(message, "`Asia/Seol` is not an IANA time zone name");
    assert_eq!(help.as_deref(), Some("did you mean `Asia/Seoul`?"));
    assert!(file.ends_with("postlint.toml"), "{file}");
    assert_eq!(at, (2, 12));
    assert_eq!(text, "\"Asia/Seol\"");
}

#[test]
fn a_misspelt_zone_in_a_pack_is_an_error_in_the_pack() {
    let (message, help, file, at, text) = zone_error(&[
        ("postlint.toml", "extends = [\"packs/site.toml\"]\n"),
        ("packs/site.toml", "timezone = \"Europe/Madird\"\n"),
    ]);
    assert_eq!(message, "`Europe/Madird` is not an IANA time zone name");
    assert_eq!(help.as_deref(), Some("did you mean `Europe/Madrid`?"));
    assert!(file.ends_with("packs/site.toml"), "{file}");
    assert_eq!(at, (1, 12));
    assert_eq!(text, "\"Europe/Madird\"");
}

#[test]
fn timezone_history_entries_are_checked_not_dropped() {
    let history = |entry: &str| {
        format!("timezone = \"Asia/Seoul\"\n[[timezone-history]]\nuntil = \"2019-03-01\"\n{entry}")
    };
    let config = history("timezone = \"Asia/Seol\"\n");
    let (message, help, _, at, text) = zone_error(&[("postlint.toml", &config)]);
    assert_eq!(message, "`Asia/Seol` is not an IANA time zone name");
    assert_eq!(help.as_deref(), Some("did you mean `Asia/Seoul`?"));
    assert_eq!((at, text.as_str()), ((4, 12), "\"Asia/Seol\""));

    let config = history("utc-offset = \"9:00\"\n");
    let (message, _, _, at, _) = zone_error(&[("postlint.toml", &config)]);
    assert_eq!(
        (message.as_str(), at),
        ("`9:00` is not a UTC offset", (4, 14))
    );

    let config = history("");
    let (message, _, _, at, text) = zone_error(&[("postlint.toml", &config)]);
    assert_eq!(message, "this entry names no zone");
    assert_eq!((at, text.as_str()), ((3, 9), "\"2019-03-01\""));

    let config = "[[timezone-history]]\nuntil = \"2019-02-30\"\ntimezone = \"UTC\"\n";
    let (message, _, _, at, _) = zone_error(&[("postlint.toml", config)]);
    assert_eq!(
        (message.as_str(), at),
        ("`until` must be a date, YYYY-MM-DD", (2, 9))
    );
}

#[test]
fn every_known_zone_name_is_accepted_and_resolved() {
    for name in [
        "UTC",
        "Asia/Seoul",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "Japan",
    ] {
        let dir = project(&[("postlint.toml", &format!("timezone = \"{name}\"\n"))]);
        let config = load_ok(dir.path());
        assert!(config.site.zone.is_some(), "{name} resolves to a zone");
    }
}

#[test]
fn invalid_regex_is_an_error_at_the_regex() {
    let (message, help, text) = error_at(&[(
        "postlint.toml",
        "[[patterns]]\ncode = \"x-y\"\nregex = \"(unclosed\"\nmessage = \"m\"\n",
    )]);
    assert!(message.starts_with("invalid regex"), "{message}");
    assert!(help.is_some_and(|h| h.contains("regex")));
    assert_eq!(text, "\"(unclosed\"");
}

#[test]
fn pattern_code_clash_is_an_error() {
    let (message, _, text) = error_at(&[(
        "postlint.toml",
        "[[patterns]]\ncode = \"stray-end-tag\"\nregex = \"x\"\nmessage = \"m\"\n",
    )]);
    assert_eq!(message, "rule `stray-end-tag` is defined twice");
    assert_eq!(text, "\"stray-end-tag\"");
}

#[test]
fn extends_cycle_is_an_error_at_the_extends_entry() {
    let (message, _, text) = error_at(&[
        ("postlint.toml", "extends = [\"a.toml\"]\n"),
        ("a.toml", "extends = [\"b.toml\"]\n"),
        ("b.toml", "extends = [\"a.toml\"]\n"),
    ]);
    assert!(
        message.starts_with("packs extend each other in a cycle"),
        "{message}"
    );
    assert_eq!(text, "\"a.toml\"");
}

#[test]
fn missing_pack_is_an_error_at_the_extends_entry() {
    let (message, _, text) = error_at(&[("postlint.toml", "extends = [\"nope.toml\"]\n")]);
    assert!(message.starts_with("cannot read"), "{message}");
    assert_eq!(text, "\"nope.toml\"");
}

#[test]
fn packs_extend_packs_and_later_layers_win() {
    let dir = project(&[
        (
            "postlint.toml",
            "extends = [\"packs/site.toml\"]\nhosts = [\"mine.example\"]\n",
        ),
        (
            "packs/site.toml",
            "extends = [\"base.toml\"]\ntimezone = \"Europe/Madrid\"\n",
        ),
        (
            "packs/base.toml",
            "timezone = \"UTC\"\nhosts = [\"base.example\"]\nutc-offset = \"+01:00\"\n",
        ),
    ]);
    let config = load_ok(dir.path());
    let site = &config.site;
    assert_eq!(
        site.timezone.as_ref().map(|v| v.value.as_str()),
        Some("Europe/Madrid")
    );
    assert_eq!(site.hosts(), ["mine.example"]);
    assert_eq!(
        site.utc_offset.as_ref().map(|v| v.value.as_str()),
        Some("+01:00")
    );
    let shown = config.show();
    let timezone_line = shown
        .lines()
        .find(|l| l.starts_with("timezone ="))
        .expect("timezone");
    assert!(
        timezone_line.ends_with("packs/site.toml:2 (--timezone)"),
        "{shown}"
    );
    assert!(shown.contains("hosts = [\"mine.example\"]   # "), "{shown}");
}

#[test]
fn select_ignore_and_extend_select() {
    let dir = project(&[(
        "postlint.toml",
        "select = [\"json-syntax\"]\nextend-select = [\"stray-end-tag\"]\n",
    )]);
    let found = lint(dir.path(), load_ok(dir.path()), STRAYS);
    assert_eq!(found.len(), 3);

    let dir = project(&[("postlint.toml", "ignore = [\"stray-end-tag\"]\n")]);
    assert!(lint(dir.path(), load_ok(dir.path()), STRAYS).is_empty());

    let dir = project(&[("postlint.toml", "select = [\"json-syntax\"]\n")]);
    assert!(lint(dir.path(), load_ok(dir.path()), STRAYS).is_empty());
}

#[test]
fn a_configured_severity_applies_to_every_finding_of_the_rule() {
    let post = STRAYS;
    let dir = project(&[("postlint.toml", "")]);
    let graded = rules_and_severities(&lint(dir.path(), load_ok(dir.path()), post));
    assert_eq!(
        graded,
        [
            ("stray-end-tag", Severity::Error),
            ("stray-end-tag", Severity::Warning),
            ("stray-end-tag", Severity::Info),
        ]
    );
    let dir = project(&[(
        "postlint.toml",
        "[rules.stray-end-tag]\nseverity = \"warning\"\n",
    )]);
    let found = lint(dir.path(), load_ok(dir.path()), post);
    assert!(
        found
            .iter()
            .all(|f| f.diagnostic.severity == Severity::Warning)
    );
}

#[test]
fn command_line_beats_the_file() {
    let dir = project(&[(
        "postlint.toml",
        "[rules.stray-end-tag]\nseverity = \"warning\"\n",
    )]);
    let cli = CliRules {
        severity: vec!["stray-end-tag=error".to_owned()],
        ..CliRules::default()
    };
    let config = load(dir.path(), cli).expect("config");
    let found = lint(dir.path(), config, STRAYS);
    assert!(
        found
            .iter()
            .all(|f| f.diagnostic.severity == Severity::Error)
    );

    let cli = CliRules {
        ignore: vec!["stray-end-tag".to_owned()],
        ..CliRules::default()
    };
    let config = load(dir.path(), cli).expect("config");
    assert!(lint(dir.path(), config, STRAYS).is_empty());

    let cli = CliRules {
        severity: vec!["stray-end-tags=error".to_owned()],
        ..CliRules::default()
    };
    let error = load(dir.path(), cli).err().expect("an error");
    assert_eq!(
        error.message,
        "unknown rule `stray-end-tags` on the command line"
    );
}

#[test]
fn overrides_by_path_and_by_post() {
    let dir = project(&[(
        "postlint.toml",
        r#"
[[overrides]]
files = ["archive/**"]
ignore = ["stray-end-tag"]

[[overrides]]
posts = [7]
[overrides.rules.stray-end-tag]
severity = "info"

[[overrides]]
posts = ["quiet"]
[overrides.rules.stray-end-tag]
severity = "off"
"#,
    )]);
    let config = Arc::new(load_ok(dir.path()));
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    };
    let posts = concat!(
        r#"{"id":6,"content":{"rendered":"x<\/a>"}}"#,
        "\n",
        r#"{"id":7,"content":{"rendered":"x<\/a>"}}"#,
        "\n",
        r#"{"id":8,"slug":"quiet","content":{"rendered":"x<\/a>"}}"#,
        "\n"
    );
    let current = write("current/posts.ndjson", posts);
    let archived = write("archive/2019/posts.ndjson", posts);
    let outcome = postlint::check_with(&[current, archived], config, LintOptions::default());
    let current: Vec<_> = outcome.reports[0]
        .findings
        .iter()
        .map(|f| {
            (
                f.diagnostic.post.as_ref().and_then(|p| p.id),
                f.diagnostic.severity,
            )
        })
        .collect();
    assert_eq!(
        current,
        [(Some(6), Severity::Error), (Some(7), Severity::Info)]
    );
    // In the archive the rule is ignored, but the later override on post 7 sets a severity,
    // which turns it back on for that post: later layers win.
    let archived: Vec<_> = outcome.reports[1]
        .findings
        .iter()
        .map(|f| {
            (
                f.diagnostic.post.as_ref().and_then(|p| p.id),
                f.diagnostic.severity,
            )
        })
        .collect();
    assert_eq!(archived, [(Some(7), Severity::Info)]);
}

/// `--config quiet.toml`, the file named without its folder: the overrides' globs are
/// relative to the folder it is in (the current one), as with `--config ./quiet.toml`, and
/// however the linted file is named.
#[test]
fn overrides_match_with_a_config_named_without_its_folder() {
    let dir = project(&[
        (
            "quiet.toml",
            "[[overrides]]\nfiles = [\"archive/**\"]\nignore = [\"stray-end-tag\"]\n",
        ),
        (
            "archive/old.json",
            r#"{"id":1,"content":{"rendered":"x<\/a>"}}"#,
        ),
    ]);
    let archive = dir.path().join("archive/old.json");
    let archive = archive.to_str().expect("a UTF-8 path");
    for config in ["quiet.toml", "./quiet.toml"] {
        for file in ["archive/old.json", "./archive/old.json", archive] {
            let out = crate::common::postlint_process()
                .current_dir(dir.path())
                .args(["check", "--config", config, "--format", "json", file])
                .output()
                .expect("run postlint");
            let report: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a JSON report");
            assert_eq!(report["summary"]["posts"], 1, "--config {config} {file}");
            assert_eq!(
                report["summary"]["by_rule"],
                serde_json::json!({}),
                "--config {config} {file}"
            );
        }
    }
}

#[test]
fn rules_listing_shows_effective_severity_and_where_it_was_set() {
    let dir = project(&[(
        "postlint.toml",
        "ignore = [\"unused-suppression\"]\n[rules.json-syntax]\nseverity = \"warning\"\n",
    )]);
    let config = load_ok(dir.path());
    let levels = config.rule_levels();
    let find = |code: &str| {
        levels
            .iter()
            .find(|(c, _, _)| c == code)
            .cloned()
            .expect("rule")
    };
    assert_eq!(find("unused-suppression").1, Level::Off);
    let (_, level, from) = find("json-syntax");
    assert_eq!(level, Level::On(Severity::Warning));
    assert!(from.is_some_and(|f| f.ends_with("postlint.toml:2")));
    assert_eq!(find("stray-end-tag").1, Level::On(Severity::Warning));
}

#[test]
fn pattern_rules_report_exact_spans_through_escapes_and_references() {
    let dir = project(&[(
        "postlint.toml",
        r#"
[[patterns]]
code = "click-here"
regex = "(?i)click\\s+here"
in = "link-text"
message = "link text `{match}` says nothing"
replace-with = "the full report"

[[patterns]]
code = "utm-link"
severity = "info"
regex = "utm_[a-z]+="
in = "href"
message = "tracking parameter in a link"

[[patterns]]
code = "shouting-title"
regex = "[A-Z]{5,}"
in = "title"
message = "title shouts"
"#,
    )]);
    let post = r#"{"id":1,"title":{"rendered":"BREAKING news"},"content":{"rendered":"<p>Caf\u00e9 <a href=\"https:\/\/x.org\/?a=1&amp;utm_source=z\">Click&nbsp;here<\/a> or click here.<\/p>"}}"#;
    let found = lint(dir.path(), load_ok(dir.path()), post);
    let texts: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f.diagnostic.rule,
                &post[f.span.offset..f.span.offset + f.span.length],
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            ("shouting-title", "BREAKING"),
            ("utm-link", "utm_source="),
            ("click-here", "Click&nbsp;here"),
            // The built-in rule finds the same words as the pattern, at the same bytes.
            ("link-text-vague", "Click&nbsp;here"),
        ]
    );
    let click = &found[2].diagnostic;
    assert_eq!(click.message, "link text `Click\u{a0}here` says nothing");
    assert_eq!(
        click.help.as_deref(),
        Some("replace `Click\u{a0}here` with `the full report`")
    );
    assert_eq!(found[1].diagnostic.severity, Severity::Info);
}

#[test]
fn suppressions_in_posts() {
    let dir = project(&[("postlint.toml", "")]);
    let post = concat!(
        r#"{"id":1,"content":{"rendered":""#,
        r#"<!-- postlint-disable-next-line stray-end-tag -- wire copy -->\n<p>a<\/a><\/p>\n<p>b<\/a><\/p>\n"#,
        r#"<!-- postlint-disable stray-end-tag -- legacy block -->\n<p>c<\/span><\/p>\n<!-- postlint-enable stray-end-tag -->\n<p>d<\/b><\/p>\n"#,
        r#"<!-- postlint-disable-next-line stray-end-tag -->\n<p>e<\/i><\/p>\n"#,
        r#"<!-- postlint-disable-next-line stray-end-tag -- nothing here -->\n<p>fine<\/p>\n"#,
        r#"<!-- postlint-disable-next-line stray-end-tagz -- typo -->\n<!-- postlint-disabel x -- typo -->\n"#,
        r#""}}"#
    );
    let found = lint(dir.path(), load_ok(dir.path()), post);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f.diagnostic.rule,
                &post[f.span.offset..f.span.offset + f.span.length],
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("stray-end-tag", r"<\/a>"),
            ("stray-end-tag", r"<\/b>"),
            (
                "suppression-without-reason",
                "<!-- postlint-disable-next-line stray-end-tag -->"
            ),
            (
                "unused-suppression",
                "<!-- postlint-disable-next-line stray-end-tag -- nothing here -->"
            ),
            (
                "unused-suppression",
                "<!-- postlint-disable-next-line stray-end-tagz -- typo -->"
            ),
            (
                "unused-suppression",
                "<!-- postlint-disable-next-line stray-end-tagz -- typo -->"
            ),
            ("unused-suppression", "<!-- postlint-disabel x -- typo -->"),
        ]
    );
    assert_eq!(found[0].span.offset, post.find(r"b<\/a>").expect("b") + 1);
    assert_eq!(
        found[4].diagnostic.message,
        "this suppression names an unknown rule `stray-end-tagz`"
    );
    assert_eq!(
        found[4].diagnostic.help.as_deref(),
        Some("did you mean `stray-end-tag`?")
    );
}

#[test]
fn disable_file_covers_the_whole_post_and_only_it() {
    let dir = project(&[("postlint.toml", "")]);
    let posts = concat!(
        r#"{"id":1,"title":{"rendered":"t<\/b>"},"content":{"rendered":"<p>a<\/a><\/p><!-- postlint-disable-file stray-end-tag -- transcript -->"}}"#,
        "\n",
        r#"{"id":2,"content":{"rendered":"<p>a<\/a><\/p>"}}"#,
        "\n"
    );
    let found = lint(dir.path(), load_ok(dir.path()), posts);
    let ids: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f.diagnostic.rule,
                f.diagnostic.post.as_ref().and_then(|p| p.id),
            )
        })
        .collect();
    assert_eq!(ids, [("stray-end-tag", Some(2))]);
}

#[test]
fn baseline_survives_an_unrelated_edit_and_lets_new_findings_through() {
    let dir = project(&[("postlint.toml", "")]);
    let path = dir.path().join("post.json");
    let before = r#"{"id":9,"content":{"rendered":"<p>one<\/a> two<\/span><\/p>"}}"#;
    std::fs::write(&path, before).expect("write");
    let run = || {
        postlint::check_with(
            std::slice::from_ref(&path),
            Arc::new(load_ok(dir.path())),
            LintOptions::default(),
        )
    };
    let baseline = postlint::baseline::Baseline::of(&run().reports);
    let baseline_path = dir.path().join("baseline.json");
    baseline.write(&baseline_path).expect("write baseline");
    let baseline = postlint::baseline::Baseline::read(&baseline_path).expect("read baseline");

    let edited = r#"{"id":9,"title":{"rendered":"A new title"},"content":{"rendered":"<p>An added first paragraph.<\/p><p>one<\/a> two<\/span><\/p>"}}"#;
    std::fs::write(&path, edited).expect("write");
    let mut outcome = run();
    assert_eq!(baseline.filter(&mut outcome.reports), 2);
    assert!(outcome.reports[0].findings.is_empty());

    let with_new =
        r#"{"id":9,"content":{"rendered":"<p>one<\/a> two<\/span><\/p><p>three<\/a><\/p>"}}"#;
    std::fs::write(&path, with_new).expect("write");
    let mut outcome = run();
    baseline.filter(&mut outcome.reports);
    let left: Vec<_> = outcome.reports[0]
        .findings
        .iter()
        .map(|f| &with_new[f.span.offset..f.span.offset + f.span.length])
        .collect();
    assert_eq!(left, [r"<\/a>"]);
    assert_eq!(
        outcome.reports[0].findings.to_vec()[0].span.offset,
        with_new.rfind(r"<\/a>").expect("new")
    );
}

#[test]
fn the_documented_example_config_and_the_koreapro_pack_load() {
    let readme = std::fs::read_to_string("rules/README.md").expect("rules/README.md");
    let start = readme.find("```toml\nextends").expect("example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").expect("end")];
    let pack = std::fs::read_to_string("rules/koreapro.toml").expect("pack");
    let dir = project(&[("postlint.toml", example), ("rules/koreapro.toml", &pack)]);
    let config = load_ok(dir.path());
    assert_eq!(config.site.sections.len(), 2);
    assert_eq!(
        config.site.timezone.as_ref().map(|t| t.value.as_str()),
        Some("Asia/Seoul")
    );
}

#[test]
fn koreapro_pack_declares_the_site() {
    let dir = project(&[("postlint.toml", "extends = [\"koreapro.toml\"]\n")]);
    std::fs::copy("rules/koreapro.toml", dir.path().join("koreapro.toml")).expect("copy");
    let config = load_ok(dir.path());
    assert_eq!(config.site.hosts(), ["koreapro.org", "www.koreapro.org"]);
    assert_eq!(config.site.sections[0].heading, "WHY IT MATTERS");
    assert_eq!(
        config.site.timezone.as_ref().map(|t| t.value.as_str()),
        Some("Asia/Seoul")
    );
}

#[test]
fn builtin_config_loads_without_files() {
    let config = Config::builtin(postlint::rules::REGISTRY);
    let off: Vec<String> = config
        .rule_levels()
        .into_iter()
        .filter(|(_, level, _)| *level == Level::Off)
        .map(|(code, _, _)| code)
        .collect();
    assert_eq!(off, ["guid-host-mismatch", "modified-before-date"]);
}

#[test]
fn the_link_phase_settings_are_read_from_the_config_and_checked() {
    let dir = project(&[(
        "postlint.toml",
        "[links]\ntimeout = 4\narchive = false\narchive-api = \"http://127.0.0.1:9/available\"\n",
    )]);
    let config = load_ok(dir.path());
    let links = &config.site.links;
    let timeout = links.timeout.as_ref().map(|t| t.value);
    assert_eq!(timeout, Some(std::time::Duration::from_secs(4)));
    assert!(!links.archive);
    assert_eq!(
        links.archive_api.as_ref().map(url::Url::as_str),
        Some("http://127.0.0.1:9/available")
    );
    let (message, _, text) = error_at(&[(
        "postlint.toml",
        "[links]\narchive-api = \"ftp://archive.example/\"\n",
    )]);
    assert!(message.contains("is not an http(s) URL"), "{message}");
    assert_eq!(text, "\"ftp://archive.example/\"");
    let (message, _, text) = error_at(&[("postlint.toml", "[links]\ntimeout = -1\n")]);
    assert!(
        message.contains("`timeout` takes a number of seconds from 0.001 to 86400"),
        "{message}"
    );
    assert_eq!(text, "-1");
    let (message, _, _) = error_at(&[("postlint.toml", "[links]\narchvie = false\n")]);
    assert!(message.contains("archvie"), "{message}");
}
