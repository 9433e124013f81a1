//! The rule API: what every rule implements. A rule reads the shared view of a post
//! (`PostContext`) and pushes diagnostics; a site rule also groups the facts of the posts of
//! each site (`site::stages`); a link rule judges each link's check; a rule about
//! suppressions, what they silenced.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use crate::context::PostContext;
use crate::context::walk::{Visitor, Visits};
use crate::diagnostic::{Diagnostic, PostRef};
use crate::input::json::SyntaxError;
use crate::links::outcome::{Archived, Checked};
use crate::meta::RuleMeta;
use crate::post::NotAPost;
use crate::site::RemoteLink;
use crate::site::stages::{SiteRule, SiteRun};
use crate::suppress::{Directive, Suppressions};

/// What reading a file found about the file itself, as data for the file rules. Offsets are
/// the file's.
#[derive(Debug, Clone)]
pub enum FileProblem<'a> {
    /// The start of a file read as JSON, before anything of it is parsed: it may be plainly
    /// something else (binary, a web page); a finding here stops the reading.
    Start { bytes: &'a [u8] },
    /// The file holds nothing but whitespace (and a byte order mark).
    Empty,
    /// A post larger than `limit` starts at `at`: the rest of the file is not read. `wxr`: the
    /// file is a WordPress export (its post is an `<item>`), else JSON.
    TooLarge { at: usize, limit: usize, wxr: bool },
    /// The bytes of a segment, read from `base`, with the spans of its posts (in `bytes`);
    /// `utf8`: they are known to be all UTF-8 (the reader checked), else not known.
    Segment {
        bytes: &'a [u8],
        base: usize,
        posts: &'a [Range<usize>],
        utf8: bool,
    },
    /// A JSON syntax error in a segment read from `base` (its span is the segment's).
    JsonSyntax { error: &'a SyntaxError, base: usize },
    /// A JSON value that is no post: the span of its head, and why.
    NotAPost {
        head: Range<usize>,
        why: &'a NotAPost,
    },
    /// A problem of a WordPress export (WXR), at its bytes in the file.
    Wxr(&'a SyntaxError),
}

/// One link of a post and what the link phase found of its target, as the link rules read it.
#[derive(Debug, Clone, Copy)]
pub struct CheckedLink<'a> {
    pub link: &'a RemoteLink,
    pub result: &'a Checked,
    /// The archived copy of the target near the post's date, when the archive has one.
    pub archived: Option<&'a Archived>,
    /// When the link's fragment names an element and the link points into a post of the run:
    /// that post's ids and anchor names, where the fragment is looked for (not over the network).
    pub run_page: Option<&'a HashSet<&'a str>>,
}

/// What `declare_rule!` generates for a rule type: its metadata.
pub trait Declared {
    fn meta(&self) -> &'static RuleMeta;
}

/// What a rule checks; its metadata comes from `declare_rule!`.
pub trait Rule: Declared + Send + Sync {
    /// Checks one post. Rules about the file as a whole (its JSON, its encoding) read what the
    /// loader found in `check_file` and keep this default.
    fn check(&self, _post: &PostContext<'_, '_>, _out: &mut Vec<Diagnostic>) {}

    /// What a per-post rule asks of the one walk of the post's HTML fields
    /// (`context::walk`): element kinds, text runs, comments. Read once, at start-up, into the
    /// walk's table from kind to rules; a rule that asks for something gets `start` called
    /// for each post.
    fn visits(&self) -> Visits {
        Visits::NOTHING
    }

    /// The rule's state over one post's walk: it is handed what `visits` asked for, in
    /// document order, and then finished. `None` when the post gives it nothing to do.
    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        None
    }

    /// A site rule's work over the run: what it groups the posts of each site by and what it
    /// does with each group (`site::stages`); `None` for a rule of another phase, or one that
    /// has nothing to do under these settings.
    fn site(&self, _run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        None
    }

    /// Reads a post's suppression comments once its own findings are settled: what each
    /// directive silenced, and the comments that are wrong. What it reports is never silenced.
    fn check_suppressions(
        &self,
        _post: &PostContext<'_, '_>,
        _suppressions: &Suppressions<'_>,
        _out: &mut Vec<Diagnostic>,
    ) {
    }

    /// Reads a directive that waited for the later phases (`Use::Waiting`) once their
    /// findings are settled too: `directive.used` counts all it silenced.
    fn check_waited_suppression(
        &self,
        _post: &Arc<PostRef>,
        _directive: &Directive,
        _out: &mut Vec<Diagnostic>,
    ) {
    }

    /// Judges one link of a post from what the link phase found of its target (`--links`).
    fn check_link(&self, _link: &CheckedLink<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Judges what reading a file found about the file itself (`phase: File`).
    fn check_file(&self, _problem: &FileProblem<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// What is done with each rule of the registry by its own type, handed over by `rules::each`
/// with its position in `rules::ALL`: its hooks are then direct calls.
pub trait EachRule {
    fn rule<R: Rule>(&mut self, at: usize, rule: &R);
}
