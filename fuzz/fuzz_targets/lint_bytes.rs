#![no_main]
//! See `postlint::fuzzing::lint_bytes` for what this target checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| postlint::fuzzing::lint_bytes(data));
