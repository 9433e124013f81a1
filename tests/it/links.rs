//! The remote link checker against servers on 127.0.0.1 started by each test: outcomes for
//! every kind of answer, one request per distinct URL, the cache, and the safety rules.

use std::sync::Arc;
use std::time::Duration;

use crate::common::http::{Reply, Server};
use postlint::config::Config;
use postlint::http::ClientOptions;
use postlint::links::LinkCheck;
use postlint::run::RunOptions;

fn options(allow_private: bool, cache: Option<&std::path::Path>) -> RunOptions {
    RunOptions {
        links: Some(LinkCheck {
            check: ClientOptions {
                allow_private,
                retries: 2,
                backoff: Duration::from_millis(5),
                retry_after_cap: Duration::from_millis(50),
                timeout: Duration::from_millis(600),
                connect_timeout: Duration::from_millis(300),
                min_interval: Duration::ZERO,
                ..ClientOptions::default()
            },
            cache_dir: cache.map(std::path::Path::to_path_buf),
            ..LinkCheck::default()
        }),
        ..RunOptions::default()
    }
}

/// Lints one post per URL (NDJSON) and returns (rule, message) of the link findings, in order.
fn check(urls: &[String], options: RunOptions) -> (Vec<(String, String)>, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    let text: String = urls
        .iter()
        .enumerate()
        .map(|(i, url)| format!("{{\"id\":{i},\"content\":{{\"rendered\":\"<p><a href=\\\"{url}\\\">x</a></p>\"}}}}\n"))
        .collect();
    std::fs::write(&path, text).expect("write");
    let outcome = postlint::check_with(
        &[path],
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        options,
    );
    let found = outcome
        .reports
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| {
            matches!(
                f.diagnostic.rule,
                "link-broken" | "link-unverifiable" | "link-redirect"
            )
        })
        .map(|f| {
            (
                f.diagnostic.rule.to_owned(),
                f.diagnostic.message.to_string(),
            )
        })
        .collect();
    (found, outcome.notices)
}

fn rule_of(urls: &[String], allow_private: bool) -> Vec<String> {
    check(urls, options(allow_private, None))
        .0
        .into_iter()
        .map(|(rule, _)| rule)
        .collect()
}

#[test]
fn answers_map_to_findings() {
    let server = Server::start(|method, path, nth| match path {
        "/ok" => Reply::Status(200, vec![]),
        "/gone" => Reply::Status(404, vec![]),
        "/removed" => Reply::Status(410, vec![]),
        "/flaky" if nth == 1 => Reply::Status(500, vec![]),
        "/flaky" => Reply::Status(200, vec![]),
        "/busy" if nth == 1 => Reply::Status(429, vec![("Retry-After".into(), "1".into())]),
        "/busy" => Reply::Status(200, vec![]),
        "/wall" => Reply::Status(403, vec![]),
        "/no-head" if method == "HEAD" => Reply::Status(405, vec![]),
        "/no-head" => Reply::Status(200, vec![]),
        "/down" => Reply::Status(503, vec![]),
        _ => Reply::Status(404, vec![]),
    });
    let urls: Vec<String> = [
        "/ok", "/gone", "/removed", "/flaky", "/busy", "/wall", "/no-head", "/down",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let rules = rule_of(&urls, true);
    assert_eq!(
        rules,
        [
            "link-broken",
            "link-broken",
            "link-unverifiable",
            "link-broken"
        ]
    );
    assert_eq!(
        server.hits("HEAD", "/flaky"),
        2,
        "500 then 200: retried once"
    );
    assert_eq!(
        server.hits("HEAD", "/busy"),
        2,
        "429 with Retry-After: retried"
    );
    assert_eq!(
        (
            server.hits("HEAD", "/no-head"),
            server.hits("GET", "/no-head")
        ),
        (1, 1)
    );
    assert_eq!(
        server.hits("HEAD", "/down"),
        3,
        "5xx: first try and two retries"
    );
}

#[test]
fn permanent_redirects_name_the_final_url_and_loops_are_broken() {
    let server = Server::start(|_, path, _| match path {
        "/old" => Reply::Status(301, vec![("Location".into(), "/older".into())]),
        "/older" => Reply::Status(308, vec![("Location".into(), "/new".into())]),
        "/new" => Reply::Status(200, vec![]),
        "/temporary" => Reply::Status(302, vec![("Location".into(), "/new".into())]),
        "/loop-a" => Reply::Status(302, vec![("Location".into(), "/loop-b".into())]),
        "/loop-b" => Reply::Status(302, vec![("Location".into(), "/loop-a".into())]),
        "/secret" => Reply::Status(302, vec![("Location".into(), "file:///etc/passwd".into())]),
        _ => Reply::Status(404, vec![]),
    });
    let urls: Vec<String> = ["/old", "/temporary", "/loop-a", "/secret"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let (found, _) = check(&urls, options(true, None));
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, "link-redirect");
    assert!(
        found[0].1.ends_with(&format!(
            "redirects permanently (301) to `{}`",
            server.url("/new")
        )),
        "{}",
        found[0].1
    );
    assert_eq!(
        found[1],
        (
            "link-broken".to_owned(),
            format!("`{}` is broken: redirect loop", server.url("/loop-a"))
        )
    );
    assert_eq!(found[2].0, "link-broken");
    assert!(
        found[2].1.contains("it redirects to a `file:` URL"),
        "{}",
        found[2].1
    );
}

#[test]
fn silence_resets_and_huge_bodies_end_well() {
    let server = Server::start(|method, path, _| match path {
        "/silent" => Reply::Hang,
        "/reset" => Reply::Reset,
        "/huge" if method == "HEAD" => Reply::Status(405, vec![]),
        "/huge" => Reply::Endless(1 << 30),
        _ => Reply::Status(404, vec![]),
    });
    let urls: Vec<String> = ["/silent", "/reset", "/huge"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let (found, _) = check(&urls, options(true, None));
    let rules: Vec<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rules, ["link-broken", "link-broken"], "{found:?}");
    assert!(
        found[0].1.contains("no answer before the timeout"),
        "{}",
        found[0].1
    );
    let sent = server
        .body_bytes_sent
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        sent < 64 << 20,
        "the checker read {} MB of a 1 GB body",
        sent >> 20
    );
}

#[test]
fn private_addresses_are_refused_without_a_connection() {
    let server = Server::start(|_, _, _| Reply::Status(200, vec![]));
    let urls = vec![
        server.url("/ok"),
        "http://localhost:9/x".to_owned(),
        "file:///etc/passwd".to_owned(),
    ];
    let (found, _) = check(&urls, options(false, None));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .all(|(rule, message)| rule == "link-unverifiable" && message.contains("refused")),
        "{found:?}"
    );
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[test]
fn each_url_is_requested_once_and_the_cache_saves_the_next_run() {
    let server = Server::start(|_, path, _| match path {
        "/shared" => Reply::Status(200, vec![]),
        "/missing" => Reply::Status(404, vec![]),
        _ => Reply::Status(200, vec![]),
    });
    let mut urls: Vec<String> = (0..50).map(|_| server.url("/shared")).collect();
    urls.push(server.url("/missing"));
    urls.push(format!("{}#part-2", server.url("/shared")));
    let cache = tempfile::tempdir().expect("cache dir");
    let (found, _) = check(&urls, options(true, Some(cache.path())));
    assert_eq!(found.len(), 1);
    assert_eq!(
        server.hits("HEAD", "/shared") + server.hits("GET", "/shared"),
        1,
        "one request for 51 links to one page (a GET: one link names a fragment)"
    );
    let before = server.total_hits();
    let (found, notices) = check(&urls, options(true, Some(cache.path())));
    assert_eq!(found.len(), 1, "the broken link is remembered");
    assert_eq!(server.total_hits(), before, "a warm cache makes no request");
    assert!(
        notices
            .iter()
            .any(|n| n.contains("0 requested, 2 from the cache")),
        "{notices:?}"
    );
}

#[test]
fn a_corrupt_cache_is_reported_once_and_replaced() {
    let server = Server::start(|_, _, _| Reply::Status(200, vec![]));
    let cache = tempfile::tempdir().expect("cache dir");
    std::fs::write(cache.path().join("links.json"), "{ not json").expect("write");
    let (_, notices) = check(&[server.url("/a")], options(true, Some(cache.path())));
    assert!(
        notices
            .iter()
            .any(|n| n.contains("is not a postlint link cache")),
        "{notices:?}"
    );
    let text = std::fs::read_to_string(cache.path().join("links.json")).expect("cache");
    assert!(text.contains("\"version\":1"));
}

#[test]
fn without_links_no_request_is_made_and_the_cli_checks_with_it() {
    let server = Server::start(|_, path, _| match path {
        "/gone" => Reply::Status(404, vec![]),
        _ => Reply::Status(200, vec![]),
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let post = dir.path().join("p.json");
    std::fs::write(
        &post,
        format!(
            "{{\"id\":1,\"content\":{{\"rendered\":\"<p><a href=\\\"{}\\\">x</a></p>\"}}}}",
            server.url("/gone")
        ),
    )
    .expect("write");
    let run = |extra: &[&str]| {
        assert_cmd::Command::cargo_bin("postlint")
            .expect("binary")
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--ignore",
                "link-editor-only",
            ])
            .args(extra)
            .arg(&post)
            .output()
            .expect("run")
    };
    let quiet = run(&[]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let cache = dir.path().join("cache");
    let checked = run(&[
        "--links",
        "--no-archive",
        "--allow-private",
        "--cache-dir",
        cache.to_str().expect("path"),
    ]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("\"rule\": \"link-broken\""));
    assert!(cache.join("links.json").exists());
}
