//! The command line's side of a run, beside `main.rs`: what the flags and the config ask of it,
//! turned into the library's options and requests.

pub mod options;
pub mod show;
