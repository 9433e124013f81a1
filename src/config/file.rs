//! The TOML shape of `postlint.toml` and of rule packs (they are the same format). Every value
//! keeps its span so that a mistake is reported at its place in the file.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type Text = Spanned<String>;

/// The keys of a config's top level, as [`RawConfig`] names them: a document with none of
/// them is some other file.
pub const SETTINGS: &[&str] = &[
    "extends",
    "select",
    "extend-select",
    "ignore",
    "rules",
    "timezone",
    "utc-offset",
    "timezone-history",
    "hosts",
    "staging-hosts",
    "https-only-hosts",
    "export",
    "sections",
    "patterns",
    "overrides",
    "links",
    "site",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Packs applied before this file, paths relative to it.
    #[serde(default)]
    pub extends: Vec<Text>,
    pub select: Option<Vec<Text>>,
    #[serde(default)]
    pub extend_select: Vec<Text>,
    #[serde(default)]
    pub ignore: Vec<Text>,
    #[serde(default)]
    pub rules: BTreeMap<Text, Spanned<toml::Table>>,

    /// IANA name of the site's zone (`Asia/Seoul`), for the date rules.
    pub timezone: Option<Text>,
    /// A manual offset (`+05:30`) for sites with no zone name.
    pub utc_offset: Option<Text>,
    #[serde(default)]
    pub timezone_history: Vec<RawZoneEpoch>,
    /// The site's own hosts: links to them are internal.
    pub hosts: Option<Vec<Text>>,
    /// Hosts that only editors can reach; links to them are broken for readers.
    pub staging_hosts: Option<Vec<Text>>,
    /// Hosts that must be linked over https.
    pub https_only_hosts: Option<Vec<Text>>,
    /// `complete` when the run holds the site's whole export.
    pub export: Option<Text>,
    pub sections: Option<RawSections>,
    #[serde(default)]
    pub patterns: Vec<RawPattern>,
    #[serde(default)]
    pub overrides: Vec<RawOverride>,
    pub links: Option<RawLinks>,
    pub site: Option<RawSite>,
}

/// `[site]`: a live WordPress site to read over its REST API (as `--site` does).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSite {
    /// One address, or a list of them (checked when the config is built).
    pub url: Option<Spanned<toml::Value>>,
    /// Largest answer read, `"64MiB"` or a number of bytes (as `--max-response-size`).
    pub max_response_size: Option<Spanned<toml::Value>>,
    /// Seconds one page may take, every try and wait included (as `--site-timeout`).
    pub timeout: Option<Spanned<f64>>,
}

/// `[links]`: checking link targets over HTTP.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLinks {
    /// Check every link's target (as `--links` does).
    pub remote: Option<Spanned<bool>>,
    /// Statuses taken as working besides 2xx.
    pub accept: Option<Spanned<Vec<u16>>>,
    /// Regexes of targets not to request.
    #[serde(default)]
    pub exclude: Vec<Text>,
    pub user_agent: Option<Text>,
    /// Look for archived copies of dead links (as `--no-archive` says not to).
    pub archive: Option<Spanned<bool>>,
    /// The availability API asked for archived copies (as `--archive-api`).
    pub archive_api: Option<Text>,
    /// Seconds one link's check may take in all (as `--link-timeout`).
    pub timeout: Option<Spanned<f64>>,
    /// Seconds all the archive lookups of a run may take together (as `--archive-timeout`).
    pub archive_timeout: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawZoneEpoch {
    /// The zone below was in force before this date (`YYYY-MM-DD`).
    pub until: Text,
    pub timezone: Option<Text>,
    pub utc_offset: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSections {
    #[serde(default)]
    pub required: Vec<RawSection>,
    /// The required headings must appear in the order they are listed.
    pub order: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSection {
    pub heading: Text,
    pub when: Option<RawWhen>,
}

/// Which posts a requirement applies to; every condition given must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWhen {
    #[serde(rename = "type")]
    pub post_type: Option<Vec<Text>>,
    pub status: Option<Vec<Text>>,
    pub categories: Option<Vec<i64>>,
    pub tags: Option<Vec<i64>>,
    /// A regex on the title as a reader sees it.
    pub title: Option<Text>,
    /// A regex on the post's `link`.
    pub link: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPattern {
    pub code: Text,
    pub severity: Option<Text>,
    pub regex: Text,
    #[serde(rename = "in")]
    pub scope: Option<Text>,
    pub message: Text,
    pub help: Option<Text>,
    pub replace_with: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawOverride {
    /// Globs on the path of the file, relative to the config file's folder.
    #[serde(default)]
    pub files: Vec<Text>,
    /// Post ids (numbers) or slugs (strings).
    #[serde(default)]
    pub posts: Vec<Spanned<RawPostKey>>,
    pub select: Option<Vec<Text>>,
    #[serde(default)]
    pub extend_select: Vec<Text>,
    #[serde(default)]
    pub ignore: Vec<Text>,
    #[serde(default)]
    pub rules: BTreeMap<Text, Spanned<toml::Table>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(untagged)]
pub enum RawPostKey {
    Id(i64),
    Slug(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_are_the_keys_of_a_config() {
        let error = toml::from_str::<RawConfig>("not-a-setting = 1\n").expect_err("unknown");
        let expected: Vec<&str> = (error.message().split('`')).skip(3).step_by(2).collect();
        assert_eq!(expected, SETTINGS, "{}", error.message());
    }
}
