//! Each rule's share of a lint: what turning that one rule off saves, on one thread.
//!
//! The method is leave-one-out in pairs: the lint with every default rule, then the lint with
//! every default rule but one, then every rule again, in turns, so that each lint without a
//! rule sits between two lints with all of them. A rule's share in one round is
//! `1 - without / mean(the all-rules lints either side)`, and the table gives the median of
//! the rounds. Leaving one rule out measures what that rule adds on top of the rest, shared
//! work it alone asks for included; timing each rule's `check` from inside the engine would
//! miss that, and would need a clock in the engine's hot loop. The shares need not add up to
//! the rules' whole cost: work two rules share is charged to neither. Two rules' findings stand
//! in for others' (`empty-paragraph`, `link-insecure`: `tests/it/rule_cost.rs`); left out,
//! those others report a little more, and the share is net of that.
//!
//! Times are the thread's CPU time, not the wall clock: the bench machine is shared, and time
//! spent waiting for a core is nobody's rule. Other processes still stir the caches, so the
//! shares are ratios of one run on a noisy machine, good to a fraction of a percent.
//!
//! Site rules do their work after every post is read, which a lint of files does not run;
//! during the lint they share the facts kept of each post, paid as long as any one of them is
//! on, so they are measured together as one row.

use std::sync::Arc;
use std::time::Duration;

use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::engine::{LintOptions, Linter};
use postlint::meta::Phase;

use super::{Input, lint, median, one_thread};

/// A rule above this share of a lint (in %) is flagged: it must say why in the performance docs.
pub const FLAGGED_SHARE: f64 = 3.0;

/// How much to measure: the full table (`-- rules`) or the top of a quicker one.
pub struct Scale {
    pub rounds: usize,
    /// Print only the costliest this many rows.
    pub top: Option<usize>,
}

/// What is left out of a lint to measure it: one rule, or every site rule.
struct Candidate {
    label: String,
    codes: Vec<&'static str>,
}

struct Cost {
    label: String,
    /// Median share of the all-rules lint, in %.
    share: f64,
    /// The share of the all-rules lint's median time, in ms.
    ms: f64,
}

/// Measures every default rule's share of a lint of `inputs` and prints the table, costliest
/// first.
pub fn table(label: &str, inputs: &[Input], scale: &Scale) {
    let candidates = candidates();
    let all = linter_without(&[]);
    let without: Vec<Linter> = (candidates.iter())
        .map(|candidate| linter_without(&candidate.codes))
        .collect();
    let (all_times, shares) = one_thread(|| {
        finding_codes(&all, inputs);
        check_left_out(&without, &candidates, inputs);
        rounds(&all, &without, inputs, scale.rounds)
    });
    let all_ms = median(all_times).as_secs_f64() * 1000.0;
    let mut costs: Vec<Cost> = (candidates.into_iter().zip(shares))
        .map(|(candidate, mut rounds)| {
            rounds.sort_by(f64::total_cmp);
            let share = rounds[rounds.len() / 2] * 100.0;
            Cost {
                label: candidate.label,
                share,
                ms: all_ms * share / 100.0,
            }
        })
        .collect();
    costs.sort_by(|a, b| b.share.total_cmp(&a.share));
    print(label, all_ms, &costs, scale);
}

/// The default rules a lint of files runs, one candidate each, and the site rules as one.
fn candidates() -> Vec<Candidate> {
    let on = || (postlint::rules::REGISTRY.iter()).filter(|meta| meta.enabled_by_default);
    let mut candidates: Vec<Candidate> = on()
        .filter(|meta| meta.phase == Phase::Post)
        .map(|meta| Candidate {
            label: meta.code.to_owned(),
            codes: vec![meta.code],
        })
        .collect();
    let site: Vec<&'static str> = on()
        .filter(|meta| meta.phase == Phase::Site)
        .map(|meta| meta.code)
        .collect();
    candidates.push(Candidate {
        label: format!("site rules' facts (all {})", site.len()),
        codes: site,
    });
    candidates
}

/// The default rules but `codes`, as `--no-config --ignore CODE,...` gives them.
fn linter_without(codes: &[&'static str]) -> Linter {
    let request = ConfigRequest {
        none: true,
        cli: CliRules {
            ignore: codes.iter().map(|code| code.to_string()).collect(),
            ..CliRules::default()
        },
        ..ConfigRequest::default()
    };
    let config = Config::load(&request, postlint::rules::REGISTRY).expect("registry codes");
    Linter::new(Arc::new(config), LintOptions::default())
}

/// A warm-up that also checks the method: a lint without a rule must find none of its
/// findings. That it changes no other rule's findings, but for the few rules that stand in for
/// another's, is tested in `tests/it/rule_cost.rs`.
fn check_left_out(without: &[Linter], candidates: &[Candidate], inputs: &[Input]) {
    for (linter, candidate) in without.iter().zip(candidates) {
        let found = finding_codes(linter, inputs);
        if found.iter().any(|code| candidate.codes.contains(code)) {
            eprintln!("warning: {} was not left out", candidate.label);
        }
    }
}

fn finding_codes(linter: &Linter, inputs: &[Input]) -> Vec<&'static str> {
    let mut codes = Vec::new();
    for input in inputs {
        let file = postlint::source::SourceFile::in_memory(input.name.clone(), input.bytes.clone());
        let report = linter
            .lint_file(file, std::io::Cursor::new(input.bytes.clone()))
            .expect("in-memory reads do not fail");
        codes.extend(report.findings.iter().map(|f| f.diagnostic.rule));
    }
    codes
}

/// `rounds` rounds of all, without the first, all, without the second, all, ...: the times of
/// the all-rules lints, and each candidate's share in each round.
fn rounds(
    all: &Linter,
    without: &[Linter],
    inputs: &[Input],
    rounds: usize,
) -> (Vec<Duration>, Vec<Vec<f64>>) {
    let mut all_times = Vec::new();
    let mut shares = vec![Vec::with_capacity(rounds); without.len()];
    for _ in 0..rounds {
        let mut before = cpu_time(|| lint(all, inputs));
        all_times.push(before);
        for (linter, share) in without.iter().zip(&mut shares) {
            let left_out = cpu_time(|| lint(linter, inputs));
            let after = cpu_time(|| lint(all, inputs));
            all_times.push(after);
            let with = (before + after).as_secs_f64() / 2.0;
            share.push(1.0 - left_out.as_secs_f64() / with);
            before = after;
        }
    }
    (all_times, shares)
}

/// The CPU time this thread spends in `run`.
pub fn cpu_time(run: impl FnOnce() -> usize) -> Duration {
    let start = thread_cpu();
    std::hint::black_box(run());
    thread_cpu().saturating_sub(start)
}

fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: the kernel fills a plain C struct we own.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0;
    assert!(ok, "the thread's CPU clock is readable on Linux");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn print(label: &str, all_ms: f64, costs: &[Cost], scale: &Scale) {
    let shown = scale.top.unwrap_or(costs.len()).min(costs.len());
    let total: f64 = costs.iter().map(|cost| cost.share).sum();
    println!(
        "\neach rule's share of a lint, {label}: every default rule {all_ms:.0} ms of CPU, one \
         thread; leave-one-out, median of {} rounds; the {shown} costliest of {}; shares add up \
         to {total:.1}%",
        scale.rounds,
        costs.len()
    );
    println!("{:<30} {:>8} {:>8}", "rule", "share %", "ms");
    for cost in &costs[..shown] {
        let flag = if cost.share > FLAGGED_SHARE {
            format!("  above {FLAGGED_SHARE}%")
        } else {
            String::new()
        };
        println!(
            "{:<30} {:>8.2} {:>8.1}{flag}",
            cost.label, cost.share, cost.ms
        );
    }
}
