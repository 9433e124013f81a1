use crate::context::PostContext;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a paragraph with nothing in it a reader can see: `<p></p>`, `<p>&nbsp;</p>`,
    /// `<p><br></p>`.
    ///
    /// ## Why it matters
    /// Editors press Enter twice to make space; the empty paragraphs that result give the page
    /// uneven gaps that change with every theme. Spacing belongs to the theme.
    ///
    /// ## Example
    /// ```html
    /// <p>First paragraph.</p>
    /// <p>&nbsp;</p>
    /// <p>Second paragraph.</p>
    /// ```
    /// Remove the middle paragraph.
    pub struct EmptyParagraph {
        code: "empty-paragraph",
        severity: Info,
        summary: "A paragraph with nothing in it (`<p></p>`, `<p>&nbsp;</p>`, `<p><br></p>`)",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for EmptyParagraph {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Content) else {
            return;
        };
        for element in &field.index.elements {
            let empty = &*element.name == "p" && !element.has.text && !element.has.media;
            // A paragraph holding a comment (`<!-- more -->`) is WordPress's own marker.
            let holds_comment = field.index.comments.iter().any(|c| {
                element.content.start <= c.span.start && c.span.end <= element.content.end
            });
            if !empty || holds_comment {
                continue;
            }
            let whole = element.start_tag.start
                ..element
                    .end_tag
                    .as_ref()
                    .map_or(element.start_tag.end, |t| t.end);
            let removal = Edit::delete(field.file_range(whole.clone()));
            out.push(
                field
                    .diagnostic(&Self::META, post, whole, "empty paragraph")
                    .with_fix(
                        Applicability::Safe,
                        "remove the empty paragraph",
                        vec![removal],
                    )
                    .with_label("nothing to read here")
                    .with_help("remove the paragraph; leave spacing to the theme"),
            );
        }
    }
}
