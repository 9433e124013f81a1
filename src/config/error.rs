//! The mistakes of a config file and its packs, each reported at its place with miette: all of
//! them at once, the first as the error and the others as related to it.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::diagnostic::{MAX_SHOWN_CHARS, elided};

#[derive(Debug, Clone)]
pub struct ConfigError {
    pub message: String,
    pub help: Option<String>,
    /// The file and the bytes concerned; `None` for a problem with no place (a file that is
    /// missing, an option given on the command line).
    pub at: Option<Box<Place>>,
    /// The other mistakes found in the same configuration, in file order.
    pub related: Vec<ConfigError>,
}

/// A config file and the bytes of it an error is about.
#[derive(Debug, Clone)]
pub struct Place {
    pub source: NamedSource<Arc<str>>,
    pub span: Range<usize>,
}

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: None,
            at: None,
            related: Vec::new(),
        }
    }

    /// Every mistake found as one error, in the order of the files and of their places in
    /// each (mistakes with no place last); `None` when there is none.
    pub fn all(mut errors: Vec<ConfigError>) -> Option<Self> {
        let files: Vec<String> =
            errors
                .iter()
                .filter_map(ConfigError::file)
                .fold(Vec::new(), |mut files, name| {
                    if !files.iter().any(|known| known == name) {
                        files.push(name.to_owned());
                    }
                    files
                });
        errors.sort_by_key(|error| {
            let file = error
                .file()
                .and_then(|name| files.iter().position(|f| f == name));
            let start = error.at.as_ref().map_or(0, |at| at.span.start);
            (file.unwrap_or(usize::MAX), start)
        });
        let mut errors = errors.into_iter();
        let mut first = errors.next()?;
        first.related.extend(errors);
        Some(first)
    }

    /// This mistake and the ones related to it.
    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        std::iter::once(self).chain(&self.related)
    }

    fn file(&self) -> Option<&str> {
        self.at.as_ref().map(|at| at.source.name())
    }

    /// The place in a config file the error is about. A place on a line too long to show
    /// (a 10 MB regex) is named in the message, with the start and end of its text, and the
    /// error stays one line.
    pub fn at(mut self, name: &str, text: &Arc<str>, span: Range<usize>) -> Self {
        if let Some(long) = too_long_to_show(text, &span) {
            self.message = format!(
                "{name}:{}:{}: {} ({long})",
                long.line,
                long.column,
                elided(&self.message, MAX_SHOWN_CHARS)
            );
            return self;
        }
        self.at = Some(Box::new(Place {
            source: NamedSource::new(name, text.clone()),
            span,
        }));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl miette::Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.at.as_ref().map(|at| &at.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.at.as_ref()?.span;
        let label = LabeledSpan::new_primary_with_span(None, span.start..span.end);
        Some(Box::new(std::iter::once(label)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|e| e as &dyn miette::Diagnostic),
        ))
    }
}

/// The most mistakes told for one config: past it, one more says how many were left.
const MAX_TOLD: usize = 100;

/// The mistakes found so far in a config, the first [`MAX_TOLD`] kept and the others
/// counted.
#[derive(Debug, Default)]
pub(super) struct Errors {
    kept: Vec<ConfigError>,
    untold: usize,
}

impl Errors {
    /// Whether the next mistake will only be counted.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= MAX_TOLD
    }

    pub fn tell(&mut self, error: ConfigError) {
        if !self.is_full() {
            self.kept.push(error);
        } else {
            self.untold += 1;
        }
    }

    /// Every mistake as one error; `None` when there is none.
    pub fn into_error(mut self) -> Option<ConfigError> {
        if self.untold > 0 {
            let more = format!("{} more mistakes are not shown", self.untold);
            self.kept.push(ConfigError::new(more));
        }
        ConfigError::all(self.kept)
    }
}

/// A place whose line is longer than a terminal shows sensibly.
struct LongPlace {
    line: usize,
    column: usize,
    excerpt: String,
}

impl fmt::Display for LongPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`", self.excerpt)
    }
}

fn too_long_to_show(text: &str, span: &Range<usize>) -> Option<LongPlace> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if line_end - line_start <= MAX_SHOWN_CHARS {
        return None;
    }
    let line = text[..line_start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let shown = text
        .get(start..span.end.min(text.len()))
        .unwrap_or_default();
    Some(LongPlace {
        line,
        column,
        excerpt: elided(shown, MAX_EXCERPT_CHARS).replace(['\n', '\r'], " "),
    })
}

/// Characters of a long value quoted in a one-line error.
const MAX_EXCERPT_CHARS: usize = 80;

/// "did you mean" for a word close to one of the known ones.
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}
