//! Each rule's share of a lint, and the shared work's: the time spent inside each rule's
//! hooks, counted by the engine itself (`LintOptions::rule_costs`, `src/rule_costs.rs`).
//!
//! The engine charges every moment of a post's lint to one slot, in laps: a rule's `check`,
//! `start`, its walk's hooks and `finish`, its `check_file`; or shared work (the post's view,
//! the site rules' facts, the walk between hooks, the loop over the rules, the patterns,
//! settle). What no lap holds is the rest of the lint: reading the JSON and the posts, the
//! file loop, lines and columns, the report's data. Each lap holds one clock read, whose cost
//! is measured in the same run and subtracted; the reads' whole cost is its own row, so the
//! rows add up to the timed lint, and the timed lint less its reads is compared with the same
//! lint untimed (the check that the clock changed nothing else).
//!
//! Each round lints the input untimed, then timed, on one thread; the table sums the rounds.
//! Laps read the wall clock, and each post's are scaled to its CPU time (`src/rule_costs.rs`):
//! the rows are CPU time, and time spent waiting for a core is nobody's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use postlint::config::{Config, ConfigRequest};
use postlint::engine::{LintOptions, Linter};
use postlint::rule_costs::{RuleCosts, Shared, Slot, lap_cost, thread_cpu};

use super::{Input, lint, one_thread};

/// A rule above this share of a lint (in %) is flagged: it must say why in the performance docs.
pub const FLAGGED_SHARE: f64 = 3.0;

/// Laps of nothing timed to calibrate the clock's cost, in each of five batches.
const CALIBRATION_LAPS: usize = 1_000_000;

/// How much to measure: the full table (`-- rules`) or the top of a quicker one.
pub struct Scale {
    pub rounds: usize,
    /// Print only the costliest this many rules.
    pub top: Option<usize>,
}

/// One row of the table.
struct Row {
    label: String,
    /// Time in the slot over every round, clock reads taken out (ms).
    ms: f64,
    /// Whether it is a rule (flagged above `FLAGGED_SHARE`) rather than shared work.
    rule: bool,
}

/// The times of the rounds, summed.
#[derive(Default)]
struct Totals {
    untimed_wall: Duration,
    untimed_cpu: Duration,
    timed_wall: Duration,
    timed_cpu: Duration,
}

/// Measures every rule's own time and the shared work's over `scale.rounds` lints of
/// `inputs`, and prints the table, costliest first.
pub fn table(label: &str, inputs: &[Input], scale: &Scale) {
    let costs = Arc::new(RuleCosts::new(postlint::rules::REGISTRY.len()));
    let plain = linter(None);
    let timed = linter(Some(Arc::clone(&costs)));
    let (totals, lap_ns) = one_thread(|| {
        lint(&plain, inputs);
        let before = lap_cost(CALIBRATION_LAPS);
        let mut totals = Totals::default();
        for _ in 0..scale.rounds {
            let (wall, cpu) = wall_and_cpu(|| lint(&plain, inputs));
            totals.untimed_wall += wall;
            totals.untimed_cpu += cpu;
            let (wall, cpu) = wall_and_cpu(|| lint(&timed, inputs));
            totals.timed_wall += wall;
            totals.timed_cpu += cpu;
        }
        let after = lap_cost(CALIBRATION_LAPS);
        (totals, (before, after))
    });
    let lap = (lap_ns.0 + lap_ns.1) / 2.0;
    let (rows, clock_ms) = rows(&costs, lap, totals.timed_cpu);
    print(
        label,
        scale,
        &rows,
        (clock_ms, lap_ns, costs.reads()),
        &totals,
    );
}

/// Every rule that ran, every shared slot, and the rest; and the clock reads' cost (ms).
fn rows(costs: &RuleCosts, lap: f64, timed_cpu: Duration) -> (Vec<Row>, f64) {
    let ms = |ns: f64| ns / 1e6;
    let mut rows: Vec<Row> = (postlint::rules::REGISTRY.iter().enumerate())
        .filter(|(i, _)| costs.raw(Slot::Rule(*i)).1 > 0)
        .map(|(i, meta)| Row {
            label: meta.code.to_owned(),
            ms: ms(costs.own(Slot::Rule(i), lap)),
            rule: true,
        })
        .collect();
    rows.extend(Shared::ALL.iter().map(|&shared| Row {
        label: shared.label().to_owned(),
        ms: ms(costs.own(Slot::Shared(shared), lap)),
        rule: false,
    }));
    let clock_ns = costs.reads() as f64 * lap;
    // The reads that begin laps fall outside every lap: taken out of the rest.
    let rest = timed_cpu.as_nanos() as f64 - costs.counted() as f64 - costs.starts() as f64 * lap;
    rows.push(Row {
        label: "(the rest: JSON, posts, file loop, lines)".to_owned(),
        ms: ms(rest),
        rule: false,
    });
    rows.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    (rows, ms(clock_ns))
}

/// The default rules, as `--no-config` gives them, counting into `costs` when given.
fn linter(costs: Option<Arc<RuleCosts>>) -> Linter {
    let request = ConfigRequest {
        none: true,
        ..ConfigRequest::default()
    };
    let config = Config::load(&request, postlint::rules::REGISTRY).expect("registry codes");
    let options = LintOptions {
        rule_costs: costs,
        ..LintOptions::default()
    };
    Linter::new(Arc::new(config), options)
}

fn wall_and_cpu(run: impl FnOnce() -> usize) -> (Duration, Duration) {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    std::hint::black_box(run());
    (wall.elapsed(), thread_cpu().saturating_sub(cpu))
}

/// The CPU time this thread spends in `run`.
pub fn cpu_time(run: impl FnOnce() -> usize) -> Duration {
    let start = thread_cpu();
    std::hint::black_box(run());
    thread_cpu().saturating_sub(start)
}

fn print(
    label: &str,
    scale: &Scale,
    rows: &[Row],
    (clock_ms, lap_ns, reads): (f64, (f64, f64), u64),
    totals: &Totals,
) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let timed = ms(totals.timed_cpu);
    let lint = timed - clock_ms;
    let rounds = scale.rounds;
    println!(
        "\neach rule's share of a lint, {label}: the CPU time inside its hooks, {rounds} rounds on \
         one thread\n  timed lint {timed:.0} ms CPU ({:.0} ms wall), of which {reads} clock reads \
         at {:.1}/{:.1} ns (calibrated before/after) = {clock_ms:.0} ms; less the reads: {lint:.0} \
         ms\n  the same lint untimed: {:.0} ms CPU ({:.0} ms wall): timed less reads / untimed = \
         {:.3}",
        ms(totals.timed_wall),
        lap_ns.0,
        lap_ns.1,
        ms(totals.untimed_cpu),
        ms(totals.untimed_wall),
        lint / ms(totals.untimed_cpu),
    );
    println!(
        "{:<42} {:>8} {:>9}",
        "rule, or (shared work)", "share %", "ms/round"
    );
    let mut rules_shown = 0;
    let mut sum = 0.0;
    for row in rows {
        sum += row.ms;
        if row.rule {
            rules_shown += 1;
            if scale.top.is_some_and(|top| rules_shown > top) {
                continue;
            }
        }
        let share = row.ms / lint * 100.0;
        let flag = if row.rule && share > FLAGGED_SHARE {
            format!("  above {FLAGGED_SHARE}%")
        } else {
            String::new()
        };
        println!(
            "{:<42} {share:>8.2} {:>9.2}{flag}",
            row.label,
            row.ms / rounds as f64
        );
    }
    println!(
        "{:<42} {:>8.2} {:>9.2}\n",
        "sum of the rows",
        sum / lint * 100.0,
        sum / rounds as f64
    );
}
