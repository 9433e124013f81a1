//! What two or more rules share; no rule exports helpers to another.

pub(crate) mod archived;
pub(crate) mod ascii_first;
pub(crate) mod codes;
pub(crate) mod date_pairs;
pub(crate) mod duplicates;
pub(crate) mod elements;
pub(crate) mod empty;
pub(crate) mod fragments;
pub(crate) mod headings;
pub(crate) mod hidden_text;
pub(crate) mod image_links;
pub(crate) mod images;
pub(crate) mod insecure;
pub(crate) mod missing_target;
pub mod pattern;
pub(crate) mod reader_text;
pub(crate) mod sections;
pub mod site_links;
pub(crate) mod site_offsets;
