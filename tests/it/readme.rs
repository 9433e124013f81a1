//! The README's quick start, run as a new user would type it: each command of its first code
//! block under "Quick start", in a folder holding a copy of the fixtures, must run (exit 0 or 1,
//! never a usage error) and print something.

use std::path::Path;
use std::process::Command;

/// The commands of the code block under `## Quick start`, comments removed.
fn quick_start(readme: &str) -> Vec<String> {
    let section = readme
        .split("\n## Quick start\n")
        .nth(1)
        .expect("the README has a `## Quick start` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("a ```sh block in the quick start");
    block
        .lines()
        .map(|line| line.split(" # ").next().unwrap_or(line).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder made");
    for entry in std::fs::read_dir(from).expect("fixtures listed") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("fixture copied");
        }
    }
}

#[test]
fn the_quick_start_runs_as_written() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let commands = quick_start(&readme);
    assert_eq!(commands.len(), 5, "five commands: {commands:?}");
    let home = tempfile::tempdir().expect("temporary folder");
    copy_dir(Path::new("fixtures"), &home.path().join("fixtures"));
    let binary = assert_cmd::cargo::cargo_bin("postlint");
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[0], "postlint", "{command}: starts with postlint");
        let output = Command::new(&binary)
            .args(&words[1..])
            .current_dir(home.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("postlint runs");
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{command}: exit {code:?}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.stdout.is_empty(),
            "{command}: printed nothing\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        for word in &words {
            if let Some(file) = word.split_once('=').map(|(_, file)| file) {
                assert!(
                    home.path().join(file).is_file(),
                    "{command}: wrote no {file}"
                );
            }
        }
    }
}
