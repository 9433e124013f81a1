//! A live site (`--site`, `--post`, a post's address) or a saved copy of one as a run: the
//! site reader gives the inputs and the site's facts; the run lints them as files.

use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::outcome::CheckOutcome;
use crate::wordpress::{self, SiteRequest};

use super::{RunOptions, check_inputs, check_with};

/// What linting one site gave, and the mark a `--since-last-run` may move to.
pub struct SiteOutcome {
    pub outcome: CheckOutcome,
    pub high_water_mark: Option<String>,
}

/// Fetches a site and lints its pages with `config`, which takes the zone of the site's REST
/// index unless it names one. Pages are saved under `save` when given.
pub fn check_site(
    request: &SiteRequest,
    mut config: Config,
    options: RunOptions,
    save: Option<&Path>,
) -> SiteOutcome {
    let mut read = wordpress::read_site(request, save);
    let notes = read.configure(&mut config);
    let inputs = std::mem::take(&mut read.inputs);
    let mut outcome = check_inputs(inputs, Arc::new(config), options);
    let high_water_mark = read.conclude(request, &mut outcome, notes);
    SiteOutcome {
        outcome,
        high_water_mark,
    }
}

/// Lints a saved site's folder as the live run linted what it saved.
pub fn check_saved(folder: &Path, mut config: Config, options: RunOptions) -> CheckOutcome {
    let read = wordpress::saved::read_saved(folder, &mut config);
    let mut outcome = check_with(&[folder.to_path_buf()], Arc::new(config), options);
    read.conclude(&mut outcome);
    outcome
}
