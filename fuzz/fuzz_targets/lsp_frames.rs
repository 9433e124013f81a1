#![no_main]
//! See `postlint::fuzzing::lsp_frames` for what this target checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| postlint::fuzzing::lsp_frames(data));
