//! Pattern rules: checks written in a rule pack as a regex, without Rust (like Vale's
//! existence and substitution rules). Reported with exact spans like built-in rules.

use std::ops::Range;

use regex::Regex;

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::{HtmlIndex, reference_map, source_offset};
use crate::post::HtmlFieldKind;

/// Where a pattern looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternScope {
    /// Text of the body and excerpt as a reader sees it, one run between tags at a time.
    Text,
    /// The HTML source of the body and excerpt.
    Html,
    /// The title's text.
    Title,
    /// Text inside links.
    LinkText,
    /// Link targets (`href` values).
    Href,
}

impl PatternScope {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "text" => Self::Text,
            "html" => Self::Html,
            "title" => Self::Title,
            "link-text" => Self::LinkText,
            "href" => Self::Href,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
            Self::Title => "title",
            Self::LinkText => "link-text",
            Self::Href => "href",
        }
    }
}

/// A rule defined in a pack.
#[derive(Debug)]
pub struct PatternRule {
    /// Interned when the config is loaded: diagnostics carry codes as `&'static str`.
    pub code: &'static str,
    pub severity: Severity,
    /// Compiled once, when the config is loaded.
    pub regex: Regex,
    pub scope: PatternScope,
    /// May hold `{match}`, replaced by the matched text.
    pub message: String,
    pub help: Option<String>,
    pub replace_with: Option<String>,
}

impl PatternRule {
    pub fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let wanted = match self.scope {
                PatternScope::Title => field.kind == HtmlFieldKind::Title,
                _ => field.kind != HtmlFieldKind::Title,
            };
            if !wanted {
                continue;
            }
            match self.scope {
                PatternScope::Html => self.check_source(post, field, out),
                PatternScope::Href => self.check_hrefs(post, field, out),
                PatternScope::Text | PatternScope::Title | PatternScope::LinkText => {
                    self.check_texts(post, field, out)
                }
            }
        }
    }

    fn check_source(
        &self,
        post: &PostContext<'_, '_>,
        field: &HtmlField<'_, '_>,
        out: &mut Vec<Diagnostic>,
    ) {
        for found in self.regex.find_iter(field.source.as_str()) {
            if !found.is_empty() {
                out.push(self.diagnostic(post, field, found.range(), found.as_str()));
            }
        }
    }

    fn check_texts(
        &self,
        post: &PostContext<'_, '_>,
        field: &HtmlField<'_, '_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let index: &HtmlIndex = &field.index;
        let link_text_only = self.scope == PatternScope::LinkText;
        for text in &index.texts {
            if link_text_only && index.link_of(text).is_none() {
                continue;
            }
            self.check_decoded(post, field, index.text(text), &text.span, out);
        }
    }

    fn check_hrefs(
        &self,
        post: &PostContext<'_, '_>,
        field: &HtmlField<'_, '_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let index = &field.index;
        for element in index.elements.iter().filter(|e| &*e.name == "a") {
            let Some(href) = index.attribute(element, "href") else {
                continue;
            };
            let Some(span) = href.value_span.clone() else {
                continue;
            };
            self.check_decoded(post, field, index.value(href), &span, out);
        }
    }

    /// Matches in text whose character references were decoded, mapped back to the source.
    fn check_decoded(
        &self,
        post: &PostContext<'_, '_>,
        field: &HtmlField<'_, '_>,
        decoded: &str,
        run: &Range<usize>,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut map = None;
        for found in self.regex.find_iter(decoded) {
            if found.is_empty() {
                continue;
            }
            let source = &field.source.as_str()[run.clone()];
            let map = map.get_or_insert_with(|| reference_map(source, decoded));
            let range = match map {
                Some(map) => {
                    run.start + source_offset(map, found.start())
                        ..run.start + source_offset(map, found.end())
                }
                None => run.clone(),
            };
            out.push(self.diagnostic(post, field, range, found.as_str()));
        }
    }

    fn diagnostic(
        &self,
        post: &PostContext<'_, '_>,
        field: &HtmlField<'_, '_>,
        html_range: Range<usize>,
        matched: &str,
    ) -> Diagnostic {
        let message = self.message.replace("{match}", matched);
        let range = field.file_range(html_range);
        let mut diagnostic = Diagnostic::for_rule(self.code, self.severity, range, message);
        diagnostic.field = Some(field.kind.path());
        diagnostic.post = Some(post.post_ref.clone());
        let help = match (&self.help, &self.replace_with) {
            (Some(help), _) => Some(help.replace("{match}", matched)),
            (None, Some(replacement)) => Some(format!("replace `{matched}` with `{replacement}`")),
            (None, None) => None,
        };
        diagnostic.help = help.map(Into::into);
        diagnostic.label = Some(format!("matches `{}`", self.regex.as_str()).into());
        diagnostic
    }
}

/// A `'static` copy of a pattern rule's code. Codes are few and live for the whole run, so
/// each distinct code is leaked once.
pub fn intern(code: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
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
