//! The rules, one file each, named after what they flag. A rule's doc comment is its user
//! documentation (What it does / Why it matters / Example): `postlint explain` prints it.

pub mod bare_embed_url;
pub mod block_content_mismatch;
pub mod block_empty;
pub mod block_invalid_attributes;
pub mod block_stray_closer;
pub mod block_unclosed;
pub mod date_clock_skew;
pub mod date_format;
pub mod date_gmt_mismatch;
pub mod date_gmt_missing;
pub mod date_offset_suspicious;
mod date_pairs;
pub mod duplicate_link;
pub mod duplicate_slug;
pub mod duplicate_title;
mod duplicates;
pub mod empty_heading;
pub mod empty_link;
pub mod empty_paragraph;
pub mod empty_section;
pub mod empty_span;
pub mod empty_title;
pub mod fragment_missing;
pub mod future_published;
pub mod guid_host_mismatch;
pub mod heading_level_skip;
pub mod iframe_missing_title;
pub mod image_link_unnamed;
pub mod image_missing_alt;
pub mod image_src_missing;
pub mod invalid_utf8;
pub mod json_syntax;
pub mod link_broken;
pub mod link_editor_only;
pub mod link_fragment_missing;
pub mod link_insecure;
pub mod link_internal_draft;
pub mod link_internal_missing;
pub mod link_malformed;
pub mod link_marked_broken;
pub mod link_missing_href;
pub mod link_redirect;
pub mod link_soft_404;
pub mod link_text_vague;
pub mod link_unverifiable;
pub mod misnested_tags;
pub mod missed_schedule;
pub mod missing_section;
pub mod mixed_content;
pub mod modified_before_date;
pub mod modified_gmt_mismatch;
pub mod nested_link;
pub mod not_a_post;
pub mod pattern;
pub mod permalink_date_mismatch;
pub mod placeholder_text;
mod reader_text;
pub mod section_order;
mod sections;
pub mod site_links;
pub mod stray_end_tag;
pub mod suppression_without_reason;
pub mod text_hidden_as_tag;
pub mod unclosed_element;
pub mod unrendered_shortcode;
pub mod unused_suppression;
pub mod wxr_syntax;

use crate::meta::RuleMeta;
use crate::rule::Rule;

/// Declares a rule: a unit struct carrying its doc comment, its metadata as `META`, and the
/// `Declared` impl that hands the metadata to the engine. The rule file adds only its
/// `impl Rule` (empty for a rule whose findings another phase makes).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            phase: $phase:ident,
            reads: [$($reads:literal),* $(,)?]
            $(, markup: $markup:ident)?
            $(, options: $options:ty)?
            $(, enabled: $enabled:literal)? $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            pub const META: $crate::meta::RuleMeta = $crate::meta::RuleMeta {
                code: $code,
                severity: $crate::diagnostic::Severity::$severity,
                summary: $summary,
                doc: concat!($($doc, "\n"),+),
                reads: &[$($reads),*],
                options: $crate::rules::options_spec!($($options)?),
                enabled_by_default: $crate::rules::enabled!($($enabled)?),
                phase: $crate::meta::Phase::$phase,
                markup: $crate::rules::markup!($($markup)?),
            };
        }

        impl $crate::rule::Declared for $name {
            fn meta(&self) -> &'static $crate::meta::RuleMeta {
                &Self::META
            }
        }
    };
}
pub(crate) use declare_rule;

macro_rules! options_spec {
    () => {
        None
    };
    ($options:ty) => {
        Some($crate::meta::OptionsSpec {
            parse: $crate::meta::parse_options::<$options>,
            check: $crate::meta::check_options::<$options>,
        })
    };
}
pub(crate) use options_spec;

/// A rule reads what the author wrote unless it declares `markup: Rendered`.
macro_rules! markup {
    () => {
        $crate::meta::Markup::Written
    };
    ($markup:ident) => {
        $crate::meta::Markup::$markup
    };
}
pub(crate) use markup;

macro_rules! enabled {
    () => {
        true
    };
    ($enabled:literal) => {
        $enabled
    };
}
pub(crate) use enabled;

/// The registry: each rule listed once, as `module::Type`, sorted by code. It gives `ALL` (the
/// rules, to run them) and `REGISTRY` (their metadata, in the same order, for the config).
macro_rules! registry {
    ($($module:ident::$rule:ident),+ $(,)?) => {
        /// Every rule, sorted by code.
        pub static ALL: &[&dyn Rule] = &[$(&$module::$rule),+];

        /// Every rule's metadata, in the order of `ALL`: `Effective::rules` holds positions in it.
        pub static REGISTRY: &[&RuleMeta] = &[$(&$module::$rule::META),+];
    };
}

registry! {
    bare_embed_url::BareEmbedUrl,
    block_content_mismatch::BlockContentMismatch,
    block_empty::BlockEmpty,
    block_invalid_attributes::BlockInvalidAttributes,
    block_stray_closer::BlockStrayCloser,
    block_unclosed::BlockUnclosed,
    date_clock_skew::DateClockSkew,
    date_format::DateFormat,
    date_gmt_mismatch::DateGmtMismatch,
    date_gmt_missing::DateGmtMissing,
    date_offset_suspicious::DateOffsetSuspicious,
    duplicate_link::DuplicateLink,
    duplicate_slug::DuplicateSlug,
    duplicate_title::DuplicateTitle,
    empty_heading::EmptyHeading,
    empty_link::EmptyLink,
    empty_paragraph::EmptyParagraph,
    empty_section::EmptySection,
    empty_span::EmptySpan,
    empty_title::EmptyTitle,
    fragment_missing::FragmentMissing,
    future_published::FuturePublished,
    guid_host_mismatch::GuidHostMismatch,
    heading_level_skip::HeadingLevelSkip,
    iframe_missing_title::IframeMissingTitle,
    image_link_unnamed::ImageLinkUnnamed,
    image_missing_alt::ImageMissingAlt,
    image_src_missing::ImageSrcMissing,
    invalid_utf8::InvalidUtf8,
    json_syntax::JsonSyntax,
    link_broken::LinkBroken,
    link_editor_only::LinkEditorOnly,
    link_fragment_missing::LinkFragmentMissing,
    link_insecure::LinkInsecure,
    link_internal_draft::LinkInternalDraft,
    link_internal_missing::LinkInternalMissing,
    link_malformed::LinkMalformed,
    link_marked_broken::LinkMarkedBroken,
    link_missing_href::LinkMissingHref,
    link_redirect::LinkRedirect,
    link_soft_404::LinkSoft404,
    link_text_vague::LinkTextVague,
    link_unverifiable::LinkUnverifiable,
    misnested_tags::MisnestedTags,
    missed_schedule::MissedSchedule,
    missing_section::MissingSection,
    mixed_content::MixedContent,
    modified_before_date::ModifiedBeforeDate,
    modified_gmt_mismatch::ModifiedGmtMismatch,
    nested_link::NestedLink,
    not_a_post::NotAPost,
    permalink_date_mismatch::PermalinkDateMismatch,
    placeholder_text::PlaceholderText,
    section_order::SectionOrder,
    stray_end_tag::StrayEndTag,
    suppression_without_reason::SuppressionWithoutReason,
    text_hidden_as_tag::TextHiddenAsTag,
    unclosed_element::UnclosedElement,
    unrendered_shortcode::UnrenderedShortcode,
    unused_suppression::UnusedSuppression,
    wxr_syntax::WxrSyntax,
}

pub fn find(code: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().code == code)
}
