//! `--show-config`: the effective configuration, each value with where it came from.

use std::fmt::Write;
use std::time::Duration;

use bytesize::ByteSize;

use super::model::{Config, Level, LinkSettings, Provenance, Valued};
use crate::limits;

pub fn render(config: &Config) -> String {
    let mut out = String::new();
    let names: Vec<&str> = std::iter::once("rule defaults")
        .chain(
            config
                .layer_order
                .iter()
                .map(|&i| config.sources[i].name.as_str()),
        )
        .collect();
    let _ = writeln!(
        out,
        "# Layers, in order (later wins): {}, command line",
        names.join(", ")
    );
    let _ = writeln!(out, "\n[rules]   # for files no override matches");
    let levels = config.rule_levels();
    let width = levels.iter().map(|(c, _, _)| c.len()).max().unwrap_or(0);
    for (code, level, from) in levels {
        let from = match (from, level) {
            (Some(from), _) => from,
            (None, Level::Off) => "off by default".to_owned(),
            (None, Level::On(_)) => "rule default".to_owned(),
        };
        let _ = writeln!(
            out,
            "{code:width$} = {:<9} # {from}",
            quoted(level.as_str())
        );
    }
    let effective = config.effective(None, None);
    let mut with_options: Vec<_> = effective.option_provenance.iter().collect();
    with_options.sort_by_key(|(code, _)| code.as_str());
    for (code, from) in with_options {
        let _ = writeln!(
            out,
            "# options of `{code}` set at {}",
            config.describe(*from)
        );
    }

    let site = &config.site;
    let _ = writeln!(out, "\n[site]");
    line(
        &mut out,
        config,
        "timezone",
        site.timezone.as_ref().map(string),
    );
    line(
        &mut out,
        config,
        "utc-offset",
        site.utc_offset.as_ref().map(string),
    );
    line(&mut out, config, "hosts", site.hosts.as_ref().map(strings));
    line(
        &mut out,
        config,
        "staging-hosts",
        site.staging_hosts.as_ref().map(strings),
    );
    line(
        &mut out,
        config,
        "https-only-hosts",
        site.https_only_hosts.as_ref().map(strings),
    );
    line(
        &mut out,
        config,
        "export",
        site.export_complete.as_ref().map(|v| {
            let kind = if v.value { "complete" } else { "partial" };
            (quoted(kind), v.from)
        }),
    );
    let response = site.max_response_size.as_ref();
    let default = limits::MAX_RESPONSE_SIZE.default;
    setting(
        &mut out,
        config,
        "max-response-size",
        response.map(size),
        &quoted(&default.to_string()),
    );
    let timeout = site.timeout.as_ref().map(seconds);
    let default = secs(limits::SITE_TIMEOUT.default);
    setting(&mut out, config, "timeout", timeout, &default);
    for epoch in &site.timezone_history {
        let zone = epoch
            .timezone
            .as_deref()
            .or(epoch.utc_offset.as_deref())
            .unwrap_or("?");
        let _ = writeln!(
            out,
            "timezone-history: {zone} until {}   # {}",
            epoch.until,
            config.describe(epoch.from)
        );
    }
    for section in &site.sections {
        let _ = writeln!(
            out,
            "required section: {}   # {}",
            quoted(&section.heading),
            config.describe(section.from)
        );
    }
    if let Some(order) = &site.sections_ordered {
        let _ = writeln!(
            out,
            "sections in order: {}   # {}",
            order.value,
            config.describe(order.from)
        );
    }
    for pattern in &config.patterns {
        let _ = writeln!(
            out,
            "pattern rule {}: /{}/ in {}",
            pattern.code,
            pattern.regex.as_str(),
            pattern.scope.as_str()
        );
    }
    let links = &site.links;
    let _ = writeln!(out, "\n[links]");
    let timeout = links.timeout.as_ref().map(seconds);
    setting(
        &mut out,
        config,
        "timeout",
        timeout,
        &secs(limits::LINK_TIMEOUT.default),
    );
    let archive = links.archive_timeout.as_ref().map(seconds);
    let default = secs(limits::ARCHIVE_TIMEOUT.default);
    setting(&mut out, config, "archive-timeout", archive, &default);
    link_settings(&mut out, links);
    if !config.overrides.is_empty() {
        let _ = writeln!(
            out,
            "\n# {} override(s) apply to the files and posts they name",
            config.overrides.len()
        );
    }
    out
}

/// The `[links]` settings kept without their layer: each is the default, or a config file's.
fn link_settings(out: &mut String, links: &LinkSettings) {
    let defaults = LinkSettings::default();
    let agent = limits::default_user_agent();
    let patterns: Vec<String> = links.exclude.iter().map(|r| quoted(r.as_str())).collect();
    let lines = [
        (
            "remote",
            links.remote.to_string(),
            links.remote == defaults.remote,
        ),
        (
            "accept",
            format!("{:?}", links.accept),
            links.accept.is_empty(),
        ),
        (
            "exclude",
            format!("[{}]", patterns.join(", ")),
            patterns.is_empty(),
        ),
        (
            "user-agent",
            quoted(links.user_agent.as_deref().unwrap_or(&agent)),
            links.user_agent.is_none(),
        ),
        (
            "archive",
            links.archive.to_string(),
            links.archive == defaults.archive,
        ),
        (
            "archive-api",
            quoted(
                links
                    .archive_api
                    .as_ref()
                    .map_or(limits::ARCHIVE_API, |api| api.as_str()),
            ),
            links.archive_api.is_none(),
        ),
    ];
    for (key, value, default) in lines {
        let from = if default { "default" } else { "a config file" };
        let _ = writeln!(out, "{key} = {value}   # {from}");
    }
}

fn line(out: &mut String, config: &Config, key: &str, value: Option<(String, Provenance)>) {
    match value {
        Some((text, from)) => {
            let _ = writeln!(out, "{key} = {text}   # {}", config.describe(from));
        }
        None => {
            let _ = writeln!(out, "# {key} not set");
        }
    }
}

/// A setting with a default: its value and where it was set, or the default it keeps.
fn setting(
    out: &mut String,
    config: &Config,
    key: &str,
    value: Option<(String, Provenance)>,
    default: &str,
) {
    match value {
        Some(value) => line(out, config, key, Some(value)),
        None => {
            let _ = writeln!(out, "{key} = {default}   # default");
        }
    }
}

fn seconds(value: &Valued<Duration>) -> (String, Provenance) {
    (secs(value.value), value.from)
}

fn secs(duration: Duration) -> String {
    duration.as_secs_f64().to_string()
}

fn size(value: &Valued<ByteSize>) -> (String, Provenance) {
    (quoted(&value.value.to_string()), value.from)
}

fn string(value: &Valued<String>) -> (String, Provenance) {
    (quoted(&value.value), value.from)
}

fn strings(value: &Valued<Vec<String>>) -> (String, Provenance) {
    let items: Vec<String> = value.value.iter().map(|v| quoted(v)).collect();
    (format!("[{}]", items.join(", ")), value.from)
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}
