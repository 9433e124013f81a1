//! `postlint merge`: the JSON reports of `--shard K/N` jobs read back as the files of one run.
//! Each shard report carries the site facts of its posts, the suppressions the site phase may
//! still use and the findings of its link check (`site::shard`); the merge puts the files back
//! in the run's order, for the orchestrator (`run::merge`) to finish as one run would.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Finding, Fix, PostRef, Severity};
use crate::findings::Findings;
use crate::input::format::InputFormat;
use crate::outcome::FileReport;
use crate::rules;
use crate::site::shard::{WireFile, WirePost, config_fingerprint, hex, unhex};
use crate::site::{PostFacts, SiteFinding};
use crate::source::{LineCols, Origin, ResolvedSpan, SourceFile};
use crate::workspace::Contents;

use super::json::REPORT_VERSION;

/// A shard's JSON report, as far as the merge reads it.
#[derive(Deserialize)]
struct ShardReport {
    version: u32,
    diagnostics: Vec<DiagnosticIn>,
    #[serde(default)]
    posts: Vec<PostIn>,
    shard: Option<ShardIn>,
}

#[derive(Deserialize)]
struct ShardIn {
    index: usize,
    count: usize,
    config: String,
    files: Vec<WireFile>,
}

#[derive(Deserialize)]
struct PostIn {
    file: String,
    index: usize,
    site: Option<String>,
}

#[derive(Deserialize)]
struct PostRefIn {
    index: usize,
    id: Option<i64>,
    link: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize)]
struct DiagnosticIn {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    file: String,
    post: Option<PostRefIn>,
    field: Option<String>,
    span: ResolvedSpan,
    fix: Option<FixIn>,
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct FixIn {
    applicability: Applicability,
    message: String,
    edits: Vec<EditIn>,
}

#[derive(Deserialize)]
struct EditIn {
    offset: usize,
    length: usize,
    content: String,
}

/// The shards' files as one run holds them once linted, before its site phase.
pub struct Restored {
    pub reports: Vec<FileReport>,
    pub facts: Vec<PostFacts>,
    /// The findings of the shards' link checks, not yet settled.
    pub found: Vec<SiteFinding>,
    /// The lines and columns of every place the facts and late findings point at.
    pub lines: Vec<LineCols>,
}

/// Reads the shard reports and merges them with `config`, which must be the configuration the
/// shards ran with.
pub fn merge_files(paths: &[PathBuf], config: &Config) -> Result<Restored, String> {
    let mut texts = Vec::new();
    for path in paths {
        let text = crate::source::read_whole(path, crate::source::MAX_READ_WHOLE)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        texts.push((path.display().to_string(), text));
    }
    merge_texts(&texts, config)
}

/// Merges shard reports given as text, each with the name to show in errors.
pub fn merge_texts(texts: &[(String, String)], config: &Config) -> Result<Restored, String> {
    let mut shards = Vec::new();
    for (shown, text) in texts {
        let report: ShardReport = serde_json::from_str(text).map_err(|e| {
            format!("{shown} is not a postlint JSON report of version {REPORT_VERSION}: {e}")
        })?;
        if report.version != REPORT_VERSION {
            return Err(format!(
                "{shown} is not a postlint JSON report of version {REPORT_VERSION}"
            ));
        }
        let Some(shard) = &report.shard else {
            return Err(format!(
                "{shown} has no `shard` section: write each part with `postlint check --shard K/N --format json`"
            ));
        };
        if shard.config != hex(config_fingerprint(config)) {
            return Err(format!(
                "{shown} was written with another configuration: give `postlint merge` the same \
                 config file and rule options (--select, --ignore, --severity, --timezone, \
                 --site-index) as the shards"
            ));
        }
        shards.push(report);
    }
    check_complete(&shards)?;
    merge(shards)
}

/// Every shard of `1..=N` once, all of the same N.
fn check_complete(shards: &[ShardReport]) -> Result<(), String> {
    let parts: Vec<(usize, usize)> = (shards.iter())
        .filter_map(|s| s.shard.as_ref().map(|s| (s.index, s.count)))
        .collect();
    let count = parts.first().map_or(0, |p| p.1);
    let mut seen: Vec<usize> = parts.iter().map(|p| p.0).collect();
    seen.sort_unstable();
    let expected: Vec<usize> = (1..=count).collect();
    if parts.iter().any(|p| p.1 != count) || seen != expected {
        let given: Vec<String> = parts.iter().map(|(k, n)| format!("{k}/{n}")).collect();
        return Err(format!(
            "the reports are shards {}: a merge needs each shard of 1/{count} to {count}/{count} once",
            given.join(", ")
        ));
    }
    Ok(())
}

/// One file of a shard, with its diagnostics.
struct Part {
    file: WireFile,
    diagnostics: Vec<DiagnosticIn>,
    sites: HashMap<usize, Option<String>>,
}

fn merge(shards: Vec<ShardReport>) -> Result<Restored, String> {
    let mut parts = Vec::new();
    for report in shards {
        let mut diagnostics: HashMap<String, Vec<DiagnosticIn>> = HashMap::new();
        for diagnostic in report.diagnostics {
            diagnostics
                .entry(diagnostic.file.clone())
                .or_default()
                .push(diagnostic);
        }
        let mut sites: HashMap<String, HashMap<usize, Option<String>>> = HashMap::new();
        for post in report.posts {
            sites
                .entry(post.file)
                .or_default()
                .insert(post.index, post.site);
        }
        for file in report.shard.map(|s| s.files).unwrap_or_default() {
            parts.push(Part {
                diagnostics: diagnostics.remove(&file.name).unwrap_or_default(),
                sites: sites.remove(&file.name).unwrap_or_default(),
                file,
            });
        }
    }
    parts.sort_by_key(|part| part.file.order);
    let mut intern = interner();
    let mut run = Run::default();
    for (index, part) in parts.into_iter().enumerate() {
        run.add(index, part, &mut intern)?;
    }
    Ok(Restored {
        reports: run.reports,
        facts: run.facts,
        found: run.found,
        lines: run.lines,
    })
}

/// The merged run, built file by file.
#[derive(Default)]
struct Run {
    reports: Vec<FileReport>,
    facts: Vec<PostFacts>,
    found: Vec<SiteFinding>,
    lines: Vec<LineCols>,
}

impl Run {
    fn add(
        &mut self,
        index: usize,
        part: Part,
        intern: &mut impl FnMut(String) -> &'static str,
    ) -> Result<(), String> {
        let Part {
            file,
            diagnostics,
            sites,
        } = part;
        let name = file.name.clone();
        let in_file = |e: String| format!("{name}: {e}");
        // One reference per post, shared by its findings and facts as in one run.
        let mut posts: HashMap<usize, Arc<PostRef>> = HashMap::new();
        let mut post_ref = |wire: WirePost| -> Arc<PostRef> {
            posts
                .entry(wire.index)
                .or_insert_with(|| Arc::new(wire.restore()))
                .clone()
        };
        self.lines.push(file.line_cols());
        let origin = match file.path() {
            Some(path) => Origin::Path(PathBuf::from(path)),
            None => Origin::Memory(Arc::from(Vec::new())),
        };
        // The facts first: their posts carry what the HTML report shows of each (status,
        // body), which the diagnostics' `post` objects do not.
        for facts in file.facts {
            let restored = facts.restore(index, &mut post_ref).map_err(in_file)?;
            self.facts.push(restored);
        }
        let mut findings = Findings::new();
        for diagnostic in diagnostics {
            let site = (diagnostic.post.as_ref())
                .and_then(|p| sites.get(&p.index).cloned())
                .flatten();
            findings.push(finding(diagnostic, site, &mut post_ref, intern).map_err(in_file)?);
        }
        let mut pending = Vec::new();
        for wire in file.pending {
            pending.push(wire.restore(&mut post_ref, intern).map_err(in_file)?);
        }
        for late in file.late {
            let restored = late
                .restore(index, &mut post_ref, intern)
                .map_err(in_file)?;
            self.found.push(restored);
        }
        let source = SourceFile { name, origin };
        self.reports.push(FileReport {
            format: InputFormat::of_file(&source),
            file: source,
            contents: Contents::Posts,
            posts: file.posts,
            findings,
            facts: Vec::new(),
            pending,
            post_list: Vec::new(),
            line_marks: Vec::new(),
            content_hash: None,
        });
        Ok(())
    }
}

/// A finding of a shard's report, as its run held it. What the JSON report leaves out (the
/// graphical report's labels and secondary spans) stays out.
fn finding(
    input: DiagnosticIn,
    site: Option<String>,
    post_ref: &mut impl FnMut(WirePost) -> Arc<PostRef>,
    intern: &mut impl FnMut(String) -> &'static str,
) -> Result<Finding, String> {
    let span = input.span;
    let range = span.offset..span.offset + span.length;
    let mut diagnostic =
        Diagnostic::for_rule(intern(input.rule), input.severity, range, input.message);
    diagnostic.help = input.help.map(Into::into);
    diagnostic.field = input.field.map(&mut *intern);
    diagnostic.post = input.post.map(|p| {
        post_ref(WirePost {
            index: p.index,
            id: p.id,
            link: p.link,
            title: p.title,
            site,
            status: None,
            body: None,
        })
    });
    diagnostic.fix = input.fix.map(|fix| {
        Box::new(Fix {
            applicability: fix.applicability,
            message: fix.message.into(),
            edits: (fix.edits.into_iter())
                .map(|e| Edit::replace(e.offset..e.offset + e.length, e.content))
                .collect(),
        })
    });
    let fingerprint = match &input.fingerprint {
        Some(print) => unhex(print)?,
        None => return Err("a diagnostic has no fingerprint".to_owned()),
    };
    Ok(Finding {
        diagnostic,
        span,
        secondary: Vec::new(),
        fingerprint,
    })
}

/// Rule codes and field names as the static text findings hold: the rules' own, else each
/// new one kept for the rest of the process (a merge reads a few dozen distinct ones).
fn interner() -> impl FnMut(String) -> &'static str {
    let mut known: HashMap<String, &'static str> = (rules::ALL.iter())
        .map(|rule| (rule.meta().code.to_owned(), rule.meta().code))
        .collect();
    move |text: String| {
        if let Some(found) = known.get(&text) {
            return found;
        }
        let kept: &'static str = Box::leak(text.clone().into_boxed_str());
        known.insert(text, kept);
        kept
    }
}
