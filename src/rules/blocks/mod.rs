//! Rules that read the Gutenberg blocks of an HTML field (its block comments).

pub mod block_content_mismatch;
pub mod block_empty;
pub mod block_invalid_attributes;
pub mod block_stray_closer;
pub mod block_unclosed;
