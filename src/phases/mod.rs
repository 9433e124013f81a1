//! The phases that need every post of the run, after each was linted on its own: the link
//! check (`--links`) and the site rules. They only find; the settle step decides what is kept.

pub mod links;
pub mod site;
