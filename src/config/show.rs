//! `--show-config`: the effective configuration, each value with where it came from (`default`,
//! a file's `path:line`, or the flag that set it), and the flag that sets the same key.

use std::fmt::Write;
use std::time::Duration;

use bytesize::ByteSize;

use super::model::{Config, Level, Provenance, Valued};
use crate::limits;

/// Every setting a config holds, as `key = value   # origin (--flag)`: the flag that sets the
/// same key follows the origin in parentheses, unless it is the origin. What only the command
/// line sets is the binary's to show, after this.
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
    rules(&mut out, config);
    site(&mut out, config);
    links(&mut out, config);
    if !config.overrides.is_empty() {
        let _ = writeln!(
            out,
            "\n# {} override(s) apply to the files and posts they name",
            config.overrides.len()
        );
    }
    out
}

/// `[rules]`: each rule's level and where it was set, where options were set, the patterns.
fn rules(out: &mut String, config: &Config) {
    let flags = "--select, --extend-select, --ignore, --severity";
    let _ = writeln!(out, "\n[rules]   # for files no override matches ({flags})");
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
}

/// `[site]`, with the site's keys of the top level, and the patterns.
fn site(out: &mut String, config: &Config) {
    let site = &config.site;
    let _ = writeln!(out, "\n[site]");
    let urls: Vec<String> = site.urls.iter().map(|url| quoted(&url.value)).collect();
    let url = (site.urls.last()).map(|last| (format!("[{}]", urls.join(", ")), last.from));
    line(out, config, ("url", Some("--site")), url);
    let timezone = site.timezone.as_ref().map(string);
    line(out, config, ("timezone", Some("--timezone")), timezone);
    let offset = site.utc_offset.as_ref().map(string);
    line(out, config, ("utc-offset", None), offset);
    line(
        out,
        config,
        ("hosts", None),
        site.hosts.as_ref().map(strings),
    );
    let staging = site.staging_hosts.as_ref().map(strings);
    line(out, config, ("staging-hosts", None), staging);
    let https_only = site.https_only_hosts.as_ref().map(strings);
    line(out, config, ("https-only-hosts", None), https_only);
    let export = site.export_complete.as_ref().map(|v| {
        let kind = if v.value { "complete" } else { "partial" };
        (quoted(kind), v.from)
    });
    line(out, config, ("export", None), export);
    let response = site.max_response_size.as_ref().map(size);
    let default = quoted(&limits::MAX_RESPONSE_SIZE.default.to_string());
    let key = ("max-response-size", "--max-response-size");
    setting(out, config, key, response, &default);
    let timeout = site.timeout.as_ref().map(seconds);
    let default = secs(limits::SITE_TIMEOUT.default);
    setting(
        out,
        config,
        ("timeout", "--site-timeout"),
        timeout,
        &default,
    );
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
}

/// `[links]`, each key with the layer that set it.
fn links(out: &mut String, config: &Config) {
    let links = &config.site.links;
    let _ = writeln!(out, "\n[links]");
    let timeout = links.timeout.as_ref().map(seconds);
    let default = secs(limits::LINK_TIMEOUT.default);
    setting(
        out,
        config,
        ("timeout", "--link-timeout"),
        timeout,
        &default,
    );
    let archive = links.archive_timeout.as_ref().map(seconds);
    let default = secs(limits::ARCHIVE_TIMEOUT.default);
    let key = ("archive-timeout", "--archive-timeout");
    setting(out, config, key, archive, &default);
    let agent = limits::default_user_agent();
    let agent = links.user_agent.as_deref().unwrap_or(&agent);
    let patterns: Vec<String> = links.exclude.iter().map(|r| quoted(r.as_str())).collect();
    let api = (links.archive_api.as_ref()).map_or(limits::ARCHIVE_API, |api| api.as_str());
    let lines = [
        ("remote", links.remote.to_string(), Some("--links")),
        ("accept", format!("{:?}", links.accept), None),
        ("exclude", format!("[{}]", patterns.join(", ")), None),
        ("user-agent", quoted(agent), Some("--user-agent")),
        ("archive", links.archive.to_string(), Some("--no-archive")),
        ("archive-api", quoted(api), Some("--archive-api")),
    ];
    for (key, value, flag) in lines {
        let set_at = links.set_at.iter().filter(|(k, _)| *k == key);
        let origins: Vec<String> = set_at.map(|(_, from)| config.describe(*from)).collect();
        // A list adds up over the files; any other key is the last layer's.
        let origin = match (key, origins.last()) {
            (_, None) => "default".to_owned(),
            ("accept" | "exclude", Some(_)) => origins.join(", "),
            (_, Some(last)) => last.clone(),
        };
        let _ = writeln!(out, "{key} = {value}   # {}", with_flag(origin, flag));
    }
}

/// A setting without a default: its value and where it was set, or that it is not set.
fn line(
    out: &mut String,
    config: &Config,
    (key, flag): (&str, Option<&str>),
    value: Option<(String, Provenance)>,
) {
    match value {
        Some((text, from)) => {
            let origin = with_flag(config.describe(from), flag);
            let _ = writeln!(out, "{key} = {text}   # {origin}");
        }
        None => {
            let _ = writeln!(out, "# {}", with_flag(format!("{key} not set"), flag));
        }
    }
}

/// A setting with a default: its value and where it was set, or the default it keeps.
fn setting(
    out: &mut String,
    config: &Config,
    (key, flag): (&str, &str),
    value: Option<(String, Provenance)>,
    default: &str,
) {
    match value {
        Some(value) => line(out, config, (key, Some(flag)), Some(value)),
        None => {
            let origin = with_flag("default".to_owned(), Some(flag));
            let _ = writeln!(out, "{key} = {default}   # {origin}");
        }
    }
}

/// The origin, then the flag that sets the same key, unless the flag is the origin.
fn with_flag(origin: String, flag: Option<&str>) -> String {
    match flag {
        Some(flag) if flag != origin => format!("{origin} ({flag})"),
        _ => origin,
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
