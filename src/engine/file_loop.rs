//! The one file loop: any input format's pieces read in file order (windows of them parsed in
//! parallel where the format can cut them ahead), their posts linted in parallel a batch at a
//! time, what reading found sent to the file rules, and the findings resolved as the file passes.

use std::io::Read;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, PostRef, append};
use crate::findings::Findings;
use crate::input::format::{InputFormat, ReadWith, SNIFF_BYTES};
use crate::input::reading::{Entry, FileFormat, Piece, PieceReader, Pieces, ReadProblem};
use crate::outcome::FileReport;
use crate::post::Post;
use crate::rule::FileProblem;
use crate::settle;
use crate::site::PostFacts;
use crate::source::{LineCol, LineCursor, SourceFile};
use crate::spill::Packed;
use crate::suppress::Pending;
use crate::workspace::Contents;

use super::{
    ContentHasher, FactsSink, FileScope, Linter, PostLinted, file_findings, file_path, resolve,
};

/// Posts linted in parallel while as many more are parsed: two batches of parsed posts are in
/// memory at once. 64 lints a 1 GB file as fast as 256 did, in 45 MB less.
const BATCH_POSTS: usize = 64;

/// The next posts of a piece, parsed.
fn next_batch<'s>(reader: &mut impl Iterator<Item = Entry<'s>>) -> Vec<Entry<'s>> {
    reader.by_ref().take(BATCH_POSTS).collect()
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

/// How a window ended: kept whole, or up to the segment where a piece disagreed with the scan
/// (the file is then read a piece at a time), or where a segment split within was read with
/// damage (the windows go on from there, their segments no longer split).
enum WindowEnd {
    Whole,
    Disagreed,
    Damaged,
}

/// What one piece of a file gave.
struct PieceResult<S> {
    /// Where the next piece starts (`None`: the file is read no further).
    next: Option<S>,
    /// Bytes of the piece read whole; the rest is read again with the next piece.
    read: usize,
    /// The reader found no syntax error and no byte that is not UTF-8.
    clean: bool,
    posts: usize,
    diagnostics: Vec<Diagnostic>,
    /// The piece's findings, their lines and columns counted from the piece's start (on the
    /// thread that linted it: `FileLint::absorb` only moves them down the file).
    findings: Findings,
    /// The piece's lines walked from its start to the end of what was read; `None` for the
    /// piece that ends the file, read whole, whose lines are counted only as far as its last
    /// finding (no piece follows to be placed after it).
    lines: Option<LineCursor>,
    /// What the file as a whole lacks, settled, reported at its start.
    missing: Vec<Diagnostic>,
    /// The site facts, as structures or, for the spill, packed a batch at a time.
    facts: Vec<PostFacts>,
    packed: Packed,
    pending: Vec<Pending>,
    post_list: Vec<Arc<PostRef>>,
    /// Values that were no post: with nothing of a post in them, and the others.
    foreign: usize,
    failed: usize,
    /// The reader found another tool's file.
    foreign_file: bool,
}

/// The file loop, given the file once its format is told.
pub(super) struct FileRead<'l, 'f, R> {
    pub linter: &'l Linter,
    pub file: SourceFile,
    pub reader: R,
    pub facts_to: Option<FactsSink<'f>>,
}

impl<R: Read> ReadWith for FileRead<'_, '_, R> {
    type Output = std::io::Result<FileReport>;

    fn read<F: FileFormat>(self, format: &F, recorded: InputFormat) -> Self::Output {
        (self.linter).lint_with_format(format, recorded, self.file, self.reader, self.facts_to)
    }

    fn refused(self, problem: ReadProblem, recorded: InputFormat) -> Self::Output {
        let mut head = Vec::new();
        self.reader.take(SNIFF_BYTES).read_to_end(&mut head)?;
        Ok(self
            .linter
            .refused_report(self.file, &head, &problem, recorded))
    }
}

impl Linter {
    /// Lints a file read through `format` (its report records it as `recorded`): a piece at a
    /// time, so that memory stays bounded whatever the file's size. The site facts go to
    /// `facts_to` as each piece is linted when it is given, else into the report.
    pub fn lint_with_format<F: FileFormat>(
        &self,
        format: &F,
        recorded: InputFormat,
        file: SourceFile,
        reader: impl Read,
        facts_to: Option<FactsSink<'_>>,
    ) -> std::io::Result<FileReport> {
        let path = file_path(&file);
        let scope = FileScope {
            path,
            settings: self.config.effective(path, None),
        };
        let mut pieces = format.pieces(reader);
        let mut acc = FileLint::new(self.options.hash_content, facts_to);
        // Pieces of a window are parsed in parallel once the first piece (where the file says
        // what it is) was read; past the first disagreement with the scan, the file goes on a
        // piece at a time.
        let window = self.window_shape();
        let mut parallel = window.is_some();
        // Segments are split within until one read so is found damaged.
        let mut split = true;
        loop {
            if let (true, Some(shape)) = (parallel && pieces.base() > 0, window) {
                match self.lint_window(format, &scope, &mut pieces, &mut acc, (shape, split)) {
                    Ok(Some(WindowEnd::Whole)) => continue,
                    Ok(Some(WindowEnd::Disagreed)) => {
                        parallel = false;
                        continue;
                    }
                    Ok(Some(WindowEnd::Damaged)) => {
                        split = false;
                        continue;
                    }
                    Ok(None) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                        parallel = false;
                    }
                    Err(error) => return Err(error),
                }
            }
            let piece = match pieces.next_piece() {
                Ok(Some(piece)) => piece,
                Ok(None) => break,
                Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                    acc.too_large(self.options.max_post_bytes, &recorded);
                    break;
                }
                Err(error) => return Err(error),
            };
            if F::MAY_BE_ANYTHING && piece.base == 0 && acc.is_something_else(&scope, &piece) {
                break;
            }
            let result = self.lint_piece(format, &scope, &piece, acc.packs());
            let (read, next) = (result.read, result.next.clone());
            acc.absorb(&piece, result);
            let Some(next) = next else {
                break;
            };
            pieces.consume(read, next);
        }
        acc.catch_up();
        if acc.blank {
            acc.empty(&scope);
        }
        Ok(acc.report(file, recorded))
    }

    /// How many pieces a window of a large file holds: one a thread, at most four (memory: the
    /// next window is read while one is linted, so two are held). A thread that finishes
    /// early takes posts of the others' pieces, or the next window's reading. `None` on one
    /// thread, where a window only costs.
    fn window_shape(&self) -> Option<usize> {
        let threads = rayon::current_num_threads();
        let pieces = threads.clamp(2, 4);
        let window_bytes = self.options.segment_bytes.saturating_mul(pieces);
        (threads > 1 && window_bytes <= self.options.max_post_bytes).then_some(pieces)
    }

    /// Parses and lints the pieces of the next window in parallel, each from the state the
    /// scan predicts at its start, and keeps them in order while each piece before ended in
    /// the state the next was read from, a segment's pieces all or none (`WindowEnd`);
    /// `None`: no window here.
    ///
    /// No thread waits between windows: while the pieces are linted, this thread reads and
    /// cuts the next window, and another takes in the findings and facts of the window before
    /// (the file's lines, packing, the spill); both then join the lint.
    fn lint_window<F: FileFormat>(
        &self,
        format: &F,
        scope: &FileScope<'_>,
        pieces: &mut F::Pieces<impl Read>,
        acc: &mut FileLint<'_, F::State>,
        (shape, split): (usize, bool),
    ) -> std::io::Result<Option<WindowEnd>> {
        let Some(window) = pieces.take_window(shape, split)? else {
            return Ok(None);
        };
        let Some(mut state) = window.pieces.first().map(|(_, state)| state.clone()) else {
            return Ok(None);
        };
        let of_window = window.pieces();
        let pack = acc.packs();
        let mut results = Vec::new();
        let read_ahead = rayon::in_place_scope(|s| {
            // The window before is taken in by another thread while this one reads the next:
            // spawned first, it is what a thread with nothing to do takes first (rayon's
            // thieves take the oldest task), while this thread goes on to the pieces when it
            // has read (its own newest task). Done in turn, the two held back the second
            // piece, and the window ended on one thread.
            s.spawn(|_| acc.catch_up());
            s.spawn(|_| {
                results = (of_window.par_iter())
                    .map(|piece| self.lint_piece(format, scope, piece, pack))
                    .collect();
            });
            pieces.read_ahead(shape)
        });
        read_ahead?;
        let mut kept = (0, state.clone());
        let mut segment = Vec::new();
        let mut end = WindowEnd::Whole;
        let ends_segment = window.ends_segment.iter().copied();
        for ((piece, result), ends_segment) in of_window.iter().zip(results).zip(ends_segment) {
            let whole = result.read == piece.bytes().len();
            let split = !(ends_segment && segment.is_empty());
            match result.next.clone() {
                Some(next) if piece.state == state && whole => {
                    // What a segment's reader reports of damaged text may depend on where
                    // it starts and ends: a split segment is kept only when read clean.
                    if split && !result.clean {
                        end = WindowEnd::Damaged;
                        break;
                    }
                    segment.push((piece, result));
                    state = next;
                }
                _ => {
                    end = WindowEnd::Disagreed;
                    break;
                }
            }
            if ends_segment {
                for (piece, result) in segment.drain(..) {
                    acc.defer(piece, result);
                }
                kept = (
                    piece.base + piece.bytes().len() - window.base,
                    state.clone(),
                );
            }
        }
        drop(of_window);
        let (accepted, state) = kept;
        pieces.end_window(window, accepted, state);
        Ok(Some(end))
    }

    /// Parses and lints the posts of one piece, a batch at a time so that only a batch of
    /// parsed posts is in memory.
    fn lint_piece<F: FileFormat>(
        &self,
        format: &F,
        scope: &FileScope<'_>,
        piece: &Piece<'_, F::State>,
        pack: bool,
    ) -> PieceResult<F::State> {
        let (shift, text, base) = (piece.shift(), piece.text, piece.base);
        let mut reader = format.read(piece);
        let mut result = PieceResult {
            next: None,
            read: 0,
            clean: false,
            posts: 0,
            diagnostics: Vec::new(),
            findings: Findings::new(),
            lines: None,
            missing: Vec::new(),
            facts: Vec::new(),
            packed: Packed::default(),
            pending: Vec::new(),
            post_list: Vec::new(),
            foreign: 0,
            failed: 0,
            foreign_file: false,
        };
        // The values' spans in the piece's own bytes, where `invalid-utf8` looks.
        let mut spans = Vec::new();
        let local = |at: usize| at.saturating_sub(piece.prefix_len);
        let mut batch = next_batch(&mut reader);
        while !batch.is_empty() {
            spans.extend(
                batch
                    .iter()
                    .map(|e| local(e.node.span.start)..local(e.node.span.end)),
            );
            // The next batch is parsed while this one is linted: parsing a file is sequential,
            // and would otherwise leave the other threads waiting.
            let (linted, next) = rayon::join(
                || self.lint_batch(scope, batch, (shift, text)),
                || next_batch(&mut reader),
            );
            batch = next;
            for (found, linted) in linted {
                append(&mut result.diagnostics, found);
                self.take_value(&mut result, linted);
            }
            // Packed as each batch is linted: a worker holds bytes, not a piece's structures.
            if pack {
                result.packed.push(std::mem::take(&mut result.facts));
            }
        }
        let end = reader.end();
        let own = piece.bytes();
        // A prefix of UTF-8 text is UTF-8 when it does not end inside a character.
        let utf8 = end.utf8 && own.get(end.read).is_none_or(|&b| b & 0xC0 != 0x80);
        let mut file_level: Vec<Diagnostic> = (end.problems.iter())
            .flat_map(|problem| file_findings(&file_problem(problem), self.costs()))
            .collect();
        file_level.extend(file_findings(
            &FileProblem::Segment {
                bytes: &own[..end.read],
                base,
                posts: &spans,
                utf8,
            },
            self.costs(),
        ));
        (result.diagnostics).extend(settle::severities(&scope.settings, file_level));
        let missing = (end.missing.iter())
            .flat_map(|problem| file_findings(&file_problem(problem), self.costs()))
            .collect();
        result.missing = settle::severities(&scope.settings, missing);
        result.foreign_file = end.foreign;
        result.clean = utf8 && end.problems.is_empty();
        result.read = end.read;
        result.next = end.next;
        let diagnostics = std::mem::take(&mut result.diagnostics);
        let read = &piece.bytes()[..end.read];
        let mut lines = LineCursor::from_offset(base);
        result.findings = resolve((base, read), &mut lines, diagnostics);
        let ends_file = piece.at_eof && end.read == piece.bytes().len();
        if !ends_file {
            lines.advance(read, base, base + read.len());
            result.lines = Some(lines);
        }
        result
    }

    /// Counts a linted value of a piece, and keeps what the later phases need of a post.
    fn take_value<S>(&self, result: &mut PieceResult<S>, linted: ValueLinted) {
        let (post_ref, post_facts, post_pending) = match linted {
            ValueLinted::Post(post) => *post,
            ValueLinted::NotAPost { foreign: true } => {
                result.foreign += 1;
                return;
            }
            ValueLinted::NotAPost { foreign: false } => {
                result.failed += 1;
                return;
            }
        };
        result.posts += 1;
        result.facts.extend(post_facts);
        result.pending.extend(post_pending);
        if self.options.list_posts {
            result.post_list.push(post_ref);
        }
    }

    /// Lints a batch of entries in parallel: each gives its diagnostics and, when it is a
    /// post, its name and what the site phase keeps of it. `shift` turns offsets in `text`
    /// into file offsets.
    fn lint_batch(
        &self,
        scope: &FileScope<'_>,
        batch: Vec<Entry<'_>>,
        (shift, text): (usize, &[u8]),
    ) -> Vec<Linted> {
        batch
            .into_par_iter()
            .map(|entry| {
                let head = entry.node.head_span();
                match post_of(entry) {
                    Ok(post) => {
                        let (found, linted) = self.lint_post(scope, &post, (shift, text));
                        (found, ValueLinted::Post(Box::new(linted)))
                    }
                    Err(why) => {
                        let head = shift + head.start..shift + head.end;
                        let foreign = why.foreign;
                        let not_a_post = FileProblem::NotAPost { head, why: &why };
                        let found = settle::severities(
                            &scope.settings,
                            file_findings(&not_a_post, self.costs()),
                        );
                        (found, ValueLinted::NotAPost { foreign })
                    }
                }
            })
            .collect()
    }

    /// A file in a format postlint knows but does not read: the finding of what it says at its
    /// start (`head`, its first bytes), nothing read.
    fn refused_report(
        &self,
        file: SourceFile,
        head: &[u8],
        problem: &ReadProblem,
        recorded: InputFormat,
    ) -> FileReport {
        let settings = self.config.effective(file_path(&file), None);
        let found = settle::severities(
            &settings,
            file_findings(&file_problem(problem), self.costs()),
        );
        let mut cursor = LineCursor::default();
        let line_marks = vec![cursor.clone()];
        let findings = resolve((0, head), &mut cursor, found);
        FileReport {
            file,
            format: recorded,
            // A file of posts, in an encoding postlint does not read: reported, never left out.
            contents: Contents::Posts,
            posts: 0,
            findings,
            facts: Vec::new(),
            pending: Vec::new(),
            post_list: Vec::new(),
            line_marks,
            content_hash: None,
        }
    }
}

/// The post an entry is: of the dialect its format knows, or told from its keys.
fn post_of(entry: Entry<'_>) -> Result<Post<'_>, crate::post::NotAPost> {
    let Entry {
        index,
        node,
        recovered,
        dialect,
    } = entry;
    match dialect {
        Some(dialect) => Ok(Post {
            index,
            node,
            recovered,
            dialect,
        }),
        None => Post::classify(index, node, recovered),
    }
}

/// What a reader found, as the file rules read it.
fn file_problem(problem: &ReadProblem) -> FileProblem<'_> {
    match problem {
        ReadProblem::JsonSyntax { error, base } => FileProblem::JsonSyntax { error, base: *base },
        ReadProblem::Wxr(error) => FileProblem::Wxr(error),
    }
}

/// What the pieces of a file gave so far, gathered in file order.
struct FileLint<'f, S> {
    cursor: LineCursor,
    findings: Findings,
    line_marks: Vec<LineCursor>,
    facts: Vec<PostFacts>,
    /// Takes the facts instead of `facts`, when given.
    facts_to: Option<FactsSink<'f>>,
    pending: Vec<Pending>,
    post_list: Vec<Arc<PostRef>>,
    posts: usize,
    /// Values that were no post (see `PieceResult`).
    foreign: usize,
    failed: usize,
    foreign_file: bool,
    blank: bool,
    hasher: Option<ContentHasher>,
    /// Pieces read whole, in file order, not taken in yet: each with the first byte it read.
    deferred: Vec<(Option<u8>, PieceResult<S>)>,
}

impl<'f, S> FileLint<'f, S> {
    fn new(hash_content: bool, facts_to: Option<FactsSink<'f>>) -> Self {
        Self {
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
            foreign_file: false,
            blank: true,
            hasher: hash_content.then(ContentHasher::default),
            deferred: Vec::new(),
        }
    }

    /// Foreign when the reader said so, or every value read had nothing of a post in it.
    fn contents(&self) -> Contents {
        let no_posts = self.posts == 0 && self.failed == 0 && self.foreign > 0;
        if self.foreign_file || no_posts {
            Contents::Foreign
        } else {
            Contents::Posts
        }
    }

    /// Whether pieces pack their facts for the spill.
    fn packs(&self) -> bool {
        self.facts_to.is_some()
    }

    /// Takes the result of the next piece: its findings get their lines and columns here, in
    /// file order, as the cursor moves on.
    fn absorb(&mut self, piece: &Piece<'_, S>, result: PieceResult<S>) {
        self.defer(piece, result);
        self.catch_up();
    }

    /// Takes what needs the bytes of the next piece (read whole), and leaves the rest of its
    /// result to `catch_up`.
    fn defer(&mut self, piece: &Piece<'_, S>, result: PieceResult<S>) {
        self.blank &= is_blank(piece.bytes(), piece.base == 0);
        let read = &piece.bytes()[..result.read];
        if let Some(hasher) = &mut self.hasher {
            hasher.write(read);
        }
        // Most files are one piece: room for one, not the four of a first push.
        if self.deferred.capacity() == 0 {
            self.deferred.reserve_exact(1);
        }
        self.deferred.push((read.first().copied(), result));
    }

    /// Takes in the pieces deferred, in file order.
    fn catch_up(&mut self) {
        for (lead, result) in std::mem::take(&mut self.deferred) {
            self.take_in(lead.as_slice(), result);
        }
    }

    /// Takes in a piece's result; `lead` is the first byte it read, all that placing its lines
    /// in the file's needs of its bytes.
    fn take_in(&mut self, lead: &[u8], mut result: PieceResult<S>) {
        if (self.line_marks.last()).is_none_or(|m| m.offset() != self.cursor.offset()) {
            self.line_marks.push(self.cursor.clone());
        }
        self.posts += result.posts;
        self.foreign += result.foreign;
        self.failed += result.failed;
        self.foreign_file |= result.foreign_file;
        let start = &self.cursor;
        if self.findings.is_empty() && start.places_as_is() {
            self.findings = result.findings;
        } else {
            (self.findings)
                .extend((result.findings.iter()).map(|finding| placed(start, lead, finding)));
        }
        // After the piece that ends the file nothing is placed: its lines were not counted.
        if let Some(lines) = &result.lines {
            self.cursor = start.followed_by(lead, lines);
        }
        // What the file lacks is known at its end and reported at its start.
        let file_start = LineCursor::default().line_col();
        for diagnostic in result.missing {
            self.findings
                .push(Finding::at_point(diagnostic, file_start));
        }
        match self.facts_to {
            Some(facts_to) => facts_to(result.packed),
            None => self.facts.append(&mut result.facts),
        }
        self.pending.append(&mut result.pending);
        self.post_list.append(&mut result.post_list);
    }

    /// Whether the file's first piece is plainly no file of posts (binary, a web page): then
    /// its findings are the file's, and nothing more is read.
    fn is_something_else(&mut self, scope: &FileScope<'_>, piece: &Piece<'_, S>) -> bool {
        let start = FileProblem::Start {
            bytes: piece.bytes(),
        };
        // Once a file, before its posts: counted in the rest of the lint.
        let found = file_findings(&start, None);
        if found.is_empty() {
            return false;
        }
        let found = settle::severities(&scope.settings, found);
        self.findings = resolve((piece.base, piece.bytes()), &mut self.cursor, found);
        self.blank = false;
        true
    }

    /// A post too large to hold: its finding at the position the cursor reached (whatever the
    /// settings, as always), and nothing more is read.
    fn too_large(&mut self, limit: usize, format: &InputFormat) {
        self.catch_up();
        let problem = FileProblem::TooLarge {
            at: self.cursor.offset(),
            limit,
            wxr: matches!(format, InputFormat::Wxr),
        };
        let at = self.cursor.line_col();
        (self.findings)
            .extend((file_findings(&problem, None).into_iter()).map(|d| Finding::at_point(d, at)));
        self.blank = false;
        self.failed += 1;
    }

    /// A file of nothing but whitespace: its finding at the file's start, whatever the
    /// settings' severity (as always).
    fn empty(&mut self, scope: &FileScope<'_>) {
        let at_start = LineCursor::default().line_col();
        let empty: Vec<Finding> = (file_findings(&FileProblem::Empty, None).into_iter())
            .filter(|d| scope.settings.is_enabled(d.rule))
            .map(|d| Finding::at_point(d, at_start))
            .collect();
        if !empty.is_empty() {
            self.findings = Findings::from_iter(empty);
        }
    }

    fn report(self, file: SourceFile, format: InputFormat) -> FileReport {
        FileReport {
            contents: self.contents(),
            format,
            file,
            posts: self.posts,
            findings: self.findings,
            facts: self.facts,
            pending: self.pending,
            post_list: self.post_list,
            line_marks: self.line_marks,
            content_hash: self.hasher.map(|h| h.finish()),
        }
    }
}

/// A finding resolved from the start of `bytes`, put in the file: `start` is the file's cursor
/// where `bytes` begin (of which `place` reads only the first).
fn placed(start: &LineCursor, bytes: &[u8], mut finding: Finding) -> Finding {
    for span in std::iter::once(&mut finding.span).chain(&mut finding.secondary) {
        let at = |line, column| start.place(bytes, LineCol { line, column });
        let (from, to) = (
            at(span.line, span.column),
            at(span.end_line, span.end_column),
        );
        (span.line, span.column, span.end_line, span.end_column) =
            (from.line, from.column, to.line, to.column);
    }
    finding
}

/// Whether a piece holds only whitespace (and, at the start of the file, a byte order mark).
fn is_blank(bytes: &[u8], at_file_start: bool) -> bool {
    let text = if at_file_start {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    text.iter().all(u8::is_ascii_whitespace)
}
