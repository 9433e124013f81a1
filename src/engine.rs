//! The rule engine: the `Rule` trait, the shared view of a post that every rule reads, and the
//! run over a file: posts parsed once, linted in parallel, diagnostics sorted so that the output
//! never depends on the number of threads.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, PostRef, Severity};
use crate::html::HtmlIndex;
use std::io::Read;

use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr};
use crate::input::posts::{Entry, PostReader, ReaderState};
use crate::input::segments::{SEGMENT_BYTES, Segment, Segments};
use crate::post::{HtmlFieldKind, Post};
use crate::rules;
use crate::source::{LineCol, LineCursor, ResolvedSpan, SourceFile};

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
    /// File offset of the segment the post was read from.
    base: usize,
}

impl HtmlField<'_, '_> {
    /// Maps a range of the decoded HTML to the bytes of the file, through the JSON escapes.
    pub fn file_range(&self, decoded: Range<usize>) -> Range<usize> {
        let local = self.source.file_range(decoded);
        self.base + local.start..self.base + local.end
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
    /// File offset of the segment the post was read from: spans in `post` are relative to it.
    pub base: usize,
}

impl<'p, 's> PostContext<'p, 's> {
    /// The file range of a range in the post's segment (a JSON value's `span`).
    pub fn file_range(&self, local: &Range<usize>) -> Range<usize> {
        self.base + local.start..self.base + local.end
    }

    pub fn new(post: &'p Post<'s>, base: usize) -> Self {
        let html: Vec<_> = HtmlFieldKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let source = post.html_field(kind)?;
                Some(HtmlField {
                    kind,
                    source,
                    index: HtmlIndex::parse(source.as_str()),
                    base,
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
            base,
        }
    }
}

/// Limits and knobs of a run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub max_depth: usize,
    /// A file is read and linted in segments of about this many bytes of whole posts; it bounds
    /// memory whatever the size of the file.
    pub segment_bytes: usize,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            segment_bytes: SEGMENT_BYTES,
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

/// Posts parsed ahead and linted in parallel: bounds how many parsed posts are in memory.
const BATCH_POSTS: usize = 256;

/// What one segment of a file gave.
struct SegmentResult {
    next: ReaderState,
    /// Bytes of the segment read whole; the rest is read again with the next segment.
    read: usize,
    posts: usize,
    diagnostics: Vec<Diagnostic>,
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

    /// Lints a file read from `reader`, a segment at a time.
    pub fn lint_file(&self, file: SourceFile, reader: impl Read) -> std::io::Result<FileReport> {
        let mut segments = Segments::with_target(reader, self.options.segment_bytes);
        let mut state = ReaderState::default();
        let mut cursor = LineCursor::default();
        let mut findings = Vec::new();
        let mut posts = 0;
        let mut blank = true;
        while let Some(segment) = segments.next_segment()? {
            let first = segment.base == 0;
            if first && let Some(binary) = rules::not_a_post::check_binary(segment.bytes) {
                findings = self.resolve(&segment, &mut cursor, vec![binary]);
                blank = false;
                break;
            }
            blank &= rules::not_a_post::is_blank(segment.bytes, first);
            let len = segment.bytes.len();
            let result = self.lint_segment(&segment, state);
            posts += result.posts;
            state = result.next;
            let read = Segment {
                bytes: &segment.bytes[..result.read],
                ..segment
            };
            findings.extend(self.resolve(&read, &mut cursor, result.diagnostics));
            if result.read == 0 {
                segments.extend_past(len);
            } else {
                segments.consume(result.read);
            }
        }
        if blank {
            findings = vec![rules::not_a_post::empty_file()];
        }
        Ok(FileReport {
            file,
            posts,
            findings,
        })
    }

    /// Parses and lints the posts of one segment, a batch at a time so that only a batch of
    /// parsed posts is in memory. A post the segment ends inside is left for the next one.
    fn lint_segment(&self, segment: &Segment<'_>, state: ReaderState) -> SegmentResult {
        let base = segment.base;
        let mut reader =
            PostReader::segment(segment.bytes, self.options.max_depth, state, segment.at_eof);
        let mut diagnostics = Vec::new();
        let mut spans = Vec::new();
        let mut posts = 0;
        loop {
            let batch: Vec<Entry<'_>> = reader.by_ref().take(BATCH_POSTS).collect();
            if batch.is_empty() {
                break;
            }
            spans.extend(batch.iter().map(|e| e.node.span.clone()));
            let (found, batch_diagnostics) = self.lint_batch(batch, base);
            posts += found;
            diagnostics.extend(batch_diagnostics);
        }
        let (read, next) = if reader.ran_out() {
            reader.resume_point()
        } else {
            (segment.bytes.len(), reader.state())
        };
        diagnostics.extend(
            reader
                .take_errors()
                .into_iter()
                .map(|error| rules::json_syntax::diagnostic(error, base)),
        );
        diagnostics.extend(rules::invalid_utf8::check_segment(
            &segment.bytes[..read],
            base,
            &spans,
        ));
        SegmentResult {
            next,
            read,
            posts,
            diagnostics,
        }
    }

    fn lint_batch(&self, batch: Vec<Entry<'_>>, base: usize) -> (usize, Vec<Diagnostic>) {
        let results: Vec<(bool, Vec<Diagnostic>)> = batch
            .into_par_iter()
            .map(|entry| {
                let head = entry.node.head_span();
                match Post::classify(entry.index, entry.node, entry.recovered) {
                    Ok(post) => (true, self.lint_post(&post, base)),
                    Err(why) => {
                        let head = base + head.start..base + head.end;
                        (false, vec![rules::not_a_post::diagnostic(head, why)])
                    }
                }
            })
            .collect();
        let posts = results.iter().filter(|(is_post, _)| *is_post).count();
        (posts, results.into_iter().flat_map(|(_, d)| d).collect())
    }

    fn lint_post(&self, post: &Post<'_>, base: usize) -> Vec<Diagnostic> {
        let context = PostContext::new(post, base);
        let mut out = Vec::new();
        for rule in &self.rules {
            rule.check(&context, &mut out);
        }
        out
    }

    /// Sorts a segment's diagnostics and resolves their lines and columns in one pass.
    fn resolve(
        &self,
        segment: &Segment<'_>,
        cursor: &mut LineCursor,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<Finding> {
        let mut diagnostics: Vec<_> = diagnostics
            .into_iter()
            .filter(|d| self.enabled(d.rule))
            .collect();
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let (start, end) = (cursor.offset(), segment.base + segment.bytes.len());
        let mut points: Vec<usize> = diagnostics
            .iter()
            .flat_map(|d| {
                std::iter::once(&d.range)
                    .chain(d.secondary.iter().map(|l| &l.range))
                    .flat_map(|r| [r.start, r.end])
            })
            .map(|p| p.clamp(start, end))
            .collect();
        points.sort_unstable();
        points.dedup();
        let resolved: Vec<LineCol> = points
            .iter()
            .map(|&point| {
                cursor.advance(segment.bytes, segment.base, point);
                cursor.line_col()
            })
            .collect();
        cursor.advance(segment.bytes, segment.base, end);
        // Every offset asked for below is one of `points`, clamped the same way.
        let at =
            |offset: usize| resolved[points.partition_point(|&p| p < offset.clamp(start, end))];
        let span =
            |range: &Range<usize>| ResolvedSpan::new(range.clone(), at(range.start), at(range.end));
        diagnostics
            .into_iter()
            .map(|diagnostic| Finding {
                span: span(&diagnostic.range),
                secondary: diagnostic
                    .secondary
                    .iter()
                    .map(|l| span(&l.range))
                    .collect(),
                diagnostic,
            })
            .collect()
    }
}
