//! Configuration: `postlint.toml`, the rule packs it extends, and command-line flags, merged in
//! layers (the rules' defaults from the registry, packs in `extends` order, the file, matching
//! overrides, the command line: each later layer wins). Every value remembers where it came
//! from, for `--show-config` and for errors.
//!
//! By stage: `load` finds and reads the files, `file` is their TOML shape, `validate` checks
//! them against the registry and builds the layers, `effective` merges the layers for a file or
//! post, `model` holds the types and `show` prints the result. The config knows rules only by
//! the registry it is given (`rules::REGISTRY`) and zones only through `crate::zones`.

mod collect;
mod effective;
mod error;
mod file;
mod load;
mod model;
mod show;
mod site_settings;
mod validate;

/// Kept under its old name for the live-site reader.
pub use crate::zones::index_zone_or_offset as zone_from_index;
pub use error::{ConfigError, suggest};
pub use load::find_config;
pub use model::{
    CONFIG_FILE_NAME, CliRules, Config, ConfigRequest, ConfigSource, Effective, Level,
    LinkSettings, Pattern, PatternScope, PostKey, Provenance, Registry, RequiredSection, Site,
    Valued, When, ZoneEpoch,
};
