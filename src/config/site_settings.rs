//! Checking the site settings of a config (`url`, `export`, `[links]`, `[sections]`, the time
//! zone and its history, sizes and timeouts): each value at its place, kept with its source.

use std::ops::Range;
use std::time::Duration;

use bytesize::ByteSize;
use chrono::NaiveDate;
use url::Url;

use super::error::ConfigError;
use super::file::{RawConfig, RawLinks, RawSections, RawWhen, RawZoneEpoch, Text};
use super::model::{Provenance, RequiredSection, Valued, When, ZoneEpoch};
use super::validate::Builder;
use crate::limits;
use crate::zones::{UnknownZone, Zone};

impl Builder<'_> {
    pub(super) fn site(&mut self, source: usize, raw: &RawConfig) {
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
        self.zone_values(source, raw);
        if let Some(urls) = raw.site.as_ref().and_then(|s| s.url.as_ref())
            && let Some(urls) = self.keep(self.site_urls(source, urls))
        {
            self.site.urls = urls;
        }
        if let Some(size) = raw.site.as_ref().and_then(|s| s.max_response_size.as_ref()) {
            let key = "max-response-size";
            let checked = self.size(source, key, size, limits::MAX_RESPONSE_SIZE);
            if let Some(checked) = self.keep(checked) {
                self.site.max_response_size = Some(checked);
            }
        }
        if let Some(timeout) = raw.site.as_ref().and_then(|s| s.timeout.as_ref()) {
            let checked = self.seconds(source, "timeout", timeout, limits::SITE_TIMEOUT);
            if let Some(checked) = self.keep(checked) {
                self.site.timeout = Some(checked);
            }
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
        if let Some(export) = &raw.export
            && let Some(complete) = self.keep(self.export(source, export))
        {
            self.site.export_complete = Some(Valued {
                value: complete,
                from: Self::from(source, export),
            });
        }
        if let Some(links) = &raw.links {
            self.links(source, links);
        }
        if let Some(sections) = &raw.sections {
            self.sections(source, sections);
        }
    }

    /// `export = "complete"` or `"partial"`.
    fn export(&self, source: usize, export: &Text) -> Result<bool, ConfigError> {
        match export.get_ref().as_str() {
            "complete" => Ok(true),
            "partial" => Ok(false),
            other => Err(self
                .error(
                    source,
                    export.span(),
                    format!("unknown export kind `{other}`"),
                )
                .with_help(
                    "`export` is \"complete\" (the run holds the whole site) or \"partial\"",
                )),
        }
    }

    fn links(&mut self, source: usize, links: &RawLinks) {
        let at = |span: Range<usize>| Self::spanned(source, span);
        let set_at = &mut self.site.links.set_at;
        if let Some(remote) = &links.remote {
            self.site.links.remote = *remote.get_ref();
            set_at.push(("remote", at(remote.span())));
        }
        if let Some(accept) = &links.accept {
            self.site.links.accept.extend(accept.get_ref());
            set_at.push(("accept", at(accept.span())));
        }
        for pattern in &links.exclude {
            if let Some(regex) = self.keep(self.regex(source, pattern)) {
                self.site.links.exclude.push(regex);
                self.site.links.set_at.push(("exclude", at(pattern.span())));
            }
        }
        let set_at = &mut self.site.links.set_at;
        if let Some(agent) = &links.user_agent {
            self.site.links.user_agent = Some(agent.get_ref().clone());
            set_at.push(("user-agent", at(agent.span())));
        }
        if let Some(archive) = &links.archive {
            self.site.links.archive = *archive.get_ref();
            set_at.push(("archive", at(archive.span())));
        }
        if let Some(api) = &links.archive_api {
            let from = at(api.span());
            self.site.links.set_at.push(("archive-api", from));
            let url = url::Url::parse(api.get_ref())
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    self.error(
                        source,
                        api.span(),
                        format!("`{}` is not an http(s) URL", api.get_ref()),
                    )
                });
            self.site.links.archive_api = self.keep(url).or(self.site.links.archive_api.take());
        }
        if let Some(timeout) = &links.timeout {
            let checked = self.seconds(source, "timeout", timeout, limits::LINK_TIMEOUT);
            if let Some(checked) = self.keep(checked) {
                self.site.links.timeout = Some(checked);
            }
        }
        if let Some(timeout) = &links.archive_timeout {
            let key = "archive-timeout";
            let checked = self.seconds(source, key, timeout, limits::ARCHIVE_TIMEOUT);
            if let Some(checked) = self.keep(checked) {
                self.site.links.archive_timeout = Some(checked);
            }
        }
    }

    fn sections(&mut self, source: usize, sections: &RawSections) {
        for section in &sections.required {
            if let Some(when) = self.when(source, section.when.as_ref()) {
                self.site.sections.push(RequiredSection {
                    heading: section.heading.get_ref().clone(),
                    when,
                    from: Self::from(source, &section.heading),
                });
            }
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

    /// Which posts a requirement applies to; `None`, each mistake told, when a regex is wrong.
    fn when(&mut self, source: usize, raw: Option<&RawWhen>) -> Option<When> {
        let Some(raw) = raw else {
            return Some(When::default());
        };
        let title = raw
            .title
            .as_ref()
            .map(|t| self.regex(source, t))
            .transpose();
        let link = raw.link.as_ref().map(|t| self.regex(source, t)).transpose();
        let (title, link) = (self.keep(title), self.keep(link));
        let strings = |list: &Option<Vec<Text>>| {
            list.as_ref()
                .map(|l| l.iter().map(|t| t.get_ref().clone()).collect())
        };
        Some(When {
            post_type: strings(&raw.post_type),
            status: strings(&raw.status),
            categories: raw.categories.clone(),
            tags: raw.tags.clone(),
            title: title?,
            link: link?,
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
    fn zone_values(&mut self, source: usize, raw: &RawConfig) {
        let valued = |text: &Text| Valued {
            value: text.get_ref().clone(),
            from: Self::from(source, text),
        };
        if let Some(name) = &raw.timezone
            && let Some(zone) = self.keep(self.zone_name(source, name))
        {
            self.zones.name = Some(zone);
            self.site.timezone = Some(valued(name));
        }
        if let Some(offset) = &raw.utc_offset
            && let Some(zone) = self.keep(self.offset(source, offset))
        {
            self.zones.offset = Some(zone);
            self.site.utc_offset = Some(valued(offset));
        }
        for epoch in &raw.timezone_history {
            let Some(zone) = self.epoch(source, epoch) else {
                continue;
            };
            self.zones.history.push(zone);
            self.site.timezone_history.push(ZoneEpoch {
                until: epoch.until.get_ref().clone(),
                timezone: epoch.timezone.as_ref().map(|t| t.get_ref().clone()),
                utc_offset: epoch.utc_offset.as_ref().map(|t| t.get_ref().clone()),
                from: Self::from(source, &epoch.until),
            });
        }
    }

    /// One `[[timezone-history]]` entry: until when which zone held; `None`, each mistake
    /// told, when it is wrong.
    fn epoch(&mut self, source: usize, epoch: &RawZoneEpoch) -> Option<(NaiveDate, Zone)> {
        let name = epoch.timezone.as_ref().map(|t| self.zone_name(source, t));
        let offset = epoch.utc_offset.as_ref().map(|t| self.offset(source, t));
        let until = self.keep(self.until(source, &epoch.until));
        let name = self.keep(name.transpose());
        let offset = self.keep(offset.transpose());
        let zone = match (name?, offset?) {
            (Some(zone), _) | (None, Some(zone)) => zone,
            (None, None) => {
                let error = self
                    .error(source, epoch.until.span(), "this entry names no zone")
                    .with_help("add `timezone = \"…\"` or `utc-offset = \"+HH:MM\"`");
                self.tell(error);
                return None;
            }
        };
        Some((until?, zone))
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
