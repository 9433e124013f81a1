//! `check --show-config`: the config's settings (`config::show`), then every flag of `check`
//! that no config key holds, read from clap's own view of the command line.

use std::ffi::OsString;
use std::fmt::Write;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use postlint::cli::Cli;
use postlint::config::Config;
use postlint::wordpress::PASSWORD_VARIABLE;

/// The flags of `check` whose value the config holds, shown in its `[rules]`, `[site]` and
/// `[links]` (each as the flag that sets a key there).
pub const IN_THE_CONFIG: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "timezone",
    "max-response-size",
    "site-timeout",
    "link-timeout",
    "archive-timeout",
    "links",
    "no-archive",
    "user-agent",
    "archive-api",
];

/// The flags that choose the config, or this very output: no setting of a run.
pub const ABOUT_THE_CONFIG: &[&str] = &["config", "no-config", "show-config"];

/// The environment variable the thread pool reads when `--threads` is not given (rayon's).
const THREADS_VARIABLE: &str = "RAYON_NUM_THREADS";

/// What a run does without these flags, which have no default value in clap.
const WHEN_NOT_GIVEN: &[(&str, &str)] = &[
    ("paths", "the current folder, unless a site is named"),
    ("--format", "human"),
    ("--output", "standard output"),
    ("--now", "the time of the run"),
];

/// What `check ARGS --show-config` prints for the arguments this process was started with.
pub fn show_config(config: &Config) -> String {
    let args: Vec<OsString> = std::env::args_os().collect();
    let matches = Cli::command().try_get_matches_from(args).ok();
    let check = matches.as_ref().and_then(|m| m.subcommand_matches("check"));
    let mut out = config.show();
    if let Some(check) = check {
        out.push_str(&command_line(check));
    }
    out
}

/// `[command line]`: each flag of `check` no config key holds, `--flag = value   # origin`
/// (`default`, `command line`, or an environment variable), or `# --flag not set`.
fn command_line(check: &ArgMatches) -> String {
    let mut out = String::from("\n[command line]   # what only `check`'s flags set\n");
    let command = Cli::command();
    let Some(check_command) = command.find_subcommand("check") else {
        return out;
    };
    for arg in check_command.get_arguments() {
        let id = arg.get_id().as_str();
        let name = arg
            .get_long()
            .map_or_else(|| id.to_owned(), |l| format!("--{l}"));
        let long = name.trim_start_matches("--");
        let shown_elsewhere = IN_THE_CONFIG.contains(&long) || ABOUT_THE_CONFIG.contains(&long);
        if shown_elsewhere || matches!(long, "help" | "version") {
            continue;
        }
        let values: Option<Vec<String>> = (check.try_get_raw(id).ok().flatten())
            .map(|raw| raw.map(|v| v.to_string_lossy().into_owned()).collect());
        let origin = match check.value_source(id) {
            Some(ValueSource::CommandLine) => "command line",
            Some(ValueSource::EnvVariable) => "environment",
            _ => "default",
        };
        let _ = match (values, long) {
            (None, "threads") => writeln!(out, "{}", threads()),
            (None, _) => match WHEN_NOT_GIVEN.iter().find(|(flag, _)| *flag == name) {
                Some((_, then)) => writeln!(out, "# {name} not set: {then}"),
                None => writeln!(out, "# {name} not set"),
            },
            (Some(values), _) => writeln!(out, "{name} = {}   # {origin}", shown(&values)),
        };
        if long == "user" {
            let set = std::env::var_os(PASSWORD_VARIABLE).is_some_and(|v| !v.is_empty());
            let said = if set { "set" } else { "not set" };
            let _ = writeln!(
                out,
                "# {PASSWORD_VARIABLE} {said} (its value is never shown)"
            );
        }
        if long == "color" && std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            let _ = writeln!(out, "# NO_COLOR is set: `auto` means no colour");
        }
    }
    out
}

/// `--threads` not given: rayon's variable, or one thread per core.
fn threads() -> String {
    match std::env::var(THREADS_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => {
            format!("--threads = {}   # {THREADS_VARIABLE}", shown(&[value]))
        }
        _ => "# --threads not set: one per core".to_owned(),
    }
}

/// Values as written: a number or a boolean bare, other text quoted, several as a list.
fn shown(values: &[String]) -> String {
    let one = |value: &String| {
        let bare = value.parse::<f64>().is_ok() || matches!(value.as_str(), "true" | "false");
        if bare {
            value.clone()
        } else {
            format!("{value:?}")
        }
    };
    match values {
        [value] => one(value),
        _ => format!(
            "[{}]",
            values.iter().map(one).collect::<Vec<_>>().join(", ")
        ),
    }
}
