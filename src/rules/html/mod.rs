//! Rules that read the HTML structure of a post's fields: elements, nesting, what a browser shows.

pub mod empty_heading;
pub mod empty_paragraph;
pub mod empty_span;
pub mod heading_level_skip;
pub mod iframe_missing_title;
pub mod image_missing_alt;
pub mod image_src_missing;
pub mod misnested_tags;
pub mod nested_link;
pub mod stray_end_tag;
pub mod text_hidden_as_tag;
pub mod unclosed_element;
