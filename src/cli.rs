//! The command line, as clap definitions only.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "postlint",
    version,
    about = "A linter for WordPress posts: exact spans into the JSON you gave it",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint post files: JSON objects, arrays of posts (REST collections) or NDJSON.
    Check(Box<CheckArgs>),
    /// List every rule with its severity under the current config, and its summary.
    Rules(ConfigArgs),
    /// Print a rule's documentation.
    Explain {
        /// The rule's code, such as `stray-end-tag`.
        code: String,
    },
}

/// Where the configuration comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Read this config file instead of looking for `postlint.toml` upward from here.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no config file: only the built-in rule pack and the command line.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Run only these rules (comma-separated codes, or `all`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,

    /// Also run these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Set a rule's severity: `RULE=error|warning|info|off` (repeatable).
    #[arg(long, value_name = "RULE=LEVEL")]
    pub severity: Vec<String>,

    /// The site's time zone (IANA name), for the date rules; beats the config.
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,

    /// A saved `/wp-json/` answer: the site's zone today (`timezone_string`, `gmt_offset`),
    /// used when no config names one.
    #[arg(long, value_name = "FILE")]
    pub site_index: Option<PathBuf>,

    /// The reference time for "future" and "missed schedule" (RFC 3339; default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<chrono::NaiveDateTime>,

    /// Print the effective configuration, with where each value came from, and exit.
    #[arg(long)]
    pub show_config: bool,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write every finding of this run to a baseline file (the run then exits 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// Files or directories to lint; `-` reads standard input. Directories are walked for
    /// `.json`, `.ndjson` and `.jsonl` files, honouring `.gitignore`. Default: the current
    /// directory.
    pub paths: Vec<PathBuf>,

    /// How to report findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Worker threads (default: one per core). Output is the same whatever the number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Deepest JSON nesting accepted before a post is refused.
    #[arg(long, value_name = "N", default_value_t = crate::input::json::DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's graphical report, with a summary line.
    Human,
    /// One JSON document (schema: `schema/report.schema.json`).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

/// `--now 2024-07-15T00:00:00Z` → that instant in UTC.
fn parse_now(text: &str) -> Result<chrono::NaiveDateTime, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .map_err(|e| format!("not an RFC 3339 time such as 2024-07-15T08:00:00+09:00: {e}"))
}
