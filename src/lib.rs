//! postlint: a linter for WordPress posts as the REST API exports them.
//!
//! The flow is one way, and so are the imports (a test keeps them free of loops):
//! input (find, read, split into posts) -> post view and HTML index (`context`, parsed once)
//! -> rules (in parallel; `rule` is their API) -> diagnostics -> the phases that need every
//! post (`phases`: links, site) -> one settle step for every finding (`settle`: severity,
//! suppressions, baseline, order) -> `outcome` -> report. `config` is read by all and imports
//! none of them; `run` puts a run together for every mode.

pub mod atomic_write;
pub mod baseline;
pub mod blocks;
pub mod cli;
pub mod config;
pub mod context;
pub mod dates;
pub mod diagnostic;
pub mod engine;
pub mod extsort;
pub mod findings;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod http;
pub mod input;
pub mod kept_files;
pub mod limits;
pub mod links;
pub mod memory;
pub mod meta;
pub mod on_stop;
pub mod outcome;
pub mod phases;
pub mod post;
pub mod report;
pub mod rule;
pub mod rule_costs;
pub mod rules;
pub mod run;
pub mod server;
pub mod settle;
pub mod site;
pub mod site_root;
pub mod source;
pub mod spill;
pub mod suppress;
pub mod wordpress;
pub mod workspace;
pub mod zones;

pub use outcome::CheckOutcome;
pub use run::{check, check_inputs, check_with};
