//! The configuration's types: what a run's settings are once the files were read and checked,
//! and where each value came from.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use globset::GlobSet;
use regex::Regex;

use super::file::RawPostKey;
use crate::diagnostic::Severity;
use crate::meta::RuleMeta;
use crate::zones::SiteZone;

/// The rules a config may name: `rules::REGISTRY`, passed in so that the config needs no rule.
pub type Registry = &'static [&'static RuleMeta];

pub const CONFIG_FILE_NAME: &str = "postlint.toml";

/// A config file or pack that was read.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    pub name: String,
    pub text: Arc<str>,
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Index into `Config::sources`, and the bytes of the value.
    File { source: usize, span: (usize, usize) },
    /// A flag of the command line, such as `--link-timeout`.
    Flag(&'static str),
    /// The run itself: the site it reads (`--site`, a saved site), read whole.
    CommandLine,
}

/// `severity = "…"` of a rule: a level, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "off" => Level::Off,
            "info" => Level::On(Severity::Info),
            "warning" => Level::On(Severity::Warning),
            "error" => Level::On(Severity::Error),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(severity) => severity.as_str(),
        }
    }
}

/// One layer's say on which rules run and how.
#[derive(Debug, Clone, Default)]
pub(super) struct Layer {
    pub select: Option<(Vec<String>, Provenance)>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Where `extend-select` and `ignore` were written.
    pub extend_from: Option<Provenance>,
    pub ignore_from: Option<Provenance>,
    pub rules: Vec<RuleLayer>,
}

#[derive(Debug, Clone)]
pub(super) struct RuleLayer {
    pub code: String,
    pub level: Option<(Level, Provenance)>,
    pub options: toml::Table,
    pub provenance: Provenance,
}

pub(super) struct Override {
    pub files: Option<GlobSet>,
    pub posts: Vec<RawPostKey>,
    pub layer: Layer,
}

/// A post, as an override can name it.
#[derive(Debug, Clone, Copy)]
pub struct PostKey<'a> {
    pub id: Option<i64>,
    pub slug: Option<&'a str>,
}

/// Facts about the site the rules need.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The zone values as written (each checked when read), for `--show-config`.
    pub timezone: Option<Valued<String>>,
    pub utc_offset: Option<Valued<String>>,
    pub timezone_history: Vec<ZoneEpoch>,
    pub hosts: Option<Valued<Vec<String>>>,
    pub staging_hosts: Option<Valued<Vec<String>>>,
    pub https_only_hosts: Option<Valued<Vec<String>>>,
    pub export_complete: Option<Valued<bool>>,
    pub sections: Vec<RequiredSection>,
    pub sections_ordered: Option<Valued<bool>>,
    /// The zone the date rules check against, resolved from the values above (or a site index).
    pub zone: Option<SiteZone>,
    pub links: LinkSettings,
    /// `[site] url`: live sites to read over the REST API.
    pub urls: Vec<Valued<String>>,
    /// `[site] max-response-size` (or `--max-response-size`): the largest answer of a site read.
    pub max_response_size: Option<Valued<bytesize::ByteSize>>,
    /// `[site] timeout` (or `--site-timeout`): one page of a site read, in all.
    pub timeout: Option<Valued<Duration>>,
}

/// `[links]` of the config, and the flags that set the same.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    pub remote: bool,
    pub accept: Vec<u16>,
    pub exclude: Vec<Regex>,
    pub user_agent: Option<String>,
    /// Look for archived copies of dead links.
    pub archive: bool,
    pub archive_api: Option<url::Url>,
    /// One link's check, in all (or `--link-timeout`).
    pub timeout: Option<Valued<Duration>>,
    /// Every archive lookup of a run, together (or `--archive-timeout`).
    pub archive_timeout: Option<Valued<Duration>>,
    /// Where each key above without a `Valued` of its own was set, in the order the layers
    /// set it (`accept` and `exclude` add up over the files): `--show-config` names them.
    pub set_at: Vec<(&'static str, Provenance)>,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self {
            remote: false,
            accept: Vec::new(),
            exclude: Vec::new(),
            user_agent: None,
            archive: true,
            archive_api: None,
            timeout: None,
            archive_timeout: None,
            set_at: Vec::new(),
        }
    }
}

impl Site {
    pub fn hosts(&self) -> &[String] {
        self.hosts.as_ref().map_or(&[], |v| &v.value)
    }
}

/// A value and where it was set.
#[derive(Debug, Clone)]
pub struct Valued<T> {
    pub value: T,
    pub from: Provenance,
}

/// A `[[timezone-history]]` entry as written.
#[derive(Debug, Clone)]
pub struct ZoneEpoch {
    pub until: String,
    pub timezone: Option<String>,
    pub utc_offset: Option<String>,
    pub from: Provenance,
}

#[derive(Debug, Clone)]
pub struct RequiredSection {
    pub heading: String,
    pub when: When,
    pub from: Provenance,
}

/// Which posts a requirement applies to.
#[derive(Debug, Clone, Default)]
pub struct When {
    pub post_type: Option<Vec<String>>,
    pub status: Option<Vec<String>>,
    pub categories: Option<Vec<i64>>,
    pub tags: Option<Vec<i64>>,
    pub title: Option<Regex>,
    pub link: Option<Regex>,
}

/// Where a pattern looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternScope {
    /// Text of the body and excerpt as a reader sees it, one run between tags at a time.
    Text,
    /// The HTML source of the body and excerpt.
    Html,
    /// The title's text.
    Title,
    /// Text inside links.
    LinkText,
    /// Link targets (`href` values).
    Href,
}

impl PatternScope {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "text" => Self::Text,
            "html" => Self::Html,
            "title" => Self::Title,
            "link-text" => Self::LinkText,
            "href" => Self::Href,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
            Self::Title => "title",
            Self::LinkText => "link-text",
            Self::Href => "href",
        }
    }
}

/// A rule defined in a pack (`[[patterns]]`), checked; `rules::helpers::pattern` does the matching.
#[derive(Debug)]
pub struct Pattern {
    /// Interned when the config is loaded: diagnostics carry codes as `&'static str`.
    pub code: &'static str,
    pub severity: Severity,
    /// Compiled once, when the config is loaded.
    pub regex: Regex,
    pub scope: PatternScope,
    /// May hold `{match}`, replaced by the matched text.
    pub message: String,
    pub help: Option<String>,
    pub replace_with: Option<String>,
}

/// What the command line says about rules, and the settings a file can hold too; it beats
/// every file.
#[derive(Debug, Clone, Default)]
pub struct CliRules {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `RULE=LEVEL` pairs.
    pub severity: Vec<String>,
    /// `--timezone NAME`: the site's zone, beating the files.
    pub timezone: Option<String>,
    /// `--link-timeout`, `--archive-timeout`, `--max-response-size`, `--site-timeout`: checked
    /// when parsed, with the ranges the files' values are checked with (`crate::limits`).
    pub link_timeout: Option<Duration>,
    pub archive_timeout: Option<Duration>,
    pub max_response_size: Option<bytesize::ByteSize>,
    pub site_timeout: Option<Duration>,
    /// `--links`, `--no-archive`, `--user-agent`, `--archive-api`: `[links]` settings too.
    pub links: bool,
    pub no_archive: bool,
    pub user_agent: Option<String>,
    pub archive_api: Option<url::Url>,
}

/// How to find the config.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest {
    /// `--config FILE`.
    pub file: Option<PathBuf>,
    /// `--no-config`: only the rules' defaults and the command line.
    pub none: bool,
    /// Where to start looking for `postlint.toml`.
    pub start_dir: PathBuf,
    pub cli: CliRules,
    /// `--site-index FILE`: a saved `/wp-json/` answer, for the zone the site uses today.
    pub site_index: Option<PathBuf>,
}

/// The whole configuration of a run.
pub struct Config {
    /// The rules the config knows, in registry order.
    pub(super) registry: Registry,
    pub sources: Vec<ConfigSource>,
    /// Indices into `sources` in the order their layers apply.
    pub layer_order: Vec<usize>,
    /// The folder of the config file: override globs are relative to it.
    pub(super) root: PathBuf,
    pub(super) base: Vec<Layer>,
    pub(super) overrides: Vec<Override>,
    pub(super) cli: Layer,
    pub site: Arc<Site>,
    pub(super) patterns: Vec<Arc<Pattern>>,
    pub(super) cache: Mutex<HashMap<Vec<usize>, Arc<Effective>>>,
}

/// The rules in force for one file or post, with their severities and options.
pub struct Effective {
    /// Positions in the registry (`rules::ALL`) of the enabled rules, in registry order.
    pub rules: Vec<usize>,
    pub patterns: Vec<Arc<Pattern>>,
    pub(super) enabled: HashSet<String>,
    /// The last setting that turned each rule on or off.
    pub(super) switched: HashMap<String, Provenance>,
    pub(super) levels: HashMap<String, (Severity, Provenance)>,
    pub(super) options: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
    pub(super) option_provenance: HashMap<String, Provenance>,
    pub site: Arc<Site>,
}

impl Effective {
    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.contains(code)
    }

    /// The severity the config sets for a rule, if it sets one.
    pub fn configured_severity(&self, code: &str) -> Option<Severity> {
        self.levels.get(code).map(|(s, _)| *s)
    }

    /// A rule's options, as its own type; the defaults when the config sets none.
    pub fn options<T: Any + Send + Sync + Default>(&self, code: &str) -> Arc<T> {
        self.options
            .get(code)
            .and_then(|o| o.clone().downcast::<T>().ok())
            .unwrap_or_default()
    }
}
