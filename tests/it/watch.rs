//! `postlint check --watch`: a first run, then a run over each post file as it is saved.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::common::project;

/// A guard against a watcher that never reports, not a wait: lines are read as they come.
const NO_ANSWER: Duration = Duration::from_secs(60);

const CLEAN: &str = r#"{"id":1,"content":{"rendered":"<p>fine<\/p>"}}"#;
const BROKEN: &str = r#"{"id":2,"content":{"rendered":"<p>signed<\/a> it<\/p>"}}"#;

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
