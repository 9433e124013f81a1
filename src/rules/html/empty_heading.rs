use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::visibility::Hidden;
use crate::html::{Element, ElementId};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;
use crate::rules::helpers::headings::is_empty_heading_if;

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
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Heading]).reading_hidden()
    }

    fn start<'v>(&self, post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        post.field(HtmlFieldKind::Content)?;
        Some(Box::new(EmptyHeadings {
            run_end: None,
            out: Vec::new(),
        }))
    }
}

/// The headings of a post's content, judged as the walk meets them.
struct EmptyHeadings {
    /// Where the last empty heading ended: the next one right after it is the same gap.
    run_end: Option<usize>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for EmptyHeadings {
    fn element(&mut self, at: &At<'v>, _id: ElementId, heading: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content
            || !is_empty_heading_if(index, heading, || at.hidden > Hidden::No)
        {
            return;
        }
        let html = field.source.as_str();
        let continues_run = self.run_end.is_some_and(|end| {
            html.get(end..heading.start_tag.start)
                .is_some_and(|between| between.trim().is_empty())
        });
        self.run_end = Some(element_end(heading));
        if continues_run {
            return;
        }
        let level = &heading.name;
        self.out.push(
            field
                .diagnostic(
                    &EmptyHeading::META,
                    at.post,
                    heading.start_tag.clone(),
                    format!("empty `<{level}>`: readers see a gap where a heading should be"),
                )
                .with_label("no text")
                .with_help(format!(
                    "write the heading's text, or remove the empty `<{level}></{level}>`"
                )),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

fn element_end(element: &Element) -> usize {
    element
        .end_tag
        .as_ref()
        .map_or(element.content.end, |t| t.end)
}
