//! Questions several rules ask of one element: its classes. (Whether it is hidden from
//! readers is `HtmlIndex::is_hidden`, in `html/visibility.rs`.)

use crate::html::{Element, HtmlIndex};

/// Whether one of an element's classes is as `wanted` says.
pub(crate) fn has_class(
    index: &HtmlIndex,
    element: &Element,
    wanted: impl Fn(&str) -> bool,
) -> bool {
    index
        .attribute(element, "class")
        .is_some_and(|c| index.value(c).split_ascii_whitespace().any(wanted))
}
