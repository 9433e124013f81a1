//! An open buffer, its findings, and the findings as LSP diagnostics.

use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Url,
};

use super::positions::{Encoding, PositionMap};
use crate::config::Config;
use crate::diagnostic::{Finding, Severity};
use crate::rules;

/// Where a rule's documentation is read: its source file opens with it (`postlint explain`
/// prints the same text).
const RULE_DOCS: &str = "https://github.com/postlint/postlint/blob/main/";

/// The file kinds the server lints: post JSON, as `postlint check` finds in a folder. WXR is
/// left to the CLI: editors open XML for many other things.
const EXTENSIONS: [&str; 3] = ["json", "ndjson", "jsonl"];

pub struct Document {
    pub uri: Url,
    pub version: Option<i32>,
    pub text: String,
    /// The findings of `text` as it is now, in file order.
    pub findings: Vec<Finding>,
}

impl Document {
    pub fn new(uri: Url, version: Option<i32>, text: String) -> Self {
        Self {
            uri,
            version,
            text,
            findings: Vec::new(),
        }
    }

    /// The file on disk, for `file:` addresses.
    pub fn path(&self) -> Option<PathBuf> {
        file_path(&self.uri)
    }

    pub fn relint(&mut self, config: &Arc<Config>) {
        let path = self.path();
        self.findings = super::lint::lint_text(config, path.as_deref(), &self.text);
    }

    pub fn diagnostics(&self, encoding: Encoding) -> Vec<lsp_types::Diagnostic> {
        let index = PositionMap::new(&self.text, encoding);
        self.findings
            .iter()
            .map(|finding| diagnostic(&index, &self.uri, finding))
            .collect()
    }

    /// One finding as the diagnostic published for it.
    pub fn diagnostic_of(
        &self,
        index: &PositionMap<'_>,
        finding: &Finding,
    ) -> lsp_types::Diagnostic {
        diagnostic(index, &self.uri, finding)
    }
}

pub fn file_path(uri: &Url) -> Option<PathBuf> {
    (uri.scheme() == "file")
        .then(|| uri.to_file_path().ok())
        .flatten()
}

/// Whether the server lints this address: by its extension, as the CLI walks folders.
pub fn is_post_file(uri: &Url) -> bool {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Whether the server lints an opened document: a post file by its extension, or a buffer
/// not saved yet (`untitled:`) in the JSON language.
pub fn is_post_document(uri: &Url, language: &str) -> bool {
    let unsaved_json =
        uri.scheme() == "untitled" && ["json", "jsonl", "ndjson"].contains(&language);
    unsaved_json || is_post_file(uri)
}

/// Whether a change to this file may change the config: `postlint.toml`, or a pack it extends.
pub fn is_config_file(uri: &Url) -> bool {
    uri.path().ends_with(".toml")
}

fn diagnostic(index: &PositionMap<'_>, uri: &Url, finding: &Finding) -> lsp_types::Diagnostic {
    let d = &finding.diagnostic;
    let mut message = d.message.to_string();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), index.range(&label.range)),
            message: label.message.to_string(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: index.range(&d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_owned())),
        code_description: docs_url(d.rule).map(|href| CodeDescription { href }),
        source: Some("postlint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The documentation of a built-in rule; a config's pattern rules have none.
fn docs_url(code: &str) -> Option<Url> {
    let rule = rules::find(code)?;
    Url::parse(&format!("{RULE_DOCS}{}", rule.meta().source)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_files_are_told_by_extension() {
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(is_post_file(&url("file:///x/post.json")));
        assert!(is_post_file(&url("file:///x/posts.NDJSON")));
        assert!(is_post_file(&url("untitled:///a.jsonl")));
        assert!(!is_post_file(&url("file:///x/postlint.toml")));
        assert!(!is_post_file(&url("file:///x/json")));
    }

    #[test]
    fn unsaved_json_buffers_are_linted() {
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(is_post_document(&url("untitled:Untitled-1"), "json"));
        assert!(!is_post_document(&url("untitled:Untitled-2"), "markdown"));
        assert!(!is_post_document(&url("file:///x/notes"), "json"));
    }

    #[test]
    fn every_rule_links_to_its_source_file() {
        for rule in rules::ALL {
            let code = rule.meta().code;
            let url = docs_url(code).expect("a url");
            let file = url.path().split_once("/blob/main/").expect("a path").1;
            let named = format!("{}.rs", code.replace('-', "_"));
            assert!(file.ends_with(&named), "{code}: {url}");
            assert!(std::path::Path::new(file).is_file(), "{code}: {url}");
        }
        assert_eq!(docs_url("click-here"), None);
    }
}
