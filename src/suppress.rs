//! Suppressions written in a post's HTML, with a required reason:
//! `<!-- postlint-disable-next-line RULE -- reason -->`,
//! `<!-- postlint-disable RULE -- reason -->` … `<!-- postlint-enable RULE -->`, and
//! `<!-- postlint-disable-file RULE -- reason -->` (the whole post). Without codes a directive
//! covers every rule. Applied after the rules ran; what silences nothing is reported.

use std::ops::Range;

use crate::config::suggest;
use crate::diagnostic::Diagnostic;
use crate::engine::{HtmlField, PostContext};
use crate::rules;
use crate::rules::suppression_without_reason::SuppressionWithoutReason;
use crate::rules::unused_suppression::UnusedSuppression;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NextLine,
    Block,
    Enable,
    Post,
}

#[derive(Debug)]
struct Directive {
    kind: Kind,
    /// Empty: every rule.
    codes: Vec<String>,
    reason: Option<String>,
    /// The comment, in the file.
    comment: Range<usize>,
    /// What it covers, in the file; for `Post`, the whole post.
    covers: Range<usize>,
    field: Option<&'static str>,
    used: usize,
}

impl Directive {
    fn silences(&self, diagnostic: &Diagnostic) -> bool {
        let code_ok = self.codes.is_empty() || self.codes.iter().any(|c| c == diagnostic.rule);
        let place_ok = match self.kind {
            Kind::Enable => false,
            Kind::Post => true,
            Kind::NextLine | Kind::Block => {
                diagnostic.field == self.field && self.covers.contains(&diagnostic.range.start)
            }
        };
        code_ok && place_ok && !is_about_suppressions(diagnostic.rule)
    }
}

fn is_about_suppressions(code: &str) -> bool {
    code == SuppressionWithoutReason::META.code || code == UnusedSuppression::META.code
}

/// Removes what the post's suppressions silence and adds findings about the suppressions.
pub fn apply(post: &PostContext<'_, '_>, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut directives = Vec::new();
    for field in &post.html {
        directives.extend(read_field(post, field, &mut problems));
    }
    if directives.is_empty() && problems.is_empty() {
        return diagnostics;
    }
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|diagnostic| {
            let silencer = directives.iter_mut().find(|d| d.silences(diagnostic));
            match silencer {
                Some(directive) => {
                    directive.used += 1;
                    false
                }
                None => true,
            }
        })
        .collect();
    for directive in directives.iter().filter(|d| d.kind != Kind::Enable) {
        if directive.reason.is_none() {
            kept.push(without_reason(post, directive));
        }
        if directive.used == 0 {
            kept.push(unused(post, directive));
        }
    }
    kept.extend(problems);
    kept
}

/// The directives of one field, with the ranges they cover.
fn read_field(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Directive> {
    let html = field.source.as_str();
    let mut directives: Vec<Directive> = Vec::new();
    for comment in &field.index.comments {
        let text = comment.text.trim();
        let Some(rest) = text.strip_prefix("postlint-") else {
            continue;
        };
        let comment_range = field.file_range(comment.span.clone());
        let Some((kind, rest)) = parse_kind(rest) else {
            let word = rest.split_whitespace().next().unwrap_or_default();
            problems.push(UnusedSuppression::unknown_directive(
                field,
                post,
                comment.span.clone(),
                word,
            ));
            continue;
        };
        let (codes, reason) = parse_codes_and_reason(rest);
        let codes = check_codes(post, field, comment.span.clone(), codes, problems);
        let after = comment.span.end;
        let covers = match kind {
            Kind::NextLine => next_line(html, after),
            Kind::Block | Kind::Enable => after..html.len(),
            Kind::Post => 0..html.len(),
        };
        if kind == Kind::Enable {
            close_blocks(&mut directives, &codes, comment.span.start);
        }
        directives.push(Directive {
            kind,
            codes,
            reason,
            comment: comment_range,
            covers,
            field: Some(field.kind.path()),
            used: 0,
        });
    }
    // Ranges so far are in the decoded HTML; the diagnostics they are compared with are in
    // the file.
    for directive in &mut directives {
        directive.covers = field.file_range(directive.covers.clone());
    }
    directives
}

fn parse_kind(text: &str) -> Option<(Kind, &str)> {
    // Longest names first: `disable` is a prefix of the others.
    [
        ("disable-next-line", Kind::NextLine),
        ("disable-file", Kind::Post),
        ("disable", Kind::Block),
        ("enable", Kind::Enable),
    ]
    .into_iter()
    .find_map(|(name, kind)| {
        let rest = text.strip_prefix(name)?;
        let ends_word = rest.is_empty() || rest.starts_with(char::is_whitespace);
        ends_word.then_some((kind, rest))
    })
}

/// `empty-span, stray-end-tag -- reason` → codes and the reason (if not blank).
fn parse_codes_and_reason(text: &str) -> (Vec<String>, Option<String>) {
    let (codes, reason) = match text.split_once("--") {
        Some((codes, reason)) => (codes, Some(reason.trim())),
        None => (text, None),
    };
    let codes = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    (codes, reason.filter(|r| !r.is_empty()).map(str::to_owned))
}

/// Keeps the codes that name rules; reports the others.
fn check_codes(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    comment: Range<usize>,
    codes: Vec<String>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let known: Vec<&str> = rules::ALL
        .iter()
        .map(|r| r.meta().code)
        .chain(post.settings.patterns.iter().map(|p| p.code))
        .collect();
    codes
        .into_iter()
        .filter(|code| {
            if known.contains(&code.as_str()) {
                return true;
            }
            let close = suggest(code, known.iter().copied());
            problems.push(UnusedSuppression::unknown_rule(
                field,
                post,
                comment.clone(),
                code,
                close,
            ));
            false
        })
        .collect()
}

/// The line after the one holding `after`, in the field's text.
fn next_line(html: &str, after: usize) -> Range<usize> {
    let Some(newline) = html[after..].find('\n') else {
        return html.len()..html.len();
    };
    let start = after + newline + 1;
    let end = html[start..].find('\n').map_or(html.len(), |n| start + n);
    start..end
}

/// An `enable` ends the open `disable` blocks for its codes (all of them when it names none).
fn close_blocks(directives: &mut [Directive], codes: &[String], at: usize) {
    for directive in directives.iter_mut().filter(|d| d.kind == Kind::Block) {
        let named = codes.is_empty() || directive.codes.iter().any(|c| codes.contains(c));
        if named && directive.covers.end > at {
            directive.covers.end = at;
        }
    }
}

fn without_reason(post: &PostContext<'_, '_>, directive: &Directive) -> Diagnostic {
    let mut diagnostic = SuppressionWithoutReason::diagnostic(directive.comment.clone());
    diagnostic.post = Some(post.post_ref.clone());
    diagnostic.field = directive.field;
    diagnostic
}

fn unused(post: &PostContext<'_, '_>, directive: &Directive) -> Diagnostic {
    let mut diagnostic = UnusedSuppression::diagnostic(directive.comment.clone(), &directive.codes);
    diagnostic.post = Some(post.post_ref.clone());
    diagnostic.field = directive.field;
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_reason_are_split_at_the_double_dash() {
        assert_eq!(
            parse_codes_and_reason(" empty-span, stray-end-tag -- wire copy "),
            (
                vec!["empty-span".to_owned(), "stray-end-tag".to_owned()],
                Some("wire copy".to_owned())
            )
        );
        assert_eq!(
            parse_codes_and_reason(" empty-span -- "),
            (vec!["empty-span".to_owned()], None)
        );
    }

    #[test]
    fn kinds_are_told_apart() {
        assert_eq!(
            parse_kind("disable-next-line x").map(|k| k.0),
            Some(Kind::NextLine)
        );
        assert_eq!(parse_kind("disable-file x").map(|k| k.0), Some(Kind::Post));
        assert_eq!(parse_kind("disable x").map(|k| k.0), Some(Kind::Block));
        assert_eq!(parse_kind("enable").map(|k| k.0), Some(Kind::Enable));
        assert_eq!(parse_kind("disabled x").map(|k| k.0), None);
    }

    #[test]
    fn next_line_is_the_line_after_the_comment() {
        let html = "<!-- c -->\n<p>x</p>\n<p>y</p>";
        assert_eq!(&html[next_line(html, 10)], "<p>x</p>");
    }
}
