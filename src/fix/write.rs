//! Writing a fixed file: that file and no other, whole or not at all, with its owner, group and
//! mode, and never over an edit made while the fix was being written.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{FileFix, FixError};
use crate::on_stop::Doomed;

/// What `write_all` did.
#[derive(Debug, Default)]
pub struct Written {
    pub files: usize,
    /// The fixes applied in the files written.
    pub applied: usize,
    /// What to tell the user, in order: the fixes left out, the files not written and why.
    pub messages: Vec<String>,
    /// A file `--fix` meant to write was left as it was.
    pub failed: bool,
}

/// Writes the fixed files of a plan, each file once however many names it was given by (the
/// second write would find it changed).
pub fn write_all(plans: &[Result<FileFix, FixError>]) -> Written {
    let mut written = Written::default();
    let mut seen = HashSet::new();
    for plan in plans {
        let fix = match plan {
            Ok(fix) => fix,
            Err(error) => {
                written.messages.push(error.to_string());
                written.failed |= error.is_failure();
                continue;
            }
        };
        written.messages.extend(fix.dropped.iter().cloned());
        let file = std::fs::canonicalize(&fix.path).ok();
        if !fix.changed() || file.is_some_and(|file| !seen.insert(file)) {
            continue;
        }
        match write(fix) {
            Ok(()) => {
                written.files += 1;
                written.applied += fix.applied;
            }
            Err(error) => {
                written.messages.push(error.to_string());
                written.failed = true;
            }
        }
    }
    written
}

/// Writes a fixed file: through a symbolic link to the file it names, into a temporary file
/// created beside it (exclusively, under a random name, so nothing planted there is followed),
/// given the original's owner, group and mode, then renamed over the original once it is seen
/// unchanged. A file with other hard links, or without write permission, is refused. On any
/// failure the original is left as it was and the temporary file removed.
pub fn write(fix: &FileFix) -> Result<(), FixError> {
    stage(fix)?.commit()
}

/// A fixed file written beside its original, waiting to replace it; dropped, it is removed.
pub struct Staged<'f> {
    fix: &'f FileFix,
    target: PathBuf,
    original: Metadata,
    /// Deleted by a signal that ends the run before the rename.
    temporary: Doomed<tempfile::NamedTempFile>,
}

/// The first half of `write`: the fixed text on disk beside the file it will replace.
pub fn stage(fix: &FileFix) -> Result<Staged<'_>, FixError> {
    let target = through_links(fix)?;
    let original = writable(fix, &target)?;
    let temporary = written_beside(fix, &target, &original)?;
    Ok(Staged {
        fix,
        target,
        original,
        temporary,
    })
}

impl Staged<'_> {
    /// The temporary file, for a look at what will replace the original.
    pub fn path(&self) -> &Path {
        self.temporary.path()
    }

    /// The second half of `write`: replaces the original, unless it changed meanwhile.
    pub fn commit(self) -> Result<(), FixError> {
        unchanged(self.fix, &self.target, &self.original)?;
        let (fix, target) = (self.fix, &self.target);
        self.temporary.finish(|temporary| {
            (temporary.persist(target))
                .map(drop)
                .map_err(|e| write_error(fix, "replace", target, e.error))
        })
    }
}

/// The file to write: the path itself, or the file its symbolic links lead to (what was read
/// and linted). Replacing the link instead would leave the defect in the file it names.
fn through_links(fix: &FileFix) -> Result<PathBuf, FixError> {
    let read_error = |source| FixError::Read {
        name: fix.name.clone(),
        source,
    };
    let is_link = std::fs::symlink_metadata(&fix.path)
        .map_err(read_error)?
        .file_type()
        .is_symlink();
    if !is_link {
        return Ok(fix.path.clone());
    }
    std::fs::canonicalize(&fix.path).map_err(read_error)
}

/// The target's metadata, when the fix may replace it: a regular file, with one name, that
/// someone may write.
fn writable(fix: &FileFix, target: &Path) -> Result<Metadata, FixError> {
    let name = || fix.name.clone();
    let metadata = std::fs::metadata(target).map_err(|source| FixError::Read {
        name: name(),
        source,
    })?;
    if !metadata.is_file() {
        return Err(FixError::NotAFile { name: name() });
    }
    // Replacing a file with other names would split them apart (they keep the old text), and
    // writing it in place would change them all and lose atomicity: neither is what was asked.
    let links = hard_links(&metadata);
    if links > 1 {
        return Err(FixError::HardLinked {
            name: name(),
            links,
        });
    }
    // A rename replaces a file whatever its mode: a read-only file is refused here, or it
    // would be rewritten (and its mode kept) without anyone saying so.
    if metadata.permissions().readonly() {
        return Err(FixError::ReadOnly { name: name() });
    }
    Ok(metadata)
}

/// The fixed text in a new temporary file in the target's folder, on disk, with the target's
/// owner, group and mode. Dropped (and so removed) by whoever meets an error after this.
fn written_beside(
    fix: &FileFix,
    target: &Path,
    original: &Metadata,
) -> Result<Doomed<tempfile::NamedTempFile>, FixError> {
    let folder = crate::input::folder_of(target);
    // O_CREAT | O_EXCL under a random name: a link or file planted at a guessable name is
    // never opened, so nothing outside the target is written or re-moded.
    let make = || {
        tempfile::Builder::new()
            .prefix(".postlint-fix-")
            .tempfile_in(folder)
    };
    let mut temporary = Doomed::file(make, tempfile::NamedTempFile::path)
        .map_err(|e| write_error(fix, "create a temporary file in", folder, e))?;
    let path = temporary.path().to_path_buf();
    temporary
        .get_mut()
        .write_all(&fix.fixed)
        .map_err(|e| write_error(fix, "write", &path, e))?;
    keep_owner(temporary.get().as_file(), original).map_err(|source| FixError::Owner {
        name: fix.name.clone(),
        owner: owner_of(original),
        source,
    })?;
    temporary
        .get()
        .as_file()
        .set_permissions(original.permissions())
        .map_err(|e| write_error(fix, "set the mode of", &path, e))?;
    // Errors the file system reports late (a full disk, a quota) surface here, not after the
    // rename has already replaced the original.
    temporary
        .get()
        .as_file()
        .sync_all()
        .map_err(|e| write_error(fix, "write", &path, e))?;
    Ok(temporary)
}

/// Refuses when the target is no longer the file the fix was made from: another file was put
/// in its place, or its bytes changed. Checked last, right before the rename, so that an edit
/// saved while the fixed text was being written is not lost.
fn unchanged(fix: &FileFix, target: &Path, original: &Metadata) -> Result<(), FixError> {
    let changed = || FixError::ChangedOnDisk {
        name: fix.name.clone(),
    };
    let read_error = |source| FixError::Read {
        name: fix.name.clone(),
        source,
    };
    let same = |now: &Metadata| {
        identity(now) == identity(original) && now.len() == fix.original.len() as u64
    };
    // Looked at before it is opened too: opening a FIFO put in its place would block.
    if !same(&std::fs::metadata(target).map_err(read_error)?) {
        return Err(changed());
    }
    let file = File::open(target).map_err(read_error)?;
    if !same(&file.metadata().map_err(read_error)?) {
        return Err(changed());
    }
    let mut bytes = Vec::with_capacity(fix.original.len());
    // One byte more than expected is enough to tell a file that grew.
    let limit = fix.original.len() as u64 + 1;
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes != fix.original {
        return Err(changed());
    }
    Ok(())
}

fn write_error(
    fix: &FileFix,
    operation: &'static str,
    path: &Path,
    source: std::io::Error,
) -> FixError {
    FixError::Write {
        name: fix.name.clone(),
        operation,
        path: path.to_path_buf(),
        source,
    }
}

/// Gives the new file the original's owner and group when they differ: root fixing a
/// checkout would otherwise hand the file to root, and lock its owner out. Fails (and the
/// fix is not written) when this user may not give them.
#[cfg(unix)]
fn keep_owner(file: &File, original: &Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let made = file.metadata()?;
    if (made.uid(), made.gid()) == (original.uid(), original.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()))
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Metadata) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn owner_of(metadata: &Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("uid {}, gid {}", metadata.uid(), metadata.gid())
}

#[cfg(not(unix))]
fn owner_of(_: &Metadata) -> String {
    String::new()
}

#[cfg(unix)]
fn hard_links(metadata: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(metadata)
}

#[cfg(not(unix))]
fn hard_links(_: &Metadata) -> u64 {
    1
}

/// Which file on which device: a file put in the target's place has another.
#[cfg(unix)]
fn identity(metadata: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn identity(_: &Metadata) -> Option<(u64, u64)> {
    None
}
