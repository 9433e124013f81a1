use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, packed};
use regex::Regex;
use regex_automata::meta;
use serde::Deserialize;

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::reader_text::{RunSource, in_literal};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Options {
    /// More phrases that mark placeholder text, matched regardless of case.
    pub phrases: Vec<String>,
    /// The phrases compiled, once per configuration.
    #[serde(skip)]
    compiled: OnceLock<Option<Regex>>,
}

impl Options {
    fn extra(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| phrases_pattern(&self.phrases))
            .as_ref()
    }
}

/// The default list, one alternative per line. Latin text is matched between word
/// boundaries; Japanese, Chinese, Korean and Russian are not (no ASCII boundary to match).
/// The boundaries are ASCII ones (`(?-u:\b)`): a Unicode `\b` keeps the regex crate off its
/// fast DFA on every non-ASCII text, which made this one rule cost five times the rest of a
/// run. Each phrase is one a template or a word processor writes, not one a writer would:
/// "texto de ejemplo" alone, not "aquí" or "ejemplo". In three groups by script, each
/// compiled on its own ([`GROUPS`]).
const LATIN: &[&str] = &[
    // Latin filler and English.
    r"(?-u:\b)lorem ipsum(?:\s+dolor\s+sit\s+amet)?(?-u:\b)",
    r"(?-u:\b)dolor sit amet(?-u:\b)",
    r"(?-u:\b)(?:dummy|sample|placeholder) text(?-u:\b)",
    r"(?-u:\b)(?:your|insert|add|enter) (?:your )?text here(?-u:\b)",
    r"(?-u:\b)text goes here(?-u:\b)",
    // A text that is one placeholder word over and over.
    r"(?-u:\b)(?:text\s+){4,}text(?-u:\b)",
    // WordPress's own first post and sample page, never rewritten.
    r"welcome to wordpress\. this is your first post",
    r"(?-u:\b)this is an example page(?-u:\b)",
    // German, Spanish, French, Portuguese, Italian.
    r"(?-u:\b)blindtext(?-u:\b)",
    r"(?-u:\b)platzhaltertext(?-u:\b)",
    r"(?-u:\b)hier steht (?:ihr|dein|ein) text(?-u:\b)",
    r"(?-u:\b)texto de (?:ejemplo|relleno)(?-u:\b)",
    r"(?-u:\b)(?:escribe|introduce|inserta) (?:aquí )?(?:tu|el|su) texto(?: aquí)?",
    r"(?-u:\b)(?:texte de remplissage|faux texte)(?-u:\b)",
    r"(?-u:\b)votre texte ici(?-u:\b)",
    r"(?-u:\b)(?:seu|o seu) texto aqui(?-u:\b)",
    r"(?-u:\b)texto fictício",
    r"(?-u:\b)testo (?:segnaposto|fittizio)(?-u:\b)",
    r"(?-u:\b)inserisci (?:qui )?il (?:tuo )?testo(?-u:\b)",
];

const RUSSIAN: &[&str] = &[
    // Russian: "fish text", "your text here", the printers' pangram.
    r"текст-рыба|рыба-текст|рыбный текст",
    r"(?:здесь|тут) (?:ваш|будет) текст|ваш текст здесь",
    r"съешь же ещё этих мягких французских булок",
];

const CJK: &[&str] = &[
    // Japanese, Chinese, Korean.
    r"ダミーテキスト|ダミー文章|テキストが入ります",
    r"^\s*(?:ダミー[\s。、]*)+$",
    r"(?:テキスト[\s。、]*){3,}",
    r"占位(?:文字|文本)|示例(?:文字|文本)|(?:在此|此处|这里)输入(?:文字|文本)",
    r"더미 텍스트",
];

/// The default list as one pattern, case-insensitive; `^` and `$` are a text run's ends. The
/// tests hold it as the reference that the groups searched ([`default_matches`]) agree with.
#[cfg(test)]
static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    let phrases = [LATIN, RUSSIAN, CJK].concat();
    Regex::new(&format!("(?i){}", phrases.join("|"))).expect("the placeholder pattern")
});

/// The default list split by script: [`LATIN`], [`RUSSIAN`], then [`CJK`] (Japanese, Chinese
/// and Korean). A match of one group cannot share a byte with a match
/// of another: a Latin or Russian match begins and ends with a letter of its script and holds
/// only spaces, `.` and `-` between its letters; a Japanese, Chinese or Korean one holds only
/// those characters, whitespace, `。` and `、`. So the groups' matches, merged, are the whole
/// list's, and a group is built only for a run that holds its script, the first time one does
/// (the whole list was the costliest pattern a run on a few posts built after the embeds').
/// One group of the default list, compiled at first use.
struct Group {
    phrases: &'static [&'static str],
    compiled: OnceLock<meta::Regex>,
}

impl Group {
    const fn new(phrases: &'static [&'static str]) -> Self {
        Group {
            phrases,
            compiled: OnceLock::new(),
        }
    }

    fn regex(&self) -> &meta::Regex {
        self.compiled
            .get_or_init(|| unfiltered(&format!("(?i){}", self.phrases.join("|"))))
    }
}

static GROUPS: [Group; 3] = [Group::new(LATIN), Group::new(RUSSIAN), Group::new(CJK)];

/// The matches of the default list in a text run, in order: those of the groups the run's
/// bytes allow. Russian needs a Cyrillic letter (`D0` or `D1` first), Japanese, Chinese and
/// Korean a character of three bytes from `E3` on.
fn default_matches(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let ascii = bytes.is_ascii();
    let wanted = [
        true,
        !ascii && memchr::memchr2(0xD0, 0xD1, bytes).is_some(),
        !ascii && bytes.iter().any(|&b| b >= 0xE3),
    ];
    let mut found: Vec<Range<usize>> = GROUPS
        .iter()
        .zip(wanted)
        .filter(|(_, wanted)| *wanted)
        .flat_map(|(group, _)| group.regex().find_iter(text).map(|m| m.range()))
        .collect();
    found.sort_by_key(|r| r.start);
    found
}

/// Words one of which every match of the default list holds, lower-case: a field's text runs are
/// searched for them once, in one pass over all of them, and only the runs they touch go
/// through the default list. They are searched as literals in an ASCII-lower-cased copy of the
/// text, so that ordinary prose never reaches the big pattern (searching every short run on
/// its own cost a tenth of a whole lint; a case-insensitive pattern of common words such as
/// `text`, most of one rule's cost). None holds `s` or `k`: under the pattern's Unicode case
/// folding `ſ` and the Kelvin sign match them, which ASCII lower-casing would not find.
/// Japanese, Chinese and Korean have no case; Russian is [`CYRILLIC_HINT`]'s.
const HINTS: &[&[u8]] = &[
    b"lorem",
    b"t amet",
    b"dummy text",
    b"ample text",
    b"placeholder text",
    // `text text text text text`, `text here`, `text goes here`: `text` and the first byte of
    // the whitespace after it (`\s` is Unicode's: ASCII whitespace is a space in the copy
    // searched; then NEL and no-break space, and the spaces of U+1680 to U+3000).
    b"text ",
    b"text\xc2",
    b"text\xe1",
    b"text\xe2",
    b"text\xe3",
    b"welcome to wordpre",
    b"example page",
    b"blindtext",
    b"platzhaltertext",
    b"teht ",
    b"texto de ejemplo",
    b"texto de relleno",
    b"u texto",
    b"l texto",
    b"texte de rempli",
    b"faux texte",
    b"votre texte ici",
    b"texto fict",
    b"egnapo",
    b"fittizio",
    b"il te",
    b"il tuo te",
    "ダミー".as_bytes(),
    "テキスト".as_bytes(),
    "더미".as_bytes(),
    "文字".as_bytes(),
    "文本".as_bytes(),
];

/// The search for [`HINTS`]: aho-corasick's packed searcher (Teddy) alone, where the CPU has
/// it. It is what the automaton found candidates with, and finds every leftmost-first match
/// itself; without the automaton it builds in a sixth of the instructions (the automaton's
/// build, at the first post of every run, was 8% of a small post's whole process). Where there
/// is no Teddy, a contiguous NFA (the builder's DFA costs more to build for this few patterns).
enum HintSearch {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl HintSearch {
    fn new() -> Self {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(HINTS)
            .build();
        match packed {
            Some(searcher) => HintSearch::Packed(searcher),
            None => HintSearch::Automaton(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(HINTS)
                    .expect("the placeholder hints"),
            ),
        }
    }

    fn find_iter(&self, haystack: &[u8]) -> Vec<Range<usize>> {
        match self {
            HintSearch::Packed(s) => s.find_iter(haystack).map(|m| m.range()).collect(),
            HintSearch::Automaton(a) => a.find_iter(haystack).map(|m| m.range()).collect(),
        }
    }
}

static HINT_SEARCH: LazyLock<HintSearch> = LazyLock::new(HintSearch::new);

/// What every Russian match of the default list holds, under the same case folding; searched only
/// in a text that has Cyrillic letters (each of these words has a letter encoded as `D0` or
/// `D1` followed by a second byte, whatever its case). Without the literal prefilter, which
/// was three quarters of its build.
static CYRILLIC_HINT: LazyLock<meta::Regex> = LazyLock::new(|| unfiltered(r"(?i)текст|булок"));

/// A pattern without the literal prefilter the regex crate looks for: searched only in texts
/// a hint picked, these patterns do not need one, and finding its literals (every case of
/// every phrase) was a third to three quarters of their build.
fn unfiltered(pattern: &str) -> meta::Regex {
    meta::Regex::builder()
        .configure(meta::Config::new().auto_prefilter(false))
        .build(pattern)
        .expect("the placeholder pattern")
}

/// A pattern of literal phrases, case-insensitive, with word boundaries where a phrase starts
/// or ends with a letter or digit of a script that has them.
fn phrases_pattern(phrases: &[String]) -> Option<Regex> {
    let alternatives: Vec<String> = phrases
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|phrase| {
            let edge = |c: Option<char>| {
                if c.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    r"(?-u:\b)"
                } else {
                    ""
                }
            };
            let first = edge(phrase.chars().next());
            let last = edge(phrase.chars().last());
            format!("{first}{}{last}", regex::escape(phrase))
        })
        .collect();
    if alternatives.is_empty() {
        return None;
    }
    Regex::new(&format!("(?i){}", alternatives.join("|"))).ok()
}

declare_rule! {
    /// ## What it does
    /// Reports placeholder text published in a post's title or content: Lorem ipsum (and
    /// `dolor sit amet`), "dummy text", "sample text", "placeholder text", "Your text here",
    /// "Text goes here", "text text text…"; WordPress's own first post ("Welcome to
    /// WordPress. This is your first post") and sample page ("This is an example page");
    /// German "Blindtext", "Platzhaltertext", "Hier steht Ihr Text"; Spanish "texto de
    /// ejemplo", "escribe aquí tu texto"; French "texte de remplissage", "faux texte", "votre
    /// texte ici"; Portuguese "seu texto aqui", "texto fictício"; Italian "testo segnaposto",
    /// "inserisci qui il testo"; Russian "текст-рыба", "здесь ваш текст" and the printers'
    /// pangram; Japanese ダミーテキスト, テキストが入ります, a paragraph that is only ダミー
    /// and テキスト over and over; Chinese 占位文字, 示例文本, 在此输入文字; Korean 더미 텍스트;
    /// and the phrases the `phrases` option lists. A field is reported once, at its first
    /// placeholder; the message counts the others.
    ///
    /// Not reported: text in `pre`, `code`, `kbd`, `samp`, `script`, `style` and `textarea`
    /// (a tutorial's example), and the excerpt, which repeats the content.
    ///
    /// ## Why it matters
    /// Placeholder text is a draft's scaffolding: published, it tells readers the post was
    /// never finished, and search engines index it as the page's content.
    ///
    /// ## Example
    /// ```html
    /// <h2>Our services</h2>
    /// <p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>
    /// ```
    /// Write the section, or remove it.
    ///
    /// ## Options
    /// ```toml
    /// [rules.placeholder-text]
    /// phrases = ["texto de ejemplo", "[Breeder Name]"]
    /// ```
    pub struct PlaceholderText {
        code: "placeholder-text",
        severity: Error,
        summary: "Placeholder text published (Lorem ipsum, \"dummy text\", ダミーテキスト)",
        phase: Post,
        reads: ["title.rendered", "content.rendered"],
        options: Options,
    }
}

impl Rule for PlaceholderText {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let options = post.settings.options::<Options>(Self::META.code);
        let extra = options.extra();
        for kind in [HtmlFieldKind::Title, HtmlFieldKind::Content] {
            let Some(field) = post.field(kind) else {
                continue;
            };
            let found = placeholders(field, extra);
            if let Some((first, phrase)) = found.first() {
                out.push(diagnostic(
                    field,
                    post,
                    first.clone(),
                    phrase,
                    found.len() - 1,
                ));
            }
        }
    }
}

/// Every placeholder phrase of the field's visible text, in document order, with its range in
/// the field's HTML. Each text run is searched on its own (a phrase never spans two); with the
/// default list alone, only the runs a hint touches.
fn placeholders(field: &HtmlField<'_, '_>, extra: Option<&Regex>) -> Vec<(Range<usize>, String)> {
    let index = &field.index;
    let html = field.source.as_str();
    let runs: Vec<&crate::html::Text> = match extra {
        Some(_) => index.texts.iter().collect(),
        None => hinted_runs(index),
    };
    if runs.is_empty() {
        return Vec::new();
    }
    // Compiled only now: most posts hold no hint, and the default list is a large pattern.
    let mut found = Vec::new();
    for run in runs {
        let text = index.text(run);
        let mut in_run = default_matches(text);
        in_run.extend(
            extra
                .into_iter()
                .flat_map(|p| p.find_iter(text).map(|m| m.range())),
        );
        if in_run.is_empty() || in_literal(index, run.parent) {
            continue;
        }
        in_run.sort_by_key(|r| r.start);
        in_run.dedup_by(|later, earlier| later.start < earlier.end);
        let source = RunSource::new(html, index, run);
        for range in in_run {
            let phrase = text.get(range.clone()).unwrap_or_default().to_owned();
            found.push((source.range(range), phrase));
        }
    }
    found
}

/// The text as [`HINTS`] are searched in: ASCII lower-cased, ASCII whitespace a space. Byte
/// for byte, so that a hit's offsets are the text's.
fn folded(text: &[u8]) -> Vec<u8> {
    text.iter()
        .map(|&byte| match byte {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => b' ',
            _ => byte.to_ascii_lowercase(),
        })
        .collect()
}

/// The text runs that a hint in the field's decoded text overlaps, in document order. A run
/// holding a match of the default list holds a hint: either that hint is found, or an earlier hit
/// of the same search overlapping it was, and that one's runs are taken, this run among them.
fn hinted_runs(index: &crate::html::HtmlIndex) -> Vec<&crate::html::Text> {
    let text = index.text_buffer.as_bytes();
    let mut hits = HINT_SEARCH.find_iter(&folded(text));
    if memchr::memchr2(0xD0, 0xD1, text).is_some() {
        hits.extend(
            CYRILLIC_HINT
                .find_iter(&index.text_buffer)
                .map(|m| m.range()),
        );
    }
    let texts = &index.texts;
    let mut touched: Vec<usize> = Vec::new();
    for hit in hits {
        let first = texts.partition_point(|t| t.decoded.end <= hit.start);
        let past = texts.partition_point(|t| t.decoded.start < hit.end);
        touched.extend(first..past.max(first));
    }
    touched.sort_unstable();
    touched.dedup();
    touched.into_iter().filter_map(|i| texts.get(i)).collect()
}

fn diagnostic(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    range: Range<usize>,
    phrase: &str,
    more: usize,
) -> Diagnostic {
    let also = match more {
        0 => String::new(),
        1 => " (and 1 more placeholder in this field)".to_owned(),
        n => format!(" (and {n} more placeholders in this field)"),
    };
    field
        .diagnostic(
            &PlaceholderText::META,
            post,
            range,
            format!("placeholder text `{phrase}` {}{also}", where_it_is(post)),
        )
        .with_label("placeholder")
        .with_help("write the real text, or remove the placeholder")
}

/// Where the placeholder is, by the post's status: readers see a published post's (and a post
/// without a status, as a capture of the site gives it); a draft's is not out yet.
fn where_it_is(post: &PostContext<'_, '_>) -> &'static str {
    match post.post.str_at("status").map(|s| s.as_str()) {
        None | Some("publish" | "private") => "was published",
        Some("future") => "is scheduled to be published",
        Some(_) => "is in this unpublished post",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &Regex, text: &str) -> Vec<String> {
        pattern
            .find_iter(text)
            .map(|m| m.as_str().to_owned())
            .collect()
    }

    #[test]
    fn the_default_list_finds_latin_and_cjk_placeholders() {
        let text = "Lorem Ipsum dolor. ここにダミーテキスト。 Your text here. Ipsum dolorem.";
        assert_eq!(
            matches(&DEFAULT, text),
            ["Lorem Ipsum", "ダミーテキスト", "Your text here"]
        );
        assert!(matches(&DEFAULT, "a sampled texture, loremipsum").is_empty());
    }

    /// The text runs of `html` that a hint touches.
    fn hinted(html: &str) -> Vec<String> {
        let index = crate::html::HtmlIndex::parse(html);
        hinted_runs(&index)
            .into_iter()
            .map(|run| index.text(run).to_owned())
            .collect()
    }

    #[test]
    fn every_run_the_pattern_matches_is_hinted_in_any_case() {
        let html = "<p>Plain prose.</p><p>LOREM IPSUM</p><p>sAmPlE tExT</p><p>Lorem ipſum</p>\
                    <p>text\u{a0}text\u{2003}text\u{3000}text text</p><p>TEXT\tText\ntext\x0Btext\rtext</p>\
                    <p>Hier steht dein Text</p><p>Texto de relleno</p><p>ТЕКСТ-РЫБА</p>\
                    <p>Здесь ваш ТЕКСТ</p><p>съешь же ещё этих мягких французских БУЛОК</p>\
                    <p>WELCOME TO WORDPRESS. THIS IS YOUR FIRST POST</p><p>dolor ſit amet</p>\
                    <p>Inserisci il tuo TESTO</p><p>ESCRIBE AQUÍ TU TEXTO</p><p>more prose</p>";
        let index = crate::html::HtmlIndex::parse(html);
        let matched: Vec<&str> = index
            .texts
            .iter()
            .map(|run| index.text(run))
            .filter(|text| DEFAULT.is_match(text))
            .collect();
        assert_eq!(matched.len(), 14, "{matched:?}");
        assert_eq!(hinted(html), matched);
    }

    #[test]
    fn the_hints_fit_the_fastest_literal_search() {
        // aho-corasick's slim Teddy takes up to 32 patterns; for more it takes the fat one,
        // which reads half as many bytes a step.
        assert!(HINTS.len() <= 32, "{}", HINTS.len());
    }

    #[test]
    fn ordinary_prose_is_not_hinted() {
        let prose = "<p>Officials signed new guidelines; the <a href=x>report</a> said \
                     caf\u{e9} r\u{e9}sum\u{e9} \u{201c}quoted\u{201d} \u{1F600}. \
                     Здравствуйте, мир. 日本語の記事です。</p>";
        assert!(hinted(prose).is_empty());
    }

    #[test]
    fn every_default_phrase_holds_a_hint() {
        let phrases = [
            "Lorem ipsum",
            "DOLOR SIT AMET",
            "dummy text",
            "Sample Text",
            "placeholder text",
            "insert your text here",
            "Text goes here",
            "Blindtext",
            "text text text text text",
            "Welcome to WordPress. This is your first post. Edit or delete it",
            "This is an example page.",
            "Platzhaltertext",
            "Hier steht Ihr Text",
            "Texto de ejemplo",
            "Escribe aquí tu texto",
            "texte de remplissage",
            "Votre texte ici",
            "Seu texto aqui",
            "texto fictício",
            "Testo segnaposto",
            "Inserisci qui il testo",
            "Текст-рыба",
            "Здесь ваш текст",
            "Съешь же ещё этих мягких французских булок",
            "ダミー文章",
            "ダミーテキスト",
            "ここにテキストが入ります",
            "ダミー",
            "ダミー ダミー ダミー",
            "テキストテキストテキスト",
            "占位文字",
            "示例文本",
            "在此输入文字",
            "더미 텍스트",
        ];
        for phrase in phrases {
            assert!(DEFAULT.is_match(phrase), "{phrase}");
            assert!(!hinted(phrase).is_empty(), "{phrase}");
        }
    }

    #[test]
    fn words_a_writer_uses_are_no_placeholders() {
        for prose in [
            "ダミー会社を使った詐欺の手口",
            "La ley dice aquí el texto completo.",
            "Hello world!",
            "El texto de la ley de ejemplos prácticos",
            "Le texte ici présenté",
            "Здесь текст закона",
            "This is an example of a page layout.",
            "the text of the treaty, text by text",
        ] {
            assert!(matches(&DEFAULT, prose).is_empty(), "{prose}");
        }
    }

    /// Pieces the agreement tests build texts of: phrases of every group (whole, cut, in other
    /// cases), the separators between scripts, and prose.
    const PIECES: &[&str] = &[
        "Lorem ipsum",
        "lorem IPSUM\u{a0}dolor  sit\tamet",
        "dolor ſit amet",
        "text",
        "TEXT",
        "text\u{3000}",
        "Text goes here",
        "your text here",
        "sample text",
        "ſample text",
        "Welcome to WordPress. This is your first post",
        "blindtext",
        "Hier steht Ihr Text",
        "escribe aquí tu texto aquí",
        "Texto fictício",
        "il tuo testo",
        "texte de remplissage",
        "Текст-рыба",
        "рыба-текст",
        "здесь ваш ТЕКСТ",
        "ваш текст здесь",
        "булок",
        "съешь же ещё этих мягких французских булок",
        "ダミー",
        "ダミーテキスト",
        "テキスト",
        "テキスト、",
        "テキストが入ります",
        "占位文字",
        "在此输入文本",
        "더미 텍스트",
        "文字",
        " ",
        "  ",
        "\u{a0}",
        "\n",
        "。",
        "、",
        "-",
        ".",
        "é",
        "x",
        "word",
        "1",
        "\u{1F600}",
    ];

    /// The merged groups against the whole list in one pattern.
    fn agrees(text: &str) -> bool {
        let whole: Vec<Range<usize>> = DEFAULT.find_iter(text).map(|m| m.range()).collect();
        default_matches(text) == whole
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn the_groups_find_what_the_whole_list_finds(
            picks in proptest::collection::vec(0..PIECES.len(), 0..12),
        ) {
            let text: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            proptest::prop_assert!(agrees(&text), "{text:?}");
        }

        #[test]
        fn the_packed_search_finds_what_the_automaton_finds(
            picks in proptest::collection::vec(0..PIECES.len(), 0..24),
        ) {
            let text: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(HINTS)
                .expect("hints");
            let folded = folded(text.as_bytes());
            let expected: Vec<Range<usize>> =
                automaton.find_iter(&folded).map(|m| m.range()).collect();
            proptest::prop_assert_eq!(HINT_SEARCH.find_iter(&folded), expected, "{:?}", text);
        }
    }

    #[test]
    fn the_groups_agree_on_every_phrase_and_their_neighbours() {
        for (i, a) in PIECES.iter().enumerate() {
            for b in &PIECES[i..] {
                for text in [format!("{a}{b}"), format!("{b}{a}"), format!("{a} {b}{a}")] {
                    assert!(agrees(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn the_hint_search_is_the_packed_one_here() {
        // On x86-64 with SSSE3 or AVX2 (CI's machines); elsewhere the automaton answers.
        if cfg!(target_arch = "x86_64") && std::is_x86_feature_detected!("ssse3") {
            assert!(matches!(*HINT_SEARCH, HintSearch::Packed(_)));
        }
    }

    #[test]
    fn configured_phrases_are_literal_and_bounded_where_words_are() {
        let pattern =
            phrases_pattern(&["[Breeder Name]".to_owned(), "texto de ejemplo".to_owned()])
                .expect("pattern");
        assert_eq!(
            matches(
                &pattern,
                "Un Texto de ejemplo en [breeder name]; textos de ejemplos"
            ),
            ["Texto de ejemplo", "[breeder name]"]
        );
        assert!(phrases_pattern(&[" ".to_owned()]).is_none());
    }
}
