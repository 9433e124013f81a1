//! The rules, one file each, named after what they flag. A rule's doc comment is its user
//! documentation (What it does / Why it matters / Example): `postlint explain` prints it.

pub mod invalid_utf8;
pub mod json_syntax;
pub mod not_a_post;
pub mod stray_end_tag;

use crate::engine::Rule;

/// Declares a rule: a unit struct carrying its doc comment, and its metadata as `META`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            reads: [$($reads:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            pub const META: $crate::engine::RuleMeta = $crate::engine::RuleMeta {
                code: $code,
                severity: $crate::diagnostic::Severity::$severity,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
                reads: &[$($reads),*],
            };
        }
    };
}
pub(crate) use declare_rule;

/// Every rule, sorted by code.
pub static ALL: &[&dyn Rule] = &[
    &invalid_utf8::InvalidUtf8,
    &json_syntax::JsonSyntax,
    &not_a_post::NotAPost,
    &stray_end_tag::StrayEndTag,
];

pub fn find(code: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().code == code)
}
