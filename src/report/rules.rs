//! `postlint rules` and `postlint explain`: the registry as people read it.

use crate::rules;

pub fn list() -> String {
    let width = rules::ALL
        .iter()
        .map(|r| r.meta().code.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for rule in rules::ALL {
        let meta = rule.meta();
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            meta.code,
            meta.severity.as_str(),
            meta.summary
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
    Ok(format!(
        "# {} ({})\n\n{}\n\nDefault severity: {}. Reads: {}.\n",
        meta.code,
        meta.summary,
        meta.doc_text(),
        meta.severity,
        meta.reads.join(", ")
    ))
}
