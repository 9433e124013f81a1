//! What the two rules about dead links share: the archived copy of the target, offered in the
//! finding's help and as an unsafe fix.

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::input::json::JsonStyle;
use crate::rule::CheckedLink;

/// `dead`, offering the archived copy of the link's target near its post's date, if there is
/// one (with the link's fragment kept).
pub fn offering_archived_copy(dead: Diagnostic, checked: &CheckedLink<'_>) -> Diagnostic {
    let Some(copy) = checked.archived else {
        return dead;
    };
    let link = checked.link;
    let mut copy_url = copy.url.clone();
    if let Some(fragment) = &link.fragment {
        copy_url = format!("{copy_url}#{fragment}");
    }
    let written = link.written(&copy_url);
    let date = copy.date();
    let at = (link.at.range.clone(), link.style);
    with_archived_copy(dead, at, written, (&copy_url, &date))
}

/// Names the archived copy `copy_url` of `date` in the help of a dead link's finding, with an
/// unsafe fix that writes it in place of the target at `at`: `written` is the copy as the
/// HTML must hold it there (escaped for the attribute's quoting; `None` when the target's place
/// cannot take it, and there is no fix), put in the field's JSON `style`.
fn with_archived_copy(
    diagnostic: Diagnostic,
    (at, style): (Range<usize>, JsonStyle),
    written: Option<String>,
    (copy_url, date): (&str, &str),
) -> Diagnostic {
    let words = format!("link the archived copy of {date}: `{copy_url}`");
    let diagnostic = diagnostic.with_help(words.clone());
    match written {
        Some(written) => {
            let edit = Edit::replace(at, style.encode(&written));
            diagnostic.with_fix(Applicability::Unsafe, words, vec![edit])
        }
        None => diagnostic,
    }
}
