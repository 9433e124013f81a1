use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::sections::analyse;

declare_rule! {
    /// ## What it does
    /// Reports a required section heading that comes before one listed earlier in the pack,
    /// when the pack sets `[sections] order = true`.
    ///
    /// ## Why it matters
    /// Readers of a publication learn where to look: the summary first, then why it matters,
    /// then what comes next. A post that shuffles them reads as unedited.
    ///
    /// ## Example
    /// With `WHY IT MATTERS` then `WHAT'S NEXT` required in order, a post that has
    /// `WHAT'S NEXT` first. Move the sections into order.
    pub struct SectionOrder {
        code: "section-order",
        severity: Warning,
        summary: "Required sections are out of the order the site sets",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for SectionOrder {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let ordered = post
            .settings
            .site
            .sections_ordered
            .as_ref()
            .is_some_and(|o| o.value);
        if !ordered {
            return;
        }
        let Some(sections) = analyse(post) else {
            return;
        };
        let mut latest: Option<(usize, &str)> = None;
        for requirement in &sections.required {
            let Some(found) = requirement.found else {
                continue;
            };
            let heading = &sections.headings[found];
            match latest {
                Some((before, name))
                    if heading.range.start < sections.headings[before].range.start =>
                {
                    let earlier = sections
                        .field
                        .file_range(sections.headings[before].range.clone());
                    out.push(
                        sections
                            .field
                            .diagnostic(
                                &Self::META,
                                post,
                                heading.range.clone(),
                                format!(
                                    "\"{}\" comes before \"{name}\"",
                                    requirement.section.heading
                                ),
                            )
                            .with_label("out of order")
                            .with_secondary(earlier, format!("\"{name}\" should come first"))
                            .with_help("put the sections in the order the site sets"),
                    );
                }
                _ => latest = Some((found, &requirement.section.heading)),
            }
        }
    }
}
