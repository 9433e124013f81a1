//! Finding and reading the config: `postlint.toml`, the packs it extends, and a saved site
//! index. What is read is checked and merged by `validate`.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::ConfigError;
use super::file::RawConfig;
use super::model::{CONFIG_FILE_NAME, CliRules, Config, ConfigRequest, ConfigSource, Registry};
use super::validate::build;
use crate::input::json::Parser;
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
            loader.read_file(path, &mut Vec::new(), None)?;
        }
        let root = config_path
            .as_deref()
            .and_then(Path::parent)
            .map_or_else(|| request.start_dir.clone(), Path::to_path_buf);
        let mut config = build(loader, root, &request.cli, registry)?;
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
        loader.read_text(name, text.into(), &mut Vec::new())?;
        build(loader, root, cli, registry)
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

/// Reads the chain of files; `validate::build` then builds the layers once every pattern code
/// is known.
#[derive(Default)]
pub(super) struct Loader {
    pub sources: Vec<ConfigSource>,
    /// In layer order: each pack before the file that extends it.
    pub raws: Vec<(usize, RawConfig)>,
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
            self.placed(error, &from)
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
            return Err(self.placed(error, &from));
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
}
