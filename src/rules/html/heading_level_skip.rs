use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::{Element, ElementId};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::html::visibility::Hidden;
use crate::rules::declare_rule;
use crate::rules::helpers::headings::{heading_level, is_empty_heading_if, is_theme_title};

declare_rule! {
    /// ## What it does
    /// Reports a heading more than one level below the heading before it (`<h2>` followed by
    /// `<h4>`). The post's title is the page's `<h1>`, so a post whose first heading is an
    /// `<h3>` skips the `<h2>` level. Going back up (`<h4>` then `<h2>`) is fine.
    ///
    /// Each skip is reported once, at the heading after the gap: a post whose headings are
    /// all `<h3>` gets one finding, at the first.
    ///
    /// Not reported, and not counted as the level before the next heading: empty headings,
    /// which `empty-heading` reports; headings hidden from readers (as `empty-heading` says);
    /// and a theme's or a block's
    /// title slots captured with the page (`entry-title`, `post-title`, a query loop's
    /// `wp-block-post-title`), whose level the theme picks for its lists of posts.
    ///
    /// ## Why it matters
    /// Screen-reader users move through a page by its headings, and a skipped level tells
    /// them a section is missing. The outline also feeds the table of contents that themes
    /// and search engines build. Headings are picked for their size more often than for
    /// their level; the size belongs to the theme's styles.
    ///
    /// ## Example
    /// ```html
    /// <h2>Results</h2>
    /// <h4>By region</h4>
    /// ```
    /// Make `By region` an `<h3>`, and style it smaller if that was the point.
    pub struct HeadingLevelSkip {
        code: "heading-level-skip",
        severity: Info,
        summary: "A heading more than one level below the previous one (`h2` → `h4`); the title is the `h1`",
        phase: Post,
        reads: ["content.rendered"],
    }
}

/// The post's title is the page's `<h1>`.
const TITLE_LEVEL: u8 = 1;

impl Rule for HeadingLevelSkip {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Heading]).reading_hidden()
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(Outline {
            previous: None,
            out: Vec::new(),
        }))
    }
}

/// The headings of a post's content, in the walk's order.
struct Outline {
    /// `None` until the first heading: the level before it is the title's.
    previous: Option<u8>,
    out: Vec<Diagnostic>,
}

impl<'v> Visitor<'v> for Outline {
    fn element(&mut self, at: &At<'v>, _id: ElementId, heading: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content {
            return;
        }
        let Some(level) = heading_level(&heading.name) else {
            return;
        };
        let hidden = at.hidden > Hidden::No;
        let outside_outline = hidden
            || is_empty_heading_if(index, heading, || hidden)
            || is_theme_title(index, heading);
        if outside_outline {
            return;
        }
        if level > self.previous.unwrap_or(TITLE_LEVEL) + 1 {
            self.out.push(skip(
                field,
                at.post,
                heading.start_tag.clone(),
                self.previous,
                level,
            ));
        }
        self.previous = Some(level);
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.out);
    }
}

fn skip(
    field: &crate::context::HtmlField<'_, '_>,
    post: &PostContext<'_, '_>,
    start_tag: std::ops::Range<usize>,
    previous: Option<u8>,
    level: u8,
) -> Diagnostic {
    // The first heading follows the title; a later one follows the heading before it, which
    // may be an `<h1>` of the content itself.
    let message = match previous {
        None => format!(
            "the first heading is an `<h{level}>`: under the title (the `<h1>`), `<h2>` is skipped"
        ),
        Some(previous) => format!(
            "`<h{level}>` follows an `<h{previous}>`: level {} is skipped",
            previous + 1
        ),
    };
    let previous = previous.unwrap_or(TITLE_LEVEL);
    field
        .diagnostic(&HeadingLevelSkip::META, post, start_tag, message)
        .with_label(format!("skips from h{previous}"))
        .with_help(format!(
            "make it an `<h{}>` (style it smaller if that was the point), or add the missing level",
            previous + 1
        ))
}
