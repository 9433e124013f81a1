//! Rules that read what a post says: its title, its text as a reader sees it, its sections.

pub mod bare_embed_url;
pub mod empty_section;
pub mod empty_title;
pub mod missing_section;
pub mod placeholder_text;
pub mod section_order;
pub mod unrendered_shortcode;
