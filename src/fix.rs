//! `--fix`: mends what rules know how to mend, by byte edits of the user's file, everything
//! outside the edits untouched. Each file's fixes are applied together (overlapping ones
//! dropped), the result linted again, and a fix that would break the JSON or create a finding
//! is dropped and reported. Writes are atomic and keep the file's permissions; a file that
//! changed since it was read is left alone.

use std::collections::HashMap;
use std::io::Cursor;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Applicability, Finding, Fix, fingerprint};
use crate::engine::Linter;
use crate::outcome::FileReport;
use crate::source::{Origin, SourceFile};

/// What `--fix` may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Also apply fixes that are right in most cases but worth a look.
    pub unsafe_fixes: bool,
    /// Also rewrite files whose JSON was damaged (their recovery is a guess).
    pub damaged: bool,
}

/// What fixing one file gave.
#[derive(Debug)]
pub struct FileFix {
    pub path: PathBuf,
    pub name: String,
    pub original: Vec<u8>,
    pub fixed: Vec<u8>,
    pub applied: usize,
    /// Fixes left out, and why.
    pub dropped: Vec<String>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.original != self.fixed
    }
}

/// Whether a finding's fix applies under `options`.
pub fn applicable(finding: &Finding, options: FixOptions) -> Option<&Fix> {
    let fix = finding.diagnostic.fix.as_ref()?;
    (fix.applicability == Applicability::Safe || options.unsafe_fixes).then_some(fix)
}

/// Computes the fixed contents of every file of a run that has something to fix. The run must
/// have been linted with `LintOptions::hash_content`.
pub fn plan(
    linter: &Linter,
    reports: &[FileReport],
    options: FixOptions,
) -> Vec<Result<FileFix, String>> {
    reports
        .iter()
        .filter(|r| r.findings.iter().any(|f| applicable(&f, options).is_some()))
        .filter_map(|report| {
            let Origin::Path(path) = &report.file.origin else {
                return None;
            };
            Some(fix_file(linter, report, path, options))
        })
        .collect()
}

fn is_damage(rule: &str) -> bool {
    matches!(rule, "json-syntax" | "invalid-utf8" | "not-a-post")
}

fn fix_file(
    linter: &Linter,
    report: &FileReport,
    path: &Path,
    options: FixOptions,
) -> Result<FileFix, String> {
    let name = report.file.name.clone();
    if !options.damaged && report.findings.iter().any(|f| is_damage(f.diagnostic.rule)) {
        return Err(format!(
            "{name}: not fixed: its JSON is damaged, and a recovery guess is not saved without --fix-damaged"
        ));
    }
    let original = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let Some(linted) = report.content_hash else {
        return Err(format!(
            "{name}: not fixed: it was linted without `LintOptions::hash_content`"
        ));
    };
    if fingerprint("", &original) != linted {
        return Err(format!(
            "{name}: not fixed: the file changed since it was linted"
        ));
    }
    let findings = report.findings.to_vec();
    let mut fixes: Vec<&Fix> = findings
        .iter()
        .filter_map(|f| applicable(f, options))
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0));
    let before = census(linter, &name, &original);
    let (all, overlapping) = apply(&original, &fixes);
    let mut dropped: Vec<String> = overlapping
        .iter()
        .map(|fix| format!("{name}: {}: overlaps another fix", fix.message))
        .collect();
    let accepted: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|f| !overlapping.iter().any(|o| std::ptr::eq(*o, *f)))
        .collect();
    if acceptable(&before, &census(linter, &name, &all)) {
        return Ok(FileFix {
            path: path.to_path_buf(),
            name,
            original,
            fixed: all,
            applied: accepted.len(),
            dropped,
        });
    }
    // Something went wrong together: find the fixes that are fine one at a time.
    let mut current = original.clone();
    let mut kept: Vec<&Fix> = Vec::new();
    for fix in accepted {
        let mut trial = kept.clone();
        trial.push(fix);
        let (candidate, _) = apply(&original, &trial);
        if acceptable(&before, &census(linter, &name, &candidate)) {
            kept = trial;
            current = candidate;
        } else {
            dropped.push(format!(
                "{name}: {}: dropped, it would break the JSON or add a finding",
                fix.message
            ));
        }
    }
    Ok(FileFix {
        path: path.to_path_buf(),
        name,
        original,
        fixed: current,
        applied: kept.len(),
        dropped,
    })
}

/// The findings of a text, as (rule, fingerprint) counts: positions move when text is edited.
fn census(linter: &Linter, name: &str, bytes: &[u8]) -> HashMap<(String, u64), usize> {
    let file = SourceFile::in_memory(name, bytes.to_vec());
    let mut counts = HashMap::new();
    if let Ok(report) = linter.lint_file(file, Cursor::new(bytes.to_vec())) {
        for finding in &report.findings {
            *counts
                .entry((finding.diagnostic.rule.to_owned(), finding.fingerprint))
                .or_default() += 1;
        }
    }
    counts
}

/// A fixed text is acceptable when every finding it has was there before.
fn acceptable(
    before: &HashMap<(String, u64), usize>,
    after: &HashMap<(String, u64), usize>,
) -> bool {
    after
        .iter()
        .all(|(key, count)| before.get(key).is_some_and(|b| b >= count))
}

/// Applies fixes in order, leaving out those that overlap an earlier one.
fn apply<'f>(bytes: &[u8], fixes: &[&'f Fix]) -> (Vec<u8>, Vec<&'f Fix>) {
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut edits = Vec::new();
    let mut overlapping = Vec::new();
    for fix in fixes {
        let clashes = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| overlaps(t, &e.range)));
        if clashes {
            overlapping.push(*fix);
            continue;
        }
        for edit in &fix.edits {
            taken.push(edit.range.clone());
            edits.push(edit);
        }
    }
    edits.sort_by_key(|e| e.range.start);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for edit in edits {
        let start = edit.range.start.min(bytes.len());
        out.extend_from_slice(&bytes[at.min(start)..start]);
        out.extend_from_slice(edit.content.as_bytes());
        at = edit.range.end.min(bytes.len());
    }
    out.extend_from_slice(&bytes[at.min(bytes.len())..]);
    (out, overlapping)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
        || (a.is_empty() && b.contains(&a.start))
        || (b.is_empty() && a.contains(&b.start))
}

/// Writes a fixed file through a temporary file beside it and a rename, keeping permissions;
/// refuses if the file changed on disk meanwhile.
pub fn write(fix: &FileFix) -> Result<(), String> {
    let current =
        std::fs::read(&fix.path).map_err(|e| format!("{}: cannot read: {e}", fix.name))?;
    if current != fix.original {
        return Err(format!(
            "{}: not written: the file changed on disk while it was being fixed",
            fix.name
        ));
    }
    let permissions = std::fs::metadata(&fix.path)
        .map_err(|e| format!("{}: {e}", fix.name))?
        .permissions();
    let temporary = fix
        .path
        .with_extension(format!("postlint-fix-{}", std::process::id()));
    let result = std::fs::write(&temporary, &fix.fixed)
        .and_then(|()| std::fs::set_permissions(&temporary, permissions))
        .and_then(|()| std::fs::rename(&temporary, &fix.path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("{}: cannot write: {e}", fix.name)
    })
}

/// A unified diff of what `--fix` would change.
pub fn diff(fix: &FileFix) -> String {
    let old = String::from_utf8_lossy(&fix.original);
    let new = String::from_utf8_lossy(&fix.fixed);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(1)
        .header(
            &format!("a/{}", fix.name.trim_start_matches('/')),
            &format!("b/{}", fix.name.trim_start_matches('/')),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: "m".into(),
            edits,
        }
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_are_left_out() {
        let bytes = b"abcdefghij";
        let a = fix(vec![Edit::delete(1..3)]);
        let b = fix(vec![Edit::replace(5..6, "XY"), Edit::delete(8..9)]);
        let c = fix(vec![Edit::delete(2..4)]);
        let (out, overlapping) = apply(bytes, &[&a, &b, &c]);
        assert_eq!(out, b"adeXYghj");
        assert_eq!(overlapping.len(), 1);
    }
}
