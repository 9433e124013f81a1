//! The rule engine: the `Rule` trait, the shared view of a post that every rule reads, and the
//! run over a file: posts parsed once, linted in parallel, diagnostics sorted so that the output
//! never depends on the number of threads.

use std::any::Any;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::dates::PostDates;
use crate::diagnostic::{Diagnostic, Finding, PostRef, Severity, fingerprint};
use crate::findings::Findings;
use crate::html::HtmlIndex;
use std::io::Read;
use std::path::Path;

use crate::config::{Config, Effective, PostKey};
use url::Url;

use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr, JsonStyle};
use crate::input::posts::{Entry, PostReader, ReaderState};
use crate::input::segments::{SEGMENT_BYTES, Segment, Segments};
use crate::links::{self, Link};
use crate::post::{HtmlFieldKind, Post};
use crate::rules;
use crate::site::{PostFacts, SiteFinding};
use crate::source::{LineCols, LineCursor, Origin, ResolvedSpan, SourceFile};
use crate::suppress;

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
    /// The rule's options, when it has any.
    pub options: Option<OptionsSpec>,
    /// Off-by-default rules run only when a config or `--select` asks for them.
    pub enabled_by_default: bool,
}

/// How a rule's options are read from its `[rules.CODE]` table.
#[derive(Debug)]
pub struct OptionsSpec {
    /// Parses the table into the rule's options type; the error says what is wrong.
    pub parse: fn(toml::Table) -> Result<Arc<dyn Any + Send + Sync>, String>,
}

/// `OptionsSpec::parse` for an options type.
pub fn parse_options<T>(table: toml::Table) -> Result<Arc<dyn Any + Send + Sync>, String>
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let options: T = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    Ok(Arc::new(options))
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

    /// Whether the rule has a site phase, so the engine keeps what it needs of each post.
    fn uses_site_phase(&self) -> bool {
        false
    }

    /// Checks the posts of one site together, after every post was linted. Returns a line for
    /// the summary, if the rule has something to say about the site as a whole.
    fn check_site(
        &self,
        _host: &str,
        _posts: &[PostFacts],
        _settings: &Effective,
        _out: &mut Vec<SiteFinding>,
    ) -> Option<String> {
        None
    }
}

/// An HTML field of a post, tokenized once.
pub struct HtmlField<'p, 's> {
    pub kind: HtmlFieldKind,
    pub source: &'p JsonStr<'s>,
    pub index: HtmlIndex,
    /// The segment the post was read from, and its file offset.
    segment: &'s [u8],
    base: usize,
    /// How the field's JSON string is written, read from the segment when a fix first asks.
    style: OnceLock<JsonStyle>,
}

impl HtmlField<'_, '_> {
    /// How the field's JSON string is written, so that fixes write alike.
    pub fn style(&self) -> JsonStyle {
        *self.style.get_or_init(|| self.source.style(self.segment))
    }

    /// HTML as it must be written into this field's JSON string.
    pub fn encode(&self, html: &str) -> String {
        self.style().encode(html)
    }

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
        message: impl Into<crate::diagnostic::Text>,
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
    /// The post's four dates, parsed.
    pub dates: PostDates<'p>,
    pub html: Vec<HtmlField<'p, 's>>,
    /// The links of the HTML fields, parsed once, in field and document order.
    pub links: Vec<Link>,
    /// The post's own address, which relative links resolve against.
    pub base_url: Url,
    pub post_ref: Arc<PostRef>,
    /// The rules, severities, options and site facts in force for this post.
    pub settings: Arc<Effective>,
    /// File offset of the segment the post was read from: spans in `post` are relative to it.
    pub base: usize,
    /// The reference time (UTC) for "in the future" and "in the past".
    pub now: chrono::NaiveDateTime,
}

impl<'p, 's> PostContext<'p, 's> {
    /// The HTML field of a kind, when the post has it.
    pub fn field(&self, kind: HtmlFieldKind) -> Option<&HtmlField<'p, 's>> {
        self.html.iter().find(|f| f.kind == kind)
    }

    /// A diagnostic on a link's value.
    pub fn link_diagnostic(
        &self,
        meta: &RuleMeta,
        link: &Link,
        message: impl Into<crate::diagnostic::Text>,
    ) -> Diagnostic {
        self.html[link.field].diagnostic(meta, self, link.span.clone(), message)
    }

    /// A diagnostic on a JSON value of the post (`date_gmt`), by its span in the segment.
    pub fn value_diagnostic(
        &self,
        meta: &RuleMeta,
        local: &Range<usize>,
        field: &'static str,
        message: impl Into<crate::diagnostic::Text>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(meta, self.file_range(local), message);
        diagnostic.post = Some(self.post_ref.clone());
        diagnostic.field = Some(field);
        diagnostic
    }

    /// The file range of a range in the post's segment (a JSON value's `span`).
    pub fn file_range(&self, local: &Range<usize>) -> Range<usize> {
        self.base + local.start..self.base + local.end
    }

    pub fn new(
        post: &'p Post<'s>,
        (base, segment): (usize, &'s [u8]),
        settings: Arc<Effective>,
        now: chrono::NaiveDateTime,
    ) -> Self {
        let html: Vec<_> = HtmlFieldKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let source = post.html_field(kind)?;
                Some(HtmlField {
                    kind,
                    source,
                    index: HtmlIndex::parse(source.as_str()),
                    segment,
                    base,
                    style: OnceLock::new(),
                })
            })
            .collect();
        let base_url = links::base_url(post.link());
        let links = html
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind != HtmlFieldKind::Title)
            .flat_map(|(i, f)| links::find(i, &f.index, &base_url))
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
            site: crate::site::site_root(post, &settings.site.urls).map(String::from),
        });
        Self {
            post,
            dates: PostDates::read(post),
            html,
            links,
            base_url,
            post_ref,
            settings,
            base,
            now,
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
        }
    }
}

/// What linting one file gave.
#[derive(Debug)]
pub struct FileReport {
    pub file: SourceFile,
    pub posts: usize,
    /// Sorted by position in the file, then rule code.
    pub findings: Findings,
    /// What the site phase needs of each post; taken by it.
    pub facts: Vec<PostFacts>,
    /// Every post of the file, when `LintOptions::list_posts` asks for them.
    pub post_list: Vec<Arc<PostRef>>,
    /// Where each segment of the file began, with its line and column: later phases read the
    /// lines of their findings back from the nearest one.
    pub line_marks: Vec<LineCursor>,
    /// FNV-1a of the bytes read, so `--fix` can tell whether the file changed since; `None`
    /// unless `LintOptions::hash_content` asks for it.
    pub content_hash: Option<u64>,
}

/// What linting one entry of a file gave: its diagnostics and, when it is a post, its name and
/// what the site phase keeps of it.
type Linted = (Vec<Diagnostic>, Option<(Arc<PostRef>, Option<PostFacts>)>);

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
    post_list: Vec<Arc<PostRef>>,
}

pub struct Linter {
    config: Arc<Config>,
    options: LintOptions,
    /// Read once, so every post of a run is judged against the same instant.
    now: chrono::NaiveDateTime,
    /// Whether any enabled rule compares posts of a site, so facts must be kept.
    keep_facts: bool,
}

/// The file being linted, as the per-post work needs it.
struct FileScope<'a> {
    path: Option<&'a Path>,
    settings: Arc<Effective>,
}

impl Linter {
    pub fn new(config: Arc<Config>, options: LintOptions) -> Self {
        let now = crate::dates::now_or(options.now);
        let keep_facts = options.links.is_some()
            || config
                .effective(None, None)
                .rules
                .iter()
                .any(|rule| rule.uses_site_phase());
        Self {
            config,
            options,
            now,
            keep_facts,
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

    /// Lints a file read from `reader`, a segment at a time.
    pub fn lint_file(&self, file: SourceFile, reader: impl Read) -> std::io::Result<FileReport> {
        let path = match &file.origin {
            Origin::Path(path) => Some(path.as_path()),
            Origin::Memory(_) => None,
        };
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
                let not_json = settle(&scope.settings, vec![not_json]);
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
            post_list,
            line_marks,
            content_hash: hasher.map(|h| h.finish()),
        })
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
                if let Some((post_ref, post_facts)) = linted {
                    posts += 1;
                    facts.extend(post_facts);
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
        diagnostics.extend(settle(&scope.settings, file_level));
        SegmentResult {
            next,
            read,
            posts,
            diagnostics,
            facts,
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
                        let (found, post_ref, facts) = self.lint_post(scope, &post, (base, bytes));
                        (found, Some((post_ref, facts)))
                    }
                    Err(why) => {
                        let head = base + head.start..base + head.end;
                        let found = vec![rules::not_a_post::diagnostic(head, why)];
                        (settle(&scope.settings, found), None)
                    }
                }
            })
            .collect()
    }

    fn lint_post<'s>(
        &self,
        scope: &FileScope<'_>,
        post: &Post<'s>,
        at: (usize, &'s [u8]),
    ) -> (Vec<Diagnostic>, Arc<PostRef>, Option<PostFacts>) {
        let settings = self.post_settings(scope, post);
        let context = PostContext::new(post, at, settings.clone(), self.now);
        // Only what a site rule can use is kept: it outlives the post, for the whole run.
        let facts = self
            .keep_facts
            .then(|| PostFacts::of(&context, self.options.links.is_some()))
            .flatten();
        let mut out = Vec::new();
        for rule in &settings.rules {
            rule.check(&context, &mut out);
        }
        for pattern in &settings.patterns {
            pattern.check(&context, &mut out);
        }
        let reported = settle(&settings, out);
        let found = settle(&settings, suppress::apply(&context, reported));
        (found, context.post_ref.clone(), facts)
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

/// Drops the diagnostics of rules that are off and applies the severities the config sets.
fn settle(settings: &Effective, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| settings.is_enabled(d.rule))
        .map(|mut d| {
            if let Some(severity) = settings.configured_severity(d.rule) {
                d.severity = severity;
            }
            d
        })
        .collect()
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
