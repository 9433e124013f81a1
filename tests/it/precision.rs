//! Precision kept: the findings judged on real posts of the shared corpus stay judged: the
//! tuning-era verdicts (`fixtures/precision/verdicts.toml`) and the blind verdicts of the test
//! half (`fixtures/precision/blind.toml`). A finding judged `false` must not come back (an
//! `info` one not above info, a `loud` one not at its severity or above), one judged `true` must
//! not go. Only the referenced posts are linted, and for the site rules the folders of their
//! sites.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use postlint::diagnostic::{Finding, Severity};
use postlint::engine::LintOptions;
use serde::Deserialize;

const VERDICTS: &str = "fixtures/precision/verdicts.toml";
const BLIND: &str = "fixtures/precision/blind.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdicts {
    /// The reference time the findings were judged at (RFC 3339).
    now: String,
    verdict: Vec<Verdict>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdict {
    /// Relative to `../shared/corpus`.
    file: String,
    rule: String,
    offset: usize,
    /// `line:column` of the offset, 1-based.
    at: String,
    severity: Severity,
    verdict: Judged,
    why: String,
    /// A false finding still reported today, which a change of the rule is to remove: the
    /// test tolerates it while it is there, and fails once it is gone, so that the mark is
    /// dropped and the finding can never come back.
    #[serde(default)]
    open: bool,
    /// More corpus folders the site phase must see with this post (a host shared by folders).
    #[serde(default)]
    context: Vec<String>,
    /// The commit and date a blind verdict was given on.
    #[serde(default)]
    judged: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Judged {
    True,
    False,
    /// Right only as an info: a false alarm at warning or error.
    Info,
    /// Real, but not worth the severity it was reported at.
    Loud,
}

impl Judged {
    fn as_str(self) -> &'static str {
        match self {
            Judged::True => "true",
            Judged::False => "false",
            Judged::Info => "info",
            Judged::Loud => "loud",
        }
    }
}

impl Verdict {
    fn name(&self) -> String {
        format!(
            "{} {} at {} (offset {}, judged {} at {}: {})",
            self.file,
            self.rule,
            self.at,
            self.offset,
            self.verdict.as_str(),
            self.severity,
            self.why
        )
    }

    fn is_site_rule(&self) -> bool {
        postlint::rules::find(&self.rule)
            .is_some_and(|rule| rule.meta().phase == postlint::meta::Phase::Site)
    }

    /// What is wrong with this entry given the findings of its file, if anything.
    fn problem(&self, findings: &[&Finding], corpus: &Path) -> Option<String> {
        let bytes = std::fs::read(corpus.join(&self.file))
            .unwrap_or_else(|e| panic!("{}: {e}", self.name()));
        if self.offset > bytes.len() {
            return Some(format!(
                "{}: the offset is past the end of the file",
                self.name()
            ));
        }
        let (line, column) = crate::common::naive_line_col(&bytes, self.offset);
        if format!("{line}:{column}") != self.at {
            return Some(format!("{}: the offset is at {line}:{column}", self.name()));
        }
        let found = findings
            .iter()
            .filter(|f| f.diagnostic.rule == self.rule && f.span.offset == self.offset)
            .map(|f| f.diagnostic.severity)
            .max();
        let wrong = match self.verdict {
            Judged::True => found.is_none(),
            Judged::False => found.is_some(),
            Judged::Info => found.is_some_and(|severity| severity > Severity::Info),
            Judged::Loud => found.is_some_and(|severity| severity >= self.severity),
        };
        if self.open {
            return (!wrong).then(|| {
                format!(
                    "{}: this false finding is gone (now {}): remove its `open = true`",
                    self.name(),
                    found.map_or("absent".to_owned(), |s| format!("an {s}"))
                )
            });
        }
        match (self.verdict, found) {
            (Judged::True, None) => Some(format!("{}: this true finding is gone", self.name())),
            (Judged::False, Some(now)) => Some(format!(
                "{}: this false finding is back (as {now})",
                self.name()
            )),
            (Judged::Info, Some(now)) if now > Severity::Info => Some(format!(
                "{}: right only as an info, it is back as {now}",
                self.name()
            )),
            (Judged::Loud, Some(now)) if now >= self.severity => Some(format!(
                "{}: judged too loud at {}, it is back as {now}",
                self.name(),
                self.severity
            )),
            _ => None,
        }
    }
}

/// Both files of verdicts as one list (they must agree on `now`).
fn load_verdicts() -> Verdicts {
    let mut all = load(VERDICTS);
    if std::path::Path::new(BLIND).exists() {
        let blind = load(BLIND);
        assert_eq!(
            blind.now, all.now,
            "{BLIND} and {VERDICTS} judge at different times"
        );
        all.verdict.extend(blind.verdict);
    }
    all
}

fn load(path: &str) -> Verdicts {
    let text = std::fs::read_to_string(path).expect(path);
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The files and folders to lint, relative to the corpus: each judged post, and for the site
/// rules the whole folder of the site (and any `context` folders), so the site phase compares
/// what it compared when the findings were judged.
fn paths_to_lint(verdicts: &[Verdict]) -> Vec<String> {
    let mut folders = BTreeSet::new();
    for verdict in verdicts.iter().filter(|v| v.is_site_rule()) {
        folders.insert(folder_of(&verdict.file));
        folders.extend(verdict.context.iter().cloned());
    }
    let files: BTreeSet<&String> = verdicts
        .iter()
        .map(|v| &v.file)
        .filter(|file| !folders.contains(&folder_of(file)))
        .collect();
    folders
        .into_iter()
        .chain(files.into_iter().cloned())
        .collect()
}

/// `posts/<site>` of `posts/<site>/<id>.json`: the folder of the post's site.
fn folder_of(file: &str) -> String {
    file.rsplit_once('/')
        .map_or(file, |(folder, _)| folder)
        .to_owned()
}

fn reference_time(now: &str) -> chrono::NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(now)
        .unwrap_or_else(|e| panic!("{VERDICTS}: now = {now:?}: {e}"))
        .naive_utc()
}

#[test]
fn judged_findings_stay_judged() {
    let Some(corpus) = crate::common::shared("corpus") else {
        return;
    };
    let verdicts = load_verdicts();
    assert!(!verdicts.verdict.is_empty(), "{VERDICTS} judges nothing");
    let paths: Vec<PathBuf> = paths_to_lint(&verdicts.verdict)
        .iter()
        .map(|p| corpus.join(p))
        .collect();
    let options = LintOptions {
        now: Some(reference_time(&verdicts.now)),
        ..LintOptions::default()
    };
    let outcome = postlint::check(&paths, options);
    assert!(
        outcome.input_errors.is_empty(),
        "{:?}",
        outcome.input_errors
    );

    let prefix = format!("{}/", corpus.display());
    let mut by_file: HashMap<String, Vec<Finding>> = HashMap::new();
    for report in outcome.reports {
        let name = report.file.name.to_string();
        let name = name.strip_prefix(&prefix).unwrap_or(&name).to_owned();
        by_file
            .entry(name)
            .or_default()
            .extend(report.findings.iter());
    }
    let mut problems = BTreeMap::new();
    for verdict in &verdicts.verdict {
        let findings: Vec<&Finding> = by_file.get(&verdict.file).into_iter().flatten().collect();
        if let Some(problem) = verdict.problem(&findings, &corpus) {
            problems.insert(verdict.name(), problem);
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} verdicts no longer hold:\n{}",
        problems.len(),
        verdicts.verdict.len(),
        problems.into_values().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_verdict_is_unique_and_well_formed() {
    // Unique within each file: a finding of the test half judged in the tuning era may be
    // judged again, blind.
    check_well_formed(&load(VERDICTS));
    if std::path::Path::new(BLIND).exists() {
        let blind = load(BLIND);
        check_well_formed(&blind);
        for verdict in &blind.verdict {
            assert!(
                verdict
                    .judged
                    .as_deref()
                    .is_some_and(|j| !j.trim().is_empty()),
                "{}: a blind verdict says when and on which commit it was judged",
                verdict.name()
            );
        }
    }
}

fn check_well_formed(verdicts: &Verdicts) {
    let mut seen = BTreeSet::new();
    for verdict in &verdicts.verdict {
        assert!(
            postlint::rules::find(&verdict.rule).is_some(),
            "{}: no such rule",
            verdict.name()
        );
        assert!(
            !verdict.why.trim().is_empty(),
            "{}: says no why",
            verdict.name()
        );
        assert!(
            verdict.file.starts_with("posts/") && verdict.file.ends_with(".json"),
            "{}: not a corpus path like posts/<site>/<id>.json",
            verdict.name()
        );
        assert!(
            !(verdict.open && verdict.verdict == Judged::True),
            "{}: only a false finding can be open",
            verdict.name()
        );
        let key = (&verdict.file, &verdict.rule, verdict.offset);
        assert!(seen.insert(key), "{}: judged twice", verdict.name());
    }
}
