//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: totals,
//! the posts with their counts (titles linked to the posts), the first findings of each, and
//! for the first posts those findings in the field's HTML as written (decoded from the JSON),
//! the finding's bytes marked.

use std::fmt::Write;

use crate::outcome::CheckOutcome;

use super::Summary;
use super::posts::{Keep, PostFindings, by_post, display_name, edit_link};
use super::snippets::Snippets;

/// Posts listed before the rest is counted.
const POSTS_SHOWN: usize = 50;
/// Findings quoted per post.
const FINDINGS_SHOWN: usize = 3;
/// Posts whose findings are shown in their HTML: a comment has a size limit. The others'
/// folds list their findings without it.
const SNIPPET_POSTS: usize = 10;

pub fn render(outcome: &CheckOutcome) -> String {
    let summary = Summary::of(outcome);
    let mut out = String::new();
    let _ = writeln!(out, "## postlint: {}\n", summary.line());
    if !summary.by_rule.is_empty() {
        out.push_str("| rule | findings |\n| --- | ---: |\n");
        for (rule, count) in &summary.by_rule {
            let _ = writeln!(out, "| `{rule}` | {count} |");
        }
        out.push('\n');
    }
    let posts: Vec<_> = by_post(outcome, Keep::Findings)
        .into_iter()
        .filter(|p| !p.findings.is_empty())
        .collect();
    if posts.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| post | errors | warnings | infos | first findings |\n| --- | ---: | ---: | ---: | --- |\n");
    for post in posts.iter().take(POSTS_SHOWN) {
        let name = escape(&display_name(post.post.as_deref()));
        let link = post
            .post
            .as_ref()
            .and_then(|p| p.link.as_deref())
            .filter(|l| is_web_link(l) && l.len() <= crate::diagnostic::MAX_LINK_CHARS);
        let title = match link {
            Some(link) => format!("[{name}]({})", link.replace(')', "%29").replace(' ', "%20")),
            None => name,
        };
        let edit = post
            .post
            .as_deref()
            .and_then(edit_link)
            .map(|e| format!(" ([edit]({e}))"))
            .unwrap_or_default();
        let first: Vec<String> = post
            .findings
            .iter()
            .take(FINDINGS_SHOWN)
            .map(|f| {
                format!(
                    "`{}` {} ({}:{})",
                    f.diagnostic.rule,
                    message(&f.diagnostic.message),
                    f.span.line,
                    f.span.column
                )
            })
            .collect();
        let more = post.findings.len().saturating_sub(FINDINGS_SHOWN);
        let more = if more > 0 {
            format!("; and {more} more (below)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {title}{edit}<br>`{}` | {} | {} | {} | {}{more} |",
            escape(post.file),
            post.counts.errors,
            post.counts.warnings,
            post.counts.infos,
            first.join("<br>")
        );
    }
    if posts.len() > POSTS_SHOWN {
        let _ = writeln!(
            out,
            "\n… and {} more posts with findings.",
            posts.len() - POSTS_SHOWN
        );
    }
    let snippets = Snippets::new(outcome);
    for (n, post) in posts.iter().take(POSTS_SHOWN).enumerate() {
        out.push_str(&in_context(post, &snippets, n < SNIPPET_POSTS));
    }
    out
}

/// Every finding of a post, folded: each finding's line, then (for the first posts) its
/// snippet in a `<pre>` (where Markdown is not read) with the finding's bytes in `<mark>`.
/// A post read from a site is located by field (`content.raw:2:39`), not by the JSON of the
/// site's answer.
fn in_context(post: &PostFindings<'_>, snippets: &Snippets<'_>, with_text: bool) -> String {
    let mut out = format!(
        "\n<details><summary>{}: {}</summary>\n\n",
        html_escape(&display_name(post.post.as_deref())),
        post.counts.phrase()
    );
    let mut fields = snippets.fields(post.file).filter(|_| post.fetched);
    for finding in &post.findings {
        let place = fields.as_mut().and_then(|f| f.place(finding));
        let at = match place {
            Some(place) => place.to_string(),
            None => format!(
                "{}:{}:{}",
                post.file.replace('`', "'"),
                finding.span.line,
                finding.span.column
            ),
        };
        let _ = writeln!(
            out,
            "`{}` {} · `{at}`",
            finding.diagnostic.rule,
            message(&finding.diagnostic.message),
        );
        let text = with_text
            .then(|| snippets.around(post.file, finding))
            .flatten();
        if let Some((before, hit, after, _)) = text {
            let _ = writeln!(
                out,
                "<pre>{}<mark>{}</mark>{}</pre>\n",
                html_escape(&before),
                html_escape(&hit),
                html_escape(&after)
            );
        } else {
            out.push('\n');
        }
    }
    out.push_str("</details>\n");
    out
}

/// Text safe inside HTML elements.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn is_web_link(link: &str) -> bool {
    link.starts_with("https://") || link.starts_with("http://")
}

/// A message whose `code` parts stay code spans (where `<` is literal) and whose prose is
/// escaped.
fn message(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{}`", part.replace('|', "\\|").replace(['\n', '\r'], " "))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Text safe in a table cell: no HTML, no `|`, no backticks breaking code spans.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}
