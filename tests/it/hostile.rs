//! Hostile inputs: each gives a finding or a clear error, never a panic or a hang, and the run
//! goes on with the other files. The binary runs under a memory cap (an address-space limit)
//! and a watchdog that kills it, so a runaway allocation or a hang fails the test instead of
//! the machine. The watchdog is a hang guard, not a speed test: speed is measured in `benches/`.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use postlint::engine::LintOptions;

/// Address space the binary may use: generous for a 100 MB input, far below what a quadratic
/// or unbounded allocation would take.
const MEMORY_CAP: u64 = 2 << 30;
/// Long enough for the slowest case in an unoptimised build on a loaded 2-core machine; only a
/// hang reaches it.
const WATCHDOG: Duration = Duration::from_secs(300);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn postlint(args: &[&str], paths: &[&Path]) -> Run {
    let check = ["check", "--threads", "2", "--color", "never"];
    let paths = paths.iter().map(|path| path.as_os_str());
    capped(
        check
            .iter()
            .chain(args)
            .map(std::ffi::OsStr::new)
            .chain(paths),
    )
}

/// The binary with `args`, under the memory cap and the watchdog.
fn capped<'a>(args: impl IntoIterator<Item = &'a std::ffi::OsStr>) -> Run {
    let mut command = crate::common::postlint_process();
    command.args(args).env("COLUMNS", "100");
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_CAP,
                rlim_max: MEMORY_CAP,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = assert_cmd::Command::from_std(command)
        .timeout(WATCHDOG)
        .output()
        .expect("postlint runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "postlint panicked:\n{}",
        run.stderr
    );
    assert!(
        run.code == 0 || run.code == 1 || run.code == 2,
        "postlint was killed or crashed (code {}), stderr:\n{}",
        run.code,
        run.stderr
    );
    run
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write input");
    path
}

/// A post whose content is `html`, written as JSON (escaped by serde_json).
fn post_with_content(html: &str) -> Vec<u8> {
    let post = serde_json::json!({
        "id": 1,
        "date": "2024-03-01T10:00:00",
        "date_gmt": "2024-03-01T10:00:00",
        "title": {"rendered": "T"},
        "content": {"rendered": html},
    });
    serde_json::to_vec(&post).expect("serialise")
}

fn json_report(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).expect("the JSON report is JSON")
}

fn rules_found(report: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().expect("rule").to_owned())
        .collect();
    rules.dedup();
    rules
}

/// A clean post beside every hostile one: it must still be linted.
fn clean(dir: &Path) -> PathBuf {
    write(dir, "zz_clean.json", &post_with_content("<p>Fine.</p>"))
}

#[test]
fn arrays_nested_100000_deep_are_refused_with_a_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = "[".repeat(100_000);
    text.push_str(&"]".repeat(100_000));
    let deep = write(dir.path(), "deep.json", text.as_bytes());
    let run = postlint(&["--format", "json"], &[&deep, &clean(dir.path())]);
    assert_eq!(run.code, 1);
    let report = json_report(&run);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"nesting deeper than 512 levels"),
        "{messages:?}"
    );
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn spans_nested_100000_deep_lint_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = "<span>x".repeat(100_000) + &"</span>".repeat(100_000);
    let deep = write(dir.path(), "spans.json", &post_with_content(&html));
    let run = postlint(&["--format", "json"], &[&deep, &clean(dir.path())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_report(&run)["summary"]["posts"], 2);
}

#[test]
fn a_100_mb_string_lints_and_a_lower_post_limit_stops_it_with_a_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = format!("<p>{}</p>", "a".repeat(100 << 20));
    let big = write(dir.path(), "big.json", &post_with_content(&html));
    drop(html);
    let run = postlint(&["--format", "json"], &[&big]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = postlint(
        &["--format", "json", "--max-post-size", "16MiB"],
        &[&big, &clean(dir.path())],
    );
    assert_eq!(run.code, 1);
    let report = json_report(&run);
    let finding = &report["diagnostics"][0];
    assert_eq!(finding["rule"], "json-syntax");
    assert_eq!(finding["span"]["offset"], 0);
    let message = finding["message"].as_str().expect("message");
    assert!(
        message.contains("larger than the limit of 16.0 MiB"),
        "{message}"
    );
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = write(
        dir.path(),
        "big.json",
        &post_with_content(&"a".repeat(4096)),
    );
    let run = postlint(
        &["--format", "json", "--max-file-size", "1KiB"],
        &[&big, &clean(dir.path())],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is over the limit of 1.0 KiB; raise it with --max-file-size"),
        "{}",
        run.stderr
    );
    assert_eq!(json_report(&run)["summary"]["posts"], 1);
}

#[test]
fn a_million_links_in_one_post() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html: String = (0..1_000_000)
        .map(|i| format!("<a href=\"https://example.org/{i}\">{i}</a> "))
        .collect();
    let many = write(dir.path(), "links.json", &post_with_content(&html));
    let run = postlint(&["--format", "json"], &[&many]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_report(&run)["summary"]["posts"], 1);
}

#[test]
fn a_hundred_thousand_duplicate_links_are_found_in_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = "<a href=\"https://example.org/same\">same</a> ".repeat(100_000);
    let dup = write(dir.path(), "dup.json", &post_with_content(&html));
    let run = postlint(&["--format", "json"], &[&dup]);
    let report = json_report(&run);
    assert_eq!(rules_found(&report), ["duplicate-link"]);
    assert_eq!(report["summary"]["by_rule"]["duplicate-link"], 99_999);
}

#[test]
fn a_one_megabyte_attribute_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = format!("<p class=\"{}\">text</p>", "c".repeat(1 << 20));
    let wide = write(dir.path(), "attr.json", &post_with_content(&html));
    let run = postlint(&["--format", "json"], &[&wide]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn nul_bytes_lone_surrogates_and_a_bom_give_findings_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let escaped_nul = write(
        dir.path(),
        "escaped_nul.json",
        br#"{"id":1,"content":{"rendered":"<p>a\u0000b</p>"}}"#,
    );
    let raw_nul = write(
        dir.path(),
        "raw_nul.json",
        b"{\"id\":1,\"content\":{\"rendered\":\"<p>a\x00c</p>\"}}",
    );
    let surrogate = write(
        dir.path(),
        "surrogate.json",
        br#"{"id":1,"content":{"rendered":"<p>\ud800 and \udc00\ud800x</p>"}}"#,
    );
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(post_with_content("<p>ok</p>"));
    let bom = write(dir.path(), "bom.json", &with_bom);
    let run = postlint(
        &["--format", "json"],
        &[&escaped_nul, &raw_nul, &surrogate, &bom],
    );
    let report = json_report(&run);
    assert_eq!(report["summary"]["posts"], 3);
    assert_eq!(report["summary"]["by_rule"]["not-a-post"], 1, "the raw NUL");
    assert_eq!(
        report["summary"]["by_rule"]["json-syntax"], 3,
        "the lone surrogates"
    );
    for finding in report["diagnostics"].as_array().expect("diagnostics") {
        let file = finding["file"].as_str().expect("file");
        assert!(
            !file.ends_with("bom.json"),
            "the BOM is not a problem: {finding}"
        );
    }
}

#[test]
fn crlf_and_cr_only_line_ends_give_the_same_line_and_column() {
    let lf = "{\n\"id\": 1,\n\"content\": {\"rendered\": \"<p>a</span></p>\"}\n}\n";
    for (name, text) in [
        ("lf", lf.to_owned()),
        ("crlf", lf.replace('\n', "\r\n")),
        ("cr", lf.replace('\n', "\r")),
    ] {
        let file = postlint::source::SourceFile::in_memory(name, text.clone().into_bytes());
        let linter = postlint::engine::Linter::new(
            std::sync::Arc::new(postlint::config::Config::builtin(postlint::rules::REGISTRY)),
            LintOptions::default(),
        );
        let report = linter.lint_file(file, text.as_bytes()).expect("lint");
        let stray = report
            .findings
            .iter()
            .find(|f| f.diagnostic.rule == "stray-end-tag")
            .expect("the stray </span> is found");
        assert_eq!((stray.span.line, stray.span.column), (3, 30), "{name}");
    }
}

#[test]
fn a_fifo_and_a_directory_named_like_posts_do_not_stop_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("fifo.json");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let folder = dir.path().join("x.json");
    std::fs::create_dir(&folder).expect("dir");
    write(&folder, "inside.json", &post_with_content("<p>in</p>"));
    let run = postlint(&["--format", "json"], &[&fifo, &folder, &clean(dir.path())]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("fifo.json: not a regular file"),
        "{}",
        run.stderr
    );
    assert_eq!(json_report(&run)["summary"]["posts"], 2);
    // Walking the folder holding the FIFO skips it the same way, and finishes.
    let run = postlint(&["--format", "json"], &[dir.path()]);
    assert_eq!(json_report(&run)["summary"]["posts"], 2);
}

#[test]
fn a_symlink_loop_in_a_walked_directory_ends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("dir");
    std::os::unix::fs::symlink(dir.path(), sub.join("loop")).expect("symlink");
    std::os::unix::fs::symlink(sub.join("self.json"), sub.join("self.json")).ok();
    clean(&sub);
    let run = postlint(&["--format", "json"], &[dir.path()]);
    assert_eq!(json_report(&run)["summary"]["posts"], 1);
}

#[test]
fn a_file_that_changes_after_it_was_read_still_gets_a_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "changing.json",
        &post_with_content(&"<p>a</span></p>".repeat(50)),
    );
    let outcome = postlint::check(std::slice::from_ref(&path), LintOptions::default());
    assert_eq!(outcome.reports[0].findings.len(), 50);
    // Reports read excerpts back from the file: it is now shorter, then gone.
    std::fs::write(&path, b"{}").expect("shorten");
    let style = postlint::report::human::Style {
        color: false,
        width: 100,
    };
    let text = postlint::report::human::render(&outcome, &style);
    assert!(text.contains("stray-end-tag"));
    assert!(postlint::report::sarif::render(&outcome).contains("stray-end-tag"));
    std::fs::remove_file(&path).expect("remove");
    let text = postlint::report::human::render(&outcome, &style);
    assert!(text.contains("stray-end-tag"));
    let mut out = Vec::new();
    out.write_all(postlint::report::html::render(&outcome).as_bytes())
        .expect("render");
    assert!(!out.is_empty());
}

/// Reads a file and truncates it on disk after the first read, as a concurrent writer would.
struct TruncatedWhileRead {
    file: std::fs::File,
    reads: usize,
}

impl std::io::Read for TruncatedWhileRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let limit = buf.len().min(64);
        let read = self.file.read(&mut buf[..limit])?;
        self.reads += 1;
        if self.reads == 1 {
            self.file.set_len(100)?;
        }
        Ok(read)
    }
}

#[test]
fn a_file_truncated_while_it_is_read_gives_a_syntax_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let posts: Vec<serde_json::Value> = (0..20)
        .map(|_| serde_json::from_slice(&post_with_content("<p>a</span></p>")).expect("post"))
        .collect();
    let path = write(
        dir.path(),
        "growing.json",
        &serde_json::to_vec(&posts).expect("json"),
    );
    let reader = TruncatedWhileRead {
        file: std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .expect("open"),
        reads: 0,
    };
    let linter = postlint::engine::Linter::new(
        std::sync::Arc::new(postlint::config::Config::builtin(postlint::rules::REGISTRY)),
        LintOptions {
            segment_bytes: 64,
            ..LintOptions::default()
        },
    );
    let file = postlint::source::SourceFile {
        name: "growing.json".to_owned(),
        origin: postlint::source::Origin::Path(path.clone()),
    };
    let report = linter.lint_file(file, reader).expect("lint");
    let rules: Vec<&str> = report.findings.iter().map(|f| f.diagnostic.rule).collect();
    assert!(rules.contains(&"json-syntax"), "{rules:?}");
    let outcome = postlint::outcome::CheckOutcome {
        reports: vec![report],
        input_errors: Vec::new(),
        site_notes: Vec::new(),
        notices: Vec::new(),
        baselined: 0,
        shard: None,
        sites: Vec::new(),
        checked_at: None,
    };
    let style = postlint::report::human::Style {
        color: false,
        width: 100,
    };
    assert!(postlint::report::human::render(&outcome, &style).contains("json-syntax"));
}

#[test]
fn standard_input_over_the_size_limit_is_refused() {
    let post = post_with_content("<p>Fine.</p>");
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--max-file-size", "16B", "-"])
        .write_stdin(post.clone())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "-: more than 16 B is over the limit of 16 B; raise it with --max-file-size",
        ));
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--max-file-size", "1MiB", "-"])
        .write_stdin(post)
        .assert()
        .code(0);
}

/// `/dev/zero` given as a file postlint reads back whole (a baseline, a shard's report) is
/// refused before a byte is read (read, it would fill memory up to the cap).
#[test]
fn a_device_given_as_a_baseline_or_a_shard_is_refused_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let post = write(dir.path(), "post.json", &post_with_content("<p>Fine.</p>"));
    let run = postlint(&["--baseline", "/dev/zero"], &[&post]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        (run.stderr).contains("/dev/zero: it is not a regular file or a pipe"),
        "{}",
        run.stderr
    );
    let merge = ["merge", "--no-config"].map(std::ffi::OsStr::new);
    let run = capped(merge.into_iter().chain([std::ffi::OsStr::new("/dev/zero")]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        (run.stderr).contains("/dev/zero: it is not a regular file or a pipe"),
        "{}",
        run.stderr
    );
}

/// A file over the bound is refused by its size, before it is read.
#[test]
fn a_baseline_past_the_bound_is_refused_by_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let post = write(dir.path(), "post.json", &post_with_content("<p>Fine.</p>"));
    let huge = dir.path().join("baseline.json");
    let file = std::fs::File::create(&huge).expect("create");
    // Sparse: no disk is used.
    file.set_len(postlint::source::MAX_READ_WHOLE + 1)
        .expect("grow");
    let run = postlint(&["--baseline", &huge.display().to_string()], &[&post]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("more than"), "{}", run.stderr);
}

/// `--write-baseline` over an older baseline whose new text cannot be written whole (a file
/// size limit, as a full disk): the old baseline is kept as it was, and nothing is left beside it.
#[test]
fn a_baseline_that_cannot_be_written_whole_leaves_the_old_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let posts: Vec<u8> = (1..=60)
        .flat_map(|id| {
            let post = serde_json::json!({
                "id": id, "title": {"rendered": ""}, "content": {"rendered": "<p></p>"},
            });
            let mut line = serde_json::to_vec(&post).expect("serialise");
            line.push(b'\n');
            line
        })
        .collect();
    let posts = write(dir.path(), "posts.ndjson", &posts);
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.display().to_string();
    let run = postlint(&["--write-baseline", &baseline_arg], &[&posts]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let old = std::fs::read(&baseline).expect("the baseline");
    assert!(old.len() > 4 << 10, "{} bytes", old.len());
    let mut command = crate::common::postlint_process();
    command
        .args(["check", "--write-baseline", &baseline_arg])
        .arg(&posts);
    // SAFETY: setrlimit and signal are async-signal-safe and touch only the child. Files past
    // 4 KiB cannot be written (EFBIG rather than the signal).
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 10,
                rlim_max: 4 << 10,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().expect("postlint runs");
    let told = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{told}");
    assert!(told.contains("cannot write"), "{told}");
    assert_eq!(std::fs::read(&baseline).expect("the baseline"), old);
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("listed").collect();
    assert_eq!(
        names.len(),
        2,
        "nothing left beside the baseline: {names:?}"
    );
}
