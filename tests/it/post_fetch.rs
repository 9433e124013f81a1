//! One post of a live site, against a fake WordPress on 127.0.0.1 started by each test:
//! `--post ID_OR_SLUG` and a post's address as a file argument (pretty permalink, `?p=`,
//! `?page_id=`, REST address), each counted to the request: the index, the post, nothing
//! paged. The real WordPress is in `wordpress_e2e.rs`.

use std::sync::{Arc, OnceLock};

use crate::common::check;
use crate::common::http::{Reply, Server};
use crate::common::site::{PASSWORD, assert_says, json_reply, rest_error, run};
use assert_cmd::Command;
use serde_json::{Value, json};

/// A post (or page) as WordPress writes it (`/` escaped as `\/`), linked from `link`.
fn post(id: u32, kind: &str, link: &str, content: &str) -> Vec<u8> {
    let post = json!({
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T10:00:00",
        "slug": link.trim_end_matches('/').rsplit('/').next().unwrap_or_default(),
        "status": "publish",
        "type": kind,
        "link": link,
        "title": {"rendered": format!("Post {id}")},
        "content": {"rendered": content},
    });
    post.to_string().replace('/', "\\/").into_bytes()
}

/// An HTML page with these `Link` headers.
fn html_page(links: Vec<String>) -> Reply {
    let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
    headers.extend(links.into_iter().map(|l| ("Link".to_owned(), l)));
    Reply::Body(200, headers, b"<html><title>Post</title></html>".to_vec())
}

/// A fake site with post 3 (an empty span) at `/2026/07/post-3/` and page 7 at `/about/`.
struct Site {
    server: Server,
    base: Arc<OnceLock<String>>,
}

impl Site {
    fn start() -> Self {
        let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let known = base.clone();
        let server = Server::start(move |_, path, _| {
            let base = known.get().cloned().unwrap_or_default();
            route(&base, path)
        });
        let _ = base.set(server.url(""));
        Self { server, base }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    fn post_3(&self) -> Vec<u8> {
        post_3(self.base.get().map_or("", String::as_str))
    }

    /// No request paged through a collection.
    fn assert_nothing_paged(&self) {
        for head in self.server.heads() {
            assert!(!head.contains("per_page"), "{head}");
        }
    }
}

fn post_3(base: &str) -> Vec<u8> {
    let link = format!("{base}/2026/07/post-3/");
    post(3, "post", &link, "<p>Three<span></span> words</p>")
}

fn page_7(base: &str) -> Vec<u8> {
    post(7, "page", &format!("{base}/about/"), "<p>About us</p>")
}

fn route(base: &str, path: &str) -> Reply {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let api_link = format!("<{base}/wp-json/>; rel=\"https://api.w.org/\"");
    match (route, query) {
        ("/wp-json/", _) | ("/", "rest_route=/") => json_reply(
            json!({"name": "Fake News", "timezone_string": "Europe/Madrid"})
                .to_string()
                .into_bytes(),
        ),
        ("/wp-json/wp/v2/users/me", _) => json_reply(
            json!({"id": 1, "name": "Eddie Tor"})
                .to_string()
                .into_bytes(),
        ),
        ("/wp-json/wp/v2/posts/3", _) | ("/", "rest_route=/wp/v2/posts/3") => {
            json_reply(post_3(base))
        }
        ("/wp-json/wp/v2/pages/7", _) => json_reply(page_7(base)),
        ("/wp-json/wp/v2/posts", q) if q.starts_with("slug=post-3") => {
            json_reply([b"[".as_slice(), &post_3(base), b"]"].concat())
        }
        ("/wp-json/wp/v2/pages", q) if q.starts_with("slug=about") => {
            json_reply([b"[".as_slice(), &page_7(base), b"]"].concat())
        }
        ("/wp-json/wp/v2/posts" | "/wp-json/wp/v2/pages", q) if q.starts_with("slug=") => {
            json_reply(b"[]".to_vec())
        }
        ("/2026/07/post-3/" | "/elsewhere/post-3/", _) => html_page(vec![api_link]),
        ("/2026/07/with-alternate/", _) => html_page(vec![
            api_link,
            format!("<{base}/wp-json/wp/v2/posts/3>; rel=\"alternate\"; type=\"application/json\""),
        ]),
        ("/category/news/", _) => html_page(vec![
            api_link,
            format!(
                "<{base}/wp-json/wp/v2/categories/2>; rel=\"alternate\"; type=\"application/json\""
            ),
        ]),
        _ => rest_error(404, "rest_post_invalid_id"),
    }
}

/// `(rule, file, offset)` of every diagnostic.
fn places(report: &Value) -> Vec<(String, String, u64)> {
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
            )
        })
        .collect()
}

fn offset_of(haystack: &[u8], needle: &str) -> u64 {
    haystack
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("`{needle}` is in the post")) as u64
}

/// The one empty span of post 3, named as `file`: the post alone, or in the array a slug
/// lookup answers (one byte further).
fn empty_span_of_post_3(site: &Site, file: &str) -> Vec<(String, String, u64)> {
    let in_array = u64::from(file.contains("slug="));
    let offset = offset_of(&site.post_3(), "<span><\\/span>") + in_array;
    vec![("empty-span".to_owned(), file.to_owned(), offset)]
}

#[test]
fn a_post_by_id_costs_the_index_and_the_post() {
    let site = Site::start();
    let result = run(check_json()
        .args(["--post", "3", "--site"])
        .arg(site.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(site.server.hits("GET", "/wp-json/"), 1);
    assert_eq!(site.server.hits("GET", "/wp-json/wp/v2/posts/3"), 1);
    assert_eq!(site.server.total_hits(), 2);
    let name = site.url("/wp-json/wp/v2/posts/3");
    assert_eq!(places(&result.report), empty_span_of_post_3(&site, &name));
    let sites = result.report["summary"]["sites"].to_string();
    assert!(sites.contains("1 post fetched"), "{sites}");
}

#[test]
fn slugs_and_ids_comma_separated_with_pages_too() {
    let site = Site::start();
    let result = run(check_json()
        .args(["--type", "posts,pages", "--post", "post-3,7", "--site"])
        .arg(site.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.report["summary"]["posts"], 2);
    assert_eq!(
        site.server.hits("GET", "/wp-json/wp/v2/posts?slug=post-3"),
        1
    );
    // Post 7 is not a post: the next type, pages, has it.
    assert_eq!(site.server.hits("GET", "/wp-json/wp/v2/posts/7"), 1);
    assert_eq!(site.server.hits("GET", "/wp-json/wp/v2/pages/7"), 1);
    assert_eq!(site.server.total_hits(), 4, "{:#?}", site.server.heads());
    site.assert_nothing_paged();
    let name = site.url("/wp-json/wp/v2/posts?slug=post-3");
    assert_eq!(places(&result.report), empty_span_of_post_3(&site, &name));
}

#[test]
fn every_form_of_a_posts_address_is_the_post_with_only_the_requests_needed() {
    // (address, requests made, the file the finding names)
    let forms = [
        ("/2026/07/post-3/", 3, "/wp-json/wp/v2/posts?slug=post-3"),
        ("/2026/07/with-alternate/", 3, "/wp-json/wp/v2/posts/3"),
        ("/?p=3", 2, "/wp-json/wp/v2/posts/3"),
        ("/wp-json/wp/v2/posts/3", 2, "/wp-json/wp/v2/posts/3"),
        (
            "/?rest_route=/wp/v2/posts/3",
            2,
            "/?rest_route=/wp/v2/posts/3",
        ),
    ];
    for (address, requests, file) in forms {
        let site = Site::start();
        let result = run(check_json().arg(site.url(address)));
        assert_eq!(result.code, 0, "{address}: {}", result.stderr);
        assert_eq!(
            places(&result.report),
            empty_span_of_post_3(&site, &site.url(file)),
            "{address}"
        );
        assert_eq!(
            site.server.total_hits(),
            requests,
            "{address}: {:#?}",
            site.server.heads()
        );
        site.assert_nothing_paged();
    }
}

#[test]
fn a_page_by_page_id() {
    let site = Site::start();
    let result = run(check_json().arg(site.url("/?page_id=7")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.report["summary"]["posts"], 1);
    assert_eq!(site.server.hits("GET", "/wp-json/wp/v2/pages/7"), 1);
    assert_eq!(site.server.total_hits(), 2);
}

#[test]
fn an_address_that_is_not_a_post_says_what_was_tried() {
    let site = Site::start();
    // The slug exists, but that post lives elsewhere.
    let elsewhere = run(check_json().arg(site.url("/elsewhere/post-3/")));
    assert_eq!(elsewhere.code, 2);
    assert_says(&elsewhere.stderr, "is not the address of a WordPress post");
    assert_says(
        &elsewhere.stderr,
        &format!("post 3 is at {}", site.url("/2026/07/post-3/")),
    );
    assert_eq!(elsewhere.report["summary"]["posts"], 0);

    let missing = run(check_json().arg(site.url("/2026/07/gone/")));
    assert_eq!(missing.code, 2);
    assert_says(&missing.stderr, "answered 404");

    let category = run(check_json().arg(site.url("/category/news/")));
    assert_eq!(category.code, 2);
    assert_says(&category.stderr, "wp/v2/categories/2");

    let rest_list = run(check_json().arg(site.url("/wp-json/wp/v2/posts?slug=post-3")));
    assert_eq!(rest_list.code, 2);
    assert_says(&rest_list.stderr, "not of one post or page");
}

#[test]
fn a_site_that_is_not_wordpress_names_what_was_tried() {
    let server = Server::start(|_, path, _| match path {
        "/hello/" => html_page(Vec::new()),
        _ => Reply::Status(404, Vec::new()),
    });
    let result = run(check_json().arg(server.url("/hello/")));
    assert_eq!(result.code, 2);
    assert_says(
        &result.stderr,
        "has no `Link: <…>; rel=\"https://api.w.org/\"` header",
    );
    assert_says(&result.stderr, &server.url("/wp-json/"));
    assert_says(&result.stderr, &server.url("/?rest_route=/"));
}

#[test]
fn a_saved_post_is_the_bytes_served_and_findings_point_into_it() {
    let site = Site::start();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let result = run(check_json()
        .current_dir(dir.path())
        .args(["--save", "saved", "--post", "3", "--site"])
        .arg(site.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let folder = format!("saved/127.0.0.1_{}", site.server.addr.port());
    let file = format!("{folder}/posts-3.json");
    let saved = std::fs::read(dir.path().join(&file)).expect("the saved post");
    assert_eq!(saved, site.post_3());
    assert_eq!(places(&result.report), empty_span_of_post_3(&site, &file));
}

#[test]
fn with_credentials_the_post_is_asked_for_in_the_edit_context() {
    let site = Site::start();
    let result = run(check_json()
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--user", "editor", "--post", "3,post-3", "--site"])
        .arg(site.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        site.server
            .hits("GET", "/wp-json/wp/v2/users/me?context=edit"),
        1
    );
    assert_eq!(
        site.server
            .hits("GET", "/wp-json/wp/v2/posts/3?context=edit"),
        1
    );
    assert_eq!(
        site.server.hits(
            "GET",
            "/wp-json/wp/v2/posts?slug=post-3&status=any&context=edit"
        ),
        1,
        "a named draft is found by its slug too"
    );
    assert_eq!(site.server.total_hits(), 4);
    for head in site.server.heads().iter().skip(1) {
        assert!(
            head.to_ascii_lowercase().contains("authorization: basic"),
            "{head}"
        );
    }
    assert!(!result.report.to_string().contains(PASSWORD));
    assert!(!result.stderr.contains(PASSWORD));
}

#[test]
fn post_needs_a_site_and_is_not_for_incremental_runs() {
    let result = run(check_json().args(["--post", "3"]));
    assert_eq!(result.code, 2);
    assert_says(&result.stderr, "--post names posts of a site");
    let result = run(check_json().args([
        "--post",
        "3",
        "--since-last-run",
        "--site",
        "https://news.example.com",
    ]));
    assert_eq!(result.code, 2);
    assert_says(&result.stderr, "cannot be used with");
}

/// `check` of the rules about content and files, reported as JSON.
fn check_json() -> Command {
    let rules = "empty-span,not-a-post,json-syntax";
    check(&["--color", "never", "--select", rules, "--format", "json"])
}
