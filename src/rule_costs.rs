//! Each rule's own time in a lint, and the shared work's, counted only when a run asks for it
//! (`LintOptions::rule_costs`, the bench's per-rule table); a normal run reads no clock.
//!
//! Time is charged in laps: each clock read ends the lap of one slot (a rule, or work the
//! rules share) and starts the next, so the laps of a post add up to its whole lint with no
//! gap and no overlap. Each lap holds one clock read of its own; `lap_cost` measures that in
//! the same process, and `own` subtracts it.
//!
//! Laps read the wall clock (`Instant`: tens of nanoseconds, where the thread's CPU clock is
//! a system call). Time the thread spent off its core falls in whichever lap it interrupted,
//! a few milliseconds in one slot on a loaded machine; so each post's laps are scaled by its
//! CPU time over its wall time (the CPU clock read twice a post), which spreads a stall over
//! the post's slots in proportion and counts CPU time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
        self.counter_at(self.position(slot)?)
    }

    /// A slot's place among the rules' counters, then the shared ones'.
    fn position(&self, slot: Slot) -> Option<usize> {
        match slot {
            Slot::Rule(rule) => (rule < self.rules.len()).then_some(rule),
            Slot::Shared(shared) => Some(self.rules.len() + shared as usize),
        }
    }

    fn counter_at(&self, position: usize) -> Option<&Counter> {
        let shared = position.checked_sub(self.rules.len());
        (self.rules.get(position)).or_else(|| self.shared.get(shared?))
    }

    /// Laps charged to these counters, starting now; they are added when the laps end.
    pub fn laps(&self) -> Laps<'_> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        let slots = self.rules.len() + self.shared.len();
        Laps {
            on: Some(Box::new(Lapping {
                costs: self,
                times: vec![(0, 0); slots],
                began: (Instant::now(), thread_cpu()),
                last: Instant::now(),
            })),
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

/// A clock of laps over one piece of work on one thread; off, it reads nothing.
pub struct Laps<'c> {
    on: Option<Box<Lapping<'c>>>,
}

struct Lapping<'c> {
    costs: &'c RuleCosts,
    /// Each slot's wall time (ns) and laps so far, by `RuleCosts::position`.
    times: Vec<(u64, u64)>,
    /// When the laps began, on the wall clock and the thread's CPU clock.
    began: (Instant, Duration),
    last: Instant,
}

impl<'c> Laps<'c> {
    /// Laps charged to `costs` when a run counts them, else off.
    pub fn of(costs: Option<&'c RuleCosts>) -> Self {
        costs.map_or(Laps { on: None }, RuleCosts::laps)
    }

    /// Whether the laps are counted (`LintOptions::rule_costs`).
    pub fn counting(&self) -> bool {
        self.on.is_some()
    }

    /// Ends the current lap, charging the time since the last one to `slot`.
    #[inline]
    pub fn lap(&mut self, slot: Slot) {
        if let Some(on) = &mut self.on {
            let now = Instant::now();
            let at = on.costs.position(slot);
            if let Some(time) = at.and_then(|at| on.times.get_mut(at)) {
                time.0 += u64::try_from((now - on.last).as_nanos()).unwrap_or(u64::MAX);
                time.1 += 1;
            }
            on.last = now;
        }
    }
}

impl Drop for Laps<'_> {
    /// Adds the laps to the counters, scaled by the CPU time over the wall time they took.
    fn drop(&mut self) {
        let Some(on) = self.on.take() else { return };
        let wall = on.began.0.elapsed().as_secs_f64();
        let cpu = thread_cpu().saturating_sub(on.began.1).as_secs_f64();
        let on_core = if wall > 0.0 {
            (cpu / wall).min(1.0)
        } else {
            1.0
        };
        for (at, &(nanos, laps)) in on.times.iter().enumerate() {
            if laps == 0 {
                continue;
            }
            if let Some(counter) = on.costs.counter_at(at) {
                let nanos = (nanos as f64 * on_core) as u64;
                counter.nanos.fetch_add(nanos, Ordering::Relaxed);
                counter.laps.fetch_add(laps, Ordering::Relaxed);
            }
        }
    }
}

/// The CPU time of the calling thread.
pub fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: the kernel fills a plain C struct we own.
    let read = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0;
    if !read {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// What one lap of nothing takes on this machine, now (ns of CPU time): its clock read and
/// counting, the median of a few batches of `laps` laps.
pub fn lap_cost(laps: usize) -> f64 {
    let mut batches: Vec<f64> = (0..5)
        .map(|_| {
            let costs = RuleCosts::new(1);
            let start = thread_cpu();
            let mut clock = costs.laps();
            for _ in 0..laps {
                clock.lap(Slot::Rule(0));
            }
            drop(clock);
            thread_cpu().saturating_sub(start).as_nanos() as f64 / laps.max(1) as f64
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
        drop(clock);
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
        drop(clock);
        assert_eq!(costs.counted(), 0);
        let mut off = Laps::of(None);
        off.lap(Slot::Rule(0));
        assert_eq!(costs.raw(Slot::Rule(0)), (0, 0));
    }
}
