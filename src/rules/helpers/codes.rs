//! The codes of the rules that another rule, or the live-site reader, asks about (whether the
//! rule is in force, its options, its findings): written once here, and each such rule declares
//! its code from here, so that neither side imports the other.

pub(crate) const BLOCK_EMPTY: &str = "block-empty";
pub(crate) const DUPLICATE_SLUG: &str = "duplicate-slug";
pub(crate) const EMPTY_HEADING: &str = "empty-heading";
pub(crate) const EMPTY_PARAGRAPH: &str = "empty-paragraph";
pub(crate) const LINK_INSECURE: &str = "link-insecure";
pub(crate) const LINK_INTERNAL_MISSING: &str = "link-internal-missing";
