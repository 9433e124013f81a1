//! The same posts through every mode of a run: `check` on files, `--site` against a fake site
//! on 127.0.0.1 with and without `--post`, the server (its diagnostics mapped back to rule
//! and place), `merge` of shards and `--watch`'s first run, with `export = "complete"` and with
//! a baseline. Each gives the findings of `check`, except what a mode leaves out by design:
//! the server reads no baseline, and a one-post run holds no other post to compare it with.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::http::{Reply, Server};
use crate::common::project;
use crate::server::{Client, uri};

/// A guard against a watcher that never reports, not a wait.
const NO_ANSWER: Duration = Duration::from_secs(60);

/// A finding as every mode can tell it: its rule and the bytes it covers in the site's page.
type Found = (String, usize, usize);

/// One post as WordPress writes it (`/` escaped as `\/`).
fn post(id: u32, title: &str, content: &str) -> String {
    let post = json!({
        "id": id,
        "slug": format!("post-{id}"),
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example.com/post-{id}/"),
        "title": {"rendered": title},
        "content": {"rendered": content},
    });
    post.to_string().replace('/', "\\/")
}

/// Four posts: a stray end tag and links to a post there and one not there (post 1), a title
/// twice (posts 2 and 3), placeholder text, an address left for an embed and a shortcode in
/// text that is not ASCII (post 2), an empty paragraph (post 3), and a suppression (post 4).
fn posts() -> Vec<String> {
    vec![
        post(
            1,
            "One",
            "<p>One</span> <a href=\"https://news.example.com/post-2/\">two</a> <a href=\"https://news.example.com/gone/\">gone</a></p>",
        ),
        // Each pattern built at first use, in its non-ASCII form: `ſ` folds to `s`.
        post(
            2,
            "Briefing",
            "<p>Two: lorem ip\u{17f}um</p><p>https://youtu.be/\u{e4}</p><p>[tweet t\u{eb}xt=1]</p>",
        ),
        post(3, "Briefing", "<p>Three</p><p></p>"),
        post(
            4,
            "Four",
            "<!-- postlint-disable-file duplicate-slug -- nothing to silence --><p>Four</span></p>",
        ),
    ]
}

/// The page the site sends: every post, in one array.
fn page() -> String {
    format!("[{}]", posts().join(","))
}

/// Where each post starts in the page: a post read alone is placed back there.
fn post_starts() -> Vec<(u64, usize)> {
    let mut at = 1;
    let mut starts = Vec::new();
    for (id, text) in (1..).zip(posts()) {
        starts.push((id, at));
        at += text.len() + 1;
    }
    starts
}

fn json_reply(body: String) -> Reply {
    let headers = vec![
        (
            "Content-Type".into(),
            "application/json; charset=UTF-8".into(),
        ),
        ("X-WP-TotalPages".into(), "1".into()),
    ];
    Reply::Body(200, headers, body.into_bytes())
}

/// The fake site: its index (zone UTC), its one page of posts, each post alone, and what it
/// says when asked about a slug.
fn start_site() -> Server {
    Server::start(|_, path, _| {
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        let slug = query.split('&').find_map(|pair| pair.strip_prefix("slug="));
        match (route, slug) {
            ("/wp-json/", _) => json_reply(
                json!({"name": "Fake News", "url": "https://news.example.com",
                       "timezone_string": "UTC", "gmt_offset": 0})
                .to_string(),
            ),
            ("/wp-json/wp/v2/posts", Some(slug)) => {
                let known = (1..=4).any(|id| slug == format!("post-{id}"));
                json_reply(if known { "[{\"id\":1}]" } else { "[]" }.to_owned())
            }
            ("/wp-json/wp/v2/posts", None) => json_reply(page()),
            ("/wp-json/wp/v2/pages", _) => json_reply("[]".to_owned()),
            (route, _) => match route.strip_prefix("/wp-json/wp/v2/posts/") {
                Some(id) => {
                    let id: usize = id.parse().unwrap_or(0);
                    match posts().get(id.wrapping_sub(1)) {
                        Some(text) => json_reply(text.clone()),
                        None => Reply::Status(404, Vec::new()),
                    }
                }
                None => Reply::Status(404, Vec::new()),
            },
        }
    })
}

/// A project holding the site's page as a file, with `export = "complete"`.
fn workspace() -> tempfile::TempDir {
    project(&[
        ("postlint.toml", "export = \"complete\"\n"),
        ("site/posts.json", &page()),
    ])
}

fn postlint(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postlint"));
    command
        .current_dir(dir)
        .env_remove("POSTLINT_WP_APP_PASSWORD")
        .args(["check", "--color", "never", "--fail-on", "never"]);
    command
}

/// The findings of a JSON report, each placed in the page: a post read alone (`--post`) is
/// placed where it starts in the page.
fn found_in(report: &Value) -> BTreeSet<Found> {
    let starts = post_starts();
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    diagnostics
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default();
            let alone = (starts.iter())
                .find(|(id, _)| file.ends_with(&format!("/posts/{id}")))
                .map_or(0, |(_, start)| *start);
            let offset = d["span"]["offset"].as_u64().unwrap_or_default() as usize;
            let length = d["span"]["length"].as_u64().unwrap_or_default() as usize;
            let rule = d["rule"].as_str().unwrap_or_default().to_owned();
            (rule, alone + offset, length)
        })
        .collect()
}

/// Runs a `check` that writes its JSON report to standard output; the report.
fn report_of(command: &mut Command) -> Value {
    let output = command.args(["--format", "json"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

fn check_files(dir: &Path, extra: &[&str]) -> BTreeSet<Found> {
    found_in(&report_of(postlint(dir).args(extra).arg("site")))
}

fn check_site(dir: &Path, site: &Server, extra: &[&str]) -> BTreeSet<Found> {
    found_in(&report_of(
        postlint(dir).args(extra).arg("--site").arg(site.url("")),
    ))
}

/// `check --shard K/3` three times, then `merge` of the three reports.
fn merge_shards(dir: &Path, extra: &[&str]) -> BTreeSet<Found> {
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.join(format!("shard-{k}.json"));
        let written = postlint(dir)
            .args(extra)
            .args(["--shard", &format!("{k}/3"), "--format"])
            .arg(format!("json={}", part.display()))
            .arg("site")
            .output()
            .expect("shard");
        assert!(written.status.success(), "{written:?}");
        parts.push(part);
    }
    let mut merge = Command::new(env!("CARGO_BIN_EXE_postlint"));
    let merged = merge
        .current_dir(dir)
        .args(["merge", "--format", "json", "--fail-on", "never"])
        .args(extra)
        .args(&parts)
        .output()
        .expect("merge");
    assert!(merged.status.success(), "{merged:?}");
    found_in(&serde_json::from_slice(&merged.stdout).expect("JSON"))
}

/// The JSON report of `--watch`'s first run, read as it comes; the watcher is then stopped.
fn watch_first_run(dir: &Path, extra: &[&str]) -> BTreeSet<Found> {
    let mut child = postlint(dir)
        .args(extra)
        .args(["--watch", "--format", "json", "site"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watcher");
    let lines = lines_of(child.stdout.take().expect("stdout"));
    let report = first_json(&lines);
    let _ = child.kill();
    let _ = child.wait();
    found_in(&report)
}

/// The lines of a stream, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    use std::io::BufRead;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
        {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Reads lines until they make one JSON value.
fn first_json(lines: &Receiver<String>) -> Value {
    let mut text = String::new();
    loop {
        let line = (lines.recv_timeout(NO_ANSWER))
            .unwrap_or_else(|e| panic!("no whole report ({e}); read: {text}"));
        text.push_str(&line);
        text.push('\n');
        if let Ok(report) = serde_json::from_str(&text) {
            return report;
        }
    }
}

/// The server's diagnostics for the page opened as `site/posts.json`, with the site rules on,
/// mapped back from lines and columns (UTF-8 positions) to the page's bytes.
fn server_findings(dir: &Path) -> BTreeSet<Found> {
    let capabilities = json!({"general": {"positionEncodings": ["utf-8"]}});
    let (mut client, _) = Client::start(dir, capabilities, json!({"siteRules": true}));
    let path = dir.join("site/posts.json");
    let text = page();
    let published = client.open(&path, &text);
    assert_eq!(published["uri"], uri(&path));
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap_or_default() as usize;
        line_starts[line] + position["character"].as_u64().unwrap_or_default() as usize
    };
    let diagnostics = published["diagnostics"].as_array().cloned();
    let found = (diagnostics.unwrap_or_default().iter())
        .map(|d| {
            let (start, end) = (offset(&d["range"]["start"]), offset(&d["range"]["end"]));
            let rule = d["code"].as_str().unwrap_or_default().to_owned();
            (rule, start, end - start)
        })
        .collect();
    assert!(client.shut_down().success());
    found
}

/// A baseline of some of the run's findings: one of a file rule's, one of a site rule's.
fn write_partial_baseline(dir: &Path) -> PathBuf {
    let all = dir.join("all.baseline.json");
    let written = postlint(dir)
        .arg("--write-baseline")
        .arg(&all)
        .arg("site")
        .output()
        .expect("write the baseline");
    assert!(written.status.success(), "{written:?}");
    let mut baseline: Value =
        serde_json::from_slice(&std::fs::read(&all).expect("baseline")).expect("JSON");
    let entries = baseline["entries"].as_array().cloned().unwrap_or_default();
    let kept: Vec<Value> = ["stray-end-tag", "duplicate-title"]
        .iter()
        .filter_map(|rule| entries.iter().find(|e| e["rule"] == *rule).cloned())
        .collect();
    assert_eq!(kept.len(), 2, "{entries:?}");
    baseline["entries"] = Value::Array(kept);
    let partial = dir.join("partial.baseline.json");
    std::fs::write(&partial, baseline.to_string()).expect("write");
    partial
}

fn rules_of(found: &BTreeSet<Found>) -> BTreeSet<&str> {
    found.iter().map(|(rule, _, _)| rule.as_str()).collect()
}

#[test]
fn every_mode_gives_the_findings_of_check() {
    let dir = workspace();
    let site = start_site();
    let files = check_files(dir.path(), &[]);
    // Each kind of finding is there to be compared: the test can fail.
    let expected = [
        "bare-embed-url",
        "duplicate-title",
        "empty-paragraph",
        "link-internal-missing",
        "placeholder-text",
        "stray-end-tag",
        "unrendered-shortcode",
        "unused-suppression",
    ];
    assert_eq!(
        rules_of(&files).into_iter().collect::<Vec<_>>(),
        expected,
        "{files:?}"
    );
    assert_eq!(check_site(dir.path(), &site, &[]), files, "--site");
    let every_post = ["--post", "1,2,3,4"];
    assert_eq!(check_site(dir.path(), &site, &every_post), files, "--post");
    assert_eq!(merge_shards(dir.path(), &[]), files, "merge");
    assert_eq!(watch_first_run(dir.path(), &[]), files, "--watch");
    assert_eq!(server_findings(dir.path()), files, "the server");
}

#[test]
fn every_mode_holds_back_what_the_baseline_holds() {
    let dir = workspace();
    let site = start_site();
    let all = check_files(dir.path(), &[]);
    let baseline = write_partial_baseline(dir.path());
    let baseline = baseline.to_string_lossy().into_owned();
    let with_baseline = ["--baseline", baseline.as_str()];
    let files = check_files(dir.path(), &with_baseline);
    assert_eq!(all.len() - files.len(), 2, "{all:?}\n{files:?}");
    let on_site = |extra: &[&str]| {
        let args: Vec<&str> = with_baseline.iter().chain(extra).copied().collect();
        check_site(dir.path(), &site, &args)
    };
    assert_eq!(on_site(&[]), files, "--site");
    assert_eq!(on_site(&["--post", "1,2,3,4"]), files, "--post");
    assert_eq!(merge_shards(dir.path(), &with_baseline), files, "merge");
    assert_eq!(
        watch_first_run(dir.path(), &with_baseline),
        files,
        "--watch"
    );
    // The server reads no baseline: an editor shows every finding of the buffer.
    assert_eq!(server_findings(dir.path()), all, "the server");
}

/// A run of one post holds no other post of the site: the rules that compare posts have
/// nothing to compare it with, and the internal links it does not hold are asked of the
/// site, so a link to a post that exists is not called missing (`export = "complete"`).
#[test]
fn one_post_of_a_complete_export_gets_the_findings_of_check_on_that_post() {
    let dir = workspace();
    let site = start_site();
    let files = check_files(dir.path(), &[]);
    let (_, start) = post_starts()[0];
    let end = start + posts()[0].len();
    let of_post_1: BTreeSet<Found> = (files.iter())
        .filter(|(_, at, _)| (start..end).contains(at))
        .cloned()
        .collect();
    let missing = (of_post_1.iter()).filter(|f| f.0 == "link-internal-missing");
    assert_eq!(missing.count(), 1, "only `gone`: {of_post_1:?}");
    assert_eq!(
        check_site(dir.path(), &site, &["--post", "1"]),
        of_post_1,
        "--post 1"
    );
}
