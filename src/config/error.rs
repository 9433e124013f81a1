//! A mistake in a config file or a pack, reported at its place with miette.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

#[derive(Debug, Clone)]
pub struct ConfigError {
    pub message: String,
    pub help: Option<String>,
    /// The file and the bytes concerned; `None` for a problem with no place (a file that is
    /// missing, an option given on the command line).
    pub at: Option<Box<Place>>,
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
        }
    }

    pub fn at(mut self, name: &str, text: &Arc<str>, span: Range<usize>) -> Self {
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
}

/// "did you mean" for a word close to one of the known ones.
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}
