//! The bounds of reading sites, links and the archive, against lying servers on 127.0.0.1
//! started by each test: a claimed page count is an upper bound only, one answer is bounded by
//! `--max-response-size`, `Retry-After` never holds a URL past its bound, the archive lookups
//! of a run share one bound, and every number setting is checked the same way on the command
//! line and in the config. Each run of the binary is measured (time, peak memory) and killed
//! by a watchdog should it hang: the bounds asserted are generous, far below the failures.

use std::io::Read;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::http::{Reply, Server};
use serde_json::json;

/// Only a hang reaches it.
const WATCHDOG: Duration = Duration::from_secs(300);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss_mb: u64,
    took: Duration,
}

/// Runs `postlint check --no-config ARGS` in `dir` to its end, with its peak resident memory
/// and its time.
fn postlint(args: &[&str], dir: &Path) -> Run {
    postlint_with(&["--no-config"], args, dir)
}

fn postlint_with(config: &[&str], args: &[&str], dir: &Path) -> Run {
    let start = Instant::now();
    let mut child = crate::common::postlint_process()
        .args(["check", "--color", "never"])
        .args(config)
        .args(args)
        .current_dir(dir)
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("postlint starts");
    let readers = [read_all(child.stdout.take()), read_all(child.stderr.take())];
    let (status, peak_rss_mb) = wait_measuring(&mut child, start);
    let [stdout, stderr] = readers.map(|r| r.join().unwrap_or_default());
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        peak_rss_mb,
        took: start.elapsed(),
    };
    assert!(
        !run.stderr.contains("panicked") && run.code != -1,
        "postlint crashed, was killed or panicked (code {}):\n{}",
        run.code,
        run.stderr
    );
    run
}

/// Reads a pipe to its end on a thread of its own, so that neither pipe fills and blocks.
fn read_all(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// Waits for the child's end, reading its high-water mark of resident memory (`VmHWM`, its
/// own since `exec`: `wait4`'s figure would count the test process it was started from) every
/// few milliseconds, a measure and not a synchronisation; kills it past the watchdog.
fn wait_measuring(child: &mut Child, start: Instant) -> (ExitStatus, u64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        let high_water = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            });
        peak_kb = peak_kb.max(high_water.unwrap_or(0));
        match child.try_wait() {
            Ok(Some(status)) => return (status, peak_kb / 1024),
            Ok(None) if start.elapsed() > WATCHDOG => {
                let _ = child.kill();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => panic!("cannot wait for postlint: {error}"),
        }
    }
}

fn assert_says(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
}

// ---- A fake WordPress --------------------------------------------------------------------

fn json_reply(body: Vec<u8>, claimed_pages: Option<u64>) -> Reply {
    let mut headers = vec![("Content-Type".into(), "application/json".into())];
    if let Some(claimed) = claimed_pages {
        headers.push(("X-WP-TotalPages".into(), claimed.to_string()));
    }
    Reply::Body(200, headers, body)
}

fn index() -> Reply {
    json_reply(br#"{"name":"Lying News","gmt_offset":0}"#.to_vec(), None)
}

fn past_the_end() -> Reply {
    let body =
        json!({"code": "rest_post_invalid_page_number", "message": "no", "data": {"status": 400}});
    Reply::Body(
        400,
        vec![("Content-Type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    )
}

/// A page holding post `id`.
fn page_of_post(id: u64) -> Vec<u8> {
    json!([{
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T12:00:00",
        "slug": format!("post-{id}"),
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example.com/post-{id}/"),
        "title": {"rendered": format!("Post {id}")},
        "content": {"rendered": "<p>Fine.</p>"},
    }])
    .to_string()
    .into_bytes()
}

/// The `page=` of a request for posts.
fn page_number(path: &str) -> Option<u64> {
    let query = path.strip_prefix("/wp-json/wp/v2/posts?")?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// A site whose page 1 claims `claimed` pages and whose other pages answer `rest`.
fn lying_site(claimed: u64, rest: impl Fn(u64) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index();
        }
        match page_number(path) {
            Some(1) => json_reply(page_of_post(1), Some(claimed)),
            Some(n) => rest(n),
            None => Reply::Status(404, Vec::new()),
        }
    })
}

/// Requests for pages of posts the server saw.
fn page_requests(server: &Server) -> usize {
    server.total_hits() - server.hits("GET", "/wp-json/")
}

fn read_site(server: &Server, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = server.url("");
    let mut args = vec!["--select", "empty-span", "--format", "json", "--site", &url];
    args.extend_from_slice(extra);
    postlint(&args, dir.path())
}

fn posts_read(run: &Run) -> u64 {
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    report["summary"]["posts"].as_u64().unwrap_or(u64::MAX)
}

// ---- Paging --------------------------------------------------------------------------------

#[test]
fn a_site_claiming_a_billion_pages_costs_a_handful_of_requests() {
    let server = lying_site(1_000_000_000, |_| past_the_end());
    let run = read_site(&server, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts_read(&run), 1);
    // Page 1, then at most one window (--per-host, 4) of pages past the end.
    assert!(page_requests(&server) <= 5, "{}", page_requests(&server));
    assert!(run.peak_rss_mb < 200, "peak {} MB", run.peak_rss_mb);
    assert!(run.took < Duration::from_secs(60), "{:?}", run.took);
}

#[test]
fn ten_thousand_claimed_pages_with_one_real_one_end_at_the_first_empty_page() {
    let server = lying_site(10_000, |_| json_reply(b"[]".to_vec(), Some(10_000)));
    let run = read_site(&server, &["--per-host", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts_read(&run), 1);
    assert!(page_requests(&server) <= 3, "{}", page_requests(&server));
}

#[test]
fn a_site_that_ignores_the_page_asked_for_is_read_once_and_says_so() {
    // A cache in front of the site answers page 1 whatever `page=` says, and claims no end.
    let server = lying_site(1_000_000_000, |_| {
        json_reply(page_of_post(1), Some(1_000_000_000))
    });
    let run = read_site(&server, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(posts_read(&run), 1, "no post counts twice");
    assert_says(&run.stderr, "repeats page 1");
    assert_says(&run.stderr, "posts may be missing");
    assert!(page_requests(&server) <= 5, "{}", page_requests(&server));
}

#[test]
fn a_site_answering_every_page_with_an_error_is_left_after_a_few() {
    let server = lying_site(1_000_000_000, |_| {
        Reply::Body(404, Vec::new(), b"<html>Not found</html>".to_vec())
    });
    let run = read_site(&server, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_says(&run.stderr, "pages in a row could not be read, so pages");
    assert_says(&run.stderr, "(as the site claims) were not asked for");
    // Five failures, and what was already in flight when the fifth came.
    assert!(
        page_requests(&server) <= 1 + 5 + 3,
        "{}",
        page_requests(&server)
    );
}

/// A page of `count` posts from id `first` on, as full as WordPress fills a page.
fn page_of_posts(first: u64, count: u64) -> Vec<u8> {
    let posts: Vec<String> = (first..first + count)
        .map(|id| {
            String::from_utf8_lossy(&page_of_post(id))
                .trim_matches(['[', ']'])
                .to_owned()
        })
        .collect();
    format!("[{}]", posts.join(",")).into_bytes()
}

#[test]
fn a_site_sending_no_page_count_is_read_to_its_end() {
    // Before, no X-WP-TotalPages meant page 1 only: the rest was dropped without a word. Now
    // the end is the first page past it, or a page short of the 100 posts asked for.
    let server = Server::start(|_, path, _| match (path, page_number(path)) {
        ("/wp-json/", _) => index(),
        (_, Some(n @ 1..=2)) => json_reply(page_of_posts(100 * n, 100), None),
        (_, Some(3)) => json_reply(page_of_post(999), None),
        _ => Reply::Status(404, Vec::new()),
    });
    let run = read_site(&server, &["--per-host", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts_read(&run), 201);
    assert_eq!(
        page_requests(&server),
        3,
        "no page asked for past the short one"
    );

    let server = Server::start(|_, path, _| match (path, page_number(path)) {
        ("/wp-json/", _) => index(),
        (_, Some(n @ 1..=2)) => json_reply(page_of_posts(100 * n, 100), None),
        (_, Some(_)) => past_the_end(),
        _ => Reply::Status(404, Vec::new()),
    });
    let run = read_site(&server, &["--per-host", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(posts_read(&run), 200);
    assert_eq!(page_requests(&server), 3);
}

// ---- One answer ------------------------------------------------------------------------------

/// A site whose page 1 is a body that never ends.
fn endless_site() -> Server {
    Server::start(|_, path, _| {
        if path == "/wp-json/" {
            return index();
        }
        let headers = vec![("Content-Type".into(), "application/json".into())];
        let mut chunk = b"[".to_vec();
        chunk.resize(64 * 1024, b' ');
        Reply::EndlessChunks(200, headers, chunk)
    })
}

#[test]
fn an_endless_page_ends_with_a_clear_error_at_the_limit() {
    let server = endless_site();
    let run = read_site(&server, &["--max-response-size", "2MiB"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_says(
        &run.stderr,
        "the answer is larger than 2.0 MiB, the limit of one answer (--max-response-size)",
    );
    // Not tried again: it would send as much again.
    assert_eq!(page_requests(&server), 1);
    assert!(run.peak_rss_mb < 150, "peak {} MB", run.peak_rss_mb);
}

#[test]
fn an_endless_page_is_bounded_by_the_default_limit_too() {
    let server = endless_site();
    let run = read_site(&server, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_says(&run.stderr, "larger than 64.0 MiB");
    // The limit, twice over for a growing buffer, and the program: not gigabytes.
    assert!(run.peak_rss_mb < 400, "peak {} MB", run.peak_rss_mb);
}

#[test]
fn an_answer_announcing_more_than_the_limit_is_refused_before_its_body() {
    // It announces 2 MiB, sends the first, then waits: read, it would end in the timeout.
    let server = Server::start(|_, path, _| match path {
        "/wp-json/" => index(),
        _ => Reply::Stalls(200, Vec::new(), vec![b' '; 2 << 20]),
    });
    let run = read_site(
        &server,
        &["--max-response-size", "1MiB", "--site-timeout", "60"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_says(&run.stderr, "larger than 1.0 MiB");
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
}

#[test]
fn the_response_limit_comes_from_the_config_or_the_command_line_and_is_shown() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let show = |args: &[&str]| postlint_with(&[], args, dir.path());
    let run = show(&["--no-config", "--show-config"]);
    assert_says(&run.stdout, "max-response-size = \"64.0 MiB\"   # default");
    assert_says(&run.stdout, "[links]\ntimeout = 15   # default");
    assert_says(&run.stdout, "archive-timeout = 60   # default");
    assert_says(&run.stdout, "archive = true   # default");
    assert_says(
        &run.stdout,
        "archive-api = \"https://archive.org/wayback/available\"   # default",
    );
    assert_says(&run.stdout, "remote = false   # default");
    let config = "[site]\nmax-response-size = \"8MiB\"\n\n[links]\ntimeout = 2.5\n";
    std::fs::write(dir.path().join("postlint.toml"), config).expect("write the config");
    let run = show(&["--show-config"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_says(
        &run.stdout,
        "max-response-size = \"8.0 MiB\"   # postlint.toml:2",
    );
    assert_says(&run.stdout, "timeout = 2.5   # postlint.toml:5");
    let run = show(&[
        "--show-config",
        "--max-response-size",
        "3MB",
        "--link-timeout",
        "7",
    ]);
    assert_says(
        &run.stdout,
        "max-response-size = \"2.9 MiB\"   # --max-response-size",
    );
    assert_says(&run.stdout, "timeout = 7   # --link-timeout");
    // A page of a site has its own bound, apart from one link's check.
    let run = show(&[
        "--show-config",
        "--site-timeout",
        "4",
        "--link-timeout",
        "7",
    ]);
    assert_says(
        &run.stdout,
        "max-response-size = \"8.0 MiB\"   # postlint.toml:2 (--max-response-size)\ntimeout = 4   # --site-timeout",
    );
    assert_says(&run.stdout, "[links]\ntimeout = 7   # --link-timeout");
    std::fs::write(
        dir.path().join("postlint.toml"),
        config.replace("\"8MiB\"", "1024"),
    )
    .expect("write");
    assert_says(
        &show(&["--show-config"]).stdout,
        "max-response-size = \"1.0 KiB\"",
    );
}

// ---- Retry-After and the bound of one URL --------------------------------------------------

/// A post linking each of `urls`.
fn post_linking(urls: &[String]) -> Vec<u8> {
    let links: String = urls
        .iter()
        .map(|u| format!("<a href=\"{u}\">x</a> "))
        .collect();
    json!({
        "id": 1,
        "date": "2019-05-04T10:00:00",
        "date_gmt": "2019-05-04T10:00:00",
        "title": {"rendered": "Links"},
        "content": {"rendered": format!("<p>{links}</p>")},
    })
    .to_string()
    .into_bytes()
}

fn check_links(urls: &[String], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("post.json"), post_linking(urls)).expect("write the post");
    let mut args = vec![
        "--links",
        "--allow-private",
        "--no-cache",
        "--select",
        "link-broken,link-unverifiable",
        "post.json",
    ];
    args.extend_from_slice(extra);
    postlint(&args, dir.path())
}

#[test]
fn retry_after_never_holds_a_url_past_its_bound() {
    let server = Server::start(|_, path, _| {
        let wait = vec![("Retry-After".into(), "30".into())];
        match path {
            "/busy" => Reply::Status(503, wait),
            _ => Reply::Status(429, wait),
        }
    });
    let urls = [server.url("/busy"), server.url("/limited")];
    let run = check_links(&urls, &["--no-archive", "--link-timeout", "2"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_says(&run.stdout, "/busy");
    assert_says(&run.stdout, "/limited");
    // Before, each URL waited the 30 s asked for; now no wait starts that would end past 2 s.
    assert!(run.took < Duration::from_secs(20), "{:?}", run.took);
    assert_eq!(server.hits("HEAD", "/busy"), 1);
}

#[test]
fn retry_after_never_holds_a_page_of_a_site_past_its_timeout() {
    let server = Server::start(|_, path, _| match path {
        "/wp-json/" => index(),
        _ => Reply::Status(503, vec![("Retry-After".into(), "30".into())]),
    });
    let run = read_site(&server, &["--site-timeout", "2"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_says(&run.stderr, "answered 503");
    assert_eq!(page_requests(&server), 3, "the first try and two retries");
    // Before, two waits of the 30 s asked for.
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
}

// ---- The archive ---------------------------------------------------------------------------

/// Eight dead links, and an archive answering each lookup as `answer` says.
fn dead_links_and_archive(
    answer: impl Fn() -> Reply + Send + Sync + 'static,
) -> (Server, Server, Vec<String>) {
    let site = Server::start(|_, _, _| Reply::Status(404, Vec::new()));
    let archive = Server::start(move |_, _, _| answer());
    let urls = (1..=8).map(|n| site.url(&format!("/gone-{n}"))).collect();
    (site, archive, urls)
}

fn no_copy() -> Reply {
    let body = br#"{"archived_snapshots":{}}"#.to_vec();
    json_reply(body, None)
}

#[test]
fn a_slow_archive_costs_one_bound_whatever_the_number_of_dead_links() {
    let slow = || Reply::Slow(Duration::from_secs(3), Box::new(no_copy()));
    let (_site, archive, urls) = dead_links_and_archive(slow);
    let api = archive.url("/wayback/available");
    let run = check_links(&urls, &["--archive-api", &api, "--archive-timeout", "4"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_says(&run.stderr, "the bound of a run (--archive-timeout)");
    assert_says(&run.stderr, "of 8 dead links were not looked up");
    // Before, 8 lookups of 3 s and the seconds between them: 31 s.
    assert!(archive.total_hits() <= 2, "{}", archive.total_hits());
    assert!(run.took < Duration::from_secs(25), "{:?}", run.took);
}

#[test]
fn a_busy_archive_asking_to_wait_past_the_bound_is_not_waited_for() {
    let busy = || Reply::Status(429, vec![("Retry-After".into(), "30".into())]);
    let (_site, archive, urls) = dead_links_and_archive(busy);
    let api = archive.url("/wayback/available");
    let run = check_links(&urls, &["--archive-api", &api, "--archive-timeout", "5"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_says(
        &run.stderr,
        "failed: it answered 429; 8 of 8 dead links were not looked up",
    );
    assert_eq!(archive.total_hits(), 1);
    assert!(run.took < Duration::from_secs(25), "{:?}", run.took);
}

#[test]
fn the_next_run_looks_up_what_the_bound_left() {
    let slow = || Reply::Slow(Duration::from_millis(1500), Box::new(no_copy()));
    let (_site, archive, urls) = dead_links_and_archive(slow);
    let api = archive.url("/wayback/available");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("post.json"), post_linking(&urls)).expect("write the post");
    let args = [
        "--links",
        "--allow-private",
        "--select",
        "link-broken",
        "--archive-api",
        &api,
        "--archive-timeout",
        "2",
        "post.json",
    ];
    let first = postlint(&args, dir.path());
    assert_says(&first.stderr, "7 of 8 dead links were not looked up");
    let second = postlint(&args, dir.path());
    assert_says(&second.stderr, "6 of 7 dead links were not looked up");
    let asked: std::collections::HashSet<String> = archive
        .heads()
        .iter()
        .filter_map(|head| head.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    assert_eq!(
        asked.len(),
        2,
        "each run asked for a link of its own: {asked:?}"
    );
}

// ---- Numbers are checked -----------------------------------------------------------------

/// What `postlint check ARGS --show-config` says of its arguments, without a config.
fn refused(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut with = args.to_vec();
    with.push("--show-config");
    postlint(&with, dir.path())
}

#[test]
fn durations_out_of_range_are_errors_on_the_command_line() {
    for flag in ["--link-timeout", "--site-timeout", "--archive-timeout"] {
        for value in ["1e300", "inf", "nan", "0", "-1", "1e-9", "86401", "soon"] {
            let run = refused(&[flag, value]);
            assert_eq!(run.code, 2, "{flag} {value}: {}", run.stderr);
            assert_says(
                &run.stderr,
                &format!("`{value}` is not a number of seconds from 0.001 to 86400"),
            );
        }
        let run = postlint(&[&format!("{flag}=-1"), "--show-config"], Path::new("."));
        assert_eq!(run.code, 2, "{flag}=-1: {}", run.stderr);
    }
    assert_eq!(refused(&["--link-timeout", "0.5"]).code, 0);
}

#[test]
fn durations_out_of_range_are_errors_in_the_config_at_their_place() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for key in ["timeout", "archive-timeout"] {
        for value in ["1e300", "inf", "nan", "0", "-1", "-inf", "100000"] {
            let config = format!("[links]\n{key} = {value}\n");
            std::fs::write(dir.path().join("postlint.toml"), config).expect("write");
            let run = postlint_with(&[], &["--show-config"], dir.path());
            assert_eq!(run.code, 2, "{key} = {value}: {}", run.stderr);
            assert_says(
                &run.stderr,
                &format!("`{key}` takes a number of seconds from 0.001 to 86400"),
            );
            assert_says(&run.stderr, "postlint.toml:2");
        }
    }
}

#[test]
fn counts_and_sizes_out_of_range_are_errors_not_panics_or_hangs() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "--link-concurrency",
            &[
                "0",
                "-1",
                "1025",
                "18446744073709551615",
                "99999999999999999999",
            ],
        ),
        ("--per-host", &["0", "65", "9223372036854775807"]),
        ("--threads", &["0", "100000"]),
        ("--max-depth", &["0", "513", "18446744073709551615"]),
        ("--max-file-size", &["0", "-1", "lots"]),
        ("--max-post-size", &["0", "-5MiB"]),
        ("--max-response-size", &["0", "1000", "5GiB", "-1"]),
        ("--memory-budget", &["-1", "lots"]),
        ("--archive-timeout", &["NaN"]),
    ];
    for (flag, values) in cases {
        for value in values {
            let run = refused(&[flag, value]);
            assert_eq!(run.code, 2, "{flag} {value}: {}", run.stderr);
            assert_says(&run.stderr, &format!("`{value}` is not a"));
            assert!(
                run.took < Duration::from_secs(30),
                "{flag} {value}: {:?}",
                run.took
            );
        }
    }
    for ok in [
        ["--threads", "1"],
        ["--max-depth", "512"],
        ["--memory-budget", "0"],
        ["--per-host", "64"],
    ] {
        assert_eq!(refused(&ok).code, 0, "{ok:?}");
    }
}

#[test]
fn sizes_out_of_range_are_errors_in_the_config_at_their_place() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for value in ["0", "-5", "\"lots\"", "\"5GiB\"", "1.5", "true"] {
        let config = format!("[site]\nmax-response-size = {value}\n");
        std::fs::write(dir.path().join("postlint.toml"), config).expect("write");
        let run = postlint_with(&[], &["--show-config"], dir.path());
        assert_eq!(run.code, 2, "max-response-size = {value}: {}", run.stderr);
        assert_says(
            &run.stderr,
            "`max-response-size` takes a size from 1.0 KiB to 4.0 GiB",
        );
        assert_says(&run.stderr, "postlint.toml:2");
    }
}
