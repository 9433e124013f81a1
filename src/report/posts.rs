//! Findings gathered per post, for the reports editors read (markdown, html, the JSON `posts`
//! section): which posts need the most fixing.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::{Finding, PostRef, Severity};
use crate::outcome::{CheckOutcome, FileReport};
use crate::source::{Origin, SourceFile};

use super::Summary;

/// One post and its findings, or a file's problems that belong to no post (its JSON, its
/// encoding): then `post` is `None`.
pub struct PostFindings<'a> {
    pub file: &'a str,
    /// Read from a live site and not saved: the file is the site's answer, whose JSON
    /// positions mean nothing to an editor, so the post is located by its fields instead.
    pub fetched: bool,
    pub post: Option<Arc<PostRef>>,
    /// Empty when only the counts were asked for (`Keep::Counts`).
    pub findings: Vec<Finding>,
    pub counts: Counts,
}

/// What `by_post` keeps of each post's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Findings,
    /// Only their counts: the findings of a large run are not unpacked all at once.
    Counts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// `1 error, 3 infos`: the severities there are, counted in words.
    pub fn phrase(&self) -> String {
        let parts = [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.infos, "info", "infos"),
        ];
        let named: Vec<String> = parts
            .into_iter()
            .filter(|(count, _, _)| *count > 0)
            .map(|(count, one, many)| super::plural(count, one, many))
            .collect();
        if named.is_empty() {
            return "no findings".to_owned();
        }
        named.join(", ")
    }

    /// Most to fix first: errors, then warnings, then infos.
    fn urgency(&self) -> (usize, usize, usize) {
        (self.errors, self.warnings, self.infos)
    }
}

/// Posts with findings (and, when the run kept the list, those without), most to fix first;
/// ties keep the order of the run. A file's own problems come as an entry without a post.
pub fn by_post(outcome: &CheckOutcome, keep: Keep) -> Vec<PostFindings<'_>> {
    let mut list = Vec::new();
    for report in &outcome.reports {
        list.append(&mut file_posts(report, keep, |_| {}));
    }
    most_to_fix_first(list)
}

/// The run's `Summary` and its posts' counts (`by_post` with `Keep::Counts`) in one walk of
/// the findings, the files on the run's threads: each finding is unpacked once, where the two
/// walked them apart (each unpacking every finding) beside the report's first findings.
pub fn summary_and_counts(outcome: &CheckOutcome) -> (Summary, Vec<PostFindings<'_>>) {
    use rayon::prelude::*;
    let files: Vec<(Summary, Vec<PostFindings<'_>>)> = (outcome.reports.par_iter())
        .map(|report| {
            let mut summary = Summary {
                posts: report.posts,
                ..Summary::default()
            };
            let posts = file_posts(report, Keep::Counts, |finding| {
                summary.count(&finding.diagnostic);
            });
            (summary, posts)
        })
        .collect();
    let mut summary = Summary {
        files: outcome.reports.len(),
        sites: outcome.site_notes.clone(),
        ..Summary::default()
    };
    let mut list = Vec::new();
    for (part, mut posts) in files {
        summary.add(part);
        list.append(&mut posts);
    }
    (summary, most_to_fix_first(list))
}

/// Errors first, then warnings, then infos; ties keep their order.
fn most_to_fix_first(mut list: Vec<PostFindings<'_>>) -> Vec<PostFindings<'_>> {
    list.sort_by_key(|p| std::cmp::Reverse(p.counts.urgency()));
    list
}

/// One file's posts by their findings, in the order of their places in the file (the file's
/// own problems first); `each` sees every finding as it is counted.
fn file_posts<'a>(
    report: &'a FileReport,
    keep: Keep,
    mut each: impl FnMut(&Finding),
) -> Vec<PostFindings<'a>> {
    let mut posts: BTreeMap<usize, PostFindings<'a>> = BTreeMap::new();
    let file = (report.file.name.as_str(), is_fetched(&report.file));
    for post in &report.post_list {
        entry(&mut posts, file, Some(post.clone()));
    }
    for finding in &report.findings {
        each(&finding);
        let entry = entry(&mut posts, file, finding.diagnostic.post.clone());
        entry.counts.add(finding.diagnostic.severity);
        if keep == Keep::Findings {
            entry.findings.push(finding);
        }
    }
    posts.into_values().collect()
}

/// The entry of a post (or, for `None`, of the file's own problems, which sort before its
/// posts), made when first met.
fn entry<'m, 'a>(
    posts: &'m mut BTreeMap<usize, PostFindings<'a>>,
    (file, fetched): (&'a str, bool),
    post: Option<Arc<PostRef>>,
) -> &'m mut PostFindings<'a> {
    let key = post.as_ref().map_or(0, |p| p.index + 1);
    posts.entry(key).or_insert_with(|| PostFindings {
        file,
        fetched,
        post,
        findings: Vec::new(),
        counts: Counts::default(),
    })
}

/// The WordPress edit screen of a post: `<site>wp-admin/post.php?post=<id>&action=edit`, the
/// site being the post's site root (from its REST self link, see `site::site_root`), else the
/// origin of its `link`.
pub fn edit_link(post: &PostRef) -> Option<String> {
    let id = post.id?;
    let root = match &post.site {
        Some(root) => url::Url::parse(root).ok()?,
        None => {
            let link = url::Url::parse(post.link.as_deref()?).ok()?;
            let origin = link.origin().ascii_serialization();
            url::Url::parse(&format!("{origin}/")).ok()?
        }
    };
    let edit = root.join("wp-admin/post.php").ok()?;
    Some(format!("{edit}?post={id}&action=edit"))
}

/// A post's name in a report: its title, or its id, or its place in the file; for a file's own
/// problems, "the file itself".
pub fn display_name(post: Option<&PostRef>) -> String {
    let Some(post) = post else {
        return "the file itself (its JSON or encoding)".to_owned();
    };
    match (&post.title, post.id) {
        (Some(title), _) if !title.trim().is_empty() => {
            crate::diagnostic::elided(title, crate::diagnostic::MAX_SHOWN_CHARS).into_owned()
        }
        (_, Some(id)) => format!("post {id}"),
        _ => format!("post #{}", post.index),
    }
}

/// Whether a file is a site's answer read in this run and not saved (`--site`, `--post`, a
/// post's address): it has no path, and its name is the address it came from.
pub fn is_fetched(file: &SourceFile) -> bool {
    matches!(file.origin, Origin::Memory(_))
        && (file.name.starts_with("https://") || file.name.starts_with("http://"))
}

/// What a badge says of a post readers cannot see yet; `None` for a published post.
pub fn status_badge(status: &str) -> Option<&str> {
    match status {
        "publish" | "inherit" | "" => None,
        "future" => Some("scheduled"),
        "pending" => Some("pending review"),
        "trash" => Some("in the trash"),
        other => Some(other),
    }
}
