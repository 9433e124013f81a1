//! The command line, as clap definitions only.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::limits;
use crate::report::formats::{self, Emitter};

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
    /// Serve the Language Server Protocol on standard input and output, for editors.
    Server(ServerArgs),
    /// Combine the JSON reports of `--shard K/N` jobs into the report of one run: the site
    /// rules run over the posts of every shard.
    Merge(Box<MergeArgs>),
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

/// `postlint merge`: the shard reports, the configuration the shards ran with, and the reports
/// to write.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// JSON reports written by `postlint check --shard K/N --format json`, one per shard.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// The rule options the shards ran with.
    #[command(flatten)]
    pub rules: RuleArgs,

    /// How to report the merged findings, as for `check` (default: json).
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_target)]
    pub format: Vec<ReportTarget>,

    /// Write the merged report (the one `--format` given without a file) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The least severity that makes the merge fail (exit 1), as for `check`.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// The `--baseline` the shards ran with: the findings the merge adds (site rules, links,
    /// the suppressions left unused) are held back by it as well.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// `postlint server`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Also run the rules that compare posts (duplicate titles, slugs), within each open file.
    #[arg(long)]
    pub site_rules: bool,
}

/// The options that choose the rules and their settings, shared by `check` and `merge` (whose
/// shards must have run with the same).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleArgs {
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

    /// The site's time zone (IANA name, such as Asia/Seoul), for the date rules; beats the
    /// config. Checked like a zone in a config: a misspelt one is an error (exit 2).
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,

    /// A saved `/wp-json/` answer: the site's zone today (`timezone_string`, `gmt_offset`),
    /// used when no config names one.
    #[arg(long, value_name = "FILE")]
    pub site_index: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Lint a live WordPress site over its REST API (repeatable; or `[site] url` in the config).
    #[arg(
        long = "site",
        value_name = "URL",
        value_parser = parse_site_url,
        conflicts_with = "changed_since"
    )]
    pub sites: Vec<url::Url>,

    /// What to read: posts, pages, or other types by name (`posts,pages`, `attachment`). From
    /// a site, posts by default; from a WXR export, posts and pages.
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPES")]
    pub post_types: Vec<crate::wordpress::PostType>,

    /// Read only these posts of the site, by id or slug (comma-separated, repeatable), not
    /// every page of posts.
    #[arg(
        long = "post",
        value_delimiter = ',',
        value_name = "ID_OR_SLUG",
        value_parser = crate::wordpress::single::PostRef::parse,
        conflicts_with_all = ["since_last_run", "modified_after"]
    )]
    pub posts: Vec<crate::wordpress::single::PostRef>,

    /// Which statuses to read from a site (`any`, `draft,publish`, …): anything but published
    /// posts needs --user and an application password in POSTLINT_WP_APP_PASSWORD.
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<String>,

    /// The WordPress user whose application password is in POSTLINT_WP_APP_PASSWORD.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Write the pages fetched from a site, byte for byte, to DIR/<host>/posts-page-<n>.json;
    /// diagnostics then point into those files.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,

    /// Read only posts modified after this time (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_now, conflicts_with = "since_last_run")]
    pub modified_after: Option<chrono::NaiveDateTime>,

    /// Read only posts modified since the last run's newest one (kept in the cache folder).
    #[arg(long)]
    pub since_last_run: bool,

    /// The reference time for "future" and "missed schedule" (RFC 3339; default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<chrono::NaiveDateTime>,

    /// Check every link's target over HTTP (each distinct URL once; results cached).
    #[arg(long)]
    pub links: bool,

    /// Where the link cache is kept.
    #[arg(long, value_name = "DIR", default_value = limits::CACHE_DIR)]
    pub cache_dir: PathBuf,

    /// Neither read nor write the link cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Also check targets on loopback and private addresses (tests, intranet sites); the
    /// archive (`--archive-api`) and the archived copies it offers may be there too, and so
    /// may a site's API or a redirect away from the site named.
    #[arg(long)]
    pub allow_private: bool,

    /// The User-Agent of every request: link targets and a site's pages (or `[links]
    /// user-agent`).
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,

    /// Seconds one link's check may take in all, every try, wait and redirect included
    /// (connecting: a third of it); 0.001 to 86400. Default 15, or `[links] timeout`.
    #[arg(
        long,
        value_name = "SECONDS",
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::LINK_TIMEOUT.parse(t)
    )]
    pub link_timeout: Option<Duration>,

    /// Seconds one page of --site may take: each try of the page and each wait between tries,
    /// at most 3 tries (connecting: a third of it); 0.001 to 86400. Default 15, or
    /// `[site] timeout`.
    #[arg(
        long,
        value_name = "SECONDS",
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::SITE_TIMEOUT.parse(t)
    )]
    pub site_timeout: Option<Duration>,

    /// Seconds all the lookups of archived copies of a run may take together; the dead links
    /// left are looked up by the next run. Default 60, or `[links] archive-timeout`.
    #[arg(
        long,
        value_name = "SECONDS",
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::ARCHIVE_TIMEOUT.parse(t)
    )]
    pub archive_timeout: Option<Duration>,

    /// Link requests at once, in all (1 to 1024).
    #[arg(
        long,
        value_name = "N",
        default_value_t = limits::DEFAULT_LINK_CONCURRENCY,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::LINK_CONCURRENCY.parse(t)
    )]
    pub link_concurrency: usize,

    /// Requests to one server at once: link targets, the pages of a site (1 to 64).
    #[arg(
        long,
        value_name = "N",
        default_value_t = limits::DEFAULT_PER_HOST,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::PER_HOST.parse(t)
    )]
    pub per_host: usize,

    /// Largest answer of a site read (a page of posts, its REST index); a larger one is an
    /// error for that page. Default 64MiB, or `[site] max-response-size`.
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::MAX_RESPONSE_SIZE.parse(t)
    )]
    pub max_response_size: Option<bytesize::ByteSize>,

    /// The availability API asked for archived copies of dead links (`?url=…&timestamp=…`);
    /// default the Internet Archive's, or `[links] archive-api`.
    #[arg(long, value_name = "URL")]
    pub archive_api: Option<url::Url>,

    /// Do not look for archived copies of dead links.
    #[arg(long)]
    pub no_archive: bool,

    /// Apply the safe fixes to the files, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Also apply the fixes that are right in most cases but worth a look.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change, change nothing (exit 1 when there is
    /// something to fix).
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Let --fix rewrite files whose JSON was damaged (the recovery is a guess).
    #[arg(long)]
    pub fix_damaged: bool,

    /// Lint the paths, then lint each post file again whenever it is saved, until stopped.
    #[arg(long, conflicts_with_all = ["fix", "diff", "write_baseline", "sites", "show_config"])]
    pub watch: bool,

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
    /// directory. An `http(s)://` address of a post (a permalink, `?p=5`, `?page_id=7`, a
    /// REST address) lints that post of the live site.
    pub paths: Vec<PathBuf>,

    /// How to report findings: a format, or FORMAT=FILE to write it to a file (the formats are
    /// those of `report::formats`, named in the help).
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_target, help = format_help())]
    pub format: Vec<ReportTarget>,

    /// Write the report (the one `--format` given without a file) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The least severity that makes the run fail (exit 1): `error` (default), `warning`,
    /// `info`, or `never`.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Print a table of finding counts per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Lint only post files added or changed since this git revision (committed, staged,
    /// unstaged or untracked; deleted files are skipped).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,

    /// Lint only shard K of N (`2/4`): a stable split of the files by path, so N jobs cover
    /// every file once. Combine their JSON reports with `postlint merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,

    /// Worker threads, 1 to 1024 (default: one per core). Output is the same whatever the
    /// number.
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::THREADS.parse(t)
    )]
    pub threads: Option<usize>,

    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Deepest JSON nesting accepted before a post is refused (1 to 512, as deep as WordPress
    /// writes).
    #[arg(
        long,
        value_name = "N",
        default_value_t = limits::DEFAULT_MAX_DEPTH,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::MAX_DEPTH.parse(t)
    )]
    pub max_depth: usize,

    /// Largest file read; a larger one is refused before reading (units: KiB, MiB, GiB, KB, …).
    #[arg(
        long,
        value_name = "SIZE",
        default_value_t = limits::MAX_FILE_SIZE.default,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::MAX_FILE_SIZE.parse(t)
    )]
    pub max_file_size: bytesize::ByteSize,

    /// Most memory the site facts of the posts may take before they are sorted to temporary
    /// files and merged from disk (`0`: no limit).
    #[arg(
        long,
        value_name = "SIZE",
        default_value_t = limits::MEMORY_BUDGET.default,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::MEMORY_BUDGET.parse(t)
    )]
    pub memory_budget: bytesize::ByteSize,

    /// Largest post (or uncuttable stretch of a file) held in memory; past it the rest of the
    /// file is not linted and a finding says so.
    #[arg(
        long,
        value_name = "SIZE",
        default_value_t = limits::MAX_POST_SIZE.default,
        allow_hyphen_values = true,
        value_parser = |t: &str| limits::MAX_POST_SIZE.parse(t)
    )]
    pub max_post_size: bytesize::ByteSize,
}

/// Which findings fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<crate::diagnostic::Severity> {
        use crate::diagnostic::Severity;
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A report to write: its format, and the file (standard output when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub format: &'static Emitter,
    pub file: Option<PathBuf>,
}

/// `--format`'s help, naming the formats of the table.
fn format_help() -> String {
    format!(
        "How to report findings: a format, or FORMAT=FILE to write it to a file. Repeat for \
         several reports in one run. Formats: {}",
        formats::names()
    )
}

fn parse_target(text: &str) -> Result<ReportTarget, String> {
    let (name, file) = match text.split_once('=') {
        Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
        Some(_) => return Err("FORMAT=FILE needs a file name after `=`".to_owned()),
        None => (text, None),
    };
    let format = formats::named(name).ok_or_else(|| {
        format!(
            "unknown format `{name}`; the formats are {}",
            formats::names()
        )
    })?;
    Ok(ReportTarget { format, file })
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text.split_once('/').and_then(|(k, n)| {
        Some((
            k.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!("`{text}` is not K/N with 1 <= K <= N, such as 2/4")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

fn parse_site_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text)
        .map_err(|e| format!("not an address such as https://news.example.com: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{}:` is not http or https", url.scheme()));
    }
    Ok(url)
}

/// The statuses WordPress knows, comma-separated, or `any`.
fn parse_status(text: &str) -> Result<String, String> {
    const KNOWN: [&str; 7] = [
        "publish", "future", "draft", "pending", "private", "trash", "any",
    ];
    for status in text.split(',') {
        if !KNOWN.contains(&status.trim()) {
            return Err(format!(
                "`{status}` is not a status; the statuses are {}",
                KNOWN.join(", ")
            ));
        }
    }
    Ok(text.split(',').map(str::trim).collect::<Vec<_>>().join(","))
}

/// `--now 2024-07-15T00:00:00Z` → that instant in UTC.
fn parse_now(text: &str) -> Result<chrono::NaiveDateTime, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .map_err(|e| format!("not an RFC 3339 time such as 2024-07-15T08:00:00+09:00: {e}"))
}
