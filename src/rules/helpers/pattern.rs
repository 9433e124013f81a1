//! Pattern rules: checks written in a rule pack as a regex, without Rust (like Vale's
//! existence and substitution rules). Reported with exact spans like built-in rules. The config
//! checks and holds each pattern (`config::Pattern`); the matching is here.

use std::ops::Range;

use crate::config::{Pattern, PatternScope};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{HtmlIndex, reference_map, source_offset};
use crate::post::HtmlFieldKind;

/// Checks a post against a pattern rule of the config.
pub fn check(pattern: &Pattern, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
    Matcher(pattern).check(post, out);
}

struct Matcher<'a>(&'a Pattern);

impl Matcher<'_> {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let wanted = match self.0.scope {
                PatternScope::Title => field.kind == HtmlFieldKind::Title,
                _ => field.kind != HtmlFieldKind::Title,
            };
            if !wanted {
                continue;
            }
            match self.0.scope {
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
        for found in self.0.regex.find_iter(field.source.as_str()) {
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
        let link_text_only = self.0.scope == PatternScope::LinkText;
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
        for found in self.0.regex.find_iter(decoded) {
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
        let message = self.0.message.replace("{match}", matched);
        let range = field.file_range(html_range);
        let mut diagnostic = Diagnostic::for_rule(self.0.code, self.0.severity, range, message);
        diagnostic.field = Some(field.path());
        diagnostic.post = Some(post.post_ref.clone());
        let help = match (&self.0.help, &self.0.replace_with) {
            (Some(help), _) => Some(help.replace("{match}", matched)),
            (None, Some(replacement)) => Some(format!("replace `{matched}` with `{replacement}`")),
            (None, None) => None,
        };
        diagnostic.help = help.map(Into::into);
        diagnostic.label = Some(format!("matches `{}`", self.0.regex.as_str()).into());
        diagnostic
    }
}
