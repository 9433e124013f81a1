use crate::blocks::{BlockEnd, Unterminated};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a block opener (`<!-- wp:group -->`) that no closer (`<!-- /wp:group -->`)
    /// ends: either the field ends first, or the closer of an outer block comes first and
    /// ends that block with this one still open.
    ///
    /// Also reported: an opener whose `-->` never comes (`<!-- wp:paragraph {"a":1}` at the end
    /// of the field, or before text with no `-->` in it). The comment it starts runs to the
    /// end of the field, so browsers show readers nothing after it.
    ///
    /// Not reported: a self-closing block (`<!-- wp:separator /-->`), which has no closer;
    /// a closer of another name where this block's should be (`block-stray-closer` reports
    /// that closer).
    ///
    /// ## Why it matters
    /// The block editor puts everything after an unclosed opener into that block: the rest
    /// of the post becomes one broken block, and the editor offers to "attempt recovery" or
    /// convert it to HTML, which can lose the author's formatting.
    ///
    /// ## Example
    /// ```html
    /// <!-- wp:quote -->
    /// <blockquote class="wp-block-quote"><!-- wp:paragraph -->
    /// <p>Quoted words.</p>
    /// </blockquote>
    /// <!-- /wp:quote -->
    /// ```
    /// Close the paragraph block: `<p>Quoted words.</p>\n<!-- /wp:paragraph -->`.
    pub struct BlockUnclosed {
        code: "block-unclosed",
        severity: Error,
        summary: "A block opener with no closer (`<!-- wp:group -->` without `<!-- /wp:group -->`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for BlockUnclosed {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for opener in &field.blocks.unterminated {
                out.push(unterminated(field, post, opener));
            }
            let html = field.source.as_str();
            for block in &field.blocks.blocks {
                let BlockEnd::Unclosed { cut_by } = &block.end else {
                    continue;
                };
                let name = block.short_name();
                let diagnostic = match cut_by {
                    None => field
                        .diagnostic(
                            &Self::META,
                            post,
                            block.opener.clone(),
                            format!("the `{name}` block is never closed: the rest of the field falls into it"),
                        )
                        .with_label("opened here, never closed"),
                    Some(closer) => field
                        .diagnostic(
                            &Self::META,
                            post,
                            block.opener.clone(),
                            format!(
                                "the `{name}` block is not closed before `{}` ends its outer block",
                                &html[closer.clone()]
                            ),
                        )
                        .with_label("opened here, never closed")
                        .with_secondary(
                            field.file_range(closer.clone()),
                            format!("the `{name}` block is still open here"),
                        ),
                };
                out.push(diagnostic.with_help(format!(
                    "add `<!-- /wp:{name} -->` where the block's HTML ends"
                )));
            }
        }
    }
}

fn unterminated(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    opener: &Unterminated,
) -> Diagnostic {
    let name = crate::blocks::short_name(&opener.name);
    field
        .diagnostic(
            &BlockUnclosed::META,
            post,
            opener.span.clone(),
            format!(
                "the `{name}` block's opener never ends with `-->`: browsers hide the rest of the field from readers"
            ),
        )
        .with_label("no `-->` after this")
        .with_help(format!(
            "end the opener with ` -->`, as in `<!-- wp:{name} -->`, or remove it"
        ))
}
