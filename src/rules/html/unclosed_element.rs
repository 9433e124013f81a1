use std::collections::HashMap;

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::structure::{LeftOpen, code_block, is_hidden_text, left_open};
use crate::html::{Closed, Element, ElementId, HtmlIndex, StrayEndTag, is_formatting, is_heading};
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::empty::{ReportedAround, is_bare_empty_span};
use crate::rules::helpers::hidden_text::{end_tag_names_in, is_reported_hidden_text};

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

/// The hidden "tags" (text between angle brackets that a browser read as a tag) that took an
/// element's end tag away: one left open to the end of the field swallows the end tags after
/// it (`<pre>… for (i<HEIGHT; …) …</pre>`), and one with an end tag written inside it reads
/// that end tag as part of itself (`Watta Ka<ii</div>`). The element whose end tag they took is
/// part of `text-hidden-as-tag`'s finding, not one left open. Found once per field: looking
/// inside each element instead made nested open elements quadratic.
struct Swallowers {
    /// The starts of the hidden tags left open, in document order.
    open: Vec<usize>,
    /// Per name of an end tag written inside a hidden tag, the starts of those tags, in order.
    end_tags: HashMap<String, Vec<usize>>,
}

impl Swallowers {
    fn of(index: &HtmlIndex, html: &str) -> Self {
        let mut swallowers = Self {
            open: Vec::new(),
            end_tags: HashMap::new(),
        };
        for element in index.elements.iter().filter(|e| is_hidden_text(index, e)) {
            let start = element.start_tag.start;
            if element.closed == Closed::Unclosed {
                swallowers.open.push(start);
            }
            if !is_reported_hidden_text(index, element) {
                continue;
            }
            let tag = html.get(element.start_tag.clone()).unwrap_or_default();
            for name in end_tag_names_in(tag) {
                let starts = swallowers.end_tags.entry(name).or_default();
                if starts.last() != Some(&start) {
                    starts.push(start);
                }
            }
        }
        swallowers
    }

    /// Whether a hidden tag inside the element took its end tag.
    fn took_end_tag_of(&self, element: &Element, how: &LeftOpen<'_>) -> bool {
        let inside = element.content.clone();
        let any_inside = |starts: &[usize]| {
            let first = starts.partition_point(|&start| start < inside.start);
            starts.get(first).is_some_and(|&start| start < inside.end)
        };
        (matches!(how, LeftOpen::ToTheEnd) && any_inside(&self.open))
            || (self.end_tags.get(&*element.name)).is_some_and(|starts| any_inside(starts))
    }
}

/// An empty `<span>` left open inside a paragraph or heading that is empty as a whole
/// (`<p><span></p>`): one defect, the empty paragraph or heading, reported there. A formatting
/// element is not (browsers carry it on into what follows), nor a container a script fills
/// (an ad's `<ins class="adsbygoogle">`).
///
/// `reported` keeps the answer for the last paragraph and heading: each answer walks the whole
/// paragraph or heading, and asked afresh for each of 40,000 spans left open in one took 38 s.
fn is_part_of_an_empty_block(
    post: &PostContext<'_, '_>,
    field: (&HtmlField<'_, '_>, usize),
    element: &Element,
    reported: &mut ReportedAround,
) -> bool {
    is_bare_empty_span(&field.0.index, element) && reported.covers_element(post, field, element)
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
    ///   and an element whose end tag this hidden text swallowed, by running on to the end of
    ///   the field or by reading the end tag as part of itself (`Watta Ka<ii</div>`): the
    ///   element is balanced as written, and adding an end tag would be the wrong fix;
    /// - an element left open inside one already reported, by the same end tag or to the same
    ///   end of the field (`<h3><span>Title</p>`, a `</p>` written for `</span></h3>`): one
    ///   slip, one finding on the outer element, whose help names the end tags that close
    ///   both and labels the inner one. An inner element worse to a reader than the outer
    ///   finding's severity (a link left open under an info on a `<div>`), or whose own end
    ///   tag is written further on, is reported on its own;
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

// Not on the walk: which end tag left an element open is known only from the end tags and
// stray end tags matched to the elements after the fact, and the hidden tags that swallow end
// tags are gathered over the whole field first.
impl Rule for UnclosedElement {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let mut reported = ReportedAround::default();
        for (field_at, field) in post.html.iter().enumerate() {
            let index = &field.index;
            let out_of_reach = index.stray_end_tags_by_element();
            let hidden = Swallowers::of(index, field.source.as_str());
            // Per element, the finding its defect belongs to (an index into `found`): its own,
            // or that of the element around it that the same end tag (or the field's end)
            // left open. Parents come before their children, so one pass is enough.
            let mut owner: Vec<Option<usize>> = Vec::with_capacity(index.elements.len());
            let mut found: Vec<Slip> = Vec::new();
            for (id, element) in index.elements.iter().enumerate() {
                let its_end_tag = out_of_reach.get(&id).copied();
                let around = element
                    .parent
                    .filter(|&p| ends_alike(&index.elements[p], element))
                    .and_then(|p| owner.get(p).copied().flatten());
                if let Some(slip) = around.and_then(|k| found.get_mut(k))
                    && its_end_tag.is_none()
                    && slip.covers(field, &hidden, element)
                {
                    slip.inner.push(id);
                    owner.push(around);
                    continue;
                }
                let context = (field, field_at, &hidden, &mut reported);
                match finding(post, context, element, its_end_tag) {
                    Some(diagnostic) => {
                        owner.push(Some(found.len()));
                        found.push(Slip {
                            outer: id,
                            diagnostic,
                            inner: Vec::new(),
                        });
                    }
                    None => owner.push(around),
                }
            }
            out.extend(found.into_iter().map(|slip| slip.finish(field)));
        }
    }
}

/// Whether two elements, one inside the other, were ended by the same thing: the same end
/// tag of an element around them, or the end of the field, neither by an end tag of its own.
fn ends_alike(outer: &Element, inner: &Element) -> bool {
    outer.end_tag.is_none()
        && inner.end_tag.is_none()
        && outer.closed == inner.closed
        && matches!(outer.closed, Closed::Unclosed | Closed::Implied { .. })
}

/// One slip: an element left open, reported, and the elements inside it left open with it by
/// the same end tag (`<h3><span>Title</p>`, `</p>` written for `</span></h3>`). Closing them
/// all where the outer one should end is one fix, so they are one finding.
struct Slip {
    outer: ElementId,
    diagnostic: Diagnostic,
    inner: Vec<ElementId>,
}

/// How many of the inner elements of a slip are labelled and named in its help.
const MOST_NAMED_INNER: usize = 3;

impl Slip {
    /// Whether an element left open inside the outer one, the same way, is part of this
    /// finding: not when it is worse to a reader than the finding says (a link run on,
    /// under an info on a `<div>`).
    fn covers(&self, field: &HtmlField<'_, '_>, hidden: &Swallowers, element: &Element) -> bool {
        let html = field.source.as_str();
        let Some(how) = left_open(element, html) else {
            return false;
        };
        let in_code = code_block(&field.index, element).is_some();
        let worst = if in_code {
            Severity::Warning
        } else {
            severity(element, &how)
        };
        // Hidden text, and an element whose end tag hidden text took, are
        // `text-hidden-as-tag`'s.
        !is_hidden_text(&field.index, element)
            && !hidden.took_end_tag_of(element, &how)
            && worst <= self.diagnostic.severity
    }

    /// The finding, saying which elements left open inside the outer one its fix closes.
    fn finish(self, field: &HtmlField<'_, '_>) -> Diagnostic {
        let Slip {
            outer,
            mut diagnostic,
            inner,
        } = self;
        let index = &field.index;
        for &id in inner.iter().take(MOST_NAMED_INNER) {
            diagnostic = diagnostic.with_secondary(
                field.file_range(index.elements[id].start_tag.clone()),
                "left open with it: closed by the same fix",
            );
        }
        // In a code sample the fix is escaping the sample, which takes the inner ones along.
        if inner.is_empty() || code_block(index, &index.elements[outer]).is_some() {
            return diagnostic;
        }
        let help = help_closing_all(index, outer, &inner);
        diagnostic.with_help(help)
    }
}

/// The help of a slip: the end tags to add, innermost first.
fn help_closing_all(index: &HtmlIndex, outer: ElementId, inner: &[ElementId]) -> String {
    let name = |id: ElementId| &*index.elements[id].name;
    if inner.len() > MOST_NAMED_INNER {
        return format!(
            "add `</{}>` where it should end, after the end tags of the {} elements left open \
             inside it",
            name(outer),
            inner.len()
        );
    }
    let end_tags: String = (inner.iter().rev().map(|&id| name(id)))
        .chain([name(outer)])
        .map(|n| format!("</{n}>"))
        .collect();
    let opened: Vec<String> = inner
        .iter()
        .map(|&id| format!("`<{}>`", name(id)))
        .collect();
    format!(
        "add `{end_tags}` where it should end: that also closes the {} left open inside it",
        opened.join(" and ")
    )
}

fn finding(
    post: &PostContext<'_, '_>,
    (field, field_at, hidden, reported): (
        &HtmlField<'_, '_>,
        usize,
        &Swallowers,
        &mut ReportedAround,
    ),
    element: &Element,
    its_end_tag: Option<&StrayEndTag>,
) -> Option<Diagnostic> {
    let (index, html) = (&field.index, field.source.as_str());
    let how = left_open(element, html)?;
    if is_hidden_text(index, element) || hidden.took_end_tag_of(element, &how) {
        return None;
    }
    let in_code = code_block(index, element).is_some();
    if !in_code && is_part_of_an_empty_block(post, (field, field_at), element, reported) {
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
