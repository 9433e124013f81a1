//! `check --site` end to end against a real WordPress (Debian's package) on 127.0.0.1, started
//! and seeded by `scripts/wordpress-test-server.sh start` (which `.ci/run` runs). The site holds
//! posts with known defects, a draft, a scheduled post and a row whose GMT date was broken
//! through SQL, in America/New_York. Skips with a message when the server is not running,
//! except under `CI=true`, where that is a failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// What `scripts/wordpress-test-server.sh start` wrote.
struct Site {
    url: String,
    user: String,
    password: String,
}

fn site() -> Option<Site> {
    let file = std::env::var_os("POSTLINT_WP_ENV").map_or_else(
        || PathBuf::from("/tmp/postlint-wordpress/site.env"),
        PathBuf::from,
    );
    let text = std::fs::read_to_string(&file).ok();
    let value = |key: &str| {
        text.as_deref()?.lines().find_map(|line| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_owned)
        })
    };
    let site = (|| {
        Some(Site {
            url: value("POSTLINT_WP_URL")?,
            user: value("POSTLINT_WP_USER")?,
            password: value("POSTLINT_WP_APP_PASSWORD")?,
        })
    })();
    if site.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is missing: .ci/run starts WordPress with scripts/wordpress-test-server.sh start",
            file.display()
        );
        eprintln!(
            "skipped: no test WordPress ({} is absent; run scripts/wordpress-test-server.sh install \
             and start)",
            file.display()
        );
    }
    site
}

const CONFIG: &str = "[sections]\nrequired = [{ heading = \"WHY IT MATTERS\" }]\n";

fn postlint(dir: &Path) -> Command {
    std::fs::write(dir.join("postlint.toml"), CONFIG).expect("the config is written");
    let mut command = crate::common::postlint();
    command
        .current_dir(dir)
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .args(["check", "--color", "never", "--format", "json"]);
    command
}

fn run(command: &mut Command) -> (i32, Value, String) {
    let output = command.output().expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().unwrap_or(-1), report, stderr)
}

/// `(rule, post slug)` of every diagnostic: ids differ between installs, slugs do not.
fn findings(report: &Value) -> BTreeSet<(String, String)> {
    diagnostics(report)
        .iter()
        .map(|d| {
            let link = d["post"]["link"].as_str().unwrap_or_default();
            let slug = link
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let slug = slug.strip_prefix("?p=").map_or(slug, |_| "a-draft");
            (rule(d).to_owned(), slug.to_owned())
        })
        .collect()
}

fn diagnostics(report: &Value) -> Vec<Value> {
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn rule(diagnostic: &Value) -> &str {
    diagnostic["rule"].as_str().unwrap_or_default()
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The published posts' defects, as seeded.
const PUBLISHED: [(&str, &str); 4] = [
    ("date-offset-suspicious", "broken-gmt"),
    ("duplicate-link", "duplicate-link"),
    ("empty-span", "empty-span"),
    ("missing-section", "missing-section"),
];

/// Every span names a range of the saved file, its line and column counted independently, and
/// the bytes there are what the rule is about.
fn assert_spans_point_into_saved_files(dir: &Path, report: &Value) {
    for diagnostic in diagnostics(report) {
        let file = diagnostic["file"].as_str().expect("a file name");
        assert!(file.starts_with("saved/127.0.0.1_"), "{file}");
        let bytes = std::fs::read(dir.join(file)).expect("the saved page");
        let span = &diagnostic["span"];
        let offset = span["offset"].as_u64().expect("an offset") as usize;
        let length = span["length"].as_u64().expect("a length") as usize;
        let text = String::from_utf8_lossy(&bytes[offset..offset + length]).into_owned();
        let (line, column) = crate::common::naive_line_col(&bytes, offset);
        assert_eq!(
            (span["line"].as_u64(), span["column"].as_u64()),
            (Some(line as u64), Some(column as u64)),
            "{diagnostic}"
        );
        match rule(&diagnostic) {
            "empty-span" => assert_eq!(text, "<span><\\/span>", "{diagnostic}"),
            "duplicate-link" => assert_eq!(text, "https:\\/\\/example.org\\/a", "{diagnostic}"),
            "date-offset-suspicious" => assert!(
                chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S").is_ok(),
                "a date: {diagnostic}"
            ),
            "missing-section" => assert_eq!(text, "", "{diagnostic}"),
            "link-editor-only" => assert!(text.ends_with("wp-admin\\/"), "{diagnostic}"),
            "placeholder-text" => assert_eq!(text, "This is an example page", "{diagnostic}"),
            other => panic!("unexpected rule {other}"),
        }
    }
}

#[test]
fn a_live_site_is_linted_end_to_end_with_spans_in_the_saved_pages() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (code, report, stderr) =
        run(postlint(dir.path()).args(["--save", "saved", "--site", &site.url]));
    assert_eq!(code, 1, "missing-section is an error: {stderr}");
    assert_eq!(findings(&report), pairs(&PUBLISHED));
    assert_eq!(report["summary"]["posts"], 4, "published posts only");
    let sites = report["summary"]["sites"].to_string();
    assert!(
        sites.contains("Postlint Test News")
            && sites.contains("zone America/New_York from its REST index"),
        "{sites}"
    );
    assert_spans_point_into_saved_files(dir.path(), &report);

    // The saved pages give the same findings offline.
    let (_, offline, _) =
        run(postlint(dir.path()).args(["--timezone", "America/New_York", "saved"]));
    let online: BTreeSet<_> = findings(&report);
    let offline_rules: BTreeSet<_> = findings(&offline);
    // Offline the zone comes from the command line, which the date rules trust fully.
    let expected_offline = {
        let mut expected = online.clone();
        expected.remove(&("date-offset-suspicious".to_owned(), "broken-gmt".to_owned()));
        expected.insert(("date-gmt-mismatch".to_owned(), "broken-gmt".to_owned()));
        expected
    };
    assert_eq!(offline_rules, expected_offline);
}

/// `(rule, severity, file, offset)` of every diagnostic, sorted.
fn verdicts(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut found: Vec<_> = diagnostics(report)
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            let offset = d["span"]["offset"].as_u64().unwrap_or(u64::MAX);
            (text("rule"), text("severity"), text("file"), offset)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_saved_site_checked_offline_gives_the_live_findings() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (code, live, stderr) = run(postlint(dir.path())
        .env("POSTLINT_WP_APP_PASSWORD", &site.password)
        .args([
            "--user",
            &site.user,
            "--status",
            "any",
            "--type",
            "posts,pages",
        ])
        .args(["--save", "saved", "--site", &site.url]));
    assert_ne!(code, 2, "{stderr}");
    let (offline_code, offline, stderr) = run(postlint(dir.path()).arg("saved"));
    assert_eq!(offline_code, code, "{stderr}");
    assert_eq!(verdicts(&offline), verdicts(&live));
    for count in ["posts", "errors", "warnings", "infos", "by_rule"] {
        assert_eq!(offline["summary"][count], live["summary"][count], "{count}");
    }
}

#[test]
fn drafts_and_scheduled_posts_need_and_use_an_application_password() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (code, report, stderr) = run(postlint(dir.path())
        .env("POSTLINT_WP_APP_PASSWORD", &site.password)
        .args(["--status", "any", "--user", &site.user, "--save", "saved"])
        .args(["--site", &site.url]));
    assert_eq!(code, 1, "{stderr}");
    let mut expected = pairs(&PUBLISHED);
    expected.insert(("empty-span".to_owned(), "a-draft".to_owned()));
    assert_eq!(findings(&report), expected);
    assert_eq!(
        report["summary"]["posts"], 6,
        "4 published, a draft and a scheduled post"
    );
    assert!(
        report["summary"]["sites"]
            .to_string()
            .contains("signed in as")
    );
    assert_spans_point_into_saved_files(dir.path(), &report);
    // Signed in, postlint asks for `context=edit`: the author's markup is judged in the raw text.
    let all = diagnostics(&report);
    let fields: BTreeSet<&str> = (all.iter())
        .filter_map(|d| d["field"].as_str())
        .filter(|f| f.starts_with("content."))
        .collect();
    assert_eq!(fields, BTreeSet::from(["content.raw"]));
    let everything = format!("{report}{stderr}");
    assert!(
        !everything.contains(&site.password),
        "the password never shows"
    );

    // A wrong password is refused before anything is read, not silently anonymous.
    let (code, _, stderr) = run(postlint(dir.path())
        .env("POSTLINT_WP_APP_PASSWORD", "wrong password 1234")
        .args(["--status", "any", "--user", &site.user, "--site", &site.url]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did not accept the credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong password 1234"));
}

#[test]
fn pages_are_read_with_type_pages() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, report, stderr) = run(postlint(dir.path()).args([
        "--type",
        "posts,pages",
        "--save",
        "saved",
        "--site",
        &site.url,
    ]));
    assert_eq!(
        report["summary"]["posts"], 5,
        "4 posts and the sample page: {stderr}"
    );
    // The sample page was written at install, in UTC, before the zone was set to New York:
    // its dates now look an offset apart, as after any zone change.
    let mut expected = pairs(&PUBLISHED);
    expected.insert(("missing-section".to_owned(), "sample-page".to_owned()));
    expected.insert((
        "date-offset-suspicious".to_owned(),
        "sample-page".to_owned(),
    ));
    // It also links to the dashboard, which readers cannot open, and is WordPress's own
    // sample text ("This is an example page"), never rewritten.
    expected.insert(("link-editor-only".to_owned(), "sample-page".to_owned()));
    expected.insert(("placeholder-text".to_owned(), "sample-page".to_owned()));
    assert_eq!(findings(&report), expected);
    let saved = std::fs::read_dir(dir.path().join("saved"))
        .expect("the saved folder")
        .flatten()
        .next()
        .expect("the site's folder")
        .path();
    assert!(saved.join("posts-page-1.json").is_file());
    assert!(saved.join("pages-page-1.json").is_file());
    assert_spans_point_into_saved_files(dir.path(), &report);
}

#[test]
fn since_last_run_reads_only_the_post_edited_since() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_, first, stderr) =
        run(postlint(dir.path()).args(["--since-last-run", "--site", &site.url]));
    assert_eq!(first["summary"]["posts"], 4, "{stderr}");

    touch_post(&site, "empty-span");
    let (_, second, stderr) =
        run(postlint(dir.path()).args(["--since-last-run", "--site", &site.url]));
    assert_eq!(second["summary"]["posts"], 1, "{stderr}");
    assert_eq!(findings(&second), pairs(&[("empty-span", "empty-span")]));
}

/// Saves a post unchanged through the REST API, which moves its modification time to now.
fn touch_post(site: &Site, slug: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let found: Value = client
            .get(format!("{}/wp-json/wp/v2/posts?slug={slug}", site.url))
            .send()
            .await
            .expect("the post is found")
            .bytes()
            .await
            .ok()
            .and_then(|body| serde_json::from_slice(&body).ok())
            .expect("JSON");
        let id = found[0]["id"].as_u64().expect("an id");
        let status = client
            .post(format!("{}/wp-json/wp/v2/posts/{id}", site.url))
            .basic_auth(&site.user, Some(&site.password))
            .header("Content-Type", "application/json")
            .body(serde_json::json!({"excerpt": format!("edited {id}")}).to_string())
            .send()
            .await
            .expect("the post is saved")
            .status();
        assert!(status.is_success(), "{status}");
    });
}

/// The id and link of a post, found through the REST API (ids differ between installs).
fn id_and_link(site: &Site, slug: &str) -> (u64, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let found: Value = runtime.block_on(async {
        let answer = reqwest::Client::new()
            .get(format!(
                "{}/wp-json/wp/v2/posts?slug={slug}&status=any",
                site.url
            ))
            .basic_auth(&site.user, Some(&site.password))
            .send()
            .await
            .expect("the post is found");
        let body = answer.bytes().await.expect("a body");
        serde_json::from_slice(&body).expect("JSON")
    });
    let id = found[0]["id"].as_u64().expect("an id");
    (id, found[0]["link"].as_str().expect("a link").to_owned())
}

/// Lints one post named on the command line: its one finding, the one post fetched, spans in
/// the saved file.
fn assert_one_post(dir: &Path, command: &mut Command, slug: &str) {
    let (code, report, stderr) = run(command);
    assert_eq!(code, 0, "empty-span is a warning: {stderr}");
    assert_eq!(
        findings(&report),
        pairs(&[("empty-span", slug)]),
        "{stderr}"
    );
    assert_eq!(report["summary"]["posts"], 1);
    let sites = report["summary"]["sites"].to_string();
    assert!(sites.contains("1 post fetched"), "{sites}");
    assert_spans_point_into_saved_files(dir, &report);
}

#[test]
fn one_post_by_id_slug_permalink_short_link_and_rest_address() {
    let Some(site) = site() else { return };
    let (id, link) = id_and_link(&site, "empty-span");
    let forms: [Vec<String>; 5] = [
        vec![
            "--site".into(),
            site.url.clone(),
            "--post".into(),
            id.to_string(),
        ],
        vec![
            "--site".into(),
            site.url.clone(),
            "--post".into(),
            "empty-span".into(),
        ],
        vec![link],
        vec![format!("{}/?p={id}", site.url)],
        vec![format!("{}/wp-json/wp/v2/posts/{id}", site.url)],
    ];
    for form in forms {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut command = postlint(dir.path());
        command.args(["--save", "saved"]).args(&form);
        assert_one_post(dir.path(), &mut command, "empty-span");
    }
}

#[test]
fn one_post_by_the_address_of_its_edit_screen() {
    let Some(site) = site() else { return };
    let (id, _) = id_and_link(&site, "empty-span");
    let address = format!("{}/wp-admin/post.php?post={id}&action=edit", site.url);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut command = postlint(dir.path());
    command.args(["--save", "saved", &address]);
    assert_one_post(dir.path(), &mut command, "empty-span");
}

#[test]
fn a_draft_by_its_address_with_an_application_password() {
    let Some(site) = site() else { return };
    let (id, _) = id_and_link(&site, "a-draft");
    let address = format!("{}/?p={id}", site.url);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (code, _, stderr) = run(postlint(dir.path()).arg(&address));
    assert_eq!(code, 2, "a draft is not public");
    assert!(stderr.contains("needs --user"), "{stderr}");

    let mut command = postlint(dir.path());
    command
        .env("POSTLINT_WP_APP_PASSWORD", &site.password)
        .args(["--user", &site.user, "--save", "saved", &address]);
    assert_one_post(dir.path(), &mut command, "a-draft");
}

#[test]
fn a_page_that_is_not_a_post_says_so() {
    let Some(site) = site() else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let address = format!("{}/2026/01/no-such-post/", site.url);
    let (code, _, stderr) = run(postlint(dir.path()).arg(&address));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is not the address of a WordPress post") && stderr.contains("404"),
        "{stderr}"
    );
}
