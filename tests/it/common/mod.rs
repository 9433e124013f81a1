//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use postlint::diagnostic::{Finding, Severity};
use postlint::engine::LintOptions;
use postlint::outcome::FileReport;

/// A fixture's path relative to the package root, where cargo runs tests, so that reports
/// (and their snapshots) show the same path on every machine.
pub fn fixture(path: &str) -> PathBuf {
    Path::new("fixtures").join(path)
}

/// The shared corpus beside the project, when this checkout has one.
pub fn shared(path: &str) -> Option<PathBuf> {
    let dir = Path::new("../shared").join(path);
    if dir.exists() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "../shared/{path} is missing, and CI must have it"
    );
    eprintln!("skipped: ../shared/{path} is absent (a clone without the shared corpus)");
    None
}

pub fn lint(path: &Path) -> Vec<FileReport> {
    let outcome = postlint::check(&[path.to_path_buf()], LintOptions::default());
    assert!(
        outcome.input_errors.is_empty(),
        "{:?}",
        outcome.input_errors
    );
    outcome.reports
}

pub fn findings(path: &Path) -> Vec<Finding> {
    lint(path).into_iter().flat_map(|r| r.findings).collect()
}

/// (rule, severity, line, column) of each finding: the compact form tests compare.
pub fn positions(findings: &[Finding]) -> Vec<(&'static str, Severity, usize, usize)> {
    findings
        .iter()
        .map(|f| {
            (
                f.diagnostic.rule,
                f.diagnostic.severity,
                f.span.line,
                f.span.column,
            )
        })
        .collect()
}

/// Line and column computed the plain way, independently of postlint's line index: lines
/// end at `\n`, `\r\n` or `\r`, columns count characters.
pub fn naive_line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let text = String::from_utf8_lossy(&bytes[..offset])
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A tool from the system (a validator, a browser) that a test needs: `None` (the test skips
/// with a message) when it is absent, except under `CI=true`, where `.ci/run` installs it and
/// its absence is a failure.
pub fn system_tool(name: &str, env_override: Option<&str>) -> Option<PathBuf> {
    let from_env = env_override
        .and_then(std::env::var_os)
        .map(PathBuf::from)
        .filter(|p| p.exists());
    let found = from_env.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is missing, and CI must have it (.ci/run installs it)"
        );
        eprintln!("skipped: {name} is not installed here (.ci/run installs it)");
    }
    found
}

/// The binary as a process to set up by hand (`pre_exec`, a user): no password in its
/// environment, colour left to `--color`, 100 columns.
pub fn postlint_process() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"));
    command
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100");
    command
}

/// The binary, as [`postlint_process`] sets it up, for `assert_cmd`'s assertions.
pub fn postlint() -> assert_cmd::Command {
    assert_cmd::Command::from_std(postlint_process())
}

/// `postlint check --no-config ARGS`.
pub fn check(args: &[&str]) -> assert_cmd::Command {
    let mut command = postlint();
    command.args(["check", "--no-config"]).args(args);
    command
}

/// A folder with files written from `(path, text)` pairs.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

pub mod http;
pub mod long_runs;
pub mod site;

/// A user and group that own nothing here (root reads whatever the mode says).
pub const OTHER_UID: u32 = 12345;
pub const OTHER_GID: u32 = 23456;

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Makes `command` run as `OTHER_UID`/`OTHER_GID` (this process must be root).
pub fn as_other_user(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setgid(OTHER_GID) != 0 || libc::setuid(OTHER_UID) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Published post `id` of a generated site where posts share a slug two by two (`story-1` for
/// posts 1 and 2), with `content` as its rendered content.
pub fn paired_slug_post(id: usize, content: &str) -> serde_json::Value {
    let slug = format!("story-{}", id.div_ceil(2));
    serde_json::json!({
        "id": id,
        "date": "2024-01-01T10:00:00",
        "date_gmt": "2024-01-01T01:00:00",
        "slug": slug,
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example.com/2024/01/{slug}-{id}/"),
        "title": { "rendered": format!("Story {id}") },
        "content": { "rendered": content },
    })
}
