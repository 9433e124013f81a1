//! The files postlint keeps between runs in its cache folder (the link cache, the marks of
//! `--since-last-run`): read and written only in a real folder, read only from regular files;
//! and the opener every read of a user's file shares, which never waits on a named pipe.

use std::io::Read;
use std::path::Path;

/// The most a kept file may hold: the default of `--max-file-size`.
const MAX_KEPT_BYTES: u64 = crate::limits::MAX_FILE_SIZE.default.as_u64();

/// Refuses a cache folder that is a symbolic link: one planted in a repository (the default
/// folder is `.postlint-cache` in the current one) would lead every read and write elsewhere.
/// A folder that does not exist yet is fine; it is made when something is written.
pub fn check_folder(dir: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(dir) {
        Ok(metadata) if metadata.file_type().is_symlink() => Err(format!(
            "{} is a symbolic link: the cache is neither read nor written through it",
            dir.display()
        )),
        _ => Ok(()),
    }
}

/// The bytes of a kept file, `None` when there is none. Only a regular file is read (not
/// through a symbolic link, and never a pipe or device, which could block or never end), and
/// at most [`MAX_KEPT_BYTES`] of it.
pub fn read(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEPT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_KEPT_BYTES {
        return Err(std::io::Error::other(format!(
            "it holds more than {MAX_KEPT_BYTES} bytes"
        )));
    }
    Ok(Some(bytes))
}

/// Opens a file to read without waiting for a writer, were it a named pipe.
pub fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    open_to_read(path, true)
}

/// Opens without following a symbolic link at `path` (it fails instead) and without waiting
/// for a writer, were it a named pipe.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    open_to_read(path, false)
}

fn open_to_read(path: &Path, follow_links: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        let flags = if follow_links {
            libc::O_NONBLOCK
        } else {
            libc::O_NONBLOCK | libc::O_NOFOLLOW
        };
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, flags);
    }
    #[cfg(not(unix))]
    if !follow_links && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other("it is a symbolic link"));
    }
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_is_a_link_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let link = dir.path().join(".postlint-cache");
        std::os::unix::fs::symlink(dir.path(), &link).expect("a link");
        assert!(check_folder(&link).is_err());
        assert!(check_folder(dir.path()).is_ok());
        assert!(check_folder(&dir.path().join("not yet")).is_ok());
    }

    #[test]
    fn only_a_regular_file_is_read() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let zero = dir.path().join("links.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("a link");
        assert!(read(&zero).is_err(), "a link to a device is not read");
        let pipe = dir.path().join("marks.json");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        if made.is_ok_and(|status| status.success()) {
            assert!(read(&pipe).is_err(), "a pipe is refused without waiting");
        }
        let file = dir.path().join("kept.json");
        std::fs::write(&file, "{}").expect("written");
        assert_eq!(read(&file).expect("read"), Some(b"{}".to_vec()));
        assert_eq!(read(&dir.path().join("none")).expect("none"), None);
    }
}
