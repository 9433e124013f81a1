use std::cell::OnceCell;
use std::ops::Range;
use std::sync::LazyLock;

use fnv::FnvHashSet;
use serde::Deserialize;

use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::{
    Element, ElementId, HtmlIndex, Text, is_blank, is_blank_character, reference_map, source_offset,
};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::elements::has_class;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// More phrases that say nothing as the whole text of a link (any case).
    pub extra_phrases: Vec<String>,
    /// Phrases of the built-in lists not to report.
    pub allowed_phrases: Vec<String>,
}

/// Link texts that say nothing about the target, by language.
const VAGUE: &[&[&str]] = &[
    // English
    &[
        "here",
        "click here",
        "click",
        "this",
        "this link",
        "link",
        "read more",
        "more",
        "continue reading",
        "learn more",
        "more info",
        "this page",
        "this article",
        "go here",
        "see here",
        "click this link",
    ],
    // Spanish
    &[
        "aquí",
        "aqui",
        "acá",
        "haz clic aquí",
        "haz click aquí",
        "haga clic aquí",
        "clic aquí",
        "click aquí",
        "pincha aquí",
        "pulsa aquí",
        "este enlace",
        "enlace",
        "leer más",
        "ver más",
        "más",
    ],
    // French
    &[
        "ici",
        "cliquez ici",
        "clique ici",
        "cliquer ici",
        "ce lien",
        "lien",
        "lire la suite",
        "en savoir plus",
    ],
    // German and Dutch
    &[
        "hier",
        "hier klicken",
        "klicken sie hier",
        "klick hier",
        "klik hier",
        "dieser link",
        "deze link",
        "weiterlesen",
        "mehr",
        "lees meer",
    ],
    // Italian and Portuguese
    &[
        "qui",
        "qua",
        "clicca qui",
        "questo link",
        "leggi tutto",
        "clique aqui",
        "clica aqui",
        "este link",
        "leia mais",
        "saiba mais",
    ],
    // Japanese, Korean and Chinese
    &[
        "こちら",
        "ここ",
        "こちらをクリック",
        "ここをクリック",
        "詳しくはこちら",
        "続きを読む",
        "여기",
        "여기를 클릭",
        "여기를 클릭하세요",
        "이곳",
        "더보기",
        "这里",
        "這裡",
        "点击这里",
        "點擊這裡",
        "点此",
        "點此",
    ],
];

declare_rule! {
    /// ## What it does
    /// Reports a link whose whole text says nothing about where it goes: "here", "click
    /// here", "this", "link", "read more", "more", and their like in other languages
    /// ("aquí", "haz clic aquí", "ici", "cliquez ici", "hier", "qui", "aqui", "こちら",
    /// "여기", "这里"). Case, surrounding punctuation and spaces do not matter (`Here.`,
    /// `[click here]`). The lists are in the source; `extra-phrases` adds to them and
    /// `allowed-phrases` takes phrases out.
    ///
    /// Not reported: a link with an `aria-label` or `aria-labelledby`, which screen readers
    /// say instead of the text; a link holding an image, whose text is not all it shows; a
    /// button or "read more" link that a plugin, a page builder or a query loop writes for
    /// each item of a list (a class with `btn`, `button`, `readmore`, `read-more` or
    /// `more-link`, or inside a query loop, a GenerateBlocks looper or a post's `hentry`), whose wording the author does not pick;
    /// an Elementor popup trigger (`href="#elementor-action…"`), which opens no page.
    ///
    /// ## Why it matters
    /// Screen-reader users often jump from link to link, or list a page's links: ten links
    /// called "here" tell them nothing. Search engines read a link's text as what the target
    /// is about, and every reader scanning the page looks for words that say where a link
    /// goes.
    ///
    /// ## Example
    /// ```html
    /// <p>The full report is <a href="https://example.com/report/">here</a>.</p>
    /// ```
    /// Link the words that name the target: `<a href="…">The full report</a> is online.`
    pub struct LinkTextVague {
        code: "link-text-vague",
        severity: Info,
        summary: "A link whose whole text is \"here\", \"click here\", \"read more\", \"aquí\", \"ici\", \"hier\", \"こちら\" …",
        phase: Post,
        reads: ["content.rendered"],
        options: Options,
    }
}

impl Rule for LinkTextVague {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Link])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        post.field(HtmlFieldKind::Content)?;
        let options = post.settings.options::<Options>(Self::META.code);
        Some(Box::new(VagueLinks {
            longest: longest_phrase(&options),
            options,
            lists: OnceCell::new(),
            out: Vec::new(),
        }))
    }
}

/// The links of a post's content, judged as the walk meets them.
struct VagueLinks {
    options: std::sync::Arc<Options>,
    longest: usize,
    /// The query loop around each element of the content, found the first time a vague link
    /// asks.
    lists: OnceCell<Nearest>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for VagueLinks {
    fn element(&mut self, at: &At<'v>, _id: ElementId, link: &'v Element) {
        let (post, field, index) = (at.post, at.field, at.index());
        if field.kind != HtmlFieldKind::Content || !is_labelled_by_text(index, link) {
            return;
        }
        let written = index.text_within(link);
        if has_more_characters(written, self.longest) {
            return;
        }
        let text = normalized(written);
        if !is_vague(&text, &self.options) || is_generated(index, link, &self.lists) {
            return;
        }
        let Some(span) = text_span(index, field.source.as_str(), link) else {
            return;
        };
        self.out.push(
            field
                .diagnostic(
                    &LinkTextVague::META,
                    post,
                    span,
                    format!("the link's whole text is \"{text}\": it does not say where it goes"),
                )
                .with_label("vague link text")
                .with_help("link the words that name the target instead"),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

/// An `<a href>` that readers and screen readers know by its text alone.
fn is_labelled_by_text(index: &HtmlIndex, element: &Element) -> bool {
    &*element.name == "a"
        && element.has.text
        && !element.has.media
        && index.attribute(element, "href").is_some()
        && ["aria-label", "aria-labelledby"]
            .iter()
            .filter_map(|name| index.attribute(element, name))
            .all(|a| is_blank(index.value(a)))
}

/// A button or "read more" link that a plugin, a builder or a query loop writes. `lists` holds
/// the list of posts around each element, once asked for.
fn is_generated(index: &HtmlIndex, link: &Element, lists: &OnceCell<Nearest>) -> bool {
    let button = |class: &str| {
        let class = class.to_ascii_lowercase();
        ["btn", "button", "readmore", "read-more", "more-link"]
            .iter()
            .any(|word| class.contains(word))
    };
    let popup = index
        .attribute(link, "href")
        .is_some_and(|h| index.value(h).starts_with("#elementor-action"));
    popup || has_class(index, link, button) || in_query_loop(index, link, lists)
}

/// The nearest element of a kind around each element (`HtmlIndex::nearest_each`).
type Nearest = Vec<Option<ElementId>>;

/// The classes of a list of posts: a query loop, GenerateBlocks' looper, and the `hentry`
/// WordPress gives each post of a list.
fn is_post_list_item(class: &str) -> bool {
    class.starts_with("wp-block-query")
        || class.starts_with("gb-loop")
        || class.starts_with("gb-query")
        || matches!(class, "wp-block-post" | "hentry")
}

/// Inside a list of posts: found for every element in one pass, the first time a link asks,
/// so that a hundred thousand nested links cost as much as a hundred thousand side by side.
fn in_query_loop(index: &HtmlIndex, link: &Element, lists: &OnceCell<Nearest>) -> bool {
    let lists = lists
        .get_or_init(|| index.nearest_each(|element| has_class(index, element, is_post_list_item)));
    link.parent
        .and_then(|parent| lists.get(parent).copied().flatten())
        .is_some()
}

fn is_vague(text: &str, options: &Options) -> bool {
    let same = |phrase: &String| normalized(phrase) == text;
    if options.extra_phrases.iter().any(same) {
        return true;
    }
    VAGUE_SET.contains(text) && !options.allowed_phrases.iter().any(same)
}

/// Every phrase of every language, for one lookup per link.
/// FNV, not SipHash: the keys are the lists' own, and each link's text is looked up once.
static VAGUE_SET: LazyLock<FnvHashSet<&'static str>> =
    LazyLock::new(|| VAGUE.iter().flat_map(|list| list.iter().copied()).collect());

/// The most characters a vague phrase has.
static LONGEST_VAGUE: LazyLock<usize> = LazyLock::new(|| {
    VAGUE_SET
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
});

/// The most characters a phrase, listed or configured, has once [`normalized`].
fn longest_phrase(options: &Options) -> usize {
    options
        .extra_phrases
        .iter()
        .map(|p| normalized(p).chars().count())
        .fold(*LONGEST_VAGUE, usize::max)
}

/// Whether a link's text has more of the characters [`normalized`] keeps than `longest`:
/// it keeps every character that is neither blank nor punctuation, and lower-casing never
/// makes fewer. Most link texts are told apart so, without being copied.
fn has_more_characters(text: &str, longest: usize) -> bool {
    text.chars()
        .filter(|&c| !is_blank_char(c) && !is_punctuation(c))
        .nth(longest)
        .is_some()
}

/// Lower case, surrounding punctuation and spaces removed, inner spaces collapsed.
fn normalized(text: &str) -> String {
    let trimmed = text.trim_matches(|c: char| is_blank_char(c) || is_punctuation(c));
    let mut words = String::with_capacity(trimmed.len());
    for word in trimmed.split(is_blank_char).filter(|w| !w.is_empty()) {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
    }
    // `str::to_lowercase` reads context (a final Greek sigma); ASCII needs none.
    if words.is_ascii() {
        words.make_ascii_lowercase();
        words
    } else {
        words.to_lowercase()
    }
}

fn is_blank_char(c: char) -> bool {
    is_blank_character(c)
}

/// A `match`, not a search of a string of them: it is asked of every character of every link.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '«' | '»'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '„'
                | '→'
                | '←'
                | '›'
                | '‹'
                | '…'
                | '–'
                | '—'
                | '。'
                | '、'
                | '！'
                | '？'
                | '：'
                | '「'
                | '」'
                | '【'
                | '】'
        )
}

/// From the first visible character of the link's text to the last, in the field's HTML.
fn text_span(index: &HtmlIndex, html: &str, link: &Element) -> Option<Range<usize>> {
    let runs = index.texts_in(link.content.clone());
    let visible = |run: &&Text| !is_blank(index.text(run));
    let first = runs.iter().find(visible)?;
    let last = runs.iter().rev().find(visible)?;
    let start = source_at(index, html, first, |decoded| {
        decoded.len() - decoded.trim_start_matches(is_blank_char).len()
    });
    let end = source_at(index, html, last, |decoded| {
        decoded.trim_end_matches(is_blank_char).len()
    });
    (start < end).then_some(start..end)
}

/// The field offset of a position in a text run's decoded text, through its references.
fn source_at(index: &HtmlIndex, html: &str, run: &Text, at: impl Fn(&str) -> usize) -> usize {
    let decoded = index.text(run);
    let source = html.get(run.span.clone()).unwrap_or_default();
    let offset = at(decoded);
    match reference_map(source, decoded) {
        Some(map) => run.span.start + source_offset(&map, offset),
        // Not lined up exactly (a reference without `;`): the whole run.
        None if offset == 0 => run.span.start,
        None => run.span.end,
    }
}
