//! What a rule declares about itself (code, default severity, options), and the severities.
//! The lowest layer of the rule API: diagnostics and the config read it, it reads nothing of
//! the crate.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule declares about itself; `postlint rules` and `postlint explain` print it.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case, named after what it flags: `stray-end-tag`.
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule's doc comment: What it does / Why it matters / Example.
    pub doc: &'static str,
    /// The post fields the rule reads (`content.rendered`), or `file` for whole-file checks.
    pub reads: &'static [&'static str],
    /// The rule's options, when it has any.
    pub options: Option<OptionsSpec>,
    /// Off-by-default rules run only when a config or `--select` asks for them.
    pub enabled_by_default: bool,
    /// When the rule's findings are made.
    pub phase: Phase,
    /// Which of a post's texts the rule reads when a post has both.
    pub markup: Markup,
    /// The rule's source file from the checkout's root (`src/rules/html/stray_end_tag.rs`),
    /// which opens with its documentation.
    pub source: &'static str,
}

/// Which of a post's texts a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// What the author wrote when the post has it (raw), else the rendered text: author
    /// markup is fixed where it was written.
    Written,
    /// What the site produced (a shortcode left as text, an embed that did not happen): only
    /// rendered text can show it, so the rule does not run on a post that has only raw text.
    Rendered,
}

/// When a rule's findings are made in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// While the file is read: its JSON, its encoding, whether it holds posts.
    File,
    /// On each post by itself, in parallel.
    Post,
    /// On the posts of one site together, after every post was linted.
    Site,
    /// With `--links`, once the targets of every post were requested.
    Links,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::File => "file",
            Phase::Post => "post",
            Phase::Site => "site",
            Phase::Links => "links",
        }
    }
}

/// How a rule's options are read from its `[rules.CODE]` table.
#[derive(Debug)]
pub struct OptionsSpec {
    /// Parses the table into the rule's options type; the error says what is wrong.
    pub parse: fn(toml::Table) -> Result<Arc<dyn Any + Send + Sync>, String>,
    /// Reads the table as written, spans kept, so that a mistake is told at its key.
    pub check: fn(toml::de::Deserializer<'_>) -> Result<(), toml::de::Error>,
}

/// `OptionsSpec::parse` for an options type.
pub fn parse_options<T>(table: toml::Table) -> Result<Arc<dyn Any + Send + Sync>, String>
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let options: T = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    Ok(Arc::new(options))
}

/// `OptionsSpec::check` for an options type.
pub fn check_options<T>(table: toml::de::Deserializer<'_>) -> Result<(), toml::de::Error>
where
    T: serde::de::DeserializeOwned,
{
    T::deserialize(table).map(drop)
}

impl RuleMeta {
    /// The doc comment as written, without the space rustdoc keeps after `///`.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }
}
