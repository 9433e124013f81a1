//! What a run is asked beyond linting each post: which files, which shard, the link check,
//! the baseline, and the limits only the orchestrator reads. The engine's knobs are `lint`.

use std::sync::Arc;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::engine::{LintOptions, Linter};
use crate::limits;
use crate::links::LinkCheck;

/// The options of one run, whatever its mode.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// What linting one post needs.
    pub lint: LintOptions,
    /// Check every link's target over HTTP (`--links`).
    pub links: Option<LinkCheck>,
    /// Lint only shard K of N (1-based).
    pub shard: Option<(usize, usize)>,
    /// Findings this baseline holds are left out of the outcome (`--baseline`).
    pub baseline: Option<Arc<Baseline>>,
    /// Lint only files changed since this git revision.
    pub changed_since: Option<String>,
    /// Site facts held in memory before they are spilled to disk (`--memory-budget`);
    /// `None`: no limit.
    pub memory_budget: Option<u64>,
    /// A file larger than this is refused before it is read (`--max-file-size`).
    pub max_file_bytes: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        LintOptions::default().into()
    }
}

/// A run with the engine's knobs set and the run's left at their defaults.
impl From<LintOptions> for RunOptions {
    fn from(lint: LintOptions) -> Self {
        Self {
            lint,
            links: None,
            shard: None,
            baseline: None,
            changed_since: None,
            memory_budget: Some(limits::MEMORY_BUDGET.default.as_u64()),
            max_file_bytes: limits::MAX_FILE_SIZE.default.as_u64(),
        }
    }
}

impl RunOptions {
    /// The engine of this run: it keeps each post's links and holds suppressions of the link
    /// rules for the link phase when that phase runs.
    pub fn linter(&self, config: Arc<Config>) -> Linter {
        let lint = LintOptions {
            link_phase: self.links.is_some(),
            ..self.lint.clone()
        };
        Linter::new(config, lint)
    }
}
