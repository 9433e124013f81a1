use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::structure::{LeftOpen, code_block, is_hidden_text, left_open};
use crate::html::{Closed, Element, HtmlIndex, StrayEndTag, is_formatting, is_heading};
use crate::rule::Rule;

use super::empty_heading::in_reported_heading;
use super::empty_paragraph::in_reported_paragraph;
use super::empty_span::is_bare_empty_span;
use crate::rules::declare_rule;

/// Containers that only group or style what they hold: left open, the page still reads as
/// written, since the browser ends them where their parent ends (or at the end of the post).
fn is_neutral(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "span"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "main"
            | "nav"
            | "ins"
            | "label"
            | "form"
            | "fieldset"
            | "figure"
            | "figcaption"
            | "center"
    )
}

/// How much an element left open changes what a reader sees. Browsers carry a formatting
/// element (`<a>`, `<strong>`, `<em>`, …) on into the paragraphs that follow, and a heading,
/// list, quote or table left open to the end swallows the rest of the post; a neutral
/// container ends where its parent does, and the page reads as written.
fn severity(element: &Element, how: &LeftOpen<'_>) -> Severity {
    let name = &*element.name;
    if is_formatting(name) || is_heading(name) {
        return Severity::Warning;
    }
    match how {
        LeftOpen::ToTheEnd if !is_neutral(name) => Severity::Warning,
        _ => Severity::Info,
    }
}

fn message(element: &Element, html: &str, how: &LeftOpen<'_>, in_code: bool) -> String {
    let name = &element.name;
    if in_code {
        return format!(
            "`<{name}>` in this code sample is read as markup: readers see a {name}, not the code"
        );
    }
    match how {
        LeftOpen::ToTheEnd => format!("`<{name}>` is never closed"),
        LeftOpen::By(by) => format!(
            "`<{name}>` is not closed before `{}`",
            html.get((*by).clone()).unwrap_or_default()
        ),
    }
}

/// An element left open to the end because a hidden "tag" inside it ran on and swallowed its
/// end tag (`<pre>… for (i<HEIGHT; …) …</pre>`): that hidden text is the one defect.
/// `hidden_open` holds the start of every hidden "tag" left open, in order, found once per
/// field: looking inside each element instead made nested open elements quadratic.
fn swallowed_by_hidden_text(hidden_open: &[usize], element: &Element) -> bool {
    let inside = element.content.clone();
    let first = hidden_open.partition_point(|&start| start < inside.start);
    hidden_open
        .get(first)
        .is_some_and(|&start| start < inside.end)
}

/// The starts of the hidden "tags" left open in a field, in document order.
fn hidden_open_starts(index: &HtmlIndex) -> Vec<usize> {
    (index.elements.iter())
        .filter(|e| e.closed == Closed::Unclosed && is_hidden_text(index, e))
        .map(|e| e.start_tag.start)
        .collect()
}

/// An empty `<span>` left open inside a paragraph or heading that is empty as a whole
/// (`<p><span></p>`): one defect, the empty paragraph or heading, reported there. A formatting
/// element is not (browsers carry it on into what follows), nor a container a script fills
/// (an ad's `<ins class="adsbygoogle">`).
fn is_part_of_an_empty_block(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    element: &Element,
) -> bool {
    is_bare_empty_span(&field.index, element)
        && (in_reported_paragraph(post, field, element)
            || in_reported_heading(post, field, element))
}

declare_rule! {
    /// ## What it does
    /// Reports an element that is still open where the field ends, or that the end tag of an
    /// element around it had to close: `<div><em>text</div>`. Elements whose end tag the HTML
    /// standard lets you omit (`<p>`, `<li>`, `<td>`, …) and void elements (`<br>`, `<img>`)
    /// are not reported.
    ///
    /// Its severity follows what a reader sees:
    /// - a warning for a formatting element (`<a>`, `<strong>`, `<em>`, `<b>`, `<i>`, `<font>`,
    ///   …), which browsers carry on into the paragraphs that follow, so a link or the bold
    ///   runs on; for a heading; and for a list, quote, table or other block left open to the
    ///   end of the field, which swallows the rest of the post;
    /// - an info for a neutral container (`<div>`, `<span>`, `<section>`, `<ins>`, `<label>`,
    ///   `<form>`, …) and for a block ended by its parent's end tag: the page still reads as
    ///   written, and the browser ends it where the parent ends.
    ///
    /// Markup inside a code sample (`<pre>`, `<code>`) that was meant to be shown, such as an
    /// unescaped `<div>`, is said to be read as markup: escaping it is the fix, not closing it.
    ///
    /// Not reported, being parts of another finding (one defect, one finding):
    /// - an empty `<span>` left open in a paragraph or heading that is empty as a whole
    ///   (`<p><span></p>`): `empty-paragraph` (or `block-empty`) or
    ///   `empty-heading` reports the paragraph or heading, whose removal takes it along;
    /// - text between angle brackets such as `<your name>`: `text-hidden-as-tag` reports it,
    ///   and an element that this hidden text left open by swallowing its end tag;
    /// - the end tag that was written for the element but could not reach it
    ///   (`<h2><span>…</p><p></span></h2>`) is shown here as a second label, and
    ///   `stray-end-tag` leaves it out.
    ///
    /// ## Why it matters
    /// Browsers close such elements wherever their repair rules say, which is rarely where the
    /// author meant: formatting runs on into the following text, and a theme or the block
    /// editor may render the post differently from the preview.
    ///
    /// ## Example
    /// ```html
    /// <p>The guidelines <strong>aim to strengthen the alliance.</p>
    /// ```
    /// Close the `<strong>` where the emphasis ends.
    pub struct UnclosedElement {
        code: "unclosed-element",
        severity: Warning,
        summary: "An element is never closed (or closed only by its parent's end tag)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for UnclosedElement {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let index = &field.index;
            let out_of_reach = index.stray_end_tags_by_element();
            let hidden_open = hidden_open_starts(index);
            for (id, element) in index.elements.iter().enumerate() {
                out.extend(finding(
                    post,
                    (field, &hidden_open),
                    element,
                    out_of_reach.get(&id).copied(),
                ));
            }
        }
    }
}

fn finding(
    post: &PostContext<'_, '_>,
    (field, hidden_open): (&HtmlField<'_, '_>, &[usize]),
    element: &Element,
    its_end_tag: Option<&StrayEndTag>,
) -> Option<Diagnostic> {
    let (index, html) = (&field.index, field.source.as_str());
    let how = left_open(element, html)?;
    if is_hidden_text(index, element)
        || (matches!(how, LeftOpen::ToTheEnd) && swallowed_by_hidden_text(hidden_open, element))
    {
        return None;
    }
    let in_code = code_block(index, element).is_some();
    if !in_code && is_part_of_an_empty_block(post, field, element) {
        return None;
    }
    let mut diagnostic = field
        .diagnostic(
            &UnclosedElement::META,
            post,
            element.start_tag.clone(),
            message(element, html, &how, in_code),
        )
        .with_severity(if in_code {
            Severity::Warning
        } else {
            severity(element, &how)
        })
        .with_label("opened here");
    diagnostic = if in_code {
        diagnostic
            .with_help("to show the code, write each `<` of it as `&lt;` and each `>` as `&gt;`")
    } else {
        diagnostic.with_help(format!("add `</{}>` where it should end", element.name))
    };
    if let LeftOpen::By(by) = how {
        diagnostic =
            diagnostic.with_secondary(field.file_range(by.clone()), "closed here by this end tag");
    }
    if let Some(stray) = its_end_tag {
        diagnostic = diagnostic.with_secondary(
            field.file_range(stray.span.clone()),
            "its end tag, out of reach here",
        );
    }
    Some(diagnostic)
}
