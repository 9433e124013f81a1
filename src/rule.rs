//! The rule API: what every rule implements. A rule reads the shared view of a post
//! (`PostContext`) and pushes diagnostics; a site rule also sees the facts of every post of a
//! site at once.

use crate::config::Effective;
use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::meta::RuleMeta;
use crate::site::{PostFacts, SiteFinding};

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
}
