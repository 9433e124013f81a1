use std::ops::Range;

use crate::blocks::{Attributes, Block, holds_nothing, is_empty_block};
use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, HtmlIndex};
use crate::rule::Rule;

use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a core block whose HTML does not follow from its attributes, where the block
    /// editor rebuilds that HTML from them and compares:
    /// - `heading`: `<h2>` unless `"level"` says another (`{"level":3}` saves `<h3>`);
    /// - `paragraph`: `<p>`; `quote`: `<blockquote>`; `separator`: `<hr>`;
    /// - `list`: `<ul>`, or `<ol>` with `"ordered":true`;
    /// - `image`: with `"id":N`, the `<img>` has the class `wp-image-N`.
    ///
    /// The span is the tag that does not match, or the block's opener when the tag is missing.
    ///
    /// Not reported: blocks whose attributes are not JSON (`block-invalid-attributes`), blocks
    /// left unclosed or closed by a stray closer (their own rules), an empty paragraph, heading
    /// or list block (`block-empty`); an image block without an `id`.
    ///
    /// ## Why it matters
    /// When the saved HTML differs from what the attributes produce, the editor shows "This
    /// block contains unexpected or invalid content" and offers to recover the block, which
    /// rewrites it from the attributes: a level-3 heading written as `<h2>` becomes `<h3>`, an
    /// image loses the link to its media library entry.
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

impl Rule for BlockContentMismatch {
    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            for block in &field.blocks.blocks {
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
        return Some(
            field
                .diagnostic(
                    &BlockContentMismatch::META,
                    post,
                    block.opener.clone(),
                    format!("the `{name}` block saves {why} `<{tag}>`, but its HTML has none: the editor will call the block invalid"),
                )
                .with_label(format!("no `<{tag}>` in this block"))
                .with_help(format!("wrap the block's content in `<{tag}>`")),
        );
    };
    if *wrapper.name == *tag {
        return None;
    }
    let found = &wrapper.name;
    Some(
        field
            .diagnostic(
                &BlockContentMismatch::META,
                post,
                wrapper.start_tag.clone(),
                format!("the `{name}` block saves {why} `<{tag}>`, but its HTML has `<{found}>`: the editor will call the block invalid"),
            )
            .with_label(format!("`<{tag}>` expected"))
            .with_secondary(field.file_range(block.opener.clone()), "the block's attributes")
            .with_help(format!(
                "make the tag `<{tag}>`, or set the block's attributes to match `<{found}>`"
            )),
    )
}

/// The tag a block's HTML starts with, and why (for the message); `None` for blocks this
/// rule does not know, and for attributes it cannot read.
fn expected_wrapper(block: &Block) -> Option<(String, String)> {
    let simple = |tag: &str| Some((tag.to_owned(), "its content in".to_owned()));
    match block.name.as_str() {
        "core/paragraph" => simple("p"),
        "core/quote" => simple("blockquote"),
        "core/separator" => Some(("hr".to_owned(), "a".to_owned())),
        "core/heading" => match block.attribute("level") {
            None => Some(("h2".to_owned(), "(with no `level`) its text in".to_owned())),
            Some(level) => {
                let level = level.as_u64().filter(|l| (1..=6).contains(l))?;
                Some((
                    format!("h{level}"),
                    format!("(`\"level\":{level}`) its text in"),
                ))
            }
        },
        "core/list" => match block.attribute("ordered") {
            Some(serde_json::Value::Bool(true)) => Some((
                "ol".to_owned(),
                "(`\"ordered\":true`) its items in".to_owned(),
            )),
            None | Some(serde_json::Value::Bool(false)) => {
                Some(("ul".to_owned(), "(not `ordered`) its items in".to_owned()))
            }
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
    let message = match found {
        Some(other) => format!(
            "the image block's `\"id\":{id}` saves `class=\"wp-image-{id}\"`, but the `<img>` has `wp-image-{other}`: the editor will call the block invalid"
        ),
        None => format!(
            "the image block's `\"id\":{id}` saves `class=\"wp-image-{id}\"`, but the `<img>` has no `wp-image-` class: the editor will call the block invalid"
        ),
    };
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
