//! Credentials and private addresses against hostile servers on 127.0.0.1 started by each test:
//! the application password goes only to the site the user named (not to an API another site's
//! `Link` header names, not across a redirect), the archive and the copies it offers pass the
//! private-address guard, and a user's value given to git is never taken as an option.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::common::http::{Reply, Server};
use crate::common::site::{self, PASSWORD, Run, assert_says, check_json, json_value, rest_error};
use assert_cmd::Command;
use serde_json::{Value, json};

fn redirect(to: String) -> Reply {
    Reply::Status(302, vec![("Location".into(), to)])
}

/// Post 3, as WordPress writes it, at `link`.
fn post_3(link: &str) -> Value {
    json!({
        "id": 3,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T10:00:00",
        "modified_gmt": "2026-07-01T10:00:00",
        "slug": "post-3",
        "status": "publish",
        "type": "post",
        "link": link,
        "title": {"rendered": "Post 3"},
        "content": {"rendered": "<p>Three<span></span> words</p>"},
    })
}

/// A WordPress REST API answering at `/wp-json/`: the index, `users/me` as `me`, post 3 by id,
/// by slug and on page 1 of the posts.
fn rest_api(path: &str, me: &str, link: &str) -> Reply {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    match route {
        "/wp-json/" => json_value(&json!({"name": "Fake News", "gmt_offset": 0})),
        "/wp-json/wp/v2/users/me" => json_value(&json!({"id": 1, "name": me})),
        "/wp-json/wp/v2/posts/3" => json_value(&post_3(link)),
        "/wp-json/wp/v2/posts" if query.contains("slug=post-3") || query.contains("page=1") => {
            json_value(&json!([post_3(link)]))
        }
        _ => rest_error(400, "rest_post_invalid_page_number"),
    }
}

/// Two sites: `named`, the one the user names, and `other`, where `named` sends the reader.
/// `named` answers `route(path, other's base)`; `other` is a whole REST API whose user is
/// Mallory and whose post 3 is at `named`'s `/2026/07/post-3/`.
struct Sites {
    named: Server,
    other: Server,
}

impl Sites {
    fn start(route: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> Self {
        let named_base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let other_base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let link_base = named_base.clone();
        let other = Server::start(move |_, path, _| {
            let base = link_base.get().map_or("", String::as_str);
            rest_api(path, "Mallory", &format!("{base}/2026/07/post-3/"))
        });
        let _ = other_base.set(other.url(""));
        let named = Server::start(move |_, path, _| {
            route(path, other_base.get().map_or("", String::as_str))
        });
        let _ = named_base.set(named.url(""));
        Self { named, other }
    }
}

/// No request to `server` carried an `Authorization` header.
fn assert_no_password_sent_to(server: &Server) {
    for head in server.heads() {
        assert!(
            !head.to_ascii_lowercase().contains("authorization"),
            "{head}"
        );
    }
}

fn signed_in() -> Command {
    let mut command = check_json();
    command
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--user", "editor"]);
    command
}

fn run(command: &mut Command) -> Run {
    let run = site::run(command);
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "the password was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

#[test]
fn an_api_another_site_names_gets_no_password_and_is_refused_with_credentials() {
    let sites = Sites::start(|path, other| match path {
        "/2026/07/post-3/" => Reply::Body(
            200,
            vec![
                ("Content-Type".into(), "text/html".into()),
                (
                    "Link".into(),
                    format!("<{other}/wp-json/>; rel=\"https://api.w.org/\""),
                ),
            ],
            b"<html></html>".to_vec(),
        ),
        _ => Reply::Status(404, Vec::new()),
    });
    let address = sites.named.url("/2026/07/post-3/");
    // Allowed to reach this machine, so that the password's own guard is what refuses.
    let result = run(signed_in().arg("--allow-private").arg(&address));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_says(&result.stderr, "another site");
    assert_says(&result.stderr, &sites.other.url("/wp-json/"));
    assert_no_password_sent_to(&sites.other);
    assert_eq!(
        sites
            .other
            .hits("GET", "/wp-json/wp/v2/users/me?context=edit"),
        0
    );
    assert!(!result.stdout.contains("signed in"), "{}", result.stdout);

    // Without credentials there is nothing to keep: the API is followed where it is (here on
    // this machine, which only the site named may be without --allow-private).
    let anonymous = run(check_json().arg("--allow-private").arg(&address));
    assert_eq!(anonymous.code, 0, "{}", anonymous.stderr);
    assert_eq!(
        sites.other.hits("GET", "/wp-json/wp/v2/posts?slug=post-3"),
        1
    );
}

#[test]
fn a_post_address_another_site_names_is_read_for_its_id_only() {
    // The page names its own API, and its post's REST address on another site.
    let named: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let known = named.clone();
    let sites = Sites::start(move |path, other| match path {
        "/2026/07/post-3/" => {
            let base = known.get().map_or("", String::as_str);
            let links = [
                format!("<{base}/wp-json/>; rel=\"https://api.w.org/\""),
                format!(
                    "<{other}/wp-json/wp/v2/posts/3>; rel=\"alternate\"; type=\"application/json\""
                ),
            ];
            let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
            headers.extend(links.into_iter().map(|l| ("Link".to_owned(), l)));
            Reply::Body(200, headers, b"<html></html>".to_vec())
        }
        p => rest_api(p, "Eddie Tor", "http://x.invalid/"),
    });
    let _ = named.set(sites.named.url(""));
    let result = run(signed_in().arg(sites.named.url("/2026/07/post-3/")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        sites
            .named
            .hits("GET", "/wp-json/wp/v2/posts/3?context=edit"),
        1
    );
    assert_eq!(sites.other.total_hits(), 0, "{:#?}", sites.other.heads());
}

#[test]
fn a_redirect_to_another_site_is_refused_before_the_password_goes_there() {
    let sites = Sites::start(|path, other| match path {
        p if p.starts_with("/wp-json/wp/v2/posts") => redirect(format!("{other}{p}")),
        p => rest_api(p, "Eddie Tor", "http://x.invalid/"),
    });
    let result = run(signed_in().arg("--site").arg(sites.named.url("")));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_says(&result.stderr, "redirects to");
    assert_says(&result.stderr, &sites.other.url("/wp-json/wp/v2/posts"));
    assert_eq!(sites.other.total_hits(), 0, "{:#?}", sites.other.heads());

    let one_post = run(signed_in()
        .args(["--post", "3", "--site"])
        .arg(sites.named.url("")));
    assert_eq!(one_post.code, 2, "{}", one_post.stderr);
    assert_says(&one_post.stderr, "redirects to");
    assert_eq!(sites.other.total_hits(), 0, "{:#?}", sites.other.heads());

    // Anonymous, the site may send the reader where it likes (a public address, or with
    // --allow-private, this machine).
    let anonymous = run(check_json()
        .args(["--allow-private", "--site"])
        .arg(sites.named.url("")));
    assert_eq!(anonymous.code, 0, "{}", anonymous.stderr);
    assert!(sites.other.total_hits() > 0);
    assert_no_password_sent_to(&sites.other);
}

#[test]
fn a_sign_in_sent_to_another_site_is_not_a_sign_in() {
    let sites = Sites::start(|path, other| match path {
        p if p.starts_with("/wp-json/wp/v2/users/me") => redirect(format!("{other}{p}")),
        p => rest_api(p, "Eddie Tor", "http://x.invalid/"),
    });
    let result = run(signed_in().arg("--site").arg(sites.named.url("")));
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(!result.stdout.contains("signed in"), "{}", result.stdout);
    assert!(!result.stdout.contains("Mallory"), "{}", result.stdout);
    assert_says(&result.stderr, "redirects to");
    assert_eq!(sites.other.total_hits(), 0, "{:#?}", sites.other.heads());
}

#[test]
fn the_site_named_is_asked_signed_in_from_its_first_request() {
    // A site may close its REST API, index included, to visitors: every request to the
    // origin named carries the password, the index and a post's page too.
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let known = base.clone();
    let server = Server::start(move |_, path, _| match path {
        "/2026/07/post-3/" => Reply::Body(
            200,
            vec![("Content-Type".into(), "text/html".into())],
            b"<html></html>".to_vec(),
        ),
        p => {
            let base = known.get().map_or("", String::as_str);
            rest_api(p, "Eddie Tor", &format!("{base}/2026/07/post-3/"))
        }
    });
    let _ = base.set(server.url(""));
    let site = run(signed_in()
        .args(["--post", "3", "--site"])
        .arg(server.url("")));
    assert_eq!(site.code, 0, "{}", site.stderr);
    let address = run(signed_in().arg(server.url("/2026/07/post-3/")));
    assert_eq!(address.code, 0, "{}", address.stderr);
    assert_says(&address.stdout, "signed in as Eddie Tor");
    let heads = server.heads();
    assert!(heads.len() >= 6, "{heads:#?}");
    for head in heads {
        assert!(
            head.to_ascii_lowercase().contains("authorization: basic"),
            "{head}"
        );
    }
}

#[test]
fn a_redirect_within_the_site_keeps_the_password() {
    let server = Server::start(|_, path, _| match path {
        "/wp-json/wp/v2/posts/3?context=edit" => {
            redirect("/wp-json/wp/v2/posts/3/?context=edit".to_owned())
        }
        "/wp-json/wp/v2/posts/3/?context=edit" => json_value(&post_3("http://x.invalid/")),
        "/wp-json/wp/v2/posts/4?context=edit" => {
            redirect("/wp-json/wp/v2/posts/4?context=edit".to_owned())
        }
        p => rest_api(p, "Eddie Tor", "http://x.invalid/"),
    });
    let result = run(signed_in()
        .args(["--post", "3", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_says(&result.stdout, "signed in as Eddie Tor");
    let moved = server
        .heads()
        .into_iter()
        .find(|h| h.starts_with("GET /wp-json/wp/v2/posts/3/"))
        .expect("the redirect was followed");
    assert!(moved.to_ascii_lowercase().contains("authorization: basic"));

    let endless = run(signed_in()
        .args(["--post", "4", "--site"])
        .arg(server.url("")));
    assert_eq!(endless.code, 2, "{}", endless.stderr);
    assert_says(&endless.stderr, "more than 10 redirects");
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts/4?context=edit"),
        11
    );
}

#[test]
fn an_address_with_a_password_in_it_is_refused_and_never_printed() {
    let server = Server::start(|_, path, _| rest_api(path, "Eddie Tor", "http://x.invalid/"));
    let secret = "hunter2-in-the-url";
    for with_user in [false, true] {
        let address = format!("http://editor:{secret}@{}/", server.addr);
        let mut command = if with_user { signed_in() } else { check_json() };
        let result = run(command.arg("--site").arg(&address));
        assert_eq!(result.code, 2, "{}", result.stderr);
        assert_says(&result.stderr, "--user");
        assert!(!result.stderr.contains(secret), "{}", result.stderr);
        assert!(!result.stdout.contains(secret), "{}", result.stdout);
    }
    assert_eq!(server.total_hits(), 0);
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_changed_since_value_is_never_an_option_to_git() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(
        root.join("post.json"),
        r#"{"id":1,"content":{"rendered":"<p>x</p>"}}"#,
    )
    .expect("write");
    std::fs::write(root.join("kept.txt"), "precious").expect("write");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "posts"]);
    for value in [
        "--output=created.txt",
        "--output=kept.txt",
        "-ocreated.txt",
        "--ext-diff",
        "-",
        "",
    ] {
        let result = run(check_json()
            .current_dir(root)
            .arg(format!("--changed-since={value}"))
            .arg("."));
        assert_eq!(result.code, 2, "{value}: {}", result.stderr);
        assert_says(&result.stderr, "is not a git revision");
        assert!(!root.join("created.txt").exists(), "{value}");
        assert_eq!(
            std::fs::read_to_string(root.join("kept.txt")).expect("kept"),
            "precious",
            "{value}"
        );
    }
    let unknown =
        run(check_json()
            .current_dir(root)
            .args(["--changed-since", "no-such-branch", "."]));
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert_says(&unknown.stderr, "git knows no such commit");

    // A revision git knows still selects what changed.
    std::fs::write(
        root.join("new.json"),
        r#"{"id":2,"content":{"rendered":"<p>y</p>"}}"#,
    )
    .expect("write");
    let since_head = run(check_json()
        .current_dir(root)
        .args(["--changed-since", "HEAD", "."]));
    assert_eq!(since_head.code, 0, "{}", since_head.stderr);
    let report: Value = serde_json::from_str(&since_head.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
}

/// An availability API that offers `copy` for anything, counting what it is asked.
fn archive_offering(copy: &str) -> Server {
    let answer = json!({"archived_snapshots": {"closest": {
        "available": true, "url": copy, "timestamp": "20190501000000", "status": "200"
    }}});
    Server::start(move |_, _, _| json_value(&answer.clone()))
}

fn archive_client(allow_private: bool) -> postlint::http::ClientOptions {
    postlint::http::ClientOptions {
        allow_private,
        retries: 0,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        ..postlint::http::ClientOptions::default()
    }
}

#[test]
fn an_archive_on_a_private_address_is_never_asked() {
    use postlint::links::archive::{ArchiveOptions, lookup_all};
    let archive = archive_offering("https://web.archive.org/web/2019/https://gone.example/");
    let port = archive.addr.port();
    let lookups = vec![("https://gone.example/".to_owned(), "20190504".to_owned())];
    for api in [
        format!("http://127.0.0.1:{port}/wayback/available"),
        format!("http://2130706433:{port}/wayback/available"),
        format!("http://[::ffff:127.0.0.1]:{port}/wayback/available"),
        format!("http://localhost.:{port}/wayback/available"),
        format!("http://archive.localhost:{port}/wayback/available"),
    ] {
        let options = ArchiveOptions {
            api: url::Url::parse(&api).expect("a url"),
            interval: Duration::ZERO,
            ..ArchiveOptions::default()
        };
        let (found, failure) =
            lookup_all(lookups.clone(), &options, &archive_client(false), &|_| {});
        assert!(found.is_empty(), "{api}");
        let failure = failure.unwrap_or_default();
        assert_says(&failure, "was not asked");
        assert_says(&failure, "--allow-private");
        assert_eq!(archive.connections.load(Ordering::SeqCst), 0, "{api}");
    }
    // Allowed, the same archive is asked: the guard, not the test, kept it quiet.
    let options = ArchiveOptions {
        api: url::Url::parse(&archive.url("/wayback/available")).expect("a url"),
        interval: Duration::ZERO,
        ..ArchiveOptions::default()
    };
    let (found, failure) = lookup_all(lookups.clone(), &options, &archive_client(true), &|_| {});
    assert_eq!(failure, None);
    assert_eq!(found.len(), 1);
    assert_eq!(archive.total_hits(), 1);
}

/// A post of 2019-05-04 linking each of `urls`, as one JSON file.
fn post_linking(urls: &[String]) -> String {
    let links: String = urls
        .iter()
        .map(|url| format!("<a href=\"{url}\">x</a> "))
        .collect();
    json!({
        "id": 1,
        "date": "2019-05-04T10:00:00",
        "date_gmt": "2019-05-04T10:00:00",
        "content": {"rendered": format!("<p>{links}</p>")},
    })
    .to_string()
}

/// A link cache that knows each `(target, copy)`: the target is broken, and the archive's copy
/// near 2019-05-04 is `copy` (none asked for yet when empty). A contributor can commit such a
/// file.
fn cache_with_copies(pairs: &[(String, String)]) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let entries: serde_json::Map<String, Value> = pairs
        .iter()
        .map(|(target, copy)| {
            let mut entry = json!({
                "checked": now,
                "outcome": "broken",
                "reason": "the site answered 404",
            });
            if !copy.is_empty() {
                entry["archived"] =
                    json!({"20190504": {"url": copy, "timestamp": "20190501000000"}});
            }
            (target.clone(), entry)
        })
        .collect();
    json!({"version": 1, "tool": "postlint", "entries": entries}).to_string()
}

/// `check --links --unsafe-fixes` with `how` (`--fix`, `--diff`) of a post linking the targets
/// of `pairs`, with the link cache of `pairs` and the archive at `api`: what it said, and the
/// post afterwards.
fn fix_with_cache(pairs: &[(String, String)], api: &str, how: &[&str]) -> (Run, String) {
    let targets: Vec<String> = pairs.iter().map(|(target, _)| target.clone()).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let post = dir.path().join("post.json");
    std::fs::write(&post, post_linking(&targets)).expect("write");
    std::fs::create_dir(dir.path().join("cache")).expect("mkdir");
    let cache = dir.path().join("cache/links.json");
    std::fs::write(cache, cache_with_copies(pairs)).expect("write");
    let result = run(Command::cargo_bin("postlint")
        .expect("the binary")
        .current_dir(dir.path())
        .args(["check", "--no-config", "--links", "--cache-dir", "cache"])
        .args(["--archive-api", api, "--unsafe-fixes"])
        .args(how)
        .args(["--select", "link-broken", "post.json"]));
    let after = std::fs::read_to_string(&post).expect("the post");
    (result, after)
}

#[test]
fn an_unsafe_fix_never_writes_an_archived_copy_on_a_private_address() {
    let copies = [
        "http://127.0.0.1:8080/copy",
        "http://2130706433/copy",
        "http://[::1]/copy",
        "http://10.1.2.3/copy",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost./copy",
        "http://copy.localhost/copy",
        "javascript:alert(1)",
    ];
    let mut pairs: Vec<(String, String)> = copies
        .iter()
        .enumerate()
        .map(|(i, copy)| (format!("https://gone{i}.example/page"), (*copy).to_owned()))
        .collect();
    // One more dead link, not yet looked up: the archive, on this machine, offers a copy here.
    pairs.push(("https://never-archived.example/".to_owned(), String::new()));
    let archive = archive_offering("http://127.0.0.1:9/from-the-archive");
    let api = archive.url("/wayback/available");
    let targets: Vec<String> = pairs.iter().map(|(target, _)| target.clone()).collect();

    let (result, after) = fix_with_cache(&pairs, &api, &["--fix"]);
    assert_eq!(after, post_linking(&targets), "{}", result.stderr);
    assert_says(
        &result.stderr,
        "8 archived copies were not offered as fixes",
    );
    assert_says(&result.stderr, "was not asked");
    assert_eq!(archive.connections.load(Ordering::SeqCst), 0);

    // The same run allowed private addresses offers the copies that are web pages: they came
    // through, and only the guard kept them out. (`--diff`: a fix would check the new links.)
    let (allowed, _) = fix_with_cache(&pairs, &api, &["--diff", "--allow-private"]);
    for copy in &copies[..7] {
        assert_says(&allowed.stdout, copy);
    }
    assert!(
        !allowed.stdout.contains("javascript:"),
        "{}",
        allowed.stdout
    );
    assert_says(&allowed.stdout, "/from-the-archive");
    assert_eq!(archive.total_hits(), 1);
}

/// A shell script as the hook: unix only.
#[cfg(unix)]
#[test]
fn git_never_sees_the_site_password() {
    use std::os::unix::fs::PermissionsExt;
    // A hook git runs while it diffs (the file-system monitor) writes what it was given.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(root.join("post.json"), r#"{"id":1}"#).expect("write");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "posts"]);
    let seen = dir.path().join("seen-by-git.txt");
    let hook = dir.path().join("hook.sh");
    let script = format!("#!/bin/sh\nenv >> '{}'\nexit 1\n", seen.display());
    std::fs::write(&hook, script).expect("write");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let hook = hook.to_string_lossy().into_owned();
    git(&root, &["config", "core.fsmonitor", &hook]);
    let result = run(check_json()
        .current_dir(&root)
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--changed-since", "HEAD", "."]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let environment = std::fs::read_to_string(&seen).expect("git ran the hook");
    assert!(environment.contains("PATH="), "{environment}");
    assert!(!environment.contains(PASSWORD), "{environment}");
}

#[test]
fn copies_on_thousands_of_hosts_cost_a_bounded_number_of_lookups() {
    use postlint::links::outcome::{Archived, Checked, Outcome};
    let mut results = std::collections::HashMap::new();
    for i in 0..5000 {
        let mut result = Checked::new(Outcome::Broken {
            reason: "404".to_owned(),
        });
        let copy = Archived {
            url: format!("https://copy{i}.invalid/page"),
            timestamp: "20190501000000".to_owned(),
        };
        result.archived.insert("20190504".to_owned(), Some(copy));
        results.insert(format!("https://gone{i}.example/"), result);
    }
    let started = std::time::Instant::now();
    let notice =
        postlint::links::archive::withhold_unsafe_copies(&mut results, &archive_client(false));
    // 32 lookups at once, each within the 2 s connect timeout: generous for a slow resolver.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_says(
        &notice.unwrap_or_default(),
        "5000 archived copies were not offered",
    );
    assert!(
        results
            .values()
            .all(|r| r.archived.values().all(Option::is_none))
    );
}
