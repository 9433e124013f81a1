//! Linting an editor's buffer: the config of the workspace, and one run of the engine over
//! text in memory. Site-wide rules compare posts across a site, which one open file is not:
//! they stay out unless the settings ask for them; so does the link check.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{CliRules, Config, ConfigRequest};
use crate::diagnostic::Finding;
use crate::engine::{LintOptions, Linter};
use crate::meta::Phase;
use crate::source::{Origin, SourceFile};
use crate::{phases, rules, settle};

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

/// Loads the config as `postlint check` run in `root` would; a mistake comes back as text.
pub fn load_config(root: &Path, settings: &Settings) -> Result<Config, String> {
    let ignore = if settings.site_rules {
        Vec::new()
    } else {
        site_rule_codes()
    };
    let request = ConfigRequest {
        file: settings.config.as_ref().map(|file| root.join(file)),
        none: settings.no_config,
        start_dir: root.to_path_buf(),
        cli: CliRules {
            ignore,
            ..CliRules::default()
        },
        site_index: None,
    };
    Config::load(&request, rules::REGISTRY).map_err(|error| {
        let told: Vec<String> = (error.iter())
            .map(|error| match &error.help {
                Some(help) => format!("{error}; {help}"),
                None => error.to_string(),
            })
            .collect();
        told.join("\n")
    })
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
/// config's overrides by path; an unsaved buffer has none.
pub fn lint_text(config: &Arc<Config>, path: Option<&Path>, text: &str) -> Vec<Finding> {
    let linter = Linter::new(config.clone(), LintOptions::default());
    let bytes: Arc<[u8]> = text.as_bytes().into();
    let file = source_file(path, &bytes);
    let Ok(mut report) = linter.lint_file(file, Cursor::new(bytes)) else {
        // Reading from memory does not fail.
        return Vec::new();
    };
    let mut facts = std::mem::take(&mut report.facts);
    let (_, found) = phases::site::run(config, &mut facts);
    let mut reports = [report];
    settle::late(config, &mut reports, found, &facts);
    let [report] = reports;
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
