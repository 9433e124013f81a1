use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity, Text};
use crate::html::structure::{EscapedStartTags, is_consequence, may_have_leftovers};
use crate::html::{Around, HtmlIndex, StrayEndTag as Stray, is_block, is_void};
use crate::rule::Rule;

use crate::rules::declare_rule;

/// What a stray end tag is called and how it is mended: its severity, message, help, and the
/// message of its fix (`None` when it gets no fix).
struct Texts {
    severity: Severity,
    message: Text,
    help: Text,
    fix: Option<Text>,
}

fn texts(name: &str) -> Texts {
    let (severity, message, help): (Severity, Text, Text) = match name {
        "a" => (
            Severity::Error,
            "`</a>` closes no link: the link's start tag and its `href` were lost".into(),
            "restore the `<a href=\"…\">` start tag the text had, or remove this `</a>`".into(),
        ),
        "p" => (
            Severity::Info,
            "`</p>` closes no paragraph".into(),
            "remove it: browsers add an empty paragraph in its place".into(),
        ),
        "br" => (
            Severity::Info,
            "`</br>` is not a line break end tag".into(),
            "write `<br>`: browsers read `</br>` as one anyway".into(),
        ),
        "em" | "i" | "u" => return emphasis_texts(name),
        _ if is_void(name) => return void_texts(name),
        _ => return fixed_texts(name).unwrap_or_else(|| written_texts(name)),
    };
    // Browsers ignore a stray end tag, but for `</p>` and `</br>`, which make an element; and
    // a lost link needs a person to restore it, not a fix that hides the trace.
    Texts {
        severity,
        message,
        help,
        fix: None,
    }
}

/// `</em>`, `</i>`, `</u>`: at most the slant or the underline of a few words was lost, which
/// readers seldom miss (judged so blind: a quote loses nothing it needs). An info.
fn emphasis_texts(name: &str) -> Texts {
    Texts {
        severity: Severity::Info,
        message: format!("`</{name}>` has no open `<{name}>` to close").into(),
        help: format!(
            "its start tag was lost, and with it the emphasis it gave; \
             restore the `<{name}>` or remove this `</{name}>`"
        )
        .into(),
        fix: Some(format!("remove the stray `</{name}>`").into()),
    }
}

/// `</img>`, `</embed>`, `</source>`: an element that never has an end tag, so no start tag
/// was lost. Browsers ignore it (all but `</br>`, handled above), so removing it is safe.
fn void_texts(name: &str) -> Texts {
    Texts {
        severity: Severity::Info,
        message: format!("`<{name}>` never has an end tag: `</{name}>` closes nothing").into(),
        help: format!("remove this `</{name}>`; browsers ignore it, and nothing was lost").into(),
        fix: Some(format!("remove the needless `</{name}>`").into()),
    }
}

/// The texts of any other end tag, written out for its name.
fn written_texts(name: &str) -> Texts {
    let message = format!("`</{name}>` has no open `<{name}>` to close").into();
    let fix = Some(format!("remove the stray `</{name}>`").into());
    if is_block(name) {
        return Texts {
            severity: Severity::Info,
            message,
            help: format!("remove this `</{name}>`; browsers ignore it").into(),
            fix,
        };
    }
    if is_style_only(name) {
        return Texts {
            severity: Severity::Info,
            message,
            help: format!(
                "remove this `</{name}>`; browsers ignore it, and what a reader sees does not change"
            )
            .into(),
            fix,
        };
    }
    Texts {
        severity: Severity::Warning,
        message,
        help: format!(
            "its start tag was lost, and with it the formatting it gave; \
             restore the `<{name}>` or remove this `</{name}>`"
        )
        .into(),
        fix,
    }
}

/// Inline elements that carry no meaning of their own, only the style or data of their
/// attributes: a stray end tag of one changes nothing a reader sees (its start tag, if it was
/// lost, took only a style with it).
fn is_style_only(name: &str) -> bool {
    matches!(
        name,
        "span"
            | "font"
            | "small"
            | "big"
            | "ins"
            | "label"
            | "abbr"
            | "acronym"
            | "bdi"
            | "bdo"
            | "data"
            | "time"
            | "nobr"
    )
}

/// The same texts, fixed, for the end tags damaged archives are full of: a run over one can
/// hold hundreds of thousands of stray `</span>`, and each would own three copies of its words.
fn fixed_texts(name: &str) -> Option<Texts> {
    macro_rules! fixed {
        (block: $($block:literal),*; style: $($style:literal),*; inline: $($inline:literal),*) => {
            match name {
                $($style => Some(Texts {
                    severity: Severity::Info,
                    message: concat!("`</", $style, ">` has no open `<", $style, ">` to close").into(),
                    help: concat!(
                        "remove this `</", $style,
                        ">`; browsers ignore it, and what a reader sees does not change"
                    ).into(),
                    fix: Some(concat!("remove the stray `</", $style, ">`").into()),
                }),)*
                $($block => Some(Texts {
                    severity: Severity::Info,
                    message: concat!("`</", $block, ">` has no open `<", $block, ">` to close").into(),
                    help: concat!("remove this `</", $block, ">`; browsers ignore it").into(),
                    fix: Some(concat!("remove the stray `</", $block, ">`").into()),
                }),)*
                $($inline => Some(Texts {
                    severity: Severity::Warning,
                    message: concat!("`</", $inline, ">` has no open `<", $inline, ">` to close").into(),
                    help: concat!(
                        "its start tag was lost, and with it the formatting it gave; restore the `<",
                        $inline, ">` or remove this `</", $inline, ">`"
                    ).into(),
                    fix: Some(concat!("remove the stray `</", $inline, ">`").into()),
                }),)*
                _ => None,
            }
        };
    }
    fixed!(
        block: "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
            "figure", "figcaption", "table", "tr", "td", "th", "tbody";
        style: "span", "font", "small";
        inline: "strong", "em", "b", "i", "u", "sup", "sub", "code"
    )
}

/// A `</a>` with no text before it in its block (`<p> </a>Todos…`): no words lost a link, so
/// it is a leftover, not a lost link.
fn nothing_linked_before(index: &HtmlIndex, stray: &Stray) -> bool {
    let block_start = index
        .enclosing(stray.parent, Around::Block)
        .map_or(0, |block| index.elements[block].content.start);
    index
        .texts_in(block_start..stray.span.start)
        .iter()
        .all(|text| crate::html::is_blank(index.text(text)))
}

fn leftover_link_end() -> Texts {
    Texts {
        severity: Severity::Info,
        message: "`</a>` closes no link, and no text before it in this block was linked".into(),
        help: "remove this leftover `</a>`".into(),
        fix: None,
    }
}

fn diagnostic(post: &PostContext<'_, '_>, field: &HtmlField<'_, '_>, stray: &Stray) -> Diagnostic {
    let texts = if &*stray.name == "a" && nothing_linked_before(&field.index, stray) {
        leftover_link_end()
    } else {
        texts(&stray.name)
    };
    let diagnostic = field
        .diagnostic(&StrayEndTag::META, post, stray.span.clone(), texts.message)
        .with_severity(texts.severity)
        .with_label("stray end tag")
        .with_help(texts.help);
    let Some(fix) = texts.fix else {
        return diagnostic;
    };
    let removal = Edit::delete(field.file_range(stray.span.clone()));
    diagnostic.with_fix(Applicability::Safe, fix, vec![removal])
}

declare_rule! {
    /// ## What it does
    /// Reports an end tag with no open element to close, such as a `</b>` whose `<b>` was
    /// lost. Its severity follows what a reader sees:
    /// - `</a>` is an error: the link's start tag, and with it the `href`, is gone, so the text
    ///   that was a link is plain text now. A `</a>` with no text before it in its block
    ///   (`<p> </a>Todos…`) linked nothing: an info, a leftover.
    /// - `</b>`, `</strong>`, `</sup>`, `</sub>`, `</code>` are warnings: the emphasis or
    ///   formatting they closed was lost. `</em>`, `</i>` and `</u>` are infos: a slant or an
    ///   underline that readers seldom miss.
    /// - `</span>`, `</font>`, `</small>` and other end tags of elements that only carry a
    ///   style are infos: a style at most was lost, and browsers ignore the end tag.
    /// - `</p>`, `</div>` and other block end tags are infos: browsers ignore them (or add an
    ///   empty paragraph). A `</p>` in rendered content (`content.rendered`) that has
    ///   paragraphs of its own is not reported: WordPress's auto-paragraph filter writes them
    ///   around forms, widgets and comments, and the post holds nothing to remove. Rendered
    ///   content with no `<p>` at all lost its start tags, and raw content (`content.raw`,
    ///   WXR, WP-CLI) is the author's: there a stray `</p>` is reported.
    /// - `</img>`, `</embed>`, `</source>` and the end tags of other void elements are infos,
    ///   and not said to have lost a start tag: these elements never have an end tag, nothing
    ///   was lost, and browsers ignore it. `</br>` is an info too, and not removed: browsers
    ///   turn it into a line break, which the page may need.
    ///
    /// Not reported, being part of another finding (one defect, one finding):
    /// - the end tag written for an element that is left open but out of its reach
    ///   (`<h2><span>…</p><p></span></h2>`, or `<p><ins>…</p> … </ins>`): `unclosed-element`
    ///   reports that element and shows this end tag beside it;
    /// - the end tag of text a browser took for a tag (`</receiver>`, `</tatsuya>` after
    ///   `<tatsuya.fukata@…>`): `text-hidden-as-tag` reports it.
    ///
    /// End tags left behind by markup that was later escaped into text (`&lt;e&gt;` shown in a
    /// code sample, then `</e></e></e>` at the end of the paragraph) are infos, one finding for
    /// each run of them: browsers ignore them, readers never see them, and their fix removes
    /// them (showing them, as `text-hidden-as-tag` would for text in angle brackets, would
    /// print `</e>` to readers).
    ///
    /// An end tag is matched the way browsers match it (the HTML standard's tree construction),
    /// so `<p><div>…</div></p>` has a stray `</p>`: the `<div>` closed the paragraph.
    ///
    /// ## Why it matters
    /// Stray end tags are the trace of markup that was damaged on its way into WordPress: a
    /// paste from another editor, an export, a plugin. Each one marks a place where the post
    /// lost something its author meant, most often a link.
    ///
    /// ## Example
    /// ```html
    /// <p>Officials <span>signed</span></a> new guidelines.</p>
    /// ```
    /// The `</a>` closes no link: restore `<a href="…">` before "signed", or remove the `</a>`.
    pub struct StrayEndTag {
        code: "stray-end-tag",
        severity: Warning,
        summary: "An end tag closes no open element (a lost link, lost formatting)",
        phase: Post,
        reads: ["title.rendered", "content.rendered", "excerpt.rendered"],
    }
}

// Not on the walk: it reads the index's stray end tags, which are no node of the walk.
impl Rule for StrayEndTag {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let (index, html) = (&field.index, field.source.as_str());
            let escaped = may_have_leftovers(index).then(|| EscapedStartTags::of(index));
            let mut leftovers: Vec<&Stray> = Vec::new();
            let mut has_paragraphs: Option<bool> = None;
            for stray in &index.stray_end_tags {
                if escaped.as_ref().is_some_and(|e| e.is_leftover(stray)) {
                    let continues = leftovers.last().is_some_and(|last| {
                        html.get(last.span.end..stray.span.start)
                            .is_some_and(|between| between.trim().is_empty())
                    });
                    if !continues {
                        out.extend(leftover_run(post, field, &leftovers));
                        leftovers.clear();
                    }
                    leftovers.push(stray);
                } else if !is_consequence(index, stray, html)
                    && !is_auto_paragraph_end(field, stray, &mut has_paragraphs)
                {
                    out.push(diagnostic(post, field, stray));
                }
            }
            out.extend(leftover_run(post, field, &leftovers));
        }
    }
}

/// A `</p>` in content the site rendered, among paragraphs WordPress made: its auto-paragraph
/// filter writes them around markup it does not know as a block (a form, a widget's `<div>`,
/// a comment), and the editor never wrote them, so there is nothing in the post to remove.
/// Rendered content with no `<p>` at all lost its start tags on the way (the filter writes a
/// `<p>` for every paragraph): its `</p>`s are reported, as are the author's in raw content.
fn is_auto_paragraph_end(
    field: &HtmlField<'_, '_>,
    stray: &Stray,
    has_paragraphs: &mut Option<bool>,
) -> bool {
    &*stray.name == "p"
        && field.form == crate::post::Form::Rendered
        && *has_paragraphs.get_or_insert_with(|| {
            let html = field.source.as_str();
            // A start tag as written: the `<p>` a browser makes for a stray `</p>` is none.
            (field.index.elements.iter()).any(|e| {
                &*e.name == "p"
                    && html
                        .get(e.start_tag.clone())
                        .is_some_and(|t| t.starts_with("<p"))
            })
        })
}

/// One finding for a run of end tags left by markup now shown as text (`&lt;e&gt;` in a code
/// sample, then `</e></e></e>`): browsers ignore them, and readers were never to see them.
fn leftover_run(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    run: &[&Stray],
) -> Option<Diagnostic> {
    let (first, last) = (run.first()?, run.last()?);
    let name = &first.name;
    let message = match run.len() {
        1 => format!(
            "`</{name}>` closes nothing: a leftover of `<{name}>`, which the post now shows as text"
        ),
        2 => format!(
            "`</{name}>` and 1 more end tag close nothing: leftovers of markup the post now \
             shows as text (`<{name}>`)"
        ),
        n => format!(
            "`</{name}>` and {} more end tags close nothing: leftovers of markup the post now \
             shows as text (`<{name}>`)",
            n - 1
        ),
    };
    let removals = run
        .iter()
        .map(|stray| Edit::delete(field.file_range(stray.span.clone())))
        .collect();
    Some(
        field
            .diagnostic(
                &StrayEndTag::META,
                post,
                first.span.start..last.span.end,
                message,
            )
            .with_severity(Severity::Info)
            .with_label("leftover end tags")
            .with_help("remove them: browsers ignore them, and readers see nothing of them")
            .with_fix(
                Applicability::Safe,
                "remove the leftover end tags",
                removals,
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_texts_read_as_the_written_ones() {
        let names = [
            "div",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "figure",
            "figcaption",
            "table",
            "tr",
            "td",
            "th",
            "tbody",
            "span",
            "font",
            "small",
            "strong",
            "em",
            "b",
            "i",
            "u",
            "sup",
            "sub",
            "code",
        ];
        for name in names {
            let (fixed, written) = (fixed_texts(name).expect(name), written_texts(name));
            assert!(matches!(fixed.message, Text::Fixed(_)), "{name}");
            assert_eq!(fixed.severity, written.severity, "{name}");
            assert_eq!(fixed.message, written.message, "{name}");
            assert_eq!(fixed.help, written.help, "{name}");
            assert_eq!(fixed.fix, written.fix, "{name}");
        }
        assert!(fixed_texts("marquee").is_none());
    }
}
