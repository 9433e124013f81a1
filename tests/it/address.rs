//! One post from any address an editor has open, against a fake WordPress on 127.0.0.1 started
//! by each test: the wp-admin edit screen, preview links, short links, a child page's
//! permalink and REST addresses, pages as well as posts, each counted to the request.

use std::sync::{Arc, OnceLock};

use crate::common::http::{Reply, Server};
use crate::common::site::{PASSWORD, check_json, json_reply, rest_error, run};
use assert_cmd::Command;
use serde_json::{Value, json};

/// A post or page as WordPress writes it (`/` escaped as `\/`), with one empty span.
fn item(id: u32, kind: &str, link: &str, parent: u32) -> Vec<u8> {
    let slug = link
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let post = json!({
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T10:00:00",
        "slug": slug,
        "status": "publish",
        "type": kind,
        "parent": parent,
        "link": link,
        "title": {"rendered": format!("Item {id}")},
        "content": {"rendered": format!("<p>Item {id}<span></span></p>")},
    });
    post.to_string().replace('/', "\\/").into_bytes()
}

fn array(items: &[Vec<u8>]) -> Vec<u8> {
    [b"[".as_slice(), &items.join(b",".as_slice()), b"]"].concat()
}

/// A fake site: post 3 at `/2026/07/post-3/`; pages 7 `/about/`, 8 `/about/team/` (a child
/// of 7) and 9 `/careers/team/`: two pages share the slug `team`.
struct Site {
    server: Server,
}

impl Site {
    fn start() -> Self {
        let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let known = base.clone();
        let server =
            Server::start(move |_, path, _| route(known.get().map_or("", String::as_str), path));
        let _ = base.set(server.url(""));
        Self { server }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}

fn items(base: &str) -> Vec<(u32, &'static str, Vec<u8>)> {
    vec![
        (
            3,
            "posts",
            item(3, "post", &format!("{base}/2026/07/post-3/"), 0),
        ),
        (7, "pages", item(7, "page", &format!("{base}/about/"), 0)),
        (
            8,
            "pages",
            item(8, "page", &format!("{base}/about/team/"), 7),
        ),
        (
            9,
            "pages",
            item(9, "page", &format!("{base}/careers/team/"), 0),
        ),
    ]
}

fn route(base: &str, path: &str) -> Reply {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let api_link = format!("<{base}/wp-json/>; rel=\"https://api.w.org/\"");
    if route == "/wp-json/" {
        let index = json!({"name": "Fake News", "timezone_string": "Europe/Madrid"});
        return json_reply(index.to_string().into_bytes());
    }
    if let Some(rest) = route.strip_prefix("/wp-json/wp/v2/") {
        let (collection, id) = rest.split_once('/').unwrap_or((rest, ""));
        let all = items(base);
        let of_kind = all.iter().filter(|(_, kind, _)| *kind == collection);
        if let Ok(id) = id.parse::<u32>() {
            return match of_kind.clone().find(|(n, _, _)| *n == id) {
                Some((_, _, body)) => json_reply(body.clone()),
                None => rest_error(404, "rest_post_invalid_id"),
            };
        }
        if let Some(slug) = query.strip_prefix("slug=") {
            let slug = slug.split('&').next().unwrap_or_default();
            let found: Vec<Vec<u8>> = of_kind
                .filter(|(_, _, body)| {
                    String::from_utf8_lossy(body).contains(&format!("\"slug\":\"{slug}\""))
                })
                .map(|(_, _, body)| body.clone())
                .collect();
            return json_reply(array(&found));
        }
    }
    let pages = [
        "/2026/07/post-3/",
        "/about/",
        "/about/team/",
        "/careers/team/",
    ];
    if pages.contains(&route) {
        let headers = vec![
            ("Content-Type".to_owned(), "text/html".to_owned()),
            ("Link".to_owned(), api_link),
        ];
        return Reply::Body(200, headers, b"<html><title>Item</title></html>".to_vec());
    }
    rest_error(404, "rest_no_route")
}

/// The files the diagnostics name.
fn files(report: &Value) -> Vec<String> {
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Lints `address` on a fresh site: the one file its one finding names, and the requests.
fn resolve(address: &str) -> (Vec<String>, usize, String) {
    let site = Site::start();
    let result = run(check_json().arg(site.url(address)));
    assert_eq!(result.code, 0, "{address}: {}", result.stderr);
    for head in site.server.heads() {
        assert!(
            !head.contains("per_page"),
            "{address}: nothing is paged: {head}"
        );
    }
    let base = site.url("");
    let files = files(&result.report)
        .iter()
        .map(|f| f.replacen(&base, "", 1))
        .collect();
    let heads = site.server.heads().join("\n");
    (files, site.server.total_hits(), heads)
}

#[test]
fn the_edit_screen_is_the_post_it_edits_post_or_page() {
    let (files, hits, heads) = resolve("/wp-admin/post.php?post=3&action=edit");
    assert_eq!(files, ["/wp-json/wp/v2/posts/3"]);
    assert_eq!(hits, 2, "the index and the post: {heads}");
    assert!(
        !heads.contains("wp-admin"),
        "the screen itself is not asked: {heads}"
    );

    // A page's edit screen: not among posts, so among pages.
    let (files, hits, heads) = resolve("/wp-admin/post.php?post=8&action=edit");
    assert_eq!(files, ["/wp-json/wp/v2/pages/8"]);
    assert_eq!(hits, 3, "{heads}");
}

#[test]
fn an_edit_screen_under_a_folder_names_the_site_in_that_folder() {
    let site = Site::start();
    let result = run(check_json().arg(site.url("/blog/wp-admin/post.php?post=3&action=edit")));
    assert_eq!(result.code, 2);
    assert!(
        result.stderr.contains(&site.url("/blog/wp-json/")),
        "the API is looked for in /blog/: {}",
        result.stderr
    );
}

#[test]
fn another_wp_admin_screen_is_refused_with_what_is_meant() {
    let site = Site::start();
    let result = run(check_json().arg(site.url("/wp-admin/edit.php?post_type=page")));
    assert_eq!(result.code, 2);
    assert!(
        result.stderr.contains("not the edit screen of one post"),
        "{}",
        result.stderr
    );
    assert!(!result.stderr.contains("slug"), "{}", result.stderr);
    assert_eq!(site.server.total_hits(), 0);
}

#[test]
fn preview_and_short_links_of_posts_and_pages() {
    let (files, hits, heads) = resolve("/?p=3&preview=true");
    assert_eq!(files, ["/wp-json/wp/v2/posts/3"]);
    assert_eq!(hits, 2, "{heads}");

    // `?p=` of a page: WordPress answers it, so does postlint.
    let (files, hits, heads) = resolve("/?p=8");
    assert_eq!(files, ["/wp-json/wp/v2/pages/8"]);
    assert_eq!(hits, 3, "{heads}");

    let (files, hits, heads) = resolve("/?page_id=8&preview=true");
    assert_eq!(files, ["/wp-json/wp/v2/pages/8"]);
    assert_eq!(hits, 2, "{heads}");

    // A published post's preview: its permalink with `preview_id`.
    let (files, hits, heads) = resolve("/2026/07/post-3/?preview_id=3&preview=true");
    assert_eq!(files, ["/wp-json/wp/v2/posts/3"]);
    assert_eq!(hits, 3, "the page, the index, the post: {heads}");
}

#[test]
fn a_child_pages_permalink_is_that_page_not_another_of_its_slug() {
    let (files, _, heads) = resolve("/about/team/");
    assert_eq!(files, ["/wp-json/wp/v2/pages/8"], "{heads}");
    let (files, _, heads) = resolve("/careers/team/");
    assert_eq!(files, ["/wp-json/wp/v2/pages/9"], "{heads}");
}

#[test]
fn rest_addresses_of_pages() {
    let (files, hits, _) = resolve("/wp-json/wp/v2/pages/7");
    assert_eq!(files, ["/wp-json/wp/v2/pages/7"]);
    assert_eq!(hits, 2);
}

#[test]
fn a_page_named_with_post_is_found_among_pages() {
    let site = Site::start();
    let result = run(check_json()
        .args(["--post", "8,about", "--site"])
        .arg(site.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let base = site.url("");
    assert_eq!(
        files(&result.report),
        [
            format!("{base}/wp-json/wp/v2/pages/8"),
            format!("{base}/wp-json/wp/v2/pages?slug=about"),
        ]
    );
}

/// A post linking to `targets`, as a WordPress REST answer.
fn post_linking_to(targets: &[String]) -> String {
    let links: String = targets
        .iter()
        .map(|t| format!("<a href=\"{t}\">a link</a> "))
        .collect();
    json!([{
        "id": 1,
        "slug": "links",
        "link": "https://news.example.com/links/",
        "title": {"rendered": "Links"},
        "content": {"rendered": format!("<p>{links}</p>")},
    }])
    .to_string()
}

/// `(rule, message)` of each link finding, and stderr.
fn link_findings(dir: &std::path::Path, file: &str) -> (Vec<(String, String)>, String) {
    let output = Command::cargo_bin("postlint")
        .expect("the binary")
        .current_dir(dir)
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--links",
            "--no-archive",
        ])
        .args(["--allow-private", "--no-cache", "--select"])
        .arg("link-broken,link-unverifiable")
        .arg(file)
        .output()
        .expect("postlint runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found = diagnostics
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            (text("rule"), text("message"))
        })
        .collect();
    (found, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn offline_every_external_link_is_unverifiable_with_one_notice() {
    // A port nobody listens on: bound, then freed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let targets = [
        "https://no-such-host.invalid/a".to_owned(),
        "https://another-missing-name.invalid/b".to_owned(),
        format!("http://{closed}/c"),
    ];
    let dir = crate::common::project(&[("post.json", &post_linking_to(&targets))]);
    let (found, stderr) = link_findings(dir.path(), "post.json");
    let rule_of = |needle: &str| {
        found
            .iter()
            .find(|(_, message)| message.contains(needle))
            .map(|(rule, _)| rule.as_str())
    };
    // No name resolves: this machine is offline, and cannot tell whether those links work.
    assert_eq!(
        rule_of("no-such-host.invalid"),
        Some("link-unverifiable"),
        "{found:?}"
    );
    assert_eq!(
        rule_of("another-missing-name.invalid"),
        Some("link-unverifiable")
    );
    // A host that refused the connection answered: that link is broken.
    assert_eq!(
        rule_of(&closed.to_string()),
        Some("link-broken"),
        "{found:?}"
    );
    assert_eq!(
        stderr.matches("the network is unreachable:").count(),
        1,
        "one notice: {stderr}"
    );
}

/// A small whole site: post 1 links to post 2, to page 7 and to a post that is gone, holds an
/// empty span, and its GMT date is its local one (off by Madrid's two hours).
fn whole_site_item(base: &str, id: u32) -> Option<(&'static str, String)> {
    let (kind, path, content) = match id {
        1 => (
            "post",
            "/2026/07/one/",
            format!(
                "<p>See <a href=\"{base}/2026/07/two/\">two</a>, <a href=\"{base}/about/\">us</a> \
                 and <a href=\"{base}/2026/07/gone/\">gone</a>.<span></span></p>"
            ),
        ),
        2 => ("post", "/2026/07/two/", "<p>Two.</p>".to_owned()),
        7 => ("page", "/about/", "<p>About.</p>".to_owned()),
        _ => return None,
    };
    let slug = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let gmt = if id == 1 {
        "2026-07-01T12:00:00"
    } else {
        "2026-07-01T10:00:00"
    };
    let post = json!({
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": gmt,
        "modified": "2026-07-01T12:00:00",
        "modified_gmt": "2026-07-01T10:00:00",
        "slug": slug,
        "status": "publish",
        "type": kind,
        "link": format!("{base}{path}"),
        "title": {"rendered": format!("Item {id}")},
        "content": {"rendered": content},
    });
    let collection = if kind == "page" { "pages" } else { "posts" };
    Some((collection, post.to_string().replace('/', "\\/")))
}

fn whole_site_route(base: &str, path: &str) -> Reply {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let items: Vec<(u32, &str, String)> = [1, 2, 7]
        .into_iter()
        .filter_map(|id| whole_site_item(base, id).map(|(kind, body)| (id, kind, body)))
        .collect();
    match route {
        "/wp-json/" => {
            let index = json!({"name": "Whole News", "timezone_string": "Europe/Madrid",
                               "routes": {"/": {"methods": ["GET"]}}});
            json_reply(index.to_string().into_bytes())
        }
        "/wp-json/wp/v2/users/me" => {
            json_reply(json!({"id": 1, "name": "Eddie"}).to_string().into_bytes())
        }
        "/wp-json/wp/v2/posts" | "/wp-json/wp/v2/pages" => {
            let collection = route.rsplit('/').next().unwrap_or_default();
            let of_kind = items.iter().filter(|(_, kind, _)| *kind == collection);
            let wanted =
                |body: &String| match query.split('&').find_map(|q| q.strip_prefix("slug=")) {
                    Some(slug) => body.contains(&format!("\"slug\":\"{slug}\"")),
                    None => true,
                };
            let found: Vec<Vec<u8>> = of_kind
                .filter(|(_, _, body)| wanted(body))
                .map(|(_, _, body)| body.clone().into_bytes())
                .collect();
            let mut reply = json_reply(array(&found));
            if let Reply::Body(_, headers, _) = &mut reply {
                headers.push(("X-WP-TotalPages".into(), "1".into()));
            }
            reply
        }
        _ => {
            let id = route
                .rsplit('/')
                .next()
                .and_then(|id| id.parse::<u32>().ok());
            let kind = route
                .strip_prefix("/wp-json/wp/v2/")
                .and_then(|r| r.split('/').next());
            match items
                .iter()
                .find(|(n, k, _)| Some(*n) == id && Some(*k) == kind)
            {
                Some((_, _, body)) => json_reply(body.clone().into_bytes()),
                None => rest_error(404, "rest_post_invalid_id"),
            }
        }
    }
}

fn start_whole_site() -> Server {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let known = base.clone();
    let server = Server::start(move |_, path, _| {
        whole_site_route(known.get().map_or("", String::as_str), path)
    });
    let _ = base.set(server.url(""));
    server
}

/// `(rule, severity, file, offset)` of every diagnostic, sorted.
fn verdicts(report: &Value) -> Vec<(String, String, String, u64)> {
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut found: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            (
                text("rule"),
                text("severity"),
                text("file"),
                d["span"]["offset"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    found.sort();
    found
}

fn in_folder(dir: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("postlint").expect("the binary");
    command
        .current_dir(dir)
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .args([
            "check",
            "--no-config",
            "--color",
            "never",
            "--format",
            "json",
        ]);
    command
}

#[test]
fn a_saved_site_checked_offline_gives_the_live_runs_findings() {
    let server = start_whole_site();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let live = run(in_folder(dir.path())
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args([
            "--user",
            "editor",
            "--status",
            "any",
            "--type",
            "posts,pages",
        ])
        .args(["--save", "saved", "--site"])
        .arg(server.url("")));
    assert_eq!(live.code, 0, "{}", live.stderr);
    let found = verdicts(&live.report);
    let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    // The zone came from the index (a hint: a warning), and the run held the whole site.
    assert!(rules.contains(&"date-offset-suspicious"), "{found:?}");
    assert!(rules.contains(&"link-internal-missing"), "{found:?}");
    assert!(rules.contains(&"empty-span"), "{found:?}");

    let offline = run(in_folder(dir.path()).arg("saved"));
    assert_eq!(offline.code, live.code, "{}", offline.stderr);
    assert_eq!(verdicts(&offline.report), found);
    for count in ["posts", "errors", "warnings", "infos", "files", "by_rule"] {
        assert_eq!(
            offline.report["summary"][count], live.report["summary"][count],
            "{count}: {}",
            offline.report["summary"]
        );
    }
    let sites = offline.report["summary"]["sites"].to_string();
    assert!(
        sites.contains("zone Europe/Madrid from its saved REST index"),
        "{sites}"
    );
    // The saved folder itself, named directly, is read the same way.
    let folder = format!("saved/127.0.0.1_{}", server.addr.port());
    let direct = run(in_folder(dir.path()).arg(&folder));
    assert_eq!(verdicts(&direct.report), found);
}

#[test]
fn a_read_of_published_posts_only_does_not_hold_the_site() {
    let server = start_whole_site();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let live = run(in_folder(dir.path())
        .args(["--save", "saved", "--site"])
        .arg(server.url("")));
    let rules: Vec<String> = verdicts(&live.report).into_iter().map(|f| f.0).collect();
    assert!(
        !rules.contains(&"link-internal-missing".to_owned()),
        "{rules:?}"
    );
    let sites = live.report["summary"]["sites"].to_string();
    assert!(sites.contains("internal links not checked"), "{sites}");
    let offline = run(in_folder(dir.path()).arg("saved"));
    assert_eq!(verdicts(&offline.report), verdicts(&live.report));
}

/// A folder whose config says the export is complete.
fn complete_export() -> tempfile::TempDir {
    crate::common::project(&[("postlint.toml", "export = \"complete\"\n")])
}

fn with_config(dir: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("postlint").expect("the binary");
    command
        .current_dir(dir)
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .args(["check", "--color", "never", "--format", "json"])
        .args(["--select", "link-internal-missing"]);
    command
}

fn messages(report: &Value) -> Vec<String> {
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn one_post_of_a_complete_export_asks_the_site_about_its_internal_links() {
    let server = start_whole_site();
    let dir = complete_export();
    let result = run(with_config(dir.path())
        .args(["--post", "1", "--site"])
        .arg(server.url("")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let found = messages(&result.report);
    // Post 2 and page 7 exist, though the run does not hold them; `gone` does not.
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("/2026/07/gone`"), "{found:?}");
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/posts?slug=two&_fields=id"),
        1
    );
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/pages?slug=about&_fields=id"),
        1
    );
    assert_eq!(
        server.hits("GET", "/wp-json/wp/v2/pages?slug=gone&_fields=id"),
        1
    );
    let sites = result.report["summary"]["sites"].to_string();
    assert!(
        sites.contains("3 internal link target(s) not in it were asked"),
        "{sites}"
    );

    // By its address, the same.
    let by_address = run(with_config(dir.path()).arg(server.url("/wp-json/wp/v2/posts/1")));
    assert_eq!(messages(&by_address.report), found);
}

#[test]
fn the_targets_asked_are_bounded_and_each_asked_once() {
    let server = Server::start(|_, path, _| {
        let (route, _) = path.split_once('?').unwrap_or((path, ""));
        match route {
            "/wp-json/" => json_reply(json!({"name": "Many"}).to_string().into_bytes()),
            "/wp-json/wp/v2/posts/1" => {
                // 60 distinct missing targets, each linked twice.
                let links: String = (0..120)
                    .map(|i| {
                        format!(
                            "<a href=\"https://news.example.com/missing-{}/\">x</a>",
                            i % 60
                        )
                    })
                    .collect();
                let post = json!({"id": 1, "slug": "one", "link": "https://news.example.com/one/",
                                  "title": {"rendered": "One"}, "content": {"rendered": links}});
                json_reply(post.to_string().into_bytes())
            }
            "/wp-json/wp/v2/posts" | "/wp-json/wp/v2/pages" => json_reply(b"[]".to_vec()),
            _ => rest_error(404, "rest_no_route"),
        }
    });
    let dir = complete_export();
    let result = run(with_config(dir.path())
        .args(["--post", "1", "--site"])
        .arg(server.url("")));
    let slug_asks = server
        .heads()
        .iter()
        .filter(|head| head.contains("slug="))
        .count();
    assert_eq!(slug_asks, 2 * 50, "50 targets, among posts then pages");
    let found = messages(&result.report);
    assert_eq!(
        found.len(),
        100,
        "two links to each of the 50 targets asked"
    );
    let sites = result.report["summary"]["sites"].to_string();
    assert!(
        sites.contains("10 more were not (at most 50 a run)"),
        "{sites}"
    );
    assert!(sites.contains("20 link(s) left unjudged"), "{sites}");
}

#[test]
fn a_site_that_cannot_say_leaves_the_links_unjudged_not_missing() {
    let server = Server::start(|_, path, _| {
        let (route, _) = path.split_once('?').unwrap_or((path, ""));
        match route {
            "/wp-json/" => json_reply(json!({"name": "Flaky"}).to_string().into_bytes()),
            "/wp-json/wp/v2/posts/1" => {
                let post = json!({"id": 1, "slug": "one", "link": "https://news.example.com/one/",
                                  "title": {"rendered": "One"},
                                  "content": {"rendered": "<a href=\"/two/\">two</a> <a href=\"/three/\">3</a>"}});
                json_reply(post.to_string().into_bytes())
            }
            _ => Reply::Body(503, Vec::new(), b"busy".to_vec()),
        }
    });
    let dir = complete_export();
    let result = run(with_config(dir.path())
        .args(["--post", "1", "--site"])
        .arg(server.url("")));
    assert!(messages(&result.report).is_empty(), "{}", result.report);
    let sites = result.report["summary"]["sites"].to_string();
    assert!(sites.contains("2 link(s) left unjudged"), "{sites}");
    let asked: Vec<String> = server
        .heads()
        .into_iter()
        .filter(|head| head.contains("slug="))
        .collect();
    assert_eq!(
        asked.len(),
        3,
        "one target (a try and two retries), not the next: {asked:?}"
    );
}

#[test]
fn a_saved_post_of_a_complete_export_is_judged_offline_as_the_site_said() {
    let server = start_whole_site();
    let dir = complete_export();
    let live = run(with_config(dir.path())
        .args(["--save", "saved", "--post", "1", "--site"])
        .arg(server.url("")));
    assert_eq!(verdicts(&live.report).len(), 1, "{}", live.report);
    drop(server);
    // The site is gone: what it said was saved.
    let offline = run(with_config(dir.path()).arg("saved"));
    assert_eq!(verdicts(&offline.report), verdicts(&live.report));
    let sites = offline.report["summary"]["sites"].to_string();
    assert!(
        sites.contains("what the site said when it was saved"),
        "{sites}"
    );
}
