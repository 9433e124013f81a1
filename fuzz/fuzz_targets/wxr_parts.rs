#![no_main]
//! See `postlint::fuzzing::wxr_parts` for what this target checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| postlint::fuzzing::wxr_parts(data));
