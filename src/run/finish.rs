//! The phases after linting, the same for every mode (files, a site, the server, a merge of
//! shards): the site phase over every post's facts, one settle step for the late findings, then
//! the baseline.

use crate::baseline::Baseline;
use crate::config::Config;
use crate::input::InputError;
use crate::outcome::FileReport;
use crate::site::{PostFacts, SiteFinding};
use crate::source::LineCols;
use crate::spill::Merge;
use crate::{phases, settle};

/// Where every post's site facts are once linting is over.
pub enum Facts {
    Memory(Vec<PostFacts>),
    /// With `--memory-budget`: packed, in memory or sorted on disk past the budget, and read
    /// back one post at a time.
    Packed(Merge),
}

/// What linting (and the link phase) left for the phases after it.
pub struct Linted {
    pub reports: Vec<FileReport>,
    pub facts: Facts,
    /// The findings of the phases that ran already (links), not yet settled.
    pub found: Vec<SiteFinding>,
    /// The lines and columns of each report's late findings, when known already (a shard
    /// report carried them to the merge); else they are read back from each file.
    pub lines: Option<Vec<LineCols>>,
}

/// The run's files with every finding settled, and what the phases had to say.
pub struct Settled {
    pub reports: Vec<FileReport>,
    pub site_notes: Vec<String>,
    pub notices: Vec<String>,
    pub input_errors: Vec<InputError>,
    /// Findings the baseline held, left out of the reports.
    pub baselined: usize,
}

/// Runs the site phase, settles its findings and the link phase's, then applies the baseline.
pub fn finish(config: &Config, linted: Linted, baseline: Option<&Baseline>) -> Settled {
    let Linted {
        mut reports,
        facts,
        mut found,
        lines,
    } = linted;
    let mut notices = Vec::new();
    let mut input_errors = Vec::new();
    let (site_notes, facts) = match facts {
        Facts::Memory(mut facts) => {
            let (notes, mut site_found) = phases::site::run(config, &mut facts);
            found.append(&mut site_found);
            (notes, facts)
        }
        Facts::Packed(mut merge) => {
            let (notes, mut site_found) = phases::site::run_sorted(config, &mut merge);
            found.append(&mut site_found);
            notices.extend(spill_notice(&merge));
            input_errors.extend(merge.error.take().map(|e| {
                InputError::SiteFacts(format!(
                    "the site rules saw only part of the posts: a spilled run: {e}"
                ))
            }));
            // The settle step looks no post up by its facts: a spilling run names no post in
            // the config's overrides (`spill_for`).
            (notes, Vec::new())
        }
    };
    notices.extend(settle::late_with_lines(
        config,
        &mut reports,
        found,
        &facts,
        lines,
    ));
    drop(facts);
    let baselined = baseline.map_or(0, |baseline| settle::baseline(baseline, &mut reports));
    Settled {
        reports,
        site_notes,
        notices,
        input_errors,
        baselined,
    }
}

/// Where the site facts past `--memory-budget` went: to disk, or, when the temporary folder
/// could not take them, to memory, and why; nothing when they stayed packed in memory.
fn spill_notice(merge: &Merge) -> Option<String> {
    if merge.runs() == 0 {
        return None;
    }
    Some(match merge.dir().fallback() {
        // Not how many runs: where the runs are cut depends on the threads' timing, and the
        // notice should read the same on every run of the same input.
        None => "the site facts passed --memory-budget: sorted on disk".to_string(),
        Some(why) => {
            format!("the site facts passed --memory-budget but were sorted in memory: {why}")
        }
    })
}
