//! A merge's records made a batch ahead on another thread of the pool while the reader works
//! through the batch before: the merge (decoding the runs' records) was the reader's own work
//! while the other threads idled (on one large file, half of the site phase's link join).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::merge::RunMerge;

/// How much one batch holds: at most `records`, and about `bytes` of the runs' bytes, so that
/// records of any size keep a bounded memory ahead.
#[derive(Debug, Clone, Copy)]
pub struct BatchSize {
    pub records: usize,
    pub bytes: usize,
}

/// The batch a merge's read-back makes at a time: large enough that handing it to another
/// thread costs little beside decoding it, small beside any memory budget.
pub const BATCH: BatchSize = BatchSize {
    records: 1024,
    bytes: 1 << 17,
};

/// The records of a [`RunMerge`] in its order, merged a batch ahead of the reader.
pub struct ReadAhead<T> {
    ahead: Arc<Mutex<Ahead<T>>>,
    /// The batch being read.
    batch: std::vec::IntoIter<T>,
    /// Whether the next batch is handed to another thread: not on a pool of one, where no
    /// other thread would take it.
    hand_on: bool,
}

/// The merge, and the batch made ahead of the reader's.
struct Ahead<T> {
    /// Taken out when the reader is dropped: a task that comes later finds nothing to make.
    merge: Option<RunMerge<T>>,
    ready: Option<Vec<T>>,
    size: BatchSize,
}

impl<T: serde::de::DeserializeOwned> Ahead<T> {
    /// Makes the next batch unless it is made: whoever comes first, the thread it was handed
    /// to or the reader that needs it, does the work. An empty batch is the merge's end.
    fn fill(&mut self) {
        let Some(merge) = self.merge.as_mut().filter(|_| self.ready.is_none()) else {
            return;
        };
        let start = merge.bytes_read();
        let mut batch = Vec::with_capacity(self.size.records.min(BATCH.records));
        while batch.len() < self.size.records.max(1)
            && merge.bytes_read() - start < self.size.bytes.max(1)
        {
            let Some(record) = merge.next() else {
                break;
            };
            batch.push(record);
        }
        self.ready = Some(batch);
    }
}

/// The merge is only ever held by whoever makes or takes a batch; a panic there leaves it whole.
fn lock<T>(ahead: &Mutex<Ahead<T>>) -> MutexGuard<'_, Ahead<T>> {
    ahead.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> ReadAhead<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    /// Reads `merge` a batch of `size` ahead on the current pool's other threads.
    pub fn new(merge: RunMerge<T>, size: BatchSize) -> Self {
        Self::handing_on(merge, size, rayon::current_num_threads() > 1)
    }

    /// As [`Self::new`], the next batch handed to another thread or not.
    fn handing_on(merge: RunMerge<T>, size: BatchSize, hand_on: bool) -> Self {
        let ahead = Ahead {
            merge: Some(merge),
            ready: None,
            size,
        };
        Self {
            ahead: Arc::new(Mutex::new(ahead)),
            batch: Vec::new().into_iter(),
            hand_on,
        }
    }

    /// The batch made ahead, made here if no other thread has (never waiting on a task queued
    /// behind this one); the one after it handed on.
    fn next_batch(&mut self) -> Vec<T> {
        let batch = {
            let mut ahead = lock(&self.ahead);
            ahead.fill();
            ahead.ready.take().unwrap_or_default()
        };
        if self.hand_on && !batch.is_empty() {
            // A task left queued after the reader is done finds nothing to make.
            let ahead = Arc::downgrade(&self.ahead);
            rayon::spawn(move || {
                if let Some(ahead) = ahead.upgrade() {
                    lock(&ahead).fill();
                }
            });
        }
        batch
    }
}

impl<T> ReadAhead<T> {
    /// Why records are missing, if a run could not be read back.
    pub fn error(&mut self) -> Option<String> {
        lock(&self.ahead).merge.as_mut().and_then(RunMerge::error)
    }
}

impl<T> Drop for ReadAhead<T> {
    /// The runs' files are deleted now, not when a task still at work on the batch ahead ends
    /// (it is running, not queued: waiting for it cannot deadlock).
    fn drop(&mut self) {
        let mut ahead = lock(&self.ahead);
        ahead.merge = None;
        ahead.ready = None;
    }
}

impl<T> Iterator for ReadAhead<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if let Some(record) = self.batch.next() {
            return Some(record);
        }
        self.batch = self.next_batch().into_iter();
        self.batch.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extsort::{Run, SpillDir, write_record};

    /// Runs of `(run, n)` records, run `r` holding the keys `r, r + runs, ...` below `total`,
    /// so that the merge takes from every run in turn.
    fn interleaved_runs(dir: &SpillDir, runs: u32, total: u32) -> Vec<Run> {
        (0..runs)
            .map(|r| {
                dir.store(|out| {
                    let mut scratch = Vec::new();
                    for key in (r..total).step_by(runs as usize) {
                        write_record(out, &(key, format!("record {key}")), &mut scratch)?;
                    }
                    Ok(())
                })
                .expect("a run")
            })
            .collect()
    }

    fn by_key(a: &(u32, String), b: &(u32, String)) -> std::cmp::Ordering {
        a.0.cmp(&b.0)
    }

    fn read_ahead(runs: &[Run], size: BatchSize, hand_on: bool) -> Vec<(u32, String)> {
        let merge = RunMerge::open(runs, 64, by_key).expect("open");
        let mut ahead = ReadAhead::handing_on(merge, size, hand_on);
        let records: Vec<_> = ahead.by_ref().collect();
        assert_eq!(ahead.error(), None);
        assert_eq!(ahead.next(), None, "a merge read to its end stays ended");
        records
    }

    #[test]
    fn records_read_ahead_come_in_the_merges_order_whatever_the_batch() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = SpillDir::in_folder(temp.path());
        let runs = interleaved_runs(&dir, 5, 3_001);
        let plain: Vec<(u32, String)> = RunMerge::open(&runs, 64, by_key).expect("open").collect();
        assert_eq!(plain.len(), 3_001);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build();
        let pool = pool.expect("a pool");
        for records in [1, 2, 7, 64, 5_000] {
            for bytes in [1, 40, 1 << 20] {
                let size = BatchSize { records, bytes };
                let got = pool.install(|| read_ahead(&runs, size, true));
                assert!(got == plain, "batches of {records} records, {bytes} bytes");
            }
        }
    }

    #[test]
    fn a_pool_of_one_reads_ahead_without_waiting_on_its_own_queue() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = SpillDir::in_folder(temp.path());
        let runs = interleaved_runs(&dir, 3, 500);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        let pool = pool.expect("a pool");
        let size = BatchSize {
            records: 4,
            bytes: 1 << 20,
        };
        // Batches handed on even so: the one thread must make each itself, never wait for the
        // task queued behind it (which would hang the pool: the answer would never come).
        let (sent, answer) = std::sync::mpsc::channel();
        let runs_sent = runs.clone();
        pool.spawn(move || drop(sent.send(read_ahead(&runs_sent, size, true))));
        let got = answer.recv_timeout(std::time::Duration::from_secs(60));
        let keys: Vec<u32> = got
            .expect("the pool answered")
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(keys, (0..500).collect::<Vec<_>>());
    }

    /// A run in memory of the keys `keys`, cut to its first `keep` bytes (a run damaged).
    fn memory_run(keys: impl Iterator<Item = u32>, keep: Option<usize>) -> Run {
        let (mut bytes, mut scratch) = (Vec::new(), Vec::new());
        for key in keys {
            write_record(&mut bytes, &(key, format!("record {key}")), &mut scratch).expect("write");
        }
        bytes.truncate(keep.unwrap_or(bytes.len()));
        Run::Memory(bytes.into())
    }

    /// One run, an empty one, and one cut inside a record: read ahead on a pool of two, the
    /// same records and the same error as the merge read on the reader's thread.
    #[test]
    fn odd_runs_read_ahead_give_the_merges_records_and_error() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
        let pool = pool.expect("a pool");
        let cases: [Vec<Run>; 4] = [
            vec![memory_run(0..2_500, None)],
            vec![memory_run(0..0, None), memory_run(0..10, None)],
            vec![
                memory_run((0..3_000).step_by(2), None),
                memory_run((1..3_000).step_by(2), Some(9_001)),
            ],
            vec![memory_run(0..5, Some(3))],
        ];
        for (case, runs) in cases.iter().enumerate() {
            let mut plain = RunMerge::open(runs, 64, by_key).expect("open");
            let expected: Vec<(u32, String)> = plain.by_ref().collect();
            let error = plain.error();
            assert_eq!(error.is_some(), case >= 2, "case {case}: {error:?}");
            for records in [1, 1_000] {
                let size = BatchSize {
                    records,
                    bytes: 1 << 17,
                };
                let (got, got_error) = pool.install(|| {
                    let merge = RunMerge::open(runs, 64, by_key).expect("open");
                    let mut ahead = ReadAhead::handing_on(merge, size, true);
                    let got: Vec<(u32, String)> = ahead.by_ref().collect();
                    (got, ahead.error())
                });
                assert!(got == expected, "case {case}, batches of {records}");
                assert_eq!(got_error, error, "case {case}, batches of {records}");
            }
        }
    }
}
