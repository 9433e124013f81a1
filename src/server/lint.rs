//! Linting an editor's buffer: the config of the workspace, and one run of the engine over
//! text in memory. Site-wide rules compare posts across a site, which one open file is not:
//! they stay out unless the settings ask for them; so does the link check.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{CliRules, Config, ConfigError, ConfigRequest};
use crate::diagnostic::Finding;
use crate::engine::{LintOptions, Linter};
use crate::meta::Phase;
use crate::source::{Origin, SourceFile};
use crate::{rules, run, workspace};

/// What the editor (`initializationOptions`) or the command line asks of the server.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--config FILE` / `"config"`: this file instead of `postlint.toml` found upward.
    pub config: Option<PathBuf>,
    /// `--no-config`: the built-in rules only.
    pub no_config: bool,
    /// `--site-rules` / `"siteRules": true`: also run the rules that compare posts.
    pub site_rules: bool,
}

impl Settings {
    /// Reads the editor's `initializationOptions` over the command line's.
    pub fn merge_client(&mut self, options: Option<&serde_json::Value>) {
        let Some(options) = options else { return };
        if let Some(site_rules) = options.get("siteRules").and_then(|v| v.as_bool()) {
            self.site_rules = site_rules;
        }
        if let Some(config) = options.get("config").and_then(|v| v.as_str()) {
            self.config = Some(PathBuf::from(config));
        }
    }
}

/// Loads the config as `postlint check` run in `root` would. The mistakes come as a list,
/// each at its place when it has one.
pub fn load_config(root: &Path, settings: &Settings) -> Result<Config, Vec<ConfigError>> {
    let request = ConfigRequest {
        file: settings.config.as_ref().map(|file| root.join(file)),
        none: settings.no_config,
        start_dir: root.to_path_buf(),
        cli: cli_rules(settings),
        site_index: None,
    };
    Config::load(&request, rules::REGISTRY).map_err(each_mistake)
}

/// Loads the config from an editor's buffer of `file`, the config file in use: the packs it
/// extends are read from disk.
pub fn load_config_text(
    file: &Path,
    text: &str,
    settings: &Settings,
) -> Result<Config, Vec<ConfigError>> {
    let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = file.display().to_string();
    Config::from_text_with(&name, text, root, &cli_rules(settings), rules::REGISTRY)
        .map_err(each_mistake)
}

/// The mistakes the loader tells at once (the first, the others related to it), one by one.
fn each_mistake(mut error: ConfigError) -> Vec<ConfigError> {
    let related = std::mem::take(&mut error.related);
    std::iter::once(error).chain(related).collect()
}

/// The config file the server reads, if there is one: `--config`, else `postlint.toml` in
/// `root` or the nearest folder above.
pub fn config_file(root: &Path, settings: &Settings) -> Option<PathBuf> {
    if settings.no_config {
        return None;
    }
    match &settings.config {
        Some(file) => Some(root.join(file)),
        None => crate::config::find_config(root),
    }
}

fn cli_rules(settings: &Settings) -> CliRules {
    let ignore = if settings.site_rules {
        Vec::new()
    } else {
        site_rule_codes()
    };
    CliRules {
        ignore,
        ..CliRules::default()
    }
}

fn site_rule_codes() -> Vec<String> {
    rules::ALL
        .iter()
        .map(|rule| rule.meta())
        .filter(|meta| meta.phase == Phase::Site)
        .map(|meta| meta.code.to_owned())
        .collect()
}

/// The findings of a buffer, in file order. `path` is where the buffer lives on disk, for the
/// config's overrides by path; an unsaved buffer has none. A buffer that holds nothing of a
/// post, or a tool's file (`package.json`, `.vscode/settings.json`), has none, as a folder's
/// run leaves it out, unless the config's `files` name it.
pub fn lint_text(config: &Arc<Config>, path: Option<&Path>, text: &str) -> Vec<Finding> {
    let linter = Linter::new(config.clone(), LintOptions::default());
    let bytes: Arc<[u8]> = text.as_bytes().into();
    let file = source_file(path, &bytes);
    let Ok(mut report) = linter.lint_file(file, Cursor::new(bytes)) else {
        // Reading from memory does not fail.
        return Vec::new();
    };
    let named = path.unwrap_or(Path::new(""));
    if workspace::leaves_out(config, named, Some(report.contents)) {
        return Vec::new();
    }
    let facts = std::mem::take(&mut report.facts);
    let linted = run::Linted {
        reports: vec![report],
        facts: run::Facts::Memory(facts),
        found: Vec::new(),
        lines: None,
    };
    let settled = run::finish(config, linted, None);
    let Some(report) = settled.reports.first() else {
        return Vec::new();
    };
    let mut findings = report.findings.to_vec();
    findings.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
    findings
}

/// The file as the engine names it: by its path when it is saved, so that overrides by path
/// apply (late findings read their lines back from it; the server uses offsets only).
pub fn source_file(path: Option<&Path>, bytes: &Arc<[u8]>) -> SourceFile {
    match path.filter(|p| p.is_file()) {
        Some(path) => SourceFile {
            name: path.display().to_string(),
            origin: Origin::Path(path.to_path_buf()),
        },
        None => SourceFile::in_memory("untitled", bytes.clone()),
    }
}

/// A linter for fixes: the same config, no link check.
pub fn linter(config: &Arc<Config>) -> Linter {
    Linter::new(config.clone(), LintOptions::default())
}
