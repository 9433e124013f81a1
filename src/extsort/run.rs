//! Sorted runs: records in postcard, each behind its length, in a file of the spill folder or in
//! memory; read back a record at a time, and merged level by level as they accumulate, so that a
//! sort holds a bounded number of them whatever the number of records.

use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// The most runs merged at once. Each open run holds a file and a read buffer, so a merge of
/// every run would grow with the number of runs (thousands under a small budget or a huge
/// archive: past the open-file limit, and 150 MB of buffers, as measured). Past this, groups of
/// runs are merged into longer runs, as external sorts do.
pub const FAN_IN: usize = 32;

/// Merges that may be open at once in a run: the site facts' merge, two groupings read back
/// together, and a level of a third being merged.
const MERGES_AT_ONCE: u64 = 4;

/// The files a run keeps open besides its merges (standard streams, the runtime's, a report).
const OTHER_FILES: u64 = 24;

/// The most runs merged at once: [`FAN_IN`], or fewer under a low open-file limit (`ulimit -n
/// 40`), where merges of 32 would fail and leave the site rules unrun.
pub fn fan_in() -> usize {
    static FAN: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FAN.get_or_init(|| {
        open_file_limit().map_or(FAN_IN, |limit| {
            let each = limit.saturating_sub(OTHER_FILES) / MERGES_AT_ONCE;
            usize::try_from(each).unwrap_or(FAN_IN).clamp(2, FAN_IN)
        })
    })
}

/// The soft limit on open files, where there is one.
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct it is given.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// One sorted run. Clones share it; its file is deleted when the last goes.
#[derive(Debug, Clone)]
pub enum Run {
    Disk(Arc<DiskRun>),
    /// Kept in memory: the folder could not take it.
    Memory(Arc<[u8]>),
}

/// A run's file, deleted when dropped.
#[derive(Debug)]
pub struct DiskRun {
    path: PathBuf,
    /// The bytes written: a file found shorter when read was cut behind the run's back.
    len: u64,
}

impl DiskRun {
    pub fn new(path: PathBuf, len: u64) -> Self {
        Self { path, len }
    }
}

impl Drop for DiskRun {
    fn drop(&mut self) {
        drop(std::fs::remove_file(&self.path));
    }
}

impl Run {
    /// Reads the run from its start through a buffer of `buffer` bytes; the error names the file.
    pub fn open(&self, buffer: usize) -> std::io::Result<RunReader> {
        let (source, written): (Box<dyn BufRead + Send>, u64) = match self {
            Self::Disk(disk) => {
                let file = std::fs::File::open(&disk.path).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", disk.path.display()))
                })?;
                (Box::new(BufReader::with_capacity(buffer, file)), disk.len)
            }
            Self::Memory(bytes) => (
                Box::new(Cursor::new(Shared(bytes.clone()))),
                bytes.len() as u64,
            ),
        };
        Ok(RunReader {
            source,
            record: Vec::new(),
            read: 0,
            written,
            _run: self.clone(),
        })
    }
}

/// A run in memory, read through a cursor.
struct Shared(Arc<[u8]>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// One sorted run, read a record at a time.
pub struct RunReader {
    source: Box<dyn BufRead + Send>,
    /// The record last read (the buffer is reused).
    record: Vec<u8>,
    /// The bytes read so far, and those the run was written with: a file emptied or cut at a
    /// record's end while it is read must not read as a shorter run (records lost, exit 0).
    read: u64,
    written: u64,
    /// Keeps the run's file while it is read.
    _run: Run,
}

impl RunReader {
    /// The bytes of the record last read, its length's four not counted.
    pub fn last_len(&self) -> usize {
        self.record.len()
    }

    /// The next record, `None` at the end of the run.
    pub fn next_record<T: serde::de::DeserializeOwned>(&mut self) -> Option<Result<T, String>> {
        match self.source.fill_buf() {
            Ok([]) if self.read >= self.written => return None,
            Ok([]) => {
                return Some(Err(format!(
                    "a run was cut short while read: {} of its {} bytes",
                    self.read, self.written
                )));
            }
            Ok(_) => {}
            Err(error) => return Some(Err(error.to_string())),
        }
        let mut len = [0; 4];
        let read = self.source.read_exact(&mut len).and_then(|()| {
            let len = u32::from_le_bytes(len) as usize;
            self.record.clear();
            (&mut self.source)
                .take(len as u64)
                .read_to_end(&mut self.record)?;
            if self.record.len() != len {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.read += 4 + len as u64;
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

/// Opens each run; the error names the one that could not be.
pub fn open_runs(runs: &[Run], buffer: usize) -> std::io::Result<Vec<RunReader>> {
    runs.iter().map(|run| run.open(buffer)).collect()
}

/// Writes one record of a run: its length (4 bytes, little-endian), then its `parts`.
pub fn write_framed(out: &mut dyn Write, parts: &[&[u8]]) -> std::io::Result<()> {
    let len = parts.iter().map(|part| part.len()).sum::<usize>();
    let len = u32::try_from(len).map_err(|_| std::io::Error::other("a record past 4 GB"))?;
    out.write_all(&len.to_le_bytes())?;
    parts.iter().try_for_each(|part| out.write_all(part))
}

/// Writes `record` as a run holds it: framed, in postcard (`scratch` is reused).
pub fn write_record<T: serde::Serialize>(
    out: &mut dyn Write,
    record: &T,
    scratch: &mut Vec<u8>,
) -> std::io::Result<()> {
    scratch.clear();
    *scratch =
        postcard::to_extend(record, std::mem::take(scratch)).map_err(std::io::Error::other)?;
    write_framed(out, &[scratch])
}

/// The runs of a sort by level: a run of level `n + 1` is [`fan_in`] runs of level `n` merged
/// into one, so each level holds fewer than that and their number grows as the logarithm
/// of the records'. Each record is written once per level.
#[derive(Debug, Default)]
pub struct Levels {
    levels: Vec<Vec<Run>>,
}

impl Levels {
    /// Adds a run of `level`; when that fills the level, takes its runs out to be merged.
    pub fn add(&mut self, run: Run, level: usize) -> Option<Vec<Run>> {
        if self.levels.len() <= level {
            self.levels.resize_with(level + 1, Vec::new);
        }
        let runs = &mut self.levels[level];
        runs.push(run);
        (runs.len() >= fan_in()).then(|| std::mem::take(runs))
    }

    pub fn is_empty(&self) -> bool {
        self.levels.iter().all(Vec::is_empty)
    }

    /// How many runs are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }

    /// Every run, the shortest (lowest level) first.
    pub fn into_runs(self) -> Vec<Run> {
        self.levels.into_iter().flatten().collect()
    }
}

/// Adds a new run through `add` ([`Levels::add`], wherever the levels are kept), and merges
/// each level it fills into a run of the next.
pub fn add_run(
    mut add: impl FnMut(Run, usize) -> Option<Vec<Run>>,
    merge: impl Fn(&[Run]) -> Result<Run, String>,
    run: Run,
) -> Result<(), String> {
    let (mut run, mut level) = (run, 0);
    while let Some(full) = add(run, level) {
        run = merge(&full)?;
        level += 1;
    }
    Ok(())
}

/// Merges the shortest runs until at most [`fan_in`] are left, for one merge to read them all.
pub fn at_most_fan_in(
    mut runs: Vec<Run>,
    merge: impl Fn(&[Run]) -> Result<Run, String>,
) -> Result<Vec<Run>, String> {
    let fan_in = fan_in();
    while runs.len() > fan_in {
        let group: Vec<Run> = runs.drain(..fan_in).collect();
        runs.push(merge(&group)?);
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extsort::SpillDir;

    /// A run of three records on disk, the folder that holds it, and the length of the
    /// first two records.
    fn three_records(parent: &std::path::Path) -> (Run, SpillDir, u64) {
        let dir = SpillDir::in_folder(parent);
        let mut scratch = Vec::new();
        let run = dir
            .store(|out| {
                ["one", "two", "three"]
                    .iter()
                    .try_for_each(|text| write_record(out, &text.to_string(), &mut scratch))
            })
            .expect("stored");
        // Each record: four bytes of length, one of the string's length, its bytes.
        (run, dir, (4 + 1 + 3) * 2)
    }

    /// The run's records up to the end or the first error, as a merge reads them.
    fn read_all(run: &Run) -> Vec<Result<String, String>> {
        let mut reader = run.open(4).expect("opened");
        let mut failed = false;
        std::iter::from_fn(|| {
            let next = reader.next_record::<String>().filter(|_| !failed)?;
            failed = next.is_err();
            Some(next)
        })
        .collect()
    }

    #[test]
    fn a_run_reads_back_its_records() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (run, _dir, _) = three_records(temp.path());
        let read = read_all(&run);
        assert_eq!(
            read,
            [Ok("one".into()), Ok("two".into()), Ok("three".into())]
        );
    }

    #[test]
    fn a_run_file_cut_at_a_records_end_is_an_error_not_a_shorter_run() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (run, _dir, two) = three_records(temp.path());
        let Run::Disk(disk) = &run else {
            panic!("the run went to memory")
        };
        let file = std::fs::OpenOptions::new().write(true).open(&disk.path);
        file.and_then(|file| file.set_len(two)).expect("cut");
        let read = read_all(&run);
        assert_eq!(read[..2], [Ok("one".into()), Ok("two".into())]);
        assert_eq!(
            read[2..],
            [Err(
                "a run was cut short while read: 16 of its 26 bytes".into()
            )]
        );
    }
}
