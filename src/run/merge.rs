//! `postlint merge` as a mode of the run: the shards' files read back (`report::merge`), then
//! the phases after linting over all of them, as one unsharded run would, baseline included.

use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::findings::Findings;
use crate::outcome::CheckOutcome;
use crate::report::merge::{Restored, merge_files};

use super::{Facts, Linted, finish};

/// The outcome of the shard reports at `paths` merged with `config` (the one the shards ran
/// with); the baseline holds back what it holds, as `check --baseline` does.
pub fn merge(
    paths: &[PathBuf],
    config: &Config,
    baseline: Option<&Baseline>,
) -> Result<CheckOutcome, String> {
    Ok(outcome_of(merge_files(paths, config)?, config, baseline))
}

/// The outcome of shards already read back. Each shard held back what the baseline holds of
/// its own findings; the merge holds back what it holds of the findings settled here (the site
/// and link phases', the suppressions they left unused), as one unsharded run would.
pub fn outcome_of(
    mut restored: Restored,
    config: &Config,
    baseline: Option<&Baseline>,
) -> CheckOutcome {
    // The shards' findings stay out of the baseline's count: it was applied to them already.
    let shards_own: Vec<Findings> = match baseline {
        Some(_) => (restored.reports.iter_mut())
            .map(|report| std::mem::take(&mut report.findings))
            .collect(),
        None => Vec::new(),
    };
    let linted = Linted {
        reports: restored.reports,
        facts: Facts::Memory(restored.facts),
        found: restored.found,
        lines: Some(restored.lines),
    };
    let mut settled = finish(config, linted, baseline);
    for (report, own) in settled.reports.iter_mut().zip(shards_own) {
        report.findings.extend(own);
    }
    let mut outcome = CheckOutcome::empty();
    outcome.reports = settled.reports;
    outcome.input_errors = settled.input_errors;
    outcome.site_notes = settled.site_notes;
    outcome.notices = settled.notices;
    outcome.baselined = settled.baselined;
    outcome
}
