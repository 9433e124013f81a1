#![no_main]
//! See `postlint::fuzzing::html_spans` for what this target checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| postlint::fuzzing::html_spans(data));
