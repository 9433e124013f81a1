//! `--since-last-run`: the largest `modified_gmt` each site has shown, kept in
//! `.postlint-cache/sites.json`, so that a daily run fetches only what changed since.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

const FILE_NAME: &str = "sites.json";
const VERSION: u32 = 1;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct MarksFile {
    version: u32,
    /// By `SiteRequest::mark_key`.
    sites: BTreeMap<String, Mark>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Mark {
    /// The largest `modified_gmt` seen, as WordPress writes it (`2026-11-28T09:15:00`).
    modified_gmt: String,
}

/// The marks of every site, read from and written back to the cache folder.
#[derive(Debug)]
pub struct Marks {
    path: PathBuf,
    file: MarksFile,
}

impl Marks {
    /// Reads the marks; a missing file is no marks, a damaged one is replaced (with a notice).
    /// A cache folder that is a symbolic link is neither read nor written (with a notice).
    pub fn load(cache_dir: &Path) -> (Self, Option<String>) {
        let path = cache_dir.join(FILE_NAME);
        if let Err(refused) = crate::kept_files::check_folder(cache_dir) {
            let marks = Self {
                path,
                file: MarksFile::default(),
            };
            return (
                marks,
                Some(format!("{refused}: every post is fetched this time")),
            );
        }
        let (file, notice) = match crate::kept_files::read(&path) {
            Ok(None) => (MarksFile::default(), None),
            Err(error) => (
                MarksFile::default(),
                Some(format!(
                    "{} is not read ({error}): every post is fetched this time",
                    path.display()
                )),
            ),
            Ok(Some(bytes)) => match serde_json::from_slice::<MarksFile>(&bytes) {
                Ok(file) if file.version == VERSION => (file, None),
                _ => (
                    MarksFile::default(),
                    Some(format!(
                        "{} is damaged or from another version: every post is fetched this time",
                        path.display()
                    )),
                ),
            },
        };
        (Self { path, file }, notice)
    }

    /// The instant the last run reached for a request key.
    pub fn get(&self, key: &str) -> Option<NaiveDateTime> {
        let mark = self.file.sites.get(key)?;
        NaiveDateTime::parse_from_str(&mark.modified_gmt, "%Y-%m-%dT%H:%M:%S").ok()
    }

    /// Moves a mark forward (never back).
    pub fn advance(&mut self, key: &str, modified_gmt: &str) {
        let newer = self
            .file
            .sites
            .get(key)
            .is_none_or(|m| modified_gmt > m.modified_gmt.as_str());
        if newer {
            self.file.sites.insert(
                key.to_owned(),
                Mark {
                    modified_gmt: modified_gmt.to_owned(),
                },
            );
        }
    }

    /// Writes the marks through a temporary file, so a reader never sees half of them.
    pub fn save(&mut self) -> Result<(), String> {
        self.file.version = VERSION;
        let failed = |e: std::io::Error| format!("cannot write {}: {e}", self.path.display());
        if let Some(dir) = self.path.parent() {
            crate::kept_files::check_folder(dir)?;
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let text = serde_json::to_string_pretty(&self.file).map_err(|e| e.to_string())?;
        crate::atomic_write::replace(&self.path, |out| {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        })
        .map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_move_forward_and_survive_a_save() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (mut marks, notice) = Marks::load(dir.path());
        assert!(notice.is_none());
        marks.advance("site", "2026-11-28T09:15:00");
        marks.advance("site", "2026-11-01T00:00:00");
        marks.save().expect("saved");
        let (marks, _) = Marks::load(dir.path());
        assert_eq!(
            marks.get("site").map(|t| t.to_string()),
            Some("2026-11-28 09:15:00".to_owned())
        );
        assert_eq!(marks.get("other"), None);
    }

    #[test]
    fn a_damaged_file_is_replaced_with_a_notice() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join(FILE_NAME), "{not json").expect("written");
        let (marks, notice) = Marks::load(dir.path());
        assert!(notice.is_some_and(|n| n.contains("damaged")));
        assert_eq!(marks.get("site"), None);
    }
}
