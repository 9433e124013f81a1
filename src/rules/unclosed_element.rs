use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Closed, Element, HtmlIndex, is_html_element, is_void};
use crate::rule::Rule;

use super::declare_rule;

/// Elements whose end tag the HTML standard lets authors leave out.
fn end_tag_optional(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rtc"
            | "rp"
            | "html"
            | "head"
            | "body"
    )
}

/// Where the element ends although nothing closed it: the end of the field, or the end tag of
/// an element around it. `None` when it was closed properly (or may be left open).
fn left_open<'a>(element: &'a Element, html: &str) -> Option<Option<&'a std::ops::Range<usize>>> {
    if is_void(&element.name) || end_tag_optional(&element.name) || element.end_tag.is_some() {
        return None;
    }
    match &element.closed {
        Closed::Unclosed => Some(None),
        Closed::Implied { by } if html[by.clone()].starts_with("</") => Some(Some(by)),
        _ => None,
    }
}

/// Text such as `<nombre de usuario>` or `<your name>`: a placeholder written between angle
/// brackets, which browsers read as the start tag of an unknown element and do not show. A
/// custom element has a hyphen (`<my-card>`), a Word tag a colon (`<o:p>`), and SVG and MathML
/// have names of their own.
fn is_placeholder(index: &HtmlIndex, element: &Element) -> bool {
    let name = &*element.name;
    if is_html_element(name) || name.contains(['-', ':']) {
        return false;
    }
    let mut parent = element.parent;
    while let Some(id) = parent {
        let ancestor = &index.elements[id];
        if matches!(&*ancestor.name, "svg" | "math") {
            return false;
        }
        parent = ancestor.parent;
    }
    true
}

fn message(element: &Element, html: &str, by: Option<&std::ops::Range<usize>>) -> String {
    let name = &element.name;
    match by {
        None => format!("`<{name}>` is never closed"),
        Some(by) => format!("`<{name}>` is not closed before `{}`", &html[by.clone()]),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports an element that is still open where the field ends, or that the end tag of an
    /// element around it had to close: `<div><em>text</div>`. Elements whose end tag the HTML
    /// standard lets you omit (`<p>`, `<li>`, `<td>`, …) and void elements (`<br>`, `<img>`)
    /// are not reported.
    ///
    /// Text written between angle brackets, such as `<nombre de usuario>` or `<your name>`,
    /// is reported as what it is: browsers read it as the start tag of an element they do not
    /// know, and readers never see it. The help says to write it `&lt;your name&gt;`, not to
    /// close an element that was never meant. A name counts as such a placeholder when it is
    /// no HTML element (obsolete ones included), has no hyphen (custom elements such as
    /// `<my-card>`) or colon (Word's `<o:p>`), and is outside SVG and MathML.
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
        summary: "An element is never closed (or closed only by its parent's end tag); `<your name>` is hidden text",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

/// A placeholder between angle brackets, which readers do not see.
fn placeholder(
    post: &PostContext<'_, '_>,
    field: &HtmlField<'_, '_>,
    element: &Element,
    written: &str,
) -> Diagnostic {
    let inner = written
        .strip_prefix('<')
        .unwrap_or(written)
        .trim_end_matches('>')
        .trim_end_matches('/')
        .trim();
    field
        .diagnostic(
            &UnclosedElement::META,
            post,
            element.start_tag.clone(),
            format!("`{written}` is read as an unknown tag: readers do not see this text"),
        )
        .with_label("hidden from readers")
        .with_help(format!(
            "to show the angle brackets, write `&lt;{inner}&gt;`; otherwise remove it"
        ))
}

impl Rule for UnclosedElement {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            let index = &field.index;
            let html = field.source.as_str();
            for element in &index.elements {
                let Some(by) = left_open(element, html) else {
                    continue;
                };
                if is_placeholder(index, element) {
                    let written = html.get(element.start_tag.clone()).unwrap_or_default();
                    out.push(placeholder(post, field, element, written));
                    continue;
                }
                let mut diagnostic = field
                    .diagnostic(
                        &Self::META,
                        post,
                        element.start_tag.clone(),
                        message(element, html, by),
                    )
                    .with_label("opened here")
                    .with_help(format!("add `</{}>` where it should end", element.name));
                if let Some(by) = by {
                    diagnostic = diagnostic.with_secondary(
                        field.file_range(by.clone()),
                        "closed here by this end tag",
                    );
                }
                out.push(diagnostic);
            }
        }
    }
}
