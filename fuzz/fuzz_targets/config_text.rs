#![no_main]
//! See `postlint::fuzzing::config_text` for what this target checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| postlint::fuzzing::config_text(data));
