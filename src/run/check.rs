//! `postlint check` as one run: files (or a batch of `--watch`), saved sites and live sites,
//! each a run of the orchestrator, their outcomes one after the other.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::input::Input;
use crate::outcome::CheckOutcome;
use crate::wordpress::{self, SiteRequest};

use super::site::{check_saved, check_site};
use super::{RunOptions, check_inputs, check_with};

/// What one `check` reads.
#[derive(Debug, Default)]
pub struct Sources {
    /// Files and folders to walk; a folder saved with `--save` is linted as a saved site.
    pub paths: Vec<PathBuf>,
    /// A batch of `--watch`: the files that changed, read instead of `paths`.
    pub watched: Option<Vec<Input>>,
    /// Live sites to read.
    pub sites: Vec<SiteRequest>,
    /// Where to save the pages of the live sites (`--save`).
    pub save: Option<PathBuf>,
}

/// A `--since-last-run` mark a site's read may move to: the request's key and the mark.
pub type Mark = (String, String);

impl Sources {
    /// Lints the files and saved sites (what `--fix` lints again after writing). Each saved
    /// site takes a config of its own from `fresh_config`: it adopts the site's zone.
    pub fn check_files<E>(
        &self,
        config: Arc<Config>,
        fresh_config: &(impl Fn() -> Result<Config, E> + Sync),
        options: &RunOptions,
    ) -> Result<CheckOutcome, E> {
        let (saved_sites, files) = self.files();
        let mut outcome = match files {
            Files::Inputs(inputs) if inputs.is_empty() => CheckOutcome::empty(),
            Files::Inputs(inputs) => check_inputs(inputs, config, options.clone()),
            Files::Paths(paths) if paths.is_empty() => CheckOutcome::empty(),
            Files::Paths(paths) => check_with(&paths, config, options.clone()),
        };
        for folder in &saved_sites {
            outcome.absorb(check_saved(folder, fresh_config()?, options.clone()));
        }
        Ok(outcome)
    }

    /// Reads and lints each live site, each with a config of its own from `fresh_config`,
    /// adding its outcome to `outcome`. Returns the marks the reads may move to.
    pub fn check_sites<E>(
        &self,
        fresh_config: &(impl Fn() -> Result<Config, E> + Sync),
        options: &RunOptions,
        outcome: &mut CheckOutcome,
    ) -> Result<Vec<Mark>, E> {
        let mut marks = Vec::new();
        for site in &self.sites {
            let checked = check_site(site, fresh_config()?, options.clone(), self.save.as_deref());
            outcome.absorb(checked.outcome);
            marks.extend(checked.high_water_mark.map(|mark| (site.mark_key(), mark)));
        }
        Ok(marks)
    }

    /// The saved sites to lint, and the other files. A site saved with `--save` is linted
    /// with what was saved beside it (its zone, its address); in a batch of `--watch`, a
    /// changed file in a saved site lints that site again, whole.
    fn files(&self) -> (Vec<PathBuf>, Files) {
        let (saved_sites, paths) = wordpress::saved::split(&self.paths);
        let Some(inputs) = &self.watched else {
            return (saved_sites, Files::Paths(paths));
        };
        let in_site =
            |input: &Input, site: &PathBuf| input.path().is_some_and(|p| p.starts_with(site));
        let touched: Vec<PathBuf> = (saved_sites.iter())
            .filter(|site| inputs.iter().any(|input| in_site(input, site)))
            .cloned()
            .collect();
        let rest: Vec<Input> = (inputs.iter())
            .filter(|input| !touched.iter().any(|site| in_site(input, site)))
            .cloned()
            .collect();
        (touched, Files::Inputs(rest))
    }
}

/// The files of a check: paths to walk, or the inputs of a watch batch.
enum Files {
    Paths(Vec<PathBuf>),
    Inputs(Vec<Input>),
}
