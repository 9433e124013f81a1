use std::ops::Range;

use crate::blocks::{Attributes, Block, BlockEnd, holds_nothing, is_empty_block};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::{Element, HtmlIndex};
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a core block whose HTML does not follow from its attributes, where the block
    /// editor rebuilds that HTML from them and compares:
    /// - `heading`: `<h2>` unless `"level"` says another (`{"level":3}` saves `<h3>`);
    /// - `paragraph`: `<p>`; `quote`: `<blockquote>`; `separator`: `<hr>`;
    /// - `list`: `<ul>`, or `<ol>` with `"ordered":true`;
    /// - `image`: with `"id":N`, the `<img>` has the class `wp-image-N`.
    ///
    /// A `separator` written self-closing (`<!-- wp:separator /-->`) has no `<hr>` at all:
    /// the editor saves one whatever its attributes, so it rejects the block too.
    ///
    /// The span is the tag that does not match, or the block's opener when the tag is missing.
    ///
    /// A heading without `level` whose tag is not `<h2>`, and a list without `ordered` written
    /// as `<ol>`, are infos when the tag has no `wp-block-…` class: that is how the editor
    /// wrote them before WordPress 5.0, when it read the level and the kind from the tag.
    /// Their page is as the author made it; only the editor's recovery would change it.
    ///
    /// Infos, because the editor accepts them as they are and rewrites them on the next save:
    /// a paragraph block whose text has no `<p>` around it (a classic paragraph converted to a
    /// block), a paragraph block holding a `<div>`, and an image block with an `id` whose
    /// `<img>` has no `wp-image-…` class. An `<img>` naming another `wp-image-…` than the
    /// block's `id` stays a warning: the two point at different images.
    ///
    /// Not reported: blocks whose attributes are not JSON (`block-invalid-attributes`), blocks
    /// left unclosed or closed by a stray closer (their own rules), an empty paragraph, heading
    /// or list block (`block-empty`); an image block without an `id`.
    ///
    /// ## Why it matters
    /// When the saved HTML differs from what the attributes produce, the editor shows "This
    /// block contains unexpected or invalid content" and offers to recover the block, which
    /// rewrites it from the attributes: a level-3 heading written as `<h2>` becomes `<h3>`, an
    /// image's class is rewritten to name the block's `id`, which may be another media library
    /// entry than the file shown.
    ///
    /// ## Example
    /// ```html
    /// <!-- wp:heading {"level":3} -->
    /// <h2 class="wp-block-heading">Later</h2>
    /// <!-- /wp:heading -->
    /// ```
    /// Make them agree: `<h3 class="wp-block-heading">Later</h3>`, or `<!-- wp:heading -->`.
    pub struct BlockContentMismatch {
        code: "block-content-mismatch",
        severity: Warning,
        summary: "A core block's HTML does not match its attributes (`{\"level\":3}` with `<h2>`)",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered"],
    }
}

// Not on the walk: it reads the blocks, each looking up the elements of its own content.
impl Rule for BlockContentMismatch {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for block in &field.blocks.blocks {
                if let Some(diagnostic) = self_closed_static_block(field, post, block) {
                    out.push(diagnostic);
                }
                let Some(content) = block.content() else {
                    continue;
                };
                if matches!(block.attributes, Attributes::Invalid { .. })
                    || is_empty_block(&field.index, block)
                {
                    continue;
                }
                if let Some(diagnostic) = mismatch(field, post, block, content) {
                    out.push(diagnostic);
                }
            }
        }
    }
}

fn mismatch(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
    content: Range<usize>,
) -> Option<Diagnostic> {
    if block.name == "core/image" {
        return image_mismatch(field, post, block, content);
    }
    let (tag, why) = expected_wrapper(block)?;
    let index = &field.index;
    let name = block.short_name();
    let Some(wrapper) = first_element(index, content.clone()) else {
        if holds_nothing(index, content) {
            return None;
        }
        if block.name == "core/paragraph" {
            return Some(unwrapped_paragraph(field, post, block));
        }
        return Some(
            field
                .diagnostic(
                    &BlockContentMismatch::META,
                    post,
                    block.opener.clone(),
                    format!("a `{name}` block{why} is saved as `<{tag}>`, but this one has no `<{tag}>` around its content: the editor will call it invalid"),
                )
                .with_label(format!("no `<{tag}>` in this block"))
                .with_help(format!("wrap the block's content in `<{tag}>`")),
        );
    };
    if *wrapper.name == *tag {
        return None;
    }
    let found = &wrapper.name;
    let modern_class = index
        .attribute(wrapper, "class")
        .is_some_and(|a| index.value(a).contains("wp-block-"));
    if let Some(attribute) = legacy_attribute(block, found).filter(|_| !modern_class) {
        return Some(legacy_mismatch(
            field, post, block, wrapper, &tag, &attribute,
        ));
    }
    if block.name == "core/paragraph" && &**found == "div" {
        return Some(rewritten_on_save(
            field,
            post,
            block,
            wrapper.start_tag.clone(),
            "this `paragraph` block holds a `<div>` where it saves `<p>`: the editor accepts it and writes `<p>` when the post is next saved".to_owned(),
            "make it `<p>`".to_owned(),
        ));
    }
    Some(
        field
            .diagnostic(
                &BlockContentMismatch::META,
                post,
                wrapper.start_tag.clone(),
                format!("a `{name}` block{why} is saved as `<{tag}>`, but this one holds `<{found}>`: the editor will call it invalid"),
            )
            .with_label(format!("`<{tag}>` expected"))
            .with_secondary(field.file_range(block.opener.clone()), "the block's attributes")
            .with_help(format!(
                "make the tag `<{tag}>`, or set the block's attributes to match `<{found}>`"
            )),
    )
}

/// Before WordPress 5.0 the block editor read a heading's level and a list's kind from the
/// tag, and wrote no attribute for them: `<!-- wp:heading --><h3>` was valid then (and no
/// `wp-block-heading` class, which later versions add). The attribute such a block lacks
/// today (`"level":3`), when the block is of that form.
fn legacy_attribute(block: &Block, found: &str) -> Option<String> {
    match block.name.as_str() {
        "core/heading" if block.attribute("level").is_none() => {
            let level = found.strip_prefix('h')?;
            crate::html::is_heading(found).then(|| format!("\"level\":{level}"))
        }
        "core/list" if block.attribute("ordered").is_none() && found == "ol" => {
            Some("\"ordered\":true".to_owned())
        }
        _ => None,
    }
}

/// A block written before WordPress 5.0: its page is as the author made it, but the editor
/// calls it invalid, and its recovery would rewrite the tag. An info.
fn legacy_mismatch(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
    wrapper: &Element,
    tag: &str,
    attribute: &str,
) -> Diagnostic {
    let name = block.short_name();
    let found = &wrapper.name;
    field
        .diagnostic(
            &BlockContentMismatch::META,
            post,
            wrapper.start_tag.clone(),
            format!("this `{name}` block has `<{found}>` but no `{attribute}`: written before WordPress 5.0, when the tag was enough; the editor now expects `<{tag}>`, calls the block invalid, and its recovery would make it `<{tag}>`"),
        )
        .with_severity(Severity::Info)
        .with_label(format!("`{attribute}` missing"))
        .with_secondary(field.file_range(block.opener.clone()), "the block's attributes")
        .with_help(format!("add `{{{attribute}}}` to the block's opener"))
}

/// Markup the block editor accepts as it is and rewrites the next time the post is saved:
/// the page is as the author made it, and nothing is called invalid. An info.
fn rewritten_on_save(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
    span: Range<usize>,
    message: String,
    help: String,
) -> Diagnostic {
    let at_opener = span == block.opener;
    let diagnostic = field
        .diagnostic(&BlockContentMismatch::META, post, span, message)
        .with_severity(Severity::Info)
        .with_label("rewritten on the next save")
        .with_help(help);
    if at_opener {
        return diagnostic;
    }
    diagnostic.with_secondary(
        field.file_range(block.opener.clone()),
        "the block's attributes",
    )
}

/// A paragraph block whose text has no `<p>` around it, as classic paragraphs converted to
/// blocks were written: the editor migrates it to `<p>`, and does not call it invalid.
fn unwrapped_paragraph(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
) -> Diagnostic {
    rewritten_on_save(
        field,
        post,
        block,
        block.opener.clone(),
        "this `paragraph` block's text has no `<p>` around it: the editor migrates it and writes `<p>` when the post is next saved".to_owned(),
        "wrap the block's text in `<p>`".to_owned(),
    )
}

/// A block the editor always saves with HTML, written self-closing: `<!-- wp:separator /-->`
/// has no `<hr>`, and the editor calls it invalid. Only the separator: a paragraph, heading or
/// list written so is an empty block (`block-empty`'s), and other blocks' saved HTML depends
/// on attributes this rule does not read.
fn self_closed_static_block(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
) -> Option<Diagnostic> {
    if !matches!(block.end, BlockEnd::SelfClosing) || block.name != "core/separator" {
        return None;
    }
    Some(
        field
            .diagnostic(
                &BlockContentMismatch::META,
                post,
                block.opener.clone(),
                "a `separator` block is saved as `<hr>`, but this one is written self-closing, with no `<hr>`: the editor will call it invalid".to_owned(),
            )
            .with_label("no `<hr>` in this block")
            .with_help("write the block with its `<hr>`: `<!-- wp:separator --><hr class=\"wp-block-separator\"/><!-- /wp:separator -->`, or remove it"),
    )
}

/// The tag a block's HTML starts with, and the attributes that make it so (for the message);
/// `None` for blocks this rule does not know, and for attributes it cannot read.
fn expected_wrapper(block: &Block) -> Option<(String, String)> {
    let tag = |tag: &str, why: &str| Some((tag.to_owned(), why.to_owned()));
    match block.name.as_str() {
        "core/paragraph" => tag("p", ""),
        "core/quote" => tag("blockquote", ""),
        "core/separator" => tag("hr", ""),
        "core/heading" => match block.attribute("level") {
            None => tag("h2", " without `level`"),
            Some(level) => {
                let level = level.as_u64().filter(|l| (1..=6).contains(l))?;
                tag(&format!("h{level}"), &format!(" with `\"level\":{level}`"))
            }
        },
        "core/list" => match block.attribute("ordered") {
            Some(serde_json::Value::Bool(true)) => tag("ol", " with `\"ordered\":true`"),
            None | Some(serde_json::Value::Bool(false)) => tag("ul", " that is not `ordered`"),
            Some(_) => None,
        },
        _ => None,
    }
}

/// The first element whose start tag is inside `range`.
fn first_element(index: &HtmlIndex, range: Range<usize>) -> Option<&Element> {
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < range.start);
    index
        .elements
        .get(from)
        .filter(|e| e.start_tag.start < range.end)
}

/// An image block with an `id` saves its `<img>` with the class `wp-image-<id>`.
fn image_mismatch(
    field: &HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    block: &Block,
    content: Range<usize>,
) -> Option<Diagnostic> {
    let id = media_id(block.attribute("id")?)?;
    let index = &field.index;
    let from = index
        .elements
        .partition_point(|e| e.start_tag.start < content.start);
    let image = index.elements[from..]
        .iter()
        .take_while(|e| e.start_tag.start < content.end)
        .take(64) // an image block's `<img>` comes first, in its `<figure>`
        .find(|e| &*e.name == "img")?;
    let class = index
        .attribute(image, "class")
        .map_or("", |a| index.value(a));
    let found = class
        .split_ascii_whitespace()
        .find_map(|c| c.strip_prefix("wp-image-"));
    if found == Some(id.to_string().as_str()) {
        return None;
    }
    let Some(other) = found else {
        return Some(rewritten_on_save(
            field,
            post,
            block,
            image.start_tag.clone(),
            format!(
                "this `image` block with `\"id\":{id}` has no `wp-image-{id}` class on its `<img>`: the editor accepts it and adds the class when the post is next saved"
            ),
            format!("add the class `wp-image-{id}` to the `<img>`"),
        ));
    };
    let message = format!(
        "an `image` block with `\"id\":{id}` saves its `<img>` with the class `wp-image-{id}`, but this one has `wp-image-{other}`: the editor will call it invalid"
    );
    Some(
        field
            .diagnostic(
                &BlockContentMismatch::META,
                post,
                image.start_tag.clone(),
                message,
            )
            .with_label(format!("`wp-image-{id}` expected"))
            .with_secondary(
                field.file_range(block.opener.clone()),
                "the block's attributes",
            )
            .with_help("make the class and the block's `id` name the same media library image"),
    )
}

/// A media id as blocks write it: a number, or digits in a string.
fn media_id(value: &serde_json::Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}
