//! The link cache: outcomes persist between runs (CI keeps the folder), keyed by the normalised
//! URL, each kept for as long as its kind stays true: a working link for a week, a broken one
//! for a day; an unverifiable one is asked again every run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::outcome::{Checked, Outcome};

const CACHE_VERSION: u32 = 1;
const FILE_NAME: &str = "links.json";

#[derive(Debug, Clone, Copy)]
pub struct Ttl {
    pub ok: Duration,
    pub broken: Duration,
    pub unverifiable: Duration,
}

impl Default for Ttl {
    fn default() -> Self {
        Self {
            ok: Duration::from_secs(7 * 24 * 3600),
            broken: Duration::from_secs(24 * 3600),
            unverifiable: Duration::ZERO,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CacheFile {
    version: u32,
    tool: String,
    entries: HashMap<String, Entry>,
}

/// `CacheFile` as written: borrowing the entries rather than copying them.
#[derive(Serialize)]
struct CacheFileRef<'a> {
    version: u32,
    tool: &'a str,
    entries: &'a HashMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// Unix seconds.
    checked: u64,
    #[serde(flatten)]
    result: Checked,
}

pub struct LinkCache {
    path: PathBuf,
    entries: HashMap<String, Entry>,
    ttl: Ttl,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl LinkCache {
    /// Opens the cache in `dir`. A missing file is an empty cache; a corrupt or foreign one is
    /// reported (as the returned warning) and replaced, never fatal. A folder that is a
    /// symbolic link is refused (`Err`, the notice): the run goes on without a cache.
    pub fn open(dir: &Path, ttl: Ttl) -> Result<(Self, Option<String>), String> {
        crate::kept_files::check_folder(dir)?;
        let path = dir.join(FILE_NAME);
        let mut warning = None;
        let entries = match crate::kept_files::read(&path) {
            Ok(None) => HashMap::new(),
            Ok(Some(text)) => match serde_json::from_slice::<CacheFile>(&text) {
                Ok(file) if file.version == CACHE_VERSION && file.tool == "postlint" => {
                    file.entries
                }
                _ => {
                    warning = Some(format!(
                        "{} is not a postlint link cache (or is damaged); starting a new one",
                        path.display()
                    ));
                    HashMap::new()
                }
            },
            Err(error) => {
                warning = Some(format!(
                    "{} is not read ({error}); starting a new one",
                    path.display()
                ));
                HashMap::new()
            }
        };
        Ok((Self { path, entries, ttl }, warning))
    }

    /// A cached outcome still fresh enough to trust.
    pub fn get(&self, key: &str) -> Option<&Checked> {
        let entry = self.entries.get(key)?;
        let age = Duration::from_secs(now().saturating_sub(entry.checked));
        let ttl = match entry.result.outcome {
            Outcome::Ok { .. } | Outcome::Redirect { .. } => self.ttl.ok,
            Outcome::Broken { .. } | Outcome::Soft404 { .. } => self.ttl.broken,
            Outcome::Unverifiable { .. } => self.ttl.unverifiable,
        };
        (age < ttl).then_some(&entry.result)
    }

    /// Records a fresh result (its archived copies are fresh too).
    pub fn put(&mut self, key: String, result: Checked) {
        self.entries.insert(
            key,
            Entry {
                checked: now(),
                result,
            },
        );
    }

    /// Adds archived copies to a cached result, keeping its age.
    pub fn add_archived(
        &mut self,
        key: &str,
        date: String,
        copy: Option<super::outcome::Archived>,
    ) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.result.archived.insert(date, copy);
        }
    }

    /// Writes the cache through a temporary file and a rename, so a reader never sees half.
    pub fn save(&self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            // Checked again: the folder may have been replaced by a link since it was read.
            crate::kept_files::check_folder(dir).map_err(std::io::Error::other)?;
            std::fs::create_dir_all(dir)?;
        }
        let file = CacheFileRef {
            version: CACHE_VERSION,
            tool: "postlint",
            entries: &self.entries,
        };
        // Streamed: no copy of the entries, nor of their text, is made. The temporary file has
        // a random name, so a link a repository plants in the cache folder is never opened.
        crate::atomic_write::replace(&self.path, |out| {
            serde_json::to_writer(out, &file).map_err(std::io::Error::other)
        })
    }
}
