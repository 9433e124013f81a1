use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::sections::analyse;

declare_rule! {
    /// ## What it does
    /// Reports a section that the site's pack requires of the post but that its body lacks.
    /// Packs declare sections with `[[sections.required]] heading = "WHY IT MATTERS"`, and may
    /// restrict them to some posts with `when` (type, status, categories, tags, title, link).
    ///
    /// A section heading is an `<h1>`–`<h6>`, or a paragraph whose only content is bold
    /// (`<p><b>WHY IT MATTERS</b></p>`), or a line that reads exactly like the heading. Case,
    /// surrounding whitespace, entities and a trailing `:` do not matter.
    ///
    /// The finding points at the start of `content.rendered`, or, when the pack sets
    /// `[sections] order = true`, where the section belongs.
    ///
    /// ## Why it matters
    /// The publication promises its readers a structure (every analysis explains why the news
    /// matters); a post without it breaks the promise and the newsletter that quotes it.
    ///
    /// ## Example
    /// A news analysis whose body has no `WHY IT MATTERS` heading. Add the section.
    pub struct MissingSection {
        code: "missing-section",
        severity: Error,
        summary: "A section the site requires (e.g. WHY IT MATTERS) is missing",
        phase: Post,
        reads: ["content.rendered", "type", "status", "categories", "tags", "title.rendered", "link"],
    }
}

impl Rule for MissingSection {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        let Some(sections) = analyse(post) else {
            return;
        };
        let ordered = post
            .settings
            .site
            .sections_ordered
            .as_ref()
            .is_some_and(|o| o.value);
        for (i, requirement) in sections.required.iter().enumerate() {
            if requirement.found.is_some() {
                continue;
            }
            // Where it belongs: before the next required section that is there.
            let at = ordered
                .then(|| {
                    sections.required[i + 1..]
                        .iter()
                        .find_map(|r| r.found)
                        .map(|h| sections.headings[h].range.start)
                })
                .flatten()
                .unwrap_or(0);
            let heading = &requirement.section.heading;
            out.push(
                sections
                    .field
                    .diagnostic(
                        &Self::META,
                        post,
                        at..at,
                        format!("the post has no \"{heading}\" section"),
                    )
                    .with_label(if ordered && at > 0 {
                        "belongs here"
                    } else {
                        "missing from the body"
                    })
                    .with_help(format!("add a \"{heading}\" heading and its section")),
            );
        }
    }
}
