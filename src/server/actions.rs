//! Code actions and hover. A finding's fix is offered only when `--fix` would apply it alone
//! (the same checks: the reader's page, a relint), safe ones as preferred; "fix all" makes the
//! edits `--fix` makes. Hover shows what `postlint explain` prints.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Hover, HoverContents, MarkupContent,
    MarkupKind, Position, Range, TextEdit, WorkspaceEdit,
};

use super::document::Document;
use super::positions::{Encoding, PositionMap};
use crate::config::Config;
use crate::diagnostic::{Applicability, Finding};
use crate::fix::{self, FixOptions};
use crate::report;

/// The kind of the "fix all" action, under the standard `source.fixAll`.
pub const FIX_ALL: &str = "source.fixAll.postlint";

/// The findings whose fix is checked (and offered) per request: each check relints the buffer
/// twice, and a selection of a whole long post may touch thousands (fix-all takes them all in
/// one pass).
const MAX_QUICK_FIXES: usize = 16;

/// The actions for the findings that touch `range`, then "fix all" when something is safe to
/// fix; `only` limits the kinds, as the client asks.
pub fn code_actions(
    document: &Document,
    config: &Arc<Config>,
    encoding: Encoding,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let index = PositionMap::new(&document.text, encoding);
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        let (start, end) = (index.offset(range.start), index.offset(range.end));
        let touching = document.findings.iter().filter(|f| {
            let r = &f.diagnostic.range;
            f.diagnostic.fix.is_some() && r.start <= end && start <= r.end
        });
        for finding in touching.take(MAX_QUICK_FIXES) {
            if let Some(action) = quick_fix(document, config, &index, finding) {
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
        }
    }
    if wants(&CodeActionKind::new(FIX_ALL))
        && let Some(action) = fix_all(document, config, &index)
    {
        actions.push(CodeActionOrCommand::CodeAction(action));
    }
    actions
}

/// One finding's fix, when `--fix` (with `--unsafe-fixes` for an unsafe one) would keep it.
fn quick_fix(
    document: &Document,
    config: &Arc<Config>,
    index: &PositionMap<'_>,
    finding: &Finding,
) -> Option<CodeAction> {
    let proposed = finding.diagnostic.fix.as_ref()?;
    let options = FixOptions {
        unsafe_fixes: true,
        damaged: false,
    };
    let checked = checked_fix(document, config, std::slice::from_ref(finding), options)?;
    if checked.applied == 0 {
        return None;
    }
    let edits = proposed
        .edits
        .iter()
        .map(|edit| TextEdit::new(index.range(&edit.range), edit.content.clone()))
        .collect();
    let preferred = proposed.applicability == Applicability::Safe;
    let title = if preferred {
        format!("{} ({})", proposed.message, finding.diagnostic.rule)
    } else {
        format!(
            "{} ({}, unsafe: check it)",
            proposed.message, finding.diagnostic.rule
        )
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![document.diagnostic_of(index, finding)]),
        edit: Some(workspace_edit(document, edits)),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// Every safe fix of the buffer, as `--fix` applies them, as edits of the lines that change.
fn fix_all(
    document: &Document,
    config: &Arc<Config>,
    index: &PositionMap<'_>,
) -> Option<CodeAction> {
    let safe = FixOptions::default();
    if !document
        .findings
        .iter()
        .any(|f| fix::applicable(f, safe).is_some())
    {
        return None;
    }
    let checked = checked_fix(document, config, &document.findings, safe)?;
    if !checked.changed() {
        return None;
    }
    // The fixes' own edits, in order and apart: one each, linear in their number (a diff of
    // the lines would cost far more on a post of one long line, or many changed lines).
    let edits = checked
        .edits
        .iter()
        .map(|edit| TextEdit::new(index.range(&edit.range), edit.content.clone()))
        .collect();
    Some(CodeAction {
        title: format!("Fix all safe postlint findings ({})", checked.applied),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(document, edits)),
        ..CodeAction::default()
    })
}

/// What `--fix` makes of the buffer with these findings' fixes; `None` when its JSON is
/// damaged (a fix then rests on a guess, and needs `--fix-damaged` on the command line).
fn checked_fix(
    document: &Document,
    config: &Arc<Config>,
    findings: &[Finding],
    options: FixOptions,
) -> Option<fix::FileFix> {
    if document
        .findings
        .iter()
        .any(|f| fix::is_damage(f.diagnostic.rule))
    {
        return None;
    }
    let linter = super::lint::linter(config);
    let path = document.path();
    let path = path.as_deref().unwrap_or(Path::new("untitled"));
    let name = path.display().to_string();
    let original = document.text.as_bytes().to_vec();
    Some(fix::fix_text(
        &linter, path, &name, original, findings, options,
    ))
}

fn workspace_edit(document: &Document, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(document.uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The documentation of the rules of the findings under the cursor.
pub fn hover(document: &Document, encoding: Encoding, at: Position) -> Option<Hover> {
    let index = PositionMap::new(&document.text, encoding);
    let offset = index.offset(at);
    let under: Vec<&Finding> = document
        .findings
        .iter()
        .filter(|f| {
            let r = &f.diagnostic.range;
            r.start <= offset && (offset < r.end || r.is_empty() && offset == r.start)
        })
        .collect();
    let first = under.first()?;
    let mut text = String::new();
    let mut seen = Vec::new();
    for finding in &under {
        let rule = finding.diagnostic.rule;
        if seen.contains(&rule) {
            continue;
        }
        seen.push(rule);
        let explained = report::rules::explain(rule)
            .unwrap_or_else(|_| format!("# {rule}\n\nA pattern rule of the config.\n"));
        if !text.is_empty() {
            text.push_str("\n---\n\n");
        }
        text.push_str(&format!("{}\n\n{explained}", finding.diagnostic.message));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(index.range(&first.diagnostic.range)),
    })
}
