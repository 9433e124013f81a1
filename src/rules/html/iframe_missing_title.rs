use crate::context::PostContext;
use crate::context::walk::{At, Kind, Visitor, Visits};
use crate::diagnostic::Diagnostic;
use crate::html::structure::code_block;
use crate::html::visibility::Hidden;
use crate::html::{Element, ElementId, HtmlIndex, is_blank};
use crate::post::HtmlFieldKind;
use crate::rule::Rule;

use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `<iframe>` with no `title` (or a blank one) and no `aria-label` or
    /// `aria-labelledby`: an embedded widget, map, form or video with no accessible name.
    /// One finding per frame.
    ///
    /// Not reported: a frame hidden from readers (`hidden`, `aria-hidden="true"`,
    /// `display:none`, on it or an element around it, or an Elementor widget hidden on every
    /// device; `role="presentation"` or `role="none"`, or 1×1 and smaller, a tracking
    /// frame); a frame inside a code sample (`<pre>`, `<code>`), which is the sample's code.
    ///
    /// ## Why it matters
    /// Screen readers announce a frame by its title; without one, the reader hears "frame" and
    /// must enter it to learn what it is (WCAG 4.1.2, technique H64). html-validate's
    /// `wcag/h64` reports the same frames. WordPress's own embeds carry a title; frames
    /// pasted from a provider's embed code often do not.
    ///
    /// ## Example
    /// ```html
    /// <iframe src="https://maps.example.org/embed?q=harbour" width="600" height="450"></iframe>
    /// ```
    /// Name it: `<iframe title="Map of the harbour" …>`.
    pub struct IframeMissingTitle {
        code: "iframe-missing-title",
        severity: Warning,
        summary: "An `<iframe>` without a title: a widget, map or form with no accessible name",
        phase: Post,
        reads: ["content.rendered"],
    }
}

impl Rule for IframeMissingTitle {
    fn visits(&self) -> Visits {
        Visits::elements(&[Kind::Frame]).reading_hidden()
    }

    fn start<'v>(&self, _post: &'v PostContext<'v, 'v>) -> Option<Box<dyn Visitor<'v> + 'v>> {
        Some(Box::new(UnnamedFrames(Vec::new())))
    }
}

/// The frames of a post's content without a name, as the walk meets them.
struct UnnamedFrames(Vec<Diagnostic>);

impl<'v> Visitor<'v> for UnnamedFrames {
    fn element(&mut self, at: &At<'v>, _id: ElementId, frame: &'v Element) {
        let (field, index) = (at.field, at.index());
        if field.kind != HtmlFieldKind::Content || !is_unnamed(index, frame, at.hidden > Hidden::No)
        {
            return;
        }
        self.0.push(
            field
                .diagnostic(
                    &IframeMissingTitle::META,
                    at.post,
                    frame.start_tag.clone(),
                    format!(
                        "this frame{} has no `title`: screen readers announce it as \
                         \"frame\", with nothing to say what it holds",
                        from_host(index, frame)
                    ),
                )
                .with_label("no title")
                .with_help("say what the frame holds in `title=\"…\"` (\"Map of the harbour\")"),
        );
    }

    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>) {
        crate::diagnostic::append(out, self.0);
    }
}

/// A frame with no accessible name, shown to readers (`hidden`: the walk found it is not),
/// and not a code sample's text.
fn is_unnamed(index: &HtmlIndex, frame: &Element, hidden: bool) -> bool {
    let named = ["title", "aria-label", "aria-labelledby"]
        .iter()
        .filter_map(|name| index.attribute(frame, name))
        .any(|a| !is_blank(index.value(a)));
    let presentational = index.attribute(frame, "role").is_some_and(|role| {
        matches!(
            index.value(role).trim().to_ascii_lowercase().as_str(),
            "presentation" | "none"
        )
    });
    !named
        && !presentational
        && !hidden
        && !is_tiny(index, frame)
        && code_block(index, frame).is_none()
}

/// 1×1 or smaller: a tracking frame no reader sees.
fn is_tiny(index: &HtmlIndex, frame: &Element) -> bool {
    let size = |name: &str| {
        index.attribute(frame, name).and_then(|a| {
            index
                .value(a)
                .trim()
                .trim_end_matches("px")
                .parse::<u32>()
                .ok()
        })
    };
    size("width").is_some_and(|w| w <= 1) || size("height").is_some_and(|h| h <= 1)
}

/// ` from maps.example.org`, when the frame's `src` names a host.
fn from_host(index: &HtmlIndex, frame: &Element) -> String {
    index
        .attribute(frame, "src")
        .and_then(|src| url::Url::parse(index.value(src).trim()).ok())
        .and_then(|url| url.host_str().map(|host| format!(" from {host}")))
        .unwrap_or_default()
}
