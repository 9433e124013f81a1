//! `--fix`: mends what rules know how to mend, by byte edits of the user's file, everything
//! outside the edits untouched. Each file's fixes are applied together (overlapping ones
//! dropped). A safe fix must leave every reader's page as it was (the visible text and what
//! the page holds, see `crate::html::reader`): the pages of every HTML field are compared
//! before and after, and a safe fix that would change one is dropped and reported. The result
//! is linted again, and a fix that would break the JSON or create a finding is dropped and
//! reported too. Writing is `write`'s business (`fix/write.rs`).

mod apply;
mod sift;
mod write;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use self::apply::{Taken, apply, keeping, without_overlaps};
use self::sift::sift;
pub use self::write::{Staged, Written, stage, write, write_all};
use crate::diagnostic::{Applicability, Edit, Finding, Fix, fingerprint};
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
    /// The edits that turn `original` into `fixed`, in order, none overlapping another.
    pub edits: Vec<Edit>,
    pub applied: usize,
    /// Fixes left out, and why.
    pub dropped: Vec<String>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.original != self.fixed
    }
}

/// Why a file was not fixed.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(
        "{name}: not fixed: its JSON is damaged, and a recovery guess is not saved without --fix-damaged"
    )]
    Damaged { name: String },
    #[error("{name}: not fixed: it was linted without `LintOptions::hash_content`")]
    NotFingerprinted { name: String },
    #[error("{name}: not fixed: the file changed since it was linted")]
    ChangedSinceLint { name: String },
    #[error("{name}: not written: the file changed on disk while it was being fixed")]
    ChangedOnDisk { name: String },
    #[error("{name}: cannot read: {source}")]
    Read {
        name: String,
        source: std::io::Error,
    },
    #[error("{name}: not written: it is not a regular file")]
    NotAFile { name: String },
    #[error(
        "{name}: not written: it has {links} hard links, and a fix would either change the file \
         under every name or split the names apart; fix a copy of it"
    )]
    HardLinked { name: String, links: u64 },
    #[error("{name}: not written: it is read-only; make it writable to let --fix change it")]
    ReadOnly { name: String },
    #[error(
        "{name}: not written (the file is as it was): cannot keep its owner ({owner}): {source}"
    )]
    Owner {
        name: String,
        owner: String,
        source: std::io::Error,
    },
    #[error("{name}: not written (the file is as it was): cannot {operation} {}: {source}", path.display())]
    Write {
        name: String,
        operation: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl FixError {
    /// Whether `--fix` failed to do what it was asked (the run exits 2), rather than holding a
    /// fix back by design (a damaged file waits for `--fix-damaged`).
    pub fn is_failure(&self) -> bool {
        !matches!(self, Self::Damaged { .. })
    }
}

/// Whether a finding's fix applies under `options`.
pub fn applicable(finding: &Finding, options: FixOptions) -> Option<&Fix> {
    let fix = finding.diagnostic.fix.as_ref()?;
    (fix.applicability == Applicability::Safe || options.unsafe_fixes).then_some(fix)
}

/// Computes the fixed contents of every file of a run that has something to fix, a file per
/// thread of the pool. The run must have been linted with `LintOptions::hash_content`.
pub fn plan(
    linter: &Linter,
    reports: &[FileReport],
    options: FixOptions,
) -> Vec<Result<FileFix, FixError>> {
    reports
        .par_iter()
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
) -> Result<FileFix, FixError> {
    let name = report.file.name.clone();
    if !options.damaged && report.findings.iter().any(|f| is_damage(f.diagnostic.rule)) {
        return Err(FixError::Damaged { name });
    }
    let original = match std::fs::read(path) {
        Ok(original) => original,
        Err(source) => return Err(FixError::Read { name, source }),
    };
    let Some(linted) = report.content_hash else {
        return Err(FixError::NotFingerprinted { name });
    };
    if fingerprint("", &original) != linted {
        return Err(FixError::ChangedSinceLint { name });
    }
    let findings = report.findings.to_vec();
    Ok(fix_text(linter, path, &name, original, &findings, options))
}

/// Applies the fixes of `findings` that `options` allows to `original` (a file's bytes, or an
/// editor's buffer), with every check `--fix` makes: overlaps, the reader's pages, a relint.
/// Linear in the number of fixes when they pass together; when they do not, the culprits are
/// found by halves, within a bounded number of relints (`sift`).
pub fn fix_text(
    linter: &Linter,
    path: &Path,
    name: &str,
    original: Vec<u8>,
    findings: &[Finding],
    options: FixOptions,
) -> FileFix {
    let mut fixes: Vec<&Fix> = findings
        .iter()
        .filter_map(|f| applicable(f, options))
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0));
    let (accepted, overlapping) = without_overlaps(&fixes);
    let mut dropped: Vec<String> = overlapping
        .iter()
        .map(|fix| format!("{name}: {}: overlaps another fix", fix.message))
        .collect();
    let max_depth = linter.options().max_depth;
    let (accepted, page_notes) = keeping_reader_pages(&original, accepted, max_depth);
    dropped.extend(page_notes.into_iter().map(|note| format!("{name}: {note}")));
    let before = Census::of(linter, name, &original);
    let together = apply(&original, &accepted);
    let after = Census::of(linter, name, &together);
    if after.adds_nothing_to(&before) {
        return finished(path, name, original, together, &accepted, dropped);
    }
    let (kept, notes) = sort_out(linter, name, &original, accepted, &before, &after);
    dropped.extend(notes.into_iter().map(|note| format!("{name}: {note}")));
    let fixed = apply(&original, &kept);
    finished(path, name, original, fixed, &kept, dropped)
}

/// The fixes that can be kept when together they add a finding, with a note on each of the
/// others. The likely culprits landed on a finding the text gained: the others are checked
/// together, then the suspects sifted on top of them (or all of them, should the others fail
/// too). A subset of the safe fixes is checked against the reader's pages again: together
/// they kept them.
fn sort_out<'f>(
    linter: &Linter,
    name: &str,
    original: &[u8],
    fixes: Vec<&'f Fix>,
    before: &Census,
    after: &Census,
) -> (Vec<&'f Fix>, Vec<String>) {
    let max_depth = linter.options().max_depth;
    let pages_before = std::cell::OnceCell::new();
    let fails = |trial: &[&Fix]| {
        let candidate = apply(original, trial);
        if !Census::of(linter, name, &candidate).adds_nothing_to(before) {
            return Some("it would break the JSON or add a finding".to_owned());
        }
        safe_part_changes_pages(original, trial, &pages_before, max_depth)
            .map(|change| format!("it would change what a reader sees ({change})"))
    };
    let gained = after.gained_over(before);
    let (suspects, others) = apply::landing_on(original.len(), &fixes, &gained);
    let (kept, candidates) = if others.is_empty() || fails(&others).is_none() {
        (others, suspects)
    } else {
        (Vec::new(), fixes)
    };
    let checks = sift::checks_for(original.len());
    let sifted = sift(kept, &candidates, checks, fails);
    let dropped = sifted.dropped.iter();
    let mut notes: Vec<String> = dropped
        .map(|(fix, why)| format!("{}: dropped, {why}", fix.message))
        .collect();
    notes.extend(sifted.untried_note(checks));
    (sifted.kept, notes)
}

fn finished(
    path: &Path,
    name: &str,
    original: Vec<u8>,
    fixed: Vec<u8>,
    applied: &[&Fix],
    dropped: Vec<String>,
) -> FileFix {
    FileFix {
        path: path.to_path_buf(),
        name: name.to_owned(),
        edits: apply::edits(original.len(), applied),
        original,
        fixed,
        applied: applied.len(),
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
/// suspects (those editing a field whose page changed) are sifted on top of the others (which,
/// should they change a page together, are all left out). Unsafe fixes are kept: they may
/// change the page, in the way their message says.
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
    let change_of = |fixes: &[&Fix]| {
        let after = reader_pages(&apply(original, fixes), max_depth);
        page_changes(&before, &after)
    };
    let Some((_, changed)) = change_of(&safe) else {
        return (fixes, Vec::new());
    };
    let changed = Taken::of(&changed);
    let (suspects, mut others): (Vec<&Fix>, Vec<&Fix>) = safe
        .iter()
        .copied()
        .partition(|fix| fix.edits.iter().any(|e| changed.clashes(&e.range)));
    let drop_note = |fix: &Fix, change: &str| {
        format!(
            "{}: dropped, it would change what a reader sees ({change})",
            fix.message
        )
    };
    let mut notes = Vec::new();
    if let Some((change, _)) = change_of(&others) {
        // The fixes outside the changed fields changed it together: keep none of them.
        notes.extend(others.drain(..).map(|fix| drop_note(fix, &change)));
    }
    let checks = sift::checks_for(original.len());
    let sifted = sift(others, &suspects, checks, |trial| {
        change_of(trial).map(|(change, _)| change)
    });
    notes.extend(
        sifted
            .dropped
            .iter()
            .map(|(fix, change)| drop_note(fix, change)),
    );
    notes.extend(sifted.untried_note(checks));
    let mut kept = sifted.kept;
    kept.extend(fixes.iter().copied().filter(|f| !is_safe(f)));
    (keeping(fixes, &kept), notes)
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
    let after = reader_pages(&apply(original, &safe), max_depth);
    page_changes(before, &after).map(|(change, _)| change)
}

/// The findings of a text, as (rule, fingerprint) counts (positions move when text is
/// edited), with where each one is.
struct Census {
    counts: HashMap<(&'static str, u64), usize>,
    at: Vec<((&'static str, u64), Range<usize>)>,
}

impl Census {
    fn of(linter: &Linter, name: &str, bytes: &[u8]) -> Self {
        let file = SourceFile::in_memory(name, bytes);
        let mut census = Census {
            counts: HashMap::new(),
            at: Vec::new(),
        };
        if let Ok(report) = linter.lint_file(file, bytes) {
            for finding in &report.findings {
                let key = (finding.diagnostic.rule, finding.fingerprint);
                *census.counts.entry(key).or_default() += 1;
                census.at.push((key, finding.diagnostic.range.clone()));
            }
        }
        census
    }

    /// A fixed text is acceptable when every finding it has was there before.
    fn adds_nothing_to(&self, before: &Census) -> bool {
        (self.counts.iter()).all(|(key, count)| before.counts.get(key).is_some_and(|b| b >= count))
    }

    /// Where the findings are that this text has more of than `before` (all of a kind: which
    /// one is new cannot be told).
    fn gained_over(&self, before: &Census) -> Vec<Range<usize>> {
        let gained = |key| self.counts[key] > before.counts.get(key).copied().unwrap_or(0);
        (self.at.iter())
            .filter(|(key, _)| gained(key))
            .map(|(_, range)| range.clone())
            .collect()
    }
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
