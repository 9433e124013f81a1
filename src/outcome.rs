//! What a run gave: one report per file, and the outcome of the whole run. Reports read these
//! and nothing of the run itself.

use std::sync::Arc;

use crate::diagnostic::{PostRef, Severity};
use crate::findings::Findings;
use crate::input::InputError;
use crate::input::format::InputFormat;
use crate::site::PostFacts;
use crate::site::shard::ShardPart;
use crate::source::{LineCursor, SourceFile};
use crate::suppress::Pending;
use crate::workspace::Contents;

/// What linting one file gave.
#[derive(Debug)]
pub struct FileReport {
    pub file: SourceFile,
    /// What the file is, as its first bytes said when it was read.
    pub format: InputFormat,
    /// Whether it held posts or a tool's file (`workspace::leaves_out` decides from it).
    pub contents: Contents,
    pub posts: usize,
    /// Sorted by position in the file, then rule code.
    pub findings: Findings,
    /// What the site phase needs of each post; taken by it.
    pub facts: Vec<PostFacts>,
    /// The suppressions of its posts that the later phases may still use; taken by the settle
    /// step.
    pub pending: Vec<Pending>,
    /// Every post of the file, when `LintOptions::list_posts` asks for them.
    pub post_list: Vec<Arc<PostRef>>,
    /// Where each segment of the file began, with its line and column: later phases read the
    /// lines of their findings back from the nearest one.
    pub line_marks: Vec<LineCursor>,
    /// FNV-1a of the bytes read, so `--fix` can tell whether the file changed since; `None`
    /// unless `LintOptions::hash_content` asks for it.
    pub content_hash: Option<u64>,
}

/// What a whole `check` run gave.
#[derive(Debug)]
pub struct CheckOutcome {
    /// One per file linted, in the order the files were given (directories in name order).
    pub reports: Vec<FileReport>,
    /// Files that could not be found or read; the others were linted all the same.
    pub input_errors: Vec<InputError>,
    /// What the site phase inferred or could not check, one line per site, for the summary.
    pub site_notes: Vec<String>,
    /// Things the user should know that are not findings (a damaged cache replaced, how many
    /// links were requested); printed on stderr.
    pub notices: Vec<String>,
    /// Findings left out because the baseline holds them.
    pub baselined: usize,
    /// With `--shard`: what the site phase, run by `postlint merge`, needs of this part.
    pub shard: Option<Box<ShardPart>>,
    /// The live sites read, in the order of the run, for the reports' headers.
    pub sites: Vec<SiteVisit>,
    /// When the run was made (UTC): the reference time of its date rules.
    pub checked_at: Option<chrono::NaiveDateTime>,
}

/// A live site a run read, as the reports' headers name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteVisit {
    pub url: String,
    /// Its name, from its REST index.
    pub name: Option<String>,
    /// The user the run signed in as; `None` for an anonymous read (published posts only).
    pub signed_in_as: Option<String>,
}

impl CheckOutcome {
    /// An outcome with nothing in it, to absorb others into.
    pub fn empty() -> Self {
        Self {
            reports: Vec::new(),
            input_errors: Vec::new(),
            site_notes: Vec::new(),
            notices: Vec::new(),
            baselined: 0,
            shard: None,
            sites: Vec::new(),
            checked_at: None,
        }
    }

    /// Appends another run's outcome (another site's), keeping the order of both.
    pub fn absorb(&mut self, other: CheckOutcome) {
        let base = self.reports.len();
        match (&mut self.shard, other.shard) {
            (Some(mine), Some(theirs)) => mine.append(*theirs, base),
            (mine @ None, Some(theirs)) if base == 0 => *mine = Some(theirs),
            _ => {}
        }
        self.reports.extend(other.reports);
        self.input_errors.extend(other.input_errors);
        self.site_notes.extend(other.site_notes);
        self.notices.extend(other.notices);
        self.baselined += other.baselined;
        self.sites.extend(other.sites);
        self.checked_at = self.checked_at.or(other.checked_at);
    }

    /// 2 when a file could not be read, 1 when there is an error-severity finding, else 0.
    pub fn exit_code(&self) -> i32 {
        self.exit_code_failing_on(Some(Severity::Error))
    }

    /// 2 when a file could not be read, 1 when a finding is at least as severe as `threshold`
    /// (never, for `None`), else 0.
    pub fn exit_code_failing_on(&self, threshold: Option<Severity>) -> i32 {
        if !self.input_errors.is_empty() {
            return 2;
        }
        let Some(threshold) = threshold else { return 0 };
        let fails = self
            .reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.diagnostic.severity >= threshold);
        i32::from(fails)
    }
}
