//! Writing a file whole that postlint makes (a report, a saved page, the link cache): a reader
//! sees the old file or the new one, and nothing planted in the folder is followed.

use std::io::Write;
use std::path::Path;

/// Writes `path` through a temporary file created in its folder (exclusively, under a random
/// name, so that a symbolic link planted at a guessable name is never opened), renamed over
/// `path` once `emit` has filled it. A symbolic link at `path` is replaced, not followed. The
/// file gets the mode a new file gets (0666 less the umask). On failure nothing is left behind
/// and `path` is as it was.
pub fn replace(
    path: &Path,
    emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let folder = crate::input::folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".postlint-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // Deleted by a signal that ends the run while it is written: a stopped run leaves the
    // file as it was and nothing beside it.
    let mut temporary = crate::on_stop::Doomed::file(
        || builder.tempfile_in(folder),
        tempfile::NamedTempFile::path,
    )
    .map_err(|e| in_folder(folder, &e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, temporary.get_mut());
    emit(&mut out)?;
    out.flush()?;
    drop(out);
    temporary.finish(|file| file.persist(path).map(drop).map_err(|e| e.error))
}

/// A temporary file that could not be made in `folder`, said of the folder: the random name
/// tempfile adds to its message was never made, and the named file is not the one refused.
fn in_folder(folder: &Path, error: &std::io::Error) -> std::io::Error {
    let cause = os_cause(error);
    std::io::Error::new(
        error.kind(),
        format!("cannot make a file in {}: {cause}", folder.display()),
    )
}

/// The system's reason for an error of tempfile, without the path tempfile adds to it (a file
/// or folder that was never made).
pub fn os_cause(error: &std::io::Error) -> String {
    if let Some(code) = error.raw_os_error() {
        return std::io::Error::from_raw_os_error(code).to_string();
    }
    let text = error.to_string();
    match text.split_once(" at path ") {
        Some((cause, _)) => cause.to_owned(),
        None => text,
    }
}

/// Writes a file the user named (a report, a baseline) whole: a regular file, or a new one,
/// through [`replace`]; a symbolic link, FIFO or device (`-o /dev/null`) is written through,
/// since the rename would put a file in its place.
pub fn write_named(
    path: &Path,
    emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let special = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
    if !special {
        return replace(path, emit);
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    emit(&mut out)?;
    out.flush()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_at_the_path_is_replaced_and_its_target_kept() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "kept").expect("written");
        let path = dir.path().join("report.json");
        std::os::unix::fs::symlink(&outside, &path).expect("a link");
        replace(&path, |out| out.write_all(b"new")).expect("replaced");
        assert_eq!(std::fs::read_to_string(&outside).expect("read"), "kept");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        assert!(!std::fs::symlink_metadata(&path).expect("meta").is_symlink());
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("listed").collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_failure_leaves_the_file_and_no_temporary() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").expect("written");
        let failed = replace(&path, |_| Err(std::io::Error::other("no")));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("listed").count(), 1);
    }
}
