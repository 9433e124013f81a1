use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::structure::is_hidden_text;
use crate::html::{Closed, Element, ElementId};
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports tags closed in the wrong order, such as `<b><i>text</b></i>`: the `</b>` closes
    /// the `<b>` while the `<i>` inside it is still open.
    ///
    /// An info: browsers repair it (they close the inner element and reopen it after, in
    /// each paragraph it spans), so the formatting ends where the author put its end tag and
    /// only the markup is untidy.
    ///
    /// ## Why it matters
    /// The block editor may refuse to edit such a paragraph ("This block contains unexpected
    /// content"), and the next edit of the markup is harder to get right.
    ///
    /// ## Example
    /// ```html
    /// <p><b><i>Breaking</b></i> news</p>
    /// ```
    /// Close the tags in reverse order: `<b><i>Breaking</i></b>`.
    pub struct MisnestedTags {
        code: "misnested-tags",
        severity: Info,
        summary: "Tags closed in the wrong order (`<b><i>x</b></i>`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

impl Rule for MisnestedTags {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::ClosedEarly])
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(Misnested(Vec::new())))
    }
}

/// The elements of a post closed after an element around them was, as the walk meets them.
struct Misnested(Vec<Diagnostic>);

impl<'v> Visitor<'v> for Misnested {
    fn element(&mut self, at: &At<'v>, _id: ElementId, element: &'v Element) {
        let field = at.field;
        let html = field.source.as_str();
        // Closed by another element's end tag, and its own end tag came after.
        let (Closed::Implied { by }, Some(own_end)) = (&element.closed, &element.end_tag) else {
            return;
        };
        // Text a browser hid is `text-hidden-as-tag`'s, whatever closes it.
        if !html[by.clone()].starts_with("</") || is_hidden_text(at.index(), element) {
            return;
        }
        let name = &element.name;
        let closer = html[by.clone()]
            .trim_start_matches("</")
            .trim_end_matches('>');
        self.0.push(
            field
                .diagnostic(
                    &MisnestedTags::META,
                    at.post,
                    own_end.clone(),
                    format!(
                        "`</{name}>` comes after `</{closer}>`, which already closed `<{name}>`"
                    ),
                )
                .with_label("closes too late")
                .with_secondary(
                    field.file_range(by.clone()),
                    format!("`<{name}>` was still open here"),
                )
                .with_help(format!(
                    "close `<{name}>` before `</{closer}>`: tags close in reverse order"
                )),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.0);
    }
}
