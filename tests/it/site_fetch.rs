//! `check --site` against a small fake WordPress on 127.0.0.1 started by each test: paging,
//! the 400 past the end, the `rest_route` fallback, credentials, an HTML answer, a slow
//! server, faults that are retried (a body cut short, a 500, a 429), saving, and the
//! incremental runs. The real WordPress is in `wordpress_e2e.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::common::check;
use crate::common::http::{Reply, Server};
use crate::common::site::{PASSWORD, Run, assert_says, rest_error, run};
use assert_cmd::Command;
use serde_json::{Value, json};

/// A post as WordPress writes it (`/` escaped as `\/`) on a site at +02:00 (Madrid in July).
fn post(id: u32, modified_gmt: &str, content: &str) -> String {
    let local = chrono::NaiveDateTime::parse_from_str(modified_gmt, "%Y-%m-%dT%H:%M:%S")
        .map(|t| {
            (t + chrono::Duration::hours(2))
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    let post = json!({
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T10:00:00",
        "modified": local,
        "modified_gmt": modified_gmt,
        "slug": format!("post-{id}"),
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example.com/post-{id}/"),
        "title": {"rendered": format!("Post {id}")},
        "content": {"rendered": content},
    });
    post.to_string().replace('/', "\\/")
}

fn page_of(posts: &[String]) -> Vec<u8> {
    format!("[{}]", posts.join(",")).into_bytes()
}

fn json_reply(body: Vec<u8>, total_pages: usize) -> Reply {
    Reply::Body(
        200,
        vec![
            (
                "Content-Type".into(),
                "application/json; charset=UTF-8".into(),
            ),
            ("X-WP-TotalPages".into(), total_pages.to_string()),
        ],
        body,
    )
}

fn index(zone: Value) -> Reply {
    let mut index = json!({"name": "Fake News", "url": "https://news.example.com"});
    if let (Some(index), Some(zone)) = (index.as_object_mut(), zone.as_object()) {
        index.extend(zone.clone());
    }
    json_reply(index.to_string().into_bytes(), 0)
}

/// Three pages of posts: page 2 holds an empty span.
fn pages() -> Vec<Vec<u8>> {
    vec![
        page_of(&[post(1, "2026-07-01T10:00:00", "<p>One</p>")]),
        page_of(&[
            post(2, "2026-07-02T10:00:00", "<p>Two</p>"),
            post(3, "2026-07-03T10:00:00", "<p>Three<span></span></p>"),
        ]),
        page_of(&[post(4, "2026-07-01T11:00:00", "<p>Four</p>")]),
    ]
}

/// A site with pretty permalinks serving `pages`, 400 past the end.
fn pretty_site(pages: Vec<Vec<u8>>) -> Server {
    let pages = Arc::new(pages);
    Server::start(move |_, path, _| {
        let total = pages.len();
        if path == "/wp-json/" {
            return index(json!({"timezone_string": "Europe/Madrid", "gmt_offset": 2}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(n) if (1..=total).contains(&n) => json_reply(pages[n - 1].clone(), total),
            Some(_) => rest_error(400, "rest_post_invalid_page_number"),
            None => rest_error(404, "rest_no_route"),
        }
    })
}

/// The `page=` of a request to `prefix…`.
fn page_number(path: &str, prefix: &str) -> Option<usize> {
    let query = path.strip_prefix(prefix)?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// The rules about content and files only: most tests here are not about dates.
fn postlint_content() -> Command {
    let mut command = check(&["--color", "never"]);
    command.args(["--select", "empty-span,not-a-post,json-syntax"]);
    command
}

fn report(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// `(rule, file, offset, line, column)` of every diagnostic.
fn places(report: &Value) -> Vec<(String, String, u64, u64, u64)> {
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_owned(),
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["span"]["offset"].as_u64().unwrap_or(u64::MAX),
                d["span"]["line"].as_u64().unwrap_or(0),
                d["span"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn offset_of(haystack: &[u8], needle: &str) -> u64 {
    haystack
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("`{needle}` is in the page")) as u64
}

#[test]
fn every_page_is_fetched_once_and_spans_point_into_the_page() {
    let served = pages();
    let server = pretty_site(served.clone());
    let result = run(check(&["--color", "never"])
        .args(["--format", "json", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    for n in 1..=3 {
        let path = format!("/wp-json/wp/v2/posts?per_page=100&page={n}");
        assert_eq!(server.hits("GET", &path), 1, "{path}");
    }
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=4"),
        0
    );
    let report = report(&result);
    let empty_span = offset_of(&served[1], "<span><\\/span>");
    assert_eq!(
        places(&report),
        vec![(
            "empty-span".to_owned(),
            format!("http://{}/wp-json/wp/v2/posts?page=2", server.addr),
            empty_span,
            1,
            empty_span + 1
        )]
    );
    assert_eq!(report["summary"]["posts"], 4);
    let sites = report["summary"]["sites"].to_string();
    assert!(
        sites.contains("3 pages fetched, zone Europe/Madrid from its REST index"),
        "{sites}"
    );
}

#[test]
fn a_page_past_the_end_is_the_end_not_an_error() {
    // The site announces 3 pages, but posts were deleted meanwhile: page 3 answers 400.
    let served = pages();
    let server = Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(n @ 1..=2) => json_reply(served[n - 1].clone(), 3),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .args(["--format", "json", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=3"),
        1
    );
    assert_eq!(report(&result)["summary"]["posts"], 3);
    assert!(!result.stderr.contains("page=3"), "{}", result.stderr);
}

#[test]
fn plain_permalinks_fall_back_to_rest_route() {
    let served = pages();
    let server = Server::start(move |_, path, _| {
        if path == "/?rest_route=/" {
            return index(json!({"gmt_offset": "-2.5"}));
        }
        match page_number(path, "/?rest_route=/wp/v2/posts&") {
            Some(n @ 1..=3) => json_reply(served[n - 1].clone(), 3),
            Some(_) => rest_error(400, "rest_post_invalid_page_number"),
            None => Reply::Body(
                404,
                Vec::new(),
                b"<html><title>Not Found</title></html>".to_vec(),
            ),
        }
    });
    let result = run(postlint_content()
        .args(["--format", "json", "--site"])
        .arg(server.url("/")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(server.hits("GET", "/wp-json/"), 1);
    let report = report(&result);
    let files: Vec<String> = places(&report).into_iter().map(|p| p.1).collect();
    assert_eq!(
        files,
        vec![format!(
            "http://{}/?rest_route=/wp/v2/posts&page=2",
            server.addr
        )]
    );
    assert!(
        report["summary"]["sites"]
            .to_string()
            .contains("zone -02:30")
    );
}

#[test]
fn saved_pages_are_the_bytes_served_and_lint_the_same_offline() {
    let served = pages();
    let server = pretty_site(served.clone());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let save = dir.path().join("saved");
    let online = run(postlint_content()
        .current_dir(dir.path())
        .args(["--format", "json", "--save", "saved", "--site"])
        .arg(server.url("")));
    assert_eq!(online.code, 0, "{}", online.stderr);
    let folder = save.join(format!("127.0.0.1_{}", server.addr.port()));
    for (n, bytes) in served.iter().enumerate() {
        let path = folder.join(format!("posts-page-{}.json", n + 1));
        assert_eq!(
            &std::fs::read(&path).expect("saved"),
            bytes,
            "{}",
            path.display()
        );
    }
    let offline = run(postlint_content()
        .current_dir(dir.path())
        .args(["--format", "json", "saved"]));
    let expected_file = format!("saved/127.0.0.1_{}/posts-page-2.json", server.addr.port());
    let online_places = places(&report(&online));
    assert_eq!(online_places[0].1, expected_file);
    assert_eq!(online_places, places(&report(&offline)));

    // A later run with fewer pages leaves no stale page behind.
    drop(server);
    let server = pretty_site(vec![served[0].clone()]);
    let again = run(postlint_content()
        .current_dir(dir.path())
        .args(["--save", "saved", "--site"])
        .arg(server.url("")));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let folder = save.join(format!("127.0.0.1_{}", server.addr.port()));
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("the folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The pages, and what was saved of the site beside them.
    assert_eq!(names, [".postlint-site.json", "posts-page-1.json"]);
}

/// A site that wants credentials: `users/me` answers as `me` says.
fn private_site(me: Reply) -> Server {
    let me = Arc::new(std::sync::Mutex::new(Some(me)));
    Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        if path.starts_with("/wp-json/wp/v2/users/me") {
            let taken = me.lock().ok().and_then(|mut m| m.take());
            return taken.unwrap_or_else(|| rest_error(500, "asked_twice"));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(1) => json_reply(
                page_of(&[post(9, "2026-07-01T10:00:00", "<p>Draft</p>")]),
                1,
            ),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    })
}

#[test]
fn wrong_credentials_stop_the_site_before_any_post_is_read() {
    let server = private_site(rest_error(401, "rest_not_logged_in"));
    let result = run(check(&["--color", "never"])
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--status", "any", "--user", "editor", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_says(&result.stderr, "did not accept the credentials of `editor`");
    assert_says(&result.stderr, "401");
    assert_eq!(
        server.hits(
            "GET",
            "/wp-json/wp/v2/posts?per_page=100&page=1&context=edit&status=any"
        ),
        0
    );
    assert!(!result.stdout.contains(PASSWORD) && !result.stderr.contains(PASSWORD));
}

#[test]
fn credentials_are_checked_sent_and_never_shown() {
    let me = json_reply(
        json!({"id": 1, "name": "Eddie Tor"})
            .to_string()
            .into_bytes(),
        0,
    );
    let server = private_site(me);
    let result = run(postlint_content()
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args([
            "--status", "any", "--user", "editor", "--format", "json", "--site",
        ])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        server.hits(
            "GET",
            "/wp-json/wp/v2/posts?per_page=100&page=1&context=edit&status=any"
        ),
        1
    );
    let expected = {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("editor:{PASSWORD}"));
        format!("authorization: basic {token}")
    };
    let heads = server.heads();
    let page_head = heads
        .iter()
        .find(|h| h.contains("/wp/v2/posts?"))
        .expect("the page was requested");
    assert!(
        page_head
            .to_ascii_lowercase()
            .contains(&expected.to_ascii_lowercase())
    );
    assert!(
        result.stdout.contains("signed in as Eddie Tor"),
        "{}",
        result.stdout
    );
    assert!(!result.stdout.contains(PASSWORD) && !result.stderr.contains(PASSWORD));
}

#[test]
fn credentials_need_https_and_the_password_from_the_environment() {
    // Refused before any request: the address does not even resolve.
    let plain = run(check(&["--color", "never"])
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--user", "editor", "--site", "http://news.example.invalid"]));
    assert_eq!(plain.code, 2);
    assert_says(&plain.stderr, "over plain http");
    assert!(!plain.stderr.contains(PASSWORD));

    let no_password = run(check(&["--color", "never"]).args([
        "--user",
        "editor",
        "--site",
        "https://news.example.invalid",
    ]));
    assert_eq!(no_password.code, 2);
    assert_says(&no_password.stderr, "POSTLINT_WP_APP_PASSWORD");

    let no_user = run(check(&["--color", "never"]).args([
        "--status",
        "draft",
        "--site",
        "https://news.example.invalid",
    ]));
    assert_eq!(no_user.code, 2);
    assert_says(&no_user.stderr, "--status draft needs credentials");
}

#[test]
fn an_html_answer_is_a_finding_on_that_page_and_the_others_are_linted() {
    let served = pages();
    let login_wall =
        b"<!DOCTYPE html>\n<html><head><title>Log In &lsaquo; Fake News</title></head></html>\n"
            .to_vec();
    let wall = login_wall.clone();
    let server = Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(1) => json_reply(served[0].clone(), 3),
            Some(2) => Reply::Body(
                200,
                vec![("Content-Type".into(), "text/html".into())],
                wall.clone(),
            ),
            Some(3) => json_reply(served[1].clone(), 3),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .args(["--format", "json", "--site"])
        .arg(server.url("")));
    assert_eq!(
        result.code, 2,
        "a page could not be read: {}",
        result.stderr
    );
    assert_says(
        &result.stderr,
        "page=2: the site answered 200 (text/html), not a page of posts",
    );
    let title = offset_of(&login_wall, "Log In");
    let page = |n: usize| format!("http://{}/wp-json/wp/v2/posts?page={n}", server.addr);
    let found = places(&report(&result));
    assert!(
        found.contains(&("not-a-post".to_owned(), page(2), title, 2, 20)),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.0 == "empty-span" && p.1 == page(3)),
        "{found:?}"
    );
}

#[test]
fn a_slow_site_times_out_with_a_clear_error() {
    let server = Server::start(|_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        Reply::Hang
    });
    let result = run(check(&["--color", "never"])
        .args(["--site-timeout", "0.3", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_says(&result.stderr, "page=1: no answer before the timeout");
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=1"),
        3,
        "the first try and two retries"
    );
}

#[test]
fn a_site_with_no_rest_api_is_an_error_naming_what_was_tried() {
    let server = Server::start(|_, _, _| {
        Reply::Body(
            503,
            vec![("Content-Type".into(), "text/html".into())],
            b"<title>Down</title>".to_vec(),
        )
    });
    let result = run(check(&["--color", "never"])
        .args(["--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 2);
    assert_says(&result.stderr, "cannot find the REST API");
    assert_says(&result.stderr, "/wp-json/ answered 503 (text/html)");
    assert_says(&result.stderr, "?rest_route=/ answered 503");
}

#[test]
fn since_last_run_asks_only_for_what_changed_in_local_time() {
    let served = pages();
    let server = pretty_site(served);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let first = run(check(&["--color", "never"])
        .current_dir(dir.path())
        .args(["--since-last-run", "--site"])
        .arg(server.url("")));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let marks = std::fs::read_to_string(dir.path().join(".postlint-cache/sites.json"))
        .expect("the marks were written");
    assert!(
        marks.contains("\"modified_gmt\": \"2026-07-03T10:00:00\""),
        "{marks}"
    );

    let second = run(check(&["--color", "never"])
        .current_dir(dir.path())
        .args(["--since-last-run", "--site"])
        .arg(server.url("")));
    assert_eq!(second.code, 0, "{}", second.stderr);
    // 10:00 UTC is 12:00 in Madrid in July.
    let asked = "/wp-json/wp/v2/posts?per_page=100&page=1&modified_after=2026-07-03T12:00:00";
    assert_eq!(server.hits("GET", asked), 1);
}

#[test]
fn modified_after_is_sent_in_the_site_offset() {
    let server = Server::start(|_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"timezone_string": "", "gmt_offset": "-2.5"}));
        }
        json_reply(b"[]".to_vec(), 0)
    });
    let result = run(check(&["--color", "never"])
        .args(["--modified-after", "2026-01-01T00:00:00Z", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let asked = "/wp-json/wp/v2/posts?per_page=100&page=1&modified_after=2025-12-31T21:30:00";
    assert_eq!(server.hits("GET", asked), 1);
}

#[test]
fn the_site_zone_feeds_the_date_rules() {
    // 12:00 local with 12:00 GMT is wrong in Madrid, whose offset in July is +02:00.
    let body = post(5, "2026-07-01T10:00:00", "<p>Five</p>").replace(
        "\"date_gmt\":\"2026-07-01T10:00:00\"",
        "\"date_gmt\":\"2026-07-01T12:00:00\"",
    );
    let server = pretty_site(vec![page_of(std::slice::from_ref(&body))]);
    let result = run(check(&["--color", "never"])
        .args(["--format", "json", "--site"])
        .arg(server.url("")));
    let report = report(&result);
    let found: Vec<(String, u64)> = places(&report).into_iter().map(|p| (p.0, p.2)).collect();
    let page = page_of(&[body]);
    // The span is the value inside its quotes.
    let date_gmt = offset_of(&page, "\"date_gmt\":\"") + "\"date_gmt\":\"".len() as u64;
    // The index tells today's zone only, so the finding is a suspicion, not a certainty.
    assert_eq!(found, vec![("date-offset-suspicious".to_owned(), date_gmt)]);
    let message = report["diagnostics"][0]["message"].to_string();
    assert!(message.contains("Europe/Madrid"), "{message}");
}

#[test]
fn the_config_names_the_site_when_the_command_line_names_nothing() {
    let server = pretty_site(pages());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let config = format!("[site]\nurl = [\"{}\"]\n", server.url("/"));
    std::fs::write(dir.path().join("postlint.toml"), config).expect("written");
    let mut command = Command::cargo_bin("postlint").expect("the binary");
    let result = run(command.current_dir(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "empty-span",
    ]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(report(&result)["summary"]["posts"], 4);

    std::fs::write(
        dir.path().join("postlint.toml"),
        "[site]\nurl = \"ftp://x\"\n",
    )
    .expect("written");
    let mut command = Command::cargo_bin("postlint").expect("the binary");
    let result = run(command
        .current_dir(dir.path())
        .args(["check", "--color", "never"]));
    assert_eq!(result.code, 2);
    assert_says(&result.stderr, "`ftp://x` is not an http or https address");
    assert_says(&result.stderr, "postlint.toml:2:7");
}

#[test]
fn a_busy_site_is_retried_after_what_it_asks_and_sees_our_user_agent() {
    let served = pages();
    let server = Server::start(move |_, path, nth| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(1) if nth == 1 => Reply::Status(429, vec![("Retry-After".into(), "0".into())]),
            Some(1) => json_reply(served[0].clone(), 1),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .args([
            "--format",
            "json",
            "--user-agent",
            "newsroom-bot/2",
            "--site",
        ])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=1"),
        2
    );
    assert_eq!(report(&result)["summary"]["posts"], 1);
    let heads = server.heads();
    assert!(
        heads.iter().all(|h| h
            .to_ascii_lowercase()
            .contains("user-agent: newsroom-bot/2")),
        "{heads:?}"
    );
}

#[test]
fn fixes_are_for_files_not_for_a_live_site() {
    let result =
        run(check(&["--color", "never"]).args(["--fix", "--site", "https://news.example.invalid"]));
    assert_eq!(result.code, 2);
    assert_says(&result.stderr, "fetch it with --save DIR");
}

/// 20 pages of 100 posts, each post a few bytes with one empty span (a warning, so a site read
/// whole exits 0), ids 1 to 2,000.
fn big_site_pages() -> Vec<Vec<u8>> {
    (0..20)
        .map(|page| {
            let posts: Vec<String> = (1..=100)
                .map(|n| {
                    let id = page * 100 + n;
                    format!(
                        r#"{{"id":{id},"content":{{"rendered":"<p>{id}<span><\/span><\/p>"}}}}"#
                    )
                })
                .collect();
            page_of(&posts)
        })
        .collect()
}

/// The big site, where the first request for page `faulty` gets `fault(body)` instead.
fn big_site(faulty: usize, fault: impl Fn(Vec<u8>) -> Reply + Send + Sync + 'static) -> Server {
    let pages = Arc::new(big_site_pages());
    Server::start(move |_, path, nth| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(n) if n == faulty && nth == 1 => fault(pages[n - 1].clone()),
            Some(n @ 1..=20) => json_reply(pages[n - 1].clone(), 20),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    })
}

fn big_page_path(n: usize) -> String {
    format!("/wp-json/wp/v2/posts?per_page=100&page={n}")
}

/// Reads the big site and checks it was read whole: exit 0, no error, 2,000 posts each linted
/// once, page `faulty` asked `faulty_hits` times and every other page once.
fn assert_read_whole(server: &Server, faulty: usize, faulty_hits: usize) {
    let result = run(postlint_content()
        .args(["--format", "json", "--site-timeout", "10", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(!result.stderr.contains("page="), "{}", result.stderr);
    for n in 1..=20 {
        let expected = if n == faulty { faulty_hits } else { 1 };
        assert_eq!(server.hits("GET", &big_page_path(n)), expected, "page {n}");
    }
    let report = report(&result);
    assert_eq!(report["summary"]["posts"], 2000);
    let mut ids: Vec<u64> = report["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|d| d["post"]["id"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    assert_eq!(ids, (1..=2000).collect::<Vec<u64>>(), "each post once");
}

#[test]
fn a_body_cut_short_once_is_read_again_and_no_post_counts_twice() {
    let server = big_site(15, |body| {
        Reply::CutShort(200, vec![("X-WP-TotalPages".into(), "20".into())], body)
    });
    assert_read_whole(&server, 15, 2);
}

#[test]
fn a_500_once_is_retried() {
    let server = big_site(15, |_| rest_error(500, "internal_server_error"));
    assert_read_whole(&server, 15, 2);
}

#[test]
fn a_429_is_retried_after_what_it_asks() {
    let server = big_site(15, |_| {
        Reply::Status(429, vec![("Retry-After".into(), "0".into())])
    });
    assert_read_whole(&server, 15, 2);
}

#[test]
fn a_slow_page_within_the_timeout_is_waited_for_not_retried() {
    let server = big_site(15, |body| {
        Reply::Slow(Duration::from_millis(500), Box::new(json_reply(body, 20)))
    });
    assert_read_whole(&server, 15, 1);
}

#[test]
fn a_body_that_stalls_until_the_timeout_once_is_read_again() {
    let served = pages();
    let server = Server::start(move |_, path, nth| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(2) if nth == 1 => Reply::Stalls(200, Vec::new(), served[1].clone()),
            Some(n @ 1..=3) => json_reply(served[n - 1].clone(), 3),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .args(["--format", "json", "--site-timeout", "0.5", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=2"),
        2
    );
    assert_eq!(report(&result)["summary"]["posts"], 4);
}

#[test]
fn a_body_cut_short_every_time_is_an_error_naming_the_page() {
    let served = pages();
    let server = Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(2) => Reply::CutShort(200, Vec::new(), served[1].clone()),
            Some(n @ 1..=3) => json_reply(served[n - 1].clone(), 3),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .args(["--format", "json", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_says(&result.stderr, "page=2: the answer was cut short");
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?per_page=100&page=2"),
        3,
        "the first try and two retries"
    );
    // Nothing of a half page is linted: pages 1 and 3 hold one post each.
    assert_eq!(report(&result)["summary"]["posts"], 2);
}

#[test]
fn credentials_ask_for_the_raw_text_and_findings_point_into_it() {
    let me = json!({"id": 1, "name": "Eddie Tor"})
        .to_string()
        .into_bytes();
    let me = Arc::new(std::sync::Mutex::new(Some(json_reply(me, 0))));
    let server = Server::start(move |_, path, _| {
        if path == "/wp-json/" {
            return index(json!({"gmt_offset": 0}));
        }
        if path.starts_with("/wp-json/wp/v2/users/me") {
            let taken = me.lock().ok().and_then(|mut m| m.take());
            return taken.unwrap_or_else(|| rest_error(500, "asked_twice"));
        }
        if !path.contains("context=edit") {
            return rest_error(400, "expected_context_edit");
        }
        let mut draft: Value =
            serde_json::from_str(&post(9, "2026-07-01T10:00:00", "<p>Draft</p>"))
                .unwrap_or_default();
        draft["content"] = json!({
            "raw": "<!-- wp:paragraph -->\n<p>Draft <span></span>text</p>\n<!-- /wp:paragraph -->",
            "rendered": "\n<p>Draft <span></span>text</p>\n",
        });
        match page_number(path, "/wp-json/wp/v2/posts?") {
            Some(1) => json_reply(page_of(&[draft.to_string()]), 1),
            _ => rest_error(400, "rest_post_invalid_page_number"),
        }
    });
    let result = run(postlint_content()
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--status", "any", "--user", "editor", "--format", "json"])
        .arg("--site")
        .arg(server.url("")));
    let report: Value = serde_json::from_str(&result.stdout).unwrap_or_default();
    let fields: Vec<&str> = (report["diagnostics"].as_array().into_iter().flatten())
        .map(|d| d["field"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        fields,
        ["content.raw"],
        "{}{}",
        result.stdout,
        result.stderr
    );
}
