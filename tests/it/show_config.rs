//! `check --show-config` shows every setting a run reads, each with its value and where it came
//! from: the rule defaults, a config file's line, a flag; and every flag of `check` has a line.

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;

use crate::common::postlint_process;

/// The flags that choose the config, or ask for this output: no setting of a run.
const ABOUT_THE_CONFIG: [&str; 3] = ["--config", "--no-config", "--show-config"];

/// What `postlint check ARGS --show-config` prints in `dir`, with no variable of ours set.
fn show(dir: &Path, args: &[&str]) -> String {
    let output = postlint_process()
        .args(["check", "--show-config"])
        .args(args)
        .current_dir(dir)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The output without the rules at their defaults (the registry's test covers those), so
/// that the snapshots show the settings.
fn settings(shown: &str) -> String {
    shown
        .lines()
        .filter(|line| !line.ends_with("# rule default") && !line.ends_with("# off by default"))
        .map(|line| format!("{line}\n"))
        .collect()
}

const CONFIG: &str = r#"ignore = ["empty-span"]
timezone = "Asia/Seoul"
hosts = ["news.example.com"]

[rules.stray-end-tag]
severity = "error"

[site]
max-response-size = "8MiB"

[links]
remote = true
accept = [403]
exclude = ["^https://intranet\\."]
user-agent = "newsroom-bot"
timeout = 2.5
"#;

#[test]
fn defaults_only() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    insta::assert_snapshot!(settings(&show(dir.path(), &["--no-config"])));
}

#[test]
fn with_a_config_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("postlint.toml"), CONFIG).expect("write the config");
    insta::assert_snapshot!(settings(&show(dir.path(), &[])));
}

#[test]
fn with_flags_over_the_config_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("postlint.toml"), CONFIG).expect("write the config");
    let flags = [
        "--severity",
        "stray-end-tag=off",
        "--timezone",
        "Europe/Paris",
        "--link-timeout",
        "7",
        "--user-agent",
        "checker",
        "--no-archive",
        "--per-host",
        "2",
        "--threads",
        "3",
        "--memory-budget",
        "1MiB",
        "--type",
        "posts,pages",
        "posts",
    ];
    insta::assert_snapshot!(settings(&show(dir.path(), &flags)));
}

/// The flags of `check` (`--name`, or the name of a positional argument), from clap's own
/// definition: a flag added there is asked for here.
fn check_flags() -> BTreeSet<String> {
    let command = postlint::cli::Cli::command();
    let check = command
        .find_subcommand("check")
        .expect("`check` is a command");
    check
        .get_arguments()
        .map(|arg| match arg.get_long() {
            Some(long) => format!("--{long}"),
            None => arg.get_id().as_str().to_owned(),
        })
        .filter(|flag| !ABOUT_THE_CONFIG.contains(&flag.as_str()))
        .collect()
}

/// The flags no line of `shown` names: a setting's line names its flag as its key
/// (`--per-host = 4`), or in the parentheses after its origin (`timeout = 15   # default
/// (--link-timeout)`, `[rules]   # … (--select, --ignore)`).
fn unshown(flags: &BTreeSet<String>, shown: &str) -> Vec<String> {
    let named = |flag: &str| {
        shown.lines().any(|line| {
            let line = line.trim_start_matches("# ");
            let in_parentheses = ["(", ", "]
                .iter()
                .flat_map(|before| [")", ","].map(|after| format!("{before}{flag}{after}")))
                .any(|named| line.contains(&named));
            line.starts_with(&format!("{flag} ")) || in_parentheses
        })
    };
    flags.iter().filter(|f| !named(f)).cloned().collect()
}

#[test]
fn every_flag_of_check_has_a_line() {
    let flags = check_flags();
    assert!(flags.len() > 40, "the flags were not read: {flags:?}");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let shown = show(dir.path(), &["--no-config"]);
    let missing = unshown(&flags, &shown);
    assert!(
        missing.is_empty(),
        "--show-config says nothing of {missing:?}:\n{shown}"
    );
}

#[test]
fn the_flag_check_finds_a_flag_without_a_line() {
    let flags: BTreeSet<String> = ["--per-host", "--link-timeout", "--threads", "paths"]
        .map(str::to_owned)
        .into();
    let shown = "timeout = 15   # default (--link-timeout)\n--per-host = 4   # default\n\
                 # --threads not set: one per core\n# --per-host-x not set\n";
    assert_eq!(unshown(&flags, shown), vec!["paths".to_owned()]);
    let listed = "[rules]   # for files no override matches (--select, --paths-x)\n";
    let flags: BTreeSet<String> = ["--select", "--paths"].map(str::to_owned).into();
    assert_eq!(unshown(&flags, listed), vec!["--paths".to_owned()]);
}

#[test]
fn the_environment_is_named_as_an_origin_and_the_password_never_shown() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = postlint_process()
        .args(["check", "--no-config", "--show-config", "--user", "editor"])
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .env("POSTLINT_WP_APP_PASSWORD", "abcd efgh ijkl")
        .output()
        .expect("postlint runs");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("\n--threads = 2   # RAYON_NUM_THREADS\n"),
        "{shown}"
    );
    assert!(
        shown.contains("\n--user = \"editor\"   # command line\n"),
        "{shown}"
    );
    assert!(shown.contains("# POSTLINT_WP_APP_PASSWORD set (its value is never shown)"));
    assert!(!shown.contains("abcd"), "{shown}");
}
