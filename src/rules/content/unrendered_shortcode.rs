use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::context::walk::{At, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::Text;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::ascii_first::AsciiFirst;
use crate::rules::helpers::reader_text::{RunSource, looks_unrendered};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// More shortcode names to report whenever they appear; `prefix_*` names a family.
    pub names: Vec<String>,
}

/// Shortcodes of WordPress itself and of widespread plugins and page builders; a trailing `*`
/// names a family.
const KNOWN: [&str; 44] = [
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "video",
    "audio",
    "playlist",
    "contact-form-7",
    "contact-form",
    "contact-field",
    "ninja_form",
    "ninja_forms",
    "ninja_forms_display_form",
    "gravityform",
    "gravityforms",
    "wpforms",
    "formidable",
    "fluentform",
    "mc4wp_form",
    "caldera_form",
    "everest_form",
    "rev_slider",
    "layerslider",
    "smartslider3",
    "metaslider",
    "soliloquy",
    "envira-gallery",
    "foogallery",
    "nggallery",
    "ngg",
    "ngg_images",
    "tablepress",
    "wpdatatable",
    "instagram-feed",
    "custom-facebook-feed",
    "elementor-template",
    "et_pb_*",
    "vc_*",
    "fusion_*",
    "su_*",
    "av_*",
    "cs_*",
    "themify_*",
    "wpb_*",
];

/// `[name attributes]`, `[name/]` or `[/name]`, with a lower-case name as shortcodes are
/// registered: bracketed prose (`[He opens his umbrella]`, `[CTRL]`) is capitalised or spaced.
static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(/)?([a-z][a-z0-9_-]*)((?:\s[^\[\]]*)?)\]").expect("the shortcode pattern")
});

/// An attribute in a shortcode's tag: `id=3`, `ids="1,2"` (quotes texturized or not).
static ATTRIBUTE: AsciiFirst = AsciiFirst::new(r"(?:^|\s)[A-Za-z_][\w-]*\s*=");

/// Whether a tag's text after its name holds an attribute.
fn has_attribute(text: &str) -> bool {
    ATTRIBUTE.is_match(text)
}

declare_rule! {
    /// ## What it does
    /// Reports a shortcode left as text in the rendered HTML (`[ninja_form id=3]`,
    /// `[gallery ids="1,2"]`, `[/su_box]`): WordPress renders only the shortcodes a plugin or
    /// theme registers, so one that reaches readers belongs to a plugin that is gone or off.
    ///
    /// A bracketed word counts as a shortcode when its name is lower-case and it is one of
    /// WordPress's own (`caption`, `gallery`, `embed`, `video`, `audio`, `playlist`), a
    /// well-known plugin's (`contact-form-7`, `ninja_form`, `gravityform`, `wpforms`, page
    /// builders' `et_pb_*`, `vc_*`, `fusion_*`, `su_*` …) or one the `names` option lists, or
    /// when it looks like one: it has attributes (`[tweet text="…"]`), a closing `[/name]`
    /// in the same field, or a name of words joined by underscores (`[pmpro_levels]`, not
    /// `[x86_64-linux]`). A closing tag is reported only when
    /// no opening one is: the pair is one defect.
    ///
    /// Not reported: bracketed prose (`[sic]`, `[1]`, `[…]`, `[Photo: AP]`, `[He exits]`,
    /// `[CTRL]`), text in `pre`, `code`, `kbd`, `samp`, `script`, `style` and `textarea`
    /// (examples, not output), and a field that holds the post's raw content rather than its
    /// rendering (block delimiters such as `<!-- wp:paragraph -->`, or a blank line between
    /// words, which rendering makes paragraphs), where WordPress still renders the shortcodes for readers. Only
    /// `content.rendered` is read: an excerpt repeats the content's defects.
    ///
    /// ## Why it matters
    /// Readers see `[contact-form-7 id="12" title="Contact"]` where a form, a gallery or a
    /// slider should be: the post lost its content and looks broken.
    ///
    /// ## Example
    /// ```html
    /// <p>Write to us:</p>
    /// <div class="elementor-shortcode">[ninja_form id=3]</div>
    /// ```
    /// Reactivate the plugin that renders `[ninja_form]`, or replace the shortcode.
    ///
    /// ## Options
    /// ```toml
    /// [rules.unrendered-shortcode]
    /// names = ["my_theme_button", "acme_*"]
    /// ```
    pub struct UnrenderedShortcode {
        code: "unrendered-shortcode",
        severity: Error,
        summary: "A shortcode left as text in the rendered HTML (`[ninja_form id=3]`)",
        phase: Post,
        reads: ["content.rendered"],
        markup: Rendered,
        options: Options,
    }
}

/// One bracketed tag in the field's text.
struct Tag {
    name: String,
    closing: bool,
    has_attributes: bool,
    /// In the field's HTML.
    span: Range<usize>,
}

impl Rule for UnrenderedShortcode {
    fn visits(&self) -> Visits {
        Visits {
            texts: true,
            ..Visits::NOTHING
        }
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        let field = post.field(HtmlFieldKind::Content)?;
        // memchr's vector search: `str::contains` went a word at a time over every content.
        let bracket = memchr::memchr(b'[', field.source.as_str().as_bytes()).is_some();
        if !bracket || looks_unrendered(&field.index) {
            return None;
        }
        Some(Box::new(Shortcodes {
            post,
            field,
            tags: Vec::new(),
        }))
    }
}

/// The bracketed tags of a post's content, gathered as the walk meets its text, judged at the
/// end.
struct Shortcodes<'v> {
    post: &'v PostContext<'v, 'v>,
    field: &'v HtmlField<'v, 'v>,
    tags: Vec<Tag>,
}

impl<'v> Visitor<'v> for Shortcodes<'v> {
    /// A run of the text a reader sees: not code, a script or a style, where a shortcode is
    /// an example.
    fn text(&mut self, at: &At<'v>, run: &'v Text) {
        let index = at.index();
        let text = index.text(run);
        if at.field.kind != HtmlFieldKind::Content
            || !text.contains('[')
            || at.open.literal.is_some()
        {
            return;
        }
        bracketed_tags(at.field, run, text, &mut self.tags);
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        let (post, field, tags) = (self.post, self.field, self.tags);
        let options = post
            .settings
            .options::<Options>(UnrenderedShortcode::META.code);
        let is_known = |name: &str| {
            KNOWN
                .iter()
                .copied()
                .chain(options.names.iter().map(String::as_str))
                .any(|known| matches_name(known, name))
        };
        // Sets, not scans of `tags`: a field of distinct names must not cost tags × tags.
        let closed: HashSet<&str> = (tags.iter())
            .filter(|t| t.closing)
            .map(|t| t.name.as_str())
            .collect();
        let opened: HashSet<&str> = (tags.iter())
            .filter(|t| !t.closing)
            .filter(|t| {
                let name = t.name.as_str();
                is_known(name) || t.has_attributes || closed.contains(name) || is_snake_case(name)
            })
            .map(|t| t.name.as_str())
            .collect();
        for tag in &tags {
            let name = tag.name.as_str();
            let report = if tag.closing {
                !opened.contains(name) && (is_known(name) || is_snake_case(name))
            } else {
                opened.contains(name)
            };
            if report {
                out.push(diagnostic(field, post, tag));
            }
        }
    }
}

/// `pmpro_levels`, `tx_woo_wishlist_table`: words joined by underscores, as plugins name
/// their shortcodes; not `x86_64-linux`, a platform's name.
fn is_snake_case(name: &str) -> bool {
    name.contains('_')
        && !name.contains('-')
        && name
            .split('_')
            .all(|word| word.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// `et_pb_*` matches `et_pb_section`; any other entry matches its own name.
fn matches_name(known: &str, name: &str) -> bool {
    match known.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
        None => known == name,
    }
}

/// The bracketed tags of a text run, in document order.
fn bracketed_tags(field: &HtmlField<'_, '_>, run: &Text, text: &str, tags: &mut Vec<Tag>) {
    let source = RunSource::new(field.source.as_str(), &field.index, run);
    for found in SHORTCODE.captures_iter(text) {
        let (Some(whole), Some(name)) = (found.get(0), found.get(2)) else {
            continue;
        };
        let attributes = found.get(3).map_or("", |a| a.as_str());
        tags.push(Tag {
            name: name.as_str().to_owned(),
            closing: found.get(1).is_some(),
            has_attributes: has_attribute(attributes),
            span: source.range(whole.range()),
        });
    }
}

fn diagnostic(field: &HtmlField<'_, '_>, post: &PostContext<'_, '_>, tag: &Tag) -> Diagnostic {
    let name = &tag.name;
    let shown = if tag.closing {
        format!("[/{name}]")
    } else {
        format!("[{name}]")
    };
    field
        .diagnostic(
            &UnrenderedShortcode::META,
            post,
            tag.span.clone(),
            format!("shortcode `{shown}` was not rendered: readers see it as text"),
        )
        .with_label("unrendered shortcode")
        .with_help(format!(
            "activate the plugin or theme that provides `[{name}]`, or remove the shortcode"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_match_by_prefix() {
        assert!(matches_name("et_pb_*", "et_pb_section"));
        assert!(!matches_name("et_pb_*", "et_pb_"));
        assert!(matches_name("gallery", "gallery"));
        assert!(!matches_name("gallery", "galleryx"));
    }

    #[test]
    fn snake_case_names_look_like_shortcodes() {
        assert!(is_snake_case("pmpro_levels"));
        assert!(is_snake_case("mc4wp_form"));
        assert!(!is_snake_case("x86_64-linux"));
        assert!(!is_snake_case("x86_64"));
        assert!(!is_snake_case("gallery"));
    }

    #[test]
    fn the_pattern_takes_lower_case_names_only() {
        let names: Vec<&str> = SHORTCODE
            .captures_iter("[gallery ids=\"1\"] [He exits] [CTRL] [sic] [/su_box] [1]")
            .filter_map(|c| c.get(2).map(|m| m.as_str()))
            .collect();
        assert_eq!(names, ["gallery", "sic", "su_box"]);
        assert!(has_attribute(" id=\u{201d}3\u{2033}"));
        assert!(!has_attribute(" boat"));
        // Unicode's word characters and spaces, which the ASCII pattern does not take.
        assert!(has_attribute("\u{a0}d\u{e4}t\u{e4}=1"));
    }

    /// Pieces of a tag's text: names, spaces of both kinds, letters of both kinds, `=`.
    const PIECES: &[&str] = &[
        " ",
        "\u{a0}",
        "\u{3000}",
        "\t",
        "id",
        "_x",
        "-",
        "=",
        "\u{e4}",
        "\u{201d}",
        "1",
        "a",
        "\u{b7}",
        "\u{c9}t\u{e9}",
        "\"",
        "\u{2033}",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn the_ascii_pattern_with_its_fallback_is_the_unicode_pattern(
            picks in proptest::collection::vec(0..PIECES.len(), 0..8),
        ) {
            let text: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            proptest::prop_assert_eq!(
                has_attribute(&text),
                ATTRIBUTE.unicode().is_match(&text),
                "{:?}",
                text
            );
        }
    }
}
