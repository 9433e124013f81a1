use std::collections::HashMap;
use std::ops::Range;

use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::html::structure::{EscapedStartTags, code_block, is_unknown_name, may_have_leftovers};
use crate::html::{Around, Element, ElementId, HtmlIndex};
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::hidden_text::{end_tag_names_in, is_reported_hidden_text};

declare_rule! {
    /// ## What it does
    /// Reports text written between angle brackets that browsers read as a tag and hide:
    /// `<nombre de usuario>`, `<your email>`, an e-mail address written `<ana@example.com>`, an
    /// XML element named in prose (`<receiver>`), or the code of a sample in `<pre>` whose `<`
    /// was not escaped (`List<Height>`). A browser takes such text for the start (or end) tag
    /// of an element it does not know, and shows nothing of it.
    ///
    /// It counts as hidden text when its name is no HTML element (obsolete ones included), has
    /// no hyphen (custom elements such as `<my-card>` are real) or colon (Word's `<o:p>`), and
    /// is outside SVG and MathML.
    ///
    /// One finding per defect: in a code sample (`<pre>`, `<code>`) the first hidden tag is
    /// reported for the whole sample, with the count of the others. The structure rules leave
    /// such text to this one: `unclosed-element` does not report it as an element left open,
    /// nor the elements whose end tags it swallowed (running on to the end of the field, or
    /// reading an end tag as part of itself: `Watta Ka<ii</div>`), and `stray-end-tag` does not report the
    /// end tags WordPress added for it (`</receiver>`). End tags left behind by markup that
    /// was later escaped into text (`&lt;e&gt;` shown in a code sample, then `</e></e>`) are
    /// `stray-end-tag`'s: readers were never meant to see them.
    ///
    /// Not reported:
    /// - names that are HTML elements: `<p>` or `<div>` written in a code sample is real
    ///   markup to a browser; `unclosed-element` says so when it is left open;
    /// - outside code samples, a tag whose attributes have values, such as the
    ///   `<g class="gr_ …" data-gr-id="35">` a grammar checker's browser extension leaves in
    ///   pasted text: markup a tool wrote, whose content shows, not words between brackets.
    ///
    /// ## Why it matters
    /// The reader sees a sentence with a hole in it ("Sign in as  and…"), or a code sample with
    /// its types missing, and the author, who sees the text in the editor, never knows.
    ///
    /// ## Example
    /// ```html
    /// <p>Sign in as <nombre de usuario> and open the settings.</p>
    /// ```
    /// Write `&lt;nombre de usuario&gt;` to show the brackets and the words.
    pub struct TextHiddenAsTag {
        code: "text-hidden-as-tag",
        severity: Warning,
        summary: "Text between angle brackets (`<your name>`) read as an unknown tag: readers do not see it",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

/// One piece of hidden text: where its tag is, and the code sample it is in.
struct Hidden {
    tag: Range<usize>,
    code_block: Option<ElementId>,
    /// Whether replacing its `<` by `&lt;` shows it as written: a start tag nothing closes.
    fixable: bool,
}

/// The hidden text of a field: its elements that are hidden text (found by the walk, in
/// document order) and its stray end tags of unknown names, by where their tags start.
fn hidden_texts(index: &HtmlIndex, elements: &[ElementId]) -> Vec<Hidden> {
    // Built only for a field with hidden text: most have none.
    let out_of_reach = (!elements.is_empty()).then(|| index.stray_end_tags_by_element());
    let elements = elements.iter().map(|&id| {
        let element = &index.elements[id];
        Hidden {
            tag: element.start_tag.clone(),
            code_block: code_block(index, element),
            fixable: element.end_tag.is_none()
                && !out_of_reach.as_ref().is_some_and(|o| o.contains_key(&id)),
        }
    });
    let escaped = may_have_leftovers(index).then(|| EscapedStartTags::of(index));
    let end_tags = index
        .stray_end_tags
        .iter()
        .filter(|stray| stray.meant_for.is_none() && is_unknown_name(&stray.name))
        // The end tag of markup now shown as text is `stray-end-tag`'s.
        .filter(|stray| !escaped.as_ref().is_some_and(|e| e.is_leftover(stray)))
        .map(|stray| Hidden {
            tag: stray.span.clone(),
            code_block: index.enclosing(stray.parent, Around::CodeSample),
            fixable: true,
        });
    let mut all: Vec<Hidden> = elements.chain(end_tags).collect();
    all.sort_by_key(|hidden| hidden.tag.start);
    all
}

/// The tag as written, shortened to its first line and 60 characters: a `<` in code can run
/// on for lines before a `>` ends it.
fn shown(html: &str, tag: &Range<usize>) -> String {
    let written = html.get(tag.clone()).unwrap_or_default();
    let line = written.lines().next().unwrap_or_default();
    let short: String = line.chars().take(60).collect();
    if short.len() < written.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn diagnostic(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    hidden: &Hidden,
    more_in_sample: usize,
) -> Diagnostic {
    let html = field.source.as_str();
    let written = shown(html, &hidden.tag);
    let lt = hidden.tag.start..hidden.tag.start + 1;
    let message = match (hidden.code_block, more_in_sample) {
        (Some(_), 0) => {
            format!("`{written}` in this code sample is read as a tag: readers do not see it")
        }
        (Some(_), more) => format!(
            "`{written}` and {more} more in this code sample are read as tags: readers do not \
             see them"
        ),
        (None, _) => format!("`{written}` is read as an unknown tag: readers do not see this text"),
    };
    let diagnostic = field
        .diagnostic(&TextHiddenAsTag::META, post, lt.clone(), message)
        .with_label("hidden from readers");
    if hidden.code_block.is_some() {
        return diagnostic
            .with_help("escape the code: write each `<` of it as `&lt;` and each `>` as `&gt;`");
    }
    let tag = html.get(hidden.tag.clone()).unwrap_or_default();
    let help = match end_tag_names_in(tag).next() {
        // `Ka<ii</h2>`: the end tag read into the hidden one closes its element again once
        // the `<` shows.
        Some(name) => format!(
            "to show it, write its `<` as `&lt;`: the `</{name}>` read into it then ends its \
             element again; otherwise remove the text before that end tag"
        ),
        None => {
            let inner = written
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim_end_matches('/')
                .trim();
            format!("to show it, write `&lt;{inner}&gt;`; otherwise remove it")
        }
    };
    let diagnostic = diagnostic.with_help(help);
    if !hidden.fixable {
        return diagnostic;
    }
    // Unsafe: it shows readers text they did not see before, which is the point.
    diagnostic.with_fix(
        Applicability::Unsafe,
        "write the `<` as `&lt;`, so that the text shows",
        vec![Edit::replace(field.file_range(lt), "&lt;")],
    )
}

impl Rule for TextHiddenAsTag {
    fn visits(&self) -> Visits {
        // Hidden text is an element of a name HTML does not have (`is_hidden_text`).
        Visits::elements(&[Kind::Unknown])
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(HiddenTexts {
            post,
            elements: vec![Vec::new(); post.html.len()],
        }))
    }
}

/// The elements of each field that are hidden text, gathered by the walk; the stray end tags
/// join them at the end, field by field.
struct HiddenTexts<'v> {
    post: &'v PostContext<'v, 'v>,
    /// By field, the ids of its elements that are hidden text.
    elements: Vec<Vec<ElementId>>,
}

impl<'v> Visitor<'v> for HiddenTexts<'v> {
    fn element(&mut self, at: &At<'v>, id: ElementId, element: &'v Element) {
        if is_reported_hidden_text(at.index(), element)
            && let Some(found) = self.elements.get_mut(at.field_at)
        {
            found.push(id);
        }
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        let post = self.post;
        for (field, elements) in post.html.iter().zip(&self.elements) {
            let hidden = hidden_texts(&field.index, elements);
            let mut per_sample: HashMap<ElementId, usize> = HashMap::new();
            for item in &hidden {
                if let Some(sample) = item.code_block {
                    *per_sample.entry(sample).or_default() += 1;
                }
            }
            for item in &hidden {
                let more = match item.code_block {
                    // The first of a sample reports it; the rest are counted in.
                    Some(sample) => match per_sample.remove(&sample) {
                        Some(count) => count - 1,
                        None => continue,
                    },
                    None => 0,
                };
                out.push(diagnostic(post, field, item, more));
            }
        }
    }
}
