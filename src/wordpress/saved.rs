//! What `--save DIR` keeps beside a site's posts so that `postlint check DIR` lints them as the
//! live run did: the site's address, the part of its REST index that sets the zone, and
//! whether the run held the whole site. Written at the save, read back when a folder has it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::{Config, Provenance, Valued};
use crate::dates::{Zone, ZoneSource};
use crate::outcome::CheckOutcome;

/// The file beside the saved posts. Hidden, so that the walk of the folder does not lint it.
pub const MANIFEST: &str = ".postlint-site.json";

/// What of the REST index is kept: what names the site and sets its zone.
const INDEX_KEYS: [&str; 6] = [
    "name",
    "description",
    "url",
    "home",
    "timezone_string",
    "gmt_offset",
];

/// A manifest is a few hundred bytes; a larger one is not postlint's.
const MANIFEST_MAX_BYTES: u64 = 64 * 1024;

/// The manifest of a saved site.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSite {
    /// The site the posts belong to, as the live run took it.
    pub site: String,
    /// Whether the run held every post of the site (`link-internal-missing` can judge).
    pub whole: bool,
    /// The REST index's fields that name the site and set the zone.
    pub index: serde_json::Value,
    /// For a run of some posts of the site: what the site said of the internal link targets
    /// it was asked about (`true`: there is such a post), so the copy judges them alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told: Option<std::collections::BTreeMap<String, bool>>,
}

impl SavedSite {
    pub fn new(site: &Url, index: Option<&serde_json::Value>, whole: bool) -> Self {
        let kept = index
            .and_then(serde_json::Value::as_object)
            .map(|index| {
                INDEX_KEYS
                    .iter()
                    .filter_map(|key| Some(((*key).to_owned(), index.get(*key)?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            site: site.to_string(),
            whole,
            index: serde_json::Value::Object(kept),
            told: None,
        }
    }

    /// Writes the manifest into `folder`, replacing an earlier one. What is there is removed
    /// first and the new file created only if nothing is in its place, so that a link planted
    /// under the manifest's name is never written through.
    pub fn write(&self, folder: &Path) -> Result<(), String> {
        let path = folder.join(MANIFEST);
        let failed =
            |what: &str, e: std::io::Error| format!("cannot {what} {}: {e}", path.display());
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed("replace", e)),
            _ => {}
        }
        let text = serde_json::to_vec_pretty(self).map_err(|e| format!("{e}"))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| failed("write", e))?;
        file.write_all(&text).map_err(|e| failed("write", e))
    }

    /// The manifest of `folder`, when it has one.
    pub fn read(folder: &Path) -> Option<Result<Self, String>> {
        let path = folder.join(MANIFEST);
        let file = std::fs::File::open(&path).ok()?;
        let mut text = Vec::new();
        let read = file
            .take(MANIFEST_MAX_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| format!("cannot read {}: {e}", path.display()));
        Some(read.and_then(|_| {
            if text.len() as u64 > MANIFEST_MAX_BYTES {
                return Err(format!(
                    "{} is larger than {MANIFEST_MAX_BYTES} bytes: not a saved site's manifest",
                    path.display()
                ));
            }
            serde_json::from_slice(&text).map_err(|e| {
                format!(
                    "{} is not a saved site's manifest ({e}): save the site again with --save",
                    path.display()
                )
            })
        }))
    }
}

/// Takes a site into the config of its run: the site its posts belong to (when they carry no
/// REST self link), the zone of its index unless the config names one, and, for a run that
/// holds the whole site, `export = "complete"` unless the config says otherwise. Returns the
/// zone now in force and where it came from.
pub fn adopt(
    config: &mut Config,
    site: &str,
    index: Option<&serde_json::Value>,
    whole: bool,
) -> Option<(Zone, ZoneSource)> {
    Arc::make_mut(&mut config.site).urls = vec![Valued {
        value: site.to_owned(),
        from: Provenance::CommandLine,
    }];
    if whole {
        config.hold_whole_site();
    }
    config.adopt_index_zone(index?)
}

/// The paths given, with the saved sites among them apart: a folder that has a manifest, or
/// the folders right under a path that have one (`check DIR` after `--save DIR`). What else
/// is under such a path stays to be linted as files.
pub fn split(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut sites = Vec::new();
    let mut rest = Vec::new();
    for path in paths {
        if !path.is_dir() {
            rest.push(path.clone());
        } else if path.join(MANIFEST).is_file() {
            sites.push(path.clone());
        } else {
            let children = sorted_children(path);
            let has_site = children.iter().any(|c| c.join(MANIFEST).is_file());
            if !has_site {
                rest.push(path.clone());
                continue;
            }
            for child in children {
                if child.join(MANIFEST).is_file() {
                    sites.push(child);
                } else {
                    rest.push(child);
                }
            }
        }
    }
    (sites, rest)
}

/// The entries of a folder, in name order; hidden ones and links are left out, as the walk
/// of the folder leaves them.
fn sorted_children(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_symlink()))
        .map(|e| e.path())
        .collect();
    children.sort();
    children
}

/// A saved site's folder as a run reads it: its manifest, when it has a readable one, and
/// the summary's line on it.
pub struct SavedRead {
    saved: Option<SavedSite>,
    notes: Vec<String>,
}

/// Reads the manifest of a saved site's folder, and gives `config` what the live run took
/// from the site (its address, its zone, whether it held the site whole).
pub fn read_saved(folder: &Path, config: &mut Config) -> SavedRead {
    let mut notes = Vec::new();
    let saved = match SavedSite::read(folder) {
        Some(Ok(saved)) => {
            let zone = adopt(config, &saved.site, Some(&saved.index), saved.whole);
            notes.push(describe(folder, &saved, zone));
            Some(saved)
        }
        Some(Err(message)) => {
            notes.push(message);
            None
        }
        None => None,
    };
    SavedRead { saved, notes }
}

impl SavedRead {
    /// After the run: judges the internal link targets as the site said when it was saved,
    /// and puts the site's notes first.
    pub fn conclude(self, outcome: &mut CheckOutcome) {
        if let Some(SavedSite {
            site,
            told: Some(told),
            ..
        }) = &self.saved
        {
            super::targets::apply_told(outcome, site, told);
        }
        outcome.site_notes.splice(0..0, self.notes);
    }
}

fn describe(folder: &Path, saved: &SavedSite, zone: Option<(Zone, ZoneSource)>) -> String {
    let name = saved
        .index
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map_or_else(String::new, |n| format!(" ({n})"));
    let zone = match zone {
        Some((zone, ZoneSource::SiteIndex)) => {
            format!("zone {} from its saved REST index", zone.describe())
        }
        Some((zone, ZoneSource::Config)) => format!("zone {} from the config", zone.describe()),
        None => "no zone known".to_owned(),
    };
    let whole = if saved.whole { ", the whole site" } else { "" };
    format!(
        "{}{name}: saved in {}{whole}, {zone}",
        saved.site,
        folder.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_keeps_what_names_the_site_and_sets_its_zone() {
        let index = serde_json::json!({
            "name": "News", "timezone_string": "Europe/Madrid", "gmt_offset": 2,
            "routes": {"/": {}}, "authentication": []
        });
        let site = Url::parse("https://news.example.com/").expect("a url");
        let saved = SavedSite::new(&site, Some(&index), true);
        assert_eq!(
            saved.index,
            serde_json::json!({"name": "News", "timezone_string": "Europe/Madrid", "gmt_offset": 2})
        );
        let dir = tempfile::tempdir().expect("a folder");
        saved.write(dir.path()).expect("written");
        saved.write(dir.path()).expect("replaced");
        let read = SavedSite::read(dir.path()).and_then(Result::ok);
        assert!(read.is_some_and(|r| r.whole && r.site == "https://news.example.com/"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_manifests_place_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().expect("a folder");
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "keep").expect("written");
        let folder = dir.path().join("site");
        std::fs::create_dir(&folder).expect("a folder");
        std::os::unix::fs::symlink(&outside, folder.join(MANIFEST)).expect("a link");
        let site = Url::parse("https://news.example.com/").expect("a url");
        SavedSite::new(&site, None, false)
            .write(&folder)
            .expect("written");
        assert_eq!(
            std::fs::read_to_string(&outside).ok().as_deref(),
            Some("keep")
        );
        assert!(!folder.join(MANIFEST).is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn saved_sites_are_told_apart_from_other_files_and_links_are_not_followed() {
        let dir = tempfile::tempdir().expect("a folder");
        let saved = dir.path().join("saved");
        let host = saved.join("news.example.com");
        std::fs::create_dir_all(&host).expect("a folder");
        std::fs::write(host.join(MANIFEST), "{}").expect("written");
        std::fs::write(saved.join("other.json"), "[]").expect("written");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("a folder");
        std::fs::write(elsewhere.join(MANIFEST), "{}").expect("written");
        std::os::unix::fs::symlink(&elsewhere, saved.join("linked")).expect("a link");
        let (sites, rest) = split(std::slice::from_ref(&saved));
        assert_eq!(sites, vec![host.clone()]);
        assert_eq!(rest, vec![saved.join("other.json")]);
        // A folder without saved sites is left whole to the walk.
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).expect("a folder");
        let (sites, rest) = split(std::slice::from_ref(&plain));
        assert!(sites.is_empty());
        assert_eq!(rest, vec![plain]);
    }

    #[test]
    fn a_huge_or_foreign_manifest_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::write(dir.path().join(MANIFEST), vec![b' '; 70_000]).expect("written");
        assert!(SavedSite::read(dir.path()).is_some_and(|r| r.is_err()));
        std::fs::write(dir.path().join(MANIFEST), "{\"other\": 1}").expect("written");
        assert!(SavedSite::read(dir.path()).is_some_and(|r| r.is_err()));
    }
}
