//! A byte-budgeted external sort that knows nothing of what it sorts: records in postcard, each
//! behind its length, written as sorted runs to a temporary folder past the budget and merged
//! back [`FAN_IN`] at a time (fewer under a low open-file limit). The folder is deleted when the sort ends or a signal stops the run;
//! runs it cannot take stay in memory.

mod ahead;
mod dir;
mod merge;
mod run;
mod sorter;

pub use ahead::{BATCH, ReadAhead};
pub use dir::SpillDir;
pub use merge::{Order, RunMerge, merge_runs};
pub use run::{
    FAN_IN, Levels, Run, RunReader, add_run, at_most_fan_in, fan_in, open_runs, write_framed,
    write_record,
};
pub use sorter::{Drain, Sorter, text_weight};
