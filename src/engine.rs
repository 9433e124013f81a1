//! The rule engine: the run over one file. Posts are parsed once, linted in parallel a batch
//! at a time, each post's diagnostics settled with its own settings and suppressions, and
//! sorted so that the output never depends on the number of threads.

mod file_loop;

use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, Effective, PostKey};
use crate::context::PostContext;
use crate::context::walk::{Dispatch, Visitors};
use crate::diagnostic::{Diagnostic, Finding, PostRef, append, fingerprint};
use crate::findings::Findings;
use crate::input::format::{InputFormat, SNIFF_BYTES};
use crate::input::json::{DEFAULT_MAX_DEPTH, JsonStr};
use crate::input::reading::ReadOptions;
use crate::input::segments::SEGMENT_BYTES;
use crate::input::wxr;
use crate::meta::{Markup, Phase};
use crate::outcome::FileReport;
use crate::post::{Dialect, Form, HtmlFieldKind, Post};
use crate::rule::{EachRule, FileProblem, Rule};
use crate::rule_costs::{Laps, RuleCosts, Shared, Slot};
use crate::rules;
use crate::settle::{self, LateRules};
use crate::site::PostFacts;
use crate::source::{LineCols, LineCursor, Origin, ResolvedSpan, SourceFile};
use crate::spill::Packed;
use crate::suppress::Pending;

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
    /// Count each rule's own time, and the shared work's, into these counters (the bench's
    /// per-rule table, `rule_costs`); `None`, the default, reads no clock.
    pub rule_costs: Option<Arc<RuleCosts>>,
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
            rule_costs: None,
        }
    }
}

/// What linting a post gave besides its diagnostics: its name, what the site phase keeps of it,
/// and the suppressions the later phases may still use.
type PostLinted = (Arc<PostRef>, Option<PostFacts>, Option<Pending>);

/// From each kind of node to the rules that visit it, read once from the registry.
static WALK: std::sync::LazyLock<Dispatch> =
    std::sync::LazyLock::new(|| Dispatch::new(rules::ALL.iter().map(|rule| rule.visits())));

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

    fn costs(&self) -> Option<&RuleCosts> {
        self.options.rule_costs.as_deref()
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

    /// Lints a file read from `reader`, in the format its first bytes tell, a piece at a time
    /// (`file_loop`). The site facts of its posts are in the report.
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
        // Room for all it may read: grown from nothing, it took six reads and copies.
        let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
        (&mut reader).take(SNIFF_BYTES).read_to_end(&mut head)?;
        let format = InputFormat::sniff(&head);
        let reader = std::io::Cursor::new(head).chain(reader);
        let options = ReadOptions {
            max_depth: self.options.max_depth,
            segment_bytes: self.options.segment_bytes,
            max_post_bytes: self.options.max_post_bytes,
            item_types: &self.options.item_types,
        };
        let read = file_loop::FileRead {
            linter: self,
            file,
            reader,
            facts_to,
        };
        format.read_with(&options, read)
    }

    /// Lints one post: its settled diagnostics, its name, what the site phase keeps of it, and
    /// the suppressions the later phases may still use.
    fn lint_post<'s>(
        &self,
        scope: &FileScope<'_>,
        post: &Post<'s>,
        at: (usize, &'s [u8]),
    ) -> (Vec<Diagnostic>, PostLinted) {
        let mut laps = Laps::of(self.costs());
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
        laps.lap(Slot::Shared(Shared::PostView));
        // Only what a site rule can use is kept: it outlives the post, for the whole run.
        let facts = self
            .keep_facts
            .then(|| {
                let folder = scope.path.map(crate::input::folder_of);
                PostFacts::of(&context, self.options.link_phase, folder)
            })
            .flatten();
        laps.lap(Slot::Shared(Shared::SiteFacts));
        let walk: &Dispatch = &WALK;
        let views = (&context, rendered_view);
        let (mut out, written, rendered) = if laps.counting() {
            post_rules::<true>(&settings.rules, views, walk, &mut laps)
        } else {
            post_rules::<false>(&settings.rules, views, walk, &mut laps)
        };
        laps.lap(Slot::Shared(Shared::PostRules));
        // One walk of each view's HTML for the rules that visit it (the written view, and the
        // rendered one when it is another).
        append(&mut out, written.walk(walk, &context, &mut laps));
        if let Some((view, visitors)) = rendered {
            append(&mut out, visitors.walk(walk, view, &mut laps));
        }
        for pattern in &settings.patterns {
            rules::check_pattern(pattern, &context, &mut out);
        }
        laps.lap(Slot::Shared(Shared::Patterns));
        // A post without facts gets no finding from a later phase.
        let seen_later = facts.is_some();
        let (mut found, pending) = settle::post(&context, out, (&self.late, seen_later), at);
        found
            .iter_mut()
            .filter(|d| !fix_fits(post.dialect, d))
            .for_each(|d| d.fix = None);
        let linted = (context.post_ref.clone(), facts, pending);
        laps.lap(Slot::Shared(Shared::Settle));
        (found, linted)
    }
}

/// What the per-post rules of one post gave: their diagnostics, the visitors of the written
/// view's walk, and the rendered view with the visitors of its walk when it is another.
type PostRun<'v> = (
    Vec<Diagnostic>,
    Visitors<'v>,
    Option<(&'v PostContext<'v, 'v>, Visitors<'v>)>,
);

/// Runs the enabled per-post rules on their views of a post (`views`: the written view, and
/// the rendered one when the post has one), each rule's time counted when `TIMED`.
fn post_rules<'v, const TIMED: bool>(
    enabled: &[usize],
    (written, rendered): (&'v PostContext<'v, 'v>, Option<&'v PostContext<'v, 'v>>),
    walk: &Dispatch,
    laps: &mut Laps<'_>,
) -> PostRun<'v> {
    let mut run = PostRules::<TIMED> {
        enabled: [false; rules::COUNT],
        written: (written, Visitors::new(rules::COUNT)),
        rendered_is_written: rendered.is_some_and(|v| std::ptr::eq(v, written)),
        rendered: rendered.map(|view| (view, Visitors::new(rules::COUNT))),
        walk,
        out: Vec::new(),
        laps,
    };
    for &at in enabled {
        if let Some(on) = run.enabled.get_mut(at) {
            *on = true;
        }
    }
    rules::each(&mut run);
    let rendered = run.rendered.filter(|_| !run.rendered_is_written);
    (run.out, run.written.1, rendered)
}

/// The per-post rules of one post, run by `rules::each`: each enabled rule checks its view of
/// the post and starts its visitor of that view's walk. Each rule's code here is its own (the
/// markup it reads is a constant, its hooks direct calls), so that a rule whose `check` and
/// `start` are the trait's empty ones leaves no code at all, and no call; the laps are
/// another instance (`TIMED`) for the same reason.
struct PostRules<'r, 'v, 'l, 'c, const TIMED: bool> {
    /// Whether each rule of the registry is enabled for the post.
    enabled: [bool; rules::COUNT],
    /// The view of the rules of written markup, and their visitors.
    written: (&'v PostContext<'v, 'v>, Visitors<'v>),
    /// The view of the rules of rendered markup, when the post has one, and their visitors.
    rendered: Option<(&'v PostContext<'v, 'v>, Visitors<'v>)>,
    /// Whether the rendered view is the written one: its rules join the written walk.
    rendered_is_written: bool,
    walk: &'r Dispatch,
    out: Vec<Diagnostic>,
    laps: &'l mut Laps<'c>,
}

impl<const TIMED: bool> EachRule for PostRules<'_, '_, '_, '_, TIMED> {
    fn rule<R: Rule>(&mut self, at: usize, rule: &R) {
        if !self.enabled.get(at).copied().unwrap_or(false) {
            return;
        }
        let (view, visitors) = match (rule.meta().markup, &mut self.rendered) {
            (Markup::Rendered, Some(_)) if self.rendered_is_written => {
                (self.written.0, &mut self.written.1)
            }
            (Markup::Rendered, Some((view, visitors))) => (*view, visitors),
            (Markup::Rendered, None) => return,
            (Markup::Written, _) => (self.written.0, &mut self.written.1),
        };
        if TIMED {
            self.laps.lap(Slot::Shared(Shared::PostRules));
        }
        rule.check(view, &mut self.out);
        if self.walk.walks(at)
            && let Some(visitor) = rule.start(view)
        {
            visitors.add(at, visitor);
        }
        if TIMED {
            self.laps.lap(Slot::Rule(at));
        }
    }
}

/// Where the site facts of a file's posts go, packed, as its segments are linted.
pub type FactsSink<'a> = &'a (dyn Fn(Packed) + Sync);

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

/// Sorts the diagnostics of the bytes read from `base` and resolves their lines and columns in
/// one pass, `cursor` moved as far as the last of them (not to the end of `bytes`: only a piece
/// that another follows needs its lines counted to its end).
fn resolve(
    (base, bytes): (usize, &[u8]),
    cursor: &mut LineCursor,
    mut diagnostics: Vec<Diagnostic>,
) -> Findings {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let (start, end) = (cursor.offset(), base + bytes.len());
    let points: Vec<usize> = diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(&d.range)
                .chain(d.secondary.iter().map(|l| &l.range))
                .flat_map(|r| [r.start, r.end])
        })
        .map(|p| p.clamp(start, end))
        .collect();
    let lines = LineCols::walk(cursor, bytes, base, points);
    // Every offset asked for below is one of `points`, clamped the same way.
    let at = |offset: usize| lines.get(offset.clamp(start, end));
    let span =
        |range: &Range<usize>| ResolvedSpan::new(range.clone(), at(range.start), at(range.end));
    let offending = |range: &Range<usize>| {
        let local = |offset: usize| offset.clamp(base, end) - base;
        &bytes[local(range.start)..local(range.end)]
    };
    // Packed as each is resolved: a post of many findings never holds them twice over, as
    // diagnostics and as findings.
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

/// The findings the file rules make of what reading a file found, each rule's time counted
/// into `costs` when given.
fn file_findings(problem: &FileProblem<'_>, costs: Option<&RuleCosts>) -> Vec<Diagnostic> {
    let mut laps = Laps::of(costs);
    if laps.counting() {
        file_rules::<true>(problem, &mut laps)
    } else {
        file_rules::<false>(problem, &mut laps)
    }
}

/// The file rules' findings of one problem, each rule's time counted when `TIMED`.
fn file_rules<const TIMED: bool>(
    problem: &FileProblem<'_>,
    laps: &mut Laps<'_>,
) -> Vec<Diagnostic> {
    let mut run = FileRules::<TIMED> {
        problem,
        found: Vec::new(),
        laps,
    };
    rules::each(&mut run);
    run.found
}

/// The file rules run on one problem by `rules::each`: a rule that leaves `check_file` empty
/// leaves no code here (`PostRules`).
struct FileRules<'p, 'a, 'l, 'c, const TIMED: bool> {
    problem: &'p FileProblem<'a>,
    found: Vec<Diagnostic>,
    laps: &'l mut Laps<'c>,
}

impl<const TIMED: bool> EachRule for FileRules<'_, '_, '_, '_, TIMED> {
    fn rule<R: Rule>(&mut self, at: usize, rule: &R) {
        rule.check_file(self.problem, &mut self.found);
        if TIMED {
            self.laps.lap(Slot::Rule(at));
        }
    }
}
