//! `--format junit`: one test case per post, a failure per finding, as CI systems read it.

use std::fmt::Write;

use crate::outcome::CheckOutcome;

use super::posts::{Keep, by_post, display_name};

pub fn render(outcome: &CheckOutcome) -> String {
    let posts = by_post(outcome, Keep::Findings);
    let failed_posts = posts.iter().filter(|p| !p.findings.is_empty()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"postlint\" tests=\"{}\" failures=\"{failed_posts}\">",
        posts.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"postlint\" tests=\"{}\" failures=\"{failed_posts}\" errors=\"0\" skipped=\"0\">",
        posts.len()
    );
    for post in &posts {
        let name = match &post.post {
            Some(p) => format!(
                "{} (post {} of {})",
                display_name(Some(p)),
                p.index,
                post.file
            ),
            None => format!("{} ({})", display_name(None), post.file),
        };
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(post.file),
            xml(&name)
        );
        if post.findings.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for finding in &post.findings {
            let d = &finding.diagnostic;
            let s = &finding.span;
            let detail = format!(
                "{}:{}:{}: {} [{}]\n{}",
                post.file,
                s.line,
                s.column,
                d.message,
                d.rule,
                d.help.as_deref().unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml(d.rule),
                xml(&d.message),
                xml(&detail)
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text safe in XML content and attributes; characters XML 1.0 forbids are dropped.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
