//! The rules, one file each, named after what they flag. A rule's doc comment is its user
//! documentation (What it does / Why it matters / Example): `postlint explain` prints it.

pub mod duplicate_link;
pub mod empty_paragraph;
pub mod empty_section;
pub mod empty_span;
pub mod empty_title;
pub mod fragment_missing;
pub mod image_missing_alt;
pub mod invalid_utf8;
pub mod json_syntax;
pub mod link_editor_only;
pub mod link_insecure;
pub mod link_malformed;
pub mod link_missing_href;
pub mod misnested_tags;
pub mod missing_section;
pub mod not_a_post;
pub mod pattern;
pub mod section_order;
mod sections;
pub mod stray_end_tag;
pub mod suppression_without_reason;
pub mod unclosed_element;
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
    &duplicate_link::DuplicateLink,
    &empty_paragraph::EmptyParagraph,
    &empty_section::EmptySection,
    &empty_span::EmptySpan,
    &empty_title::EmptyTitle,
    &fragment_missing::FragmentMissing,
    &image_missing_alt::ImageMissingAlt,
    &invalid_utf8::InvalidUtf8,
    &json_syntax::JsonSyntax,
    &link_editor_only::LinkEditorOnly,
    &link_insecure::LinkInsecure,
    &link_malformed::LinkMalformed,
    &link_missing_href::LinkMissingHref,
    &misnested_tags::MisnestedTags,
    &missing_section::MissingSection,
    &not_a_post::NotAPost,
    &section_order::SectionOrder,
    &stray_end_tag::StrayEndTag,
    &suppression_without_reason::SuppressionWithoutReason,
    &unclosed_element::UnclosedElement,
    &unused_suppression::UnusedSuppression,
];

pub fn find(code: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().code == code)
}
