//! Finding and reading the config: `postlint.toml`, the packs it extends, and a saved site
//! index. What is read is checked and merged by `validate`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::io::Read;

use toml::de::DeTable;

use super::collect::{MAX_MISTAKES, Mistake, read_table};
use super::error::{ConfigError, Errors, suggest};
use super::file::{RawConfig, SETTINGS};
use super::model::{CONFIG_FILE_NAME, CliRules, Config, ConfigRequest, ConfigSource, Registry};
use super::validate::{ReadFiles, build};
use crate::input::folder_of;
use crate::input::json::Parser;
use crate::kept_files::open_without_waiting;
use crate::zones::{self, SiteZone, UnknownZone, Zone, ZoneSource};

impl Config {
    /// The rules' own defaults only: what tests and `--no-config` start from.
    pub fn builtin(registry: Registry) -> Self {
        let request = ConfigRequest {
            none: true,
            ..ConfigRequest::default()
        };
        // Nothing is read and the command line is empty, so there is nothing to get wrong.
        Self::load(&request, registry).expect("an empty configuration is valid")
    }

    pub fn load(request: &ConfigRequest, registry: Registry) -> Result<Self, ConfigError> {
        let mut loader = Loader::default();
        let config_path = match (&request.file, request.none) {
            (_, true) => None,
            (Some(file), false) => Some(file.clone()),
            (None, false) => find_config(&request.start_dir),
        };
        if let Some(path) = &config_path {
            loader.read_file(path, &mut Vec::new(), None);
        }
        // `--config postlint.toml` has the parent "": its folder is the current one, `.` (an
        // empty root made every path absolute to the override globs, which then matched none).
        let root = (config_path.as_deref())
            .filter(|path| path.parent().is_some())
            .map_or_else(
                || request.start_dir.clone(),
                |path| folder_of(path).to_path_buf(),
            );
        let mut config = build(loader.read(), root, &request.cli, registry)?;
        if let Some(index) = &request.site_index {
            config.use_site_index(index)?;
        }
        Ok(config)
    }

    /// A configuration from text in memory, as if it were `postlint.toml` in `root`. An
    /// `extends` in it is read from files under `root`.
    pub fn from_text(
        name: &str,
        text: &str,
        root: PathBuf,
        registry: Registry,
    ) -> Result<Self, ConfigError> {
        Self::from_text_with(name, text, root, &CliRules::default(), registry)
    }

    /// [`Config::from_text`] with the command line's rules over it: what the language server
    /// reads from an editor's unsaved `postlint.toml`.
    pub fn from_text_with(
        name: &str,
        text: &str,
        root: PathBuf,
        cli: &CliRules,
        registry: Registry,
    ) -> Result<Self, ConfigError> {
        let mut loader = Loader::default();
        loader.read_text(name, text.into(), &mut Vec::new());
        build(loader.read(), root, cli, registry)
    }

    /// Takes the zone from a REST index when no config names one. The index tells today's
    /// setting only, so the date rules treat it as a hint. Its `timezone_string` is checked
    /// like any zone name: an unknown one is an error at its place in the file.
    fn use_site_index(&mut self, path: &Path) -> Result<(), ConfigError> {
        if self.site.zone.is_some() {
            return Ok(());
        }
        let text: Arc<str> = std::fs::read_to_string(path)
            .map_err(|e| {
                ConfigError::new(format!("cannot read site index {}: {e}", path.display()))
            })?
            .into();
        let index: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            ConfigError::new(format!("{} is not JSON: {e}", path.display()))
                .with_help("save the answer of `GET https://your.site/wp-json/`")
        })?;
        let zone = zones::index_zone(&index)
            .map_err(|unknown| index_zone_error(path, &text, &unknown))?
            .ok_or_else(|| {
                ConfigError::new(format!(
                    "{} has no `timezone_string` or `gmt_offset`",
                    path.display()
                ))
                .with_help("save the answer of `GET https://your.site/wp-json/` (the REST index)")
            })?;
        self.set_index_zone(zone);
        Ok(())
    }

    /// Takes the zone of a live site's REST index (`GET /wp-json/`) unless the config names
    /// one; returns the zone now in force for the date rules, and where it came from.
    pub fn adopt_index_zone(&mut self, index: &serde_json::Value) -> Option<(Zone, ZoneSource)> {
        if let Some(zone) = &self.site.zone {
            return Some((zone.current.clone(), zone.source));
        }
        let zone = zones::index_zone_or_offset(index)?;
        self.set_index_zone(zone.clone());
        Some((zone, ZoneSource::SiteIndex))
    }

    /// A run that holds every post of its site (a whole read of every type and status, or the
    /// saved copy of one) is complete for `link-internal-missing`, unless the config says
    /// otherwise.
    pub fn hold_whole_site(&mut self) {
        if self.site.export_complete.is_some() {
            return;
        }
        self.cache
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Arc::make_mut(&mut self.site).export_complete = Some(super::Valued {
            value: true,
            from: super::Provenance::CommandLine,
        });
    }

    fn set_index_zone(&mut self, zone: Zone) {
        // Settings computed before knew no zone.
        self.cache
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Arc::make_mut(&mut self.site).zone = Some(SiteZone {
            history: Vec::new(),
            current: zone,
            source: ZoneSource::SiteIndex,
        });
    }
}

/// An unknown `timezone_string` in a saved index, pointed at in the file.
fn index_zone_error(path: &Path, text: &Arc<str>, unknown: &UnknownZone) -> ConfigError {
    let help = format!(
        "{} (or give the site's zone with `--timezone`)",
        unknown.help()
    );
    let name = display_name(path);
    let span = Parser::new(text.as_bytes())
        .parse_value()
        .and_then(|index| index.get("timezone_string").map(|n| n.span.clone()));
    match span {
        // The snippet names the file, as for a zone in a config file.
        Some(span) => ConfigError::new(unknown.to_string()).at(&name, text, span),
        None => ConfigError::new(format!("{unknown} (`timezone_string` of {name})")),
    }
    .with_help(help)
}

/// `postlint.toml` in `start` or the nearest folder above it.
pub fn find_config(start: &Path) -> Option<PathBuf> {
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

/// The most a config file or pack may hold: configs are a few kilobytes, and a file that
/// never ends (a device) must not be read for ever.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The most files one config may read, itself and its packs: packs that extend each other
/// many times over would otherwise be read an exponential number of times.
const MAX_CONFIG_FILES: usize = 64;

/// Reads the chain of files; `validate::build` then builds the layers once every pattern code
/// is known. A mistake does not stop the reading: every one is told at the end.
#[derive(Default)]
pub(super) struct Loader {
    pub sources: Vec<ConfigSource>,
    /// In layer order: each pack before the file that extends it.
    pub raws: Vec<(usize, RawConfig)>,
    pub errors: Errors,
    /// Set once [`MAX_CONFIG_FILES`] were read: the `extends` left are not followed.
    full: bool,
}

impl Loader {
    /// What was read, for `validate::build`.
    fn read(self) -> ReadFiles {
        ReadFiles {
            sources: self.sources,
            raws: self.raws,
            errors: self.errors,
        }
    }

    fn read_file(
        &mut self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
        from: Option<(usize, Range<usize>)>,
    ) {
        if self.full {
            return;
        }
        match self.open(path, chain) {
            Ok((canonical, text)) => {
                chain.push(canonical);
                self.read_text(&display_name(path), text.into(), chain);
                chain.pop();
            }
            Err(error) => {
                let error = self.placed(error, &from);
                self.errors.tell(error);
            }
        }
    }

    /// The real path and the text of a config file, unless it is one file too many, extends
    /// itself, or is not a config file.
    fn open(&mut self, path: &Path, chain: &[PathBuf]) -> Result<(PathBuf, String), ConfigError> {
        if self.sources.len() >= MAX_CONFIG_FILES {
            self.full = true;
            return Err(ConfigError::new(format!(
                "{} is past the {MAX_CONFIG_FILES} files a config may read with its packs",
                path.display()
            ))
            .with_help("packs probably extend each other over and over"));
        }
        let canonical = path.canonicalize().map_err(|error| {
            ConfigError::new(format!("cannot read {}: {error}", path.display()))
        })?;
        if chain.contains(&canonical) {
            let cycle: Vec<String> = chain
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            return Err(ConfigError::new(format!(
                "packs extend each other in a cycle: {}",
                cycle.join(" -> ")
            ))
            .with_help("remove one of the `extends` entries"));
        }
        let text = read_config_text(path, &canonical)?;
        Ok((canonical, text))
    }

    /// An error about an `extends` entry, at that entry when there is one.
    fn placed(&self, error: ConfigError, from: &Option<(usize, Range<usize>)>) -> ConfigError {
        match from {
            Some((source, span)) => {
                let source = &self.sources[*source];
                error.at(&source.name, &source.text, span.clone())
            }
            None => error,
        }
    }

    fn read_text(&mut self, name: &str, text: Arc<str>, chain: &mut Vec<PathBuf>) {
        let index = self.sources.len();
        self.sources.push(ConfigSource {
            name: name.to_owned(),
            text: text.clone(),
        });
        let (table, syntax) = DeTable::parse_recoverable(&text);
        let empty = table.get_ref().is_empty() && syntax.is_empty();
        if !empty && !sets_a_setting(table.get_ref()) {
            // Not a config: its text may be anything (a credentials file, a key), so none is
            // shown, not even where it stops being TOML.
            self.errors.tell(
                ConfigError::new(format!(
                    "{name} is not a postlint config: it sets none of the settings"
                ))
                .with_help(
                    "a config or pack is TOML that sets keys such as `select`, `ignore`, \
                     `rules` or `extends`; its text is not shown, as it may be another file",
                ),
            );
            return;
        }
        let (raw, mistakes) = if syntax.is_empty() {
            read_table::<RawConfig>(table)
        } else {
            (
                None,
                syntax.iter().take(MAX_MISTAKES).map(Mistake::of).collect(),
            )
        };
        for mistake in mistakes {
            self.errors.tell(mistake.into_error(name, &text));
        }
        let Some(raw) = raw else { return };
        let dir = Path::new(name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for extend in &raw.extends {
            let path = dir.join(extend.get_ref());
            self.read_file(&path, chain, Some((index, extend.span())));
        }
        self.raws.push((index, raw));
    }
}

/// Whether one of the keys of a document (as far as it reads as TOML) is a setting, or close
/// to one: a document that sets none is some other file, which an error must not quote. An
/// empty document is an empty config.
fn sets_a_setting(table: &DeTable<'_>) -> bool {
    let setting =
        |key: &str| SETTINGS.contains(&key) || suggest(key, SETTINGS.iter().copied()).is_some();
    table.keys().any(|key| setting(key.get_ref()))
}

/// The text of a config file, read only if it is one: `real` (the path with its links
/// followed) names a `.toml` file, which is a regular file (not a device, a pipe or a
/// `/proc` file, whose size says nothing of what they give) of at most [`MAX_CONFIG_BYTES`],
/// in UTF-8 without NUL bytes. The errors name the file and never quote it.
fn read_config_text(path: &Path, real: &Path) -> Result<String, ConfigError> {
    let refuse = |why: String| {
        let led = if std::path::absolute(path).is_ok_and(|path| path == real) {
            String::new()
        } else {
            format!(" (it leads to {})", real.display())
        };
        ConfigError::new(format!("{}{led} {why}", path.display()))
    };
    if real.extension().is_none_or(|extension| extension != "toml") {
        return Err(refuse("is not a .toml file".to_owned())
            .with_help("a config or a pack is a TOML file named `*.toml`"));
    }
    let file = open_without_waiting(real).map_err(|e| refuse(format!("cannot be read: {e}")))?;
    let metadata = file
        .metadata()
        .map_err(|e| refuse(format!("cannot be read: {e}")))?;
    if !metadata.is_file() {
        return Err(refuse("is not a regular file".to_owned()));
    }
    if metadata.len() > MAX_CONFIG_BYTES {
        return Err(refuse(format!(
            "holds {} bytes, over the {MAX_CONFIG_BYTES} a config may",
            metadata.len()
        )));
    }
    let mut bytes = Vec::new();
    (file.take(MAX_CONFIG_BYTES + 1))
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot be read: {e}")))?;
    if bytes.len() as u64 != metadata.len() {
        return Err(refuse(
            "is not a regular file: it gives other bytes than its size says".to_owned(),
        ));
    }
    if bytes.contains(&0) {
        return Err(refuse("holds NUL bytes: it is not a text file".to_owned()));
    }
    String::from_utf8(bytes).map_err(|_| refuse("is not UTF-8 text".to_owned()))
}
