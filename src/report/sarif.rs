//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDEs).

use serde_json::{Value, json};

use crate::diagnostic::{Finding, Severity};
use crate::outcome::CheckOutcome;
use crate::rules;

pub fn render(outcome: &CheckOutcome) -> String {
    let rule_list: Vec<Value> = rules::ALL.iter().map(|r| rule(r.meta())).collect();
    let results: Vec<Value> = outcome
        .reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| result(&r.file.name, &f)))
        .collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "postlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/postlint/postlint",
                    "rules": rule_list,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&report).expect("SARIF values always serialize");
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &crate::meta::RuleMeta) -> Value {
    let doc = meta.doc_text();
    json!({
        "id": meta.code,
        "name": camel_case(meta.code),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": first_paragraph(&doc) },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": {
            "level": level(meta.severity),
            "enabled": meta.enabled_by_default,
        },
    })
}

/// The text under "What it does", for the rule's full description.
fn first_paragraph(doc: &str) -> String {
    doc.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn result(file: &str, finding: &Finding) -> Value {
    let d = &finding.diagnostic;
    let span = &finding.span;
    let mut message = d.message.to_string();
    if let Some(help) = &d.help {
        message.push_str(" Help: ");
        message.push_str(help);
    }
    let post = d.post.as_ref().map(|p| match p.id {
        Some(id) => format!("id:{id}"),
        None => format!("index:{}", p.index),
    });
    let rule_index = rules::ALL.iter().position(|r| r.meta().code == d.rule);
    let mut result = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(file) },
                "region": {
                    "startLine": span.line,
                    "startColumn": span.column,
                    "endLine": span.end_line,
                    "endColumn": span.end_column,
                    "byteOffset": span.offset,
                    "byteLength": span.length,
                }
            }
        }],
        // Survives edits elsewhere in the file: the rule, the offending text and the post.
        "partialFingerprints": {
            "postlintFingerprint/v1": format!("{:016x}:{}", finding.fingerprint, post.unwrap_or_default()),
        },
    });
    if let (Some(index), Some(object)) = (rule_index, result.as_object_mut()) {
        object.insert("ruleIndex".to_owned(), json!(index));
    }
    if let (Some(fix), Some(object)) = (&d.fix, result.as_object_mut()) {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": { "byteOffset": e.offset, "byteLength": e.length },
                    "insertedContent": { "text": e.content },
                })
            })
            .collect();
        object.insert(
            "fixes".to_owned(),
            json!([{
                "description": { "text": fix.message },
                "artifactChanges": [{
                    "artifactLocation": { "uri": uri(file) },
                    "replacements": replacements,
                }],
            }]),
        );
    }
    result
}

/// `stray-end-tag` → `StrayEndTag`: SARIF wants a rule's name to differ from its id.
fn camel_case(code: &str) -> String {
    code.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A path as a URI: a relative reference for a relative path, a `file:` URI for an absolute
/// one; forward slashes, spaces and the like percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let encoded = percent_encoding::utf8_percent_encode(path, URI_SET).to_string();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

const URI_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');
