use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::engine::{HtmlField, PostContext, Rule, RuleMeta};
use crate::html::{StrayEndTag as Stray, is_block};

use super::declare_rule;

fn diagnostic(post: &PostContext<'_, '_>, field: &HtmlField<'_, '_>, stray: &Stray) -> Diagnostic {
    let name = &*stray.name;
    let (severity, message, help) = match name {
        "a" => (
            Severity::Error,
            "`</a>` closes no link: the link's start tag and its `href` were lost".to_owned(),
            "restore the `<a href=\"…\">` start tag the text had, or remove this `</a>`".to_owned(),
        ),
        "p" => (
            Severity::Info,
            "`</p>` closes no paragraph".to_owned(),
            "remove it: browsers add an empty paragraph in its place".to_owned(),
        ),
        "br" => (
            Severity::Warning,
            "`</br>` is not a line break end tag".to_owned(),
            "write `<br>`: browsers read `</br>` as one anyway".to_owned(),
        ),
        _ if is_block(name) => (
            Severity::Info,
            format!("`</{name}>` has no open `<{name}>` to close"),
            format!("remove this `</{name}>`; browsers ignore it"),
        ),
        _ => (
            Severity::Warning,
            format!("`</{name}>` has no open `<{name}>` to close"),
            format!(
                "its start tag was lost, and with it the formatting it gave; \
                 restore the `<{name}>` or remove this `</{name}>`"
            ),
        ),
    };
    let diagnostic = field
        .diagnostic(&StrayEndTag::META, post, stray.span.clone(), message)
        .with_severity(severity)
        .with_label("stray end tag")
        .with_help(help);
    // Browsers ignore a stray end tag, but for `</p>` and `</br>`, which make an element; and
    // a lost link needs a person to restore it, not a fix that hides the trace.
    if matches!(name, "p" | "br" | "a") {
        return diagnostic;
    }
    let removal = Edit::delete(field.file_range(stray.span.clone()));
    diagnostic.with_fix(
        Applicability::Safe,
        format!("remove the stray `</{name}>`"),
        vec![removal],
    )
}

declare_rule! {
    /// ## What it does
    /// Reports an end tag with no open element to close, such as a `</span>` whose `<span>` was
    /// lost. Its severity follows what a reader sees:
    /// - `</a>` is an error: the link's start tag, and with it the `href`, is gone, so the text
    ///   that was a link is plain text now.
    /// - `</span>`, `</b>`, `</em>` and other inline end tags are warnings: the formatting or
    ///   style they closed was lost.
    /// - `</p>`, `</div>` and other block end tags are infos: browsers ignore them (or add an
    ///   empty paragraph), and WordPress's auto-paragraph filter leaves them after comments.
    ///
    /// An end tag is matched the way browsers match it (the HTML standard's tree construction),
    /// so `<p><div>…</div></p>` has a stray `</p>`: the `<div>` closed the paragraph.
    ///
    /// ## Why it matters
    /// Stray end tags are the trace of markup that was damaged on its way into WordPress: a
    /// paste from another editor, an export, a plugin. Each one marks a place where the post
    /// lost something its author meant, most often a link.
    ///
    /// ## Example
    /// ```html
    /// <p>Officials <span>signed</span></a> new guidelines.</p>
    /// ```
    /// The `</a>` closes no link: restore `<a href="…">` before "signed", or remove the `</a>`.
    pub struct StrayEndTag {
        code: "stray-end-tag",
        severity: Warning,
        summary: "An end tag closes no open element (a lost link, lost formatting)",
        reads: ["title.rendered", "content.rendered", "excerpt.rendered"],
    }
}

impl Rule for StrayEndTag {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, post: &PostContext<'_, '_>, out: &mut Vec<Diagnostic>) {
        for field in &post.html {
            out.extend(
                field
                    .index
                    .stray_end_tags
                    .iter()
                    .map(|stray| diagnostic(post, field, stray)),
            );
        }
    }
}
