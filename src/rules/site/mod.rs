//! Rules that read all the posts of a site together (`phase: Site`, `Rule::site`: a `SiteRule`
//! of `site::stages`).

pub mod date_clock_skew;
pub mod date_offset_suspicious;
pub mod duplicate_slug;
pub mod duplicate_title;
pub mod guid_host_mismatch;
pub mod link_internal_draft;
pub mod link_internal_missing;
