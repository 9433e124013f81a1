//! A whole run: files found and linted in parallel (the engine), then the phases that need
//! every post (links, site), then one settle step for every finding whatever phase made it.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::engine::{FactsSink, LintOptions, Linter};
use crate::input::{self, InputError};
use crate::outcome::{CheckOutcome, FileReport};
use crate::site::shard::{ShardPart, config_fingerprint, of_file, offsets_of};
use crate::site::{PostFacts, SiteFinding};
use crate::source::LineCols;
use crate::spill::{FactSpill, Merge, Sorted};
use crate::workspace::{self, Contents};
use crate::{phases, settle};

/// Lints one input; its site facts go to `spill` (as `input`, its place in the run) as each
/// segment is linted, when the run spills them.
fn lint_input(
    linter: &Linter,
    (index, input): (usize, &input::Input),
    spill: Option<&FactSpill>,
) -> Result<FileReport, InputError> {
    let (file, reader) = input::open(input, linter.options().max_file_bytes)?;
    let name = file.name.clone();
    let to_spill = spill.map(|spill| move |facts| spill.add(index, facts));
    let facts_to = to_spill.as_ref().map(|to| to as FactsSink<'_>);
    linter
        .lint_file_to(file, reader, facts_to)
        .map_err(|source| InputError::Read { path: name, source })
}

/// Whether an input is left out of the run, silently: a tool's file a walk found, judged by
/// its name and, once read, by what it held.
fn left_out(config: &Config, input: &input::Input, contents: Option<Contents>) -> bool {
    match input {
        input::Input::Found(path) => workspace::leaves_out(config, path, contents),
        _ => false,
    }
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
    // A tool's file a walk found is left out by its name before it is read.
    inputs.retain(|input| !left_out(&config, input, None));
    let shard = options.shard;
    // Each input's place among all of them: a merge of the shards puts the files back in it.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    if let Some((k, n)) = shard {
        let mut position = 0..;
        order.retain(|_| {
            let index = position.next().unwrap_or_default();
            input::select::in_shard(&inputs[index], k, n)
        });
        inputs.retain(|input| input::select::in_shard(input, k, n));
    }
    let link_check = options.links.clone();
    let baseline = options.baseline.clone();
    let checked_at = crate::dates::now_or(options.now);
    let spill = spill_for(&options, &config);
    let linter = Linter::new(config.clone(), options);
    let results: Vec<Result<FileReport, InputError>> = inputs
        .par_iter()
        .enumerate()
        .map(|input| lint_input(&linter, input, spill.as_ref()))
        .collect();
    let mut reports = Vec::with_capacity(results.len());
    let mut facts = Vec::new();
    let mut read_order = Vec::with_capacity(results.len());
    let mut report_of_input = Vec::with_capacity(results.len());
    for ((result, place), input) in results.into_iter().zip(order).zip(&inputs) {
        if let Ok(report) = &result
            && left_out(&config, input, Some(report.contents))
        {
            report_of_input.push(None);
            continue;
        }
        report_of_input.push(result.is_ok().then_some(reports.len()));
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
                read_order.push(place);
            }
            Err(error) => input_errors.push(error),
        }
    }
    // What the workers freed stays in their arenas; the phases below allocate on this thread.
    crate::memory::release_freed();
    let mut notices = Vec::new();
    let mut on_disk = None;
    match spill.map(|spill| spill.finish(&report_of_input)) {
        Some(Ok(Sorted::Memory(kept))) => facts = kept,
        Some(Ok(Sorted::Disk(merge))) => on_disk = Some(merge),
        Some(Err(error)) => input_errors.push(InputError::SiteFacts(format!(
            "the site rules did not run: {error}"
        ))),
        None => {}
    }
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
    let mut part = None;
    let mut site_notes = Vec::new();
    if let Some(shard) = shard {
        // The site phase and the settle step of late findings wait for `postlint merge`, which
        // sees the facts of every shard.
        let (shard_part, mut unread) =
            shard_part(&config, shard, &reports, facts, found, read_order);
        notices.append(&mut unread);
        part = Some(Box::new(shard_part));
    } else {
        let (notes, mut site_found) = match on_disk {
            Some(mut merge) => {
                let ran = phases::site::run_sorted(&config, &mut merge);
                notices.push(spill_notice(&merge));
                input_errors.extend(merge.error.take().map(|e| {
                    InputError::SiteFacts(format!(
                        "the site rules saw only part of the posts: a spilled run: {e}"
                    ))
                }));
                ran
            }
            None => phases::site::run(&config, &mut facts),
        };
        site_notes = notes;
        found.append(&mut site_found);
        notices.extend(settle::late(&config, &mut reports, found, &facts));
        drop(facts);
    }
    let baselined = baseline.map_or(0, |baseline| settle::baseline(&baseline, &mut reports));
    CheckOutcome {
        reports,
        input_errors,
        site_notes,
        notices,
        baselined,
        shard: part,
        sites: Vec::new(),
        checked_at: Some(checked_at),
    }
}

/// What `postlint merge` needs of a shard: its facts, its late findings, and the lines and
/// columns of every place they point at, read back from each file now (the merge job does not
/// have the files). The pending suppressions stay in the reports. Returns notices for files
/// that could not be read again.
fn shard_part(
    config: &Config,
    shard: (usize, usize),
    reports: &[FileReport],
    facts: Vec<PostFacts>,
    mut late: Vec<SiteFinding>,
    order: Vec<usize>,
) -> (ShardPart, Vec<String>) {
    let mut notices = Vec::new();
    late.sort_by_key(|finding| finding.file);
    let positions = reports
        .par_iter()
        .enumerate()
        .map(|(file, report)| {
            let facts = of_file(&facts, file, |f| f.file);
            let late = of_file(&late, file, |f| f.file);
            let offsets = offsets_of(facts, &report.pending, late);
            if offsets.is_empty() {
                return Ok(LineCols::default());
            }
            LineCols::read_back(&report.file, &report.line_marks, offsets).map_err(|e| {
                format!(
                    "{}: cannot be read again for the merge: {e}",
                    report.file.name
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|lines| {
            lines.unwrap_or_else(|notice| {
                notices.push(notice);
                LineCols::default()
            })
        })
        .collect();
    let part = ShardPart {
        shard,
        config: config_fingerprint(config),
        order,
        positions,
        facts,
        late,
    };
    (part, notices)
}

/// Where the site facts past `--memory-budget` went: to disk, or, when the temporary folder
/// could not take them, to memory, and why.
fn spill_notice(merge: &Merge) -> String {
    match merge.dir().fallback() {
        None => format!(
            "the site facts passed --memory-budget: sorted on disk in {} runs",
            merge.runs()
        ),
        Some(why) => {
            format!("the site facts passed --memory-budget but were sorted in memory: {why}")
        }
    }
}

/// The spill of site facts to disk past `--memory-budget`, when the run can use one: the link
/// check reads every post's links and a shard's report holds its facts, so neither spills;
/// nor does a config that names posts in overrides (the settle step looks their slugs up).
fn spill_for(options: &LintOptions, config: &Config) -> Option<FactSpill> {
    let budget = options.memory_budget?;
    let spills = options.links.is_none() && options.shard.is_none() && !config.has_post_overrides();
    spills.then(|| FactSpill::new(budget))
}
