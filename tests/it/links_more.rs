//! The link checker beyond a status code, against servers on 127.0.0.1 started by each test:
//! no stall on links grouped by server, redirects a reader cannot follow, the bound on one
//! URL, soft 404s, parked domains, fragments of other pages and archived copies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::http::{Reply, Server};
use postlint::config::Config;
use postlint::engine::LintOptions;
use postlint::http::ClientOptions;
use postlint::links::LinkCheck;
use postlint::links::remote::{Outcome, check_all};

fn client(timeout: Duration) -> ClientOptions {
    ClientOptions {
        allow_private: true,
        retries: 2,
        backoff: Duration::from_millis(5),
        retry_after_cap: Duration::from_millis(50),
        timeout,
        connect_timeout: Duration::from_millis(300),
        min_interval: Duration::ZERO,
        ..ClientOptions::default()
    }
}

fn options(check: ClientOptions) -> LintOptions {
    LintOptions {
        links: Some(LinkCheck {
            check,
            ..LinkCheck::default()
        }),
        ..LintOptions::default()
    }
}

/// A post linking each of `urls` (one NDJSON line each).
fn posts(urls: &[String]) -> String {
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            format!("{{\"id\":{i},\"date\":\"2019-05-04T10:00:00\",\"content\":{{\"rendered\":\"<p><a href=\\\"{url}\\\">x</a></p>\"}}}}\n")
        })
        .collect()
}

/// The link findings of a run over one post per URL: (rule, message, help).
fn findings(urls: &[String], options: LintOptions) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, posts(urls)).expect("write");
    let outcome = postlint::check_with(
        &[path],
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        options,
    );
    outcome
        .reports
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| {
            f.diagnostic.rule.starts_with("link-") && f.diagnostic.rule != "link-editor-only"
        })
        .map(|f| {
            (
                f.diagnostic.rule.to_owned(),
                f.diagnostic.message.to_string(),
                f.diagnostic.help.as_deref().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn links_grouped_by_server_do_not_stall_the_run() {
    let servers: Vec<Server> = (0..8)
        .map(|_| {
            Server::start(|_, _, _| {
                Reply::Slow(
                    Duration::from_millis(100),
                    Box::new(Reply::Status(200, vec![])),
                )
            })
        })
        .collect();
    // 40 links to each server in turn, as a post links its own site again and again.
    let urls: Vec<url::Url> = servers
        .iter()
        .flat_map(|server| (0..40).map(move |i| server.url(&format!("/page/{i}"))))
        .map(|u| url::Url::parse(&u).expect("url"))
        .collect();
    let options = ClientOptions {
        concurrency: 32,
        per_host: 4,
        ..client(Duration::from_secs(10))
    };
    // 320 URLs, 32 at once, 100 ms each: 1 s at best. Holding the global slots while one
    // server's queue waits took about 8 s.
    let start = Instant::now();
    let results = check_all(urls, &options, &|_, _, _| {});
    let wall = start.elapsed();
    assert_eq!(results.len(), 320);
    assert!(results.values().all(|o| matches!(o, Outcome::Ok { .. })));
    assert!(wall < Duration::from_secs(3), "took {wall:?}, ideal 1 s");
    eprintln!("grouped: 320 URLs on 8 servers at 100 ms: {wall:?} (ideal 1 s)");
}

#[test]
fn redirects_a_browser_will_not_follow_are_broken() {
    let server = Server::start(|_, path, _| {
        let to = match path {
            "/file" => "file:///etc/passwd",
            "/script" => "javascript:alert(1)",
            "/data" => "data:text/html,hi",
            _ => return Reply::Status(404, vec![]),
        };
        Reply::Status(302, vec![("Location".into(), to.into())])
    });
    let urls: Vec<String> = ["/file", "/script", "/data"]
        .iter()
        .map(|p| server.url(p))
        .collect();
    let found = findings(&urls, options(client(Duration::from_secs(2))));
    let rules: Vec<&str> = found.iter().map(|(rule, ..)| rule.as_str()).collect();
    assert_eq!(rules, ["link-broken"; 3], "{found:?}");
    for ((_, message, _), scheme) in found.iter().zip(["file", "javascript", "data"]) {
        assert!(
            message.ends_with(&format!(
                "it redirects to a `{scheme}:` URL, which a browser does not follow"
            )),
            "{message}"
        );
    }
}

#[test]
fn a_server_that_never_answers_costs_one_bound_and_one_try_per_method() {
    let server = Server::start(|_, _, _| Reply::Hang);
    let url = url::Url::parse(&server.url("/silent")).expect("url");
    let bound = Duration::from_millis(800);
    let start = Instant::now();
    let results = check_all(vec![url.clone()], &client(bound), &|_, _, _| {});
    let wall = start.elapsed();
    assert!(
        matches!(&results[url.as_str()], Outcome::Broken { reason } if reason.contains("no answer")),
        "{results:?}"
    );
    assert!(wall < bound + Duration::from_millis(400), "took {wall:?}");
    assert_eq!(
        (
            server.hits("HEAD", "/silent"),
            server.hits("GET", "/silent")
        ),
        (1, 1),
        "a swallowed request is not sent again the same way"
    );
}
