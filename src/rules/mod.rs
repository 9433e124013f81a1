//! The rules, one file each, named after what they flag. A rule's doc comment is its user
//! documentation (What it does / Why it matters / Example): `postlint explain` prints it.

pub mod blocks;
pub mod content;
pub mod dates;
pub mod file;
pub(crate) mod helpers;
pub mod html;
pub mod links;
pub mod site;
pub mod suppression;

pub use helpers::pattern::check as check_pattern;

use crate::meta::RuleMeta;
use crate::rule::{EachRule, Rule};

/// Declares a rule: a unit struct carrying its doc comment, its metadata as `META`, and the
/// `Declared` impl that hands the metadata to the engine. The rule file adds only its
/// `impl Rule` (empty for a rule whose findings another phase makes).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident {
            code: $code:expr,
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
                source: file!(),
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
    ($($group:ident::$module:ident::$rule:ident),+ $(,)?) => {
        /// Every rule, sorted by code.
        pub static ALL: &[&dyn Rule] = &[$(&$group::$module::$rule),+];

        /// Every rule's metadata, in the order of `ALL`: `Effective::rules` holds positions in it.
        pub static REGISTRY: &[&RuleMeta] = &[$(&$group::$module::$rule::META),+];

        /// How many rules there are: the length of `ALL`.
        pub const COUNT: usize = [$(stringify!($rule)),+].len();

        /// Hands `each` every rule by its own type, in the order of `ALL`, with its position
        /// there. What runs for every post or file goes this way: a loop over `ALL` calls each
        /// hook through the rule's vtable, an indirect call whose target changes at every step
        /// (a branch predictors miss) and a call even of the hooks most rules leave empty,
        /// which here are no call at all.
        pub fn each(each: &mut impl EachRule) {
            let mut at = 0;
            $(
                each.rule(at, &$group::$module::$rule);
                at += 1;
            )+
            let _ = at;
        }
    };
}

registry! {
    content::bare_embed_url::BareEmbedUrl,
    blocks::block_content_mismatch::BlockContentMismatch,
    blocks::block_empty::BlockEmpty,
    blocks::block_invalid_attributes::BlockInvalidAttributes,
    blocks::block_stray_closer::BlockStrayCloser,
    blocks::block_unclosed::BlockUnclosed,
    site::date_clock_skew::DateClockSkew,
    dates::date_format::DateFormat,
    dates::date_gmt_mismatch::DateGmtMismatch,
    dates::date_gmt_missing::DateGmtMissing,
    site::date_offset_suspicious::DateOffsetSuspicious,
    links::duplicate_link::DuplicateLink,
    site::duplicate_slug::DuplicateSlug,
    site::duplicate_title::DuplicateTitle,
    html::empty_heading::EmptyHeading,
    links::empty_link::EmptyLink,
    html::empty_paragraph::EmptyParagraph,
    content::empty_section::EmptySection,
    html::empty_span::EmptySpan,
    content::empty_title::EmptyTitle,
    links::fragment_missing::FragmentMissing,
    dates::future_published::FuturePublished,
    site::guid_host_mismatch::GuidHostMismatch,
    html::heading_level_skip::HeadingLevelSkip,
    html::iframe_missing_title::IframeMissingTitle,
    links::image_link_unnamed::ImageLinkUnnamed,
    html::image_missing_alt::ImageMissingAlt,
    html::image_src_missing::ImageSrcMissing,
    file::invalid_utf8::InvalidUtf8,
    file::json_syntax::JsonSyntax,
    links::link_broken::LinkBroken,
    links::link_editor_only::LinkEditorOnly,
    links::link_fragment_missing::LinkFragmentMissing,
    links::link_insecure::LinkInsecure,
    site::link_internal_draft::LinkInternalDraft,
    site::link_internal_missing::LinkInternalMissing,
    links::link_malformed::LinkMalformed,
    links::link_marked_broken::LinkMarkedBroken,
    links::link_missing_href::LinkMissingHref,
    links::link_redirect::LinkRedirect,
    links::link_soft_404::LinkSoft404,
    links::link_text_vague::LinkTextVague,
    links::link_unverifiable::LinkUnverifiable,
    html::misnested_tags::MisnestedTags,
    dates::missed_schedule::MissedSchedule,
    content::missing_section::MissingSection,
    links::mixed_content::MixedContent,
    dates::modified_before_date::ModifiedBeforeDate,
    dates::modified_gmt_mismatch::ModifiedGmtMismatch,
    html::nested_link::NestedLink,
    file::not_a_post::NotAPost,
    dates::permalink_date_mismatch::PermalinkDateMismatch,
    content::placeholder_text::PlaceholderText,
    content::section_order::SectionOrder,
    html::stray_end_tag::StrayEndTag,
    suppression::suppression_without_reason::SuppressionWithoutReason,
    html::text_hidden_as_tag::TextHiddenAsTag,
    html::unclosed_element::UnclosedElement,
    content::unrendered_shortcode::UnrenderedShortcode,
    suppression::unused_suppression::UnusedSuppression,
    file::wxr_syntax::WxrSyntax,
}

pub fn find(code: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::context::PostContext;
    use crate::context::walk::{Dispatch, Kind, Visitors, Visits};
    use crate::input::posts::PostReader;
    use crate::meta::Markup;
    use crate::post::Post;
    use crate::rule_costs::Laps;

    /// Markup with hidden text, custom elements, Word's and SVG's, and elements closed by
    /// another's end tag before their own.
    const MIXED: &[&str] = &[
        "<p>Dear <name>,<b><i>x</b></i> and <my-card>c</my-card><o:p></o:p></p>",
        "<ul><li>a<li>b</ul><p>q<div>r</div><svg><foo/><g><path/></g></svg><u><s>t</u></s>",
        "<pre><code><T extends U></code></pre><table><tr><td><b>cell</table><em><strong>x</em>",
        "<h2>t<a href=x>u</h2><your email><span>s</ul></span><a><b>n</a></b><p>unclosed",
    ];

    /// What `each` hands over: each rule's position and code.
    struct Codes(Vec<(usize, &'static str)>);

    impl EachRule for Codes {
        fn rule<R: Rule>(&mut self, at: usize, rule: &R) {
            self.0.push((at, rule.meta().code));
        }
    }

    #[test]
    fn each_hands_over_every_rule_at_its_position_in_all() {
        let mut codes = Codes(Vec::new());
        each(&mut codes);
        let all: Vec<(usize, &str)> = ALL.iter().map(|r| r.meta().code).enumerate().collect();
        assert_eq!(codes.0, all);
        assert_eq!(COUNT, ALL.len());
    }

    /// The findings of the registry's rule `code` on a post whose content is `html`, its visitor
    /// handed the elements `visits` asks for.
    fn findings(code: &str, html: &str, visits: Visits) -> Vec<String> {
        let json = serde_json::json!({"id": 1, "content": {"rendered": html}}).to_string();
        let mut reader = PostReader::new(json.as_bytes(), 64);
        let entry = reader.next().expect("the test's JSON holds a post");
        let post = Post::classify(entry.index, entry.node, entry.recovered).expect("a post");
        let settings = Config::builtin(&[]).effective(None, None);
        let context = PostContext::new(
            &post,
            (0, json.as_bytes()),
            (settings, Markup::Written),
            chrono::NaiveDateTime::default(),
        );
        let rule = (ALL.iter())
            .find(|r| r.meta().code == code)
            .expect("a rule of the registry");
        let mut visitors = Visitors::new(1);
        if let Some(visitor) = rule.start(&context) {
            visitors.add(0, visitor);
        }
        let found = visitors.walk(&Dispatch::new([visits]), &context, &mut Laps::of(None));
        (found.iter())
            .map(|d| format!("{:?} {}", d.range, d.message))
            .collect()
    }

    #[test]
    fn the_rules_asking_for_some_elements_find_what_they_found_in_every_element() {
        let every = Visits::elements(&[Kind::Any]);
        let mut found = 0;
        for code in ["misnested-tags", "text-hidden-as-tag"] {
            let rule = (ALL.iter())
                .find(|r| r.meta().code == code)
                .expect("a rule of the registry");
            assert!(!rule.visits().elements.contains(&Kind::Any), "{code}");
            for html in MIXED {
                let asked = findings(code, html, rule.visits());
                assert_eq!(asked, findings(code, html, every), "{code} in {html}");
                found += asked.len();
            }
        }
        assert!(found >= 6, "the rules find something ({found})");
    }

    /// Tag soup for the two rules handed only some elements: misnesting of formatting and
    /// other elements, unknown names (in any case, with attributes, in code samples), custom
    /// elements, Word's, SVG and MathML (and HTML inside them), templates, tables, `<select>`,
    /// stray end tags, `<p>` closed by blocks, comments, CDATA, text after `</body>`.
    const SOUP: &str = "<b>|</b>|<i>|</I>|<A href=x>|</a>|<p>|</p>|<div>|</div>|<your name>|\
        </your>|<Name>|<my-card>|</my-card>|<o:p>|</o:p>|<svg>|</svg>|<math>|</math>|<g>|<path/>|\
        <foreignObject>|<template>|</template>|<table>|<tr>|<td>|</table>|<pre>|</pre>|<code>|\
        </code>|<List<Height>|<li>|<ul>|</ul>|<select>|<option>|</select>|<h2>|</h2>|<em>|\
        </strong>|<strong>|<u>|<s>|</s>|<nobr>|</nobr>|<font>|</font>|<span>|</span>|\
        <g class=\"gr_\" data-gr-id=\"1\">|</g>|<!-- c -->|<![CDATA[x]]>|</body>|<br>|</br>|\
        <textarea>|</textarea>|<ii</div>|x| ";

    proptest::proptest! {
        /// Asking only for unknown elements (`text-hidden-as-tag`) or elements closed early
        /// (`misnested-tags`), each rule finds what it found when handed every element.
        #[test]
        fn the_rules_asking_for_some_elements_find_what_they_found_in_tag_soup(
            pieces in proptest::collection::vec(
                proptest::sample::select(SOUP.split('|').collect::<Vec<_>>()),
                0..48,
            )
        ) {
            let html = pieces.concat();
            for code in ["misnested-tags", "text-hidden-as-tag"] {
                let rule = (ALL.iter())
                    .find(|r| r.meta().code == code)
                    .expect("a rule of the registry");
                let every = findings(code, &html, Visits::elements(&[Kind::Any]));
                proptest::prop_assert_eq!(
                    findings(code, &html, rule.visits()),
                    every,
                    "{} in {}",
                    code,
                    html
                );
            }
        }
    }
}
