//! Rules that read one post's dates, its status and its permalink.

pub mod date_format;
pub mod date_gmt_mismatch;
pub mod date_gmt_missing;
pub mod future_published;
pub mod missed_schedule;
pub mod modified_before_date;
pub mod modified_gmt_mismatch;
pub mod permalink_date_mismatch;
