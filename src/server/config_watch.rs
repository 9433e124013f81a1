//! The server's own watch on the config's files, for a client that tells it of no change:
//! one that cannot register `workspace/didChangeWatchedFiles` (Neovim 0.7, which attaches
//! the server to post files only, so never sends a `didSave` of `postlint.toml` either).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, Sender};
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

pub struct ConfigWatch {
    watcher: RecommendedWatcher,
    folders: BTreeSet<PathBuf>,
    /// One message when a `.toml` file of a watched folder may have changed; changes that
    /// come before the server takes it are one.
    pub changes: Receiver<()>,
}

impl ConfigWatch {
    pub fn start() -> notify::Result<Self> {
        let (sender, changes) = crossbeam_channel::bounded(1);
        let watcher = notify::recommended_watcher(move |event| tell(&sender, event))?;
        Ok(Self {
            watcher,
            folders: BTreeSet::new(),
            changes,
        })
    }

    /// Watches the folders of `files` (not their subfolders). The folder, not the file: an
    /// editor may save by writing a new file and renaming it over the old one, and a config
    /// not written yet has no file to watch. A folder that cannot be watched is skipped.
    pub fn watch(&mut self, files: impl IntoIterator<Item = PathBuf>) {
        for file in files {
            let Some(folder) = file.parent().filter(|f| f.is_dir()) else {
                continue;
            };
            if self.folders.contains(folder) {
                continue;
            }
            if self
                .watcher
                .watch(folder, RecursiveMode::NonRecursive)
                .is_ok()
            {
                self.folders.insert(folder.to_path_buf());
            }
        }
    }
}

fn tell(sender: &Sender<()>, event: notify::Result<Event>) {
    let Ok(event) = event else { return };
    // A read or a change of attributes (`touch`) leaves the text as it was.
    let reads = matches!(
        event.kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
    );
    if reads || !event.paths.iter().any(|path| is_toml(path)) {
        return;
    }
    // Full: a change is already waiting, and it reads the config as it is then. Gone: the
    // server has ended.
    let _ = sender.try_send(());
}

fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
}
