use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::{Closed, Element, ElementId};
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a link opened inside another link: `<a href="/a">Read <a href="/b">this</a></a>`.
    /// HTML does not allow it, and browsers end the outer link where the inner one starts.
    ///
    /// One defect, one finding: the outer link's end tag, which then closes nothing, is not
    /// reported again by `stray-end-tag`, nor the outer link by `unclosed-element`.
    ///
    /// ## Why it matters
    /// The words after the inner link, which the author meant to be part of the outer one, are
    /// not linked at all, and the inner link may point somewhere the author did not mean: the
    /// usual cause is a link pasted into the text of another.
    ///
    /// ## Example
    /// ```html
    /// <p><a href="https://example.com/report">Read the <a href="https://example.com/pdf">full report</a></a></p>
    /// ```
    /// Keep one of the two links.
    pub struct NestedLink {
        code: "nested-link",
        severity: Error,
        summary: "A link opened inside another link: browsers cut the outer one short",
        phase: Post,
        reads: ["content.rendered", "excerpt.rendered", "title.rendered"],
    }
}

/// The start tag of the link that cut this one short, if one did.
fn inner_link<'a>(element: &'a Element, html: &str) -> Option<&'a std::ops::Range<usize>> {
    let Closed::Implied { by } = &element.closed else {
        return None;
    };
    let tag = html.get(by.clone())?.as_bytes();
    let opens_a_link = tag.len() > 2
        && tag[1].eq_ignore_ascii_case(&b'a')
        && (tag[2].is_ascii_whitespace() || tag[2] == b'>' || tag[2] == b'/');
    (tag[0] == b'<' && opens_a_link).then_some(by)
}

impl Rule for NestedLink {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Link])
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(NestedLinks(Vec::new())))
    }
}

/// The links of a post cut short by a link opened inside them, as the walk meets them.
struct NestedLinks(Vec<Diagnostic>);

impl<'v> Visitor<'v> for NestedLinks {
    fn element(&mut self, at: &At<'v>, _id: ElementId, outer: &'v Element) {
        let field = at.field;
        let Some(inner) = inner_link(outer, field.source.as_str()) else {
            return;
        };
        if at.index().attribute(outer, "href").is_none() {
            return;
        }
        self.0.push(
            field
                .diagnostic(
                    &NestedLink::META,
                    at.post,
                    inner.clone(),
                    "a link opened inside another link: browsers end the outer link here",
                )
                .with_label("inner link")
                .with_secondary(field.file_range(outer.start_tag.clone()), "outer link")
                .with_help("keep one of the two links: close the outer `</a>` before this one, or remove it"),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.0);
    }
}
