//! The rule engine: the run over one file. Posts are parsed once, linted in parallel a batch
//! at a time, each post's diagnostics settled with its own settings and suppressions, and
//! sorted so that the output never depends on the number of threads.

use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::config::{Config, Effective, PostKey};
use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Finding, PostRef, fingerprint};
use crate::findings::Findings;
use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr};
use crate::input::posts::{Entry, PostReader, ReaderState};
use crate::input::segments::{SEGMENT_BYTES, Segment, Segments};
use crate::input::wxr;
use crate::meta::Phase;
use crate::outcome::FileReport;
use crate::post::{Dialect, Post};
use crate::rules;
use crate::settle::{self, LateRules};
use crate::site::PostFacts;
use crate::source::{LineCols, LineCursor, Origin, ResolvedSpan, SourceFile};
use crate::suppress::Pending;

/// Limits and knobs of a run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub max_depth: usize,
    /// A file is read and linted in segments of about this many bytes of whole posts; it bounds
    /// memory whatever the size of the file.
    pub segment_bytes: usize,
    /// The reference time (UTC) for "in the future"; `None`: the clock.
    pub now: Option<chrono::NaiveDateTime>,
    /// Keep every post's name, also of posts without findings, for reports that list them.
    pub list_posts: bool,
    /// Lint only files changed since this git revision.
    pub changed_since: Option<String>,
    /// Lint only shard K of N (1-based).
    pub shard: Option<(usize, usize)>,
    /// Check every link's target over HTTP (`--links`).
    pub links: Option<crate::links::LinkCheck>,
    /// A file larger than this is refused before it is read (`--max-file-size`).
    pub max_file_bytes: u64,
    /// A post (or any stretch of a file that cannot be cut between posts) larger than this
    /// ends the file's linting with a finding (`--max-post-size`): it bounds memory.
    pub max_post_bytes: usize,
    /// Fingerprint each file's bytes (`FileReport::content_hash`), for `--fix` to tell whether
    /// a file changed after it was linted. Off otherwise: hashing byte by byte costs as much as
    /// a fifth of the JSON parse.
    pub hash_content: bool,
    /// Findings this baseline holds are left out of the outcome (`--baseline`).
    pub baseline: Option<Arc<Baseline>>,
    /// Site facts held in memory before they are spilled to disk (`--memory-budget`);
    /// `None`: no limit.
    pub memory_budget: Option<u64>,
}

/// 4 GiB: a thousand times the largest export in the corpus of real posts (4.2 MB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 30;
/// 256 MiB: sixty times the largest real post seen.
pub const DEFAULT_MAX_POST_BYTES: usize = 256 << 20;

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            segment_bytes: SEGMENT_BYTES,
            now: None,
            list_posts: false,
            changed_since: None,
            shard: None,
            links: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_post_bytes: DEFAULT_MAX_POST_BYTES,
            hash_content: false,
            baseline: None,
            memory_budget: Some(crate::spill::DEFAULT_BUDGET),
        }
    }
}

/// What linting one entry of a file gave: its diagnostics and, when it is a post, its name and
/// what the site phase keeps of it.
type Linted = (Vec<Diagnostic>, Option<PostLinted>);

/// What linting a post gave besides its diagnostics: its name, what the site phase keeps of it,
/// and the suppressions the later phases may still use.
type PostLinted = (Arc<PostRef>, Option<PostFacts>, Option<Pending>);

/// Posts linted in parallel while as many more are parsed: two batches of parsed posts are in
/// memory at once. 64 lints a 1 GB file as fast as 256 did, in 45 MB less.
const BATCH_POSTS: usize = 64;

/// The next posts of a segment, parsed.
fn next_batch<'s>(reader: &mut PostReader<'s>) -> Vec<Entry<'s>> {
    reader.by_ref().take(BATCH_POSTS).collect()
}

/// What one segment of a file gave.
struct SegmentResult {
    next: ReaderState,
    /// Bytes of the segment read whole; the rest is read again with the next segment.
    read: usize,
    posts: usize,
    diagnostics: Vec<Diagnostic>,
    facts: Vec<PostFacts>,
    pending: Vec<Pending>,
    post_list: Vec<Arc<PostRef>>,
}

pub struct Linter {
    config: Arc<Config>,
    options: LintOptions,
    /// Read once, so every post of a run is judged against the same instant.
    now: chrono::NaiveDateTime,
    /// Whether any enabled rule compares posts of a site, so facts must be kept.
    keep_facts: bool,
    /// The rules that run after every post was linted (site rules, and the link check's): a
    /// suppression naming one waits for their findings.
    late: LateRules,
}

/// The file being linted, as the per-post work needs it.
struct FileScope<'a> {
    path: Option<&'a Path>,
    settings: Arc<Effective>,
}

impl Linter {
    pub fn new(config: Arc<Config>, options: LintOptions) -> Self {
        let now = crate::dates::now_or(options.now);
        let mut late = LateRules::default();
        for meta in rules::ALL.iter().map(|rule| rule.meta()) {
            match meta.phase {
                Phase::Site if config.may_enable(meta.code) => late.running.push(meta.code),
                Phase::Links if options.links.is_some() => late.running.push(meta.code),
                Phase::Links => late.dormant.push(meta.code),
                _ => {}
            }
        }
        let keep_facts = !late.running.is_empty();
        Self {
            config,
            options,
            now,
            keep_facts,
            late,
        }
    }

    pub fn options(&self) -> &LintOptions {
        &self.options
    }

    /// The settings for a post: the file's, unless an override names this post.
    fn post_settings(&self, scope: &FileScope<'_>, post: &Post<'_>) -> Arc<Effective> {
        if !self.config.has_post_overrides() {
            return scope.settings.clone();
        }
        let key = PostKey {
            id: post.id(),
            slug: post.str_at("slug").map(JsonStr::as_str),
        };
        self.config.effective(scope.path, Some(key))
    }

    /// Lints a file read from `reader`: REST or WP-CLI JSON a segment at a time, a WXR export
    /// (told by its first bytes) whole.
    pub fn lint_file(
        &self,
        file: SourceFile,
        mut reader: impl Read,
    ) -> std::io::Result<FileReport> {
        let mut head = Vec::new();
        (&mut reader).take(SNIFF_BYTES).read_to_end(&mut head)?;
        let is_xml = wxr::looks_like_xml(&head);
        let reader = std::io::Cursor::new(head).chain(reader);
        if is_xml {
            return self.lint_wxr_file(file, reader);
        }
        let path = file_path(&file);
        let scope = FileScope {
            path,
            settings: self.config.effective(path, None),
        };
        let mut segments = Segments::with_target(reader, self.options.segment_bytes)
            .with_limit(self.options.max_post_bytes);
        let mut state = ReaderState::default();
        let mut cursor = LineCursor::default();
        let mut findings = Findings::new();
        let mut line_marks: Vec<LineCursor> = Vec::new();
        let mut facts = Vec::new();
        let mut pending = Vec::new();
        let mut post_list = Vec::new();
        let mut posts = 0;
        let mut blank = true;
        let mut hasher = self.options.hash_content.then(ContentHasher::default);
        loop {
            let segment = match segments.next_segment() {
                Ok(Some(segment)) => segment,
                Ok(None) => break,
                Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                    let limit = self.options.max_post_bytes;
                    findings.push(rules::json_syntax::too_large(&cursor, limit));
                    blank = false;
                    break;
                }
                Err(error) => return Err(error),
            };
            let first = segment.base == 0;
            if first && let Some(not_json) = rules::not_a_post::check_not_json(segment.bytes) {
                let not_json = settle::severities(&scope.settings, vec![not_json]);
                findings = resolve(&segment, &mut cursor, not_json)
                    .into_iter()
                    .collect();
                blank = false;
                break;
            }
            blank &= rules::not_a_post::is_blank(segment.bytes, first);
            if line_marks
                .last()
                .is_none_or(|m| m.offset() != cursor.offset())
            {
                line_marks.push(cursor.clone());
            }
            let len = segment.bytes.len();
            let mut result = self.lint_segment(&scope, &segment, state);
            posts += result.posts;
            state = result.next;
            let read = Segment {
                bytes: &segment.bytes[..result.read],
                ..segment
            };
            findings.extend(resolve(&read, &mut cursor, result.diagnostics));
            facts.append(&mut result.facts);
            pending.append(&mut result.pending);
            post_list.append(&mut result.post_list);
            if result.read == 0 {
                segments.extend_past(len);
            } else {
                if let Some(hasher) = &mut hasher {
                    hasher.write(&segment.bytes[..result.read]);
                }
                segments.consume(result.read);
            }
        }
        if blank
            && scope
                .settings
                .is_enabled(rules::not_a_post::NotAPost::META.code)
        {
            findings = Findings::from_iter([rules::not_a_post::empty_file()]);
        }
        Ok(FileReport {
            file,
            posts,
            findings,
            facts,
            pending,
            post_list,
            line_marks,
            content_hash: hasher.map(|h| h.finish()),
        })
    }

    /// Lints a WXR export, read whole (up to `--max-post-size`): its posts and pages in
    /// parallel, then what is wrong with the file itself.
    fn lint_wxr_file(&self, file: SourceFile, reader: impl Read) -> std::io::Result<FileReport> {
        let path = file_path(&file).map(Path::to_path_buf);
        let scope = FileScope {
            path: path.as_deref(),
            settings: self.config.effective(path.as_deref(), None),
        };
        let limit = self.options.max_post_bytes;
        let mut bytes = Vec::new();
        reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
        let mut report = FileReport {
            file,
            posts: 0,
            findings: Findings::new(),
            facts: Vec::new(),
            pending: Vec::new(),
            post_list: Vec::new(),
            line_marks: vec![LineCursor::default()],
            content_hash: None,
        };
        if bytes.len() > limit {
            let too_large = rules::json_syntax::too_large(&LineCursor::default(), limit);
            report.findings = Findings::from_iter([too_large]);
            return Ok(report);
        }
        let parsed = wxr::read(&bytes);
        let spans: Vec<Range<usize>> = parsed.posts.iter().map(|p| p.span.clone()).collect();
        let posts: Vec<Post<'_>> = parsed
            .posts
            .into_iter()
            .enumerate()
            .map(|(index, node)| Post::wxr(index, node))
            .collect();
        let linted: Vec<(Vec<Diagnostic>, PostLinted)> = posts
            .par_iter()
            .map(|post| self.lint_post(&scope, post, (0, &bytes)))
            .collect();
        let mut file_level: Vec<Diagnostic> = parsed
            .errors
            .into_iter()
            .map(rules::wxr_syntax::diagnostic)
            .collect();
        file_level.extend(rules::invalid_utf8::check_segment(&bytes, 0, &spans));
        let mut diagnostics = settle::severities(&scope.settings, file_level);
        for (found, (post_ref, post_facts, post_pending)) in linted {
            diagnostics.extend(found);
            report.posts += 1;
            report.facts.extend(post_facts);
            report.pending.extend(post_pending);
            if self.options.list_posts {
                report.post_list.push(post_ref);
            }
        }
        let whole = Segment {
            base: 0,
            bytes: &bytes,
            at_eof: true,
        };
        report.findings = resolve(&whole, &mut LineCursor::default(), diagnostics)
            .into_iter()
            .collect();
        if self.options.hash_content {
            let mut hasher = ContentHasher::default();
            hasher.write(&bytes);
            report.content_hash = Some(hasher.finish());
        }
        Ok(report)
    }

    /// Parses and lints the posts of one segment, a batch at a time so that only a batch of
    /// parsed posts is in memory. A post the segment ends inside is left for the next one.
    fn lint_segment(
        &self,
        scope: &FileScope<'_>,
        segment: &Segment<'_>,
        state: ReaderState,
    ) -> SegmentResult {
        let base = segment.base;
        let mut reader =
            PostReader::segment(segment.bytes, self.options.max_depth, state, segment.at_eof);
        let mut diagnostics = Vec::new();
        let mut facts = Vec::new();
        let mut pending = Vec::new();
        let mut post_list = Vec::new();
        let mut posts = 0;
        let mut spans = Vec::new();
        let mut batch = next_batch(&mut reader);
        while !batch.is_empty() {
            spans.extend(batch.iter().map(|e| e.node.span.clone()));
            // The next batch is parsed while this one is linted: parsing a file is sequential,
            // and would otherwise leave the other threads waiting.
            let (linted, next) = rayon::join(
                || self.lint_batch(scope, batch, (base, segment.bytes)),
                || next_batch(&mut reader),
            );
            batch = next;
            for (found, linted) in linted {
                diagnostics.extend(found);
                if let Some((post_ref, post_facts, post_pending)) = linted {
                    posts += 1;
                    facts.extend(post_facts);
                    pending.extend(post_pending);
                    if self.options.list_posts {
                        post_list.push(post_ref);
                    }
                }
            }
        }
        let (read, next) = if reader.ran_out() {
            reader.resume_point()
        } else {
            (segment.bytes.len(), reader.state())
        };
        let mut file_level: Vec<Diagnostic> = reader
            .take_errors()
            .into_iter()
            .map(|error| rules::json_syntax::diagnostic(error, base))
            .collect();
        file_level.extend(rules::invalid_utf8::check_segment(
            &segment.bytes[..read],
            base,
            &spans,
        ));
        diagnostics.extend(settle::severities(&scope.settings, file_level));
        SegmentResult {
            next,
            read,
            posts,
            diagnostics,
            facts,
            pending,
            post_list,
        }
    }

    /// Lints a batch of entries in parallel: each gives its diagnostics and, when it is a
    /// post, `Some` of its name and what the site phase keeps of it.
    fn lint_batch(
        &self,
        scope: &FileScope<'_>,
        batch: Vec<Entry<'_>>,
        (base, bytes): (usize, &[u8]),
    ) -> Vec<Linted> {
        batch
            .into_par_iter()
            .map(|entry| {
                let head = entry.node.head_span();
                match Post::classify(entry.index, entry.node, entry.recovered) {
                    Ok(post) => {
                        let (found, linted) = self.lint_post(scope, &post, (base, bytes));
                        (found, Some(linted))
                    }
                    Err(why) => {
                        let head = base + head.start..base + head.end;
                        let found = vec![rules::not_a_post::diagnostic(head, why)];
                        (settle::severities(&scope.settings, found), None)
                    }
                }
            })
            .collect()
    }

    /// Lints one post: its settled diagnostics, its name, what the site phase keeps of it, and
    /// the suppressions the later phases may still use.
    fn lint_post<'s>(
        &self,
        scope: &FileScope<'_>,
        post: &Post<'s>,
        at: (usize, &'s [u8]),
    ) -> (Vec<Diagnostic>, PostLinted) {
        let settings = self.post_settings(scope, post);
        let context = PostContext::new(post, at, settings.clone(), self.now);
        // Only what a site rule can use is kept: it outlives the post, for the whole run.
        let facts = self
            .keep_facts
            .then(|| PostFacts::of(&context, self.options.links.is_some()))
            .flatten();
        let mut out = Vec::new();
        for &i in &settings.rules {
            rules::ALL[i].check(&context, &mut out);
        }
        for pattern in &settings.patterns {
            rules::pattern::check(pattern, &context, &mut out);
        }
        // A post without facts gets no finding from a later phase.
        let seen_later = facts.is_some();
        let (mut found, pending) = settle::post(&context, out, (&self.late, seen_later), at);
        if post.dialect != Dialect::Rest {
            // Fixes are written as REST JSON (escapes, `T` in dates); WXR and WP-CLI differ.
            found.iter_mut().for_each(|d| d.fix = None);
        }
        (found, (context.post_ref.clone(), facts, pending))
    }
}

/// How much of a file is read to tell XML from JSON (a byte order mark and white space may
/// come first).
const SNIFF_BYTES: u64 = 1024;

fn file_path(file: &SourceFile) -> Option<&Path> {
    match &file.origin {
        Origin::Path(path) => Some(path.as_path()),
        Origin::Memory(_) => None,
    }
}

/// The FNV-1a of a file's bytes as segments pass, the same as `fingerprint("", bytes)`.
struct ContentHasher(fnv::FnvHasher);

impl Default for ContentHasher {
    fn default() -> Self {
        use std::hash::Hasher;
        let mut hasher = fnv::FnvHasher::default();
        // `fingerprint` hashes a rule code, then a separator, then the bytes.
        hasher.write(b"");
        hasher.write_u8(0);
        Self(hasher)
    }
}

impl ContentHasher {
    fn write(&mut self, bytes: &[u8]) {
        std::hash::Hasher::write(&mut self.0, bytes);
    }

    fn finish(&self) -> u64 {
        std::hash::Hasher::finish(&self.0)
    }
}

/// Sorts a segment's diagnostics and resolves their lines and columns in one pass.
fn resolve(
    segment: &Segment<'_>,
    cursor: &mut LineCursor,
    mut diagnostics: Vec<Diagnostic>,
) -> Vec<Finding> {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let (start, end) = (cursor.offset(), segment.base + segment.bytes.len());
    let points: Vec<usize> = diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(&d.range)
                .chain(d.secondary.iter().map(|l| &l.range))
                .flat_map(|r| [r.start, r.end])
        })
        .map(|p| p.clamp(start, end))
        .collect();
    let lines = LineCols::walk(cursor, segment.bytes, segment.base, points);
    cursor.advance(segment.bytes, segment.base, end);
    // Every offset asked for below is one of `points`, clamped the same way.
    let at = |offset: usize| lines.get(offset.clamp(start, end));
    let span =
        |range: &Range<usize>| ResolvedSpan::new(range.clone(), at(range.start), at(range.end));
    let offending = |range: &Range<usize>| {
        let local = |offset: usize| offset.clamp(segment.base, end) - segment.base;
        &segment.bytes[local(range.start)..local(range.end)]
    };
    diagnostics
        .into_iter()
        .map(|diagnostic| Finding {
            span: span(&diagnostic.range),
            secondary: diagnostic
                .secondary
                .iter()
                .map(|l| span(&l.range))
                .collect(),
            fingerprint: fingerprint(diagnostic.rule, offending(&diagnostic.range)),
            diagnostic,
        })
        .collect()
}
