//! One settle step for every finding, whichever phase made it: overrides, in-content
//! suppressions (every form) and baselines reach the findings of the site phase and of the link
//! check as they reach a post's own, and a suppression that silenced a late finding is not
//! called unused. Run through the binary, as a user would.

use crate::common::project;
use std::path::Path;

use assert_cmd::Command;

use crate::common::http::{Reply, Server};

/// A post of `https://news.example` with a title and a body, as one JSON object.
fn post(id: u32, title: &str, content: &str) -> String {
    let post = serde_json::json!({
        "id": id,
        "slug": format!("post-{id}"),
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example/post-{id}/"),
        "title": {"rendered": title},
        "content": {"rendered": content},
    });
    post.to_string()
}

/// Runs `postlint check --format json ARGS` in `dir`; returns (file, rule, severity) of every
/// finding, and the exit code.
fn check(dir: &Path, args: &[&str]) -> (Vec<(String, String, String)>, i32) {
    let out = Command::cargo_bin("postlint")
        .expect("binary")
        .current_dir(dir)
        .args(["check", "--format", "json", "--no-cache"])
        .args(args)
        .output()
        .expect("run postlint");
    let code = out.status.code().unwrap_or(-1);
    if out.stdout.is_empty() {
        return (Vec::new(), code);
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let found = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            let file = text("file");
            let file = file.strip_prefix("./").unwrap_or(&file).to_owned();
            (file, text("rule"), text("severity"))
        })
        .collect();
    (found, code)
}

fn rules_of<'a>(found: &'a [(String, String, String)], file: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|(f, _, _)| f == file)
        .map(|(_, rule, _)| rule.as_str())
        .collect()
}

/// `duplicate-title` reports the later of two posts (files in name order), pointing back at
/// the first.
const SAME_TITLE: &str = "Budget passes";

#[test]
fn an_override_that_ignores_a_site_rule_reaches_the_site_phase() {
    let files = [
        ("current.json", post(1, SAME_TITLE, "<p>New.</p>")),
        ("old/copy.json", post(2, SAME_TITLE, "<p>Old.</p>")),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = project(&files);
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(rules_of(&found, "old/copy.json"), ["duplicate-title"]);
    let config = "[[overrides]]\nfiles = [\"old/**\"]\nignore = [\"duplicate-title\"]\n";
    std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(found, Vec::new());
}

#[test]
fn an_override_that_sets_a_site_rules_severity_reaches_the_site_phase() {
    let dir = project(&[
        (
            "postlint.toml",
            "[[overrides]]\nfiles = [\"new.json\"]\n[overrides.rules.duplicate-title]\nseverity = \"error\"\n",
        ),
        ("a.json", &post(1, SAME_TITLE, "<p>Old.</p>")),
        ("new.json", &post(2, SAME_TITLE, "<p>New.</p>")),
    ]);
    let (found, code) = check(dir.path(), &["."]);
    let severities: Vec<(&str, &str)> = found
        .iter()
        .filter(|(_, rule, _)| rule == "duplicate-title")
        .map(|(file, _, severity)| (file.as_str(), severity.as_str()))
        .collect();
    assert_eq!(severities, [("new.json", "error")]);
    assert_eq!(code, 1);
}

#[test]
fn a_file_suppression_silences_a_site_finding_and_is_used() {
    let suppressed = format!(
        "<!-- postlint-disable-file duplicate-title -- a series keeps its title --><p>{}</p>",
        "Part two."
    );
    let dir = project(&[
        ("a.json", &post(1, SAME_TITLE, "<p>Part one.</p>")),
        ("b.json", &post(2, SAME_TITLE, &suppressed)),
    ]);
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(found, Vec::new());
}

#[test]
fn a_suppression_of_a_site_rule_that_silences_nothing_is_reported_once() {
    let unused = "<!-- postlint-disable-file duplicate-title -- a series --><p>Alone.</p>";
    let dir = project(&[("a.json", &post(1, "Only one", unused))]);
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(rules_of(&found, "a.json"), ["unused-suppression"]);
}

#[test]
fn a_baseline_holds_site_findings() {
    let dir = project(&[
        ("a.json", &post(1, SAME_TITLE, "<p>One.</p>")),
        ("b.json", &post(2, SAME_TITLE, "<p>Two.</p>")),
    ]);
    let (before, _) = check(dir.path(), &["."]);
    assert_eq!(before.len(), 1, "{before:?}");
    let kept = tempfile::tempdir().expect("temp dir");
    let baseline = kept.path().join("baseline.json");
    let baseline = baseline.to_str().expect("a UTF-8 path");
    let (_, code) = check(dir.path(), &["--write-baseline", baseline, "."]);
    assert_eq!(code, 0);
    let (after, code) = check(dir.path(), &["--baseline", baseline, "."]);
    assert_eq!(after, Vec::new());
    assert_eq!(code, 0);
}

/// A site on 127.0.0.1 where `/gone` is 404 and everything else 200.
fn server() -> Server {
    Server::start(|_, path, _| match path {
        "/gone" => Reply::Status(404, Vec::new()),
        _ => Reply::Status(200, Vec::new()),
    })
}

fn link_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    // The test server is on 127.0.0.1, which `link-editor-only` rightly reports.
    let mut args = vec!["--links", "--allow-private", "--link-timeout", "5"];
    // Tests never reach the Internet Archive.
    args.push("--no-archive");
    args.extend(["--ignore", "link-editor-only"]);
    args.extend_from_slice(extra);
    args
}

#[test]
fn every_suppression_form_silences_a_broken_link_and_is_used() {
    let server = server();
    let gone = server.url("/gone");
    let link = format!("<a href=\"{gone}\">the report</a>");
    let forms = [
        format!("<!-- postlint-disable-file link-broken -- archived elsewhere --><p>{link}</p>"),
        format!(
            "<!-- postlint-disable-next-line link-broken -- archived elsewhere -->\n<p>{link}</p>"
        ),
        format!(
            "<!-- postlint-disable link-broken -- archived elsewhere --><p>{link}</p><!-- postlint-enable link-broken -->"
        ),
    ];
    for (i, content) in forms.iter().enumerate() {
        let dir = project(&[("p.json", &post(1, "A post", content))]);
        let (found, code) = check(dir.path(), &link_args(&["."]));
        assert_eq!(rules_of(&found, "p.json"), Vec::<&str>::new(), "form {i}");
        assert_eq!(code, 0, "form {i}");
    }
    let dir = project(&[("p.json", &post(1, "A post", &format!("<p>{link}</p>")))]);
    let (found, code) = check(dir.path(), &link_args(&["."]));
    assert_eq!(rules_of(&found, "p.json"), ["link-broken"]);
    assert_eq!(code, 1);
}

#[test]
fn a_suppression_outside_its_reach_leaves_a_broken_link_and_is_unused() {
    let server = server();
    let gone = server.url("/gone");
    let content = format!(
        "<!-- postlint-disable link-broken -- wire copy --><p>x</p><!-- postlint-enable link-broken --><p><a href=\"{gone}\">y</a></p>"
    );
    let dir = project(&[("p.json", &post(1, "A post", &content))]);
    let (found, _) = check(dir.path(), &link_args(&["."]));
    assert_eq!(
        rules_of(&found, "p.json"),
        ["unused-suppression", "link-broken"]
    );
}

#[test]
fn an_override_reaches_the_link_check() {
    let server = server();
    let gone = server.url("/gone");
    let content = format!("<p><a href=\"{gone}\">y</a></p>");
    let dir = project(&[
        (
            "postlint.toml",
            "[[overrides]]\nfiles = [\"archive/**\"]\nignore = [\"link-broken\"]\n",
        ),
        ("archive/old.json", &post(1, "Old", &content)),
        ("new.json", &post(2, "New", &content)),
    ]);
    let (found, _) = check(dir.path(), &link_args(&["."]));
    assert_eq!(rules_of(&found, "archive/old.json"), Vec::<&str>::new());
    assert_eq!(rules_of(&found, "new.json"), ["link-broken"]);
}

#[test]
fn a_baseline_holds_link_findings() {
    let server = server();
    let gone = server.url("/gone");
    let content = format!("<p><a href=\"{gone}\">y</a></p>");
    let dir = project(&[("p.json", &post(1, "A post", &content))]);
    let kept = tempfile::tempdir().expect("temp dir");
    let baseline = kept.path().join("baseline.json");
    let baseline = baseline.to_str().expect("a UTF-8 path");
    let mut write = link_args(&[]);
    write.extend(["--write-baseline", baseline, "."]);
    let (_, code) = check(dir.path(), &write);
    assert_eq!(code, 0);
    let mut read = link_args(&[]);
    read.extend(["--baseline", baseline, "."]);
    let (found, code) = check(dir.path(), &read);
    assert_eq!(found, Vec::new());
    assert_eq!(code, 0);
}

#[test]
fn a_suppression_of_a_link_rule_is_not_called_unused_when_links_are_not_checked() {
    let content = "<!-- postlint-disable-file link-broken -- archived --><p>x</p>";
    let dir = project(&[("p.json", &post(1, "A post", content))]);
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(rules_of(&found, "p.json"), Vec::<&str>::new());
}

#[test]
fn an_override_that_names_a_post_reaches_the_site_phase() {
    let dir = project(&[
        (
            "postlint.toml",
            "[[overrides]]\nposts = [2]\nignore = [\"duplicate-title\"]\n",
        ),
        ("a.json", &post(1, SAME_TITLE, "<p>One.</p>")),
        ("b.json", &post(2, SAME_TITLE, "<p>Two.</p>")),
        // Three posts under one title would be a series, which duplicate-title leaves alone.
        ("c.json", &post(3, "Another shared title", "<p>Three.</p>")),
        ("d.json", &post(4, "Another shared title", "<p>Four.</p>")),
    ]);
    let (found, _) = check(dir.path(), &["."]);
    assert_eq!(rules_of(&found, "b.json"), Vec::<&str>::new());
    assert_eq!(rules_of(&found, "d.json"), ["duplicate-title"]);
}
