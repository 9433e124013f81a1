//! Configuration: `postlint.toml`, the rule packs it extends, and command-line flags, merged in
//! layers (built-in default pack, packs in `extends` order, the file, matching overrides, the
//! command line: each later layer wins). Every value remembers where it came from, for
//! `--show-config` and for errors.

mod error;
mod file;
mod show;

use std::any::Any;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use url::Url;

pub use error::{ConfigError, suggest};
use file::{RawConfig, RawOverride, RawPostKey, RawWhen, Text};

use crate::dates::{SiteZone, Zone, ZoneSource};
use crate::diagnostic::Severity;
use crate::rule::Rule;
use crate::rules;
use crate::rules::pattern::{PatternRule, PatternScope};

/// The built-in pack; the binary carries it so an installed postlint needs no files around it.
pub const DEFAULT_PACK: &str = include_str!("../../rules/default.toml");
pub const DEFAULT_PACK_NAME: &str = "rules/default.toml (built in)";
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
    File {
        source: usize,
        span: (usize, usize),
    },
    CommandLine,
}

/// Provenance of what the built-in pack says: it is always the first source read.
const BUILTIN_SOURCE: usize = 0;

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
struct Layer {
    select: Option<(Vec<String>, Provenance)>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    /// Where `extend-select` and `ignore` were written.
    extend_from: Option<Provenance>,
    ignore_from: Option<Provenance>,
    rules: Vec<RuleLayer>,
}

#[derive(Debug, Clone)]
struct RuleLayer {
    code: String,
    level: Option<(Level, Provenance)>,
    options: toml::Table,
    provenance: Provenance,
}

struct Override {
    files: Option<GlobSet>,
    posts: Vec<RawPostKey>,
    layer: Layer,
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
    pub timezone: Option<Valued<String>>,
    pub utc_offset: Option<Valued<String>>,
    pub timezone_history: Vec<ZoneEpoch>,
    pub hosts: Option<Valued<Vec<String>>>,
    pub staging_hosts: Option<Valued<Vec<String>>>,
    pub https_only_hosts: Option<Valued<Vec<String>>>,
    pub export_complete: Option<Valued<bool>>,
    pub sections: Vec<RequiredSection>,
    pub sections_ordered: Option<Valued<bool>>,
    /// The zone the date rules check against, built from the values above (or a site index).
    pub zone: Option<SiteZone>,
    pub links: LinkSettings,
    /// `[site] url`: live sites to read over the REST API.
    pub urls: Vec<Valued<String>>,
}

/// `[links]` of the config.
#[derive(Debug, Clone, Default)]
pub struct LinkSettings {
    pub remote: bool,
    pub accept: Vec<u16>,
    pub exclude: Vec<Regex>,
    pub user_agent: Option<String>,
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

/// What the command line says about rules; it beats every file.
#[derive(Debug, Clone, Default)]
pub struct CliRules {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `RULE=LEVEL` pairs.
    pub severity: Vec<String>,
    /// `--timezone NAME`: the site's zone, beating the files.
    pub timezone: Option<String>,
}

/// How to find the config.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest {
    /// `--config FILE`.
    pub file: Option<PathBuf>,
    /// `--no-config`: only the built-in pack and the command line.
    pub none: bool,
    /// Where to start looking for `postlint.toml`.
    pub start_dir: PathBuf,
    pub cli: CliRules,
    /// `--site-index FILE`: a saved `/wp-json/` answer, for the zone the site uses today.
    pub site_index: Option<PathBuf>,
}

/// The whole configuration of a run.
pub struct Config {
    pub sources: Vec<ConfigSource>,
    /// Indices into `sources` in the order their layers apply.
    pub layer_order: Vec<usize>,
    /// The folder of the config file: override globs are relative to it.
    root: PathBuf,
    base: Vec<Layer>,
    overrides: Vec<Override>,
    cli: Layer,
    pub site: Arc<Site>,
    patterns: Vec<Arc<PatternRule>>,
    cache: Mutex<HashMap<Vec<usize>, Arc<Effective>>>,
}

/// The rules in force for one file or post, with their severities and options.
pub struct Effective {
    pub rules: Vec<&'static dyn Rule>,
    pub patterns: Vec<Arc<PatternRule>>,
    enabled: HashSet<String>,
    /// The last setting that turned each rule on or off.
    switched: HashMap<String, Provenance>,
    levels: HashMap<String, (Severity, Provenance)>,
    options: HashMap<&'static str, Arc<dyn Any + Send + Sync>>,
    option_provenance: HashMap<String, Provenance>,
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

impl Config {
    /// Built-in defaults only: what tests and `--no-config` start from.
    pub fn builtin() -> Self {
        Self::load(&ConfigRequest {
            none: true,
            ..ConfigRequest::default()
        })
        .expect("the built-in pack is valid (a test checks it)")
    }

    pub fn load(request: &ConfigRequest) -> Result<Self, ConfigError> {
        let mut loader = Loader::default();
        loader.read_text(DEFAULT_PACK_NAME, DEFAULT_PACK.into(), &mut Vec::new())?;
        let config_path = match (&request.file, request.none) {
            (_, true) => None,
            (Some(file), false) => Some(file.clone()),
            (None, false) => find_config(&request.start_dir),
        };
        if let Some(path) = &config_path {
            loader.read_file(path, &mut Vec::new(), None)?;
        }
        let root = config_path
            .as_deref()
            .and_then(Path::parent)
            .map_or_else(|| request.start_dir.clone(), Path::to_path_buf);
        let mut config = loader.build(root, &request.cli)?;
        if let Some(index) = &request.site_index {
            config.use_site_index(index)?;
        }
        Ok(config)
    }

    /// A configuration from text in memory, as if it were `postlint.toml` in `root`. An
    /// `extends` in it is read from files under `root`.
    pub fn from_text(name: &str, text: &str, root: PathBuf) -> Result<Self, ConfigError> {
        let mut loader = Loader::default();
        loader.read_text(DEFAULT_PACK_NAME, DEFAULT_PACK.into(), &mut Vec::new())?;
        loader.read_text(name, text.into(), &mut Vec::new())?;
        loader.build(root, &CliRules::default())
    }

    /// Takes the zone from a REST index when no config names one. The index tells today's
    /// setting only, so the date rules treat it as a hint.
    fn use_site_index(&mut self, path: &Path) -> Result<(), ConfigError> {
        if self.site.zone.is_some() {
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(format!("cannot read site index {}: {e}", path.display()))
        })?;
        let index: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            ConfigError::new(format!("{} is not JSON: {e}", path.display()))
                .with_help("save the answer of `GET https://your.site/wp-json/`")
        })?;
        if self.adopt_index_zone(&index).is_none() {
            return Err(ConfigError::new(format!(
                "{} has no `timezone_string` or `gmt_offset`",
                path.display()
            ))
            .with_help("save the answer of `GET https://your.site/wp-json/` (the REST index)"));
        }
        Ok(())
    }

    /// Takes the zone of a REST index (`GET /wp-json/`) unless the config names one; returns
    /// the zone now in force for the date rules, and whether it came from the index.
    pub fn adopt_index_zone(&mut self, index: &serde_json::Value) -> Option<(Zone, ZoneSource)> {
        if let Some(zone) = &self.site.zone {
            return Some((zone.current.clone(), zone.source));
        }
        let zone = zone_from_index(index)?;
        // Settings computed before knew no zone.
        self.cache
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let site = Arc::make_mut(&mut self.site);
        site.zone = Some(SiteZone {
            history: Vec::new(),
            current: zone.clone(),
            source: ZoneSource::SiteIndex,
        });
        Some((zone, ZoneSource::SiteIndex))
    }

    /// The effective settings for a file (by its path as given) and, optionally, a post.
    pub fn effective(&self, path: Option<&Path>, post: Option<PostKey<'_>>) -> Arc<Effective> {
        let relative = path.map(|p| relative_to(&self.root, p));
        let relative = relative.as_deref();
        let matching: Vec<usize> = self
            .overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.matches(relative, post))
            .map(|(i, _)| i)
            .collect();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(matching.clone())
            .or_insert_with(|| Arc::new(self.compute(&matching)))
            .clone()
    }

    /// Whether a rule runs for some file or post: enabled for files no override matches, or
    /// turned on by an override. The phases that see every post together run such a rule;
    /// each of its findings is then settled with the settings of its own file and post.
    pub fn may_enable(&self, code: &str) -> bool {
        let names = |codes: &[String]| codes.iter().any(|c| c == code || c == "all");
        self.effective(None, None).is_enabled(code)
            || self.overrides.iter().any(|o| {
                let layer = &o.layer;
                layer.select.as_ref().is_some_and(|(codes, _)| names(codes))
                    || names(&layer.extend_select)
                    || (layer.rules.iter())
                        .any(|r| r.code == code && matches!(r.level, Some((Level::On(_), _))))
            })
    }

    /// Whether any override names posts, so the engine knows to ask per post.
    pub fn has_post_overrides(&self) -> bool {
        self.overrides.iter().any(|o| !o.posts.is_empty())
    }

    fn compute(&self, overrides: &[usize]) -> Effective {
        let layers = self
            .base
            .iter()
            .chain(overrides.iter().map(|&i| &self.overrides[i].layer))
            .chain(std::iter::once(&self.cli));
        let mut enabled: HashSet<String> = HashSet::new();
        let mut switched: HashMap<String, Provenance> = HashMap::new();
        let mut levels: HashMap<String, (Severity, Provenance)> = HashMap::new();
        let mut tables: HashMap<String, toml::Table> = HashMap::new();
        let mut option_provenance = HashMap::new();
        for pattern in &self.patterns {
            enabled.insert(pattern.code.to_owned());
        }
        for layer in layers {
            if let Some((select, from)) = &layer.select {
                enabled = expand(select, &self.patterns);
                for code in self.all_codes() {
                    switched.insert(code, *from);
                }
            }
            for code in expand(&layer.extend_select, &self.patterns) {
                if let Some(from) = layer.extend_from {
                    switched.insert(code.clone(), from);
                }
                enabled.insert(code);
            }
            for code in expand(&layer.ignore, &self.patterns) {
                if let Some(from) = layer.ignore_from {
                    switched.insert(code.clone(), from);
                }
                enabled.remove(&code);
            }
            for rule in &layer.rules {
                if let Some((_, from)) = rule.level {
                    switched.insert(rule.code.clone(), from);
                }
                match rule.level {
                    Some((Level::Off, _)) => {
                        enabled.remove(&rule.code);
                        levels.remove(&rule.code);
                    }
                    Some((Level::On(severity), from)) => {
                        enabled.insert(rule.code.clone());
                        // The built-in pack states each rule's own default (a test keeps
                        // them equal); only other layers override, so a rule that grades
                        // its findings (`</a>` error, `</p>` info) keeps doing so.
                        if !matches!(
                            from,
                            Provenance::File {
                                source: BUILTIN_SOURCE,
                                ..
                            }
                        ) {
                            levels.insert(rule.code.clone(), (severity, from));
                        }
                    }
                    None => {}
                }
                if !rule.options.is_empty() {
                    let table = tables.entry(rule.code.clone()).or_default();
                    table.extend(rule.options.clone());
                    option_provenance.insert(rule.code.clone(), rule.provenance);
                }
            }
        }
        let mut options = HashMap::new();
        for rule in rules::ALL {
            let meta = rule.meta();
            if let (Some(spec), Some(table)) = (&meta.options, tables.get(meta.code)) {
                // Validated when the config was loaded, so parsing cannot fail here.
                if let Ok(parsed) = (spec.parse)(table.clone()) {
                    options.insert(meta.code, parsed);
                }
            }
        }
        Effective {
            rules: rules::ALL
                .iter()
                .copied()
                .filter(|r| enabled.contains(r.meta().code))
                .collect(),
            patterns: self
                .patterns
                .iter()
                .filter(|p| enabled.contains(p.code))
                .cloned()
                .collect(),
            enabled,
            switched,
            levels,
            options,
            option_provenance,
            site: self.site.clone(),
        }
    }

    fn all_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = rules::ALL
            .iter()
            .map(|r| r.meta().code.to_owned())
            .chain(self.patterns.iter().map(|p| p.code.to_owned()))
            .collect();
        codes.sort();
        codes
    }

    /// Each rule's effective severity for files matched by no override, and where that was
    /// set (`None`: the rule's default): for `postlint rules` and `--show-config`.
    pub fn rule_levels(&self) -> Vec<(String, Level, Option<String>)> {
        let effective = self.effective(None, None);
        self.all_codes()
            .into_iter()
            .map(|code| {
                let (level, from) = if !effective.is_enabled(&code) {
                    let from = effective.switched.get(&code).map(|f| self.describe(*f));
                    (Level::Off, from)
                } else if let Some((severity, from)) = effective.levels.get(&code) {
                    (Level::On(*severity), Some(self.describe(*from)))
                } else {
                    (Level::On(self.default_severity(&code)), None)
                };
                (code, level, from)
            })
            .collect()
    }

    fn default_severity(&self, code: &str) -> Severity {
        rules::find(code)
            .map(|r| r.meta().severity)
            .or_else(|| {
                self.patterns
                    .iter()
                    .find(|p| p.code == code)
                    .map(|p| p.severity)
            })
            .unwrap_or(Severity::Warning)
    }

    /// `file:line` of a provenance.
    pub fn describe(&self, from: Provenance) -> String {
        match from {
            Provenance::CommandLine => "command line".to_owned(),
            Provenance::File { source, span } => {
                let source = &self.sources[source];
                let line = source.text[..span.0.min(source.text.len())]
                    .matches('\n')
                    .count()
                    + 1;
                format!("{}:{line}", source.name)
            }
        }
    }

    pub fn show(&self) -> String {
        show::render(self)
    }
}

impl Override {
    fn matches(&self, path: Option<&Path>, post: Option<PostKey<'_>>) -> bool {
        let file_ok = match (&self.files, path) {
            (None, _) => true,
            (Some(globs), Some(path)) => globs.is_match(path),
            (Some(_), None) => false,
        };
        let post_ok = self.posts.is_empty()
            || post.is_some_and(|post| {
                self.posts.iter().any(|key| match key {
                    RawPostKey::Id(id) => post.id == Some(*id),
                    RawPostKey::Slug(slug) => post.slug == Some(slug.as_str()),
                })
            });
        file_ok && post_ok
    }
}

/// A linted file's path as override globs see it: relative to the config's folder, whether it
/// was given as `./posts/a.json`, `posts/a.json` or an absolute path.
fn relative_to(root: &Path, path: &Path) -> PathBuf {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    match absolute(path).strip_prefix(absolute(root)) {
        Ok(relative) => relative.to_path_buf(),
        Err(_) => path
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect(),
    }
}

/// Codes named in a list, with `all` for every rule.
fn expand(codes: &[String], patterns: &[Arc<PatternRule>]) -> HashSet<String> {
    if codes.iter().any(|c| c == "all") {
        return rules::ALL
            .iter()
            .map(|r| r.meta().code.to_owned())
            .chain(patterns.iter().map(|p| p.code.to_owned()))
            .collect();
    }
    codes.iter().cloned().collect()
}

/// `postlint.toml` in `start` or the nearest folder above it.
fn find_config(start: &Path) -> Option<PathBuf> {
    let start = if start.as_os_str().is_empty() {
        std::env::current_dir().ok()?
    } else {
        start.to_path_buf()
    };
    start
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads the chain of files, then builds the layers once every pattern code is known.
#[derive(Default)]
struct Loader {
    sources: Vec<ConfigSource>,
    /// In layer order: each pack before the file that extends it.
    raws: Vec<(usize, RawConfig)>,
}

impl Loader {
    fn read_file(
        &mut self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
        from: Option<(usize, Range<usize>)>,
    ) -> Result<(), ConfigError> {
        let canonical = path.canonicalize().map_err(|error| {
            let error = ConfigError::new(format!("cannot read {}: {error}", path.display()));
            match &from {
                Some((source, span)) => {
                    let source = &self.sources[*source];
                    error.at(&source.name, &source.text, span.clone())
                }
                None => error,
            }
        })?;
        if chain.contains(&canonical) {
            let cycle: Vec<String> = chain
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            let error = ConfigError::new(format!(
                "packs extend each other in a cycle: {}",
                cycle.join(" -> ")
            ))
            .with_help("remove one of the `extends` entries");
            return Err(match &from {
                Some((source, span)) => {
                    let source = &self.sources[*source];
                    error.at(&source.name, &source.text, span.clone())
                }
                None => error,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::new(format!("cannot read {}: {error}", path.display()))
        })?;
        chain.push(canonical);
        let name = display_name(path);
        let result = self.read_text(&name, text.into(), chain);
        chain.pop();
        result
    }

    fn read_text(
        &mut self,
        name: &str,
        text: Arc<str>,
        chain: &mut Vec<PathBuf>,
    ) -> Result<(), ConfigError> {
        let index = self.sources.len();
        self.sources.push(ConfigSource {
            name: name.to_owned(),
            text: text.clone(),
        });
        let raw: RawConfig = toml::from_str(&text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            ConfigError::new(error.message().to_owned()).at(name, &text, span)
        })?;
        let dir = Path::new(name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for extend in &raw.extends {
            let path = dir.join(extend.get_ref());
            self.read_file(&path, chain, Some((index, extend.span())))?;
        }
        self.raws.push((index, raw));
        Ok(())
    }

    fn build(self, root: PathBuf, cli: &CliRules) -> Result<Config, ConfigError> {
        let mut builder = Builder {
            sources: &self.sources,
            patterns: Vec::new(),
            site: Site::default(),
        };
        for (source, raw) in &self.raws {
            builder.patterns(*source, raw)?;
        }
        let mut base = Vec::new();
        let mut overrides = Vec::new();
        for (source, raw) in &self.raws {
            base.push(builder.layer(
                *source,
                &raw.select,
                &raw.extend_select,
                &raw.ignore,
                &raw.rules,
            )?);
            builder.site(*source, raw)?;
            for raw_override in &raw.overrides {
                overrides.push(builder.override_(*source, raw_override)?);
            }
        }
        let cli_layer = builder.cli_layer(cli)?;
        if let Some(name) = &cli.timezone {
            if Zone::parse_name(name).is_none() {
                return Err(ConfigError::new(format!(
                    "`--timezone {name}` is not an IANA time zone name"
                ))
                .with_help(zone_help(name)));
            }
            builder.site.timezone = Some(Valued {
                value: name.clone(),
                from: Provenance::CommandLine,
            });
        }
        builder.site.zone = site_zone(&builder.site);
        let cli = cli_layer;
        Ok(Config {
            layer_order: self.raws.iter().map(|(source, _)| *source).collect(),
            root,
            base,
            overrides,
            cli,
            site: Arc::new(builder.site),
            patterns: builder.patterns,
            sources: self.sources,
            cache: Mutex::default(),
        })
    }
}

/// Turns raw files into layers, checking every code, regex and value.
struct Builder<'a> {
    sources: &'a [ConfigSource],
    patterns: Vec<Arc<PatternRule>>,
    site: Site,
}

impl Builder<'_> {
    fn error(&self, source: usize, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let file = &self.sources[source];
        ConfigError::new(message).at(&file.name, &file.text, span)
    }

    fn from(source: usize, text: &Text) -> Provenance {
        let span = text.span();
        Provenance::File {
            source,
            span: (span.start, span.end),
        }
    }

    fn known_codes(&self) -> Vec<&str> {
        rules::ALL
            .iter()
            .map(|r| r.meta().code)
            .chain(self.patterns.iter().map(|p| p.code))
            .collect()
    }

    fn check_code(&self, source: usize, code: &Text) -> Result<String, ConfigError> {
        let known = self.known_codes();
        let name = code.get_ref();
        if name == "all" || known.contains(&name.as_str()) {
            return Ok(name.clone());
        }
        let error = self.error(source, code.span(), format!("unknown rule `{name}`"));
        Err(match suggest(name, known) {
            Some(close) => error.with_help(format!("did you mean `{close}`?")),
            None => error.with_help("`postlint rules` lists the rules"),
        })
    }

    fn codes(&self, source: usize, list: &[Text]) -> Result<Vec<String>, ConfigError> {
        list.iter()
            .map(|code| self.check_code(source, code))
            .collect()
    }

    fn layer(
        &self,
        source: usize,
        select: &Option<Vec<Text>>,
        extend_select: &[Text],
        ignore: &[Text],
        rules: &BTreeMap<Text, toml::Spanned<toml::Table>>,
    ) -> Result<Layer, ConfigError> {
        let select = match select {
            Some(list) => {
                let span = list.first().map_or(0..0, |t| t.span());
                let from = Provenance::File {
                    source,
                    span: (span.start, span.end),
                };
                Some((self.codes(source, list)?, from))
            }
            None => None,
        };
        let list_from = |list: &[Text]| list.first().map(|t| Self::from(source, t));
        let mut layer = Layer {
            select,
            extend_select: self.codes(source, extend_select)?,
            ignore: self.codes(source, ignore)?,
            extend_from: list_from(extend_select),
            ignore_from: list_from(ignore),
            rules: Vec::new(),
        };
        for (code, table) in rules {
            layer.rules.push(self.rule_layer(source, code, table)?);
        }
        Ok(layer)
    }

    fn rule_layer(
        &self,
        source: usize,
        code: &Text,
        table: &toml::Spanned<toml::Table>,
    ) -> Result<RuleLayer, ConfigError> {
        let name = self.check_code(source, code)?;
        let mut options = table.get_ref().clone();
        let level = match options.remove("severity") {
            None => None,
            Some(toml::Value::String(text)) => match Level::parse(&text) {
                Some(level) => Some((level, Self::from(source, code))),
                None => {
                    return Err(self
                        .error(
                            source,
                            table.span(),
                            format!("unknown severity `{text}` for `{name}`"),
                        )
                        .with_help("a severity is \"error\", \"warning\", \"info\" or \"off\""));
                }
            },
            Some(other) => {
                return Err(self
                    .error(
                        source,
                        table.span(),
                        format!(
                            "`severity` of `{name}` must be a string, not {}",
                            other.type_str()
                        ),
                    )
                    .with_help("a severity is \"error\", \"warning\", \"info\" or \"off\""));
            }
        };
        if !options.is_empty() {
            self.check_options(source, code, &name, &options, table.span())?;
        }
        Ok(RuleLayer {
            code: name,
            level,
            options,
            provenance: Self::from(source, code),
        })
    }

    fn check_options(
        &self,
        source: usize,
        code: &Text,
        name: &str,
        options: &toml::Table,
        span: Range<usize>,
    ) -> Result<(), ConfigError> {
        let spec = rules::find(name).and_then(|r| r.meta().options.as_ref());
        let Some(spec) = spec else {
            let keys: Vec<_> = options.keys().map(String::as_str).collect();
            return Err(self
                .error(
                    source,
                    code.span(),
                    format!("`{name}` has no options, but {} given", keys.join(", ")),
                )
                .with_help("only `severity` can be set for this rule"));
        };
        (spec.parse)(options.clone())
            .map(|_| ())
            .map_err(|message| {
                self.error(source, span, format!("bad option for `{name}`: {message}"))
                    .with_help(format!("`postlint explain {name}` describes its options"))
            })
    }

    fn override_(&self, source: usize, raw: &RawOverride) -> Result<Override, ConfigError> {
        let files = if raw.files.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for glob in &raw.files {
                let parsed = Glob::new(glob.get_ref())
                    .map_err(|e| self.error(source, glob.span(), format!("bad glob: {e}")))?;
                set.add(parsed);
            }
            Some(
                set.build()
                    .map_err(|e| ConfigError::new(format!("bad globs: {e}")))?,
            )
        };
        Ok(Override {
            files,
            posts: raw.posts.iter().map(|p| p.get_ref().clone()).collect(),
            layer: self.layer(
                source,
                &raw.select,
                &raw.extend_select,
                &raw.ignore,
                &raw.rules,
            )?,
        })
    }

    fn cli_layer(&self, cli: &CliRules) -> Result<Layer, ConfigError> {
        let check = |code: &String| -> Result<String, ConfigError> {
            let known = self.known_codes();
            if code == "all" || known.contains(&code.as_str()) {
                return Ok(code.clone());
            }
            let error = ConfigError::new(format!("unknown rule `{code}` on the command line"));
            Err(match suggest(code, known) {
                Some(close) => error.with_help(format!("did you mean `{close}`?")),
                None => error.with_help("`postlint rules` lists the rules"),
            })
        };
        let list = |codes: &[String]| codes.iter().map(check).collect::<Result<Vec<_>, _>>();
        let mut layer = Layer {
            select: match &cli.select {
                Some(codes) => Some((list(codes)?, Provenance::CommandLine)),
                None => None,
            },
            extend_select: list(&cli.extend_select)?,
            ignore: list(&cli.ignore)?,
            extend_from: Some(Provenance::CommandLine),
            ignore_from: Some(Provenance::CommandLine),
            rules: Vec::new(),
        };
        for pair in &cli.severity {
            let Some((code, level)) = pair.split_once('=') else {
                return Err(ConfigError::new(format!(
                    "`--severity {pair}` is not RULE=LEVEL"
                )));
            };
            let code = check(&code.trim().to_owned())?;
            let level = Level::parse(level.trim()).ok_or_else(|| {
                ConfigError::new(format!("unknown severity `{level}` in `--severity {pair}`"))
                    .with_help("a severity is error, warning, info or off")
            })?;
            layer.rules.push(RuleLayer {
                code,
                level: Some((level, Provenance::CommandLine)),
                options: toml::Table::new(),
                provenance: Provenance::CommandLine,
            });
        }
        Ok(layer)
    }

    fn patterns(&mut self, source: usize, raw: &RawConfig) -> Result<(), ConfigError> {
        for pattern in &raw.patterns {
            let code = pattern.code.get_ref();
            let taken = rules::find(code).is_some() || self.patterns.iter().any(|p| p.code == code);
            if taken {
                return Err(self
                    .error(
                        source,
                        pattern.code.span(),
                        format!("rule `{code}` is defined twice"),
                    )
                    .with_help("give the pattern rule a code of its own"));
            }
            let is_kebab = !code.is_empty()
                && code.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            if !is_kebab {
                return Err(self
                    .error(
                        source,
                        pattern.code.span(),
                        format!("`{code}` is not a kebab-case code"),
                    )
                    .with_help("codes look like `no-click-here`: lower-case words joined by `-`"));
            }
            let regex = Regex::new(pattern.regex.get_ref()).map_err(|e| {
                self.error(
                    source,
                    pattern.regex.span(),
                    format!("invalid regex: {}", first_line(&e.to_string())),
                )
                .with_help("the syntax is Rust's `regex` crate: no look-around or backreferences")
            })?;
            let severity = match &pattern.severity {
                None => Severity::Warning,
                Some(text) => match Level::parse(text.get_ref()) {
                    Some(Level::On(severity)) => severity,
                    _ => {
                        return Err(self
                            .error(
                                source,
                                text.span(),
                                format!("unknown severity `{}`", text.get_ref()),
                            )
                            .with_help(
                                "a pattern's severity is \"error\", \"warning\" or \"info\"",
                            ));
                    }
                },
            };
            let scope = match &pattern.scope {
                None => PatternScope::Text,
                Some(text) => PatternScope::parse(text.get_ref()).ok_or_else(|| {
                    self.error(
                        source,
                        text.span(),
                        format!("unknown scope `{}`", text.get_ref()),
                    )
                    .with_help(
                        "`in` is one of \"text\", \"html\", \"title\", \"link-text\", \"href\"",
                    )
                })?,
            };
            self.patterns.push(Arc::new(PatternRule {
                code: crate::rules::pattern::intern(code),
                severity,
                regex,
                scope,
                message: pattern.message.get_ref().clone(),
                help: pattern.help.as_ref().map(|h| h.get_ref().clone()),
                replace_with: pattern.replace_with.as_ref().map(|r| r.get_ref().clone()),
            }));
        }
        Ok(())
    }

    fn site(&mut self, source: usize, raw: &RawConfig) -> Result<(), ConfigError> {
        let valued = |text: &Text| Valued {
            value: text.get_ref().clone(),
            from: Self::from(source, text),
        };
        let list = |texts: &Vec<Text>| Valued {
            value: texts
                .iter()
                .map(|t| t.get_ref().to_ascii_lowercase())
                .collect(),
            from: texts.first().map_or(
                Provenance::File {
                    source,
                    span: (0, 0),
                },
                |t| Self::from(source, t),
            ),
        };
        if let Some(zone) = &raw.timezone {
            self.check_zone_name(source, zone)?;
            self.site.timezone = Some(valued(zone));
        }
        if let Some(offset) = &raw.utc_offset {
            self.check_offset(source, offset)?;
            self.site.utc_offset = Some(valued(offset));
        }
        for epoch in &raw.timezone_history {
            if let Some(zone) = &epoch.timezone {
                self.check_zone_name(source, zone)?;
            }
            if let Some(offset) = &epoch.utc_offset {
                self.check_offset(source, offset)?;
            }
            if !is_date(epoch.until.get_ref()) {
                return Err(self
                    .error(
                        source,
                        epoch.until.span(),
                        "`until` must be a date, YYYY-MM-DD",
                    )
                    .with_help("the zone listed was in force before this date"));
            }
            self.site.timezone_history.push(ZoneEpoch {
                until: epoch.until.get_ref().clone(),
                timezone: epoch.timezone.as_ref().map(|t| t.get_ref().clone()),
                utc_offset: epoch.utc_offset.as_ref().map(|t| t.get_ref().clone()),
                from: Self::from(source, &epoch.until),
            });
        }
        if let Some(urls) = raw.site.as_ref().and_then(|s| s.url.as_ref()) {
            self.site.urls = self.site_urls(source, urls)?;
        }
        if let Some(hosts) = &raw.hosts {
            self.site.hosts = Some(list(hosts));
        }
        if let Some(hosts) = &raw.staging_hosts {
            self.site.staging_hosts = Some(list(hosts));
        }
        if let Some(hosts) = &raw.https_only_hosts {
            self.site.https_only_hosts = Some(list(hosts));
        }
        if let Some(export) = &raw.export {
            let complete = match export.get_ref().as_str() {
                "complete" => true,
                "partial" => false,
                other => {
                    return Err(self
                        .error(source, export.span(), format!("unknown export kind `{other}`"))
                        .with_help("`export` is \"complete\" (the run holds the whole site) or \"partial\""));
                }
            };
            self.site.export_complete = Some(Valued {
                value: complete,
                from: Self::from(source, export),
            });
        }
        if let Some(links) = &raw.links {
            if let Some(remote) = links.remote {
                self.site.links.remote = remote;
            }
            self.site.links.accept.extend(&links.accept);
            for pattern in &links.exclude {
                let regex = Regex::new(pattern.get_ref()).map_err(|e| {
                    self.error(
                        source,
                        pattern.span(),
                        format!("invalid regex: {}", first_line(&e.to_string())),
                    )
                })?;
                self.site.links.exclude.push(regex);
            }
            if let Some(agent) = &links.user_agent {
                self.site.links.user_agent = Some(agent.get_ref().clone());
            }
        }
        if let Some(sections) = &raw.sections {
            for section in &sections.required {
                self.site.sections.push(RequiredSection {
                    heading: section.heading.get_ref().clone(),
                    when: self.when(source, section.when.as_ref())?,
                    from: Self::from(source, &section.heading),
                });
            }
            if let Some(order) = &sections.order {
                let span = order.span();
                self.site.sections_ordered = Some(Valued {
                    value: *order.get_ref(),
                    from: Provenance::File {
                        source,
                        span: (span.start, span.end),
                    },
                });
            }
        }
        Ok(())
    }

    fn when(&self, source: usize, raw: Option<&RawWhen>) -> Result<When, ConfigError> {
        let Some(raw) = raw else {
            return Ok(When::default());
        };
        let regex = |text: &Option<Text>| -> Result<Option<Regex>, ConfigError> {
            let Some(text) = text else { return Ok(None) };
            Regex::new(text.get_ref()).map(Some).map_err(|e| {
                self.error(
                    source,
                    text.span(),
                    format!("invalid regex: {}", first_line(&e.to_string())),
                )
            })
        };
        let strings = |list: &Option<Vec<Text>>| {
            list.as_ref()
                .map(|l| l.iter().map(|t| t.get_ref().clone()).collect())
        };
        Ok(When {
            post_type: strings(&raw.post_type),
            status: strings(&raw.status),
            categories: raw.categories.clone(),
            tags: raw.tags.clone(),
            title: regex(&raw.title)?,
            link: regex(&raw.link)?,
        })
    }

    fn check_zone_name(&self, source: usize, zone: &Text) -> Result<(), ConfigError> {
        let name = zone.get_ref();
        let plausible = name == "UTC"
            || (name.contains('/')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b)));
        if plausible {
            return Ok(());
        }
        Err(self
            .error(
                source,
                zone.span(),
                format!("`{name}` is not an IANA time zone name"),
            )
            .with_help(
                "write a name such as \"Asia/Seoul\" or \"Europe/Madrid\", or use `utc-offset`",
            ))
    }

    /// `url = "…"` or `url = ["…", "…"]`: http or https addresses.
    fn site_urls(
        &self,
        source: usize,
        value: &toml::Spanned<toml::Value>,
    ) -> Result<Vec<Valued<String>>, ConfigError> {
        let texts: Option<Vec<&str>> = match value.get_ref() {
            toml::Value::String(one) => Some(vec![one.as_str()]),
            toml::Value::Array(many) => many.iter().map(toml::Value::as_str).collect(),
            _ => None,
        };
        let invalid = |message: String| {
            self.error(source, value.span(), message).with_help(
                "write the site's home address, such as \"https://news.example.com\", or a list",
            )
        };
        let texts = texts
            .ok_or_else(|| invalid("`url` is an address or a list of addresses".to_owned()))?;
        texts
            .into_iter()
            .map(|text| match Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(Valued {
                    value: text.to_owned(),
                    from: Provenance::File {
                        source,
                        span: (value.span().start, value.span().end),
                    },
                }),
                _ => Err(invalid(format!("`{text}` is not an http or https address"))),
            })
            .collect()
    }

    fn check_offset(&self, source: usize, offset: &Text) -> Result<(), ConfigError> {
        if parse_offset_minutes(offset.get_ref()).is_some() {
            return Ok(());
        }
        Err(self
            .error(
                source,
                offset.span(),
                format!("`{}` is not a UTC offset", offset.get_ref()),
            )
            .with_help("write it as +HH:MM or -HH:MM, such as \"+05:30\""))
    }
}

/// "did you mean" for a zone name, or how to write one.
fn zone_help(name: &str) -> String {
    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    match suggest(name, names) {
        Some(close) => format!("did you mean \"{close}\"?"),
        None => "write a name such as \"Asia/Seoul\" or \"Europe/Madrid\", or use `utc-offset`"
            .to_owned(),
    }
}

/// The zone the date rules use, from the site's values: the current one and its history.
fn site_zone(site: &Site) -> Option<SiteZone> {
    let current = match (&site.timezone, &site.utc_offset) {
        (Some(name), _) => Zone::parse_name(&name.value)?,
        (None, Some(offset)) => Zone::Fixed(parse_offset_minutes(&offset.value)? * 60),
        (None, None) => return None,
    };
    let mut history: Vec<(NaiveDate, Zone)> = site
        .timezone_history
        .iter()
        .filter_map(|epoch| {
            let until = NaiveDate::parse_from_str(&epoch.until, "%Y-%m-%d").ok()?;
            let zone = match (&epoch.timezone, &epoch.utc_offset) {
                (Some(name), _) => Zone::parse_name(name)?,
                (None, Some(offset)) => Zone::Fixed(parse_offset_minutes(offset)? * 60),
                (None, None) => return None,
            };
            Some((until, zone))
        })
        .collect();
    history.sort_by_key(|(until, _)| *until);
    Some(SiteZone {
        history,
        current,
        source: ZoneSource::Config,
    })
}

/// The zone of a REST index: `timezone_string` when set, else `gmt_offset` (a number, or a
/// string such as "-2.5" for manual offsets).
pub fn zone_from_index(index: &serde_json::Value) -> Option<Zone> {
    if let Some(name) = index
        .get("timezone_string")
        .and_then(|v| v.as_str())
        .filter(|n| !n.is_empty())
    {
        return Zone::parse_name(name);
    }
    let hours = match index.get("gmt_offset")? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(Zone::Fixed((hours * 3600.0).round() as i32))
}

/// A path as the user would write it: relative to the current folder when it is below it.
fn display_name(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
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

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

fn first_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text).trim()
}
