//! The k-way merge of sorted runs, in an order the caller gives: a sort's records read back, and
//! runs merged into longer runs when a level fills.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::dir::SpillDir;
use super::run::{Run, RunReader, open_runs, write_record};

/// How records compare: the order the runs were sorted in.
pub type Order<T> = fn(&T, &T) -> Ordering;

/// The records of several sorted runs, merged in `order`.
pub struct RunMerge<T> {
    runs: Vec<RunReader>,
    heads: BinaryHeap<Head<T>>,
    order: Order<T>,
    /// The records' bytes read from the runs so far.
    bytes_read: usize,
    /// The first run that could not be read back, if any: its records after that are missing.
    error: Option<String>,
}

/// The next record of one run.
struct Head<T> {
    record: T,
    run: usize,
    order: Order<T>,
}

impl<T> PartialEq for Head<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Head<T> {}

impl<T> PartialOrd for Head<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Head<T> {
    /// Reversed: the heap's greatest is the smallest record; equal ones by their run.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.order)(&other.record, &self.record).then(other.run.cmp(&self.run))
    }
}

impl<T: serde::de::DeserializeOwned> RunMerge<T> {
    /// Opens every run, each read through a buffer of `buffer` bytes; the error names the run
    /// that could not be opened.
    pub fn open(runs: &[Run], buffer: usize, order: Order<T>) -> std::io::Result<Self> {
        let mut merge = Self {
            runs: open_runs(runs, buffer)?,
            heads: BinaryHeap::with_capacity(runs.len()),
            order,
            bytes_read: 0,
            error: None,
        };
        for run in 0..merge.runs.len() {
            merge.refill(run);
        }
        Ok(merge)
    }

    fn refill(&mut self, run: usize) {
        let Some(parsed) = self.runs[run].next_record::<T>() else {
            return;
        };
        self.bytes_read += self.runs[run].last_len();
        match parsed {
            Ok(record) => self.heads.push(Head {
                record,
                run,
                order: self.order,
            }),
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
    }
}

impl<T> RunMerge<T> {
    /// The records' bytes read from the runs so far: what a batch of them holds, about.
    pub fn bytes_read(&self) -> usize {
        self.bytes_read
    }

    /// Why records are missing, if a run could not be read back.
    pub fn error(&mut self) -> Option<String> {
        self.error.take()
    }
}

impl<T: serde::de::DeserializeOwned> Iterator for RunMerge<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let Head { record, run, .. } = self.heads.pop()?;
        self.refill(run);
        Some(record)
    }
}

/// Merges sorted runs into one sorted run in `dir`.
pub fn merge_runs<T>(
    dir: &SpillDir,
    runs: &[Run],
    buffer: usize,
    order: Order<T>,
) -> Result<Run, String>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut damaged = None;
    let merged = dir.store(|out| {
        let mut merge = RunMerge::<T>::open(runs, buffer, order)?;
        let mut scratch = Vec::new();
        for record in merge.by_ref() {
            write_record(out, &record, &mut scratch)?;
        }
        damaged = merge.error();
        Ok(())
    })?;
    damaged.map_or(Ok(merged), Err)
}
