//! The rule engine: the run over one file. Posts are parsed once, linted in parallel a batch
//! at a time, each post's diagnostics settled with its own settings and suppressions, and
//! sorted so that the output never depends on the number of threads.

mod wxr_file;

use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, Effective, PostKey};
use crate::context::PostContext;
use crate::context::walk::{Dispatch, Visitors};
use crate::diagnostic::{Diagnostic, Finding, PostRef, fingerprint};
use crate::findings::Findings;
use crate::input::format::{InputFormat, SNIFF_BYTES};
use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr};
use crate::input::posts::{Entry, PostReader, ReaderState};
use crate::input::segments::{SEGMENT_BYTES, Segment, Segments};
use crate::input::wxr;
use crate::meta::{Markup, Phase};
use crate::outcome::FileReport;
use crate::post::{Dialect, Form, HtmlFieldKind, Post};
use crate::rule::FileProblem;
use crate::rules;
use crate::settle::{self, LateRules};
use crate::site::PostFacts;
use crate::source::{LineCols, LineCursor, Origin, ResolvedSpan, SourceFile};
use crate::spill::Packed;
use crate::suppress::Pending;
use crate::workspace::Contents;

/// What linting one post needs: the engine's knobs. What only a whole run reads (shard, link
/// check, baseline, file selection and limits) is `run::RunOptions`.
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
    /// The link phase runs after linting: each post's links are kept for it, and a suppression
    /// naming a link rule waits for its findings.
    pub link_phase: bool,
    /// A post (or any stretch of a file that cannot be cut between posts) larger than this
    /// ends the file's linting with a finding (`--max-post-size`): it bounds memory.
    pub max_post_bytes: usize,
    /// Fingerprint each file's bytes (`FileReport::content_hash`), for `--fix` to tell whether
    /// a file changed after it was linted. Off otherwise: hashing byte by byte costs as much as
    /// a fifth of the JSON parse.
    pub hash_content: bool,
    /// The `wp:post_type`s of the WXR items that are linted (`--type`): posts and pages by
    /// default, as WordPress's importer's post list shows them.
    pub item_types: Vec<&'static str>,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            segment_bytes: SEGMENT_BYTES,
            now: None,
            list_posts: false,
            link_phase: false,
            max_post_bytes: usize::try_from(crate::limits::MAX_POST_SIZE.default.as_u64())
                .unwrap_or(usize::MAX),
            hash_content: false,
            item_types: wxr::POST_TYPES.to_vec(),
        }
    }
}

/// What linting one entry of a file gave: its diagnostics and, when it is a post, its name and
/// what the site phase keeps of it.
type Linted = (Vec<Diagnostic>, ValueLinted);

/// What one value of a file was: a post, linted, or a value that is none.
enum ValueLinted {
    Post(Box<PostLinted>),
    /// `foreign` when it has nothing of a post and no sign of a failed request.
    NotAPost {
        foreign: bool,
    },
}

/// What linting a post gave besides its diagnostics: its name, what the site phase keeps of it,
/// and the suppressions the later phases may still use.
type PostLinted = (Arc<PostRef>, Option<PostFacts>, Option<Pending>);

/// Posts linted in parallel while as many more are parsed: two batches of parsed posts are in
/// memory at once. 64 lints a 1 GB file as fast as 256 did, in 45 MB less.
const BATCH_POSTS: usize = 64;

/// From each kind of node to the rules that visit it, read once from the registry.
static WALK: std::sync::LazyLock<Dispatch> =
    std::sync::LazyLock::new(|| Dispatch::new(rules::ALL.iter().map(|rule| rule.visits())));

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
    /// The site facts, as structures or, for the spill, packed a batch at a time.
    facts: Vec<PostFacts>,
    packed: Packed,
    pending: Vec<Pending>,
    post_list: Vec<Arc<PostRef>>,
    /// Values that were no post: with nothing of a post in them, and the others.
    foreign: usize,
    failed: usize,
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
                Phase::Links if options.link_phase => late.running.push(meta.code),
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
    /// (told by its first bytes) whole. The site facts of its posts are in the report.
    pub fn lint_file(&self, file: SourceFile, reader: impl Read) -> std::io::Result<FileReport> {
        self.lint_file_to(file, reader, None)
    }

    /// Lints a file as [`Linter::lint_file`] does, handing the site facts to `facts_to` as each
    /// segment is linted when it is given (the run's spill), so that a file of millions of
    /// posts does not hold them all; the report then has none.
    pub fn lint_file_to(
        &self,
        file: SourceFile,
        mut reader: impl Read,
        facts_to: Option<FactsSink<'_>>,
    ) -> std::io::Result<FileReport> {
        let mut head = Vec::new();
        (&mut reader).take(SNIFF_BYTES).read_to_end(&mut head)?;
        let format = InputFormat::sniff(&head);
        if let InputFormat::Utf16Wxr { mark } = &format {
            return Ok(self.utf16_report(file, &head, mark.clone()));
        }
        let reader = std::io::Cursor::new(head).chain(reader);
        if format == InputFormat::Wxr {
            return self.lint_wxr_file(file, reader, facts_to);
        }
        let path = file_path(&file);
        let scope = FileScope {
            path,
            settings: self.config.effective(path, None),
        };
        let mut segments = Segments::with_target(reader, self.options.segment_bytes)
            .with_limit(self.options.max_post_bytes);
        let mut acc = FileLint::new(self.options.hash_content, facts_to);
        // Pieces of a window are parsed in parallel once the first segment (where the file
        // says what it is) was read; past the first disagreement with the scan, the file goes
        // on a segment at a time.
        let window = self.window_shape();
        let mut parallel = window.is_some();
        loop {
            if let (true, Some(shape)) = (parallel && segments.base() > 0, window) {
                match self.lint_window(&scope, &mut segments, &mut acc, shape) {
                    Ok(Some(agreed)) => {
                        parallel = agreed;
                        continue;
                    }
                    Ok(None) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                        parallel = false;
                    }
                    Err(error) => return Err(error),
                }
            }
            let segment = match segments.next_segment() {
                Ok(Some(segment)) => segment,
                Ok(None) => break,
                Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                    let limit = self.options.max_post_bytes;
                    (acc.findings).extend(too_large(&acc.cursor, limit));
                    acc.blank = false;
                    acc.failed += 1;
                    break;
                }
                Err(error) => return Err(error),
            };
            let start = FileProblem::Start {
                bytes: segment.bytes,
            };
            if segment.base == 0
                && let not_json = file_findings(&start)
                && !not_json.is_empty()
            {
                let not_json = settle::severities(&scope.settings, not_json);
                acc.findings = resolve(&segment, &mut acc.cursor, not_json)
                    .into_iter()
                    .collect();
                acc.blank = false;
                break;
            }
            let len = segment.bytes.len();
            let result = self.lint_segment(&scope, &segment, (acc.state, acc.packs()));
            let read = result.read;
            acc.absorb(&segment, result);
            if read == 0 {
                segments.extend_past(len);
            } else {
                segments.consume(read);
            }
        }
        if acc.blank {
            // At the file's start, whatever the settings' severity (as always).
            let at_start = LineCursor::default().line_col();
            let empty: Vec<Finding> = (file_findings(&FileProblem::Empty).into_iter())
                .filter(|d| scope.settings.is_enabled(d.rule))
                .map(|d| Finding::at_point(d, at_start))
                .collect();
            if !empty.is_empty() {
                acc.findings = Findings::from_iter(empty);
            }
        }
        Ok(FileReport {
            contents: acc.contents(),
            format: InputFormat::Json,
            file,
            posts: acc.posts,
            findings: acc.findings,
            facts: acc.facts,
            pending: acc.pending,
            post_list: acc.post_list,
            line_marks: acc.line_marks,
            content_hash: acc.hasher.map(|h| h.finish()),
        })
    }

    /// How many segments a window of a large file holds: one more than the threads, so a
    /// thread that finishes early has another to take, and at most four (memory). `None` on
    /// one thread, where a window only costs.
    fn window_shape(&self) -> Option<usize> {
        let threads = rayon::current_num_threads();
        let pieces = (threads + 1).clamp(2, 4);
        let window_bytes = self.options.segment_bytes.saturating_mul(pieces);
        (threads > 1 && window_bytes <= self.options.max_post_bytes).then_some(pieces)
    }

    /// Parses and lints the pieces of the next window in parallel, each from the state the
    /// scan predicts at its start, and keeps them in order while each piece before ended in
    /// the state the next was read from. `Some(false)`: a piece disagreed (damaged JSON), its
    /// results are dropped and it is read again segment by segment; `None`: no window here.
    fn lint_window<R: Read>(
        &self,
        scope: &FileScope<'_>,
        segments: &mut Segments<R>,
        acc: &mut FileLint<'_>,
        pieces: usize,
    ) -> std::io::Result<Option<bool>> {
        let Some(window) = segments.next_window(pieces)? else {
            return Ok(None);
        };
        let last = window.ends.len() - 1;
        let starts = std::iter::once((0, acc.state)).chain(window.ends[..last].iter().map(|c| {
            let state = ReaderState::between_posts(c.in_array, c.next_index);
            (c.at, state)
        }));
        let pieces: Vec<(Segment<'_>, ReaderState)> = (starts.zip(&window.ends).enumerate())
            .map(|(i, ((start, state), end))| {
                let segment = Segment {
                    base: window.base + start,
                    bytes: &window.bytes[start..end.at],
                    at_eof: window.at_eof && i == last,
                };
                (segment, state)
            })
            .collect();
        let pack = acc.packs();
        let results: Vec<SegmentResult> = pieces
            .par_iter()
            .map(|(segment, state)| self.lint_segment(scope, segment, (*state, pack)))
            .collect();
        let (mut accepted, mut agreed) = (0, true);
        for ((segment, predicted), result) in pieces.iter().zip(results) {
            if *predicted != acc.state || result.read != segment.bytes.len() {
                agreed = false;
                break;
            }
            accepted = segment.base + segment.bytes.len() - window.base;
            acc.absorb(segment, result);
        }
        segments.consume(accepted);
        Ok(Some(agreed))
    }

    /// Parses and lints the posts of one segment, a batch at a time so that only a batch of
    /// parsed posts is in memory. A post the segment ends inside is left for the next one.
    fn lint_segment(
        &self,
        scope: &FileScope<'_>,
        segment: &Segment<'_>,
        (state, pack): (ReaderState, bool),
    ) -> SegmentResult {
        let base = segment.base;
        let mut reader =
            PostReader::segment(segment.bytes, self.options.max_depth, state, segment.at_eof);
        let mut diagnostics = Vec::new();
        let mut facts = Vec::new();
        let mut packed = Packed::default();
        let mut pending = Vec::new();
        let mut post_list = Vec::new();
        let (mut posts, mut foreign, mut failed) = (0, 0, 0);
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
                let (post_ref, post_facts, post_pending) = match linted {
                    ValueLinted::Post(post) => *post,
                    ValueLinted::NotAPost { foreign: true } => {
                        foreign += 1;
                        continue;
                    }
                    ValueLinted::NotAPost { foreign: false } => {
                        failed += 1;
                        continue;
                    }
                };
                posts += 1;
                facts.extend(post_facts);
                pending.extend(post_pending);
                if self.options.list_posts {
                    post_list.push(post_ref);
                }
            }
            // Packed as each batch is linted: a worker holds bytes, not a segment's structures.
            if pack {
                packed.push(std::mem::take(&mut facts));
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
            .flat_map(|error| {
                file_findings(&FileProblem::JsonSyntax {
                    error: &error,
                    base,
                })
            })
            .collect();
        file_level.extend(file_findings(&FileProblem::Segment {
            bytes: &segment.bytes[..read],
            base,
            posts: &spans,
        }));
        diagnostics.extend(settle::severities(&scope.settings, file_level));
        SegmentResult {
            next,
            read,
            posts,
            diagnostics,
            facts,
            packed,
            pending,
            post_list,
            foreign,
            failed,
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
                        (found, ValueLinted::Post(Box::new(linted)))
                    }
                    Err(why) => {
                        let head = base + head.start..base + head.end;
                        let foreign = why.foreign;
                        let not_a_post = FileProblem::NotAPost { head, why: &why };
                        let found = settle::severities(&scope.settings, file_findings(&not_a_post));
                        (found, ValueLinted::NotAPost { foreign })
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
        let context = PostContext::new(post, at, (settings.clone(), Markup::Written), self.now);
        // The rules of rendered output read a post's rendered text: a second view when the post
        // was read with `context=edit` (raw and rendered), none when it has only raw text (WXR,
        // WP-CLI), where shortcodes and bare embed URLs are what the author is meant to write.
        let has_raw = post.has_raw();
        let second = (has_raw && post.has_rendered())
            .then(|| PostContext::new(post, at, (settings.clone(), Markup::Rendered), self.now));
        let rendered_view = if has_raw {
            second.as_ref()
        } else {
            Some(&context)
        };
        // Only what a site rule can use is kept: it outlives the post, for the whole run.
        let facts = self
            .keep_facts
            .then(|| {
                let folder = scope.path.map(|path| match path.parent() {
                    Some(folder) if !folder.as_os_str().is_empty() => folder,
                    _ => Path::new("."),
                });
                PostFacts::of(&context, self.options.link_phase, folder)
            })
            .flatten();
        let mut out = Vec::new();
        // One walk of each view's HTML for the rules that visit it (the written view, and the
        // rendered one when it is another).
        let mut written = Visitors::new(rules::ALL.len());
        let mut rendered = Visitors::new(rules::ALL.len());
        for &i in &settings.rules {
            let rule = rules::ALL[i];
            let (view, visitors) = match rule.meta().markup {
                Markup::Written => (Some(&context), &mut written),
                Markup::Rendered if rendered_view.is_some_and(|v| std::ptr::eq(v, &context)) => {
                    (rendered_view, &mut written)
                }
                Markup::Rendered => (rendered_view, &mut rendered),
            };
            let Some(view) = view else { continue };
            rule.check(view, &mut out);
            if WALK.walks(i)
                && let Some(visitor) = rule.start(view)
            {
                visitors.add(i, visitor);
            }
        }
        out.extend(written.walk(&WALK, &context));
        if let Some(view) = rendered_view {
            out.extend(rendered.walk(&WALK, view));
        }
        for pattern in &settings.patterns {
            rules::check_pattern(pattern, &context, &mut out);
        }
        // A post without facts gets no finding from a later phase.
        let seen_later = facts.is_some();
        let (mut found, pending) = settle::post(&context, out, (&self.late, seen_later), at);
        found
            .iter_mut()
            .filter(|d| !fix_fits(post.dialect, d))
            .for_each(|d| d.fix = None);
        (found, (context.post_ref.clone(), facts, pending))
    }
}

/// Where the site facts of a file's posts go, packed, as its segments are linted.
pub type FactsSink<'a> = &'a (dyn Fn(Packed) + Sync);

/// What the segments of a JSON file gave so far, gathered in file order.
struct FileLint<'f> {
    /// The reader's state where the next segment starts.
    state: ReaderState,
    cursor: LineCursor,
    findings: Findings,
    line_marks: Vec<LineCursor>,
    facts: Vec<PostFacts>,
    /// Takes the facts instead of `facts`, when given.
    facts_to: Option<FactsSink<'f>>,
    pending: Vec<Pending>,
    post_list: Vec<Arc<PostRef>>,
    posts: usize,
    /// Values that were no post (see `SegmentResult`).
    foreign: usize,
    failed: usize,
    blank: bool,
    hasher: Option<ContentHasher>,
}

impl<'f> FileLint<'f> {
    /// Foreign when every value read had nothing of a post in it.
    fn contents(&self) -> Contents {
        if self.posts == 0 && self.failed == 0 && self.foreign > 0 {
            Contents::Foreign
        } else {
            Contents::Posts
        }
    }

    /// Whether segments pack their facts for the spill.
    fn packs(&self) -> bool {
        self.facts_to.is_some()
    }

    fn new(hash_content: bool, facts_to: Option<FactsSink<'f>>) -> Self {
        Self {
            state: ReaderState::default(),
            cursor: LineCursor::default(),
            findings: Findings::new(),
            line_marks: Vec::new(),
            facts: Vec::new(),
            facts_to,
            pending: Vec::new(),
            post_list: Vec::new(),
            posts: 0,
            foreign: 0,
            failed: 0,
            blank: true,
            hasher: hash_content.then(ContentHasher::default),
        }
    }

    /// Takes the result of the next segment: its findings get their lines and columns here,
    /// in file order, as the cursor moves on.
    fn absorb(&mut self, segment: &Segment<'_>, mut result: SegmentResult) {
        self.blank &= is_blank(segment.bytes, segment.base == 0);
        if (self.line_marks.last()).is_none_or(|m| m.offset() != self.cursor.offset()) {
            self.line_marks.push(self.cursor.clone());
        }
        self.posts += result.posts;
        self.foreign += result.foreign;
        self.failed += result.failed;
        self.state = result.next;
        let read = Segment {
            bytes: &segment.bytes[..result.read],
            ..*segment
        };
        (self.findings).extend(resolve(&read, &mut self.cursor, result.diagnostics));
        match self.facts_to {
            Some(facts_to) => facts_to(result.packed),
            None => self.facts.append(&mut result.facts),
        }
        self.pending.append(&mut result.pending);
        self.post_list.append(&mut result.post_list);
        if let Some(hasher) = &mut self.hasher {
            hasher.write(read.bytes);
        }
    }
}

/// Whether a diagnostic's fix can be written into a post of this dialect. Fixes are written
/// as REST JSON: its escapes, and `T` in dates. WP-CLI's JSON takes the same string escapes in
/// its HTML fields, but writes dates with a space; WXR is XML.
fn fix_fits(dialect: Dialect, diagnostic: &Diagnostic) -> bool {
    match dialect {
        Dialect::Rest => true,
        Dialect::WpCli => diagnostic.field.is_some_and(|field| {
            HtmlFieldKind::ALL
                .into_iter()
                .any(|kind| kind.path_in(dialect, Form::Raw) == field)
        }),
        Dialect::Wxr => false,
    }
}

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

/// The findings the file rules make of what reading a file found.
fn file_findings(problem: &FileProblem<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for rule in rules::ALL {
        rule.check_file(problem, &mut found);
    }
    found
}

/// The findings of a post too large to hold, at the position the cursor reached (whatever
/// the settings, as always).
fn too_large(cursor: &LineCursor, limit: usize) -> Vec<Finding> {
    let problem = FileProblem::TooLarge {
        at: cursor.offset(),
        limit,
    };
    (file_findings(&problem).into_iter())
        .map(|d| Finding::at_point(d, cursor.line_col()))
        .collect()
}

/// Whether a segment holds only whitespace (and, at the start of the file, a byte order mark).
fn is_blank(segment: &[u8], at_file_start: bool) -> bool {
    let text = if at_file_start {
        segment.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(segment)
    } else {
        segment
    };
    text.iter().all(u8::is_ascii_whitespace)
}
