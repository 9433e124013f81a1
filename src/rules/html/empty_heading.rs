use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::Element;
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::headings::is_empty_heading;

declare_rule! {
    /// ## What it does
    /// Reports a heading (`<h1>`–`<h6>`) with no text a reader can see: nothing, whitespace,
    /// `&nbsp;`, `<br>`, or only a link that lost its text.
    ///
    /// One defect, one finding: a heading holding only an empty link is reported here, not
    /// also by `empty-link`; `heading-level-skip` passes over empty headings.
    ///
    /// Empty headings in a row, with nothing but whitespace between them, are one gap to a
    /// reader: they are reported once, at the first.
    ///
    /// Not reported: a heading holding an image or other media; a heading holding a script,
    /// an embed or a form control (a script fills it in); a heading hidden from readers
    /// (`hidden`, `aria-hidden="true"`, `display:none`, on it or an element around it, or an
    /// Elementor widget hidden on every device); a theme's or a block's title slot
    /// captured with the page (`entry-title`, `post-title`, `page-title`,
    /// `wp-block-post-title`), which the theme fills in from the post's title; a heading
    /// whose text an author wrote in angle brackets (`<h2><your name></h2>`), which the
    /// browser hides as an unknown element: `text-hidden-as-tag` reports that.
    ///
    /// ## Why it matters
    /// Readers see a gap where a heading should be, and screen readers announce "heading
    /// level 4" with nothing after it. The text was usually lost in an edit or an import.
    ///
    /// ## Example
    /// ```html
    /// <h4 class="wp-block-heading"></h4>
    /// <p>The committee met on Tuesday.</p>
    /// ```
    /// Write the heading, or remove the empty `<h4></h4>`.
    pub struct EmptyHeading {
        code: codes::EMPTY_HEADING,
        severity: Warning,
        summary: "A heading with no visible text (`<h4></h4>`, `<h2>&nbsp;</h2>`, `<h3><br></h3>`)",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for EmptyHeading {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(field) = post.field(HtmlFieldKind::Content) else {
            return;
        };
        let index = &field.index;
        let html = field.source.as_str();
        // Where the last empty heading ended: the next one right after it is the same gap.
        let mut run_end: Option<usize> = None;
        for heading in index.elements.iter().filter(|e| is_empty_heading(index, e)) {
            let continues_run = run_end.is_some_and(|end| {
                html.get(end..heading.start_tag.start)
                    .is_some_and(|between| between.trim().is_empty())
            });
            run_end = Some(element_end(heading));
            if continues_run {
                continue;
            }
            let level = &heading.name;
            out.push(
                field
                    .diagnostic(
                        &Self::META,
                        post,
                        heading.start_tag.clone(),
                        format!("empty `<{level}>`: readers see a gap where a heading should be"),
                    )
                    .with_label("no text")
                    .with_help(format!(
                        "write the heading's text, or remove the empty `<{level}></{level}>`"
                    )),
            );
        }
    }
}

fn element_end(element: &Element) -> usize {
    element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |t| t.end)
}
