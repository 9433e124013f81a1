//! `--fix` against hostile files and folders: it writes the file it fixes and nothing else,
//! keeps that file's owner and mode, refuses what it cannot replace whole (saying so, exit 2),
//! never loses an edit saved meanwhile, and stays linear in the number of fixes.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use postlint::config::Config;

use crate::common::{OTHER_GID, OTHER_UID, as_other_user, is_root, postlint_process};
use postlint::engine::{LintOptions, Linter};
use postlint::fix::{self, FileFix, FixOptions};

/// One post whose empty span `--fix` removes, and the post after it.
const FIXABLE: &str = r#"{"id":1,"content":{"rendered":"<p>Hello <span></span>world</p>"}}"#;
const FIXED: &str = r#"{"id":1,"content":{"rendered":"<p>Hello world</p>"}}"#;

/// `postlint check --no-config ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> Output {
    postlint_process()
        .current_dir(dir)
        .args(["check", "--no-config"])
        .args(args)
        .output()
        .expect("run postlint")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder holding `post.json`, fixable.
fn folder_with_post() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let post = dir.path().join("post.json");
    std::fs::write(&post, FIXABLE).expect("write post");
    (dir, post)
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The plan `--fix` makes for one file, in this process.
fn plan_for(file: &Path) -> FileFix {
    let config = Arc::new(Config::builtin(postlint::rules::REGISTRY));
    let linting = LintOptions {
        hash_content: true,
        ..LintOptions::default()
    };
    let outcome = postlint::check_with(&[file.to_path_buf()], config.clone(), linting);
    let linter = Linter::new(config, LintOptions::default());
    let plans = fix::plan(&linter, &outcome.reports, FixOptions::default());
    let plan = plans.into_iter().next().expect("a plan");
    plan.expect("fixable")
}

/// Asserts the run failed with exit 2, said `says`, and left `post` as it was with no
/// temporary file beside it.
fn assert_left_whole(out: &Output, says: &str, post: &Path) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(says), "{}", stderr(out));
    assert_eq!(std::fs::read_to_string(post).expect("read post"), FIXABLE);
    let folder = post.parent().expect("folder");
    let leftovers: Vec<String> = names_in(folder)
        .into_iter()
        .filter(|n| n.contains("postlint-fix"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn links_planted_at_temporary_names_are_never_followed() {
    // The temporary file was `<stem>.postlint-fix-<pid>`, written through any link there: in
    // this process the pid is known, as an attacker can guess a CI runner's.
    let (dir, post) = folder_with_post();
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "not postlint's").expect("write victim");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let planted = dir
        .path()
        .join(format!("post.postlint-fix-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).expect("plant a link");
    let plan = plan_for(&post);
    fix::write(&plan).expect("written");
    assert_eq!(std::fs::read_to_string(&post).expect("read"), FIXED);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "not postlint's"
    );
    let mode = std::fs::metadata(&victim).expect("victim").mode() & 0o7777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::symlink_metadata(&planted)
            .expect("link")
            .is_symlink()
    );
    let planted_name = planted.file_name().expect("name").to_string_lossy();
    assert_eq!(names_in(dir.path()), ["post.json", planted_name.as_ref()]);
}

#[test]
fn a_symlink_named_on_the_command_line_is_fixed_through() {
    let (dir, post) = folder_with_post();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("post.json", &link).expect("link");
    let out = check(dir.path(), &["--fix", "link.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("fixed 1 findings in 1 files"));
    assert!(std::fs::symlink_metadata(&link).expect("link").is_symlink());
    assert_eq!(std::fs::read_to_string(&post).expect("read"), FIXED);
    // The same file by two names is written once, not refused as changed the second time.
    std::fs::write(&post, FIXABLE).expect("write post");
    let out = check(dir.path(), &["--fix", "link.json", "post.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&post).expect("read"), FIXED);
}

#[test]
fn symlinks_met_in_a_folder_walk_are_not_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    let victim = outside.path().join("victim.json");
    std::fs::write(&victim, FIXABLE).expect("write victim");
    std::os::unix::fs::symlink(&victim, dir.path().join("committed.json")).expect("link");
    let out = check(dir.path(), &["--fix", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), FIXABLE);
}

#[test]
fn another_users_file_keeps_its_owner_group_and_mode() {
    if !is_root() {
        eprintln!("skipped: only root can give a file to another user");
        return;
    }
    let (dir, post) = folder_with_post();
    std::os::unix::fs::chown(&post, Some(OTHER_UID), Some(OTHER_GID)).expect("chown");
    std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = check(dir.path(), &["--fix", "post.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&post).expect("read"), FIXED);
    let metadata = std::fs::metadata(&post).expect("metadata");
    assert_eq!(
        (metadata.uid(), metadata.gid(), metadata.mode() & 0o7777),
        (OTHER_UID, OTHER_GID, 0o640)
    );
}

/// Runs `postlint check --no-config ARGS` in `dir` as `OTHER_UID`, when this is root.
fn check_as_other_user(dir: &Path, args: &[&str]) -> Output {
    let mut command = postlint_process();
    command
        .current_dir(dir)
        .args(["check", "--no-config"])
        .args(args);
    as_other_user(&mut command);
    command.output().expect("run postlint")
}

#[test]
fn a_user_who_cannot_keep_the_owner_leaves_the_file_alone() {
    if !is_root() {
        eprintln!("skipped: the test needs two users, so root to switch");
        return;
    }
    // Root's file, writable by all, in a folder all may write: replacing it would hand it to
    // the user who fixed it.
    let (dir, post) = folder_with_post();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let out = check_as_other_user(dir.path(), &["--fix", "post.json"]);
    assert_left_whole(&out, "cannot keep its owner (uid 0, gid 0)", &post);
    assert_eq!(std::fs::metadata(&post).expect("metadata").uid(), 0);
}

#[test]
fn a_folder_this_user_cannot_write_leaves_the_file_whole() {
    let (dir, post) = folder_with_post();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let out = if is_root() {
        check_as_other_user(dir.path(), &["--fix", "post.json"])
    } else {
        check(dir.path(), &["--fix", "post.json"])
    };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_left_whole(&out, "cannot create a temporary file in", &post);
    assert!(
        stderr(&out).contains("Permission denied"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hard_linked_file_is_refused_and_left_whole() {
    let (dir, post) = folder_with_post();
    let other = dir.path().join("other-name.json");
    std::fs::hard_link(&post, &other).expect("hard link");
    let out = check(dir.path(), &["--fix", "post.json"]);
    assert_left_whole(&out, "it has 2 hard links", &post);
    let (a, b) = (std::fs::metadata(&post), std::fs::metadata(&other));
    assert_eq!(a.expect("post").ino(), b.expect("other").ino());
}

#[test]
fn a_read_only_file_is_refused_and_left_whole() {
    let (dir, post) = folder_with_post();
    std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = check(dir.path(), &["--fix", "post.json"]);
    assert_left_whole(&out, "it is read-only", &post);
    let mode = std::fs::metadata(&post).expect("metadata").mode() & 0o7777;
    assert_eq!(mode, 0o444);
}

#[test]
fn a_write_that_fails_leaves_the_original_and_exits_2() {
    // A file size limit below the fixed file's size: write(2) fails with EFBIG, as it fails
    // with ENOSPC on a full disk, at the same place.
    let (dir, post) = folder_with_post();
    let mut command = postlint_process();
    command
        .current_dir(dir.path())
        .args(["check", "--no-config", "--fix", "post.json"]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            // Ignored, the signal a write past the limit raises becomes an error (EFBIG).
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 16,
                rlim_max: 16,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().expect("run postlint");
    assert_left_whole(
        &out,
        "not written (the file is as it was): cannot write",
        &post,
    );
}

#[test]
fn a_full_disk_leaves_the_original_and_exits_2() {
    // A 1 MiB tmpfs filled up, in a mount namespace of the child's own.
    let (dir, post) = folder_with_post();
    let mount = dir.path().join("disk");
    std::fs::create_dir(&mount).expect("mkdir");
    let script = r#"
        mount -t tmpfs -o size=1m tmpfs "$1" || exit 99
        cp "$2" "$1/post.json"
        cat /dev/zero > "$1/fill" 2>/dev/null
        "$3" check --no-config --fix "$1/post.json" 2>&1
        echo "exit $?"
        cat "$1/post.json"; echo
        ls -A "$1"
    "#;
    let out = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh"])
        .args([&mount, &post, Path::new(env!("CARGO_BIN_EXE_postlint"))])
        .output();
    let out = match out {
        Ok(out) if out.status.code() != Some(99) && out.status.success() => out,
        _ => {
            eprintln!("skipped: no mount namespace with a tmpfs here (needs root and unshare)");
            return;
        }
    };
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("No space left on device"), "{said}");
    assert!(said.contains("exit 2\n"), "{said}");
    assert!(
        said.contains(&format!("{FIXABLE}\nfill\npost.json\n")),
        "{said}"
    );
}

/// Makes a file immutable for as long as it lives, when the file system allows it.
struct Immutable<'p>(&'p Path);

impl<'p> Immutable<'p> {
    fn set(path: &'p Path) -> Option<Self> {
        let made = Command::new("chattr").arg("+i").arg(path).output();
        made.is_ok_and(|out| out.status.success())
            .then_some(Self(path))
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).output();
    }
}

#[test]
fn an_immutable_file_is_left_whole_and_exits_2() {
    let (dir, post) = folder_with_post();
    let Some(_immutable) = Immutable::set(&post) else {
        eprintln!("skipped: chattr +i is not allowed here");
        return;
    };
    let out = check(dir.path(), &["--fix", "post.json"]);
    assert_left_whole(&out, "cannot replace", &post);
    assert!(
        stderr(&out).contains("Operation not permitted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_rest_of_the_run_goes_on_after_a_file_is_refused() {
    let (dir, post) = folder_with_post();
    std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let second = dir.path().join("second.json");
    std::fs::write(&second, FIXABLE).expect("write");
    let out = check(
        dir.path(),
        &["--fix", "--format", "json", "post.json", "second.json"],
    );
    assert_left_whole(&out, "post.json: not written: it is read-only", &post);
    assert_eq!(std::fs::read_to_string(&second).expect("read"), FIXED);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(files.iter().all(|f| *f == "post.json"), "{files:?}");
    assert!(
        !files.is_empty(),
        "the refused file's finding is still reported"
    );
}

#[test]
fn an_edit_saved_while_the_fix_is_written_is_kept() {
    for by_rename in [false, true] {
        let (dir, post) = folder_with_post();
        let plan = plan_for(&post);
        let staged = fix::stage(&plan).expect("staged");
        let temporary = staged.path().to_path_buf();
        assert_eq!(std::fs::read_to_string(&temporary).expect("read"), FIXED);
        // The editor saves now, in place or through a file of its own renamed over.
        let edited = FIXABLE.replace("Hello", "Hello again,");
        if by_rename {
            let saved = dir.path().join("editor-save");
            std::fs::write(&saved, &edited).expect("write");
            std::fs::rename(&saved, &post).expect("rename");
        } else {
            std::fs::write(&post, &edited).expect("write");
        }
        let refused = staged.commit().expect_err("refused");
        assert!(refused.to_string().contains("changed on disk"), "{refused}");
        assert_eq!(std::fs::read_to_string(&post).expect("read"), edited);
        assert!(!temporary.exists(), "the temporary file is removed");
    }
}

/// How long something takes (a whole process, a request), and what it gave.
fn timed<T>(run: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = run();
    (start.elapsed(), value)
}

/// `--fix` against a lint of the same file: quadratic work in the number of fixes shows as a
/// ratio in the tens or hundreds.
fn assert_fix_costs_about_a_lint(file: &str, text: &str, fixes: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(file), text).expect("write");
    let args = ["--format", "json", "-o", "report.json", file];
    let (lint, _) = timed(|| check(dir.path(), &args));
    let (fixing, out) = timed(|| check(dir.path(), &[&["--fix"], &args[..]].concat()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = format!("fixed {fixes} findings in 1 files");
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    assert!(
        fixing < lint * 10 + Duration::from_secs(10),
        "{fixes} fixes: --fix took {fixing:?}, a lint {lint:?}"
    );
}

#[test]
fn a_hundred_thousand_posts_with_a_fix_each_cost_about_a_lint() {
    let posts: String = (0..100_000)
        .map(|i| format!("{}\n", FIXABLE.replace("\"id\":1", &format!("\"id\":{i}"))))
        .collect();
    assert_fix_costs_about_a_lint("posts.ndjson", &posts, 100_000);
}

#[test]
fn a_post_with_a_hundred_thousand_fixes_costs_about_a_lint() {
    let body = "<p>x <span></span>y</p>".repeat(100_000);
    let post = format!(r#"{{"id":1,"content":{{"rendered":"{body}"}}}}"#);
    assert_fix_costs_about_a_lint("post.json", &post, 100_000);
}

#[test]
fn fixes_that_fail_together_are_sorted_out_in_bounded_time() {
    const PAIRS: usize = 1_000;
    // Each https upgrade makes its link a duplicate of the one before: every fix fails, and
    // trying them one at a time would relint the file once per fix.
    let links: String = (0..PAIRS)
        .map(|i| {
            format!(
                "<a href=\\\"https://news.example.com/{i}/\\\">a</a> \
                 <a href=\\\"http://news.example.com/{i}/\\\">b</a> "
            )
        })
        .collect();
    let post = format!(r#"{{"id":1,"content":{{"rendered":"<p>{links}</p>"}}}}"#);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("postlint.toml"),
        "https-only-hosts = [\"news.example.com\"]\n",
    )
    .expect("config");
    std::fs::write(dir.path().join("post.json"), &post).expect("write");
    let (took, out) = timed(|| {
        postlint_process()
            .current_dir(dir.path())
            .args(["check", "--fix", "--unsafe-fixes", "post.json"])
            .output()
            .expect("run")
    });
    assert!(took < Duration::from_secs(120), "{took:?}");
    let said = stderr(&out);
    let dropped = said
        .matches("dropped, it would break the JSON or add a finding")
        .count();
    let untried: usize = said
        .lines()
        .filter_map(|line| line.split_once(" fixes left out untried"))
        .find_map(|(before, _)| before.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert_eq!(
        dropped + untried,
        PAIRS,
        "every fix is accounted for:\n{said}"
    );
    assert!(dropped > 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("post.json")).expect("read"),
        post
    );
}

#[test]
fn one_bad_fix_among_many_costs_a_few_relints() {
    // 50,000 empty spans to remove, and one https upgrade that would duplicate a link: the
    // upgrade is found from where the new finding is, not by relinting for each fix.
    let spans = "<p>x <span></span>y</p>".repeat(50_000);
    let links = "<a href=\\\"https://news.example.com/\\\">a</a> \
                 <a href=\\\"http://news.example.com/\\\">b</a>";
    let post = format!(r#"{{"id":1,"content":{{"rendered":"{spans}<p>{links}</p>"}}}}"#);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("postlint.toml"),
        "https-only-hosts = [\"news.example.com\"]\n",
    )
    .expect("config");
    std::fs::write(dir.path().join("post.json"), &post).expect("write");
    let run = |args: &[&str]| {
        timed(|| {
            postlint_process()
                .current_dir(dir.path())
                .arg("check")
                .args(args)
                .args(["--format", "json", "-o", "report.json", "post.json"])
                .output()
                .expect("run")
        })
    };
    let (lint, _) = run(&[]);
    let (fixing, out) = run(&["--fix", "--unsafe-fixes"]);
    let said = stderr(&out);
    assert!(said.contains("fixed 50000 findings in 1 files"), "{said}");
    assert_eq!(
        said.matches("dropped, it would break the JSON or add a finding")
            .count(),
        1,
        "{said}"
    );
    assert!(
        fixing < lint * 10 + Duration::from_secs(10),
        "--fix took {fixing:?}, a lint {lint:?}"
    );
}

/// Makes LSP edits of a one-line ASCII text (characters are bytes there), in one pass.
fn apply_one_line_edits(text: &str, edits: &[serde_json::Value]) -> String {
    let at = |position: &serde_json::Value| {
        assert_eq!(position["line"], 0);
        position["character"].as_u64().expect("character") as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = (edits.iter())
        .map(|e| {
            let text = e["newText"].as_str().expect("newText");
            (at(&e["range"]["start"]), at(&e["range"]["end"]), text)
        })
        .collect();
    edits.sort_by_key(|e| e.0);
    let (mut out, mut done) = (String::new(), 0);
    for (start, end, new) in edits {
        out.push_str(&text[done..start]);
        out.push_str(new);
        done = end;
    }
    out.push_str(&text[done..]);
    out
}

#[test]
fn the_servers_code_actions_stay_linear_on_a_post_with_many_fixes() {
    use crate::server::{Client, uri};
    use serde_json::{Value, json};
    let body = "<p>x <span></span>y</p>".repeat(1_000);
    let post = format!(r#"{{"id":1,"content":{{"rendered":"{body}"}}}}"#);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("post.json");
    std::fs::write(&path, &post).expect("write");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    client.open(&path, &post);
    let (took, actions) = timed(|| {
        // A selection of the whole post, as "select all" then the light bulb asks.
        client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(&path)},
                "range": {"start": {"line": 0, "character": 0},
                          "end": {"line": 1, "character": 0}},
                "context": {"diagnostics": []},
            }),
        )
    });
    let actions = actions.as_array().expect("actions");
    let quick = actions.iter().filter(|a| a["kind"] == "quickfix").count();
    assert!((1..=16).contains(&quick), "{quick} quick fixes");
    let fix_all = (actions.iter())
        .find(|a| a["kind"] == "source.fixAll.postlint")
        .expect("fix all");
    let edits = fix_all["edit"]["changes"][uri(&path)]
        .as_array()
        .expect("edits");
    assert_eq!(edits.len(), 1_000);
    let fixed_here = apply_one_line_edits(&post, edits);
    assert!(client.shut_down().success());
    let out = check(dir.path(), &["--fix", "post.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fixed_here, std::fs::read_to_string(&path).expect("read"));
    let (lint, _) = timed(|| check(dir.path(), &["post.json"]));
    assert!(
        took < lint * 60 + Duration::from_secs(20),
        "code actions took {took:?}, a lint {lint:?}"
    );
}
