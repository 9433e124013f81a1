//! Suppressions written in a post's HTML, with a required reason:
//! `<!-- postlint-disable-next-line RULE -- reason -->`,
//! `<!-- postlint-disable RULE -- reason -->` … `<!-- postlint-enable RULE -->`, and
//! `<!-- postlint-disable-file RULE -- reason -->` (the whole post). Without codes a directive
//! covers every rule. This module reads them and tells what each silences; the settle step
//! applies them to every finding, of whatever phase, and reports what silences nothing.

use std::ops::Range;
use std::sync::Arc;

use crate::config::suggest;
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, PostRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NextLine,
    Block,
    Enable,
    Post,
}

/// One suppression comment of a post: what it names, what it covers, how often it was used.
#[derive(Debug, Clone)]
pub struct Directive {
    kind: Kind,
    /// Empty: every rule.
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// The comment, in the file.
    pub comment: Range<usize>,
    /// What it covers, in the file; for `Post`, the whole post.
    covers: Range<usize>,
    pub field: Option<&'static str>,
    /// How many findings it silenced so far.
    pub used: usize,
}

impl Directive {
    /// Whether it silences a finding. The findings about suppressions themselves are never
    /// passed here: the settle step keeps them apart.
    pub fn silences(&self, diagnostic: &Diagnostic) -> bool {
        let code_ok = self.codes.is_empty() || self.codes.iter().any(|c| c == diagnostic.rule);
        let place_ok = match self.kind {
            Kind::Enable => false,
            Kind::Post => true,
            Kind::NextLine | Kind::Block => {
                diagnostic.field == self.field && self.covers.contains(&diagnostic.range.start)
            }
        };
        code_ok && place_ok
    }

    /// What it covers, and how (`next-line`, `block`, `enable`, `post`): with the public
    /// fields, all a shard report needs to hand it to `postlint merge`.
    pub fn extent(&self) -> (&'static str, Range<usize>) {
        let kind = match self.kind {
            Kind::NextLine => "next-line",
            Kind::Block => "block",
            Kind::Enable => "enable",
            Kind::Post => "post",
        };
        (kind, self.covers.clone())
    }

    /// A directive a shard report carried, not yet used; `None` for an unknown kind.
    pub fn restore(
        (kind, covers): (&str, Range<usize>),
        codes: Vec<String>,
        reason: Option<String>,
        comment: Range<usize>,
        field: Option<&'static str>,
    ) -> Option<Self> {
        let kind = match kind {
            "next-line" => Kind::NextLine,
            "block" => Kind::Block,
            "enable" => Kind::Enable,
            "post" => Kind::Post,
            _ => return None,
        };
        Some(Self {
            kind,
            codes,
            reason,
            comment,
            covers,
            field,
            used: 0,
        })
    }

    /// `enable` only ends blocks; it silences and reports nothing itself.
    pub fn is_enable(&self) -> bool {
        self.kind == Kind::Enable
    }

    /// Whether it could silence a finding of one of `codes`.
    pub fn names_any(&self, codes: &[&str]) -> bool {
        self.codes.is_empty() || self.codes.iter().any(|c| codes.contains(&c.as_str()))
    }

    /// Silences what it covers among `diagnostics`, counting each use; returns the rest.
    pub fn silence_all(directives: &mut [Directive], diagnostics: &mut Vec<Diagnostic>) {
        if directives.is_empty() {
            return;
        }
        diagnostics.retain(|diagnostic| {
            match directives.iter_mut().find(|d| d.silences(diagnostic)) {
                Some(directive) => {
                    directive.used += 1;
                    false
                }
                None => true,
            }
        });
    }
}

/// What settle knows of a disabling directive's use when it hands it to the rules about
/// suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// It silenced at least one of the post's own findings.
    Used,
    /// It silenced nothing, and every rule it names has reported all it will.
    Unused,
    /// It names a rule of a later phase that runs (links, site): judged once their findings
    /// are settled, through `Rule::check_waited_suppression`.
    Waiting,
    /// It silenced nothing, but names only rules whose phase does not run: nobody knows.
    Unknowable,
}

/// A post's suppression comments as settle leaves them once the post's own findings are
/// settled: the comments that are wrong, and each disabling directive with its use.
#[derive(Debug)]
pub struct Suppressions<'a> {
    pub problems: &'a [Problem],
    pub directives: &'a [(Directive, Use)],
}

/// The suppressions of a post that a later phase may still use, each with the fingerprint of
/// its comment (for the finding, should it silence nothing).
#[derive(Debug)]
pub struct Pending {
    pub post: Arc<PostRef>,
    pub directives: Vec<(Directive, u64)>,
}

/// A comment that is not a directive, or a directive that names an unknown rule: handed by
/// the settle step to the rules about suppressions.
#[derive(Debug)]
pub struct Problem {
    /// Index of the HTML field in `PostContext::html`.
    pub field: usize,
    /// The comment, in the field's decoded HTML.
    pub span: Range<usize>,
    pub kind: ProblemKind,
}

#[derive(Debug)]
pub enum ProblemKind {
    /// `postlint-WORD` where WORD is no directive.
    NotADirective { word: String },
    /// A code that names no rule, and the closest that does.
    UnknownRule {
        code: String,
        close: Option<&'static str>,
    },
}

/// The directives of a post, and what is wrong with its comments. `known` lists the codes of
/// the rules, asked for only when the post has a directive.
pub fn read(
    post: &PostContext<'_, '_>,
    known: impl FnOnce() -> Vec<&'static str>,
) -> (Vec<Directive>, Vec<Problem>) {
    let has_directive = post
        .html
        .iter()
        .any(|field| (field.index.comments.iter()).any(|c| c.text.trim().starts_with("postlint-")));
    if !has_directive {
        return (Vec::new(), Vec::new());
    }
    let known = known();
    let mut problems = Vec::new();
    let mut directives = Vec::new();
    for (index, field) in post.html.iter().enumerate() {
        directives.extend(read_field(index, field, &known, &mut problems));
    }
    (directives, problems)
}

/// The directives of one field, with the ranges they cover.
fn read_field(
    index: usize,
    field: &HtmlField<'_, '_>,
    known: &[&'static str],
    problems: &mut Vec<Problem>,
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
            problems.push(Problem {
                field: index,
                span: comment.span.clone(),
                kind: ProblemKind::NotADirective {
                    word: word.to_owned(),
                },
            });
            continue;
        };
        let (codes, reason) = parse_codes_and_reason(rest);
        let codes = check_codes(index, comment.span.clone(), codes, known, problems);
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
            field: Some(field.path()),
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
    field: usize,
    comment: Range<usize>,
    codes: Vec<String>,
    known: &[&'static str],
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    codes
        .into_iter()
        .filter(|code| {
            if known.contains(&code.as_str()) {
                return true;
            }
            problems.push(Problem {
                field,
                span: comment.clone(),
                kind: ProblemKind::UnknownRule {
                    code: code.clone(),
                    close: suggest(code, known.iter().copied()),
                },
            });
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
