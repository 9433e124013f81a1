//! Rules that read a post's suppression comments.

pub mod suppression_without_reason;
pub mod unused_suppression;
