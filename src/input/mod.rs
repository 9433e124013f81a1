//! Finding the files to lint and reading them: `format` tells a file's format, `reading` is what
//! a format implements for the engine's file loop (`json_format`, `wxr_format`).

pub mod format;
pub mod json;
pub mod json_format;
pub mod posts;
pub mod reading;
pub mod segments;
pub mod select;
pub mod wxr;
pub mod wxr_format;
pub mod wxr_parts;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use fnv::FnvHashMap;

use crate::kept_files::open_without_waiting;
use crate::source::{Origin, SourceFile};

/// Extensions a directory walk picks up. Files named on the command line are read whatever
/// their name. `.xml` and `.wxr` are WordPress exports (WXR).
pub const POST_EXTENSIONS: [&str; 5] = ["json", "ndjson", "jsonl", "xml", "wxr"];

/// Something the user asked us to lint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    Stdin,
    /// A file the user named.
    File(PathBuf),
    /// A file a walk of a folder found: left out when it is a tool's (`workspace`).
    Found(PathBuf),
    /// Bytes fetched rather than read from a file (a page of a live site), named by their URL.
    Memory {
        name: String,
        bytes: Arc<[u8]>,
    },
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File(path) | Input::Found(path) => path.display().to_string(),
            Input::Memory { name, .. } => name.clone(),
        }
    }

    /// The file on disk, for a file named or found.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::File(path) | Input::Found(path) => Some(path),
            Input::Stdin | Input::Memory { .. } => None,
        }
    }
}

/// A file that could not be found, walked or read: reported on stderr, never fatal to the run.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: a loop of symbolic links: following them never reaches a file")]
    SymlinkLoop { path: String },
    #[error("{path}: a symbolic link to {target}, which does not exist")]
    DanglingLink { path: String, target: String },
    #[error("{path}: cannot read the folder: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a regular file")]
    NotAFile { path: String },
    #[error("cannot walk directory: {0}")]
    Walk(#[from] ignore::Error),
    #[error("{path}: {size} is over the limit of {limit}; raise it with --max-file-size")]
    TooLarge {
        path: String,
        size: String,
        limit: String,
    },
    #[error("{0}")]
    Usage(String),
    /// A live site, or a page of it, that could not be read.
    #[error("{0}")]
    Site(String),
    /// Site facts spilled past `--memory-budget` that could not be read back: the site rules
    /// saw only part of the posts, or none.
    #[error("{0}")]
    SiteFacts(String),
}

/// Expands the paths given into the files to lint, in the order given; directories are walked
/// recursively in name order, honouring `.gitignore`. Each file appears once, as named when
/// it was both named and found.
/// The folder a file is in, as its path names it: the current folder for a bare name (whose
/// parent is "") and for a path with no parent.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    discover_each(paths, |_| {})
}

/// `discover`, with the size of each input (`size_hint`, in the same order), looked up on
/// another of the run's threads as the walk finds the files, then on both once it ends: the
/// walk is one thread's work before any file is linted, and the `stat` of each file (a path
/// lookup in the kernel each) was as long again after it. On one thread the sizes are looked
/// up after the walk, as before. The walk itself is the one `discover` makes, so the files
/// and their order are the same.
pub fn discover_sized(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>, Vec<u64>) {
    let (found, sizing) = crossbeam_channel::unbounded::<(usize, Input)>();
    let size_each = || -> Vec<(usize, u64)> {
        (sizing.iter())
            .map(|(at, input)| (at, size_hint(&input)))
            .collect()
    };
    let mut helped = Vec::new();
    let ((inputs, errors), mine) = rayon::in_place_scope(|scope| {
        scope.spawn(|_| helped = size_each());
        let mut next = 0;
        // The sender goes with the walk: once it ends, both threads take what is left.
        let walked = discover_each(paths, move |input| {
            let _ = found.send((next, input.clone()));
            next += 1;
        });
        (walked, size_each())
    });
    let mut sizes = vec![0; inputs.len()];
    for (at, size) in helped.into_iter().chain(mine) {
        if let Some(slot) = sizes.get_mut(at) {
            *slot = size;
        }
    }
    (inputs, errors, sizes)
}

/// `discover`, calling `each` on each input as it is added to the list, in its order.
fn discover_each(paths: &[PathBuf], mut each: impl FnMut(&Input)) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    // FNV rather than SipHash: every path found is hashed on one thread before any is linted.
    let mut seen: FnvHashMap<Input, usize> = FnvHashMap::default();
    let mut add = |input: Input, inputs: &mut Vec<Input>| {
        let key = match &input {
            Input::Found(path) => Input::File(path.clone()),
            other => other.clone(),
        };
        match seen.get(&key) {
            Some(&at) if matches!(input, Input::File(_)) => inputs[at] = input,
            Some(_) => {}
            None => {
                seen.insert(key, inputs.len());
                inputs.push(input);
            }
        }
    };
    // Each input added (not one that only replaced the same file found) goes to `each`.
    let mut added = |inputs: &Vec<Input>, before: usize| {
        if let Some(input) = inputs.get(before) {
            each(input);
        }
    };
    for path in paths {
        let before = inputs.len();
        if path.as_os_str() == "-" {
            add(Input::Stdin, &mut inputs);
        } else if path.is_dir() {
            for found in walk(path) {
                let before = inputs.len();
                match found {
                    // A walk finds each file once: with no other path named, there is nothing
                    // to tell it apart from, and no path is hashed.
                    Ok(file) if paths.len() == 1 => inputs.push(Input::Found(file)),
                    Ok(file) => add(Input::Found(file), &mut inputs),
                    Err(error) => errors.push(error),
                }
                added(&inputs, before);
            }
            continue;
        } else {
            match std::fs::metadata(path) {
                Ok(_) => add(Input::File(path.clone()), &mut inputs),
                Err(error) => errors.push(not_there(path, error)),
            }
        }
        added(&inputs, before);
    }
    (inputs, errors)
}

/// Why a path named cannot be looked at, in the words of what it is: no file, a link to none,
/// a loop of links, or a folder on its way this user may not search.
fn not_there(path: &Path, error: std::io::Error) -> InputError {
    let name = path.display().to_string();
    if error.raw_os_error() == Some(libc::ELOOP) {
        return InputError::SymlinkLoop { path: name };
    }
    if error.kind() != std::io::ErrorKind::NotFound {
        return InputError::Read {
            path: name,
            source: error,
        };
    }
    match std::fs::read_link(path) {
        Ok(target) => InputError::DanglingLink {
            path: name,
            target: target.display().to_string(),
        },
        Err(_) => InputError::NotFound { path: name },
    }
}

/// A walk's error: a folder it cannot read is named, with why (the kind of the error: its
/// text would name the folder again).
fn walk_error(error: ignore::Error) -> InputError {
    fn io_kind(error: &ignore::Error) -> Option<std::io::ErrorKind> {
        match error {
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithPath { err, .. } => {
                io_kind(err)
            }
            ignore::Error::Io(io) => Some(io.kind()),
            _ => None,
        }
    }
    match (&error, io_kind(&error)) {
        (ignore::Error::WithPath { path, .. }, Some(kind)) => InputError::Folder {
            path: path.display().to_string(),
            source: kind.into(),
        },
        _ => InputError::Walk(error),
    }
}

/// The files a walk of `root` finds, as `discover` walks a folder.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<PathBuf, InputError>> {
    ignore::WalkBuilder::new(root)
        // Siblings share their folder, so their names order them as their paths would: bytes
        // compared, where a path's order compares it component by component (a sixth of a
        // walk of 6,000 files, on one thread before any is linted).
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
        .filter_map(|entry| match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let wanted = is_file && has_post_extension(entry.path());
                (wanted && !is_own_output_entry(&entry)).then(|| Ok(entry.into_path()))
            }
            Err(error) => Some(Err(walk_error(error))),
        })
}

/// Whether a file is where this process writes its standard output or error
/// (`postlint check . > report.json`): a walk that found it would lint the report being
/// written, and a watch would start a run at each of its writes, forever.
pub fn is_own_output(path: &Path) -> bool {
    let outputs = &*OUTPUT_FILES;
    !outputs.is_empty() && file_id(path).is_some_and(|id| outputs.contains(&id))
}

/// `is_own_output` for a file a walk found. The directory listing gives each entry's inode
/// number, the one `stat` gives a regular file, so only an entry with an output's inode number
/// costs a `stat` of its own: with the report redirected to a file, a walk of 6,000 files
/// spent most of its time on one core in them.
fn is_own_output_entry(entry: &ignore::DirEntry) -> bool {
    let outputs = &*OUTPUT_FILES;
    if outputs.is_empty() {
        return false;
    }
    match entry_inode(entry) {
        Some(inode) if !outputs.iter().any(|&(_, output)| output == inode) => false,
        _ => is_own_output(entry.path()),
    }
}

#[cfg(unix)]
fn entry_inode(entry: &ignore::DirEntry) -> Option<u64> {
    entry.ino()
}

#[cfg(not(unix))]
fn entry_inode(_: &ignore::DirEntry) -> Option<u64> {
    None
}

/// Standard output and error, when they are regular files, by device and inode.
static OUTPUT_FILES: LazyLock<Vec<(u64, u64)>> = LazyLock::new(output_files);

// By hand rather than with `same-file`: that crate opens each file to compare it, and an open
// of a FIFO a walk found (or that replaced a file since) would block the run.
#[cfg(unix)]
fn output_files() -> Vec<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    [
        stdout.as_fd().try_clone_to_owned(),
        stderr.as_fd().try_clone_to_owned(),
    ]
    .into_iter()
    .filter_map(|fd| std::fs::File::from(fd.ok()?).metadata().ok())
    .filter(|metadata| metadata.is_file())
    .map(|metadata| (metadata.dev(), metadata.ino()))
    .collect()
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::symlink_metadata(path).ok()?;
    Some((metadata.dev(), metadata.ino()))
}

/// Elsewhere a file's identity needs an open handle; the check is left out there.
#[cfg(not(unix))]
fn output_files() -> Vec<(u64, u64)> {
    Vec::new()
}

#[cfg(not(unix))]
fn file_id(_: &Path) -> Option<(u64, u64)> {
    None
}

pub fn has_post_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| POST_EXTENSIONS.iter().any(|p| e.eq_ignore_ascii_case(p)))
}

/// How many bytes an input holds, as far as a look at it tells without reading it: standard
/// input is taken as the largest (it is read whole before it is linted), a file that cannot be
/// looked at as empty (opening it reports why).
pub fn size_hint(input: &Input) -> u64 {
    match input {
        Input::Stdin => u64::MAX,
        Input::Memory { bytes, .. } => bytes.len() as u64,
        Input::File(path) | Input::Found(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
    }
}

/// Opens one input for reading. Standard input is read whole and kept, since reports read
/// snippets back later; files are streamed. Refuses what is not a regular file (a FIFO would
/// block the run, a directory cannot be read).
/// A file over `max_bytes` is refused before it is read; standard input, read whole, is refused
/// as soon as it passes the limit.
pub fn open(
    input: &Input,
    max_bytes: u64,
) -> Result<(SourceFile, Box<dyn Read + Send>), InputError> {
    let name = input.display_name();
    let read_error = |source| InputError::Read {
        path: name.clone(),
        source,
    };
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(max_bytes.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(read_error)?;
            if bytes.len() as u64 > max_bytes {
                return Err(too_large(
                    name,
                    format!("more than {}", human_size(max_bytes)),
                    max_bytes,
                ));
            }
            let bytes: Arc<[u8]> = bytes.into();
            let reader = std::io::Cursor::new(bytes.clone());
            Ok((SourceFile::in_memory(name, bytes), Box::new(reader)))
        }
        Input::Memory { name, bytes } => {
            let reader = std::io::Cursor::new(bytes.clone());
            Ok((
                SourceFile::in_memory(name.clone(), bytes.clone()),
                Box::new(reader),
            ))
        }
        Input::File(path) | Input::Found(path) => {
            // Looked at through the handle read, so that what was looked at is what is read,
            // even when the path is replaced meanwhile (by a FIFO, which would block the run).
            let file = open_without_waiting(path).map_err(read_error)?;
            let metadata = file.metadata().map_err(read_error)?;
            if !metadata.is_file() {
                return Err(InputError::NotAFile { path: name });
            }
            if metadata.len() > max_bytes {
                return Err(too_large(name, human_size(metadata.len()), max_bytes));
            }
            let source = SourceFile {
                name,
                origin: Origin::Path(path.clone()),
            };
            let reader = at_most(file, max_bytes);
            Ok((source, Box::new(reader)))
        }
    }
}

/// A file read no further than `--max-file-size`, whatever its size said when it was opened:
/// one that grows as it is read (a log written to, a `/proc` file of size 0) fails the read
/// once past the limit, rather than being read without end.
///
/// Its bytes up to the limit come through std's `Take`, which hands the file the room
/// `read_to_end` offers as it is; a reader of our own gets that room zeroed first (the
/// default `read_buf`), a pass over every byte of the file before the kernel writes it
/// (1% of a large file's instructions, and on two threads the read-ahead's cold buffers
/// written twice). Only the probe past the limit is ours.
fn at_most(file: std::fs::File, limit: u64) -> impl Read + Send {
    let file = Arc::new(file);
    // The probe is handed one byte of room: a reader of our own gets its room zeroed, and at
    // the end of a small file that was the rest of the buffer's first 32 KiB.
    Arc::clone(&file).take(limit).chain(PastLimit(file).take(1))
}

/// What follows a file's bytes up to the limit: the end, or an error if there is more.
struct PastLimit<R>(R);

impl<R: Read> Read for PastLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut probe = [0u8; 1];
        if buf.is_empty() || self.0.read(&mut probe)? == 0 {
            return Ok(0);
        }
        Err(std::io::Error::other(
            "the file grew past --max-file-size while it was read",
        ))
    }
}

fn too_large(path: String, size: String, limit: u64) -> InputError {
    InputError::TooLarge {
        path,
        size,
        limit: human_size(limit),
    }
}

fn human_size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_up_to_the_limit_and_fails_past_it() {
        let dir = tempfile::tempdir().expect("a folder");
        let read = |bytes: &[u8], limit| {
            let path = dir.path().join("posts.json");
            std::fs::write(&path, bytes).expect("written");
            let file = std::fs::File::open(&path).expect("opened");
            let mut out = Vec::new();
            at_most(file, limit).read_to_end(&mut out).map(|_| out)
        };
        assert_eq!(read(b"12345", 5).expect("at the limit"), b"12345");
        assert_eq!(read(b"12345", 9).expect("under the limit"), b"12345");
        assert_eq!(read(b"", 0).expect("empty"), b"");
        assert!(read(b"123456", 5).is_err(), "past the limit");
        assert!(read(b"1", 0).is_err(), "past a limit of nothing");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_gives_more_than_its_size_said_is_read_no_further_than_the_limit() {
        // Size 0 when looked at, tens of KiB when read: as a file that grows while it is read.
        let input = Input::File(PathBuf::from("/proc/self/smaps"));
        let (_, mut reader) = open(&input, 1024).expect("a regular file of size 0");
        let mut out = Vec::new();
        let error = reader.read_to_end(&mut out).expect_err("past the limit");
        assert!(error.to_string().contains("--max-file-size"), "{error}");
        assert!(out.len() <= 1024);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_whose_size_says_0_is_read_whole_at_the_limit_and_refused_one_byte_under() {
        // The test's own command line: size 0 when looked at, the same bytes at each read.
        let path = PathBuf::from("/proc/self/cmdline");
        let whole = std::fs::read(&path).expect("the command line");
        let read = |limit: usize| {
            let (_, mut reader) = open(&Input::File(path.clone()), limit as u64).expect("opened");
            let mut out = Vec::new();
            reader.read_to_end(&mut out).map(|_| out)
        };
        assert_eq!(read(whole.len()).expect("at the limit"), whole);
        assert_eq!(read(whole.len() + 1).expect("under the limit"), whole);
        assert!(read(whole.len() - 1).is_err(), "one byte past the limit");
    }

    /// A tree whose names order differently by path and by byte, with an ignore file, a
    /// hidden file, a file of another kind and links: each file of its own size.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a folder");
        let files = [
            "b.json",
            "a/z.json",
            "a.b/c.ndjson",
            "a-b/d.xml",
            "a/deep/er/e.jsonl",
            "a/ignored.json",
            ".hidden.json",
            "notes.txt",
            "a/deep/f.wxr",
        ];
        for (size, name) in files.iter().enumerate() {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("made");
            std::fs::write(&path, "x".repeat(10 + size * 7)).expect("written");
        }
        std::fs::write(dir.path().join("a/.ignore"), "ignored.json\n").expect("written");
        #[cfg(unix)]
        {
            let link = |to: &str, at: &str| std::os::unix::fs::symlink(to, dir.path().join(at));
            link("b.json", "link.json").expect("a link to a file");
            link("a", "linked-folder").expect("a link to a folder");
        }
        dir
    }

    #[test]
    fn the_sizes_found_with_the_walk_are_the_files_in_the_walks_order() {
        let dir = tree();
        let root = dir.path();
        let cases = [
            vec![root.to_path_buf()],
            // Named and found: each file once, as named, and a size for each.
            vec![
                root.join("a/z.json"),
                root.to_path_buf(),
                root.join("b.json"),
            ],
            vec![
                root.join("a"),
                root.join("a.b"),
                root.join("missing.json"),
                root.join("a"),
            ],
        ];
        for paths in cases {
            let (inputs, errors) = discover(&paths);
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
            let (found, found_errors, sizes) =
                pool.expect("a pool").install(|| discover_sized(&paths));
            assert_eq!(found, inputs, "{paths:?}");
            assert_eq!(found_errors.len(), errors.len());
            let looked_up: Vec<u64> = inputs.iter().map(size_hint).collect();
            assert_eq!(sizes, looked_up, "{paths:?}");
        }
        let (inputs, ..) = discover(&[root.to_path_buf()]);
        let names: Vec<_> = (inputs.iter().filter_map(Input::path))
            .map(|p| p.strip_prefix(root).expect("under the root").to_path_buf())
            .collect();
        let expected = [
            "a/deep/er/e.jsonl",
            "a/deep/f.wxr",
            "a/z.json",
            "a-b/d.xml",
            "a.b/c.ndjson",
            "b.json",
        ];
        assert_eq!(names, expected.map(PathBuf::from));
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().expect("a folder");
        let pipe = dir.path().join("posts.json");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo");
        let refused = open(&Input::File(pipe), 1024).map(|_| ());
        assert!(matches!(refused, Err(InputError::NotAFile { .. })));
    }
}
