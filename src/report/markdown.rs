//! `--format markdown`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: totals,
//! the posts with their counts (titles linked to the posts), and the first findings of each.

use std::fmt::Write;

use crate::outcome::CheckOutcome;

use super::Summary;
use super::posts::{Keep, by_post, display_name, edit_link};

/// Posts listed before the rest is counted.
const POSTS_SHOWN: usize = 50;
/// Findings quoted per post.
const FINDINGS_SHOWN: usize = 3;

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
            .filter(|l| is_web_link(l));
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
            format!("; and {more} more")
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
    out
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
