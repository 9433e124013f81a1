//! The rule API: what every rule implements. A rule reads the shared view of a post
//! (`PostContext`) and pushes diagnostics; a site rule also groups the facts of the posts of
//! each site (`site::stages`).

use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::meta::RuleMeta;
use crate::site::stages::{SiteRule, SiteRun};

/// What `declare_rule!` generates for a rule type: its metadata.
pub trait Declared {
    fn meta(&self) -> &'static RuleMeta;
}

/// What a rule checks; its metadata comes from `declare_rule!`.
pub trait Rule: Declared + Send + Sync {
    /// Checks one post. Rules about the file as a whole (its JSON, its encoding) are reported by
    /// the loader and keep this default.
    fn check(&self, _post: &PostContext<'_, '_>, _out: &mut Vec<Diagnostic>) {}

    /// A site rule's work over the run: what it groups the posts of each site by and what it
    /// does with each group (`site::stages`); `None` for a rule of another phase, or one that
    /// has nothing to do under these settings.
    fn site(&self, _run: &SiteRun) -> Option<Box<dyn SiteRule>> {
        None
    }
}
