//! The rule engine: the `Rule` trait, the shared view of a post that every rule reads, and the
//! run over a file: posts parsed once, linted in parallel, diagnostics sorted so that the output
//! never depends on the number of threads.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, PostRef, Severity};
use crate::html::HtmlIndex;
use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr};
use crate::input::posts::{Entry, PostReader};
use crate::post::{HtmlFieldKind, Post};
use crate::rules;
use crate::source::{LineIndex, SourceFile, SpanResolver};

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

pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one post. Rules about the file as a whole (its JSON, its encoding) are reported by
    /// the loader and keep this default.
    fn check(&self, _post: &PostContext<'_, '_>, _out: &mut Vec<Diagnostic>) {}
}

/// An HTML field of a post, tokenized once.
pub struct HtmlField<'p, 's> {
    pub kind: HtmlFieldKind,
    pub source: &'p JsonStr<'s>,
    pub index: HtmlIndex,
}

impl HtmlField<'_, '_> {
    /// Maps a range of the decoded HTML to the bytes of the file, through the JSON escapes.
    pub fn file_range(&self, decoded: Range<usize>) -> Range<usize> {
        self.source.file_range(decoded)
    }

    /// A diagnostic on a range of this field's HTML.
    pub fn diagnostic(
        &self,
        meta: &RuleMeta,
        post: &PostContext<'_, '_>,
        decoded: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(meta, self.file_range(decoded), message);
        diagnostic.field = Some(self.kind.path());
        diagnostic.post = Some(post.post_ref.clone());
        diagnostic
    }
}

/// The one parsed view of a post that every rule reads.
pub struct PostContext<'p, 's> {
    pub post: &'p Post<'s>,
    pub html: Vec<HtmlField<'p, 's>>,
    pub post_ref: Arc<PostRef>,
}

impl<'p, 's> PostContext<'p, 's> {
    pub fn new(post: &'p Post<'s>) -> Self {
        let html: Vec<_> = HtmlFieldKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let source = post.html_field(kind)?;
                Some(HtmlField {
                    kind,
                    source,
                    index: HtmlIndex::parse(source.as_str()),
                })
            })
            .collect();
        let title = html
            .iter()
            .find(|f| f.kind == HtmlFieldKind::Title)
            .map(|f| f.index.plain_text().trim().to_owned());
        let post_ref = Arc::new(PostRef {
            index: post.index,
            id: post.id(),
            link: post.link().map(str::to_owned),
            title,
        });
        Self {
            post,
            html,
            post_ref,
        }
    }
}

/// Limits and knobs of a run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub max_depth: usize,
    /// Posts parsed ahead and linted in parallel; bounds how many are in memory at once.
    pub batch_size: usize,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            batch_size: 256,
        }
    }
}

/// What linting one file gave.
#[derive(Debug)]
pub struct FileReport {
    pub file: SourceFile,
    pub posts: usize,
    /// Sorted by position in the file, then rule code.
    pub findings: Vec<Finding>,
}

pub struct Linter {
    rules: Vec<&'static dyn Rule>,
    options: LintOptions,
}

impl Linter {
    pub fn new(rules: Vec<&'static dyn Rule>, options: LintOptions) -> Self {
        Self { rules, options }
    }

    fn enabled(&self, code: &str) -> bool {
        self.rules.iter().any(|r| r.meta().code == code)
    }

    pub fn lint_file(&self, file: SourceFile) -> FileReport {
        let (posts, diagnostics) = self.collect_diagnostics(&file.bytes);
        let mut diagnostics: Vec<_> = diagnostics
            .into_iter()
            .filter(|d| self.enabled(d.rule))
            .collect();
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let findings = resolve(&file.bytes, diagnostics);
        FileReport {
            file,
            posts,
            findings,
        }
    }

    /// Returns the number of posts and every diagnostic, unsorted.
    fn collect_diagnostics(&self, bytes: &[u8]) -> (usize, Vec<Diagnostic>) {
        if let Some(problem) = rules::not_a_post::check_file(bytes) {
            return (0, vec![problem]);
        }
        let mut diagnostics: Vec<Diagnostic> =
            rules::invalid_utf8::check_file(bytes).into_iter().collect();
        let mut reader = PostReader::new(bytes, self.options.max_depth);
        let mut posts = 0;
        loop {
            let batch: Vec<Entry<'_>> = reader.by_ref().take(self.options.batch_size).collect();
            diagnostics.extend(
                reader
                    .take_errors()
                    .into_iter()
                    .map(rules::json_syntax::diagnostic),
            );
            if batch.is_empty() {
                break;
            }
            let (found, batch_diagnostics) = self.lint_batch(batch);
            posts += found;
            diagnostics.extend(batch_diagnostics);
        }
        (posts, diagnostics)
    }

    fn lint_batch(&self, batch: Vec<Entry<'_>>) -> (usize, Vec<Diagnostic>) {
        let results: Vec<(bool, Vec<Diagnostic>)> = batch
            .into_par_iter()
            .map(|entry| {
                let head = entry.node.head_span();
                match Post::classify(entry.index, entry.node, entry.recovered) {
                    Ok(post) => (true, self.lint_post(&post)),
                    Err(why) => (false, vec![rules::not_a_post::diagnostic(head, why)]),
                }
            })
            .collect();
        let posts = results.iter().filter(|(is_post, _)| *is_post).count();
        (posts, results.into_iter().flat_map(|(_, d)| d).collect())
    }

    fn lint_post(&self, post: &Post<'_>) -> Vec<Diagnostic> {
        let context = PostContext::new(post);
        let mut out = Vec::new();
        for rule in &self.rules {
            rule.check(&context, &mut out);
        }
        out
    }
}

/// Resolves lines and columns of sorted diagnostics in one pass over the file.
fn resolve(bytes: &[u8], diagnostics: Vec<Diagnostic>) -> Vec<Finding> {
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(bytes);
    let mut resolver = SpanResolver::new(bytes, &index);
    diagnostics
        .into_iter()
        .map(|diagnostic| Finding {
            span: resolver.resolve(diagnostic.range.clone()),
            diagnostic,
        })
        .collect()
}
