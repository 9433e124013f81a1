//! The real binary: exit codes, formats, standard input, the rules commands.

use crate::common::{fixture, postlint};
use predicates::prelude::*;

#[test]
fn exit_0_when_there_is_no_error() {
    postlint()
        .args(["check", "--format", "json"])
        .arg(fixture("cases/valid_clean_post.json"))
        .assert()
        .code(0);
}

#[test]
fn exit_0_with_warnings_only() {
    postlint()
        .arg("check")
        .arg(fixture("rules/empty-span/invalid_pretty.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings, 1 info in 1 post (1 file)",
        ));
}

#[test]
fn exit_1_when_there_is_an_error() {
    postlint()
        .arg("check")
        .arg(fixture("seed_koreapro_2205786.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "10 errors, 1 warning, 27 infos in 1 post (1 file)",
        ));
}

#[test]
fn exit_2_for_a_missing_file_and_the_others_are_still_linted() {
    postlint()
        .args(["check", "--format", "json", "no/such/file.json"])
        .arg(fixture("seed_koreapro_2205786.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/file.json: no such file or directory",
        ))
        .stdout(predicate::str::contains("\"stray-end-tag\": 36"));
}

#[test]
fn exit_2_for_a_usage_error() {
    postlint()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    postlint()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
}

#[test]
fn reads_standard_input() {
    let post = std::fs::read(fixture("cases/invalid_crlf.json")).expect("case");
    postlint()
        .args(["check", "--format", "json", "-"])
        .write_stdin(post)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"file\": \"-\""));
}

#[test]
fn walks_directories_for_post_files_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fixture("cases/invalid_crlf.json"),
        dir.path().join("a.json"),
    )
    .expect("copy");
    std::fs::copy(
        fixture("cases/valid_posts.ndjson"),
        dir.path().join("b.ndjson"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("notes.txt"), "not a post").expect("write");
    postlint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"files\": 2"))
        .stdout(predicate::str::contains("\"posts\": 4"));
}

#[test]
fn human_report_has_no_colour_when_piped() {
    postlint()
        .arg("check")
        .arg(fixture("seed_koreapro_2205786.json"))
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn colour_can_be_forced() {
    postlint()
        .args(["check", "--color", "always"])
        .arg(fixture("seed_koreapro_2205786.json"))
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
}

#[test]
fn rules_lists_every_rule() {
    postlint()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("stray-end-tag"))
        .stdout(predicate::str::contains("json-syntax"));
}

#[test]
fn explain_prints_the_rule_doc() {
    postlint()
        .args(["explain", "stray-end-tag"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## What it does"))
        .stdout(predicate::str::contains("## Why it matters"))
        .stdout(predicate::str::contains("## Example"));
}

fn temp_project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    std::fs::copy(
        fixture("seed_koreapro_2205786.json"),
        dir.path().join("seed.json"),
    )
    .expect("copy seed");
    dir
}

#[test]
fn config_is_found_upward_and_can_be_bypassed() {
    let dir = temp_project("ignore = [\"stray-end-tag\", \"json-syntax\"]\n");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    postlint()
        .current_dir(&sub)
        .args(["check", "../seed.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings in 1 post (1 file)",
        ));
    postlint()
        .current_dir(&sub)
        .args(["check", "--no-config", "../seed.json"])
        .assert()
        .code(1);
}

#[test]
fn config_errors_exit_2_with_their_place() {
    let dir = temp_project("[rules.stray-end-tagg]\nseverity = \"info\"\n");
    postlint()
        .current_dir(dir.path())
        .args(["check", "seed.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `stray-end-tagg`"))
        .stderr(predicate::str::contains("postlint.toml:1:8"))
        .stderr(predicate::str::contains("did you mean `stray-end-tag`?"));
}

#[test]
fn show_config_and_rules_tell_where_settings_come_from() {
    let dir = temp_project("[rules.stray-end-tag]\nseverity = \"error\"\n");
    postlint()
        .current_dir(dir.path())
        .args(["check", "--show-config"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "stray-end-tag              = \"error\"   # postlint.toml:1",
        ));
    postlint()
        .current_dir(dir.path())
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "stray-end-tag               error    post   An end tag closes",
        ))
        .stdout(predicate::str::contains("(set in postlint.toml:1)"));
    postlint()
        .current_dir(dir.path())
        .args(["check", "--severity", "stray-end-tag=off", "--show-config"])
        .assert()
        .stdout(predicate::str::contains("= \"off\"     # --severity"));
}

#[test]
fn baseline_written_then_used() {
    let dir = temp_project("");
    postlint()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", "baseline.json", "seed.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "wrote 38 findings to baseline.json",
        ));
    postlint()
        .current_dir(dir.path())
        .args(["check", "--baseline", "baseline.json", "seed.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings in 1 post (1 file)",
        ));
    std::fs::write(dir.path().join("broken.json"), "not json").expect("write");
    postlint()
        .current_dir(dir.path())
        .args(["check", "--baseline", "broken.json", "seed.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a postlint baseline"));
}

#[test]
fn a_report_written_to_a_symlink_or_a_fifo_goes_through_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let target = dir.path().join("real.json");
    let link = dir.path().join("report.json");
    std::fs::write(&target, "old").expect("written");
    std::os::unix::fs::symlink(&target, &link).expect("a symlink");
    postlint()
        .args(["check", "--format", "json", "-o"])
        .arg(&link)
        .arg(fixture("cases/valid_clean_post.json"))
        .assert()
        .code(0);
    let meta = std::fs::symlink_metadata(&link).expect("the link");
    assert!(meta.file_type().is_symlink(), "the symlink was replaced");
    let written = std::fs::read_to_string(&target).expect("the target");
    assert!(written.contains("\"version\": 1"), "{written}");

    // A FIFO (like /dev/null, not a regular file) must stay what it is.
    let fifo = dir.path().join("pipe");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("a path");
    // SAFETY: mkfifo reads a NUL-terminated path and has no other effect.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
    };
    postlint()
        .args(["check", "--format", "json", "-o"])
        .arg(&fifo)
        .arg(fixture("cases/valid_clean_post.json"))
        .assert()
        .code(0);
    let received = reader.join().expect("the reader");
    assert!(received.contains("\"version\": 1"));
    let meta = std::fs::symlink_metadata(&fifo).expect("the fifo");
    assert!(
        !meta.file_type().is_file(),
        "the FIFO was replaced by a file"
    );
}

#[test]
fn a_report_written_into_the_walked_folder_is_not_linted() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for name in ["a.json", "c.json"] {
        std::fs::copy(fixture("seed_koreapro_2205786.json"), dir.path().join(name)).expect("copy");
    }
    // Between the two posts in the walk's order, so it is met while posts are found.
    let report_path = dir.path().join("b.json");
    let report = std::fs::File::create(&report_path).expect("report file");
    let status = crate::common::postlint_process()
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg(dir.path())
        .stdout(report)
        .status()
        .expect("run postlint");
    assert!(status.success());
    let written = std::fs::read_to_string(&report_path).expect("read the report");
    assert!(written.contains("\"files\": 2"), "{written}");
    assert!(!written.contains("b.json"), "{written}");
}

/// `postlint check … 2>&1 | head` can close standard error before postlint writes to it: the
/// message is dropped and the exit code is still the run's (2 for a missing file), not the 101
/// of a panic in `eprintln!`. The pipe's reading end is closed before the process starts, so
/// every write meets a broken pipe.
#[test]
fn a_closed_standard_error_keeps_the_exit_code() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--no-config", "no-such-post.json"])
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .expect("postlint starts");
    assert_eq!(status.code(), Some(2));
}
