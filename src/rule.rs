//! The rule API: what every rule implements. A rule reads the shared view of a post
//! (`PostContext`) and pushes diagnostics; a site rule also sees the facts of every post of a
//! site at once; a link rule, each link's check; a rule about suppressions, what they silenced.

use std::collections::HashSet;
use std::sync::Arc;

use crate::config::Effective;
use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, PostRef};
use crate::links::outcome::{Archived, Checked};
use crate::meta::RuleMeta;
use crate::site::{PostFacts, RemoteLink, SiteFinding};
use crate::suppress::{Directive, Suppressions};

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
    /// Checks one post. Rules about the file as a whole (its JSON, its encoding) are reported by
    /// the loader and keep this default.
    fn check(&self, _post: &PostContext<'_, '_>, _out: &mut Vec<Diagnostic>) {}

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
}
