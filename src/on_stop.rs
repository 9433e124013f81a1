//! What a run deletes when a signal sent to end it arrives: the spill folders of
//! `--memory-budget`, and the temporary files a report, a saved file or a fix is written
//! through before its rename. Each is registered as it is made and forgotten once its owner
//! has deleted or renamed it; a signal deletes what is registered, then ends the process by
//! that signal. Faults (SIGSEGV, SIGABRT, …) and SIGKILL run no clean-up.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// The signals whose default action ends the process and which are sent to end it (rather
/// than raised by a fault of the process itself: SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
/// SIGTRAP and SIGSYS, after which nothing more should run; nor SIGKILL, which cannot be
/// caught), each answered by deleting everything registered first. SIGPIPE is ignored by every
/// Rust program, and SIGIO and the real-time signals are sent to a process that asked for them.
#[cfg(unix)]
const STOPPING: [i32; 11] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGQUIT,
    signal_hook::consts::SIGUSR1,
    signal_hook::consts::SIGUSR2,
    signal_hook::consts::SIGALRM,
    signal_hook::consts::SIGVTALRM,
    signal_hook::consts::SIGPROF,
    signal_hook::consts::SIGXCPU,
    signal_hook::consts::SIGXFSZ,
];

/// What is deleted on a stopping signal; once it has been, nothing more is made.
struct Live {
    paths: Vec<(PathBuf, Kind)>,
    stopping: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Folder,
    File,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    paths: Vec::new(),
    stopping: false,
});

fn live() -> MutexGuard<'static, Live> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn stopped() -> std::io::Error {
    std::io::Error::other("the run is being stopped")
}

/// Something made on disk that a stopping signal deletes until [`Doomed::finish`] (or its
/// drop) hands it back to its owner.
#[derive(Debug)]
pub struct Doomed<T> {
    made: Option<T>,
    path: PathBuf,
}

impl<T> Doomed<T> {
    /// A temporary folder made by `make`, whose path `path_of` tells.
    pub fn folder(
        make: impl FnOnce() -> std::io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> std::io::Result<Self> {
        Self::make(Kind::Folder, make, path_of)
    }

    /// A temporary file made by `make`, whose path `path_of` tells.
    pub fn file(
        make: impl FnOnce() -> std::io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> std::io::Result<Self> {
        Self::make(Kind::File, make, path_of)
    }

    /// Made and registered under the lock the signal thread takes, so that nothing exists on
    /// disk that a signal would not delete; refused once a signal is deleting.
    fn make(
        kind: Kind,
        make: impl FnOnce() -> std::io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> std::io::Result<Self> {
        delete_on_signals();
        let mut live = live();
        if live.stopping {
            return Err(stopped());
        }
        let made = make()?;
        let path = path_of(&made).to_path_buf();
        live.paths.push((path.clone(), kind));
        Ok(Self {
            made: Some(made),
            path,
        })
    }

    pub fn get(&self) -> &T {
        match &self.made {
            Some(made) => made,
            None => unreachable!("taken only by `finish` and `drop`, which end it"),
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        match &mut self.made {
            Some(made) => made,
            None => unreachable!("taken only by `finish` and `drop`, which end it"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hands the made thing to `finish` (a rename, a deletion) under the signal thread's lock,
    /// then forgets its path: a signal comes before `finish` or after it, never during.
    pub fn finish<R>(mut self, finish: impl FnOnce(T) -> R) -> R {
        let made = match self.made.take() {
            Some(made) => made,
            None => unreachable!("taken only by `finish` and `drop`, which end it"),
        };
        let mut live = live();
        let result = finish(made);
        live.paths.retain(|(path, _)| *path != self.path);
        result
    }
}

impl<T> Drop for Doomed<T> {
    /// Dropped unfinished, the made thing is dropped (a temporary file or folder deletes
    /// itself) under the lock, and forgotten.
    fn drop(&mut self) {
        if let Some(made) = self.made.take() {
            let mut live = live();
            drop(made);
            live.paths.retain(|(path, _)| *path != self.path);
        }
    }
}

/// Runs `make` (a file in a registered folder) under the signal thread's lock, unless a signal
/// is deleting: so no file lands in a folder as it is deleted.
pub fn unless_stopping<T>(make: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let live = live();
    if live.stopping {
        return Err(stopped());
    }
    make()
}

/// The signals of [`STOPPING`] that still have their default action: one ignored when the
/// run started (`nohup` ignores SIGHUP; a parent may ignore SIGXFSZ to get EFBIG instead) stays
/// ignored, since a handler would replace that.
#[cfg(unix)]
fn stopping_by_default() -> Vec<i32> {
    let by_default = |&signal: &i32| {
        // SAFETY: with a null new action, sigaction only reads the signal's current action
        // into `current`, a zeroed `sigaction` it may write.
        let mut current: libc::sigaction = unsafe { std::mem::zeroed() };
        let read = unsafe { libc::sigaction(signal, std::ptr::null(), &mut current) } == 0;
        read && current.sa_sigaction == libc::SIG_DFL
    };
    STOPPING.iter().copied().filter(by_default).collect()
}

/// On a signal of [`STOPPING`]: everything registered deleted, then the process ended by the
/// signal (should that fail, it exits with 128 and the signal's number, as a shell reports
/// it). A thread waits for the signals (signal-hook), since a signal handler itself may not
/// delete files. Returns once the signals are caught, so that nothing is made before they are.
#[cfg(unix)]
fn delete_on_signals() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let (caught, is_caught) = std::sync::mpsc::channel();
        let waiter = std::thread::Builder::new().name("postlint-signals".to_owned());
        // The signals are caught in the thread, so that they keep their default action (which
        // leaves the files behind, but stops the run) if it cannot be started.
        let started = waiter.spawn(move || {
            let signals = signal_hook::iterator::Signals::new(stopping_by_default());
            // The caller waits for this; were it gone, there is no one to tell.
            let _ = caught.send(());
            // Only a signal that may never be caught makes this fail; these all may be.
            let Ok(mut signals) = signals else { return };
            if let Some(signal) = signals.forever().next() {
                let mut live = live();
                live.stopping = true;
                for (path, kind) in live.paths.drain(..) {
                    drop(match kind {
                        Kind::Folder => std::fs::remove_dir_all(path),
                        Kind::File => std::fs::remove_file(path),
                    });
                }
                // Ended by the signal itself, as without the handler: a shell running the
                // command sees an interrupted child (and stops a script on Ctrl-C).
                drop(signal_hook::low_level::emulate_default_handler(signal));
                std::process::exit(128 + signal);
            }
        });
        if started.is_ok() {
            // Returns when the thread has caught the signals or given up.
            let _ = is_caught.recv();
        }
    });
}

/// Elsewhere signal-hook has no thread to wait for signals in: a stopped run leaves its files.
#[cfg(not(unix))]
fn delete_on_signals() {}
