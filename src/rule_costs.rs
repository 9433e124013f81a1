//! Each rule's own time in a lint, and the shared work's, counted only when a run asks for it
//! (`LintOptions::rule_costs`, the bench's per-rule table); a normal run reads no clock.
//!
//! Time is charged in laps: each clock read ends the lap of one slot (a rule, or work the
//! rules share) and starts the next, so the laps of a post add up to its whole lint with no
//! gap and no overlap. Each lap holds one clock read of its own; `lap_cost` measures that in
//! the same process, and `own` subtracts it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Work the rules share, each its own row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// The post's views (`PostContext::new`): the HTML index and blocks of each field, its
    /// links and dates, for the written view and the rendered one.
    PostView,
    /// What the site rules keep of each post (`PostFacts::of`), shared by all of them.
    SiteFacts,
    /// The walk between the rules' hooks: the elements open around each node, how far it is
    /// hidden, and handing it to the rules that asked.
    Walk,
    /// The post's loop over its rules: the settings, the visitors, the views picked.
    PostRules,
    /// The config's pattern rules (`[[patterns]]`).
    Patterns,
    /// Settling the post's findings: severities, suppressions and the rules about them, the
    /// fixes that fit the post's dialect.
    Settle,
}

impl Shared {
    pub const ALL: [Shared; 6] = [
        Shared::PostView,
        Shared::SiteFacts,
        Shared::Walk,
        Shared::PostRules,
        Shared::Patterns,
        Shared::Settle,
    ];

    /// The row's name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Shared::PostView => "(the post's view: HTML index, links)",
            Shared::SiteFacts => "(the site rules' facts)",
            Shared::Walk => "(the walk: open elements, dispatch)",
            Shared::PostRules => "(the post's loop over its rules)",
            Shared::Patterns => "(the config's patterns)",
            Shared::Settle => "(settle: severities, suppressions)",
        }
    }
}

/// Where a lap's time goes: a rule, by its position in the registry, or shared work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Rule(usize),
    Shared(Shared),
}

#[derive(Debug, Default)]
struct Counter {
    nanos: AtomicU64,
    laps: AtomicU64,
}

impl Counter {
    fn raw(&self) -> (u64, u64) {
        (
            self.nanos.load(Ordering::Relaxed),
            self.laps.load(Ordering::Relaxed),
        )
    }
}

/// The time of each slot, summed over a run (over every thread that lints).
#[derive(Debug)]
pub struct RuleCosts {
    rules: Vec<Counter>,
    shared: [Counter; Shared::ALL.len()],
    /// Clock reads that start laps rather than end one (one each time laps begin).
    starts: AtomicU64,
}

impl RuleCosts {
    /// Counters for `rules` rules (the registry's length).
    pub fn new(rules: usize) -> Self {
        Self {
            rules: (0..rules).map(|_| Counter::default()).collect(),
            shared: Default::default(),
            starts: AtomicU64::new(0),
        }
    }

    fn counter(&self, slot: Slot) -> Option<&Counter> {
        match slot {
            Slot::Rule(rule) => self.rules.get(rule),
            Slot::Shared(shared) => self.shared.get(shared as usize),
        }
    }

    /// Laps charged to these counters, starting now.
    pub fn laps(&self) -> Laps<'_> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        Laps {
            on: Some((self, Instant::now())),
        }
    }

    /// A slot's time as counted, its clock reads included (ns), and its number of laps.
    pub fn raw(&self, slot: Slot) -> (u64, u64) {
        self.counter(slot).map_or((0, 0), Counter::raw)
    }

    /// A slot's own time (ns): its laps' time less one clock read per lap (`lap_cost`, ns).
    pub fn own(&self, slot: Slot, lap_cost: f64) -> f64 {
        let (nanos, laps) = self.raw(slot);
        nanos as f64 - laps as f64 * lap_cost
    }

    /// Every clock read of the run: one per lap, and one each time laps began.
    pub fn reads(&self) -> u64 {
        let laps = (self.rules.iter().chain(&self.shared)).map(|c| c.raw().1);
        laps.sum::<u64>() + self.starts()
    }

    /// The clock reads that began laps: they fall outside every lap.
    pub fn starts(&self) -> u64 {
        self.starts.load(Ordering::Relaxed)
    }

    /// The sum of every slot's time as counted (ns).
    pub fn counted(&self) -> u64 {
        (self.rules.iter().chain(&self.shared))
            .map(|c| c.raw().0)
            .sum()
    }
}

/// A clock of laps over one piece of work on one thread; off (`Laps::OFF`), it reads nothing.
pub struct Laps<'c> {
    on: Option<(&'c RuleCosts, Instant)>,
}

impl<'c> Laps<'c> {
    /// Laps charged to `costs` when a run counts them, else off.
    pub fn of(costs: Option<&'c RuleCosts>) -> Self {
        costs.map_or(Laps { on: None }, RuleCosts::laps)
    }

    /// Ends the current lap, charging the time since the last one to `slot`.
    #[inline]
    pub fn lap(&mut self, slot: Slot) {
        if let Some((costs, last)) = &mut self.on {
            let now = Instant::now();
            if let Some(counter) = costs.counter(slot) {
                let nanos = u64::try_from((now - *last).as_nanos()).unwrap_or(u64::MAX);
                counter.nanos.fetch_add(nanos, Ordering::Relaxed);
                counter.laps.fetch_add(1, Ordering::Relaxed);
            }
            *last = now;
        }
    }
}

/// What one lap of nothing takes on this machine, now (ns): its clock read and counting,
/// the median of a few batches of `laps` laps.
pub fn lap_cost(laps: usize) -> f64 {
    let mut batches: Vec<f64> = (0..5)
        .map(|_| {
            let costs = RuleCosts::new(1);
            let start = Instant::now();
            let mut clock = costs.laps();
            for _ in 0..laps {
                clock.lap(Slot::Rule(0));
            }
            start.elapsed().as_nanos() as f64 / laps.max(1) as f64
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_charge_each_slot_and_nothing_twice() {
        let costs = RuleCosts::new(2);
        let start = Instant::now();
        let mut clock = costs.laps();
        for _ in 0..100 {
            clock.lap(Slot::Rule(0));
            clock.lap(Slot::Shared(Shared::Walk));
        }
        let whole = start.elapsed().as_nanos() as u64;
        assert_eq!(costs.raw(Slot::Rule(0)).1, 100);
        assert_eq!(costs.raw(Slot::Shared(Shared::Walk)).1, 100);
        assert_eq!(costs.raw(Slot::Rule(1)), (0, 0));
        assert_eq!(costs.reads(), 201);
        assert!(costs.counted() <= whole, "laps never overlap");
    }

    #[test]
    fn a_slot_out_of_range_is_not_counted() {
        let costs = RuleCosts::new(1);
        let mut clock = costs.laps();
        clock.lap(Slot::Rule(5));
        assert_eq!(costs.counted(), 0);
        let mut off = Laps::of(None);
        off.lap(Slot::Rule(0));
        assert_eq!(costs.raw(Slot::Rule(0)), (0, 0));
    }
}
