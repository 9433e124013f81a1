use crate::blocks::is_empty_block;
use crate::context::PostContext;
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

use crate::rules::declare_rule;
use crate::rules::helpers::codes;

declare_rule! {
    /// ## What it does
    /// Reports a paragraph, heading or list block with nothing in it a reader can see:
    /// `<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->`, a heading whose `<h2>` holds
    /// only a space, a list without items.
    ///
    /// A block with a `placeholder` (a pattern's slot, such as a query's "no results" text)
    /// is reported too: the placeholder shows only in the editor, the reader sees nothing.
    ///
    /// Not reported: a block holding an image, an embed, an anchor (`id`), a link or a form
    /// control; a block another finding is about (left unclosed, closed by a stray closer).
    /// An empty `<p>` inside a paragraph block is this rule's, not `empty-paragraph`'s.
    ///
    /// ## Why it matters
    /// Empty blocks are what pressing Enter leaves behind: they add uneven gaps to the page,
    /// an empty heading is announced to screen-reader users as a heading with no name, and
    /// an empty list as a list of nothing.
    ///
    /// ## Example
    /// ```html
    /// <!-- wp:paragraph -->
    /// <p></p>
    /// <!-- /wp:paragraph -->
    /// ```
    /// Remove the block, from its opener to its closer.
    pub struct BlockEmpty {
        code: codes::BLOCK_EMPTY,
        severity: Info,
        summary: "A paragraph, heading or list block with no content",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for BlockEmpty {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for block in &field.blocks.blocks {
                if !is_empty_block(&field.index, block) {
                    continue;
                }
                let name = block.short_name();
                let message = if block.attribute("placeholder").is_some() {
                    format!("empty `{name}` block: its placeholder shows only in the editor")
                } else {
                    format!("empty `{name}` block")
                };
                out.push(
                    field
                        .diagnostic(
                            &Self::META,
                            post,
                            block.opener.clone(),
                            message,
                        )
                        .with_label("nothing to read in this block")
                        .with_help(format!(
                            "remove the block, from `<!-- wp:{name} -->` to its closer; leave spacing to the theme"
                        )),
                );
            }
        }
    }
}
