//! `postlint check --watch`: a first run, then a run of the whole workspace after each change
//! of a post file's content. Real file-system events; the tests wait on the watcher's lines (the "watching"
//! line, each run's separator, its findings), never on a timer.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::common::project;

/// A guard against a watcher that never reports, not a wait: lines are read as they come.
const NO_ANSWER: Duration = Duration::from_secs(60);

const CLEAN: &str = r#"{"id":1,"content":{"rendered":"<p>fine<\/p>"}}"#;
const BROKEN: &str = r#"{"id":2,"content":{"rendered":"<p>signed<\/a> it<\/p>"}}"#;

/// What starts each run's separator line on standard error.
const SEPARATOR: &str = "────";

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Reads lines until one contains `needle`; returns the lines read before it.
fn until(lines: &Receiver<String>, needle: &str) -> Vec<String> {
    let mut before = Vec::new();
    loop {
        let line = lines
            .recv_timeout(NO_ANSWER)
            .unwrap_or_else(|e| panic!("no line with `{needle}` ({e}); read: {before:?}"));
        if line.contains(needle) {
            return before;
        }
        before.push(line);
    }
}

/// Stops the watcher however the test ends: a failed assertion must not leave it running.
struct Stop(std::process::Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn saved_files_are_linted_again() {
    let dir = project(&[("posts/a.json", CLEAN), ("posts/notes.txt", "")]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args([
            "check",
            "--watch",
            "--no-config",
            "--format",
            "github",
            "posts",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start postlint check --watch");
    let out = lines(child.stdout.take().expect("stdout"));
    let err = lines(child.stderr.take().expect("stderr"));
    let _stop = Stop(child);
    until(&err, "watching for changes");
    // The first run found nothing in a.json; a new file is linted once written.
    std::fs::write(dir.path().join("posts/b.json"), BROKEN).expect("write b.json");
    let before = until(&out, "file=posts/b.json,line=1,col=41");
    assert!(before.iter().all(|l| !l.contains("a.json")), "{before:?}");
    // Saving a.json with a defect lints it again, named as the first run named it.
    std::fs::write(dir.path().join("posts/a.json"), BROKEN).expect("write a.json");
    until(&out, "file=posts/a.json,line=1,col=41");
}

#[test]
fn standard_input_cannot_be_watched() {
    let output = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--watch", "-"])
        .stdin(Stdio::null())
        .output()
        .expect("run postlint");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--watch watches files"), "{stderr}");
}

/// A watcher started in `dir`, its output read line by line, stopped when dropped.
struct Watcher {
    out: Receiver<String>,
    err: Receiver<String>,
    _stop: Stop,
}

impl Watcher {
    /// Starts `postlint check --watch --format github ARGS` and waits until it watches.
    fn start(dir: &std::path::Path, args: &[&str]) -> Self {
        Self::start_with(dir, args, Stdio::piped())
    }

    /// As `start`, with standard output where the test puts it (a file: `out` then stays empty).
    fn start_with(dir: &std::path::Path, args: &[&str], stdout: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
            .args(["check", "--watch", "--format", "github"])
            .args(args)
            .current_dir(dir)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start postlint check --watch");
        let out = match child.stdout.take() {
            Some(stdout) => lines(stdout),
            None => channel().1,
        };
        let err = lines(child.stderr.take().expect("stderr"));
        let watcher = Self {
            out,
            err,
            _stop: Stop(child),
        };
        until(&watcher.err, "watching for changes");
        watcher
    }

    /// Waits for the next run's separator and returns it: a test asserts what it is about, so
    /// a run it did not cause fails it.
    fn next_run(&self) -> String {
        loop {
            let line = self
                .err
                .recv_timeout(NO_ANSWER)
                .unwrap_or_else(|e| panic!("no run started ({e})"));
            if line.contains(SEPARATOR) {
                return line;
            }
        }
    }
}

fn write(dir: &std::path::Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn reads_touches_and_same_text_start_no_run() {
    let dir = project(&[("posts/a.json", BROKEN)]);
    let watcher = Watcher::start(dir.path(), &["--no-config", "posts"]);
    until(&watcher.out, "file=posts/a.json");
    // A read (as `cat` does), a touch, the same text saved again, and a tool's file (which a
    // walk leaves out): none of them is a change of a post's content.
    let a = dir.path().join("posts/a.json");
    let text = std::fs::read(&a).expect("cat a.json");
    let file = std::fs::File::options()
        .append(true)
        .open(&a)
        .expect("open a.json");
    file.set_modified(std::time::SystemTime::now())
        .expect("touch a.json");
    drop(file);
    std::fs::write(&a, &text).expect("save a.json unchanged");
    write(dir.path(), "posts/package.json", r#"{"name":"theme"}"#);
    // Then a real change: exactly one run follows, for it (the run lints the workspace, as a
    // single run does: its other findings are the unchanged posts').
    write(dir.path(), "posts/b.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/b.json changed"), "{run}");
    let before = until(&watcher.out, "file=posts/b.json");
    assert!(
        before.iter().all(|l| l.contains("file=posts/a.json")),
        "{before:?}"
    );
    // The run's own reads of b.json start nothing either: the next run is the next change's.
    write(dir.path(), "posts/c.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/c.json changed"), "{run}");
    let before = until(&watcher.out, "file=posts/c.json");
    let others = |l: &String| l.contains("file=posts/a.json") || l.contains("file=posts/b.json");
    assert!(before.iter().all(others), "{before:?}");
}

#[test]
fn new_folders_moves_and_removals() {
    let dir = project(&[("posts/a.json", CLEAN), ("outside/keep.txt", "")]);
    let watcher = Watcher::start(dir.path(), &["--no-config", "posts"]);
    // A folder made with its files at once (`mkdir -p` then a copy).
    write(dir.path(), "posts/new/deep/z.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/new/deep/z.json changed"), "{run}");
    until(&watcher.out, "file=posts/new/deep/z.json");
    // A folder moved in from outside the watched one.
    write(dir.path(), "outside/moved/m.json", BROKEN);
    let root = dir.path();
    std::fs::rename(root.join("outside/moved"), root.join("posts/moved")).expect("move in");
    let run = watcher.next_run();
    assert!(run.contains("posts/moved/m.json changed"), "{run}");
    until(&watcher.out, "file=posts/moved/m.json");
    // A file deleted: its findings are said to be gone.
    std::fs::remove_file(root.join("posts/new/deep/z.json")).expect("rm z.json");
    let run = watcher.next_run();
    assert!(run.contains("posts/new/deep/z.json removed"), "{run}");
    until(&watcher.err, "posts/new/deep/z.json was removed");
    // A folder moved away: its files are removed from the watch's view.
    std::fs::rename(root.join("posts/moved"), root.join("outside/back")).expect("move out");
    let run = watcher.next_run();
    assert!(run.contains("posts/moved/m.json removed"), "{run}");
}

#[test]
fn a_config_change_lints_everything_again() {
    let dir = project(&[("posts/a.json", BROKEN), ("posts/b.json", BROKEN)]);
    let watcher = Watcher::start(dir.path(), &["posts"]);
    until(&watcher.out, "::error file=posts/b.json");
    let config = "[rules.stray-end-tag]\nseverity = \"warning\"\n";
    write(dir.path(), "postlint.toml", config);
    let run = watcher.next_run();
    assert!(run.contains("the config changed"), "{run}");
    until(&watcher.out, "::warning file=posts/a.json");
    until(&watcher.out, "::warning file=posts/b.json");
    // A mistake in the config is reported, and the watch goes on.
    write(dir.path(), "postlint.toml", "[rules.stray-end-tag\n");
    watcher.next_run();
    until(&watcher.err, "postlint.toml");
    write(dir.path(), "postlint.toml", "");
    watcher.next_run();
    until(&watcher.out, "::error file=posts/a.json");
}

#[test]
fn a_report_redirected_into_the_watched_folder_starts_no_run() {
    let dir = project(&[("posts/a.json", BROKEN)]);
    // As `postlint check --watch posts > posts/report.json` makes it: there before postlint runs.
    let report = dir.path().join("posts/report.json");
    let stdout = std::fs::File::create(&report).expect("create report.json");
    let watcher = Watcher::start_with(dir.path(), &["--no-config", "posts"], stdout.into());
    // Each run writes the report; the next run is still the next change's, about it alone.
    for name in ["b", "c", "d"] {
        write(dir.path(), &format!("posts/{name}.json"), BROKEN);
        let run = watcher.next_run();
        assert!(run.contains(&format!("posts/{name}.json changed")), "{run}");
    }
    // Runs follow one another: the one about c.json wrote all of its report before d's began.
    let written = std::fs::read_to_string(&report).expect("read report.json");
    for name in ["a", "b", "c"] {
        assert!(
            written.contains(&format!("file=posts/{name}.json")),
            "{written}"
        );
    }
    assert!(!written.contains("report.json"), "{written}");
}

#[test]
fn a_folder_removed_and_made_again_is_watched_again() {
    let dir = project(&[("posts/a.json", BROKEN)]);
    let watcher = Watcher::start(dir.path(), &["--no-config", "posts"]);
    let posts = dir.path().join("posts");
    std::fs::remove_dir_all(&posts).expect("rm -rf posts");
    let run = watcher.next_run();
    assert!(run.contains("posts/a.json removed"), "{run}");
    write(dir.path(), "posts/b.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/b.json changed"), "{run}");
    until(&watcher.out, "file=posts/b.json");
    // Watched with its subfolders again, not only found once.
    write(dir.path(), "posts/deep/c.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/deep/c.json changed"), "{run}");
}

#[test]
fn the_folder_of_a_named_file_removed_and_made_again_is_watched_again() {
    let dir = project(&[("posts/a.json", BROKEN)]);
    let watcher = Watcher::start(dir.path(), &["--no-config", "posts/a.json"]);
    until(&watcher.out, "file=posts/a.json");
    std::fs::remove_dir_all(dir.path().join("posts")).expect("rm -rf posts");
    let run = watcher.next_run();
    assert!(run.contains("posts/a.json removed"), "{run}");
    write(dir.path(), "posts/a.json", CLEAN);
    let run = watcher.next_run();
    assert!(run.contains("posts/a.json changed"), "{run}");
    // Its saves are seen again, as any save.
    write(dir.path(), "posts/a.json", BROKEN);
    let run = watcher.next_run();
    assert!(run.contains("posts/a.json changed"), "{run}");
    until(&watcher.out, "file=posts/a.json");
}

#[test]
fn a_tool_file_the_new_config_names_is_watched() {
    let dir = project(&[("posts/a.json", CLEAN), ("posts/package.json", "{}")]);
    let watcher = Watcher::start(dir.path(), &["posts"]);
    write(
        dir.path(),
        "postlint.toml",
        "[[overrides]]\nfiles = [\"posts/package.json\"]\n",
    );
    let run = watcher.next_run();
    assert!(run.contains("the config changed"), "{run}");
    until(&watcher.out, "file=posts/package.json");
    write(dir.path(), "posts/package.json", r#"{"name":"theme"}"#);
    let run = watcher.next_run();
    assert!(run.contains("posts/package.json changed"), "{run}");
    until(&watcher.out, "file=posts/package.json");
}

/// A folder saved with `--save` is linted with what was saved beside it in a watch's batches
/// too: a change in it lints the saved site again, whole; a change beside it lints that file.
#[test]
fn a_change_in_a_saved_site_lints_the_site_with_its_manifest() {
    const MANIFEST: &str = r#"{"site":"https://news.example.com/","whole":false,"index":{"name":"News","timezone_string":"Europe/Madrid"}}"#;
    let dir = project(&[
        ("saved/site/.postlint-site.json", MANIFEST),
        ("saved/site/a.json", CLEAN),
        ("saved/other/b.json", CLEAN),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args([
            "check",
            "--watch",
            "--no-config",
            "--format",
            "json",
            "saved",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start postlint check --watch");
    let out = lines(child.stdout.take().expect("stdout"));
    let err = lines(child.stderr.take().expect("stderr"));
    let _stop = Stop(child);
    until(&err, "watching for changes");
    // The first run names the saved site.
    until(&out, "saved in saved/site");
    // A file beside the site: the workspace again, the site with its manifest.
    std::fs::write(dir.path().join("saved/other/b.json"), BROKEN).expect("write b.json");
    until(&out, r#""file": "saved/other/b.json""#);
    // A file of the site: the site again, with its zone.
    std::fs::write(dir.path().join("saved/site/a.json"), BROKEN).expect("write a.json");
    until(&out, "zone Europe/Madrid from its saved REST index");
    until(&out, r#""file": "saved/site/a.json""#);
}

#[test]
fn a_copy_of_a_post_is_compared_with_the_others_as_in_a_single_run() {
    let post = |id: u32| {
        format!(
            r#"{{"id":{id},"slug":"same","status":"publish","type":"post","link":"https://news.example.com/p{id}/","content":{{"rendered":"<p>fine<\/p>"}}}}"#
        )
    };
    let dir = project(&[("posts/a.json", &post(1))]);
    let watcher = Watcher::start(dir.path(), &["--no-config", "posts"]);
    // The copy shares the first post's slug: the site rule sees both, as `check posts` would.
    std::fs::write(dir.path().join("posts/b.json"), post(2)).expect("write b.json");
    until(&watcher.out, "duplicate-slug");
}
