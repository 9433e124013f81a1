use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::html::is_blank;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::sections::analyse;

declare_rule! {
    /// ## What it does
    /// Reports a required section whose heading is there but which has no text before the
    /// next heading or the end of the post.
    ///
    /// ## Why it matters
    /// A heading with nothing under it is a placeholder that was never filled in, and it is
    /// published as such.
    ///
    /// ## Example
    /// ```html
    /// <p><b>WHY IT MATTERS</b></p>
    /// <h2>Related</h2>
    /// ```
    /// Write the section, or remove the heading.
    pub struct EmptySection {
        code: "empty-section",
        severity: Warning,
        summary: "A required section heading has nothing under it",
        phase: Post,
        reads: ["content.rendered"],
    }
}

// Not on the walk: it returns at once unless the site requires sections, and then reads the
// stretch under each required heading.
impl Rule for EmptySection {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(sections) = analyse(post) else {
            return;
        };
        let index = &sections.field.index;
        let html_len = sections.field.source.as_str().len();
        for requirement in &sections.required {
            let Some(found) = requirement.found else {
                continue;
            };
            let heading = &sections.headings[found];
            let end = sections
                .headings
                .get(found + 1)
                .map_or(html_len, |next| next.range.start);
            let body = heading.range.end..end;
            let has_text = index
                .texts_in(body.clone())
                .iter()
                .any(|t| !is_blank(index.text(t)));
            let has_media = index
                .elements
                .iter()
                .any(|e| body.contains(&e.start_tag.start) && crate::html::is_media(&e.name));
            if has_text || has_media {
                continue;
            }
            out.push(
                sections
                    .field
                    .diagnostic(
                        &Self::META,
                        post,
                        heading.range.clone(),
                        format!("the \"{}\" section is empty", requirement.section.heading),
                    )
                    .with_label("nothing under this heading")
                    .with_help("write the section, or remove the heading"),
            );
        }
    }
}
