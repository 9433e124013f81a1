//! The site facts of a run in bounded memory (`--memory-budget`): while files are linted, the
//! facts of their posts gather in a buffer; past the budget the buffer is sorted by the key
//! the site phase groups by (site, file, post) and written to a temporary folder as one sorted
//! run. The site phase then reads every run at once, merging them in key order (an external
//! sort), one post at a time: each site rule sorts what it compares with a [`Sorter`] of its
//! own (`phases::site_sorted`). The folders are deleted when the run ends, and on Ctrl-C.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};

use crate::site::PostFacts;
use crate::site::shard::WireFacts;

/// The default `--memory-budget`: 128 MiB of facts.
pub const DEFAULT_BUDGET: u64 = 128 << 20;

/// The most runs merged at once. Each open run holds a file and a read buffer, so a merge of
/// every run would grow with the number of runs (thousands under a small budget or a huge
/// archive: past the open-file limit, and 150 MB of buffers, as measured). Past this, groups of
/// runs are first merged into longer runs, as external sorts do.
const FAN_IN: usize = 32;

/// Facts gathered from the workers that lint files, spilled to sorted runs past the budget.
#[derive(Debug)]
pub struct FactSpill {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    buffer: Vec<PostFacts>,
    /// Estimated heap bytes of `buffer`.
    bytes: usize,
    dir: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
    error: Option<String>,
}

/// The facts of a run in the site phase's order: in memory when they stayed under the budget,
/// else merged from the sorted runs on disk.
pub enum Sorted {
    Memory(Vec<PostFacts>),
    Disk(Merge),
}

impl FactSpill {
    pub fn new(budget: u64) -> Self {
        Self {
            budget: usize::try_from(budget).unwrap_or(usize::MAX),
            state: Mutex::new(State::default()),
        }
    }

    /// Adds the facts of input `file` (its place among the run's inputs); writes the buffer
    /// out as a sorted run when it passes the budget.
    pub fn add(&self, file: usize, facts: Vec<PostFacts>) {
        if facts.is_empty() {
            return;
        }
        let full = {
            let mut state = self.lock();
            for mut fact in facts {
                fact.file = file;
                state.bytes += weight(&fact);
                state.buffer.push(fact);
            }
            if state.bytes <= self.budget {
                return;
            }
            state.bytes = 0;
            std::mem::take(&mut state.buffer)
        };
        // Sorted and written outside the lock: the other workers go on linting.
        self.write_run(full);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_run(&self, mut facts: Vec<PostFacts>) {
        facts.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        let path = {
            let mut state = self.lock();
            if state.error.is_some() {
                return;
            }
            let dir = match &state.dir {
                Some(dir) => dir.path().to_path_buf(),
                None => match new_dir() {
                    Ok(dir) => {
                        let path = dir.path().to_path_buf();
                        state.dir = Some(dir);
                        path
                    }
                    Err(error) => {
                        state.error = Some(error);
                        return;
                    }
                },
            };
            let path = dir.join(format!("run-{}.ndjson", state.runs.len()));
            state.runs.push(path.clone());
            path
        };
        if let Err(error) = write_facts(&path, &facts) {
            self.lock().error = Some(format!("cannot write {}: {error}", path.display()));
        }
    }

    /// The facts in the site phase's order, their `file` the report each input became
    /// (`reports[input]`; facts of an input that gave no report are dropped, as one run
    /// drops them). An error when a run could not be written.
    pub fn finish(self, reports: &[Option<usize>]) -> Result<Sorted, String> {
        let budget = self.budget;
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = state.error {
            forget(state.dir);
            return Err(error);
        }
        let remap = move |mut fact: PostFacts| {
            fact.file = (*reports.get(fact.file)?)?;
            Some(fact)
        };
        let Some(dir) = state.dir else {
            let mut facts: Vec<PostFacts> = state.buffer.into_iter().filter_map(remap).collect();
            facts.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
            return Ok(Sorted::Memory(facts));
        };
        let mut runs = state.runs;
        let mut rest = state.buffer;
        if !rest.is_empty() {
            rest.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
            let path = dir.path().join(format!("run-{}.ndjson", runs.len()));
            write_facts(&path, &rest)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            runs.push(path);
        }
        drop(rest);
        let written = runs.len();
        let runs = compact_fact_runs(dir.path(), runs)
            .map_err(|e| format!("cannot merge the site facts spilled to disk: {e}"))?;
        let reports: Vec<Option<usize>> = reports.to_vec();
        Merge::open(Some(dir), &runs, Some(reports), budget)
            .map(|mut merge| {
                merge.written = written;
                Sorted::Disk(merge)
            })
            .map_err(|e| format!("cannot read the site facts spilled to disk: {e}"))
    }
}

/// The order of the site phase: posts of a site together (posts without a site last), each
/// site's in the order of the run.
fn key(fact: &PostFacts) -> (bool, Option<&str>, usize, usize) {
    (
        fact.site.is_none(),
        fact.site.as_deref(),
        fact.file,
        fact.post.index,
    )
}

/// About how many bytes a post's facts hold, allocations included: each allocation's
/// bookkeeping, and the room a growing buffer keeps spare (measured on 3 million posts: without
/// them the facts took twice the budget).
fn weight(fact: &PostFacts) -> usize {
    let text = |s: &Option<String>| s.as_deref().map_or(0, text_weight);
    let valued = |v: &Option<crate::site::Valued>| v.as_ref().map_or(0, |v| text_weight(&v.value));
    let post = &fact.post;
    let links = fact.internal_links.iter().map(|l| {
        std::mem::size_of::<crate::site::InternalLink>()
            + text_weight(&l.target)
            + text_weight(&l.path)
    });
    let remote = (fact.remote_links.iter())
        .map(|l| std::mem::size_of::<crate::site::RemoteLink>() + text_weight(&l.url));
    // A buffer of facts keeps up to as much again spare as it grows.
    2 * std::mem::size_of::<PostFacts>()
        + ALLOCATION
        + std::mem::size_of::<crate::diagnostic::PostRef>()
        + text(&post.link)
        + text(&post.title)
        + text(&post.site)
        + text(&fact.site)
        + text(&fact.host)
        + text(&fact.permalink)
        + text(&fact.language)
        + valued(&fact.slug)
        + valued(&fact.title)
        + valued(&fact.guid_host)
        + fact.dates.as_ref().map_or(0, |d| {
            std::mem::size_of::<crate::site::DateFacts>() + text_weight(&d.gmt_value)
        })
        + (ALLOCATION + links.sum::<usize>())
        + (ALLOCATION + remote.sum::<usize>())
}

/// Merges groups of [`FAN_IN`] runs of facts into longer runs until at most that many are left.
fn compact_fact_runs(
    dir: &std::path::Path,
    mut runs: Vec<PathBuf>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut merged = 0;
    while runs.len() > FAN_IN {
        let group: Vec<PathBuf> = runs.drain(..FAN_IN).collect();
        let path = dir.join(format!("merged-{merged}.ndjson"));
        merged += 1;
        let mut merge = Merge::open(None, &group, None, 0)?;
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        for fact in merge.by_ref() {
            serde_json::to_writer(&mut out, &(fact.file, WireFacts::of(&fact)))?;
            out.write_all(b"\n")?;
        }
        if let Some(error) = merge.error.take() {
            return Err(std::io::Error::other(error));
        }
        out.flush()?;
        drop(merge);
        group.iter().for_each(|run| drop(std::fs::remove_file(run)));
        runs.push(path);
    }
    Ok(runs)
}

/// The sorted runs at `paths`, each read line by line through a buffer of `buffer` bytes; an
/// error names the run.
fn open_runs(paths: &[PathBuf], buffer: usize) -> std::io::Result<Vec<RunLines>> {
    let open = |path: &PathBuf| {
        let file = std::fs::File::open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(BufReader::with_capacity(buffer, file).lines())
    };
    paths.iter().map(open).collect()
}

/// One sorted run, read a record (a line) at a time.
type RunLines = std::io::Lines<BufReader<std::fs::File>>;

fn write_facts(path: &std::path::Path, facts: &[PostFacts]) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for fact in facts {
        serde_json::to_writer(&mut out, &(fact.file, WireFacts::of(fact)))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The folders of the runs in progress, deleted by the Ctrl-C handler.
static LIVE_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A new temporary folder for the runs, deleted on Ctrl-C as well as when dropped.
fn new_dir() -> Result<tempfile::TempDir, String> {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // Another handler may be set already (by an embedding program): then it is its
        // business, and the folder is still deleted when the run ends normally.
        let _ = ctrlc::set_handler(|| {
            let dirs = LIVE_DIRS.lock().map(|d| d.clone()).unwrap_or_default();
            for dir in dirs {
                let _ = std::fs::remove_dir_all(dir);
            }
            std::process::exit(130);
        });
    });
    let dir = tempfile::Builder::new()
        .prefix("postlint-facts-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder for the site facts: {e}"))?;
    if let Ok(mut dirs) = LIVE_DIRS.lock() {
        dirs.push(dir.path().to_path_buf());
    }
    Ok(dir)
}

/// Deletes a folder of runs and forgets it.
fn forget(dir: Option<tempfile::TempDir>) {
    let Some(dir) = dir else { return };
    if let Ok(mut dirs) = LIVE_DIRS.lock() {
        dirs.retain(|d| d != dir.path());
    }
    drop(dir);
}

/// The k-way merge of the sorted runs, in the site phase's order.
pub struct Merge {
    dir: Option<tempfile::TempDir>,
    runs: Vec<RunLines>,
    heads: BinaryHeap<Head>,
    /// Each input's report, which the facts are renumbered to; `None` while runs are merged
    /// into longer runs.
    reports: Option<Vec<Option<usize>>>,
    /// The first run that could not be read back, if any.
    pub error: Option<String>,
    /// The `--memory-budget`, which the site rules' own sorts share.
    pub budget: usize,
    /// How many sorted runs the facts were written in.
    written: usize,
}

/// The next post of one run.
struct Head {
    facts: PostFacts,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    /// Reversed: the heap's greatest is the smallest key.
    fn cmp(&self, other: &Self) -> Ordering {
        (key(&other.facts), other.run).cmp(&(key(&self.facts), self.run))
    }
}

impl Merge {
    /// How many sorted runs the facts were written in.
    pub fn runs(&self) -> usize {
        self.written
    }

    fn open(
        dir: Option<tempfile::TempDir>,
        paths: &[PathBuf],
        reports: Option<Vec<Option<usize>>>,
        budget: usize,
    ) -> std::io::Result<Self> {
        let mut merge = Self {
            dir,
            runs: Vec::new(),
            heads: BinaryHeap::with_capacity(paths.len()),
            reports,
            error: None,
            budget,
            written: paths.len(),
        };
        merge.runs = open_runs(paths, 1 << 16)?;
        for run in 0..merge.runs.len() {
            merge.refill(run);
        }
        Ok(merge)
    }

    /// Reads the next post of `run` into the heap.
    fn refill(&mut self, run: usize) {
        let Some(line) = self.runs[run].next() else {
            return;
        };
        let parsed = line.map_err(|e| e.to_string()).and_then(|line| {
            let (file, wire): (usize, WireFacts) =
                serde_json::from_str(&line).map_err(|e| e.to_string())?;
            wire.restore(file, |post| Arc::new(post.restore()))
        });
        match parsed {
            Ok(facts) => self.heads.push(Head { facts, run }),
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
    }
}

impl Iterator for Merge {
    type Item = PostFacts;

    fn next(&mut self) -> Option<PostFacts> {
        loop {
            let Head { mut facts, run } = self.heads.pop()?;
            self.refill(run);
            let Some(reports) = &self.reports else {
                return Some(facts);
            };
            if let Some(Some(report)) = reports.get(facts.file) {
                facts.file = *report;
                return Some(facts);
            }
        }
    }
}

impl Drop for Merge {
    fn drop(&mut self) {
        self.runs.clear();
        forget(self.dir.take());
    }
}

/// An external sort of `(key, value)` records by key in bounded memory, for the site rules that
/// group the posts of a site by a value (a slug, a title, a link's target): past `budget`
/// estimated bytes the records are sorted and written to a temporary folder as one run; the
/// drain merges the runs. Keys must be unique (they end with the post's place) for the order to
/// be deterministic.
pub struct Sorter<K, V> {
    budget: usize,
    weigh: fn(&K, &V) -> usize,
    buffer: Vec<(K, V)>,
    bytes: usize,
    dir: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
    /// Runs written so far, which names the next one.
    written: usize,
}

/// The least budget of a sorter: a tiny `--memory-budget` still writes runs of a few records,
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
    K: Ord + serde::Serialize + serde::de::DeserializeOwned,
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    pub fn new(budget: usize, weigh: fn(&K, &V) -> usize) -> Self {
        Self {
            budget: budget.max(LEAST_SORTER_BUDGET),
            weigh,
            buffer: Vec::new(),
            bytes: 0,
            dir: None,
            runs: Vec::new(),
            written: 0,
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
        records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let dir = match &self.dir {
            Some(dir) => dir.path().to_path_buf(),
            None => {
                let dir = new_dir()?;
                let path = dir.path().to_path_buf();
                self.dir = Some(dir);
                path
            }
        };
        let path = self.next_run_path(&dir);
        write_records(&path, &records)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.runs.push(path);
        Ok(())
    }

    fn next_run_path(&mut self, dir: &std::path::Path) -> PathBuf {
        self.written += 1;
        dir.join(format!("sort-{}.ndjson", self.written))
    }

    /// Merges groups of [`FAN_IN`] runs into longer runs until at most that many are left.
    fn compact_runs(&mut self) -> Result<(), String> {
        let Some(dir) = self.dir.as_ref().map(|d| d.path().to_path_buf()) else {
            return Ok(());
        };
        while self.runs.len() > FAN_IN {
            let group: Vec<PathBuf> = self.runs.drain(..FAN_IN).collect();
            let path = self.next_run_path(&dir);
            let written = merge_records::<K, V>(&group, &path)
                .map_err(|e| format!("cannot merge the runs into {}: {e}", path.display()));
            group.iter().for_each(|run| drop(std::fs::remove_file(run)));
            written?;
            self.runs.push(path);
        }
        Ok(())
    }

    /// The records in key order: from memory when none was written out, else merged from the
    /// runs (the folder is deleted when the drain is dropped).
    pub fn finish(mut self) -> Result<Drain<K, V>, String> {
        if self.dir.is_none() {
            let mut records = std::mem::take(&mut self.buffer);
            records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            return Ok(Drain::Memory(records.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.write_run()?;
        }
        self.compact_runs()?;
        let merge = RunMerge::open(self.dir.take(), &self.runs)?;
        Ok(Drain::Disk(merge))
    }
}

impl<K, V> Drop for Sorter<K, V> {
    fn drop(&mut self) {
        forget(self.dir.take());
    }
}

/// Merges sorted runs of records into one sorted run at `path`.
fn merge_records<K, V>(runs: &[PathBuf], path: &std::path::Path) -> Result<(), String>
where
    K: Ord + serde::Serialize + serde::de::DeserializeOwned,
    V: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut merge = RunMerge::<K, V>::open(None, runs)?;
    let mut out = BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    let mut write = || -> std::io::Result<()> {
        while let Some(record) = merge.pop_next() {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
        out.flush()
    };
    write().map_err(|e| e.to_string())?;
    merge.error.take().map_or(Ok(()), Err)
}

fn write_records<T: serde::Serialize>(
    path: &std::path::Path,
    records: &[T],
) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for record in records {
        serde_json::to_writer(&mut out, record)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The records of a [`Sorter`] in key order.
pub enum Drain<K, V> {
    Memory(std::vec::IntoIter<(K, V)>),
    Disk(RunMerge<K, V>),
}

impl<K, V> Drain<K, V> {
    /// The first run that could not be read back, if any: the records after it are missing.
    pub fn error(&mut self) -> Option<String> {
        match self {
            Self::Memory(_) => None,
            Self::Disk(merge) => merge.error.take(),
        }
    }
}

impl<K, V> Iterator for Drain<K, V>
where
    K: Ord + serde::de::DeserializeOwned,
    V: serde::de::DeserializeOwned,
{
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        match self {
            Self::Memory(records) => records.next(),
            Self::Disk(merge) => merge.pop_next(),
        }
    }
}

/// The k-way merge of a sorter's runs.
pub struct RunMerge<K, V> {
    dir: Option<tempfile::TempDir>,
    runs: Vec<RunLines>,
    heads: BinaryHeap<RunHead<K, V>>,
    error: Option<String>,
}

struct RunHead<K, V> {
    key: K,
    value: V,
    run: usize,
}

impl<K: Ord, V> PartialEq for RunHead<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord, V> Eq for RunHead<K, V> {}

impl<K: Ord, V> PartialOrd for RunHead<K, V> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord, V> Ord for RunHead<K, V> {
    /// Reversed: the heap's greatest is the smallest key.
    fn cmp(&self, other: &Self) -> Ordering {
        (&other.key, other.run).cmp(&(&self.key, self.run))
    }
}

impl<K, V> RunMerge<K, V>
where
    K: Ord + serde::de::DeserializeOwned,
    V: serde::de::DeserializeOwned,
{
    fn open(dir: Option<tempfile::TempDir>, paths: &[PathBuf]) -> Result<Self, String> {
        let mut merge = Self {
            dir,
            runs: Vec::new(),
            heads: BinaryHeap::with_capacity(paths.len()),
            error: None,
        };
        merge.runs = open_runs(paths, 1 << 15).map_err(|e| format!("cannot read {e}"))?;
        for run in 0..merge.runs.len() {
            merge.refill(run);
        }
        Ok(merge)
    }

    fn refill(&mut self, run: usize) {
        let Some(line) = self.runs[run].next() else {
            return;
        };
        let parsed = line
            .map_err(|e| e.to_string())
            .and_then(|line| serde_json::from_str::<(K, V)>(&line).map_err(|e| e.to_string()));
        match parsed {
            Ok((key, value)) => self.heads.push(RunHead { key, value, run }),
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
    }

    fn pop_next(&mut self) -> Option<(K, V)> {
        let RunHead { key, value, run } = self.heads.pop()?;
        self.refill(run);
        Some((key, value))
    }
}

impl<K, V> Drop for RunMerge<K, V> {
    fn drop(&mut self) {
        self.runs.clear();
        forget(self.dir.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sorter_past_its_budget_merges_its_runs_in_key_order() {
        let mut sorter: Sorter<(u32, String), String> =
            Sorter::new(0, |k, v| text_weight(&k.1) + text_weight(v));
        let keys: Vec<u32> = (0..2_000).map(|i| (i * 7_919) % 2_000).collect();
        for &key in &keys {
            sorter
                .push((key, format!("k{key}")), format!("v{key}"))
                .expect("push");
        }
        // More runs than one merge opens: groups are merged into longer runs first.
        assert!(sorter.runs.len() > 2 * FAN_IN, "{}", sorter.runs.len());
        let dir = sorter.dir.as_ref().map(|d| d.path().to_path_buf());
        let mut drain = sorter.finish().expect("finish");
        let Drain::Disk(merge) = &drain else {
            panic!("the records were written out")
        };
        assert!(merge.runs.len() <= FAN_IN, "{} runs open", merge.runs.len());
        let got: Vec<u32> = drain
            .by_ref()
            .map(|(k, v)| {
                assert_eq!(v, format!("v{}", k.0));
                k.0
            })
            .collect();
        assert_eq!(drain.error(), None);
        assert_eq!(got, (0..2_000).collect::<Vec<_>>());
        drop(drain);
        assert!(dir.is_some_and(|d| !d.exists()));
    }

    #[test]
    fn a_sorter_under_its_budget_stays_in_memory() {
        let mut sorter: Sorter<u32, ()> = Sorter::new(1 << 20, |_, ()| 0);
        for key in [3, 1, 2] {
            sorter.push(key, ()).expect("push");
        }
        let drain = sorter.finish().expect("finish");
        assert!(matches!(drain, Drain::Memory(_)));
        assert_eq!(drain.map(|(k, ())| k).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
