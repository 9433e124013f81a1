//! postlint: a linter for WordPress posts as the REST API exports them.
//!
//! The flow is one way: input (find, read, split into posts) -> post view and HTML index
//! (parsed once) -> rules (in parallel) -> diagnostics (sorted, resolved) -> report.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod dates;
pub mod diagnostic;
pub mod engine;
pub mod findings;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod input;
pub mod links;
pub mod post;
pub mod report;
pub mod rules;
pub mod site;
pub mod source;
pub mod suppress;
pub mod wordpress;
pub mod zones;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Severity;
use crate::engine::{FileReport, LintOptions, Linter};
use crate::input::InputError;

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
}

impl CheckOutcome {
    /// An outcome with nothing in it, to absorb others into.
    pub fn empty() -> Self {
        Self {
            reports: Vec::new(),
            input_errors: Vec::new(),
            site_notes: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// Appends another run's outcome (another site's), keeping the order of both.
    pub fn absorb(&mut self, other: CheckOutcome) {
        self.reports.extend(other.reports);
        self.input_errors.extend(other.input_errors);
        self.site_notes.extend(other.site_notes);
        self.notices.extend(other.notices);
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

fn lint_input(linter: &Linter, input: &input::Input) -> Result<FileReport, InputError> {
    let (file, reader) = input::open(input, linter.options().max_file_bytes)?;
    let name = file.name.clone();
    linter
        .lint_file(file, reader)
        .map_err(|source| InputError::Read { path: name, source })
}

/// Lints every post under `paths` with the built-in defaults. Runs on the current rayon pool.
pub fn check(paths: &[PathBuf], options: LintOptions) -> CheckOutcome {
    check_with(paths, Arc::new(Config::builtin(rules::REGISTRY)), options)
}

/// Lints every post under `paths` with a configuration.
pub fn check_with(paths: &[PathBuf], config: Arc<Config>, options: LintOptions) -> CheckOutcome {
    let (mut inputs, mut input_errors) = input::discover(paths);
    if let Some(rev) = &options.changed_since {
        match input::select::changed_since(rev) {
            Ok(changed) => inputs = input::select::keep_changed(inputs, &changed),
            Err(message) => {
                input_errors.push(InputError::Usage(message));
                inputs.clear();
            }
        }
    }
    let mut outcome = check_inputs(inputs, config, options);
    input_errors.append(&mut outcome.input_errors);
    outcome.input_errors = input_errors;
    outcome
}

/// Lints inputs already found (files, or pages fetched from a site) as one run: the link and
/// site phases see all of them together.
pub fn check_inputs(
    mut inputs: Vec<input::Input>,
    config: Arc<Config>,
    options: LintOptions,
) -> CheckOutcome {
    let mut input_errors = Vec::new();
    if let Some((k, n)) = options.shard {
        inputs.retain(|input| input::select::in_shard(input, k, n));
    }
    let sharded = options.shard.is_some_and(|(_, n)| n > 1);
    let link_check = options.links.clone();
    let linter = Linter::new(config.clone(), options);
    let results: Vec<Result<FileReport, InputError>> = inputs
        .par_iter()
        .map(|input| lint_input(&linter, input))
        .collect();
    let mut reports = Vec::with_capacity(results.len());
    let mut facts = Vec::new();
    for result in results {
        match result {
            Ok(mut report) => {
                let file = reports.len();
                let mut file_facts = std::mem::take(&mut report.facts);
                for fact in &mut file_facts {
                    fact.file = file;
                }
                // Moved, not copied: one file of a million posts holds a lot of facts.
                if facts.is_empty() {
                    facts = file_facts;
                } else {
                    facts.append(&mut file_facts);
                }
                reports.push(report);
            }
            Err(error) => input_errors.push(error),
        }
    }
    let mut notices = Vec::new();
    if let Some(check) = &link_check {
        let stats = links::stage::run(check, &config.effective(None, None), &facts, &mut reports);
        notices.extend(stats.notices);
        notices.push(format!(
            "links: {} distinct targets, {} requested, {} from the cache",
            stats.targets, stats.requested, stats.from_cache
        ));
    }
    let mut site_notes = site::run(&config, &mut reports, facts);
    if sharded && !site_notes.is_empty() {
        site_notes.insert(
            0,
            "partial: this shard saw only its own files of each site".to_owned(),
        );
    }
    CheckOutcome {
        reports,
        input_errors,
        site_notes,
        notices,
    }
}
