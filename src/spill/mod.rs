//! The site facts of a run in bounded memory (`--memory-budget`): while files are linted, the
//! facts of their posts are encoded (each worker encodes its own segment's) and gather in a
//! buffer; past half the budget the buffer is sorted by the key the site phase groups by (site,
//! file, post) and written to a temporary folder as one sorted run, while the workers fill the
//! next half. The site phase then merges the runs (an external sort), one post at a time: each
//! site rule groups what it compares in groupings of its own (`site::stages`). The runs and
//! their folder are `extsort`'s.
//!
//! Runs hold records in postcard, a compact binary serde format, each behind its length: a
//! third of the size of JSON lines, read back several times faster, and the buffer's bytes are
//! what it costs in memory, so the budget is kept exactly rather than estimated.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};

use rayon::prelude::*;

use crate::site::PostFacts;
use crate::site::shard::WireFacts;

mod shares;
pub use shares::{Share, Shares};

use crate::extsort::{
    BATCH, Levels, ReadAhead, Run, RunMerge, SpillDir, add_run, at_most_fan_in, merge_runs,
    write_framed,
};

/// The default `--memory-budget`: 128 MiB of facts.
pub const DEFAULT_BUDGET: u64 = crate::limits::MEMORY_BUDGET.default.as_u64();

/// Facts gathered from the workers that lint files, spilled to sorted runs past half the budget.
#[derive(Debug)]
pub struct FactSpill {
    budget: usize,
    dir: Arc<SpillDir>,
    state: Mutex<State>,
    /// Told when a run has been written: a worker whose buffer is full waits for it.
    run_written: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Encoded facts: one chunk per segment handed in, never copied or grown here.
    chunks: Vec<Vec<u8>>,
    records: Vec<Record>,
    /// Bytes held by `chunks` and `records`.
    bytes: usize,
    /// The sites' names, by the number records carry.
    sites: Vec<String>,
    site_numbers: HashMap<String, u32>,
    runs: Levels,
    /// How many runs the buffer was written in.
    written: usize,
    /// The bytes of the buffer being sorted and written as a run outside the lock (0: none).
    writing: usize,
    /// The most bytes held at once, the buffer being written included.
    #[cfg(test)]
    most_held: usize,
    error: Option<String>,
}

/// Where one post's encoded facts are, and what they sort by.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// `NO_SITE` for a post without a site (sorted last).
    site: u32,
    file: usize,
    index: usize,
    chunk: usize,
    start: usize,
    len: usize,
}

const NO_SITE: u32 = u32::MAX;

/// What the allocator adds to each chunk: its header and rounding.
const CHUNK_OVERHEAD: usize = 32;

/// Site facts packed for the spill as a batch of posts is linted: each post's facts in
/// postcard, one chunk of bytes per batch, so that a worker holds bytes rather than a
/// segment's worth of structures, and no buffer grows by copying itself.
#[derive(Debug, Default)]
pub struct Packed {
    chunks: Vec<Vec<u8>>,
    records: Vec<PackedRecord>,
    /// The sites' names, by the number records carry.
    sites: Vec<String>,
    error: Option<String>,
}

impl Packed {
    /// The bytes these facts add to the buffer, as the spill counts them (its index aside).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        (self.chunks.iter())
            .map(|chunk| chunk.capacity() + CHUNK_OVERHEAD)
            .sum()
    }
}

#[derive(Debug, Clone, Copy)]
struct PackedRecord {
    /// `NO_SITE`, or a place in `Packed::sites`.
    site: u32,
    index: usize,
    chunk: usize,
    start: usize,
    len: usize,
}

impl Packed {
    /// Facts packed in one chunk.
    pub fn of(facts: Vec<PostFacts>) -> Self {
        let mut packed = Self::default();
        packed.push(facts);
        packed
    }

    /// How many posts' facts are packed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Packs a batch of posts' facts as one chunk.
    pub fn push(&mut self, facts: Vec<PostFacts>) {
        if facts.is_empty() || self.error.is_some() {
            return;
        }
        let chunk = self.chunks.len();
        let mut bytes = Vec::new();
        for fact in &facts {
            let start = bytes.len();
            bytes = match postcard::to_extend(&WireFacts::of(fact), bytes) {
                Ok(bytes) => bytes,
                Err(error) => {
                    self.error = Some(format!("cannot pack the site facts of a post: {error}"));
                    return;
                }
            };
            let site = self.site_number(fact.site.as_deref());
            (self.records).push(PackedRecord {
                site,
                index: fact.post.index,
                chunk,
                start,
                len: bytes.len() - start,
            });
        }
        bytes.shrink_to_fit();
        self.chunks.push(bytes);
    }

    fn site_number(&mut self, site: Option<&str>) -> u32 {
        let Some(site) = site else { return NO_SITE };
        // Posts of a file nearly always share their site: the last one is looked at first.
        if let Some(at) = self.sites.iter().rposition(|s| s == site) {
            return at as u32;
        }
        self.sites.push(site.to_owned());
        (self.sites.len() - 1) as u32
    }
}

impl FactSpill {
    pub fn new(budget: u64) -> Self {
        Self {
            budget: usize::try_from(budget).unwrap_or(usize::MAX),
            dir: SpillDir::new(),
            state: Mutex::new(State::default()),
            run_written: Condvar::new(),
        }
    }

    /// The bytes past which the buffer is written as a run: half the budget, so that the
    /// buffer being written and the one the workers fill meanwhile stay within it together.
    fn run_bytes(&self) -> usize {
        self.budget / 2
    }

    /// Adds the packed facts of input `file` (its place among the run's inputs), as each
    /// segment of it is linted; writes the buffer out as a sorted run when it passes half the
    /// budget.
    pub fn add(&self, file: usize, packed: Packed) {
        if packed.records.is_empty() && packed.error.is_none() {
            return;
        }
        let full = {
            let mut state = self.lock();
            if let Some(error) = packed.error {
                state.error.get_or_insert(error);
                return;
            }
            state.take(file, packed);
            #[cfg(test)]
            {
                state.most_held = state.most_held.max(state.bytes + state.writing);
            }
            // A third buffer is never filled: past its half of the budget, this one waits for
            // the run being written.
            while state.writing > 0 && state.bytes > self.run_bytes() {
                state = (self.run_written.wait(state))
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if state.bytes <= self.run_bytes() {
                return;
            }
            state.writing = std::mem::take(&mut state.bytes);
            (
                std::mem::take(&mut state.chunks),
                std::mem::take(&mut state.records),
                state.site_order(),
            )
        };
        // Sorted and written outside the lock: the other workers go on linting.
        let _writing = Writing(self);
        self.write_run(full);
    }

    /// The most bytes of facts held at once, a run being written included.
    #[cfg(test)]
    pub(crate) fn most_held(&self) -> usize {
        self.lock().most_held
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_run(&self, (chunks, mut records, order): (Vec<Vec<u8>>, Vec<Record>, Vec<u32>)) {
        sort_records(&mut records, &order);
        let stored = self.dir.store(|out| write_encoded(out, &chunks, &records));
        drop((chunks, records));
        crate::memory::release_freed();
        let added = stored.and_then(|run| {
            self.lock().written += 1;
            add_run(
                |run, level| self.lock().runs.add(run, level),
                |runs| merge_fact_runs(&self.dir, runs),
                run,
            )
        });
        if let Err(error) = added {
            self.lock().error.get_or_insert(error);
        }
    }

    /// The facts in the site phase's order, their `file` the report each input became
    /// (`reports[input]`; facts of an input that gave no report are dropped, as one run
    /// drops them), read one post at a time. An error when a run could not be written.
    ///
    /// A buffer within half the budget stays packed in memory, and the site rules' groupings
    /// share what it leaves of the budget; a larger one is written as a run first, so that the
    /// groupings keep at least half. Either way the facts are never all decoded at once.
    pub fn finish(self, reports: &[Option<usize>]) -> Result<Merge, String> {
        let Self {
            budget, dir, state, ..
        } = self;
        let mut state = state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = state.error.take() {
            return Err(error);
        }
        let order = state.site_order();
        let sites = state.sites.len();
        let mut records = std::mem::take(&mut state.records);
        sort_records(&mut records, &order);
        let chunks = std::mem::take(&mut state.chunks);
        if state.runs.is_empty() && state.bytes <= budget / 2 {
            let held = state.bytes;
            let buffer = Buffer {
                chunks,
                records: records.into_iter(),
                names: std::mem::take(&mut state.sites),
            };
            let mut merge = Merge::buffered(buffer, reports.to_vec(), dir, (budget, held));
            merge.sites = sites;
            return Ok(merge);
        }
        let merge = |runs: &[Run]| merge_fact_runs(&dir, runs);
        if !records.is_empty() {
            let run = dir.store(|out| write_encoded(out, &chunks, &records))?;
            state.written += 1;
            add_run(|run, level| state.runs.add(run, level), merge, run)?;
        }
        drop((chunks, records));
        let runs = at_most_fan_in(std::mem::take(&mut state.runs).into_runs(), merge)?;
        let mut merge = Merge::open(&runs, reports.to_vec(), dir, budget)
            .map_err(|e| format!("cannot read the site facts spilled to disk: {e}"))?;
        merge.written = state.written;
        merge.sites = sites;
        Ok(merge)
    }
}

/// A run being written: when it ends, however it ends, the workers waiting for it go on.
struct Writing<'a>(&'a FactSpill);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.lock().writing = 0;
        self.0.run_written.notify_all();
    }
}

impl State {
    /// Takes a segment's packed facts into the buffer.
    fn take(&mut self, file: usize, packed: Packed) {
        let first_chunk = self.chunks.len();
        let before = (self.records.capacity(), self.chunks.capacity());
        let sites: Vec<u32> = (packed.sites.into_iter())
            .map(|name| self.site_number(name))
            .collect();
        for record in packed.records {
            (self.records).push(Record {
                site: sites.get(record.site as usize).copied().unwrap_or(NO_SITE),
                file,
                index: record.index,
                chunk: first_chunk + record.chunk,
                start: record.start,
                len: record.len,
            });
        }
        for chunk in packed.chunks {
            self.bytes += chunk.capacity() + CHUNK_OVERHEAD;
            self.chunks.push(chunk);
        }
        let grown_records = self.records.capacity() - before.0;
        let grown_chunks = self.chunks.capacity() - before.1;
        self.bytes += grown_records * std::mem::size_of::<Record>()
            + grown_chunks * std::mem::size_of::<Vec<u8>>();
    }

    fn site_number(&mut self, name: String) -> u32 {
        if let Some(&number) = self.site_numbers.get(&name) {
            return number;
        }
        let number = u32::try_from(self.sites.len()).unwrap_or(NO_SITE - 1);
        self.sites.push(name.clone());
        self.site_numbers.insert(name, number);
        number
    }

    /// Each site number's rank in the order of the names, for sorting records.
    fn site_order(&self) -> Vec<u32> {
        let mut by_name: Vec<u32> = (0..self.sites.len() as u32).collect();
        by_name.sort_unstable_by(|a, b| self.sites[*a as usize].cmp(&self.sites[*b as usize]));
        let mut rank = vec![0; self.sites.len()];
        for (position, number) in by_name.into_iter().enumerate() {
            rank[number as usize] = position as u32;
        }
        rank
    }
}

/// The order of the site phase: posts of a site together (posts without a site last), sites
/// by name, each site's in the order of the run.
fn sort_records(records: &mut [Record], site_rank: &[u32]) {
    let rank = |site: u32| site_rank.get(site as usize).copied().unwrap_or(NO_SITE);
    records.par_sort_unstable_by_key(|r| (rank(r.site), r.file, r.index));
}

fn encoded_bytes<'c>(chunks: &'c [Vec<u8>], record: &Record) -> &'c [u8] {
    chunks
        .get(record.chunk)
        .and_then(|chunk| chunk.get(record.start..record.start + record.len))
        .unwrap_or_default()
}

/// A post's facts as packed in `chunks`.
fn decode(chunks: &[Vec<u8>], record: &Record) -> Result<WireFacts, String> {
    postcard::from_bytes(encoded_bytes(chunks, record))
        .map_err(|e| format!("damaged site facts: {e}"))
}

/// Writes the records as a run: each `(file, facts)` as `extsort::write_record` would (postcard
/// writes a pair as its two parts one after the other).
fn write_encoded(
    out: &mut dyn Write,
    chunks: &[Vec<u8>],
    records: &[Record],
) -> std::io::Result<()> {
    let mut file = [0; 10];
    for record in records {
        let file = postcard::to_slice(&record.file, &mut file).map_err(std::io::Error::other)?;
        write_framed(out, &[file, encoded_bytes(chunks, record)])?;
    }
    Ok(())
}

/// Merges runs of facts into one run.
fn merge_fact_runs(dir: &Arc<SpillDir>, runs: &[Run]) -> Result<Run, String> {
    merge_runs(dir, runs, READ_BUFFER, by_site)
        .map_err(|e| format!("cannot merge the site facts spilled to disk: {e}"))
}

/// The read buffer of each run of facts merged.
const READ_BUFFER: usize = 1 << 16;

/// A record of a run: an input's place in the run and a post's facts.
type FactRecord = (usize, WireFacts);

/// The order of the site phase, of records read back from the runs: [`sort_records`]'s.
fn by_site((a_file, a): &FactRecord, (b_file, b): &FactRecord) -> Ordering {
    let ((a_none, a_site, a_index), (b_none, b_site, b_index)) = (a.site_order(), b.site_order());
    (a_none, a_site, a_file, a_index).cmp(&(b_none, b_site, b_file, b_index))
}

/// The facts merged from the sorted runs, in the site phase's order.
pub struct Merge {
    /// Where the runs were written.
    dir: Arc<SpillDir>,
    records: Source,
    /// Each input's report, which the facts are renumbered to.
    reports: Vec<Option<usize>>,
    /// The first run or record that could not be read back, if any.
    pub error: Option<String>,
    /// What the site rules' own groupings share: the `--memory-budget`, less the packed facts
    /// the merge holds.
    pub budget: usize,
    /// How many sorted runs the facts were written in.
    written: usize,
    /// The bytes of packed facts held in memory (none when they are read from disk).
    held: usize,
    /// How many sites the facts are of, at most (an input's sites count though it gave no
    /// report).
    sites: usize,
}

impl Merge {
    /// How many sorted runs the facts were written in.
    pub fn runs(&self) -> usize {
        self.written
    }

    /// How many sites the facts are of, at most.
    pub fn sites(&self) -> usize {
        self.sites
    }

    /// The bytes of packed facts the merge holds in memory until it is dropped.
    pub fn held(&self) -> usize {
        self.held
    }

    /// The folder of the runs.
    pub fn dir(&self) -> Arc<SpillDir> {
        self.dir.clone()
    }

    fn open(
        runs: &[Run],
        reports: Vec<Option<usize>>,
        dir: Arc<SpillDir>,
        budget: usize,
    ) -> std::io::Result<Self> {
        Ok(Self {
            dir,
            records: Source::Runs(ReadAhead::new(
                RunMerge::open(runs, READ_BUFFER, by_site)?,
                BATCH,
            )),
            reports,
            error: None,
            budget,
            written: runs.len(),
            held: 0,
            sites: 0,
        })
    }
}

impl Merge {
    /// The buffer that stayed in memory, `held` bytes of a `budget`, read back in the order of
    /// `records`; the groupings get the rest of the budget.
    fn buffered(
        buffer: Buffer,
        reports: Vec<Option<usize>>,
        dir: Arc<SpillDir>,
        (budget, held): (usize, usize),
    ) -> Self {
        Self {
            dir,
            records: Source::Buffer(buffer),
            reports,
            error: None,
            budget: budget.saturating_sub(held),
            written: 0,
            held,
            sites: 0,
        }
    }
}

/// Where a merge reads the facts: the sorted runs, merged and decoded a batch ahead on another
/// thread (as the link join's read-back: the merge was the reading thread's alone), or the
/// buffer packed in memory (sorted), each post's facts decoded only as it is read.
enum Source {
    Runs(ReadAhead<FactRecord>),
    Buffer(Buffer),
}

/// The facts that stayed packed in memory, sorted.
struct Buffer {
    chunks: Vec<Vec<u8>>,
    records: std::vec::IntoIter<Record>,
    /// The sites' names, by the number records carry.
    names: Vec<String>,
}

impl Iterator for Source {
    /// A record, or why one could not be read (the runs then end).
    type Item = Result<FactRecord, String>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Runs(runs) => match runs.next() {
                Some(record) => Some(Ok(record)),
                None => runs.error().map(Err),
            },
            Self::Buffer(buffer) => {
                let record = buffer.records.next()?;
                Some(decode(&buffer.chunks, &record).map(|wire| (record.file, wire)))
            }
        }
    }
}

impl Iterator for Merge {
    type Item = PostFacts;

    fn next(&mut self) -> Option<PostFacts> {
        loop {
            let (file, wire) = match self.records.next()? {
                Ok(record) => record,
                Err(error) => {
                    self.error.get_or_insert(error);
                    continue;
                }
            };
            let Some(Some(report)) = self.reports.get(file) else {
                continue;
            };
            match wire.restore(*report, |post| Arc::new(post.restore())) {
                Ok(facts) => return Some(facts),
                Err(error) => {
                    self.error.get_or_insert(error);
                }
            }
        }
    }
}
