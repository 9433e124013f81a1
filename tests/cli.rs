//! The real binary: exit codes, formats, standard input, the rules commands.

mod common;

use assert_cmd::Command;
use common::fixture;
use predicates::prelude::*;

fn postlint() -> Command {
    let mut command = Command::cargo_bin("postlint").expect("binary");
    command.env_remove("NO_COLOR").env("COLUMNS", "100");
    command
}

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
        .arg(fixture("cases/invalid_crlf.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 errors, 1 warning in 1 post (1 file)",
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
            "10 errors, 22 warnings, 6 infos in 1 post (1 file)",
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
