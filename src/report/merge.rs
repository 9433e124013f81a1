//! `postlint merge`: the JSON reports of several shard jobs as one report of the same schema.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::json::REPORT_VERSION;

pub fn merge_files(paths: &[PathBuf]) -> Result<String, String> {
    let mut reports = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let report: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        if report.get("version").and_then(Value::as_u64) != Some(u64::from(REPORT_VERSION)) {
            return Err(format!(
                "{} is not a postlint JSON report of version {REPORT_VERSION}",
                path.display()
            ));
        }
        reports.push(report);
    }
    let mut text =
        serde_json::to_string_pretty(&merge(&reports)).expect("merged values always serialize");
    text.push('\n');
    Ok(text)
}

/// Sums the summaries and concatenates diagnostics and posts, in the order given.
pub fn merge(reports: &[Value]) -> Value {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut sites: Vec<Value> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut posts = Vec::new();
    for report in reports {
        let summary = &report["summary"];
        for key in ["files", "posts", "errors", "warnings", "infos"] {
            *counts.entry(key).or_default() += summary[key].as_u64().unwrap_or(0);
        }
        if let Some(rules) = summary["by_rule"].as_object() {
            for (rule, count) in rules {
                *by_rule.entry(rule.clone()).or_default() += count.as_u64().unwrap_or(0);
            }
        }
        if let Some(notes) = summary["sites"].as_array() {
            sites.extend(notes.iter().cloned());
        }
        diagnostics.extend(
            report["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        posts.extend(report["posts"].as_array().cloned().unwrap_or_default());
    }
    let mut summary = Map::new();
    for (key, value) in counts {
        summary.insert(key.to_owned(), json!(value));
    }
    summary.insert("by_rule".to_owned(), json!(by_rule));
    if !sites.is_empty() {
        summary.insert("sites".to_owned(), Value::Array(sites));
    }
    json!({
        "version": REPORT_VERSION,
        "tool": reports.first().map_or(json!({"name": "postlint", "version": env!("CARGO_PKG_VERSION")}), |r| r["tool"].clone()),
        "summary": summary,
        "diagnostics": diagnostics,
        "posts": posts,
    })
}
