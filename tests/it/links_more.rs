//! The link checker beyond a status code, against servers on 127.0.0.1 started by each test:
//! no stall on links grouped by server, redirects a reader cannot follow, the bound on one
//! URL, soft 404s, parked domains, fragments of other pages and archived copies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::http::{Reply, Server};
use postlint::config::Config;
use postlint::http::ClientOptions;
use postlint::links::LinkCheck;
use postlint::links::remote::{Outcome, check_all};
use postlint::run::RunOptions;

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

fn options(check: ClientOptions) -> RunOptions {
    RunOptions {
        links: Some(LinkCheck {
            check,
            ..LinkCheck::default()
        }),
        ..RunOptions::default()
    }
}

/// A post linking each of `urls` (one NDJSON line each).
fn posts(urls: &[String]) -> String {
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            format!("{{\"id\":{i},\"date\":\"2019-05-04T10:00:00\",\"date_gmt\":\"2019-05-04T10:00:00\",\"content\":{{\"rendered\":\"<p><a href=\\\"{url}\\\">x</a></p>\"}}}}\n")
        })
        .collect()
}

/// The link findings of a run over one post per URL: (rule, message, help).
fn findings(urls: &[String], options: RunOptions) -> Vec<(String, String, String)> {
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
    assert!(
        results
            .values()
            .all(|o| matches!(o.outcome, Outcome::Ok { .. }))
    );
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
        matches!(&results[url.as_str()].outcome, Outcome::Broken { reason } if reason.contains("no answer")),
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

fn html(title: &str, body: &str) -> Reply {
    Reply::Body(
        200,
        vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
        )
        .into_bytes(),
    )
}

fn rules(found: &[(String, String, String)]) -> Vec<&str> {
    found.iter().map(|(rule, ..)| rule.as_str()).collect()
}

#[test]
fn soft_404s_by_redirect_home_and_by_title_in_two_languages() {
    let server = Server::start(|method, path, _| match (method, path) {
        (_, "/2015/report") => Reply::Status(301, vec![("Location".into(), "/".into())]),
        (_, "/") => Reply::Status(200, vec![]),
        ("HEAD", _) => Reply::Status(405, vec![]),
        (_, "/es/informe") => html("Página no encontrada – Diario", ""),
        (_, "/ja/report") => html("ページが見つかりません | 新聞", ""),
        (_, "/en/report") => html("The 2015 report", ""),
        _ => Reply::Status(404, vec![]),
    });
    let urls: Vec<String> = [
        "/2015/report",
        "/es/informe",
        "/ja/report",
        "/en/report",
        "/",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let found = findings(&urls, options(client(Duration::from_secs(2))));
    assert_eq!(rules(&found), ["link-soft-404"; 3], "{found:?}");
    assert!(
        found[0].1.ends_with(&format!(
            "it redirects to the site's home page `{}`",
            server.url("/")
        )),
        "{}",
        found[0].1
    );
    assert!(
        found[1].1.ends_with(
            "the site answered 200 but the page's title is `Página no encontrada – Diario`"
        ),
        "{}",
        found[1].1
    );
    assert!(
        found[2].1.contains("ページが見つかりません"),
        "{}",
        found[2].1
    );
    assert_eq!(
        server.hits("GET", "/2015/report"),
        0,
        "a title is read only when a GET is made anyway"
    );
}

#[test]
fn a_parked_domain_is_broken_and_says_so() {
    let server = Server::start(|method, path, _| match (method, path) {
        ("HEAD", _) => Reply::Status(405, vec![]),
        (_, "/old-shop") => html("oldshop.example is for sale!", "<p>Buy this domain</p>"),
        _ => Reply::Status(404, vec![]),
    });
    let found = findings(
        &[server.url("/old-shop")],
        options(client(Duration::from_secs(2))),
    );
    assert_eq!(rules(&found), ["link-broken"], "{found:?}");
    assert!(
        found[0].1.ends_with(
            "the domain is for sale: the page's title is `oldshop.example is for sale!`"
        ),
        "{}",
        found[0].1
    );
}

#[test]
fn fragments_of_other_pages_are_looked_for_in_one_get_per_page() {
    let server = Server::start(|_, path, _| match path {
        "/guide" => html(
            "Guide",
            "<h2 id=\"install\">Install</h2><a name=\"legacy\"></a><h2 id=\"caf\u{e9}\">Café</h2>",
        ),
        "/file.pdf" => Reply::Body(
            200,
            vec![("Content-Type".into(), "application/pdf".into())],
            b"%PDF".to_vec(),
        ),
        _ => Reply::Status(404, vec![]),
    });
    let urls: Vec<String> = [
        "/guide#install",
        "/guide#legacy",
        "/guide#missing",
        "/guide#caf%C3%A9",
        "/guide#install",
        "/guide#:~:text=Install",
        "/guide#top",
        "/file.pdf#page=2",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let found = findings(&urls, options(client(Duration::from_secs(2))));
    assert_eq!(rules(&found), ["link-fragment-missing"], "{found:?}");
    assert_eq!(
        found[0].1,
        format!(
            "`{}` has no `id` or anchor named `missing`",
            server.url("/guide")
        )
    );
    assert_eq!(
        (server.hits("HEAD", "/guide"), server.hits("GET", "/guide")),
        (0, 1),
        "one GET for seven links into one page"
    );
}

/// Options whose archive is the local server at `api`, asked at most every 10 ms.
fn with_archive(api: &str) -> RunOptions {
    let mut options = options(client(Duration::from_secs(2)));
    if let Some(links) = options.links.as_mut() {
        links.archive = Some(postlint::links::archive::ArchiveOptions {
            api: url::Url::parse(api).expect("url"),
            interval: Duration::from_millis(10),
            ..Default::default()
        });
    }
    options
}

/// The dead-link findings of a run, whole, and its notices.
fn findings_with_fixes(
    urls: &[String],
    options: RunOptions,
) -> (Vec<postlint::diagnostic::Finding>, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, posts(urls)).expect("write");
    let outcome = postlint::check_with(
        &[path],
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        options,
    );
    let found = outcome
        .reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| matches!(f.diagnostic.rule, "link-broken" | "link-soft-404"))
        .collect();
    (found, outcome.notices)
}

#[test]
fn archived_copies_near_the_post_date_are_offered() {
    let site = Server::start(|_, path, _| match path {
        "/gone" | "/never-archived" | "/busy-archive" => Reply::Status(404, vec![]),
        _ => Reply::Status(200, vec![]),
    });
    let gone = site.url("/gone");
    let copy = format!("https://web.archive.org/web/20190501000000/{gone}");
    let answer = format!(
        "{{\"archived_snapshots\":{{\"closest\":{{\"available\":true,\"url\":\"{copy}\",\"timestamp\":\"20190501000000\",\"status\":\"200\"}}}}}}"
    );
    let archive = Server::start(move |_, path, nth| {
        let json = |body: String| {
            Reply::Body(
                200,
                vec![("Content-Type".into(), "application/json".into())],
                body.into_bytes(),
            )
        };
        if path.contains("busy-archive") {
            return Reply::Status(429, vec![("Retry-After".into(), "1".into())]);
        }
        if path.contains("never-archived") {
            return json("{\"archived_snapshots\":{}}".to_owned());
        }
        if nth == 1 {
            return Reply::Status(429, vec![("Retry-After".into(), "1".into())]);
        }
        json(answer.clone())
    });
    let urls = vec![
        gone.clone(),
        site.url("/never-archived"),
        site.url("/busy-archive"),
        gone.clone(),
    ];
    let (found, notices) =
        findings_with_fixes(&urls, with_archive(&archive.url("/wayback/available")));
    assert_eq!(found.len(), 4, "{found:?}");
    let help = |i: usize| {
        found[i]
            .diagnostic
            .help
            .as_deref()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        help(0),
        format!("link the archived copy of 2019-05-01: `{copy}`")
    );
    let fix = found[0].diagnostic.fix.as_ref().expect("an unsafe fix");
    assert_eq!(
        fix.applicability,
        postlint::diagnostic::Applicability::Unsafe
    );
    assert_eq!(fix.edits[0].content.replace("\\/", "/"), copy);
    assert_eq!(help(3), help(0));
    assert_eq!(
        help(1),
        "fix the address, link an archived copy, or remove the link"
    );
    assert_eq!(
        help(2),
        help(1),
        "an archive that keeps answering 429 offers nothing"
    );
    assert!(
        notices
            .iter()
            .any(|n| n.contains("failed: it answered 429; 1 of 3 dead links were not looked up")),
        "{notices:?}"
    );
    let asked: Vec<String> = archive
        .heads()
        .iter()
        .filter_map(|h| h.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    let gone_asked: Vec<&String> = asked.iter().filter(|p| p.contains("%2Fgone")).collect();
    assert_eq!(
        gone_asked.len(),
        2,
        "429 then the answer, one lookup for two links: {asked:?}"
    );
    assert!(gone_asked[0].contains("timestamp=20190504"), "{asked:?}");
    assert_eq!(
        asked.iter().filter(|p| p.contains("busy-archive")).count(),
        3
    );
}

#[test]
fn the_json_report_gives_each_link_its_final_url_status_redirects_and_archived_copy() {
    let site = Server::start(|_, path, _| match path {
        "/moved" => Reply::Status(301, vec![("Location".into(), "/gone".into())]),
        _ => Reply::Status(404, vec![]),
    });
    let archive = Server::start(|_, _, _| {
        let body = "{\"archived_snapshots\":{\"closest\":{\"available\":true,\"url\":\"https://web.archive.org/web/20180101000000/x\",\"timestamp\":\"20180101000000\",\"status\":\"200\"}}}";
        Reply::Body(
            200,
            vec![("Content-Type".into(), "application/json".into())],
            body.as_bytes().to_vec(),
        )
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let post = dir.path().join("p.ndjson");
    std::fs::write(&post, posts(&[site.url("/moved")])).expect("write");
    let output = assert_cmd::Command::cargo_bin("postlint")
        .expect("binary")
        .args([
            "check",
            "--no-config",
            "--no-cache",
            "--format",
            "json",
            "--links",
            "--allow-private",
        ])
        .args(["--archive-api", &archive.url("/wayback/available")])
        .arg(&post)
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let broken: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "link-broken")
        .collect();
    assert_eq!(broken.len(), 1, "{report:#}");
    assert_eq!(
        broken[0]["link"],
        serde_json::json!({
            "url": site.url("/moved"),
            "final_url": site.url("/gone"),
            "status": 404,
            "redirects": [{ "url": site.url("/moved"), "status": 301 }],
            "archived": {
                "url": "https://web.archive.org/web/20180101000000/x",
                "timestamp": "20180101000000"
            }
        })
    );
    let schema_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
    )
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    assert!(validator.is_valid(&report), "{report:#}");
    let mut renamed = report.clone();
    renamed["diagnostics"][0]["link"]["final"] =
        renamed["diagnostics"][0]["link"]["final_url"].take();
    if let Some(link) = renamed["diagnostics"][0]["link"].as_object_mut() {
        link.remove("final_url");
    }
    assert!(
        !validator.is_valid(&renamed),
        "the schema catches a renamed link field"
    );
}

#[test]
fn fragments_of_posts_of_the_same_run_are_checked_without_the_network() {
    let server = Server::start(|_, _, _| Reply::Status(200, vec![]));
    let page = server.url("/2019/05/guide/");
    let target = |fragment: &str| format!("{page}#{fragment}");
    let text = format!(
        "{{\"id\":1,\"link\":\"{page}\",\"content\":{{\"rendered\":\"<h2 id=\\\"setup\\\">Setup</h2>\"}}}}\n\
         {{\"id\":2,\"link\":\"{other}\",\"content\":{{\"rendered\":\"<p><a href=\\\"{a}\\\">a</a> <a href=\\\"{b}\\\">b</a> <a href=\\\"{c}\\\">c</a></p>\"}}}}\n",
        other = server.url("/2019/06/other/"),
        a = target("setup"),
        b = target("teardown"),
        c = target("comments"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, text).expect("write");
    let outcome = postlint::check_with(
        &[path],
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        options(client(Duration::from_secs(2))),
    );
    let missing: Vec<String> = outcome
        .reports
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.diagnostic.rule == "link-fragment-missing")
        .map(|f| f.diagnostic.message.to_string())
        .collect();
    assert_eq!(
        missing,
        [format!("`{page}` has no `id` or anchor named `teardown`")]
    );
    assert_eq!(
        server.hits("GET", "/2019/05/guide/"),
        0,
        "the post is not fetched for its fragments"
    );
}
