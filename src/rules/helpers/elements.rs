//! Questions several rules ask of one element: its classes, whether its own attributes hide it.

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

/// Hidden by its own attributes: readers see no gap, so nothing is missing.
pub(crate) fn is_hidden(index: &HtmlIndex, element: &Element) -> bool {
    let value = |name: &str| index.attribute(element, name).map(|a| index.value(a));
    if value("hidden").is_some() || value("aria-hidden").is_some_and(|v| v.trim() == "true") {
        return true;
    }
    value("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}
