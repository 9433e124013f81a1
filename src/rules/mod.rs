//! The rules, one file each, named after what they flag. A rule's doc comment is its user
//! documentation (What it does / Why it matters / Example): `postlint explain` prints it.

pub mod invalid_utf8;
pub mod json_syntax;
pub mod not_a_post;
pub mod pattern;
pub mod stray_end_tag;
pub mod suppression_without_reason;
pub mod unused_suppression;

use crate::engine::Rule;

/// Declares a rule: a unit struct carrying its doc comment, and its metadata as `META`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            reads: [$($reads:literal),* $(,)?]
            $(, options: $options:ty)? $(,)?
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
                options: $crate::rules::options_spec!($($options)?),
            };
        }
    };
}
pub(crate) use declare_rule;

macro_rules! options_spec {
    () => {
        None
    };
    ($options:ty) => {
        Some($crate::engine::OptionsSpec {
            parse: $crate::engine::parse_options::<$options>,
        })
    };
}
pub(crate) use options_spec;

/// Every rule, sorted by code.
pub static ALL: &[&dyn Rule] = &[
    &invalid_utf8::InvalidUtf8,
    &json_syntax::JsonSyntax,
    &not_a_post::NotAPost,
    &stray_end_tag::StrayEndTag,
    &suppression_without_reason::SuppressionWithoutReason,
    &unused_suppression::UnusedSuppression,
];

pub fn find(code: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().code == code)
}
