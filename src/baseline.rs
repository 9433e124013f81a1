//! Baselines: an archive with thousands of old findings adopts postlint and fails only on new
//! ones. An entry is a post (its id, or its file and position when it has none), a rule and a
//! fingerprint of the offending text, with a count; line numbers are not part of it, so edits
//! elsewhere in the file do not break it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Finding;
use crate::outcome::FileReport;

const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// `id:123`, or `file:PATH#INDEX` for a post without an id, or `file:PATH` for the file.
    pub post: String,
    pub rule: String,
    /// Hex FNV-1a of the rule and the offending bytes.
    pub fingerprint: String,
    pub count: usize,
}

type Key = (String, String, String);

fn key(file: &str, finding: &Finding) -> Key {
    let diagnostic = &finding.diagnostic;
    let post = match &diagnostic.post {
        Some(post) => match post.id {
            Some(id) => format!("id:{id}"),
            None => format!("file:{file}#{}", post.index),
        },
        None => format!("file:{file}"),
    };
    (
        post,
        diagnostic.rule.to_owned(),
        format!("{:016x}", finding.fingerprint),
    )
}

impl Baseline {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for report in reports {
            for finding in &report.findings {
                *counts.entry(key(&report.file.name, &finding)).or_default() += 1;
            }
        }
        Self {
            version: BASELINE_VERSION,
            entries: counts
                .into_iter()
                .map(|((post, rule, fingerprint), count)| Entry {
                    post,
                    rule,
                    fingerprint,
                    count,
                })
                .collect(),
        }
    }

    /// Writes the baseline whole: a failure leaves the old one as it was.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("baseline types always serialize");
        text.push('\n');
        crate::atomic_write::write_named(path, |out| out.write_all(text.as_bytes()))
    }

    pub fn read(path: &Path) -> Result<Self, String> {
        let text = crate::source::read_whole(path, crate::source::MAX_READ_WHOLE)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a postlint baseline: {e}", path.display()))?;
        if baseline.version != BASELINE_VERSION {
            return Err(format!(
                "{} is a baseline of version {}, this postlint reads version {BASELINE_VERSION}",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Drops the findings the baseline holds (as many of each as it counted); returns how many.
    pub fn filter(&self, reports: &mut [FileReport]) -> usize {
        let mut left: BTreeMap<Key, usize> = self
            .entries
            .iter()
            .map(|e| {
                (
                    (e.post.clone(), e.rule.clone(), e.fingerprint.clone()),
                    e.count,
                )
            })
            .collect();
        let mut dropped = 0;
        for report in reports {
            let file = report.file.name.clone();
            report
                .findings
                .retain(|finding| match left.get_mut(&key(&file, finding)) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        dropped += 1;
                        false
                    }
                    _ => true,
                });
        }
        dropped
    }
}
