//! The spill of `--memory-budget` and the config under hostile conditions: no temporary folder,
//! a disk that fills, signals at any moment; configs that extend devices, pipes, `/proc` files
//! or each other without end, and configs with many mistakes. Each guarantee is shown by the
//! real binary (or the library) on input the test makes.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use postlint::config::{CliRules, Config, ConfigError, ConfigRequest};

/// Published posts of one site, two by two under one slug, in `files` files: each pair is a
/// `duplicate-slug` error.
fn duplicate_slugs(dir: &Path, posts: usize, files: usize) -> Vec<PathBuf> {
    let per_file = posts.div_ceil(files);
    let mut paths = Vec::new();
    for file in 0..files {
        let mut text = String::new();
        for id in (file * per_file + 1)..=((file + 1) * per_file).min(posts) {
            let post = crate::common::paired_slug_post(id, &format!("<p>Story {id}.</p>"));
            text.push_str(&post.to_string());
            text.push('\n');
        }
        let path = dir.join(format!("posts-{file:03}.ndjson"));
        std::fs::write(&path, text).expect("write posts");
        paths.push(path);
    }
    paths
}

/// `postlint check --no-config --format json` over `inputs`, its temporary folder `tmpdir`.
fn check(tmpdir: &Path, budget: Option<&str>, inputs: &[PathBuf]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postlint"));
    command.env("TMPDIR", tmpdir).args([
        "check",
        "--no-config",
        "--threads",
        "2",
        "--format",
        "json",
    ]);
    if let Some(budget) = budget {
        command.args(["--memory-budget", budget]);
    }
    command.args(inputs);
    command
}

fn duplicate_slug_errors(output: &Output) -> usize {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    (diagnostics.iter())
        .filter(|d| d["rule"] == "duplicate-slug")
        .count()
}

/// The spill folders left in `tmpdir`.
fn spill_folders(tmpdir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(tmpdir).into_iter().flatten().flatten();
    entries
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("postlint-facts-")
        })
        .map(|e| e.path())
        .collect()
}

fn files_in(folders: &[PathBuf]) -> usize {
    (folders.iter())
        .map(|folder| std::fs::read_dir(folder).map_or(0, |files| files.count()))
        .sum()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn without_a_temporary_folder_the_site_facts_stay_in_memory_and_none_is_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 2_000, 1);
    let unlimited = check(dir.path(), None, &inputs).output().expect("run");
    assert_eq!(duplicate_slug_errors(&unlimited), 1_000);
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "not a folder").expect("write");
    for tmpdir in [dir.path().join("missing"), a_file, PathBuf::from("/proc")] {
        let output = check(&tmpdir, Some("1"), &inputs).output().expect("run");
        let told = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{told}");
        assert_eq!(duplicate_slug_errors(&output), 1_000, "{told}");
        assert!(
            told.contains("sorted in memory") && told.contains(&tmpdir.display().to_string()),
            "the notice names the folder: {told}"
        );
    }
}

#[test]
fn a_disk_that_fills_mid_run_loses_no_site_fact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 2_000, 200);
    let unlimited = check(dir.path(), None, &inputs).output().expect("run");
    assert_eq!(duplicate_slug_errors(&unlimited), 1_000);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let mut command = check(tmpdir.path(), Some("1"), &inputs);
    // Files past 32 KiB cannot be written (EFBIG rather than the signal): the first runs fit,
    // the merged ones do not, as when a disk fills.
    limit_child(&mut command, Limit::FileSize, 32 << 10);
    let output = command.output().expect("run");
    let told = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{told}");
    assert_eq!(duplicate_slug_errors(&output), 1_000, "{told}");
    assert!(told.contains("sorted in memory: cannot write"), "{told}");
    assert!(spill_folders(tmpdir.path()).is_empty());
}

#[test]
fn a_low_open_file_limit_loses_no_site_fact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 2_000, 40);
    let unlimited = check(dir.path(), None, &inputs).output().expect("run");
    assert_eq!(duplicate_slug_errors(&unlimited), 1_000);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let mut command = check(tmpdir.path(), Some("1"), &inputs);
    // 40 open files: merges of 32 runs each, several at once, would pass it.
    limit_child(&mut command, Limit::OpenFiles, 40);
    let output = command.output().expect("run");
    let told = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{told}");
    assert_eq!(output.stdout, unlimited.stdout, "{told}");
    assert!(told.contains("sorted on disk"), "{told}");
}

#[derive(Clone, Copy)]
enum Limit {
    FileSize,
    OpenFiles,
}

/// Sets one resource limit of the child `command` starts, with SIGXFSZ ignored so that a write
/// past a file-size limit fails with EFBIG rather than killing the run.
fn limit_child(command: &mut Command, limit: Limit, most: libc::rlim_t) {
    // SAFETY: setrlimit and signal are async-signal-safe and touch only the child.
    unsafe {
        command.pre_exec(move || {
            let bound = libc::rlimit {
                rlim_cur: most,
                rlim_max: most,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let set = match limit {
                Limit::FileSize => libc::setrlimit(libc::RLIMIT_FSIZE, &bound),
                Limit::OpenFiles => libc::setrlimit(libc::RLIMIT_NOFILE, &bound),
            };
            if set != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Starts `command` and calls `look` with the number of files in its spill folders each time
/// one is made (inotify, through notify), until `look` returns true or the run ends; returns
/// the run.
fn watch_spill(tmpdir: &Path, command: &mut Command, mut look: impl FnMut(usize) -> bool) -> Child {
    use notify::{EventKind, RecursiveMode, Watcher};
    let (events, made) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(events).expect("watcher");
    (watcher.watch(tmpdir, RecursiveMode::Recursive)).expect("watch the temporary folder");
    let mut child = command.spawn().expect("spawn");
    loop {
        // The wait is bounded only to notice the run's end, which makes no file.
        match made.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(Ok(event)) if matches!(event.kind, EventKind::Create(_)) => {
                if look(files_in(&spill_folders(tmpdir))) {
                    return child;
                }
            }
            Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return child,
        }
        if child.try_wait().expect("wait").is_some() {
            return child;
        }
    }
}

#[test]
fn a_spill_folder_holds_a_bounded_number_of_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 5_000, 1);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let mut command = check(tmpdir.path(), Some("1"), &inputs);
    // To files: a pipe nobody reads while the folder is watched would fill and stop the run.
    let report = dir.path().join("report.json");
    let report_file = std::fs::File::create(&report).expect("report file");
    command.stdout(report_file).stderr(Stdio::null());
    // Under this budget the sorts write hundreds of runs (of 64 KiB, the least a site
    // grouping writes): as many files in one folder before they were merged as they came.
    let (mut most, mut made) = (0, 0);
    let child = watch_spill(tmpdir.path(), &mut command, |files| {
        most = most.max(files);
        made += 1;
        false
    });
    let output = child.wait_with_output().expect("output");
    let output = Output {
        stdout: std::fs::read(&report).expect("read the report"),
        ..output
    };
    assert_eq!(duplicate_slug_errors(&output), 2_500);
    assert!(made > 200, "only {made} files were made");
    // Six sorts, each with fewer than 32 runs a level (two levels here, and a third begun)
    // and one merge of 32 runs under way.
    assert!(most <= 6 * (2 * 31 + 2 + 33), "{most} files at once");
    assert!(spill_folders(tmpdir.path()).is_empty());
}

/// Runs a spilling check over `inputs` and sends `signal` once its folder holds `files` files;
/// returns whether the signal ended the run (it may have ended first). Nothing may be left in
/// the temporary folder either way.
fn interrupt_once(inputs: &[PathBuf], signal: i32, files: usize) -> bool {
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let mut command = check(tmpdir.path(), Some("1"), inputs);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = watch_spill(tmpdir.path(), &mut command, |made| made >= files);
    let sent = child.try_wait().expect("wait").is_none();
    if sent {
        let pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: sends a signal to the child this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }
    let status = child.wait().expect("wait");
    let left = spill_folders(tmpdir.path());
    assert!(
        left.is_empty(),
        "signal {signal} at {files} files left {left:?} ({status:?})"
    );
    // Ended by the signal itself, as a shell expects of an interrupted command.
    let ended_by_signal = sent && status.signal() == Some(signal);
    // Or the run ended on its own, with its report, before the signal came.
    assert!(
        ended_by_signal || status.code() == Some(1),
        "signal {signal} at {files} files: {status:?}"
    );
    ended_by_signal
}

#[test]
fn a_signal_at_any_moment_leaves_no_spill_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 5_000, 4);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        let interrupted = [1, 3, 20, 60]
            .into_iter()
            .filter(|&files| interrupt_once(&inputs, signal, files))
            .count();
        assert!(
            interrupted >= 3,
            "signal {signal} ended {interrupted} runs of 4"
        );
    }
}

#[test]
fn every_signal_sent_to_end_the_run_leaves_no_spill_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 5_000, 4);
    let others = [
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGXCPU,
        libc::SIGXFSZ,
    ];
    for signal in others {
        let interrupted = [3, 20]
            .into_iter()
            .filter(|&files| interrupt_once(&inputs, signal, files))
            .count();
        assert!(interrupted >= 1, "signal {signal} ended no run");
    }
}

#[test]
fn a_signal_ignored_when_the_run_started_stays_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 5_000, 4);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    let mut command = check(tmpdir.path(), Some("1"), &inputs);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    // As `nohup` starts a command.
    // SAFETY: signal is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let child = watch_spill(tmpdir.path(), &mut command, |made| made >= 3);
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: sends a signal to the child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let output = child.wait_with_output().expect("output");
    assert_eq!(output.status.code(), Some(1), "{:?}", output.status);
    assert_eq!(duplicate_slug_errors(&output), 2_500);
    assert!(spill_folders(tmpdir.path()).is_empty());
}

/// Sets the time `path` (a folder too) last changed to two hours ago.
fn two_hours_old(path: &Path) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    let file = std::fs::File::open(path).expect("open");
    file.set_modified(then).expect("set the time");
}

#[test]
fn a_folder_a_killed_run_left_is_deleted_by_the_next_spill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = duplicate_slugs(dir.path(), 2_000, 4);
    let tmpdir = tempfile::tempdir().expect("temp dir");
    // A run killed where no handler runs (SIGKILL, the OOM killer) leaves its folder.
    let mut command = check(tmpdir.path(), Some("1"), &inputs);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = watch_spill(tmpdir.path(), &mut command, |made| made >= 3);
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: sends a signal to the child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    child.wait().expect("wait");
    let killed = spill_folders(tmpdir.path());
    assert!(!killed.is_empty(), "the killed run left no folder");
    killed.iter().for_each(|folder| two_hours_old(folder));
    // Beside it, folders no later run may take: one as old but held by a live run, one just
    // made, and a symlink to a folder.
    let held = tmpdir.path().join("postlint-facts-held");
    std::fs::create_dir(&held).expect("a folder");
    two_hours_old(&held);
    let lock = std::fs::File::open(&held).expect("open");
    lock.try_lock().expect("locked");
    let fresh = tmpdir.path().join("postlint-facts-fresh");
    std::fs::create_dir(&fresh).expect("a folder");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::write(elsewhere.path().join("kept"), "kept").expect("write");
    let link = tmpdir.path().join("postlint-facts-link");
    std::os::unix::fs::symlink(elsewhere.path(), &link).expect("a symlink");
    let output = check(tmpdir.path(), Some("1"), &inputs)
        .output()
        .expect("run");
    assert_eq!(duplicate_slug_errors(&output), 1_000, "{}", stderr(&output));
    let mut left = spill_folders(tmpdir.path());
    left.sort();
    assert_eq!(left, [fresh, held, link]);
    assert!(elsewhere.path().join("kept").exists());
}

fn load(dir: &Path) -> Result<Config, ConfigError> {
    Config::load(
        &ConfigRequest {
            file: Some(dir.join("postlint.toml")),
            none: false,
            start_dir: dir.to_path_buf(),
            cli: CliRules::default(),
            site_index: None,
        },
        postlint::rules::REGISTRY,
    )
}

/// Each mistake of the config in `dir`: its message, its help and the text it points at.
fn mistakes(dir: &Path) -> Vec<(String, Option<String>, String)> {
    let Err(error) = load(dir) else {
        panic!("expected config errors")
    };
    (error.iter())
        .map(|e| {
            let text = e.at.as_ref().map_or_else(String::new, |at| {
                let text = std::fs::read_to_string(dir.join(at.source.name())).expect("read");
                text[at.span.clone()].to_owned()
            });
            (e.message.clone(), e.help.clone(), text)
        })
        .collect()
}

const MANY_MISTAKES: &str = r#"selekt = ["all"]
ignore = ["stray-end-tags"]
timezone = "Asia/Seol"

[links]
timout = 3

[rules.empty-span]
allow-line-breaks = true

[rules.link-text-vague]
extra-phrases = "click"
severity = "fatal"

[[patterns]]
code = "x-y"
regex = "(unclosed"
message = "m"
"#;

#[test]
fn every_mistake_of_a_config_is_told_at_once_at_its_place() {
    let dir = crate::common::project(&[("postlint.toml", MANY_MISTAKES)]);
    let found = mistakes(dir.path());
    let at = |text: &str| {
        (found.iter())
            .find(|(_, _, at)| at == text)
            .unwrap_or_else(|| panic!("no mistake at {text}: {found:#?}"))
    };
    let (message, help, _) = at("selekt");
    assert_eq!(message, "unknown field `selekt`");
    assert_eq!(help.as_deref(), Some("did you mean `select`?"));
    let (_, help, _) = at("\"stray-end-tags\"");
    assert_eq!(help.as_deref(), Some("did you mean `stray-end-tag`?"));
    let (_, help, _) = at("\"Asia/Seol\"");
    assert_eq!(help.as_deref(), Some("did you mean `Asia/Seoul`?"));
    let (message, help, _) = at("timout");
    assert_eq!(message, "unknown field `timout`");
    assert_eq!(help.as_deref(), Some("did you mean `timeout`?"));
    // A rule's options: at the key or the value, not at the `[rules.x]` header.
    let (message, help, _) = at("allow-line-breaks");
    assert_eq!(
        message,
        "bad option for `empty-span`: unknown field `allow-line-breaks`"
    );
    assert!(
        help.as_deref()
            .is_some_and(|h| h.starts_with("did you mean `allow-line-break`?")),
        "{help:?}"
    );
    let (message, _, _) = at("\"click\"");
    assert!(message.starts_with("bad option for `link-text-vague`: invalid type"));
    let (message, _, _) = at("\"fatal\"");
    assert_eq!(message, "unknown severity `fatal` for `link-text-vague`");
    let (message, _, _) = at("\"(unclosed\"");
    assert!(message.starts_with("invalid regex"), "{message}");
    assert_eq!(found.len(), 8, "{found:#?}");
}

#[test]
fn the_command_line_shows_every_mistake_of_a_config() {
    let dir = crate::common::project(&[("postlint.toml", MANY_MISTAKES), ("post.json", "{}")]);
    let output = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .current_dir(dir.path())
        .args(["check", "--color", "never", "post.json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let told = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{told}");
    for line in [1, 2, 3, 6, 9, 12, 13, 17] {
        assert!(
            told.contains(&format!("[postlint.toml:{line}:")),
            "no mistake shown on line {line}:\n{told}"
        );
    }
}

/// `postlint check` in `dir` (its `postlint.toml`), with a secret in its environment; stops
/// a run that hangs.
fn check_config(dir: &Path, secret: &str) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postlint"));
    command
        .current_dir(dir)
        .args(["check", "--color", "never", "post.json"])
        .env("POSTLINT_TEST_SECRET", secret);
    let output = assert_cmd::Command::from_std(command)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    (output.status.code(), stderr(&output))
}

#[test]
fn extends_reads_only_regular_config_files_and_quotes_nothing_else() {
    let secret = format!("token-{}", std::process::id());
    let dir = crate::common::project(&[
        ("post.json", "{}"),
        ("big.toml", &"# padding\n".repeat(200_000)),
        ("nul.toml", "select = [\"all\"]\n\0\n"),
        (
            "credentials.toml",
            &format!("[registry]\ntoken = \"{secret}\"\n"),
        ),
        // Not TOML at all: where it stops being TOML is not shown either.
        (
            "key.toml",
            &format!("-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n"),
        ),
        ("env.toml", &format!("TOKEN={secret}\n")),
    ]);
    let at = |name: &str| dir.path().join(name);
    std::os::unix::fs::symlink("/proc/self/environ", at("environ.toml")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", at("zero.toml")).expect("symlink");
    let fifo = std::ffi::CString::new(at("pipe.toml").into_os_string().into_encoded_bytes())
        .expect("path");
    // SAFETY: a plain libc call on a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    for (extends, why) in [
        ("/dev/zero", "is not a .toml file"),
        ("/proc/self/environ", "is not a .toml file"),
        ("environ.toml", "is not a .toml file"),
        ("zero.toml", "is not a .toml file"),
        ("pipe.toml", "is not a regular file"),
        ("big.toml", "over the 1048576 a config may"),
        ("nul.toml", "holds NUL bytes"),
        ("credentials.toml", "is not a postlint config"),
        ("key.toml", "is not a postlint config"),
        ("env.toml", "is not a postlint config"),
    ] {
        let config = format!("extends = [\"{extends}\"]\n");
        std::fs::write(at("postlint.toml"), config).expect("config");
        let (code, told) = check_config(dir.path(), &secret);
        assert_eq!(code, Some(2), "{extends}: {told}");
        assert!(told.contains(why), "{extends}: {told}");
        assert!(!told.contains(&secret), "{extends} is quoted: {told}");
    }
    // The config itself, a link to the environment.
    std::fs::remove_file(at("postlint.toml")).expect("remove");
    std::os::unix::fs::symlink("/proc/self/environ", at("postlint.toml")).expect("symlink");
    let (code, told) = check_config(dir.path(), &secret);
    assert_eq!(code, Some(2), "{told}");
    assert!(!told.contains(&secret), "the environment is quoted: {told}");
}

#[test]
fn packs_that_extend_each_other_over_and_over_are_read_a_bounded_number_of_times() {
    // Ten packs, each extending the next ten times: 10^10 readings without a bound.
    let extends = |to: &str| format!("extends = [{}]\n", vec![format!("\"{to}\""); 10].join(", "));
    let mut files = vec![("postlint.toml".to_owned(), extends("p1.toml"))];
    for pack in 1..10 {
        files.push((
            format!("p{pack}.toml"),
            extends(&format!("p{}.toml", pack + 1)),
        ));
    }
    files.push(("p10.toml".to_owned(), "select = [\"all\"]\n".to_owned()));
    let files: Vec<(&str, &str)> = (files.iter())
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let dir = crate::common::project(&files);
    let found = mistakes(dir.path());
    assert!(
        found[0].0.contains("past the 64 files a config may read"),
        "{found:#?}"
    );
    assert!(found.len() <= 101, "{}", found.len());
}

#[test]
fn a_config_nested_without_end_is_an_error_not_a_crash() {
    let deep = 100_000;
    for config in [
        format!("x = {}{}\n", "[".repeat(deep), "]".repeat(deep)),
        format!("x = {}1{}\n", "{a = ".repeat(deep), "}".repeat(deep)),
        format!("{} = 1\n", vec!["a"; deep].join(".")),
    ] {
        let dir = crate::common::project(&[("postlint.toml", &config), ("post.json", "{}")]);
        let (code, told) = check_config(dir.path(), "unused");
        assert_eq!(code, Some(2), "{}", &told[..told.len().min(2_000)]);
    }
}

#[test]
fn a_config_of_many_rule_tables_is_read_in_bounded_time() {
    // Each severity or bad option once read the whole file again to find its place: 5,000
    // tables took minutes.
    for (body, mistakes) in [
        ("severity = \"warning\"", 0),
        ("severity = \"fatal\"", 5_000),
        ("allow-line-breaks = true", 5_000),
    ] {
        let mut config = "select = [\"all\"]\n".to_owned();
        for n in 0..5_000 {
            config.push_str(&format!(
                "[[overrides]]\nfiles = [\"x{n}/*.json\"]\n[overrides.rules.empty-span]\n{body}\n"
            ));
        }
        let dir = crate::common::project(&[("postlint.toml", &config)]);
        let started = std::time::Instant::now();
        let loaded = load(dir.path());
        let took = started.elapsed();
        assert!(took.as_secs() < 60, "{body}: {took:?}");
        let Err(error) = loaded else {
            assert_eq!(mistakes, 0, "{body}: no mistake told");
            continue;
        };
        let told: Vec<&ConfigError> = error.iter().collect();
        // A hundred told, each at its place, and one that counts the others.
        assert_eq!(told.len(), 101, "{body}");
        assert!(told[..100].iter().all(|e| e.at.is_some()), "{body}");
        let rest = &told[100].message;
        assert_eq!(
            rest,
            &format!("{} more mistakes are not shown", mistakes - 100)
        );
    }
}
