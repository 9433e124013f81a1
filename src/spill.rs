//! The site facts of a run in bounded memory (`--memory-budget`): while files are linted, the
//! facts of their posts are encoded (each worker encodes its own segment's) and gather in a
//! buffer; past the budget the buffer is sorted by the key the site phase groups by (site, file,
//! post) and written to a temporary folder as one sorted run. The site phase then merges the
//! runs (an external sort), one post at a time: each site rule sorts what it compares with a
//! [`Sorter`] of its own (`phases::site_sorted`). The folders are deleted when the run ends, and
//! on Ctrl-C.
//!
//! Runs hold records in postcard, a compact binary serde format, each behind its length: a
//! third of the size of JSON lines, read back several times faster, and the buffer's bytes are
//! what it costs in memory, so the budget is kept exactly rather than estimated.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};

use rayon::prelude::*;

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
    /// Encoded facts: one chunk per segment handed in, never copied or grown here.
    chunks: Vec<Vec<u8>>,
    records: Vec<Record>,
    /// Bytes held by `chunks` and `records`.
    bytes: usize,
    /// The sites' names, by the number records carry.
    sites: Vec<String>,
    site_numbers: HashMap<String, u32>,
    dir: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
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

/// The facts of a run in the site phase's order: in memory when they stayed under the budget,
/// else merged from the sorted runs on disk.
pub enum Sorted {
    Memory(Vec<PostFacts>),
    Disk(Merge),
}

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
            state: Mutex::new(State::default()),
        }
    }

    /// Adds the packed facts of input `file` (its place among the run's inputs), as each
    /// segment of it is linted; writes the buffer out as a sorted run when it passes the budget.
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
            if state.bytes <= self.budget {
                return;
            }
            state.bytes = 0;
            (
                std::mem::take(&mut state.chunks),
                std::mem::take(&mut state.records),
                state.site_order(),
            )
        };
        // Sorted and written outside the lock: the other workers go on linting.
        self.write_run(full);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_run(&self, (chunks, mut records, order): (Vec<Vec<u8>>, Vec<Record>, Vec<u32>)) {
        sort_records(&mut records, &order);
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
            let path = dir.join(format!("run-{}.bin", state.runs.len()));
            state.runs.push(path.clone());
            path
        };
        if let Err(error) = write_encoded(&path, &chunks, &records) {
            self.lock().error = Some(format!("cannot write {}: {error}", path.display()));
        }
        drop((chunks, records));
        crate::memory::release_freed();
    }

    /// The facts in the site phase's order, their `file` the report each input became
    /// (`reports[input]`; facts of an input that gave no report are dropped, as one run
    /// drops them). An error when a run could not be written.
    pub fn finish(self, reports: &[Option<usize>]) -> Result<Sorted, String> {
        let budget = self.budget;
        let mut state = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = state.error.take() {
            forget(state.dir.take());
            return Err(error);
        }
        let order = state.site_order();
        let mut records = std::mem::take(&mut state.records);
        sort_records(&mut records, &order);
        let chunks = std::mem::take(&mut state.chunks);
        let Some(dir) = state.dir.take() else {
            return decode_all(&chunks, &records, reports).map(Sorted::Memory);
        };
        let mut runs = std::mem::take(&mut state.runs);
        if !records.is_empty() {
            let path = dir.path().join(format!("run-{}.bin", runs.len()));
            write_encoded(&path, &chunks, &records)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            runs.push(path);
        }
        drop((chunks, records));
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

/// The order of the site phase, of facts read back from the runs: [`sort_records`]'s.
fn key(fact: &PostFacts) -> (bool, Option<&str>, usize, usize) {
    (
        fact.site.is_none(),
        fact.site.as_deref(),
        fact.file,
        fact.post.index,
    )
}

fn encoded_bytes<'c>(chunks: &'c [Vec<u8>], record: &Record) -> &'c [u8] {
    chunks
        .get(record.chunk)
        .and_then(|chunk| chunk.get(record.start..record.start + record.len))
        .unwrap_or_default()
}

/// Writes the records as a run: each `(file, facts)` as [`write_record`] would (postcard
/// writes a pair as its two parts one after the other).
fn write_encoded(
    path: &std::path::Path,
    chunks: &[Vec<u8>],
    records: &[Record],
) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
    let mut file = [0; 10];
    for record in records {
        let file = postcard::to_slice(&record.file, &mut file).map_err(std::io::Error::other)?;
        write_framed(&mut out, &[file, encoded_bytes(chunks, record)])?;
    }
    out.flush()
}

/// Decodes the facts kept in memory, in parallel, in the order of `records`.
fn decode_all(
    chunks: &[Vec<u8>],
    records: &[Record],
    reports: &[Option<usize>],
) -> Result<Vec<PostFacts>, String> {
    let decoded: Vec<Result<Option<PostFacts>, String>> = records
        .par_iter()
        .map(|record| {
            let Some(Some(report)) = reports.get(record.file) else {
                return Ok(None);
            };
            let wire: WireFacts = postcard::from_bytes(encoded_bytes(chunks, record))
                .map_err(|e| format!("damaged site facts: {e}"))?;
            wire.restore(*report, |post| Arc::new(post.restore()))
                .map(Some)
        })
        .collect();
    decoded.into_iter().filter_map(Result::transpose).collect()
}

/// Writes one record of a run: its length (4 bytes, little-endian), then its `parts`.
fn write_framed(out: &mut impl Write, parts: &[&[u8]]) -> std::io::Result<()> {
    let len = parts.iter().map(|part| part.len()).sum::<usize>();
    let len = u32::try_from(len).map_err(|_| std::io::Error::other("a record past 4 GB"))?;
    out.write_all(&len.to_le_bytes())?;
    parts.iter().try_for_each(|part| out.write_all(part))
}

/// Writes `record` as a run holds it: framed, in postcard (`scratch` is reused).
fn write_record<T: serde::Serialize>(
    out: &mut impl Write,
    record: &T,
    scratch: &mut Vec<u8>,
) -> std::io::Result<()> {
    scratch.clear();
    *scratch =
        postcard::to_extend(record, std::mem::take(scratch)).map_err(std::io::Error::other)?;
    write_framed(out, &[scratch])
}

/// Merges groups of [`FAN_IN`] runs of facts into longer runs until at most that many are left.
fn compact_fact_runs(
    dir: &std::path::Path,
    mut runs: Vec<PathBuf>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut merged = 0;
    while runs.len() > FAN_IN {
        let group: Vec<PathBuf> = runs.drain(..FAN_IN).collect();
        let path = dir.join(format!("merged-{merged}.bin"));
        merged += 1;
        let mut merge = Merge::open(None, &group, None, 0)?;
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        let mut scratch = Vec::new();
        for fact in merge.by_ref() {
            write_record(&mut out, &(fact.file, WireFacts::of(&fact)), &mut scratch)?;
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

/// The sorted runs at `paths`, each read through a buffer of `buffer` bytes; an error names
/// the run.
fn open_runs(paths: &[PathBuf], buffer: usize) -> std::io::Result<Vec<RunReader>> {
    let open = |path: &PathBuf| {
        let file = std::fs::File::open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        Ok(RunReader {
            file: BufReader::with_capacity(buffer, file),
            record: Vec::new(),
        })
    };
    paths.iter().map(open).collect()
}

/// One sorted run, read a record at a time.
struct RunReader {
    file: BufReader<std::fs::File>,
    /// The record last read (the buffer is reused).
    record: Vec<u8>,
}

impl RunReader {
    /// The next record, `None` at the end of the run.
    fn next_record<T: serde::de::DeserializeOwned>(&mut self) -> Option<Result<T, String>> {
        match self.file.fill_buf() {
            Ok([]) => return None,
            Ok(_) => {}
            Err(error) => return Some(Err(error.to_string())),
        }
        let mut len = [0; 4];
        let read = self.file.read_exact(&mut len).and_then(|()| {
            let len = u32::from_le_bytes(len) as usize;
            self.record.clear();
            (&mut self.file)
                .take(len as u64)
                .read_to_end(&mut self.record)?;
            if self.record.len() != len {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            Ok(())
        });
        Some(match read {
            Ok(()) => {
                postcard::from_bytes(&self.record).map_err(|e| format!("a damaged record: {e}"))
            }
            Err(error) => Err(format!("a run ends inside a record: {error}")),
        })
    }
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
    runs: Vec<RunReader>,
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
        let Some(record) = self.runs[run].next_record() else {
            return;
        };
        let parsed = record.and_then(|(file, wire): (usize, WireFacts)| {
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
        dir.join(format!("sort-{}.bin", self.written))
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
    let mut scratch = Vec::new();
    let mut write = || -> std::io::Result<()> {
        while let Some(record) = merge.pop_next() {
            write_record(&mut out, &record, &mut scratch)?;
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
    let mut scratch = Vec::new();
    for record in records {
        write_record(&mut out, record, &mut scratch)?;
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
    runs: Vec<RunReader>,
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
        let Some(parsed) = self.runs[run].next_record::<(K, V)>() else {
            return;
        };
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
