use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a block closer (`<!-- /wp:quote -->`) that closes no block of its name: no
    /// block is open at all (an error: after it, WordPress stops reading blocks and takes the
    /// rest of the field as classic HTML), or the innermost open block is another one (a
    /// warning naming both: WordPress ends the innermost open block with it, whatever its
    /// name).
    ///
    /// Not reported: a closer of an outer block that comes before an inner block's closer
    /// (`block-unclosed` reports the inner block).
    ///
    /// ## Why it matters
    /// The block editor pairs delimiters by position, not by name: a closer of the wrong
    /// block ends the wrong one, and the blocks after it are parsed into the wrong places or
    /// shown as "This block contains unexpected or invalid content".
    ///
    /// ## Example
    /// ```html
    /// <!-- wp:paragraph -->
    /// <p>Text.</p>
    /// <!-- /wp:heading -->
    /// ```
    /// Name the block the closer ends: `<!-- /wp:paragraph -->`, or remove a leftover closer.
    pub struct BlockStrayCloser {
        code: "block-stray-closer",
        severity: Error,
        summary: "A block closer that closes no open block of its name (`<!-- /wp:heading -->` after a paragraph)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

impl Rule for BlockStrayCloser {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for stray in &field.blocks.stray_closers {
                let name = crate::blocks::short_name(&stray.name);
                let diagnostic = match stray.closes.and_then(|id| field.blocks.blocks.get(id)) {
                    None => field
                        .diagnostic(
                            &Self::META,
                            post,
                            stray.span.clone(),
                            format!("`<!-- /wp:{name} -->` closes no block: none is open here, and WordPress reads the rest of the field as classic HTML, not blocks"),
                        )
                        .with_label("no open block")
                        .with_help("remove the closer, or restore the opener it was written for"),
                    // WordPress's parser ends the innermost block with it, as its author
                    // most likely meant: the wrong name is worth fixing, not an error.
                    Some(open) => {
                        let open_name = open.short_name();
                        field
                            .diagnostic(
                                &Self::META,
                                post,
                                stray.span.clone(),
                                format!(
                                    "`<!-- /wp:{name} -->` closes the `{open_name}` block, the innermost open one, not a `{name}` block"
                                ),
                            )
                            .with_severity(Severity::Warning)
                            .with_label(format!("ends the `{open_name}` block"))
                            .with_secondary(
                                field.file_range(open.opener.clone()),
                                format!("the `{open_name}` block opens here"),
                            )
                            .with_help(format!(
                                "write `<!-- /wp:{open_name} -->` here, or open a `{name}` block"
                            ))
                    }
                };
                out.push(diagnostic);
            }
        }
    }
}
