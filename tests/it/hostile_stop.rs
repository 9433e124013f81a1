//! Runs stopped by a signal while they write, and folders they may not write: a stopped run
//! leaves the report it was replacing and nothing beside it; a folder that refuses the spill
//! or the report is named in one line. Each shown by the real binary on input the test makes.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{as_other_user, is_root, system_tool};

/// `posts` published posts in one NDJSON file, two by two under one slug.
fn site(dir: &Path, posts: usize) -> PathBuf {
    let mut text = String::new();
    for id in 1..=posts {
        let post = crate::common::paired_slug_post(id, &format!("<p>Story {id} <span></span></p>"));
        text.push_str(&post.to_string());
        text.push('\n');
    }
    let path = dir.join("posts.ndjson");
    std::fs::write(&path, text).expect("write posts");
    path
}

fn check(tmpdir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postlint"));
    command.env("TMPDIR", tmpdir).args([
        "check",
        "--no-config",
        "--memory-budget",
        "1",
        "--format",
        "json",
    ]);
    command
}

fn names_in(folder: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(folder).expect("list").flatten();
    let mut names: Vec<String> =
        (entries.map(|e| e.file_name().to_string_lossy().into_owned())).collect();
    names.sort();
    names
}

/// Starts `command`, sends `signal` the moment a file whose name starts with `prefix` appears
/// in `folder` (a temporary file being written), and returns whether the signal ended the run
/// (it may have finished first).
fn stop_while_writing(command: Command, folder: &Path, prefix: &str, signal: i32) -> bool {
    let mut command = slowed_renames(command);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().expect("run");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut sent = false;
    while child.try_wait().expect("wait").is_none() {
        if names_in(folder).iter().any(|name| name.starts_with(prefix)) {
            let target = traced_child(pid).unwrap_or(pid);
            // SAFETY: sends a signal to the child this test started (or the one it traces),
            // not yet reaped.
            assert_eq!(unsafe { libc::kill(target, signal) }, 0);
            sent = true;
            break;
        }
    }
    let status = child.wait().expect("wait");
    let stopped = sent && status.signal() == Some(signal);
    assert!(stopped || status.code() == Some(1), "{status:?}");
    stopped
}

/// `command` under strace, each rename delayed by two seconds, so that the temporary file a
/// run writes stays long enough for the polling to see it: a fix's short write was missed
/// twelve times in a row on a loaded CI machine. Without strace (outside CI) the command runs
/// as it is, and a run may finish before it is caught.
fn slowed_renames(command: Command) -> Command {
    let Some(strace) = system_tool("strace", None) else {
        return command;
    };
    let mut slowed = Command::new(strace);
    slowed.args(["-f", "-qq", "-o", "/dev/null"]);
    slowed.args(["-e", "trace=rename,renameat,renameat2"]);
    slowed.args([
        "-e",
        "inject=rename,renameat,renameat2:delay_enter=2000000",
        "--",
    ]);
    slowed.arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => slowed.env(key, value),
            None => slowed.env_remove(key),
        };
    }
    slowed
}

/// The process strace started, which is the run to stop: strace passes on its exit status and
/// the signal that ended it.
fn traced_child(strace: i32) -> Option<i32> {
    let children = std::fs::read_to_string(format!("/proc/{strace}/task/{strace}/children"));
    children.ok()?.split_whitespace().next()?.parse().ok()
}

#[test]
fn a_run_stopped_while_it_writes_its_report_leaves_the_old_report_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let posts = site(dir.path(), 20_000);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let report = out.path().join("report.json");
    let mut stopped = 0;
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGINT, libc::SIGTERM] {
        std::fs::write(&report, "good\n").expect("write");
        let mut command = check(tmpdir.path());
        command.arg("-o").arg(&report).arg(&posts);
        if stop_while_writing(command, out.path(), ".postlint-", signal) {
            stopped += 1;
            assert_eq!(names_in(out.path()), ["report.json"], "signal {signal}");
            let kept = std::fs::read_to_string(&report).expect("read");
            assert_eq!(kept, "good\n", "signal {signal}");
        } else {
            let text = std::fs::read(&report).expect("read");
            let written: serde_json::Value = serde_json::from_slice(&text).expect("whole");
            assert!(written["diagnostics"].is_array());
        }
        assert!(names_in(tmpdir.path()).is_empty(), "spill folders left");
    }
    assert!(stopped >= 1, "no run was stopped while it wrote");
}

#[test]
fn a_fix_stopped_while_it_writes_leaves_the_old_file_or_the_whole_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let posts = site(dir.path(), 20_000);
    let before = std::fs::read(&posts).expect("read");
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let fixed = fixed_whole(&before, tmpdir.path());
    assert!(fixed != before, "the fix changes nothing");
    let mut stopped = 0;
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGINT, libc::SIGTERM] {
        std::fs::write(&posts, &before).expect("write");
        let mut command = check(tmpdir.path());
        command.arg("--fix").arg(&posts);
        if stop_while_writing(command, dir.path(), ".postlint-fix-", signal) {
            stopped += 1;
            assert_eq!(names_in(dir.path()), ["posts.ndjson"], "signal {signal}");
            // A signal handled once the rename has begun lets it finish: the file is then
            // the whole fixed one. Never anything between the two.
            let kept = std::fs::read(&posts).expect("read");
            assert!(
                kept == before || kept == fixed,
                "signal {signal}: the file is neither the old one nor the whole fix"
            );
        }
    }
    assert!(stopped >= 1, "no fix was stopped while it wrote");
}

/// What a fix that is not stopped makes of `posts`, fixed in a folder of its own.
fn fixed_whole(posts: &[u8], tmpdir: &Path) -> Vec<u8> {
    let folder = tempfile::tempdir().expect("temp dir");
    let copy = folder.path().join("posts.ndjson");
    std::fs::write(&copy, posts).expect("write");
    let output = check(tmpdir).arg("--fix").arg(&copy).output().expect("run");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    std::fs::read(&copy).expect("read")
}

/// A folder the other user may read and enter but not write.
fn read_only_folder(parent: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let folder = parent.join("read-only");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    folder
}

fn readable_by_all(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if path.is_dir() { 0o777 } else { 0o666 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_read_only_temporary_folder_is_named_and_the_facts_stay_in_memory() {
    if !is_root() {
        return; // Needs another user, for whom the mode holds.
    }
    let dir = tempfile::tempdir().expect("temp dir");
    readable_by_all(dir.path());
    let posts = site(dir.path(), 2_000);
    readable_by_all(&posts);
    let read_only = read_only_folder(dir.path());
    let whole = check(dir.path()).arg(&posts).output().expect("run");
    let mut command = check(&read_only);
    command.arg(&posts);
    as_other_user(&mut command);
    let output = command.output().expect("run");
    let told = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{told}");
    assert_eq!(output.stdout, whole.stdout, "the same report: {told}");
    let folder = read_only.display().to_string();
    assert!(
        told.contains("sorted in memory") && told.contains(&folder),
        "{told}"
    );
    // The folder tempfile would have made, never made, is not named.
    assert!(!told.contains("postlint-facts-"), "{told}");
    assert!(names_in(&read_only).is_empty());
}

#[test]
fn a_report_into_a_read_only_folder_is_refused_naming_the_folder() {
    if !is_root() {
        return; // Needs another user, for whom the mode holds.
    }
    let dir = tempfile::tempdir().expect("temp dir");
    readable_by_all(dir.path());
    let posts = site(dir.path(), 20);
    readable_by_all(&posts);
    let read_only = read_only_folder(dir.path());
    let report = read_only.join("report.json");
    // A report the other user may write, in a folder it may not: the rename cannot be made.
    std::fs::set_permissions(
        &read_only,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("chmod");
    std::fs::write(&report, "good\n").expect("write");
    readable_by_all(&report);
    std::fs::set_permissions(
        &read_only,
        std::os::unix::fs::PermissionsExt::from_mode(0o555),
    )
    .expect("chmod");
    let mut command = check(dir.path());
    command.arg("-o").arg(&report).arg(&posts);
    as_other_user(&mut command);
    let output = command.output().expect("run");
    let told = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{told}");
    let folder = format!("cannot make a file in {}", read_only.display());
    assert!(told.contains(&folder), "{told}");
    assert!(!told.contains(".postlint-"), "no temporary name: {told}");
    assert_eq!(std::fs::read_to_string(&report).expect("read"), "good\n");
    assert_eq!(names_in(&read_only), ["report.json"]);
}
