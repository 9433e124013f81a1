//! The one orchestrator of a run, whatever the mode (files, a live site or post, the server,
//! watch, merge): inputs → lint → link phase → site phase → settle → baseline → outcome.

pub mod check;
mod finish;
pub mod merge;
pub mod options;
mod shard;
pub mod site;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

pub use finish::{Facts, Linted, Settled, finish};
pub use options::RunOptions;

use crate::config::Config;
use crate::engine::{FactsSink, Linter};
use crate::input::{self, InputError};
use crate::outcome::{CheckOutcome, FileReport};
use crate::phases;
use crate::site::{PostFacts, SiteFinding};
use crate::spill::FactSpill;
use crate::workspace::{self, Contents};

/// Lints one input; its site facts go to `spill` (as `input`, its place in the run) as each
/// segment is linted, when the run spills them.
fn lint_input(
    linter: &Linter,
    max_file_bytes: u64,
    (index, input): (usize, &input::Input),
    spill: Option<&FactSpill>,
) -> Result<FileReport, InputError> {
    let (file, reader) = input::open(input, max_file_bytes)?;
    let name = file.name.clone();
    let to_spill = spill.map(|spill| move |facts| spill.add(index, facts));
    let facts_to = to_spill.as_ref().map(|to| to as FactsSink<'_>);
    linter
        .lint_file_to(file, reader, facts_to)
        .map_err(|source| InputError::Read { path: name, source })
}

/// Lints every input on the run's threads, the largest first, and gives the results in input
/// order. Each thread takes one file at a time from what is left, so that at the end of a run
/// every thread finishes a small file rather than one thread finishing a batch of files it
/// took (rayon's default split) or a large file it started last, while the others wait.
/// `sizes` are the inputs' sizes when the walk looked them up (`discover_sized`).
fn lint_largest_first<R: Send>(
    inputs: &[input::Input],
    sizes: Option<Vec<u64>>,
    lint: impl Fn((usize, &input::Input)) -> R + Sync,
) -> Vec<R> {
    let sizes = sizes.unwrap_or_else(|| inputs.par_iter().map(input::size_hint).collect());
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    // Stable: files of one size keep their order, so a run is scheduled the same way each time.
    order.sort_by_key(|&index| std::cmp::Reverse(sizes[index]));
    let mut linted: Vec<(usize, R)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|index| (index, lint((index, &inputs[index]))))
        .collect();
    linted.sort_unstable_by_key(|(index, _)| *index);
    linted.into_iter().map(|(_, result)| result).collect()
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
pub fn check(paths: &[PathBuf], options: impl Into<RunOptions>) -> CheckOutcome {
    check_with(
        paths,
        Arc::new(Config::builtin(crate::rules::REGISTRY)),
        options,
    )
}

/// Lints every post under `paths` with a configuration.
pub fn check_with(
    paths: &[PathBuf],
    config: Arc<Config>,
    options: impl Into<RunOptions>,
) -> CheckOutcome {
    let options = options.into();
    let (mut inputs, mut input_errors, sizes) = input::discover_sized(paths);
    let mut sizes = Some(sizes);
    let mut left_out = None;
    if let Some(rev) = &options.changed_since {
        // The few files changed are looked up again.
        sizes = None;
        match input::select::changed_since(rev) {
            Ok(changed) => (inputs, left_out) = input::select::keep_changed(inputs, &changed),
            Err(message) => {
                input_errors.push(InputError::Usage(message));
                inputs.clear();
            }
        }
    }
    let mut outcome = check_sized(SizedInputs { inputs, sizes }, config, options);
    input_errors.append(&mut outcome.input_errors);
    outcome.input_errors = input_errors;
    outcome.notices.extend(left_out);
    outcome
}

/// Lints inputs already found (files, or pages fetched from a site) as one run: the link and
/// site phases see all of them together.
pub fn check_inputs(
    inputs: Vec<input::Input>,
    config: Arc<Config>,
    options: impl Into<RunOptions>,
) -> CheckOutcome {
    let sized = SizedInputs {
        inputs,
        sizes: None,
    };
    check_sized(sized, config, options)
}

/// Inputs and, when the walk looked them up, their sizes (`input::size_hint`), in one order.
struct SizedInputs {
    inputs: Vec<input::Input>,
    sizes: Option<Vec<u64>>,
}

impl SizedInputs {
    /// Keeps the inputs `keep` keeps, and their sizes.
    fn retain(&mut self, mut keep: impl FnMut(&input::Input) -> bool) {
        let kept: Vec<bool> = self.inputs.iter().map(&mut keep).collect();
        let mut flags = kept.iter();
        self.inputs
            .retain(|_| flags.next().copied().unwrap_or(false));
        if let Some(sizes) = &mut self.sizes {
            let mut flags = kept.iter();
            sizes.retain(|_| flags.next().copied().unwrap_or(false));
        }
    }
}

/// `check_inputs`, with the inputs' sizes when known.
fn check_sized(
    mut sized: SizedInputs,
    config: Arc<Config>,
    options: impl Into<RunOptions>,
) -> CheckOutcome {
    let options = options.into();
    // A tool's file a walk found is left out by its name before it is read.
    sized.retain(|input| !left_out(&config, input, None));
    // Each input's place among all of them: a merge of the shards puts the files back in it.
    let mut order: Vec<usize> = (0..sized.inputs.len()).collect();
    if let Some((k, n)) = options.shard {
        let mut position = 0..;
        order.retain(|_| {
            let index = position.next().unwrap_or_default();
            input::select::in_shard(&sized.inputs[index], k, n)
        });
        sized.retain(|input| input::select::in_shard(input, k, n));
    }
    let SizedInputs { inputs, sizes } = sized;
    let checked_at = crate::dates::now_or(options.lint.now);
    let spill = spill_for(&options, &config);
    let linter = options.linter(config.clone());
    let results = lint_largest_first(&inputs, sizes, |input| {
        lint_input(&linter, options.max_file_bytes, input, spill.as_ref())
    });
    drop(linter);
    let mut files = gather(&config, results, &inputs, order);
    // What the workers freed stays in their arenas; the phases below allocate on this thread.
    crate::memory::release_freed_by_workers();
    let facts = match spill.map(|spill| spill.finish(&files.report_of_input)) {
        Some(Ok(merge)) => Facts::Packed(merge),
        Some(Err(error)) => {
            files.input_errors.push(InputError::SiteFacts(format!(
                "the site rules did not run: {error}"
            )));
            Facts::Memory(files.facts)
        }
        None => Facts::Memory(files.facts),
    };
    let mut notices = Vec::new();
    let mut found = Vec::new();
    if let (Some(check), Facts::Memory(facts)) = (&options.links, &facts) {
        found = link_phase(check, &config, facts, &mut notices);
    }
    let baseline = options.baseline.as_deref();
    let mut outcome = CheckOutcome::empty();
    match (options.shard, facts) {
        // A shard never spills (`spill_for`). Its site phase and the settle step of its late
        // findings wait for `postlint merge`, which sees the facts of every shard.
        (Some(shard), Facts::Memory(facts)) => {
            let (part, mut unread) = shard::part(
                &config,
                shard,
                &files.reports,
                facts,
                found,
                files.read_order,
            );
            notices.append(&mut unread);
            outcome.shard = Some(Box::new(part));
            outcome.baselined =
                baseline.map_or(0, |b| crate::settle::baseline(b, &mut files.reports));
            outcome.reports = files.reports;
        }
        (_, facts) => {
            let linted = Linted {
                reports: files.reports,
                facts,
                found,
                lines: None,
            };
            let settled = finish(&config, linted, baseline);
            files.input_errors.extend(settled.input_errors);
            notices.extend(settled.notices);
            outcome.reports = settled.reports;
            outcome.site_notes = settled.site_notes;
            outcome.baselined = settled.baselined;
        }
    }
    outcome.input_errors = files.input_errors;
    outcome.notices = notices;
    outcome.checked_at = Some(checked_at);
    outcome
}

/// The files a run linted, in input order, with every post's facts moved out of them.
struct Gathered {
    reports: Vec<FileReport>,
    facts: Vec<PostFacts>,
    input_errors: Vec<InputError>,
    /// Each linted file's place among all inputs, before sharding.
    read_order: Vec<usize>,
    /// Each input's report, when it has one (an unreadable or left-out file has none).
    report_of_input: Vec<Option<usize>>,
}

fn gather(
    config: &Config,
    results: Vec<Result<FileReport, InputError>>,
    inputs: &[input::Input],
    order: Vec<usize>,
) -> Gathered {
    let mut gathered = Gathered {
        reports: Vec::with_capacity(results.len()),
        facts: Vec::new(),
        input_errors: Vec::new(),
        read_order: Vec::with_capacity(results.len()),
        report_of_input: Vec::with_capacity(results.len()),
    };
    for ((result, place), input) in results.into_iter().zip(order).zip(inputs) {
        if let Ok(report) = &result
            && left_out(config, input, Some(report.contents))
        {
            gathered.report_of_input.push(None);
            continue;
        }
        let next = gathered.reports.len();
        gathered
            .report_of_input
            .push(result.is_ok().then_some(next));
        match result {
            Ok(mut report) => {
                let mut file_facts = std::mem::take(&mut report.facts);
                for fact in &mut file_facts {
                    fact.file = next;
                }
                // Moved, not copied: one file of a million posts holds a lot of facts.
                if gathered.facts.is_empty() {
                    gathered.facts = file_facts;
                } else {
                    gathered.facts.append(&mut file_facts);
                }
                gathered.reports.push(report);
                gathered.read_order.push(place);
            }
            Err(error) => gathered.input_errors.push(error),
        }
    }
    gathered
}

/// The link phase: every distinct target checked once; its findings wait for the settle step.
fn link_phase(
    check: &crate::links::LinkCheck,
    config: &Config,
    facts: &[PostFacts],
    notices: &mut Vec<String>,
) -> Vec<SiteFinding> {
    let (stats, found) = phases::links::run(check, config, facts);
    notices.extend(stats.notices);
    notices.push(format!(
        "links: {} distinct targets, {} requested, {} from the cache",
        stats.targets, stats.requested, stats.from_cache
    ));
    found
}

/// The spill of site facts to disk past `--memory-budget`, when the run can use one: the link
/// check reads every post's links and a shard's report holds its facts, so neither spills;
/// nor does a config that names posts in overrides (the settle step looks their slugs up).
fn spill_for(options: &RunOptions, config: &Config) -> Option<FactSpill> {
    let budget = options.memory_budget?;
    let spills = options.links.is_none() && options.shard.is_none() && !config.has_post_overrides();
    spills.then(|| FactSpill::new(budget))
}
