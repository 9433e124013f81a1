//! `postlint check --watch`: the files and folders to lint, watched for saves. Editors save by
//! writing a new file and renaming it over the old one, so a file is watched through its
//! folder; changes are debounced, so one save lints once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebouncedEvent, new_debouncer};

use crate::input::POST_EXTENSIONS;

/// Quiet time after a change before the files are linted again: an editor's save is several
/// events (write, rename, attributes) within a few milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Watches `paths` until the process ends, calling `on_change` with the post files saved since
/// the last call (sorted, each once). `ready` is called once the watches are in place.
pub fn watch(
    paths: &[PathBuf],
    ready: impl FnOnce(),
    mut on_change: impl FnMut(Vec<PathBuf>),
) -> Result<(), String> {
    let (sender, events) = std::sync::mpsc::channel();
    let mut debouncer =
        new_debouncer(DEBOUNCE, sender).map_err(|e| format!("cannot watch files: {e}"))?;
    let mut files = BTreeSet::new();
    let mut folders = Vec::new();
    for path in paths {
        let full = std::path::absolute(path)
            .map_err(|e| format!("{}: cannot watch: {e}", path.display()))?;
        let (target, mode) = if full.is_dir() {
            folders.push(full.clone());
            (full, RecursiveMode::Recursive)
        } else {
            let folder = full.parent().map(Path::to_path_buf).unwrap_or_default();
            files.insert(full);
            (folder, RecursiveMode::NonRecursive)
        };
        debouncer
            .watcher()
            .watch(&target, mode)
            .map_err(|e| format!("{}: cannot watch: {e}", path.display()))?;
    }
    ready();
    let here = std::env::current_dir().unwrap_or_default();
    for batch in events {
        match batch {
            Ok(batch) => {
                // Named as the first run named them: relative to here when under it.
                let changed: Vec<PathBuf> = saved_posts(&batch, &files, &folders)
                    .into_iter()
                    .map(|p| p.strip_prefix(&here).map_or(p.clone(), Path::to_path_buf))
                    .collect();
                if !changed.is_empty() {
                    on_change(changed);
                }
            }
            Err(error) => eprintln!("postlint: watching: {error}"),
        }
    }
    Ok(())
}

/// The post files among the changed paths that still exist (a deleted file has nothing to
/// lint) and were asked for: a file named, or one under a folder named.
fn saved_posts(
    batch: &[DebouncedEvent],
    files: &BTreeSet<PathBuf>,
    folders: &[PathBuf],
) -> Vec<PathBuf> {
    let wanted = |path: &Path| files.contains(path) || folders.iter().any(|f| path.starts_with(f));
    let is_post = |path: &Path| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| POST_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    };
    let changed: BTreeSet<PathBuf> = batch
        .iter()
        .map(|event| event.path.clone())
        .filter(|path| wanted(path) && is_post(path) && path.is_file())
        .collect();
    changed.into_iter().collect()
}
