//! The site reader reaches a private address only where the user pointed it: the origin of
//! `--site` or of a post's address. A page's `Link` header, a redirect or an `alternate` link
//! that leads to another port of this machine (in any spelling) opens no connection there
//! without `--allow-private`, and says why. Servers on 127.0.0.1 started by each test.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use crate::common::http::{Reply, Server};
use crate::common::site::{Run, check_json, json_value, rest_error, run};
use serde_json::json;

fn html_with_links(links: Vec<String>) -> Reply {
    let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
    headers.extend(links.into_iter().map(|l| ("Link".to_owned(), l)));
    Reply::Body(200, headers, b"<html></html>".to_vec())
}

/// A whole REST API with post 3, whose `link` is `{base}/2026/07/post-3/`.
fn rest_api(path: &str, base: &str) -> Reply {
    let post = json!({
        "id": 3,
        "date_gmt": "2026-07-01T10:00:00",
        "modified_gmt": "2026-07-01T10:00:00",
        "slug": "post-3",
        "status": "publish",
        "type": "post",
        "link": format!("{base}/2026/07/post-3/"),
        "title": {"rendered": "Post 3"},
        "content": {"rendered": "<p>Three<span></span> words</p>"},
    });
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    match route {
        "/wp-json/" => json_value(&json!({"name": "Fake News", "gmt_offset": 0})),
        "/wp-json/wp/v2/posts/3" => json_value(&post),
        "/wp-json/wp/v2/posts" if query.contains("slug=post-3") || query.contains("page=1") => {
            json_value(&json!([post]))
        }
        _ => rest_error(400, "rest_post_invalid_page_number"),
    }
}

/// The other server on this machine, a whole REST API that must not be reached, and the site
/// the user names, which answers `route(path, ":PORT")` with the other server's port.
struct Sites {
    named: Server,
    hidden: Server,
}

impl Sites {
    fn start(route: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> Self {
        // The hidden API's post 3 has its link on the site named, as if it were its API.
        let named_base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let base = named_base.clone();
        let hidden =
            Server::start(move |_, path, _| rest_api(path, base.get().map_or("", String::as_str)));
        let port = hidden.addr.port();
        let named = Server::start(move |_, path, _| route(path, &format!(":{port}")));
        let _ = named_base.set(named.url(""));
        Self { named, hidden }
    }

    fn connections_to_hidden(&self) -> usize {
        self.hidden.connections.load(Ordering::SeqCst)
    }
}

/// The spellings of this machine a hostile answer may use, each with the hidden server's port
/// (`:PORT`) after it.
const THIS_MACHINE: [&str; 4] = [
    "http://127.0.0.1",
    "http://localhost.",
    "http://[::1]",
    "http://2130706433",
];

fn assert_refused(run: &Run, sites: &Sites, spelling: &str) {
    assert_eq!(run.code, 2, "{spelling}: {}\n{}", run.stderr, run.stdout);
    assert!(
        run.stderr.contains("refused") && run.stderr.contains("--allow-private"),
        "{spelling}: {}",
        run.stderr
    );
    assert_eq!(
        sites.connections_to_hidden(),
        0,
        "{spelling}: {:#?}",
        sites.hidden.heads()
    );
}

#[test]
fn an_api_a_link_header_names_on_this_machine_is_not_reached() {
    for spelling in THIS_MACHINE {
        let sites = Sites::start(move |path, port| match path {
            "/2026/07/post-3/" => html_with_links(vec![format!(
                "<{spelling}{port}/wp-json/>; rel=\"https://api.w.org/\""
            )]),
            _ => Reply::Status(404, Vec::new()),
        });
        let address = sites.named.url("/2026/07/post-3/");
        let refused = run(check_json().arg(&address));
        assert_refused(&refused, &sites, spelling);
    }
    let sites = Sites::start(|path, port| match path {
        "/2026/07/post-3/" => html_with_links(vec![format!(
            "<http://127.0.0.1{port}/wp-json/>; rel=\"https://api.w.org/\""
        )]),
        _ => Reply::Status(404, Vec::new()),
    });
    let allowed = run(check_json()
        .arg("--allow-private")
        .arg(sites.named.url("/2026/07/post-3/")));
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(allowed.stdout.contains("empty-span"), "{}", allowed.stdout);
    assert!(sites.connections_to_hidden() > 0);
}

#[test]
fn a_redirect_to_this_machine_is_not_followed() {
    for spelling in THIS_MACHINE {
        // The site named redirects its REST index elsewhere on this machine.
        let sites = Sites::start(move |path, port| match path {
            "/wp-json/" => Reply::Status(
                302,
                vec![("Location".into(), format!("{spelling}{port}/wp-json/"))],
            ),
            _ => Reply::Status(404, Vec::new()),
        });
        let refused = run(check_json().arg("--site").arg(sites.named.url("")));
        assert_refused(&refused, &sites, spelling);
    }
    // A redirect within the site named is followed as before; a relative one too.
    let sites = Sites::start(|path, port| {
        if let Some(moved) = path.strip_prefix("/old") {
            return Reply::Status(302, vec![("Location".into(), moved.to_owned())]);
        }
        if path.starts_with("/wp-json/wp/v2/posts") {
            let to = format!("http://127.0.0.1{port}{path}");
            return Reply::Status(301, vec![("Location".into(), to)]);
        }
        rest_api(path, "http://x.invalid")
    });
    let refused = run(check_json().arg("--site").arg(sites.named.url("/old/")));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("refused"), "{}", refused.stderr);
    assert_eq!(sites.connections_to_hidden(), 0);

    let allowed = run(check_json()
        .arg("--allow-private")
        .arg("--site")
        .arg(sites.named.url("/old/")));
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(sites.connections_to_hidden() > 0);
}

#[test]
fn an_alternate_link_to_this_machine_is_read_for_its_id_only() {
    for spelling in THIS_MACHINE {
        let sites = Sites::start(move |path, port| match path {
            "/2026/07/post-3/" => html_with_links(vec![format!(
                "<{spelling}{port}/wp-json/wp/v2/posts/3>; rel=\"alternate\"; \
                 type=\"application/json\""
            )]),
            p => rest_api(p, "http://x.invalid"),
        });
        let result = run(check_json().arg(sites.named.url("/2026/07/post-3/")));
        assert_eq!(result.code, 0, "{spelling}: {}", result.stderr);
        assert_eq!(sites.named.hits("GET", "/wp-json/wp/v2/posts/3"), 1);
        assert_eq!(sites.connections_to_hidden(), 0, "{spelling}");
    }
}

#[test]
fn the_site_named_on_this_machine_is_read() {
    // What the user names is reached, even as `localhost` (tests and local sites do this).
    let sites = Sites::start(|path, _| rest_api(path, "http://x.invalid"));
    let port = sites.named.addr.port();
    for site in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
    ] {
        let result = run(check_json().arg("--site").arg(&site));
        assert_eq!(result.code, 0, "{site}: {}", result.stderr);
        assert!(result.stdout.contains("empty-span"), "{}", result.stdout);
    }
    assert_eq!(sites.connections_to_hidden(), 0);
}
