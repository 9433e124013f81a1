//! The target a `link-internal-missing` finding names: the live-site reader asks the site about
//! it before the finding stands (`wordpress/targets.rs`), and reads it back from the finding.

use crate::diagnostic::Diagnostic;

use super::codes::LINK_INTERNAL_MISSING;

/// The target a `link-internal-missing` finding names, as its message quotes it; `None` for another
/// rule's finding, or a target too long to be quoted whole.
pub(crate) fn target_of(diagnostic: &Diagnostic) -> Option<&str> {
    if diagnostic.rule != LINK_INTERNAL_MISSING {
        return None;
    }
    let (_, quoted) = diagnostic.message.rsplit_once(" has the address `")?;
    let target = quoted.strip_suffix('`')?;
    (!target.contains("…[")).then_some(target)
}
