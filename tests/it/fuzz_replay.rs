//! Replays every saved fuzz input (`fuzz/corpus/<target>/`, and the crashes fixed since in
//! `fuzz/regressions/<target>/`) through the same checks the fuzz targets run, so a fixed crash
//! stays fixed without libFuzzer or a nightly toolchain.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut inputs = 0;
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).expect("read a saved input");
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{target} fails on {}", path.display());
            inputs += 1;
        }
    }
    assert!(
        inputs > 0,
        "no saved inputs for {target} under {}",
        root.display()
    );
}

#[test]
fn lint_bytes_inputs() {
    replay("lint_bytes", postlint::fuzzing::lint_bytes);
}

#[test]
fn html_spans_inputs() {
    replay("html_spans", postlint::fuzzing::html_spans);
}

#[test]
fn config_text_inputs() {
    replay("config_text", postlint::fuzzing::config_text);
}

#[test]
fn lsp_frames_inputs() {
    replay("lsp_frames", postlint::fuzzing::lsp_frames);
}

#[test]
fn wxr_parts_inputs() {
    replay("wxr_parts", postlint::fuzzing::wxr_parts);
}
