//! What two or more rules share; no rule exports helpers to another.

pub(crate) mod archived;
pub(crate) mod date_pairs;
pub(crate) mod duplicates;
pub(crate) mod fragments;
pub mod pattern;
pub(crate) mod reader_text;
pub(crate) mod sections;
pub mod site_links;
