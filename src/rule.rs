//! The rule API: what every rule implements. A rule reads the shared view of a post
//! (`PostContext`) and pushes diagnostics; a site rule also sees the facts of every post of a
//! site at once.

use std::sync::Arc;

use crate::config::Effective;
use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::PostRef;
use crate::meta::RuleMeta;
use crate::site::{PostFacts, SiteFinding};
use crate::suppress::{Directive, Suppressions};

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
}
