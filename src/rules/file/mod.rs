//! Rules that read the file itself: its syntax, its encoding, whether it holds a post at all.

pub mod invalid_utf8;
pub mod json_syntax;
pub mod not_a_post;
pub mod wxr_syntax;
