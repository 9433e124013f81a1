//! What a `--shard K/N` run leaves for `postlint merge`: its facts, its late findings, and the
//! lines and columns of every place they point at (the merge job does not have the files).

use rayon::prelude::*;

use crate::config::Config;
use crate::outcome::FileReport;
use crate::site::shard::{ShardPart, config_fingerprint, of_file, offsets_of};
use crate::site::{PostFacts, SiteFinding};
use crate::source::LineCols;

/// The shard's part, read back from each file now. The pending suppressions stay in the
/// reports. Returns notices for files that could not be read again.
pub fn part(
    config: &Config,
    shard: (usize, usize),
    reports: &[FileReport],
    facts: Vec<PostFacts>,
    mut late: Vec<SiteFinding>,
    order: Vec<usize>,
) -> (ShardPart, Vec<String>) {
    let mut notices = Vec::new();
    late.sort_by_key(|finding| finding.file);
    let positions = reports
        .par_iter()
        .enumerate()
        .map(|(file, report)| {
            let facts = of_file(&facts, file, |f| f.file);
            let late = of_file(&late, file, |f| f.file);
            let offsets = offsets_of(facts, &report.pending, late);
            if offsets.is_empty() {
                return Ok(LineCols::default());
            }
            LineCols::read_back(&report.file, &report.line_marks, offsets).map_err(|e| {
                format!(
                    "{}: cannot be read again for the merge: {e}",
                    report.file.name
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|lines| {
            lines.unwrap_or_else(|notice| {
                notices.push(notice);
                LineCols::default()
            })
        })
        .collect();
    let part = ShardPart {
        shard,
        config: config_fingerprint(config),
        order,
        positions,
        facts,
        late,
    };
    (part, notices)
}
