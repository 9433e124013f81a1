//! Rules that read a post's links and images: their addresses, their text, their targets.

pub mod duplicate_link;
pub mod empty_link;
pub mod fragment_missing;
pub mod image_link_unnamed;
pub mod link_broken;
pub mod link_editor_only;
pub mod link_fragment_missing;
pub mod link_insecure;
pub mod link_malformed;
pub mod link_marked_broken;
pub mod link_missing_href;
pub mod link_redirect;
pub mod link_soft_404;
pub mod link_text_vague;
pub mod link_unverifiable;
pub mod mixed_content;
