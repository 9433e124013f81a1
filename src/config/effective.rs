//! Merging the layers into the settings in force for a file or post: the rules' defaults from
//! the registry, then each layer (packs, the file, matching overrides, the command line), each
//! later one winning.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::file::RawPostKey;
use super::model::{
    Config, Effective, Layer, Level, Override, Pattern, PostKey, Provenance, Registry, RuleLayer,
};
use super::show;
use crate::diagnostic::Severity;

impl Config {
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

    /// Whether an override's `files` globs match the file: the user named it as one to lint.
    pub fn names_file(&self, path: &Path) -> bool {
        // Without a `files` override no path is made relative: that asks for the working
        // folder twice, and the run asks this of every file on one thread.
        if self.overrides.iter().all(|o| o.files.is_none()) {
            return false;
        }
        let relative = relative_to(&self.root, path);
        (self.overrides.iter()).any(|o| {
            o.files
                .as_ref()
                .is_some_and(|globs| globs.is_match(&relative))
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
        let mut merge = Merge::defaults(self);
        for layer in layers {
            merge.apply(self, layer);
        }
        let mut options = HashMap::new();
        for meta in self.registry {
            if let (Some(spec), Some(table)) = (&meta.options, merge.tables.get(meta.code)) {
                // Validated when the config was loaded, so parsing cannot fail here.
                if let Ok(parsed) = (spec.parse)(table.clone()) {
                    options.insert(meta.code, parsed);
                }
            }
        }
        let enabled = merge.enabled;
        Effective {
            rules: (0..self.registry.len())
                .filter(|&i| enabled.contains(self.registry[i].code))
                .collect(),
            patterns: self
                .patterns
                .iter()
                .filter(|p| enabled.contains(p.code))
                .cloned()
                .collect(),
            enabled,
            switched: merge.switched,
            levels: merge.levels,
            options,
            option_provenance: merge.option_provenance,
            site: self.site.clone(),
        }
    }

    fn all_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .registry
            .iter()
            .map(|meta| meta.code.to_owned())
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
        self.registry
            .iter()
            .find(|meta| meta.code == code)
            .map(|meta| meta.severity)
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
            Provenance::Flag(flag) => flag.to_owned(),
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
fn expand(codes: &[String], registry: Registry, patterns: &[Arc<Pattern>]) -> HashSet<String> {
    if codes.iter().any(|c| c == "all") {
        return registry
            .iter()
            .map(|meta| meta.code.to_owned())
            .chain(patterns.iter().map(|p| p.code.to_owned()))
            .collect();
    }
    codes.iter().cloned().collect()
}

/// The layers merged so far.
struct Merge {
    enabled: HashSet<String>,
    /// The last setting that turned each rule on or off.
    switched: HashMap<String, Provenance>,
    levels: HashMap<String, (Severity, Provenance)>,
    tables: HashMap<String, toml::Table>,
    option_provenance: HashMap<String, Provenance>,
}

impl Merge {
    /// Before any layer: the rules on by default (the registry says which, and their
    /// severities are their own), and every pattern rule a pack defines.
    fn defaults(config: &Config) -> Self {
        let enabled = config
            .registry
            .iter()
            .filter(|meta| meta.enabled_by_default)
            .map(|meta| meta.code.to_owned())
            .chain(config.patterns.iter().map(|p| p.code.to_owned()))
            .collect();
        Self {
            enabled,
            switched: HashMap::new(),
            levels: HashMap::new(),
            tables: HashMap::new(),
            option_provenance: HashMap::new(),
        }
    }

    fn apply(&mut self, config: &Config, layer: &Layer) {
        let expand = |codes: &[String]| expand(codes, config.registry, &config.patterns);
        if let Some((select, from)) = &layer.select {
            self.enabled = expand(select);
            for code in config.all_codes() {
                self.switched.insert(code, *from);
            }
        }
        for code in expand(&layer.extend_select) {
            if let Some(from) = layer.extend_from {
                self.switched.insert(code.clone(), from);
            }
            self.enabled.insert(code);
        }
        for code in expand(&layer.ignore) {
            if let Some(from) = layer.ignore_from {
                self.switched.insert(code.clone(), from);
            }
            self.enabled.remove(&code);
        }
        for rule in &layer.rules {
            self.apply_rule(rule);
        }
    }

    /// A `[rules.CODE]` table: its severity (which also turns the rule on or off) and options.
    fn apply_rule(&mut self, rule: &RuleLayer) {
        match rule.level {
            Some((Level::Off, from)) => {
                self.switched.insert(rule.code.clone(), from);
                self.enabled.remove(&rule.code);
                self.levels.remove(&rule.code);
            }
            Some((Level::On(severity), from)) => {
                self.switched.insert(rule.code.clone(), from);
                self.enabled.insert(rule.code.clone());
                self.levels.insert(rule.code.clone(), (severity, from));
            }
            None => {}
        }
        if !rule.options.is_empty() {
            let table = self.tables.entry(rule.code.clone()).or_default();
            table.extend(rule.options.clone());
            self.option_provenance
                .insert(rule.code.clone(), rule.provenance);
        }
    }
}
