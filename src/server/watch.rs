//! `postlint check --watch`: the files and folders to lint, watched for changes of content.
//! Editors save by writing a new file and renaming it over the old one, so a file is watched
//! through its folder; a burst of events is one batch, and a batch holds only the files whose
//! content changed since they were last linted (a read, `touch`, or a save of the same text
//! starts nothing).

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

// notify itself rather than notify-debouncer-mini: the mini debouncer drops the kind of each
// event, so the reads of a lint looked like saves and started the next run, forever; the full
// debouncer's rename stitching and file ids are not needed, since each batch is checked
// against the disk.
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::Config;
use crate::input::{self, Input};
use crate::workspace;

/// Quiet time after a change before the batch is taken: an editor's save is several events
/// (write, rename, attributes) within a few milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The longest a batch waits for quiet: a file written without pause still gets linted.
const MAX_BATCH_WAIT: Duration = Duration::from_secs(2);

/// Paths one batch remembers; past them (a checkout, an unpacked archive) every watched
/// folder is walked again instead.
const MAX_TOUCHED: usize = 10_000;

/// Errors of the system's notifications kept from one batch; a stream of them is not a flood
/// of lines.
const MAX_NOTICES: usize = 20;

/// Removed files named one by one; past them, a count.
const MAX_REMOVED_SHOWN: usize = 20;

/// A watch that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch files: {0}")]
    Start(notify::Error),
    #[error("{path}: cannot watch: {source}")]
    Path { path: String, source: notify::Error },
    #[error("{path}: cannot watch: {source}")]
    Absolute {
        path: String,
        source: std::io::Error,
    },
}

/// A folder to lint, as the user named it and as an absolute path (events name the latter).
struct Folder {
    given: PathBuf,
    absolute: PathBuf,
}

/// What changed in one batch.
#[derive(Debug, Default)]
pub struct Batch {
    /// A file of the config changed: everything is linted again, with the new config.
    pub config_changed: bool,
    /// Files whose content changed or that appeared, named as the first run named them.
    pub changed: Vec<Input>,
    /// Files linted before that are gone, named as the first run named them.
    pub removed: Vec<PathBuf>,
    /// What the system's file notifications reported wrong.
    pub notices: Vec<String>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        !self.config_changed && self.changed.is_empty() && self.removed.is_empty()
    }

    /// One line on what the run that follows is about, for its separator.
    pub fn summary(&self) -> String {
        let changed = match self.changed.as_slice() {
            [] => None,
            [one] => Some(format!("{} changed", one.display_name())),
            many => Some(format!("{} files changed", many.len())),
        };
        let removed = match self.removed.len() {
            0 => None,
            1 if changed.is_none() => Some(format!("{} removed", self.removed[0].display())),
            n => Some(format!("{n} removed")),
        };
        changed
            .into_iter()
            .chain(removed)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A line for each removed file (a bounded number of them).
    pub fn removed_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = (self.removed.iter().take(MAX_REMOVED_SHOWN))
            .map(|path| {
                format!(
                    "{} was removed: its findings no longer apply",
                    path.display()
                )
            })
            .collect();
        if let Some(more) = self.removed.len().checked_sub(MAX_REMOVED_SHOWN)
            && more > 0
        {
            lines.push(format!("and {more} more files were removed"));
        }
        lines
    }
}

/// The line that starts each run: a rule, the time, and what the run is about.
pub fn separator(about: &str) -> String {
    let time = chrono::Local::now().format("%H:%M:%S");
    format!("──── {time} ── {about} ────")
}

/// The paths one burst of events touched.
#[derive(Default)]
struct Touched {
    paths: BTreeSet<PathBuf>,
    /// The system lost events, or there were too many to keep: walk everything again.
    rescan: bool,
    notices: Vec<String>,
}

pub struct Watch {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    folders: Vec<Folder>,
    /// Files named on the command line: absolute path -> as named.
    named: BTreeMap<PathBuf, PathBuf>,
    config_files: BTreeSet<PathBuf>,
    /// Files and folders postlint writes itself (reports, the cache): their changes are not
    /// the user's.
    own: Vec<PathBuf>,
    /// Folders watched, and how.
    watched: BTreeMap<PathBuf, RecursiveMode>,
    /// Every file linted, by absolute path: a hash of its content when it was last read.
    known: BTreeMap<PathBuf, u64>,
    /// The config that decides which files a walk leaves out.
    config: Config,
    max_bytes: u64,
}

impl Watch {
    /// Watches `paths` (files and folders) and notes the content of every file in them, so
    /// that the first run (which follows) and the batches after it agree on what changed.
    /// `own`: files and folders postlint itself writes, whose changes start nothing.
    pub fn start(
        paths: &[PathBuf],
        config: Config,
        config_files: &[PathBuf],
        own: &[PathBuf],
        max_bytes: u64,
    ) -> Result<Self, WatchError> {
        let (sender, events) = channel();
        let watcher = notify::recommended_watcher(sender).map_err(WatchError::Start)?;
        let mut watch = Self {
            watcher,
            events,
            folders: Vec::new(),
            named: BTreeMap::new(),
            config_files: BTreeSet::new(),
            own: own
                .iter()
                .filter_map(|p| std::path::absolute(p).ok())
                .collect(),
            watched: BTreeMap::new(),
            known: BTreeMap::new(),
            config,
            max_bytes,
        };
        for path in paths {
            let absolute = absolute(path)?;
            if absolute.is_dir() {
                watch.folders.push(Folder {
                    given: path.clone(),
                    absolute,
                });
            } else {
                watch.named.insert(absolute, path.clone());
            }
        }
        watch.watch_all()?;
        watch.watch_config(config_files)?;
        let mut ignored = Batch::default();
        watch.rescan(&mut ignored);
        Ok(watch)
    }

    /// After the config changed, before everything is linted again: the new config and the
    /// files it was read from. Every folder is walked again with it (its `files` may name
    /// files a walk left out), so that the run and the batches after it agree.
    pub fn set_config(&mut self, config: Config, files: &[PathBuf]) -> Result<(), WatchError> {
        self.config = config;
        let mut ignored = Batch::default();
        self.rescan(&mut ignored);
        self.watch_config(files)
    }

    /// Waits for the next batch of changes of content; `None` when the watch ended.
    pub fn next_batch(&mut self) -> Option<Batch> {
        loop {
            let touched = self.collect()?;
            let batch = self.judge(touched);
            if !batch.is_empty() || !batch.notices.is_empty() {
                return Some(batch);
            }
        }
    }

    /// Watches the folders with their subfolders, then the folder of each file named.
    fn watch_all(&mut self) -> Result<(), WatchError> {
        let mut folders: Vec<(PathBuf, PathBuf)> = (self.folders.iter())
            .map(|f| (f.absolute.clone(), f.given.clone()))
            .collect();
        // Outer folders first: an inner one is then covered by the outer one's watch.
        folders.sort_by_key(|(folder, _)| folder.components().count());
        for (folder, given) in &folders {
            self.add_watch(folder, RecursiveMode::Recursive, given)?;
        }
        // A folder's own folder too, to see it come back once removed (`rm -rf posts`, then a
        // copy): the system drops the watch of a folder deleted. Without it (the folder above
        // cannot be read), files are still watched.
        for (folder, given) in &folders {
            let _ = self.add_watch(&parent(folder), RecursiveMode::NonRecursive, given);
        }
        let parents: Vec<(PathBuf, PathBuf)> = (self.named.iter())
            .map(|(file, given)| (parent(file), given.clone()))
            .collect();
        for (folder, given) in &parents {
            self.add_watch(folder, RecursiveMode::NonRecursive, given)?;
        }
        for (folder, given) in &parents {
            let _ = self.add_watch(&parent(folder), RecursiveMode::NonRecursive, given);
        }
        Ok(())
    }

    /// Watches the config's files through their folders (an editor replaces a file).
    fn watch_config(&mut self, files: &[PathBuf]) -> Result<(), WatchError> {
        self.config_files = files
            .iter()
            .filter_map(|p| std::path::absolute(p).ok())
            .collect();
        let folders: BTreeSet<PathBuf> = self.config_files.iter().map(|f| parent(f)).collect();
        for folder in folders.into_iter().filter(|f| f.is_dir()) {
            let given = folder.clone();
            self.add_watch(&folder, RecursiveMode::NonRecursive, &given)?;
        }
        Ok(())
    }

    /// Watches a folder unless a watch already covers it: a second watch of the same folder
    /// would replace the first, and a recursive one must stay so.
    fn add_watch(
        &mut self,
        folder: &Path,
        mode: RecursiveMode,
        given: &Path,
    ) -> Result<(), WatchError> {
        let covered = self.watched.iter().any(|(watched, how)| {
            watched == folder || (*how == RecursiveMode::Recursive && folder.starts_with(watched))
        });
        if covered {
            return Ok(());
        }
        self.watcher
            .watch(folder, mode)
            .map_err(|source| WatchError::Path {
                path: given.display().to_string(),
                source,
            })?;
        self.watched.insert(folder.to_path_buf(), mode);
        Ok(())
    }

    /// Waits for a change that matters, then gathers the events that follow until they pause.
    fn collect(&self) -> Option<Touched> {
        let mut touched = Touched::default();
        loop {
            let event = self.events.recv().ok()?;
            if self.take(&mut touched, event) {
                break;
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.events.recv_timeout(DEBOUNCE) {
                Ok(event) => {
                    self.take(&mut touched, event);
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(touched)
    }

    /// Adds an event's paths to the batch when it may change a file's content and names a path
    /// the watch is about; true when it did.
    fn take(&self, touched: &mut Touched, event: notify::Result<Event>) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                if touched.notices.len() < MAX_NOTICES {
                    touched.notices.push(error.to_string());
                }
                return false;
            }
        };
        if event.need_rescan() {
            touched.rescan = true;
            return true;
        }
        // A read (a lint's, a `cat`) or a change of attributes (`touch`) leaves the text as it was.
        if matches!(
            event.kind,
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
        ) {
            return false;
        }
        let mut took = false;
        for path in event.paths {
            if !self.concerns(&path) {
                continue;
            }
            took = true;
            if touched.paths.len() >= MAX_TOUCHED {
                touched.rescan = true;
            } else {
                touched.paths.insert(path);
            }
        }
        took
    }

    /// Whether a path is one the watch is about: a file named, a file of the config, or what a
    /// walk of a folder would look at (not hidden, no tool's file, not written by postlint
    /// itself, its reports included, whether to a file named or to a redirected standard output).
    fn concerns(&self, path: &Path) -> bool {
        if self.named.contains_key(path) || self.config_files.contains(path) {
            return true;
        }
        if self.holds_named(path) {
            return true;
        }
        if self.own.iter().any(|own| path.starts_with(own)) || input::is_own_output(path) {
            return false;
        }
        let Some(folder) = self.folder_of(path) else {
            return false;
        };
        // A tool's folder (`npm install` into `node_modules/`) would start a walk at each burst.
        !hidden_below(&folder.absolute, path)
            && !workspace::leaves_out(&self.config, &self.shown(path), None)
    }

    /// Whether a folder holds a file named: the folder's own events say when it comes back.
    fn holds_named(&self, folder: &Path) -> bool {
        self.named.keys().any(|file| file.parent() == Some(folder))
    }

    fn folder_of(&self, path: &Path) -> Option<&Folder> {
        self.folders.iter().find(|f| path.starts_with(&f.absolute))
    }

    /// Turns what was touched into what changed, checked against the disk.
    fn judge(&mut self, touched: Touched) -> Batch {
        let mut batch = Batch {
            notices: touched.notices,
            ..Batch::default()
        };
        self.watch_again_folders_back(&touched.paths, &mut batch);
        let config_changed = touched.paths.iter().any(|p| self.config_files.contains(p));
        if config_changed {
            // `set_config` walks everything again, with the new config.
            batch.config_changed = true;
            return batch;
        }
        if touched.rescan {
            batch.changed = self.rescan(&mut batch);
            return batch;
        }
        let mut candidates = BTreeSet::new();
        let mut walks: Vec<(usize, PathBuf)> = Vec::new();
        for path in &touched.paths {
            if self.named.contains_key(path) {
                candidates.insert(path.clone());
                continue;
            }
            // The folder of a file named, made again: the file may be back in it.
            let named_in = (self.named.keys()).filter(|file| file.parent() == Some(path.as_path()));
            candidates.extend(named_in.cloned());
            // Files linted before at or under the path: a folder removed or moved away.
            candidates.extend(self.known_under(path));
            if self.known.contains_key(path) {
                continue;
            }
            if let Some(under) = walk_needed(path) {
                let folder = self
                    .folders
                    .iter()
                    .position(|f| path.starts_with(&f.absolute));
                walks.extend(folder.map(|f| (f, under)));
            }
        }
        // A new folder (made with its files, or moved in), a new post file, or a changed
        // `.gitignore`: what a walk of the folder finds there now decides.
        let mut walked = BTreeSet::new();
        let folders: BTreeSet<usize> = walks.iter().map(|(f, _)| *f).collect();
        for folder in folders {
            let unders: Vec<&PathBuf> = (walks.iter())
                .filter(|(f, _)| *f == folder)
                .map(|(_, under)| under)
                .collect();
            for file in self.walk_folder(folder) {
                if unders.iter().any(|under| file.starts_with(under)) {
                    walked.insert(file);
                }
            }
            for under in &unders {
                candidates.extend(self.known_under(under));
            }
        }
        candidates.extend(walked.iter().cloned());
        for path in candidates {
            // A file under a place walked again that the walk no longer finds (ignored now).
            let left_out = !self.named.contains_key(&path)
                && walks.iter().any(|(_, under)| path.starts_with(under))
                && !walked.contains(&path);
            self.compare(path, !left_out, &mut batch);
        }
        batch
    }

    /// Watches again a folder to lint, or the folder of a file named, that was removed and is
    /// back (made again, or moved back in); a walk of it follows, as of any new folder.
    fn watch_again_folders_back(&mut self, touched: &BTreeSet<PathBuf>, batch: &mut Batch) {
        let folders = (self.folders.iter()).map(|f| (f.absolute.clone(), RecursiveMode::Recursive));
        let of_named = (self.named.keys()).map(|file| (parent(file), RecursiveMode::NonRecursive));
        let back: Vec<(PathBuf, RecursiveMode)> = folders
            .chain(of_named)
            .filter(|(folder, _)| touched.contains(folder) && folder.is_dir())
            .collect();
        for (folder, mode) in back {
            if let Err(error) = self.watcher.watch(&folder, mode) {
                batch
                    .notices
                    .push(format!("{}: {error}", self.shown(&folder).display()));
            }
        }
    }

    /// Checks one file against what was last linted of it; `linted` is false for a file the
    /// walk leaves out now.
    fn compare(&mut self, path: PathBuf, linted: bool, batch: &mut Batch) {
        let before = self.known.get(&path).copied();
        let now = linted
            .then(|| content_hash(&path, self.max_bytes))
            .flatten();
        match (before, now) {
            (Some(before), Some(now)) if before == now => {}
            (_, Some(now)) => {
                self.known.insert(path.clone(), now);
                batch.changed.push(self.input(&path));
            }
            (Some(_), None) => {
                self.known.remove(&path);
                if !path.exists() {
                    batch.removed.push(self.shown(&path));
                }
            }
            (None, None) => {}
        }
    }

    /// Walks every folder and reads every file again: the files now there and changed (or
    /// new) are returned, those gone are in `batch.removed`.
    fn rescan(&mut self, batch: &mut Batch) -> Vec<Input> {
        let mut found: BTreeSet<PathBuf> = self.named.keys().cloned().collect();
        for folder in 0..self.folders.len() {
            found.extend(self.walk_folder(folder));
        }
        let gone: Vec<PathBuf> = (self.known.keys())
            .filter(|k| !found.contains(*k))
            .cloned()
            .collect();
        let mut changed = Batch::default();
        for path in found {
            self.compare(path, true, &mut changed);
        }
        for path in gone {
            self.compare(path, false, &mut changed);
        }
        batch.removed.append(&mut changed.removed);
        changed.changed
    }

    /// The files a walk of a folder finds now, by absolute path, less those a walk leaves out
    /// by their names.
    fn walk_folder(&self, folder: usize) -> Vec<PathBuf> {
        let folder = &self.folders[folder];
        input::walk(&folder.given)
            .filter_map(Result::ok)
            .filter(|file| !workspace::leaves_out(&self.config, file, None))
            .filter_map(|file| {
                let relative = file.strip_prefix(&folder.given).ok()?.to_path_buf();
                Some(folder.absolute.join(relative))
            })
            .filter(|file| !self.own.iter().any(|own| file.starts_with(own)))
            .collect()
    }

    fn known_under(&self, path: &Path) -> Vec<PathBuf> {
        (self.known.range(path.to_path_buf()..))
            .map(|(known, _)| known)
            .take_while(|known| known.starts_with(path))
            .cloned()
            .collect()
    }

    /// A file as a run lints it: named, or found by a walk.
    fn input(&self, path: &Path) -> Input {
        match self.named.get(path) {
            Some(given) => Input::File(given.clone()),
            None => Input::Found(self.shown(path)),
        }
    }

    /// A path as the first run named it: as given, or below a folder as given.
    fn shown(&self, path: &Path) -> PathBuf {
        if let Some(given) = self.named.get(path) {
            return given.clone();
        }
        match self.folder_of(path) {
            Some(folder) => match path.strip_prefix(&folder.absolute) {
                Ok(relative) => folder.given.join(relative),
                Err(_) => path.to_path_buf(),
            },
            None => path.to_path_buf(),
        }
    }
}

/// Where a walk must look after a path was touched that no linted file has: the path itself
/// (a new folder or post file), or the folder of a changed ignore file; `None` for the rest
/// (an editor's swap file, a file gone that was never linted).
fn walk_needed(path: &Path) -> Option<PathBuf> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if matches!(name, ".gitignore" | ".ignore") {
        return Some(parent(path));
    }
    let is_new_post = path.is_file() && input::has_post_extension(path);
    (path.is_dir() || is_new_post).then(|| path.to_path_buf())
}

/// Whether a path below `folder` passes through a hidden name, which a walk skips.
fn hidden_below(folder: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(folder) else {
        return false;
    };
    relative.components().any(|c| match c {
        Component::Normal(name) => name.to_str().is_some_and(|n| n.starts_with('.')),
        _ => false,
    })
}

/// A hash of a file's content, its length included; `None` when it cannot be read (gone, or
/// not a regular file). Reads at most `max_bytes` and a byte: a larger file is refused by the
/// run anyway, and hashing it whole at each save would cost a read of all of it.
fn content_hash(path: &Path, max_bytes: u64) -> Option<u64> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write_u64(metadata.len());
    let mut reader = file.take(max_bytes.saturating_add(1));
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Some(hasher.finish()),
            Ok(read) => hasher.write(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

fn absolute(path: &Path) -> Result<PathBuf, WatchError> {
    std::path::absolute(path).map_err(|source| WatchError::Absolute {
        path: path.display().to_string(),
        source,
    })
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_names_below_the_folder_only() {
        let folder = Path::new("/work/.site/posts");
        assert!(!hidden_below(folder, Path::new("/work/.site/posts/a.json")));
        assert!(hidden_below(
            folder,
            Path::new("/work/.site/posts/.git/x.json")
        ));
        assert!(hidden_below(
            folder,
            Path::new("/work/.site/posts/.a.json.swp")
        ));
    }

    #[test]
    fn summary_names_one_file_and_counts_more() {
        let one = Batch {
            changed: vec![Input::Found(PathBuf::from("posts/b.json"))],
            ..Batch::default()
        };
        assert_eq!(one.summary(), "posts/b.json changed");
        let gone = Batch {
            removed: vec![PathBuf::from("posts/a.json")],
            ..Batch::default()
        };
        assert_eq!(gone.summary(), "posts/a.json removed");
        let more = Batch {
            changed: vec![Input::Found("a".into()), Input::Found("b".into())],
            removed: vec!["c".into()],
            ..Batch::default()
        };
        assert_eq!(more.summary(), "2 files changed, 1 removed");
    }
}
