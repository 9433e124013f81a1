//! Checking what was read: every rule code against the registry, every regex, glob, zone and
//! value, each error at its place in the file; then the layers `effective` merges. A mistake
//! leaves its value out and the checks go on, so that all of them are told at once.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use globset::{Glob, GlobSetBuilder};
use regex::Regex;

use toml::de::DeTable;

use super::collect::{MAX_MISTAKES, read_with, table_at};
use super::error::{ConfigError, Errors, suggest};
use super::file::{RawConfig, RawOverride, RawPattern, Text};
use super::model::{
    CliRules, Config, ConfigSource, Layer, Level, LinkSettings, Override, Pattern, PatternScope,
    Provenance, Registry, RuleLayer, Site, Valued,
};
use crate::diagnostic::Severity;
use crate::zones::{SiteZone, Zone, ZoneSource};

/// What the loader read: the files, the raw config of each in layer order (each pack before
/// the file that extends it), and the mistakes told so far.
pub(super) struct ReadFiles {
    pub(super) sources: Vec<ConfigSource>,
    pub(super) raws: Vec<(usize, RawConfig)>,
    pub(super) errors: Errors,
}

/// Checks the files read and the command line, and builds the config from them; the error
/// holds every mistake, the loader's included.
pub(super) fn build(
    read: ReadFiles,
    root: PathBuf,
    cli: &CliRules,
    registry: Registry,
) -> Result<Config, ConfigError> {
    let ReadFiles {
        sources,
        raws,
        errors,
    } = read;
    let mut builder = Builder {
        registry,
        sources: &sources,
        patterns: Vec::new(),
        site: Site::default(),
        zones: ZoneParts::default(),
        errors,
    };
    for (source, raw) in &raws {
        builder.patterns(*source, raw);
    }
    let mut base = Vec::new();
    let mut overrides = Vec::new();
    for (source, raw) in &raws {
        base.push(builder.layer(
            *source,
            &raw.select,
            &raw.extend_select,
            &raw.ignore,
            &raw.rules,
        ));
        builder.site(*source, raw);
        for raw_override in &raw.overrides {
            overrides.extend(builder.override_(*source, raw_override));
        }
    }
    let cli_layer = builder.cli_layer(cli);
    if let Some(name) = &cli.timezone {
        builder.zones.name = builder.keep(cli_zone(name));
        builder.site.timezone = Some(Valued {
            value: name.clone(),
            from: Provenance::Flag("--timezone"),
        });
    }
    builder.site.zone = std::mem::take(&mut builder.zones).resolve();
    adopt_cli_settings(&mut builder.site, cli);
    if let Some(error) = std::mem::take(&mut builder.errors).into_error() {
        return Err(error);
    }
    let Builder { site, patterns, .. } = builder;
    Ok(Config {
        registry,
        layer_order: raws.iter().map(|(source, _)| *source).collect(),
        root,
        base,
        overrides,
        cli: cli_layer,
        site: Arc::new(site),
        patterns,
        sources,
        cache: Mutex::default(),
    })
}

/// The settings given on the command line (already checked when parsed): they beat the files.
fn adopt_cli_settings(site: &mut Site, cli: &CliRules) {
    let flag = |value, flag| Valued {
        value,
        from: Provenance::Flag(flag),
    };
    if let Some(timeout) = cli.link_timeout {
        site.links.timeout = Some(flag(timeout, "--link-timeout"));
    }
    if let Some(timeout) = cli.archive_timeout {
        site.links.archive_timeout = Some(flag(timeout, "--archive-timeout"));
    }
    if let Some(size) = cli.max_response_size {
        site.max_response_size = Some(Valued {
            value: size,
            from: Provenance::Flag("--max-response-size"),
        });
    }
    if let Some(timeout) = cli.site_timeout {
        site.timeout = Some(flag(timeout, "--site-timeout"));
    }
    adopt_cli_link_settings(&mut site.links, cli);
}

/// `--links`, `--no-archive`, `--user-agent` and `--archive-api`: they beat `[links]`.
fn adopt_cli_link_settings(links: &mut LinkSettings, cli: &CliRules) {
    if cli.links {
        links.remote = true;
        links.set_at.push(("remote", Provenance::Flag("--links")));
    }
    if cli.no_archive {
        links.archive = false;
        links
            .set_at
            .push(("archive", Provenance::Flag("--no-archive")));
    }
    if let Some(agent) = &cli.user_agent {
        links.user_agent = Some(agent.clone());
        links
            .set_at
            .push(("user-agent", Provenance::Flag("--user-agent")));
    }
    if let Some(api) = &cli.archive_api {
        links.archive_api = Some(api.clone());
        links
            .set_at
            .push(("archive-api", Provenance::Flag("--archive-api")));
    }
}

/// `--timezone NAME`, checked as a name in a file is, with the same message and help.
fn cli_zone(name: &str) -> Result<Zone, ConfigError> {
    Zone::from_name(name).map_err(|unknown| {
        ConfigError::new(format!("`--timezone {name}` is not an IANA time zone name"))
            .with_help(unknown.help())
    })
}

/// The zones the layers name, each checked once when read; later layers win.
#[derive(Default)]
pub(super) struct ZoneParts {
    pub(super) name: Option<Zone>,
    pub(super) offset: Option<Zone>,
    pub(super) history: Vec<(NaiveDate, Zone)>,
}

impl ZoneParts {
    /// The zone the date rules use: a name beats an offset; the history sorted by date.
    fn resolve(mut self) -> Option<SiteZone> {
        let current = self.name.or(self.offset)?;
        self.history.sort_by_key(|(until, _)| *until);
        Some(SiteZone {
            history: self.history,
            current,
            source: ZoneSource::Config,
        })
    }
}

/// Turns raw files into layers, checking every code, regex and value.
pub(super) struct Builder<'a> {
    registry: Registry,
    sources: &'a [ConfigSource],
    patterns: Vec<Arc<Pattern>>,
    pub(super) site: Site,
    pub(super) zones: ZoneParts,
    errors: Errors,
}

impl Builder<'_> {
    pub(super) fn tell(&mut self, error: ConfigError) {
        self.errors.tell(error);
    }

    /// The value, or `None` with its mistake told.
    pub(super) fn keep<T>(&mut self, checked: Result<T, ConfigError>) -> Option<T> {
        checked.map_err(|error| self.tell(error)).ok()
    }

    pub(super) fn error(
        &self,
        source: usize,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        let file = &self.sources[source];
        ConfigError::new(message).at(&file.name, &file.text, span)
    }

    pub(super) fn from(source: usize, text: &Text) -> Provenance {
        let span = text.span();
        Provenance::File {
            source,
            span: (span.start, span.end),
        }
    }

    fn known_codes(&self) -> Vec<&str> {
        self.registry
            .iter()
            .map(|meta| meta.code)
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

    /// The known codes of `list`; each unknown one told.
    fn codes(&mut self, source: usize, list: &[Text]) -> Vec<String> {
        list.iter()
            .filter_map(|code| self.keep(self.check_code(source, code)))
            .collect()
    }

    fn layer(
        &mut self,
        source: usize,
        select: &Option<Vec<Text>>,
        extend_select: &[Text],
        ignore: &[Text],
        rules: &BTreeMap<Text, toml::Spanned<toml::Table>>,
    ) -> Layer {
        let select = select.as_ref().map(|list| {
            let span = list.first().map_or(0..0, |t| t.span());
            let from = Provenance::File {
                source,
                span: (span.start, span.end),
            };
            (self.codes(source, list), from)
        });
        let list_from = |list: &[Text]| list.first().map(|t| Self::from(source, t));
        let mut layer = Layer {
            select,
            extend_select: self.codes(source, extend_select),
            ignore: self.codes(source, ignore),
            extend_from: list_from(extend_select),
            ignore_from: list_from(ignore),
            rules: Vec::new(),
        };
        for (code, table) in rules {
            layer.rules.extend(self.rule_layer(source, code, table));
        }
        layer
    }

    fn rule_layer(
        &mut self,
        source: usize,
        code: &Text,
        table: &toml::Spanned<toml::Table>,
    ) -> Option<RuleLayer> {
        let name = self.keep(self.check_code(source, code))?;
        let mut options = table.get_ref().clone();
        let level = options.remove("severity").and_then(|severity| {
            let level = self.severity(source, &name, &severity, table.span());
            self.keep(level)
                .map(|level| (level, Self::from(source, code)))
        });
        if !options.is_empty()
            && !self.options_are_good(source, code, &name, &options, table.span())
        {
            return None;
        }
        Some(RuleLayer {
            code: name,
            level,
            options,
            provenance: Self::from(source, code),
        })
    }

    /// `severity = "…"` of a `[rules.CODE]` table spanning `span`, the error at the value.
    fn severity(
        &self,
        source: usize,
        name: &str,
        severity: &toml::Value,
        span: Range<usize>,
    ) -> Result<Level, ConfigError> {
        let message = match severity {
            toml::Value::String(text) => match Level::parse(text) {
                Some(level) => return Ok(level),
                None => format!("unknown severity `{text}` for `{name}`"),
            },
            other => format!(
                "`severity` of `{name}` must be a string, not {}",
                other.type_str()
            ),
        };
        let at = self.place_in_table(source, &span, "severity");
        Err(self
            .error(source, at, message)
            .with_help("a severity is \"error\", \"warning\", \"info\" or \"off\""))
    }

    /// Checks a rule's options, each mistake told at its key or value; false when any.
    fn options_are_good(
        &mut self,
        source: usize,
        code: &Text,
        name: &str,
        options: &toml::Table,
        span: Range<usize>,
    ) -> bool {
        let spec = self
            .registry
            .iter()
            .find(|meta| meta.code == name)
            .and_then(|meta| meta.options.as_ref());
        let Some(spec) = spec else {
            let keys: Vec<_> = options.keys().map(String::as_str).collect();
            let error = self
                .error(
                    source,
                    code.span(),
                    format!("`{name}` has no options, but {} given", keys.join(", ")),
                )
                .with_help("only `severity` can be set for this rule");
            self.tell(error);
            return false;
        };
        let Err(message) = (spec.parse)(options.clone()) else {
            return true;
        };
        let help = format!("`postlint explain {name}` describes its options");
        let file = &self.sources[source];
        // Finding the keys reads the file again: only while the mistakes are still told, so
        // that a config of many bad tables is not read once for each.
        let table = (!self.errors.is_full())
            .then(|| DeTable::parse(&file.text).ok())
            .flatten()
            .and_then(|root| table_at(root.get_ref(), &span));
        let mistakes = table.map(|mut table| {
            table.get_mut().remove("severity");
            read_with(table, spec.check).1
        });
        let mistakes = mistakes.filter(|found| !found.is_empty());
        let Some(mistakes) = mistakes else {
            // Not looked for, or not found again: told at the table.
            let error = self.error(source, span, format!("bad option for `{name}`: {message}"));
            self.tell(error.with_help(help));
            return false;
        };
        for mut mistake in mistakes.into_iter().take(MAX_MISTAKES) {
            // Before the place: on a line too long to show, the message leads with the place.
            mistake.message = format!("bad option for `{name}`: {}", mistake.message);
            let mut error = mistake.into_error(&file.name, &file.text);
            let help = error
                .help
                .take()
                .map_or_else(|| help.clone(), |h| format!("{h} {help}"));
            self.tell(error.with_help(help));
        }
        false
    }

    /// Where a mistake in the value of `key` is told: at that value in the table of `source`
    /// spanning `table`, else at the table. The value is looked for (the file read again)
    /// only while mistakes are still told, so that many are not as many readings.
    fn place_in_table(&self, source: usize, table: &Range<usize>, key: &str) -> Range<usize> {
        let value = || {
            let root = DeTable::parse(&self.sources[source].text).ok()?;
            let table = table_at(root.get_ref(), table)?;
            table.get_ref().get(key).map(toml::Spanned::span)
        };
        let found = (!self.errors.is_full()).then(value).flatten();
        found.unwrap_or_else(|| table.clone())
    }

    /// An override; `None` (its mistakes told) when its globs are wrong, since it would apply
    /// to other files than meant.
    fn override_(&mut self, source: usize, raw: &RawOverride) -> Option<Override> {
        let layer = self.layer(
            source,
            &raw.select,
            &raw.extend_select,
            &raw.ignore,
            &raw.rules,
        );
        let files = if raw.files.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            let mut good = true;
            for glob in &raw.files {
                let parsed = Glob::new(glob.get_ref())
                    .map_err(|e| self.error(source, glob.span(), format!("bad glob: {e}")));
                match self.keep(parsed) {
                    Some(parsed) => drop(set.add(parsed)),
                    None => good = false,
                }
            }
            let built = set
                .build()
                .map_err(|e| ConfigError::new(format!("bad globs: {e}")));
            Some(self.keep(built).filter(|_| good)?)
        };
        Some(Override {
            files,
            posts: raw.posts.iter().map(|p| p.get_ref().clone()).collect(),
            layer,
        })
    }

    fn cli_layer(&mut self, cli: &CliRules) -> Layer {
        let select = (cli.select.as_ref())
            .map(|codes| (self.cli_codes(codes), Provenance::Flag("--select")));
        let mut layer = Layer {
            select,
            extend_select: self.cli_codes(&cli.extend_select),
            ignore: self.cli_codes(&cli.ignore),
            extend_from: Some(Provenance::Flag("--extend-select")),
            ignore_from: Some(Provenance::Flag("--ignore")),
            rules: Vec::new(),
        };
        for pair in &cli.severity {
            layer.rules.extend(self.keep(self.cli_severity(pair)));
        }
        layer
    }

    /// The known codes of a list given on the command line; each unknown one told.
    fn cli_codes(&mut self, codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .filter_map(|code| self.keep(self.cli_code(code)))
            .collect()
    }

    fn cli_code(&self, code: &str) -> Result<String, ConfigError> {
        let known = self.known_codes();
        if code == "all" || known.contains(&code) {
            return Ok(code.to_owned());
        }
        let error = ConfigError::new(format!("unknown rule `{code}` on the command line"));
        Err(match suggest(code, known) {
            Some(close) => error.with_help(format!("did you mean `{close}`?")),
            None => error.with_help("`postlint rules` lists the rules"),
        })
    }

    /// `--severity RULE=LEVEL`.
    fn cli_severity(&self, pair: &str) -> Result<RuleLayer, ConfigError> {
        let Some((code, level)) = pair.split_once('=') else {
            return Err(ConfigError::new(format!(
                "`--severity {pair}` is not RULE=LEVEL"
            )));
        };
        let code = self.cli_code(code.trim())?;
        let level = Level::parse(level.trim()).ok_or_else(|| {
            ConfigError::new(format!("unknown severity `{level}` in `--severity {pair}`"))
                .with_help("a severity is error, warning, info or off")
        })?;
        Ok(RuleLayer {
            code,
            level: Some((level, Provenance::Flag("--severity"))),
            options: toml::Table::new(),
            provenance: Provenance::Flag("--severity"),
        })
    }

    fn patterns(&mut self, source: usize, raw: &RawConfig) {
        for pattern in &raw.patterns {
            if let Some(pattern) = self.pattern(source, pattern) {
                self.patterns.push(Arc::new(pattern));
            }
        }
    }

    /// One pattern rule; `None`, each mistake told, when any part of it is wrong.
    fn pattern(&mut self, source: usize, pattern: &RawPattern) -> Option<Pattern> {
        let code = self.keep(self.pattern_code(source, &pattern.code));
        let regex = self.regex(source, &pattern.regex).map_err(|error| {
            error.with_help("the syntax is Rust's `regex` crate: no look-around or backreferences")
        });
        let regex = self.keep(regex);
        let severity = self.keep(self.pattern_severity(source, pattern.severity.as_ref()));
        let scope = self.keep(self.pattern_scope(source, pattern.scope.as_ref()));
        Some(Pattern {
            code: intern(code?),
            severity: severity?,
            regex: regex?,
            scope: scope?,
            message: pattern.message.get_ref().clone(),
            help: pattern.help.as_ref().map(|h| h.get_ref().clone()),
            replace_with: pattern.replace_with.as_ref().map(|r| r.get_ref().clone()),
        })
    }

    /// A pattern rule's code: kebab-case, and no other rule's.
    fn pattern_code<'t>(&self, source: usize, code: &'t Text) -> Result<&'t str, ConfigError> {
        let name = code.get_ref();
        let taken = self.registry.iter().any(|meta| meta.code == name)
            || self.patterns.iter().any(|p| p.code == name);
        if taken {
            return Err(self
                .error(
                    source,
                    code.span(),
                    format!("rule `{name}` is defined twice"),
                )
                .with_help("give the pattern rule a code of its own"));
        }
        let is_kebab = !name.is_empty()
            && name.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !is_kebab {
            return Err(self
                .error(
                    source,
                    code.span(),
                    format!("`{name}` is not a kebab-case code"),
                )
                .with_help("codes look like `no-click-here`: lower-case words joined by `-`"));
        }
        Ok(name)
    }

    fn pattern_severity(
        &self,
        source: usize,
        text: Option<&Text>,
    ) -> Result<Severity, ConfigError> {
        let Some(text) = text else {
            return Ok(Severity::Warning);
        };
        match Level::parse(text.get_ref()) {
            Some(Level::On(severity)) => Ok(severity),
            _ => Err(self
                .error(
                    source,
                    text.span(),
                    format!("unknown severity `{}`", text.get_ref()),
                )
                .with_help("a pattern's severity is \"error\", \"warning\" or \"info\"")),
        }
    }

    fn pattern_scope(
        &self,
        source: usize,
        text: Option<&Text>,
    ) -> Result<PatternScope, ConfigError> {
        let Some(text) = text else {
            return Ok(PatternScope::Text);
        };
        PatternScope::parse(text.get_ref()).ok_or_else(|| {
            self.error(
                source,
                text.span(),
                format!("unknown scope `{}`", text.get_ref()),
            )
            .with_help("`in` is one of \"text\", \"html\", \"title\", \"link-text\", \"href\"")
        })
    }

    /// A regex of the config ([`config_regex`]), its mistake at its place.
    pub(super) fn regex(&self, source: usize, text: &Text) -> Result<Regex, ConfigError> {
        config_regex(text.get_ref()).map_err(|e| self.error(source, text.span(), e))
    }
}

/// A `'static` copy of a pattern rule's code. Codes are few and live for the whole run, so
/// each distinct code is leaked once.
fn intern(code: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut codes = CODES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = codes.get(code) {
        return known;
    }
    let leaked: &'static str = Box::leak(code.to_owned().into_boxed_str());
    codes.insert(leaked);
    leaked
}

fn first_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text).trim()
}

/// Patterns longer than this are refused before they are compiled: the regex crate's parser
/// takes about a hundred bytes of memory for each byte of a pattern (a gigabyte for 10 MB).
const MAX_REGEX_BYTES: usize = 1 << 20;

/// A regex of the config, or what is wrong with it in one line.
fn config_regex(pattern: &str) -> Result<Regex, String> {
    if pattern.len() > MAX_REGEX_BYTES {
        return Err(format!(
            "invalid regex: it is {}, over the limit of {}",
            bytesize::ByteSize::b(pattern.len() as u64),
            bytesize::ByteSize::b(MAX_REGEX_BYTES as u64)
        ));
    }
    Regex::new(pattern).map_err(|e| format!("invalid regex: {}", first_line(&e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_regex_over_the_limit_is_refused_uncompiled() {
        let error = config_regex(&"(".repeat(MAX_REGEX_BYTES + 1)).expect_err("too long");
        assert!(error.starts_with("invalid regex: it is 1.0 MiB"), "{error}");
        assert!(error.contains("over the limit of 1.0 MiB"), "{error}");
        let error = config_regex("(a").expect_err("unclosed");
        assert!(error.starts_with("invalid regex:"), "{error}");
        assert!(!error.contains('\n'), "{error}");
    }
}
