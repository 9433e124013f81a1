//! What the rules about image addresses share: a `src` that only old browsers load.

use crate::html::{Element, HtmlIndex};

/// Whether an image's `src` is only the fallback of its `srcset`: a browser that reads
/// `srcset` never fetches a `src` beside width descriptors (`300w`) or a `1x` candidate, as the
/// HTML standard builds the source set. Only browsers too old to read `srcset` load it.
pub(crate) fn src_is_fallback(index: &HtmlIndex, element: &Element) -> bool {
    if &*element.name != "img" {
        return false;
    }
    let Some(srcset) = index.attribute(element, "srcset") else {
        return false;
    };
    index
        .value(srcset)
        .split(',')
        .filter(|candidate| !candidate.trim().is_empty())
        .any(|candidate| {
            let mut parts = candidate.split_whitespace().skip(1);
            match parts.next() {
                None => true,
                Some(descriptor) => {
                    let descriptor = descriptor.to_ascii_lowercase();
                    descriptor.ends_with('w') || matches!(descriptor.as_str(), "1x" | "1.0x")
                }
            }
        })
}
