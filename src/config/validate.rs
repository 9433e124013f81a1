//! Checking what was read: every rule code against the registry, every regex, glob, zone and
//! value, each error at its place in the file; then the layers `effective` merges.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytesize::ByteSize;
use chrono::NaiveDate;
use globset::{Glob, GlobSetBuilder};
use regex::Regex;
use url::Url;

use super::error::{ConfigError, suggest};
use super::file::{RawConfig, RawOverride, RawWhen, Text};
use super::load::Loader;
use super::model::{
    CliRules, Config, ConfigSource, Layer, Level, Override, Pattern, PatternScope, Provenance,
    Registry, RequiredSection, RuleLayer, Site, Valued, When, ZoneEpoch,
};
use crate::diagnostic::Severity;
use crate::limits;
use crate::zones::{SiteZone, UnknownZone, Zone, ZoneSource};

/// Checks the files read and the command line, and builds the config from them.
pub(super) fn build(
    loader: Loader,
    root: PathBuf,
    cli: &CliRules,
    registry: Registry,
) -> Result<Config, ConfigError> {
    let mut builder = Builder {
        registry,
        sources: &loader.sources,
        patterns: Vec::new(),
        site: Site::default(),
        zones: ZoneParts::default(),
    };
    for (source, raw) in &loader.raws {
        builder.patterns(*source, raw)?;
    }
    let mut base = Vec::new();
    let mut overrides = Vec::new();
    for (source, raw) in &loader.raws {
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
        builder.zones.name = Some(cli_zone(name)?);
        builder.site.timezone = Some(Valued {
            value: name.clone(),
            from: Provenance::CommandLine,
        });
    }
    builder.site.zone = builder.zones.resolve();
    adopt_cli_settings(&mut builder.site, cli);
    Ok(Config {
        registry,
        layer_order: loader.raws.iter().map(|(source, _)| *source).collect(),
        root,
        base,
        overrides,
        cli: cli_layer,
        site: Arc::new(builder.site),
        patterns: builder.patterns,
        sources: loader.sources,
        cache: Mutex::default(),
    })
}

/// The settings given on the command line (already checked when parsed): they beat the files.
fn adopt_cli_settings(site: &mut Site, cli: &CliRules) {
    let valued = |value| Valued {
        value,
        from: Provenance::CommandLine,
    };
    if let Some(timeout) = cli.link_timeout {
        site.links.timeout = Some(valued(timeout));
    }
    if let Some(timeout) = cli.archive_timeout {
        site.links.archive_timeout = Some(valued(timeout));
    }
    if let Some(size) = cli.max_response_size {
        site.max_response_size = Some(Valued {
            value: size,
            from: Provenance::CommandLine,
        });
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
struct ZoneParts {
    name: Option<Zone>,
    offset: Option<Zone>,
    history: Vec<(NaiveDate, Zone)>,
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
struct Builder<'a> {
    registry: Registry,
    sources: &'a [ConfigSource],
    patterns: Vec<Arc<Pattern>>,
    site: Site,
    zones: ZoneParts,
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
        let spec = self
            .registry
            .iter()
            .find(|meta| meta.code == name)
            .and_then(|meta| meta.options.as_ref());
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
            let taken = self.registry.iter().any(|meta| meta.code == code)
                || self.patterns.iter().any(|p| p.code == code);
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
            let regex = config_regex(pattern.regex.get_ref()).map_err(|e| {
                self.error(source, pattern.regex.span(), e).with_help(
                    "the syntax is Rust's `regex` crate: no look-around or backreferences",
                )
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
            self.patterns.push(Arc::new(Pattern {
                code: intern(code),
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
        self.zone_values(source, raw)?;
        if let Some(urls) = raw.site.as_ref().and_then(|s| s.url.as_ref()) {
            self.site.urls = self.site_urls(source, urls)?;
        }
        if let Some(size) = raw.site.as_ref().and_then(|s| s.max_response_size.as_ref()) {
            let key = "max-response-size";
            let checked = self.size(source, key, size, limits::MAX_RESPONSE_SIZE)?;
            self.site.max_response_size = Some(checked);
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
                let regex = config_regex(pattern.get_ref())
                    .map_err(|e| self.error(source, pattern.span(), e))?;
                self.site.links.exclude.push(regex);
            }
            if let Some(agent) = &links.user_agent {
                self.site.links.user_agent = Some(agent.get_ref().clone());
            }
            if let Some(archive) = links.archive {
                self.site.links.archive = archive;
            }
            if let Some(api) = &links.archive_api {
                let url = url::Url::parse(api.get_ref())
                    .ok()
                    .filter(|url| matches!(url.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        self.error(
                            source,
                            api.span(),
                            format!("`{}` is not an http(s) URL", api.get_ref()),
                        )
                    })?;
                self.site.links.archive_api = Some(url);
            }
            if let Some(timeout) = &links.timeout {
                let checked = self.seconds(source, "timeout", timeout, limits::LINK_TIMEOUT)?;
                self.site.links.timeout = Some(checked);
            }
            if let Some(timeout) = &links.archive_timeout {
                let key = "archive-timeout";
                let checked = self.seconds(source, key, timeout, limits::ARCHIVE_TIMEOUT)?;
                self.site.links.archive_timeout = Some(checked);
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
            config_regex(text.get_ref())
                .map(Some)
                .map_err(|e| self.error(source, text.span(), e))
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

    /// A number of seconds, checked against the range the command line takes.
    fn seconds(
        &self,
        source: usize,
        key: &str,
        value: &toml::Spanned<f64>,
        setting: limits::Seconds,
    ) -> Result<Valued<Duration>, ConfigError> {
        let duration = setting
            .check(*value.get_ref())
            .map_err(|error| self.out_of_range(source, key, value.span(), &error))?;
        Ok(Valued {
            value: duration,
            from: Self::spanned(source, value.span()),
        })
    }

    /// A size, `"64MiB"` or a number of bytes, checked against the range the command line
    /// takes.
    fn size(
        &self,
        source: usize,
        key: &str,
        value: &toml::Spanned<toml::Value>,
        setting: limits::Size,
    ) -> Result<Valued<ByteSize>, ConfigError> {
        let checked = match value.get_ref() {
            toml::Value::String(text) => setting.parse(text),
            toml::Value::Integer(bytes) => match u64::try_from(*bytes) {
                Ok(bytes) => setting.check(ByteSize::b(bytes)),
                Err(_) => Err(limits::OutOfRange {
                    value: bytes.to_string(),
                    accepted: setting.accepted(),
                }),
            },
            other => Err(limits::OutOfRange {
                value: other.to_string(),
                accepted: setting.accepted(),
            }),
        };
        let size = checked.map_err(|error| self.out_of_range(source, key, value.span(), &error))?;
        Ok(Valued {
            value: size,
            from: Self::spanned(source, value.span()),
        })
    }

    fn out_of_range(
        &self,
        source: usize,
        key: &str,
        span: Range<usize>,
        error: &limits::OutOfRange,
    ) -> ConfigError {
        let message = format!("`{key}` takes {}, not `{}`", error.accepted, error.value);
        self.error(source, span, message)
            .with_help("the command line takes the same values, and checks them the same way")
    }

    fn spanned(source: usize, span: Range<usize>) -> Provenance {
        Provenance::File {
            source,
            span: (span.start, span.end),
        }
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

    /// `timezone`, `utc-offset` and `[[timezone-history]]`: each value checked by `zones` and
    /// kept both as written (for `--show-config`) and as the zone it names.
    fn zone_values(&mut self, source: usize, raw: &RawConfig) -> Result<(), ConfigError> {
        let valued = |text: &Text| Valued {
            value: text.get_ref().clone(),
            from: Self::from(source, text),
        };
        if let Some(name) = &raw.timezone {
            self.zones.name = Some(self.zone_name(source, name)?);
            self.site.timezone = Some(valued(name));
        }
        if let Some(offset) = &raw.utc_offset {
            self.zones.offset = Some(self.offset(source, offset)?);
            self.site.utc_offset = Some(valued(offset));
        }
        for epoch in &raw.timezone_history {
            let name = epoch.timezone.as_ref().map(|t| self.zone_name(source, t));
            let offset = epoch.utc_offset.as_ref().map(|t| self.offset(source, t));
            let until = self.until(source, &epoch.until)?;
            match (name.transpose()?, offset.transpose()?) {
                (Some(zone), _) | (None, Some(zone)) => self.zones.history.push((until, zone)),
                (None, None) => {
                    return Err(self
                        .error(source, epoch.until.span(), "this entry names no zone")
                        .with_help("add `timezone = \"…\"` or `utc-offset = \"+HH:MM\"`"));
                }
            }
            self.site.timezone_history.push(ZoneEpoch {
                until: epoch.until.get_ref().clone(),
                timezone: epoch.timezone.as_ref().map(|t| t.get_ref().clone()),
                utc_offset: epoch.utc_offset.as_ref().map(|t| t.get_ref().clone()),
                from: Self::from(source, &epoch.until),
            });
        }
        Ok(())
    }

    fn zone_name(&self, source: usize, name: &Text) -> Result<Zone, ConfigError> {
        Zone::from_name(name.get_ref()).map_err(|unknown: UnknownZone| {
            self.error(source, name.span(), unknown.to_string())
                .with_help(unknown.help())
        })
    }

    fn offset(&self, source: usize, offset: &Text) -> Result<Zone, ConfigError> {
        Zone::from_offset(offset.get_ref()).ok_or_else(|| {
            self.error(
                source,
                offset.span(),
                format!("`{}` is not a UTC offset", offset.get_ref()),
            )
            .with_help("write it as +HH:MM or -HH:MM, such as \"+05:30\"")
        })
    }

    fn until(&self, source: usize, until: &Text) -> Result<NaiveDate, ConfigError> {
        let text = until.get_ref();
        let date = is_date(text)
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten();
        date.ok_or_else(|| {
            self.error(source, until.span(), "`until` must be a date, YYYY-MM-DD")
                .with_help("the zone listed was in force before this date")
        })
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
