//! A whole run: files found and linted in parallel (the engine), then the phases that need
//! every post (links, site), then one settle step for every finding whatever phase made it.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::engine::{LintOptions, Linter};
use crate::input::{self, InputError};
use crate::outcome::{CheckOutcome, FileReport};
use crate::{phases, settle};

fn lint_input(linter: &Linter, input: &input::Input) -> Result<FileReport, InputError> {
    let (file, reader) = input::open(input, linter.options().max_file_bytes)?;
    let name = file.name.clone();
    linter
        .lint_file(file, reader)
        .map_err(|source| InputError::Read { path: name, source })
}

/// Lints every post under `paths` with the built-in defaults. Runs on the current rayon pool.
pub fn check(paths: &[PathBuf], options: LintOptions) -> CheckOutcome {
    check_with(
        paths,
        Arc::new(Config::builtin(crate::rules::REGISTRY)),
        options,
    )
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
    let baseline = options.baseline.clone();
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
    let mut found = Vec::new();
    if let Some(check) = &link_check {
        let (stats, mut link_found) = phases::links::run(check, &config, &facts);
        found.append(&mut link_found);
        notices.extend(stats.notices);
        notices.push(format!(
            "links: {} distinct targets, {} requested, {} from the cache",
            stats.targets, stats.requested, stats.from_cache
        ));
    }
    let (mut site_notes, mut site_found) = phases::site::run(&config, &mut facts);
    found.append(&mut site_found);
    notices.extend(settle::late(&config, &mut reports, found, &facts));
    drop(facts);
    let baselined = baseline.map_or(0, |baseline| settle::baseline(&baseline, &mut reports));
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
        baselined,
    }
}
