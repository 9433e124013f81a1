use fnv::FnvHashMap;

use std::borrow::Cow;
use std::ops::Range;

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::html::{Element, ElementId, HtmlIndex, is_blank, is_block, is_media};
use crate::links::{Link, normalized_key};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;

/// Link text that only invites to open what the link beside it already names.
const READ_MORE: [&str; 14] = [
    "read more",
    "more",
    "continue reading",
    "read the rest",
    "leer más",
    "seguir leyendo",
    "weiterlesen",
    "lire la suite",
    "leggi tutto",
    "続きを読む",
    "阅读更多",
    "selengkapnya",
    "baca selengkapnya",
    "xem thêm",
];

/// The characters of the longest of [`READ_MORE`], counted once.
static LONGEST_READ_MORE: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    READ_MORE
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
});

/// A "Read more" link or a button by its markup alone: its class (`more-link` is WordPress's
/// own) or its `download` attribute.
fn is_read_more_by_mark(index: &HtmlIndex, element: &Element) -> bool {
    let class = index
        .attribute(element, "class")
        .map_or("", |c| index.value(c));
    let mentions = |word: &str| contains_ignore_ascii_case(class, word);
    mentions("button")
        || index.attribute(element, "download").is_some()
        || mentions("more-link")
        || mentions("read-more")
        || mentions("readmore")
}

/// A "Read more" link of a card or an excerpt, or a button (a file block's Download): by its
/// class (`more-link` is WordPress's own), its `download` attribute, or its words.
fn is_read_more(index: &HtmlIndex, element: &Element) -> bool {
    if is_read_more_by_mark(index, element) {
        return true;
    }
    // Trimming removes only trim characters, and lower-casing never makes fewer characters:
    // a text with more other characters than the longest phrase cannot be one. Most link
    // texts are told apart so, without being copied.
    let longest = *LONGEST_READ_MORE;
    let other_chars: usize = index
        .texts_in(element.content.clone())
        .iter()
        .map(|t| index.text(t).chars().filter(|&c| !is_trimmed(c)).count())
        .sum();
    if other_chars > longest {
        return false;
    }
    let runs = index.texts_in(element.content.clone());
    let text = match runs {
        [run] => Cow::Borrowed(index.text(run)),
        _ => Cow::Owned(index.text_of(element)),
    };
    is_read_more_phrase(text.trim_matches(is_trimmed))
}

/// Whether the text, lower-cased, is one of [`READ_MORE`]: an ASCII text compared in place
/// (its lower case is its ASCII lower case), any other lower-cased.
fn is_read_more_phrase(words: &str) -> bool {
    if words.is_ascii() {
        return READ_MORE.iter().any(|p| p.eq_ignore_ascii_case(words));
    }
    READ_MORE.contains(&words.to_lowercase().as_str())
}

/// Whether `text` holds `word` (lower-case ASCII) in any case, without a lower-cased copy.
fn contains_ignore_ascii_case(text: &str, word: &str) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

/// What is trimmed around a "read more" text: whitespace, ellipses and arrows.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || matches!(c, '…' | '»' | '.' | '→' | '>')
}

/// How deep the search for a link's paragraph goes: deeper markup is generated, not written,
/// and a bound keeps a hundred thousand nested elements linear.
const MAX_BLOCK_DEPTH: usize = 64;

/// The paragraph, list item, cell or other block a link is in (`None` at the top level).
fn block_of(index: &HtmlIndex, element: &Element) -> Option<ElementId> {
    let mut parent = element.parent;
    for _ in 0..MAX_BLOCK_DEPTH {
        let id = parent?;
        let ancestor = &index.elements[id];
        if is_block(&ancestor.name) {
            return Some(id);
        }
        parent = ancestor.parent;
    }
    None
}

/// Where an element ends: after its end tag, or where something else closed it.
fn end_of(element: &Element) -> usize {
    element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |tag| tag.end)
}

/// How a repeated link relates to the previous link to the same target.
enum Repeat {
    /// Nothing a reader sees between them: one link cut in two by an edit,
    /// `<a href=x>Se</a><a href=x>oul</a>`.
    Split,
    /// In the same paragraph (no block or line break between them).
    SameParagraph,
    /// Elsewhere in the post: a credit line, a call to action, a table of contents.
    Elsewhere,
}

/// How many `<br>` and media elements start before each element: counted once per post, so
/// that what lies between two links is known without walking it (a post can hold a hundred
/// thousand repeats).
struct Marks {
    line_breaks: Vec<u32>,
    media: Vec<u32>,
}

impl Marks {
    fn new(index: &HtmlIndex) -> Self {
        let prefix = |is: &dyn Fn(&Element) -> bool| {
            let mut count = 0;
            let mut counts = Vec::with_capacity(index.elements.len() + 1);
            counts.push(0);
            for element in &index.elements {
                count += u32::from(is(element));
                counts.push(count);
            }
            counts
        };
        Self {
            line_breaks: prefix(&|e| e.name == "br"),
            media: prefix(&|e| is_media(&e.name)),
        }
    }

    /// The elements whose start tag is in a range of the field, as a range of indices.
    fn between(index: &HtmlIndex, range: &Range<usize>) -> Range<usize> {
        let at = |offset: usize| {
            index
                .elements
                .partition_point(|e| e.start_tag.start < offset)
        };
        at(range.start)..at(range.end)
    }

    fn any(counts: &[u32], elements: &Range<usize>) -> bool {
        counts.get(elements.end) > counts.get(elements.start)
    }
}

fn repeat(index: &HtmlIndex, marks: &Marks, before: &Element, element: &Element) -> Repeat {
    let gap = end_of(before)..element.start_tag.start;
    if gap.start > gap.end {
        return Repeat::Elsewhere;
    }
    let elements = Marks::between(index, &gap);
    let text = index.texts_in(gap).iter().any(|t| !is_blank(index.text(t)));
    // Two page-builder widgets side by side (a heading's link, then a Download button) have
    // nothing visible between them either, but are two blocks.
    if block_of(index, before) != block_of(index, element) {
        return Repeat::Elsewhere;
    }
    if !text && !Marks::any(&marks.media, &elements) {
        return Repeat::Split;
    }
    if Marks::any(&marks.line_breaks, &elements) {
        return Repeat::Elsewhere;
    }
    Repeat::SameParagraph
}

/// A link's text for a message: trimmed, and cut after 40 characters.
fn short_text(index: &HtmlIndex, element: &Element) -> String {
    let text = index.text_of(element);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Removes an element's start and end tags, keeping its content.
fn unlink(field: &HtmlField<'_, '_>, element: &Element) -> Vec<Edit> {
    std::iter::once(element.start_tag.clone())
        .chain(element.end_tag.clone())
        .map(|tag| Edit::delete(field.file_range(tag)))
        .collect()
}

/// Joins the two halves of a split link, when only text (or nothing) is between them.
fn join(field: &HtmlField<'_, '_>, before: &Element, element: &Element) -> Option<Vec<Edit>> {
    let end_tag = before.end_tag.clone()?;
    let between = field
        .source
        .as_str()
        .get(end_tag.end..element.start_tag.start)?;
    if between.contains('<') {
        return None;
    }
    Some(vec![
        Edit::delete(field.file_range(end_tag)),
        Edit::delete(field.file_range(element.start_tag.clone())),
    ])
}

declare_rule! {
    /// ## What it does
    /// Reports a link to a target the post already linked, graded by what a reader sees.
    /// Targets are compared the way a reader would see them: scheme and host in any case, the
    /// default port, tracking parameters (`utm_*`, `fbclid`, `gclid`) and a trailing slash make
    /// no difference; the fragment does (`#a` and `#b` are different places).
    ///
    /// - A warning for one link cut in two by an edit: two links to the same target in one
    ///   paragraph with nothing a reader sees between them,
    ///   `<a href="x">Se</a><a href="x">oul</a>`. The unsafe fix joins the halves.
    /// - A warning for the same target linked twice in one paragraph (no block or line break
    ///   between the two) under two texts that name different things: one of them was meant
    ///   to go somewhere else (`<a href="x">review</a> – <a href="x">sightseeing</a>`). Texts
    ///   name the same thing when they share a word, one holds the other (letters and digits
    ///   compared, so `«Que no te hipotequen la vida»` and `QueNoTeHipotequenLaVida.ORG` are
    ///   one name), or the address spells both. Linked twice under the same name is an info:
    ///   the second link adds nothing, but nothing is wrong. The unsafe fix unlinks the
    ///   repeat, keeping its text.
    /// - Nothing for a repeat in another paragraph: nearly every one is deliberate, a repeated
    ///   call to action, a glossary term, a table of contents, a widget.
    ///
    /// Not reported at all, in a paragraph or not: the links of a credit or source line, a line
    /// that starts with a credit label ("Fuente:", "Vía:", "Más información:", "Source:",
    /// "Via", "Download:", "Página y descarga:", "出典", in bold or not, with or without its
    /// colon, or alone on the line above) and gives a link or a list of links. Such a line
    /// repeats a link of the body on purpose, to credit it; no editor wants to hear of it. A
    /// label that names what the link is ("Nearest station:") is data, not a credit: its
    /// repeats are reported as any other.
    ///
    /// Not reported at all: a repeat its sentence announces as a call to action, where the
    /// text between the two links, in the repeat's sentence, ends in a colon or says "link",
    /// "enlace", "here", "aquí", "sign up", "inscripciones" or "register" ("En el siguiente
    /// enlace … para firmar: <a>QueNoTeHipotequenLaVida.ORG</a>"): the repeat is deliberate,
    /// and unlinking it would leave the announcement pointing at nothing.
    ///
    /// Not reported at all: links with no text (a link around an image or an icon repeats
    /// the text link beside it by design, in galleries and cards), "Read more" links and
    /// buttons (a file block's Download), links within the page (`#x`, fragment-missing's
    /// business), and targets other than `http(s)`. Two different link texts for one target
    /// in different paragraphs are not told apart from a deliberate repeat: the words alone
    /// do not say whether they name different things.
    ///
    /// ## Why it matters
    /// A link cut in two shows as two links and is read as two by screen readers; the same
    /// target twice in a paragraph usually means one link lost its own target, and search
    /// engines count only the first.
    ///
    /// ## Example
    /// ```html
    /// <p>The <a href="https://example.org/report">report</a> says … as the
    /// <a href="https://example.org/report/?utm_source=x">same report</a> shows.</p>
    /// ```
    /// Keep one link, or point the second where it was meant to go.
    pub struct DuplicateLink {
        code: "duplicate-link",
        severity: Warning,
        summary: "One link cut in two, or the same target twice in a paragraph",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for DuplicateLink {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        // Per target: the latest link to it. Room for every link at once: grown by doubling,
        // the table was hashed again four times a post.
        let mut seen: FnvHashMap<Cow<'_, str>, usize> =
            FnvHashMap::with_capacity_and_hasher(post.links.len(), Default::default());
        let mut marks = None;
        for (i, link) in post.links.iter().enumerate() {
            let Ok(url) = &link.target else { continue };
            if !counts(post, link) {
                continue;
            }
            let key = normalized_key(url);
            match seen.get_mut(&key) {
                None => {
                    seen.insert(key, i);
                }
                Some(latest) => {
                    let before = &post.links[*latest];
                    *latest = i;
                    let index = &post.html[link.field].index;
                    let marks = marks.get_or_insert_with(|| Marks::new(index));
                    out.extend(diagnostic(post, marks, link, before));
                }
            }
        }
    }
}

/// Whether a link takes part: a text link of the content to an `http(s)` target, not a "Read
/// more" or a button. Links around an image or icon alone repeat the text link beside them
/// by design (galleries, cards); links within the page are fragment-missing's business.
fn counts(post: &PostContext<'_, '_>, link: &Link) -> bool {
    let field = &post.html[link.field];
    let element = &field.index.elements[link.element];
    field.kind == HtmlFieldKind::Content
        && link.is_anchor()
        && element.has.text
        && link.fragment_only().is_none()
        && link
            .target
            .as_ref()
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
        && !is_read_more(&field.index, element)
}

/// The finding on a repeat, given the latest link to its target before it; none for a repeat
/// in another paragraph or a credit line's link.
fn diagnostic(
    post: &PostContext<'_, '_>,
    marks: &Marks,
    link: &Link,
    before: &Link,
) -> Option<Diagnostic> {
    let field = &post.html[link.field];
    let index = &field.index;
    let element = &index.elements[link.element];
    let previous = &index.elements[before.element];
    let before_range = field.file_range(before.span.clone());
    let meta = &DuplicateLink::META;
    let repeat = repeat(index, marks, previous, element);
    if !matches!(repeat, Repeat::Split)
        && (is_credit(index, marks, element) || is_announced(index, previous, element))
    {
        return None;
    }
    Some(match repeat {
        Repeat::Split => {
            let message = format!(
                "one link cut in two: `{}` and `{}` both go to `{}`",
                short_text(index, previous),
                short_text(index, element),
                link.value
            );
            let diagnostic = post
                .link_diagnostic(meta, link, message)
                .with_severity(Severity::Warning)
                .with_label("second half")
                .with_secondary(before_range, "first half")
                .with_help("join the two into one link");
            match join(field, previous, element) {
                Some(edits) => {
                    diagnostic.with_fix(Applicability::Unsafe, "join the two halves", edits)
                }
                None => diagnostic,
            }
        }
        Repeat::SameParagraph => {
            let (said_before, said_now) = (index.text_of(previous), index.text_of(element));
            let (message, severity) = if name_different_things(&said_before, &said_now, &link.value)
            {
                (
                    format!(
                        "`{}` and `{}` go to the same `{}`: one was likely meant to go elsewhere",
                        short_text(index, previous),
                        short_text(index, element),
                        link.value
                    ),
                    Severity::Warning,
                )
            } else {
                (
                    format!(
                        "`{}` is linked twice in one paragraph, under the same name",
                        link.value
                    ),
                    Severity::Info,
                )
            };
            same_paragraph(post, link, message, severity, before_range, field, element)
        }
        // Nearly every link repeated in another paragraph is deliberate (a call to action, a
        // glossary term, a widget, a table of contents): judged blind, not worth an editor's
        // time even as an info.
        Repeat::Elsewhere => return None,
    })
}

/// The labels of credit and source lines, lower-case, without the colon or dash after them:
/// "Fuente: <a>…</a>", "Via <a>…</a>", "<b>Download</b> <a>…</a>". A label that names what the
/// link is (a station, a price, a person) is data, and its repeats are reported as any other.
const CREDIT_LABELS: [&str; 58] = [
    // English
    "via",
    "source",
    "sources",
    "credit",
    "credits",
    "photo",
    "photos",
    "photo credit",
    "image",
    "image credit",
    "image source",
    "download",
    "downloads",
    "more info",
    "more information",
    "read more at",
    "see also",
    "reference",
    "references",
    "original",
    "originally published",
    "website",
    "official site",
    "homepage",
    // Spanish and Portuguese
    "vía",
    "fuente",
    "fuentes",
    "fonte",
    "fontes",
    "foto",
    "fotos",
    "imagen",
    "crédito",
    "créditos",
    "descarga",
    "descargas",
    "descargar",
    "página y descarga",
    "página web",
    "sitio web",
    "más información",
    "mas informacion",
    "más info",
    "ver también",
    "véase también",
    "referencias",
    "enlace",
    "enlaces",
    // French, German, Italian
    "crédit photo",
    "quelle",
    "quellen",
    "bildquelle",
    // Japanese, Chinese, Vietnamese, Indonesian
    "出典",
    "出处",
    "来源",
    "参考",
    "nguồn",
    "sumber",
];

/// How many text runs of a line are read: a label in a few runs ("<b>Más</b> <b>información</b>:")
/// and a list of the sources it gives.
const MOST_LINE_RUNS: usize = 24;

/// Whether a link is one a credit or source line gives after its label ("Fuente:", "Via",
/// "Download:", "<b>Photo</b>", or a label on the line before), alone or in a list of links
/// ("Sources: <a>…</a>, <a>…</a>"): a repeat there is deliberate, the line credits what the
/// text linked before.
fn is_credit(index: &HtmlIndex, marks: &Marks, element: &Element) -> bool {
    let block_start = block_of(index, element).map_or(0, |b| index.elements[b].content.start);
    let before = index.texts_in(block_start..element.start_tag.start);
    // Nearest first: the texts of the line before the link (or, when the link starts its
    // line, of the line above), up to a line break or the block's start.
    let mut runs = before.iter().rev().filter(|t| !is_blank(index.text(t)));
    let Some(nearest) = runs.next() else {
        return false;
    };
    let mut line = vec![nearest];
    for run in runs {
        let earlier = line[line.len() - 1];
        let gap = Marks::between(index, &(run.span.end..earlier.span.start));
        if Marks::any(&marks.line_breaks, &gap) {
            break;
        }
        if line.len() == MOST_LINE_RUNS {
            return false;
        }
        line.push(run);
    }
    // The links of a list and what parts them come first; the label is the rest.
    let Some(label_at) = line
        .iter()
        .position(|run| index.link_of(run).is_none() && !is_separator(index.text(run)))
    else {
        return false;
    };
    let label = &line[label_at..];
    let after_label = Marks::between(index, &(label[0].span.end..element.start_tag.start));
    if Marks::any(&marks.media, &after_label)
        || label.iter().any(|run| index.link_of(run).is_some())
    {
        return false;
    }
    let text: String = label.iter().rev().map(|run| index.text(run)).collect();
    is_credit_label(&text)
}

/// What parts the links of a list: punctuation, or "and" in a few languages.
fn is_separator(text: &str) -> bool {
    let text = text.trim();
    text.chars().all(|c| ",;/|·•-–—&+".contains(c))
        || matches!(
            text.to_lowercase().as_str(),
            "y" | "e" | "and" | "et" | "und" | "o" | "or"
        )
}

/// A credit line's label, with its colon or dash if it has one: `Fuente:`, `Via`, `出典：`.
fn is_credit_label(text: &str) -> bool {
    let label = text
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || ":：-–—".contains(c))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    CREDIT_LABELS.contains(&label.as_str())
}

/// Words with which a sentence announces the link after them as its call to action: "the
/// following link", "sign up here", "inscripciones", "register". Lower-case.
const ANNOUNCING_WORDS: [&str; 17] = [
    "link",
    "links",
    "enlace",
    "enlaces",
    "here",
    "aquí",
    "aqui",
    "signup",
    "inscripciones",
    "inscripción",
    "inscribirse",
    "inscríbete",
    "register",
    "registration",
    "regístrate",
    "registrate",
    "registrarse",
];

/// How many characters before a repeat are read for its announcement: a sentence's worth.
const MOST_ANNOUNCEMENT_CHARS: usize = 240;

/// Whether the sentence the repeat ends announces it, between the earlier link and it: the
/// text ends in a colon ("para firmar: <a>…</a>") or says "link", "here", "sign up",
/// "register" or their Spanish words. Such a repeat is a deliberate call to action, and
/// unlinking it would leave the announcement pointing at nothing.
fn is_announced(index: &HtmlIndex, before: &Element, element: &Element) -> bool {
    let gap = end_of(before)..element.start_tag.start;
    if gap.start >= gap.end {
        return false;
    }
    // Nearest runs first, until a sentence's worth of characters is read.
    let mut tail: Vec<&str> = Vec::new();
    let mut read = 0;
    for run in index.texts_in(gap).iter().rev() {
        let text = index.text(run);
        tail.push(text);
        read += text.len();
        if read >= MOST_ANNOUNCEMENT_CHARS * 4 {
            break;
        }
    }
    let text: String = tail.into_iter().rev().collect();
    let text = last_chars(&text, MOST_ANNOUNCEMENT_CHARS);
    let sentence = last_sentence(text).trim_end();
    if sentence.ends_with([':', '：']) {
        return true;
    }
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.iter().any(|w| ANNOUNCING_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|pair| pair[0] == "sign" && pair[1] == "up")
}

/// The last `count` characters of a text (all of it when shorter).
fn last_chars(text: &str, count: usize) -> &str {
    text.char_indices()
        .rev()
        .nth(count.saturating_sub(1))
        .map_or(text, |(at, _)| &text[at..])
}

/// What follows the last sentence end (`.`, `!` or `?` before a space, or a full-width one).
fn last_sentence(text: &str) -> &str {
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_space = chars.peek().is_some_and(|(_, n)| n.is_whitespace());
        if ("。！？".contains(c)) || (".!?".contains(c) && next_is_space) {
            start = at + c.len_utf8();
        }
    }
    &text[start..]
}

/// The same target linked twice in one paragraph; the unsafe fix unlinks the repeat.
fn same_paragraph(
    post: &PostContext<'_, '_>,
    link: &Link,
    message: String,
    severity: Severity,
    before_range: Range<usize>,
    field: &HtmlField<'_, '_>,
    element: &Element,
) -> Diagnostic {
    post.link_diagnostic(&DuplicateLink::META, link, message)
        .with_severity(severity)
        .with_label("linked again")
        .with_secondary(before_range, "linked here before")
        .with_fix(
            Applicability::Unsafe,
            "unlink the repeat, keeping its text",
            unlink(field, element),
        )
        .with_help("keep one of the links, or point this one where it was meant to go")
}

/// Letters and digits only, lower-case: `«Que no te hipotequen la vida»` and
/// `QueNoTeHipotequenLaVida.ORG` compare as the names of one thing.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
}

/// Whether two link texts for one target name different things ("review" and "sightseeing"),
/// so one of them was likely meant to go elsewhere; texts that share a word, where one holds
/// the other, or both of which the address spells, name the same thing.
fn name_different_things(first: &str, second: &str, target: &str) -> bool {
    let (a, b, url) = (compact(first), compact(second), compact(target));
    if a.is_empty() || b.is_empty() || a.contains(&b) || b.contains(&a) {
        return false;
    }
    if (url.contains(&a) && url.contains(&b)) || words(first).any(|w| words(second).any(|v| v == w))
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_read_more` as it was before its text was compared in place: the element's text
    /// copied, trimmed and lower-cased.
    fn is_read_more_by_copy(index: &HtmlIndex, element: &Element) -> bool {
        if is_read_more_by_mark(index, element) {
            return true;
        }
        let text = index.text_of(element);
        let words = text.trim_matches(is_trimmed).to_lowercase();
        READ_MORE.contains(&words.as_str())
    }

    /// Links of read-more words in any case, cut into runs by markup, comments and
    /// references, trimmed characters around and inside, and characters whose lower case is
    /// ASCII (Kelvin sign) or longer (`İ`).
    const SOUP: &str = "<a href=x>|<a class=More-Link href=x>|</a>|read|more|Read|MORE|mOrE|\
        Leer|más|MÁS|continue|reading|Weiterlesen|続きを読む|xem|THÊM| |\u{a0}|\u{200b}|\
        &nbsp;|&amp;|&gt;|&#8230;|…|»|.|→|>|<b>|</b>|<br>|<!-- c -->|<span></span>|\u{212a}|\
        \u{130}|x";

    proptest::proptest! {
        #[test]
        fn a_read_more_text_compared_in_place_is_the_copy_lower_cased(
            pieces in proptest::collection::vec(
                proptest::sample::select(SOUP.split('|').collect::<Vec<_>>()),
                0..12,
            )
        ) {
            let html = pieces.concat();
            let index = HtmlIndex::parse(&html);
            for element in index.elements.iter().filter(|e| &*e.name == "a") {
                proptest::prop_assert_eq!(
                    is_read_more(&index, element),
                    is_read_more_by_copy(&index, element),
                    "{}",
                    html
                );
            }
        }
    }
}
