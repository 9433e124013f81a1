use crate::blocks::Attributes;
use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a block opener whose attributes are not a JSON object:
    /// `<!-- wp:image {"id":5,} -->` (a trailing comma), `<!-- wp:heading {level:3} -->`
    /// (unquoted keys), `<!-- wp:image id="5" -->` (HTML-style attributes).
    ///
    /// ## Why it matters
    /// WordPress and the block editor read a block's settings from that JSON. When it does
    /// not parse they drop all of it: the heading loses its level, the image its id, the
    /// block its colours, and the editor calls the block invalid because its HTML no longer
    /// matches.
    ///
    /// ## Example
    /// ```html
    /// <!-- wp:heading {'level':3} -->
    /// <h3 class="wp-block-heading">Later</h3>
    /// <!-- /wp:heading -->
    /// ```
    /// Write JSON: `{"level":3}`.
    pub struct BlockInvalidAttributes {
        code: "block-invalid-attributes",
        severity: Error,
        summary: "A block's attributes are not a JSON object (`<!-- wp:image {\"id\":5,} -->`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for BlockInvalidAttributes {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for block in &field.blocks.blocks {
                let Attributes::Invalid { span, problem } = &block.attributes else {
                    continue;
                };
                let name = block.short_name();
                out.push(
                    field
                        .diagnostic(
                            &Self::META,
                            post,
                            span.clone(),
                            format!(
                                "the `{name}` block's attributes are not a JSON object ({problem}): WordPress drops them"
                            ),
                        )
                        .with_label("not a JSON object")
                        .with_help("write the attributes as JSON, `{\"key\":value}`, or remove them"),
                );
            }
        }
    }
}
