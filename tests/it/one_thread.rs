//! A run on one thread (`--threads 1`, or one small file) lints on the process's own thread:
//! no worker thread is started, and the report is the one worker threads give.

use std::path::{Path, PathBuf};

use crate::common::{check, fixture, system_tool};

/// The seed fixture: one post of 2.8 KB, what an editor's save or a pre-commit hook lints.
const SEED: &str = "seed_koreapro_2205786.json";

fn report(format: &str, extra: &[&str], path: &Path) -> Vec<u8> {
    let path = path.to_str().expect("a UTF-8 path");
    let mut args = vec!["--color", "never", "--fail-on", "never"];
    args.extend(["--now", "2026-12-01T00:00:00Z", "--format", format]);
    args.extend(extra);
    args.push(path);
    let output = check(&args).output().expect("run postlint");
    assert!(output.status.success(), "{args:?}: {output:?}");
    output.stdout
}

#[test]
fn a_small_file_gives_the_same_report_on_this_thread_as_on_workers() {
    let seed = fixture(SEED);
    for format in ["json", "human"] {
        let workers = report(format, &["--threads", "2"], &seed);
        assert!(!workers.is_empty());
        assert_eq!(report(format, &[], &seed), workers, "{format}");
        assert_eq!(
            report(format, &["--threads", "1"], &seed),
            workers,
            "{format}"
        );
    }
}

#[test]
fn a_folder_on_one_thread_gives_the_report_of_two() {
    let folder = fixture("rules");
    let two = report("json", &["--threads", "2"], &folder);
    assert_eq!(report("json", &["--threads", "1"], &folder), two);
}

/// The threads a run starts, from `strace`'s record of its `clone` calls; `None` (the test
/// skips) where `strace` is absent or may not trace, except under `CI=true`, where `.ci/run`
/// installs it and either is a failure.
fn threads_started(extra: &[&str], path: &Path) -> Option<usize> {
    let strace = system_tool("strace", None)?;
    let dir = tempfile::tempdir().expect("temp dir");
    let record: PathBuf = dir.path().join("calls");
    let status = std::process::Command::new(strace)
        .args(["-f", "-qq", "-e", "trace=clone,clone3", "-o"])
        .arg(&record)
        .arg(env!("CARGO_BIN_EXE_postlint"))
        .args([
            "check",
            "--no-config",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .args(extra)
        .arg(path)
        .output()
        .expect("run strace");
    let calls = std::fs::read_to_string(&record).unwrap_or_default();
    if !status.status.success() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "strace cannot trace here, and CI must: {status:?}"
        );
        eprintln!("skipped: strace cannot trace here: {status:?}");
        return None;
    }
    Some(calls.lines().filter(|line| line.contains("clone")).count())
}

#[test]
fn a_small_file_is_linted_without_starting_a_thread() {
    let seed = fixture(SEED);
    let Some(on_workers) = threads_started(&["--threads", "2"], &seed) else {
        return;
    };
    assert!(on_workers >= 2, "two workers are started: {on_workers}");
    assert_eq!(threads_started(&[], &seed), Some(0));
    assert_eq!(threads_started(&["--threads", "1"], &seed), Some(0));
}
