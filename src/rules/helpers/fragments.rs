//! What the two rules about `#fragment` links share: the places a theme or WordPress
//! provides around a post, which its content does not hold.

/// Ids that themes put around every post, outside its content: a link to them works.
const THEME_IDS: [&str; 16] = [
    "top",
    "wrapper",
    "page",
    "content",
    "main",
    "primary",
    "main-content",
    "site-content",
    "masthead",
    "header",
    "footer",
    "colophon",
    "comments",
    "respond",
    "site-navigation",
    "secondary",
];

/// Whether a theme or WordPress provides the place `fragment` names outside the post's
/// content: a theme's id (`#comments`), or the `#more-123` of the single post page.
pub fn provided_by_theme(fragment: &str) -> bool {
    THEME_IDS.contains(&fragment.to_ascii_lowercase().as_str())
        || fragment
            .strip_prefix("more-")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}
