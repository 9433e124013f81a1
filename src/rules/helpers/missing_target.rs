//! The message of a `link-internal-missing` finding, written and read back in one place: the
//! live-site reader asks the site about the target it names before the finding stands
//! (`wordpress/targets.rs`).

use crate::diagnostic::Diagnostic;

use super::codes::LINK_INTERNAL_MISSING;

/// The message of a finding on a link to `target`, no post of `site_name`: the target is quoted
/// last, where [`target_of`] reads it back.
pub(crate) fn missing_message(site_name: &str, target: &str) -> String {
    format!("no post or page of {site_name} has the address `{target}`")
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn finding(rule: &'static str, message: String) -> Diagnostic {
        Diagnostic::for_rule(rule, Severity::Warning, 0..1, message)
    }

    #[test]
    fn the_target_is_read_back_from_the_message() {
        let target = "https://news.example.com/2024/07/gone/";
        let message = missing_message("news.example.com", target);
        let missing = finding(LINK_INTERNAL_MISSING, message.clone());
        assert_eq!(target_of(&missing), Some(target));
        assert_eq!(target_of(&finding("link-broken", message)), None);
    }
}
