//! A broken config shown where it is broken: each mistake the loader reports becomes a
//! diagnostic at its place in the file it is in (`postlint.toml` or a pack), as
//! `postlint check` points at it with miette.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Url};

use super::positions::{Encoding, PositionMap};
use crate::config::ConfigError;

/// The diagnostics of the config's files, by file, and the mistakes that have no file to be
/// shown in (no config file at all).
#[derive(Debug, Default)]
pub struct Shown {
    pub by_file: BTreeMap<Url, Vec<Diagnostic>>,
    pub unplaced: Vec<String>,
}

/// Places each error: at its span in its file, or at the start of `config_file` (the config
/// in use) when it names no place, as a file that cannot be read.
pub fn diagnostics(
    errors: &[ConfigError],
    config_file: Option<&Path>,
    encoding: Encoding,
) -> Shown {
    let mut shown = Shown::default();
    for error in errors {
        let placed = match &error.at {
            Some(at) => place_of(at.source.name(), at.source.inner(), &at.span, encoding),
            None => config_file
                .and_then(|file| Url::from_file_path(absolute(file)).ok())
                .map(|uri| (uri, Range::new(Position::new(0, 0), Position::new(0, 0)))),
        };
        match placed {
            Some((uri, range)) => {
                (shown.by_file.entry(uri).or_default()).push(diagnostic(error, range))
            }
            None => shown.unplaced.push(message(error)),
        }
    }
    shown
}

/// The address and range of a span in a config file named as the loader names it (relative
/// to the current folder, or absolute).
fn place_of(
    name: &str,
    text: &str,
    span: &std::ops::Range<usize>,
    encoding: Encoding,
) -> Option<(Url, Range)> {
    let uri = Url::from_file_path(absolute(Path::new(name))).ok()?;
    let index = PositionMap::new(text, encoding);
    Some((uri, index.range(span)))
}

pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn diagnostic(error: &ConfigError, range: Range) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("config".to_owned())),
        source: Some("postlint".to_owned()),
        message: message(error),
        ..Diagnostic::default()
    }
}

/// The error and its help, as the diagnostics of findings carry theirs.
pub fn message(error: &ConfigError) -> String {
    match &error.help {
        Some(help) => format!("{error}\nhelp: {help}"),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn each_error_at_its_place_in_its_file_or_else_at_the_config_start() {
        let text: Arc<str> = "# é\nignore = [\"nope\"]\n".into();
        let placed = ConfigError::new("unknown rule `nope`")
            .with_help("`postlint rules` lists the rules")
            .at("/site/rules.toml", &text, 15..21);
        let unplaced = ConfigError::new("cannot read /site/postlint.toml");
        let errors = [placed, unplaced];
        let shown = diagnostics(
            &errors,
            Some(Path::new("/site/postlint.toml")),
            Encoding::Utf16,
        );
        let pack = Url::parse("file:///site/rules.toml").expect("url");
        let at = &shown.by_file[&pack][0];
        assert_eq!(
            at.range,
            Range::new(Position::new(1, 10), Position::new(1, 16))
        );
        assert_eq!(
            at.message,
            "unknown rule `nope`\nhelp: `postlint rules` lists the rules"
        );
        let config = Url::parse("file:///site/postlint.toml").expect("url");
        assert_eq!(shown.by_file[&config][0].range.start, Position::new(0, 0));
        assert!(shown.unplaced.is_empty());
        // With no config file, a mistake with no place has nowhere to be shown but a message.
        let shown = diagnostics(&errors[1..], None, Encoding::Utf16);
        assert!(shown.by_file.is_empty());
        assert_eq!(shown.unplaced, ["cannot read /site/postlint.toml"]);
    }
}
