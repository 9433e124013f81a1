//! An external sort of `(key, value)` records in bounded memory: a buffer sorted and written as
//! a run past its budget, the runs merged level by level and drained in key order.

use std::cmp::Ordering;
use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;

use super::ahead::{BATCH, ReadAhead};
use super::dir::SpillDir;
use super::merge::{RunMerge, merge_runs};
use super::run::{Levels, Run, add_run, at_most_fan_in, write_record};

/// Past `budget` estimated bytes the records are sorted and stored as one run in the spill
/// folder; runs are merged level by level as they accumulate, and the drain merges the last
/// few. Keys must be unique (they end with the post's place) for the order to be deterministic.
pub struct Sorter<K, V> {
    dir: Arc<SpillDir>,
    budget: usize,
    weigh: fn(&K, &V) -> usize,
    buffer: Vec<(K, V)>,
    bytes: usize,
    runs: Levels,
}

/// The least budget of a sorter: a sort under any budget still writes runs of a few records,
/// not one file per record.
const LEAST_SORTER_BUDGET: usize = 1 << 10;

/// What an allocation costs beyond its bytes: the allocator's header and rounding.
const ALLOCATION: usize = 24;

/// About what a string costs on the heap, its allocation's bookkeeping included.
pub fn text_weight(text: &str) -> usize {
    if text.is_empty() {
        0
    } else {
        text.len() + ALLOCATION
    }
}

impl<K, V> Sorter<K, V>
where
    K: Ord + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    V: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    pub fn new(dir: Arc<SpillDir>, budget: usize, weigh: fn(&K, &V) -> usize) -> Self {
        Self {
            dir,
            budget: budget.max(LEAST_SORTER_BUDGET),
            weigh,
            buffer: Vec::new(),
            bytes: 0,
            runs: Levels::default(),
        }
    }

    /// Adds a record; writes the buffer out as a sorted run when it passes the budget.
    pub fn push(&mut self, key: K, value: V) -> Result<(), String> {
        // The buffer keeps up to as much again spare as it grows.
        self.bytes += 2 * std::mem::size_of::<(K, V)>() + (self.weigh)(&key, &value);
        self.buffer.push((key, value));
        if self.bytes > self.budget {
            self.write_run()?;
        }
        Ok(())
    }

    fn write_run(&mut self) -> Result<(), String> {
        let mut records = std::mem::take(&mut self.buffer);
        self.bytes = 0;
        // Keys are unique: the parallel sort gives the order the sequential one did.
        records.par_sort_unstable_by(by_key);
        let run = self.dir.store(|out| write_records(out, &records))?;
        drop(records);
        let dir = &self.dir;
        add_run(
            |run, level| self.runs.add(run, level),
            |runs| merge_records::<K, V>(dir, runs),
            run,
        )
    }

    /// The records in key order: from memory when none was written out, else merged from the
    /// runs a batch ahead of the reader (their files are deleted as the drain is dropped).
    pub fn finish(mut self) -> Result<Drain<K, V>, String> {
        if self.runs.is_empty() {
            let mut records = std::mem::take(&mut self.buffer);
            records.par_sort_unstable_by(by_key);
            return Ok(Drain::Memory(records.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.write_run()?;
        }
        let dir = &self.dir;
        let runs = std::mem::take(&mut self.runs).into_runs();
        let runs = at_most_fan_in(runs, |runs| merge_records::<K, V>(dir, runs))?;
        let merge = RunMerge::open(&runs, READ_BUFFER, by_key::<K, V>)
            .map_err(|e| format!("cannot read {e}"))?;
        Ok(Drain::Disk(ReadAhead::new(merge, BATCH)))
    }

    /// How many runs the sort holds.
    #[cfg(test)]
    pub(super) fn runs_held(&self) -> usize {
        self.runs.len()
    }
}

/// Records encoded for a run by each of the run's threads, a batch at a time.
const ENCODE_BATCH: usize = 8192;
/// Records one task encodes.
const ENCODE_CHUNK: usize = 512;

/// Writes `records` as a run holds them, in their order. They are encoded on the run's threads
/// a batch at a time, the next batch while this thread writes the one before, so the bytes are
/// those of one thread's encoding: a grouping's run was one thread's work while the others
/// waited (on one large file, the link join's runs were half of the site phase, the other core
/// idle).
fn write_records<T: serde::Serialize + Sync>(
    out: &mut dyn Write,
    records: &[T],
) -> std::io::Result<()> {
    let mut batches = records.chunks(ENCODE_BATCH);
    let mut encoded = batches.next().map_or(Ok(Vec::new()), encode);
    for batch in batches {
        let ready = encoded?;
        let mut next = Ok(Vec::new());
        let written = rayon::in_place_scope(|scope| {
            scope.spawn(|_| next = encode(batch));
            ready.iter().try_for_each(|bytes| out.write_all(bytes))
        });
        written?;
        encoded = next;
    }
    encoded?.iter().try_for_each(|bytes| out.write_all(bytes))
}

/// A batch of records encoded on the run's threads, in parts in their order.
fn encode<T: serde::Serialize + Sync>(batch: &[T]) -> std::io::Result<Vec<Vec<u8>>> {
    (batch.par_chunks(ENCODE_CHUNK))
        .map(|chunk| {
            let (mut bytes, mut scratch) = (Vec::new(), Vec::new());
            for record in chunk {
                write_record(&mut bytes, record, &mut scratch)?;
            }
            Ok(bytes)
        })
        .collect()
}

/// Merges sorted runs of records into one sorted run.
fn merge_records<K, V>(dir: &SpillDir, runs: &[Run]) -> Result<Run, String>
where
    K: Ord + serde::Serialize + serde::de::DeserializeOwned,
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    merge_runs(dir, runs, READ_BUFFER, by_key::<K, V>)
}

/// A sort's records compare by their key.
fn by_key<K: Ord, V>(a: &(K, V), b: &(K, V)) -> Ordering {
    a.0.cmp(&b.0)
}

/// The read buffer of each run a sort merges.
const READ_BUFFER: usize = 1 << 15;

/// The records of a [`Sorter`] in key order.
pub enum Drain<K, V> {
    Memory(std::vec::IntoIter<(K, V)>),
    Disk(ReadAhead<(K, V)>),
}

impl<K, V> Drain<K, V> {
    /// The first run that could not be read back, if any: the records after it are missing.
    pub fn error(&mut self) -> Option<String> {
        match self {
            Self::Memory(_) => None,
            Self::Disk(merge) => merge.error(),
        }
    }
}

impl<K, V> Iterator for Drain<K, V>
where
    K: Ord + serde::de::DeserializeOwned + Send + 'static,
    V: serde::de::DeserializeOwned + Send + 'static,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        match self {
            Self::Memory(records) => records.next(),
            Self::Disk(merge) => merge.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extsort::FAN_IN;

    /// The files in the spill folders made in `parent`.
    fn files_in(parent: &std::path::Path) -> usize {
        let folders = std::fs::read_dir(parent).into_iter().flatten().flatten();
        folders
            .map(|folder| std::fs::read_dir(folder.path()).map_or(0, |files| files.count()))
            .sum()
    }

    #[test]
    fn a_sorter_past_its_budget_merges_its_runs_in_key_order_holding_few() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = Arc::new(SpillDir::in_folder(temp.path()));
        let mut sorter: Sorter<(u32, String), String> =
            Sorter::new(dir.clone(), 0, |k, v| text_weight(&k.1) + text_weight(v));
        let keys: Vec<u32> = (0..20_000).map(|i| (i * 7_919) % 20_000).collect();
        let mut most_files = 0;
        for &key in &keys {
            sorter
                .push((key, format!("k{key}")), format!("v{key}"))
                .expect("push");
            // Fewer than FAN_IN a level, and three levels for these records.
            assert!(sorter.runs_held() < 3 * FAN_IN, "{}", sorter.runs_held());
            most_files = most_files.max(files_in(temp.path()));
        }
        // Thousands of runs were written, but merged as they came: the folder holds the runs
        // of the levels and, at most, one merge's.
        assert!(dir.files_made() > 40 * FAN_IN, "{}", dir.files_made());
        assert!(most_files <= 4 * FAN_IN + 1, "{most_files} files at once");
        let mut drain = sorter.finish().expect("finish");
        let got: Vec<u32> = drain
            .by_ref()
            .map(|(k, v)| {
                assert_eq!(v, format!("v{}", k.0));
                k.0
            })
            .collect();
        assert_eq!(drain.error(), None);
        assert_eq!(got, (0..20_000).collect::<Vec<_>>());
        drop(drain);
        assert_eq!(
            files_in(temp.path()),
            0,
            "the runs' files outlive the drain"
        );
    }

    #[test]
    fn a_sorter_under_its_budget_stays_in_memory() {
        let mut sorter: Sorter<u32, ()> = Sorter::new(SpillDir::new(), 1 << 20, |_, ()| 0);
        for key in [3, 1, 2] {
            sorter.push(key, ()).expect("push");
        }
        let drain = sorter.finish().expect("finish");
        assert!(matches!(drain, Drain::Memory(_)));
        assert_eq!(drain.map(|(k, ())| k).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_sorter_whose_folder_cannot_be_made_sorts_in_memory_and_says_why() {
        let temp = tempfile::tempdir().expect("temp dir");
        let missing = temp.path().join("missing");
        let dir = Arc::new(SpillDir::in_folder(&missing));
        let mut sorter: Sorter<u32, u32> = Sorter::new(dir.clone(), 0, |_, _| 0);
        for key in (0..5_000).rev() {
            sorter.push(key, key * 2).expect("push");
        }
        let mut drain = sorter.finish().expect("finish");
        let got: Vec<(u32, u32)> = drain.by_ref().collect();
        assert_eq!(drain.error(), None);
        assert_eq!(got, (0..5_000).map(|k| (k, k * 2)).collect::<Vec<_>>());
        let why = dir.fallback().expect("a reason");
        assert!(why.contains(&missing.display().to_string()), "{why}");
    }
}
