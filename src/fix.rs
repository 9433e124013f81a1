//! `--fix`: mends what rules know how to mend, by byte edits of the user's file, everything
//! outside the edits untouched. Each file's fixes are applied together (overlapping ones
//! dropped). A safe fix must leave every reader's page as it was (the visible text and what
//! the page holds, see `crate::html::reader`): the pages of every HTML field are compared
//! before and after, and a safe fix that would change one is dropped and reported. The result
//! is linted again, and a fix that would break the JSON or create a finding is dropped and
//! reported too. Writes are atomic and keep the file's permissions; a file that changed since
//! it was read is left alone.

use std::collections::HashMap;
use std::io::Cursor;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Applicability, Finding, Fix, fingerprint};
use crate::engine::Linter;
use crate::html::HtmlIndex;
use crate::html::reader::ReaderPage;
use crate::input::posts::PostReader;
use crate::outcome::FileReport;
use crate::post::{Form, HtmlFieldKind, Post};
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

/// Whether a rule's finding means the JSON was damaged (fixes then need `--fix-damaged`).
pub fn is_damage(rule: &str) -> bool {
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
    Ok(fix_text(linter, path, &name, original, &findings, options))
}

/// Applies the fixes of `findings` that `options` allows to `original` (a file's bytes, or an
/// editor's buffer), with every check `--fix` makes: overlaps, the reader's pages, a relint.
pub fn fix_text(
    linter: &Linter,
    path: &Path,
    name: &str,
    original: Vec<u8>,
    findings: &[Finding],
    options: FixOptions,
) -> FileFix {
    let name = name.to_owned();
    let mut fixes: Vec<&Fix> = findings
        .iter()
        .filter_map(|f| applicable(f, options))
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0));
    let (_, overlapping) = apply(&original, &fixes);
    let mut dropped: Vec<String> = overlapping
        .iter()
        .map(|fix| format!("{name}: {}: overlaps another fix", fix.message))
        .collect();
    let accepted: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|f| !overlapping.iter().any(|o| std::ptr::eq(*o, *f)))
        .collect();
    let max_depth = linter.options().max_depth;
    let (accepted, mut page_notes) = keeping_reader_pages(&original, accepted, max_depth);
    dropped.extend(page_notes.drain(..).map(|note| format!("{name}: {note}")));
    let before = census(linter, &name, &original);
    let (all, _) = apply(&original, &accepted);
    if acceptable(&before, &census(linter, &name, &all)) {
        return FileFix {
            path: path.to_path_buf(),
            name,
            original,
            fixed: all,
            applied: accepted.len(),
            dropped,
        };
    }
    // Something went wrong together: find the fixes that are fine one at a time. A subset of
    // the safe fixes is checked against the reader's pages again: together they kept them.
    let mut current = original.clone();
    let mut kept: Vec<&Fix> = Vec::new();
    let pages_before = std::cell::OnceCell::new();
    for fix in accepted {
        let mut trial = kept.clone();
        trial.push(fix);
        let (candidate, _) = apply(&original, &trial);
        if !acceptable(&before, &census(linter, &name, &candidate)) {
            dropped.push(format!(
                "{name}: {}: dropped, it would break the JSON or add a finding",
                fix.message
            ));
        } else if let Some(change) =
            safe_part_changes_pages(&original, &trial, &pages_before, max_depth)
        {
            dropped.push(format!(
                "{name}: {}: dropped, it would change what a reader sees ({change})",
                fix.message
            ));
        } else {
            kept = trial;
            current = candidate;
        }
    }
    FileFix {
        path: path.to_path_buf(),
        name,
        original,
        fixed: current,
        applied: kept.len(),
        dropped,
    }
}

/// The reader's page of one HTML field of a file.
#[derive(Debug)]
pub struct FieldPage {
    /// The post's position in its file.
    pub post: usize,
    pub kind: HtmlFieldKind,
    pub form: Form,
    /// The field's name in reports (`content.raw`).
    pub path: &'static str,
    /// The field's JSON string in the file, between its quotes.
    pub raw: Range<usize>,
    pub page: ReaderPage,
}

/// The reader's page of every HTML field of every post of a file, in file order. What cannot
/// be read as a post has no page.
pub fn reader_pages(bytes: &[u8], max_depth: usize) -> Vec<FieldPage> {
    let mut pages = Vec::new();
    for entry in PostReader::new(bytes, max_depth) {
        let Ok(post) = Post::classify(entry.index, entry.node, entry.recovered) else {
            continue;
        };
        let forms = HtmlFieldKind::ALL
            .into_iter()
            .flat_map(|kind| [(kind, Form::Raw), (kind, Form::Rendered)]);
        for (kind, form) in forms {
            if let Some(field) = post.html_field_in(kind, form) {
                pages.push(FieldPage {
                    post: post.index,
                    kind,
                    form,
                    path: kind.path_in(post.dialect, form),
                    raw: field.raw.clone(),
                    page: ReaderPage::of(&HtmlIndex::parse(field.as_str())),
                });
            }
        }
    }
    pages
}

/// How the pages of a fixed text differ from the original's: the first change, and the
/// original fields that changed (all of them when the posts no longer line up).
fn page_changes(before: &[FieldPage], after: &[FieldPage]) -> Option<(String, Vec<Range<usize>>)> {
    let lined_up = before.len() == after.len()
        && before
            .iter()
            .zip(after)
            .all(|(b, a)| (b.post, b.kind, b.form) == (a.post, a.kind, a.form));
    if !lined_up {
        let note = "the posts or their HTML fields would no longer be read the same".to_owned();
        return Some((note, before.iter().map(|b| b.raw.clone()).collect()));
    }
    let mut first = None;
    let mut changed = Vec::new();
    for (b, a) in before.iter().zip(after) {
        if let Some(difference) = b.page.difference(&a.page) {
            first.get_or_insert_with(|| format!("in post {} `{}`, {difference}", b.post, b.path));
            changed.push(b.raw.clone());
        }
    }
    first.map(|note| (note, changed))
}

/// Leaves out the safe fixes that would change a reader's page, with a note for each: the
/// suspects (those editing a field whose page changed) are tried one at a time on top of the
/// others. Unsafe fixes are kept: they may change the page, in the way their message says.
fn keeping_reader_pages<'f>(
    original: &[u8],
    fixes: Vec<&'f Fix>,
    max_depth: usize,
) -> (Vec<&'f Fix>, Vec<String>) {
    let is_safe = |fix: &&Fix| fix.applicability == Applicability::Safe;
    let safe: Vec<&Fix> = fixes.iter().copied().filter(is_safe).collect();
    if safe.is_empty() {
        return (fixes, Vec::new());
    }
    let before = reader_pages(original, max_depth);
    let pages_after = |fixes: &[&Fix]| reader_pages(&apply(original, fixes).0, max_depth);
    let Some((_, changed)) = page_changes(&before, &pages_after(&safe)) else {
        return (fixes, Vec::new());
    };
    let touches_changed = |fix: &&Fix| {
        fix.edits
            .iter()
            .any(|e| changed.iter().any(|field| overlaps(field, &e.range)))
    };
    let (suspects, mut kept): (Vec<&Fix>, Vec<&Fix>) =
        safe.iter().copied().partition(touches_changed);
    let mut notes = Vec::new();
    let drop_note = |fix: &Fix, change: &str| {
        format!(
            "{}: dropped, it would change what a reader sees ({change})",
            fix.message
        )
    };
    for fix in suspects {
        let mut trial = kept.clone();
        trial.push(fix);
        match page_changes(&before, &pages_after(&trial)) {
            None => kept = trial,
            Some((change, _)) => notes.push(drop_note(fix, &change)),
        }
    }
    if let Some((change, _)) = page_changes(&before, &pages_after(&kept)) {
        // The fixes outside the changed fields changed it together: keep none of them.
        notes.extend(kept.drain(..).map(|fix| drop_note(fix, &change)));
    }
    let result = fixes
        .into_iter()
        .filter(|f| !is_safe(f) || kept.iter().any(|k| std::ptr::eq(*k, *f)))
        .collect();
    (result, notes)
}

/// How the safe fixes among `fixes` would change the original's pages, if they would.
fn safe_part_changes_pages(
    original: &[u8],
    fixes: &[&Fix],
    pages_before: &std::cell::OnceCell<Vec<FieldPage>>,
    max_depth: usize,
) -> Option<String> {
    let safe: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|f| f.applicability == Applicability::Safe)
        .collect();
    if safe.is_empty() {
        return None;
    }
    let before = pages_before.get_or_init(|| reader_pages(original, max_depth));
    let after = reader_pages(&apply(original, &safe).0, max_depth);
    page_changes(before, &after).map(|(change, _)| change)
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

    const POST: &str = r#"{"id":1,"content":{"rendered":"<p>copias.\u201c<span> <\/span>Linus<\/p>\n<p><\/p>\n<p><a name=\"toc\"><\/a><\/p>"}}"#;

    /// A fix deleting the first `needle` of the post.
    fn deleting(needle: &str, applicability: Applicability) -> Fix {
        let start = POST.find(needle).expect("needle");
        Fix {
            applicability,
            message: format!("remove `{needle}`").into(),
            edits: vec![Edit::delete(start..start + needle.len())],
        }
    }

    #[test]
    fn safe_fixes_that_change_a_readers_page_are_dropped_with_the_change() {
        let joins_words = deleting(r"<span> <\/span>", Applicability::Safe);
        let empty = deleting(r"<p><\/p>", Applicability::Safe);
        let anchor = deleting(r#"<p><a name=\"toc\"><\/a><\/p>"#, Applicability::Safe);
        let (kept, notes) =
            keeping_reader_pages(POST.as_bytes(), vec![&joins_words, &empty, &anchor], 64);
        assert_eq!(kept.len(), 1);
        assert!(std::ptr::eq(kept[0], &empty));
        assert_eq!(
            notes,
            [
                "remove `<span> <\\/span>`: dropped, it would change what a reader sees (in post 0 \
                 `content.rendered`, the text `copias.“ Linus` would read `copias.“Linus`)",
                "remove `<p><a name=\\\"toc\\\"><\\/a><\\/p>`: dropped, it would change what a \
                 reader sees (in post 0 `content.rendered`, the anchor target `#toc` would be removed)",
            ]
        );
    }

    #[test]
    fn unsafe_fixes_may_change_the_page() {
        let joins_words = deleting(r"<span> <\/span>", Applicability::Unsafe);
        let (kept, notes) = keeping_reader_pages(POST.as_bytes(), vec![&joins_words], 64);
        assert_eq!(kept.len(), 1);
        assert!(notes.is_empty());
    }

    #[test]
    fn safe_fixes_that_keep_the_page_are_all_kept() {
        let empty = deleting(r"<p><\/p>", Applicability::Safe);
        let (kept, notes) = keeping_reader_pages(POST.as_bytes(), vec![&empty], 64);
        assert_eq!(kept.len(), 1);
        assert!(notes.is_empty());
    }

    #[test]
    fn every_html_field_of_every_post_has_a_page() {
        let file = br#"[{"id":1,"title":{"rendered":"A&amp;B"},"content":{"rendered":"<p>x<\/p>"}},
            {"id":2,"excerpt":"<p>y</p>"},{"code":"not a post"}]"#;
        let pages = reader_pages(file, 64);
        let seen: Vec<_> = pages
            .iter()
            .map(|p| (p.post, p.kind, p.page.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (0, HtmlFieldKind::Title, "A&B"),
                (0, HtmlFieldKind::Content, "x"),
                (1, HtmlFieldKind::Excerpt, "y"),
            ]
        );
    }
}
