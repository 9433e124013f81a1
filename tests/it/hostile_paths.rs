//! Paths named on the command line that cannot be read: a loop of symbolic links, a link to
//! nothing, a folder or a file without read permission, a folder on the way that may not be
//! searched. Each is one clear line naming the path and what it is; the other inputs are
//! linted and reported; the run exits 2, as for any input that could not be read.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crate::common::{as_other_user, is_root, postlint_process};

const POST: &str = r#"{"id":1,"title":{"rendered":"Hi"},"content":{"rendered":"<p>Hi</p>"}}"#;

/// `postlint check --no-config --format json good.json ARGS` in `dir`, as a user whom the
/// modes bind (another user when this is root).
fn check_as_user(dir: &Path, args: &[&str]) -> Output {
    let mut command = postlint_process();
    command
        .current_dir(dir)
        .args(["check", "--no-config", "--format", "json", "good.json"])
        .args(args);
    if is_root() {
        as_other_user(&mut command);
    }
    command.output().expect("run postlint")
}

/// A folder all may read, holding `good.json`.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let good = dir.path().join("good.json");
    std::fs::write(&good, POST).expect("write");
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    dir
}

/// The run exits 2, says `expected` on stderr, and reports `good.json`'s post.
fn assert_reported_beside_the_rest(out: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["summary"]["posts"], 1, "{stderr}");
}

#[test]
fn a_loop_of_symbolic_links_is_named_as_one() {
    let dir = folder();
    std::os::unix::fs::symlink("b.json", dir.path().join("a.json")).expect("link");
    std::os::unix::fs::symlink("a.json", dir.path().join("b.json")).expect("link");
    std::os::unix::fs::symlink("self.json", dir.path().join("self.json")).expect("link");
    let out = check_as_user(dir.path(), &["a.json", "self.json"]);
    assert_reported_beside_the_rest(&out, "a.json: a loop of symbolic links");
    assert_reported_beside_the_rest(&out, "self.json: a loop of symbolic links");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no such file"));
}

#[test]
fn a_link_to_nothing_names_its_target() {
    let dir = folder();
    std::os::unix::fs::symlink("gone/post.json", dir.path().join("dangling.json")).expect("link");
    let out = check_as_user(dir.path(), &["dangling.json", "missing.json"]);
    assert_reported_beside_the_rest(
        &out,
        "dangling.json: a symbolic link to gone/post.json, which does not exist",
    );
    assert_reported_beside_the_rest(&out, "missing.json: no such file or directory");
}

#[test]
fn a_folder_without_read_permission_is_named() {
    let dir = folder();
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).expect("dir");
    std::fs::write(closed.join("inside.json"), POST).expect("write");
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let out = check_as_user(dir.path(), &["closed", "closed/inside.json"]);
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_reported_beside_the_rest(&out, "closed: cannot read the folder: permission denied");
    assert_reported_beside_the_rest(
        &out,
        "closed/inside.json: cannot read: Permission denied (os error 13)",
    );
}

#[test]
fn a_file_without_read_permission_is_named() {
    let dir = folder();
    let closed = dir.path().join("closed.json");
    std::fs::write(&closed, POST).expect("write");
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let out = check_as_user(dir.path(), &["closed.json"]);
    assert_reported_beside_the_rest(
        &out,
        "closed.json: cannot read: Permission denied (os error 13)",
    );
}
