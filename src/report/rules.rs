//! `postlint rules` and `postlint explain`: the registry as people read it.

use crate::config::Config;
use crate::meta::{Markup, Phase, RuleMeta};
use crate::rules;

/// Every rule with its severity under `config` (`off` when it does not run), its phase and its
/// summary; a severity set by the config names where.
pub fn list(config: &Config) -> String {
    let levels = config.rule_levels();
    let width = levels.iter().map(|(c, _, _)| c.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (code, level, from) in levels {
        let (phase, summary) = rules::find(&code).map_or(
            // Pattern rules match the text of each post.
            (Phase::Post, "pattern rule from a pack"),
            |r| (r.meta().phase, r.meta().summary),
        );
        let from = from.map(|f| format!(" (set in {f})")).unwrap_or_default();
        out.push_str(&format!(
            "{code:width$}  {:7}  {:5}  {summary}{from}\n",
            level.as_str(),
            phase.as_str()
        ));
    }
    out
}

/// The README's rule table: every built-in rule with its default severity and its summary, as
/// Markdown.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| code | default severity | what it flags |\n| --- | --- | --- |\n");
    for rule in rules::ALL {
        let meta = rule.meta();
        let off = if meta.enabled_by_default {
            ""
        } else {
            " (off by default)"
        };
        out.push_str(&format!(
            "| `{}` | {}{off} | {} |\n",
            meta.code, meta.severity, meta.summary
        ));
    }
    out
}

pub fn explain(code: &str) -> Result<String, String> {
    let Some(rule) = rules::find(code) else {
        let known: Vec<_> = rules::ALL.iter().map(|r| r.meta().code).collect();
        return Err(format!(
            "no rule `{code}`; the rules are: {}",
            known.join(", ")
        ));
    };
    let meta = rule.meta();
    let off = if meta.enabled_by_default {
        ""
    } else {
        " (off by default)"
    };
    Ok(format!(
        "# {} ({})\n\n{}\n\nDefault severity: {}{off}. Phase: {}. Reads: {}.\n",
        meta.code,
        meta.summary,
        meta.doc_text(),
        meta.severity,
        meta.phase.as_str(),
        reads(meta)
    ))
}

/// The fields a rule reads, saying which text of an HTML field it judges: what the author
/// wrote (raw) when the post has it, or only what the site rendered.
fn reads(meta: &RuleMeta) -> String {
    let listed = meta.reads.join(", ");
    let html: Vec<&str> = (meta.reads.iter())
        .filter_map(|field| field.strip_suffix(".rendered"))
        .collect();
    if html.is_empty() {
        return listed;
    }
    let raw: Vec<String> = html.iter().map(|name| format!("{name}.raw")).collect();
    match meta.markup {
        Markup::Written => format!(
            "{listed}; what the author wrote instead when the post has it ({}, WXR's \
             `content:encoded`, WP-CLI's `post_content`)",
            raw.join(", ")
        ),
        Markup::Rendered => format!(
            "{listed} only, what the site produced (posts that hold only raw text, from WXR or \
             WP-CLI, are not checked)"
        ),
    }
}
