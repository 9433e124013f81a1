//! The temporary folder of a sort's runs: made when its first run is written, deleted when the
//! sort ends or the process is stopped by a signal sent to end it, and by a later spill when a
//! killed run (SIGKILL, the OOM killer) left it. A run the folder cannot take is kept in memory.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::run::{DiskRun, Run};
use crate::on_stop::Doomed;

/// What every folder's name starts with.
const PREFIX: &str = "postlint-facts-";

/// A folder that no process holds locked and that has not changed for this long was left by a
/// run that was killed: the next spill in its parent deletes it. The age spares a folder made a
/// moment ago, before its maker locked it, and one of an older postlint (which locks none)
/// still at work.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Where a run's sorted runs go.
#[derive(Debug, Default)]
pub struct SpillDir {
    /// Where the folder is made: the system's temporary folder (`TMPDIR`) unless a test says.
    parent: Option<PathBuf>,
    folder: Mutex<Folder>,
    /// Names the next file.
    files: AtomicUsize,
}

#[derive(Debug, Default)]
struct Folder {
    /// Made with the first run; kept, with the runs in it, until the spill ends (or a signal
    /// sent to end the run deletes it).
    dir: Option<Doomed<tempfile::TempDir>>,
    /// The folder opened and locked while it lives, so that no other run takes it for stale.
    _lock: Option<std::fs::File>,
    /// Why runs go to memory, once the folder could not be made or written.
    fallback: Option<String>,
}

impl SpillDir {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A spill whose folder is made in `parent`.
    #[cfg(test)]
    pub fn in_folder(parent: &Path) -> Self {
        Self {
            parent: Some(parent.to_path_buf()),
            folder: Mutex::default(),
            files: AtomicUsize::new(0),
        }
    }

    /// How many files were made in the folder.
    #[cfg(test)]
    pub fn files_made(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Stores a sorted run, whose records `write` writes: in a file of the folder, else (no
    /// folder, a full disk) in memory. `write` may be called twice, so it must not consume
    /// what it writes from. An error only when the records cannot be encoded.
    pub fn store(
        &self,
        mut write: impl FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<Run, String> {
        if let Some(path) = self.next_path() {
            match write_file(&path, &mut write) {
                Ok(len) => return Ok(Run::Disk(Arc::new(DiskRun::new(path, len)))),
                Err(error) => {
                    drop(std::fs::remove_file(&path));
                    self.give_up(format!("cannot write {}: {error}", path.display()));
                }
            }
        }
        let mut bytes = Vec::new();
        write(&mut bytes).map_err(|e| format!("cannot encode a sorted run: {e}"))?;
        Ok(Run::Memory(bytes.into()))
    }

    /// Why runs were kept in memory, if they were.
    pub fn fallback(&self) -> Option<String> {
        self.lock().fallback.clone()
    }

    /// The path of the next run, the folder made if need be; `None` once runs go to memory.
    fn next_path(&self) -> Option<PathBuf> {
        let mut folder = self.lock();
        if folder.fallback.is_some() {
            return None;
        }
        if folder.dir.is_none() {
            let parent = self.parent.clone().unwrap_or_else(std::env::temp_dir);
            match make_folder(&parent) {
                Ok(dir) => {
                    folder._lock = lock(dir.path());
                    folder.dir = Some(dir);
                }
                Err(why) => {
                    folder.fallback = Some(why);
                    return None;
                }
            }
        }
        let number = self.files.fetch_add(1, Ordering::Relaxed);
        (folder.dir.as_ref()).map(|dir| dir.path().join(format!("run-{number}.bin")))
    }

    fn give_up(&self, why: String) {
        self.lock().fallback.get_or_insert(why);
    }

    fn lock(&self) -> MutexGuard<'_, Folder> {
        self.folder.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        // Deleted under the signal thread's lock (`Doomed`), so never half by each.
        drop(self.lock().dir.take());
    }
}

/// Writes a run to a new file at `path`, made through [`create_file`].
/// Writes a run's file; its length in bytes.
fn write_file(
    path: &Path,
    write: &mut impl FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 16, create_file(path)?);
    write(&mut out)?;
    out.flush()?;
    out.get_ref().metadata().map(|meta| meta.len())
}

/// The parents whose stale folders were deleted already.
static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A new folder in `parent`, known to the signal thread before anything can be written in it.
fn make_folder(parent: &Path) -> Result<Doomed<tempfile::TempDir>, String> {
    let make = || {
        let mut swept = SWEPT.lock().unwrap_or_else(PoisonError::into_inner);
        if !swept.iter().any(|done| done == parent) {
            delete_stale_folders(parent);
            swept.push(parent.to_path_buf());
        }
        tempfile::Builder::new().prefix(PREFIX).tempdir_in(parent)
    };
    Doomed::folder(make, tempfile::TempDir::path).map_err(|e| {
        // Without the path tempfile adds: the folder it names was never made.
        format!(
            "cannot make a folder in the temporary folder {} (TMPDIR): {}",
            parent.display(),
            crate::atomic_write::os_cause(&e)
        )
    })
}

/// The folder opened and locked (`flock`): `None` where the file system cannot lock.
fn lock(dir: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(dir).ok()?;
    file.try_lock().ok()?;
    Some(file)
}

/// Deletes the folders of this user in `parent` that killed runs left (see [`STALE_AFTER`]).
fn delete_stale_folders(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let path = entry.path();
        if !is_old_folder_of_mine(&path) {
            continue;
        }
        // Held while it is deleted: a live run holds its own, so this fails on it.
        if let Some(held) = lock(&path) {
            drop(std::fs::remove_dir_all(&path));
            drop(held);
        }
    }
}

/// A folder (not a symlink to one) of this process's user, unchanged for [`STALE_AFTER`].
fn is_old_folder_of_mine(path: &Path) -> bool {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: getuid has no preconditions and cannot fail.
        if metadata.uid() != unsafe { libc::getuid() } {
            return false;
        }
    }
    let age = metadata.modified().ok().and_then(|at| at.elapsed().ok());
    metadata.is_dir() && age.is_some_and(|age| age >= STALE_AFTER)
}

/// Creates a file in a live folder, unless a signal is deleting the folders: so no file lands
/// in a folder as it is deleted.
fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    crate::on_stop::unless_stopping(|| std::fs::File::create_new(path))
}
