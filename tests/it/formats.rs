//! The reports for CI and editors: GitHub annotations, SARIF, JUnit, rdjson, GitLab, Markdown,
//! HTML; writing several in one run; statistics; shards and their merge; changed files.

use std::path::Path;
use std::process::Command as Process;

use crate::common::{check, fixture};
use assert_cmd::Command;
use predicates::prelude::*;

fn output_of(args: &[&str]) -> String {
    let out = check(&[]).args(args).output().expect("run");
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

fn seed() -> String {
    fixture("seed_koreapro_2205786.json").display().to_string()
}

#[test]
fn github_annotations_keep_to_ten_per_level_and_count_the_rest() {
    let text = output_of(&["--format", "github", &seed()]);
    let lines: Vec<&str> = text.lines().collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("::error "), 10);
    assert_eq!(count("::warning "), 1);
    // Nine infos and the notice that counts the rest: ten notices.
    assert_eq!(count("::notice file="), 9);
    assert_eq!(
        lines.last().copied(),
        Some(
            "::notice title=postlint::18 more findings are not shown as annotations (GitHub shows 10 per level); see the full report"
        )
    );
    assert!(lines[0].starts_with("::error file=fixtures/seed_koreapro_2205786.json,line=1,col=508,endLine=2,endColumn=1,title=json-syntax::raw newline inside a string%0Ahelp: "));
    // Errors first, then warnings, then notices.
    let levels: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    let mut sorted = levels.clone();
    sorted.sort_by_key(|l| match *l {
        "::error" => 0,
        "::warning" => 1,
        _ => 2,
    });
    assert_eq!(levels, sorted);
}

#[test]
fn sarif_has_rules_results_regions_and_fingerprints() {
    let text = output_of(&["--format", "sarif", &seed()]);
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), postlint::rules::ALL.len());
    assert!(rules.iter().all(|r| {
        r["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    }));
    assert!(rules.iter().all(|r| {
        r["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## Why it matters"))
    }));
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 38);
    let first = &results[0];
    assert_eq!(first["ruleId"], "json-syntax");
    assert_eq!(first["level"], "error");
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(1), Some(508))
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/seed_koreapro_2205786.json"
    );
    assert!(
        first["partialFingerprints"]["postlintFingerprint/v1"]
            .as_str()
            .is_some()
    );
}

#[test]
fn sarif_fingerprints_survive_an_edit_elsewhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("p.json");
    let fingerprints = |text: &str| -> Vec<String> {
        std::fs::write(&path, text).expect("write");
        let out = output_of(&["--format", "sarif", path.to_str().expect("path")]);
        let sarif: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"]["postlintFingerprint/v1"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    let before = fingerprints(r#"{"id":3,"content":{"rendered":"<p>a<\/a><\/p>"}}"#);
    let after = fingerprints(
        r#"{"id":3,"title":{"rendered":"New"},"content":{"rendered":"<p>Added.<\/p><p>a<\/a><\/p>"}}"#,
    );
    assert_eq!(before.len(), 1);
    assert_eq!(before, after);
}

#[test]
fn sarif_passes_microsofts_validator() {
    let Some(validator) = crate::common::system_tool("Sarif.Multitool", Some("SARIF_MULTITOOL"))
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.sarif");
    let absolute = std::fs::canonicalize(fixture("seed_koreapro_2205786.json")).expect("absolute");
    let sarif = output_of(&[
        "--format",
        "sarif",
        fixture("").to_str().expect("path"),
        absolute.to_str().expect("path"),
    ]);
    std::fs::write(&report, sarif).expect("write");
    let result = dir.path().join("result.sarif");
    let status = Process::new(&validator)
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&result)
        .arg(&report)
        .status()
        .expect("run Sarif.Multitool");
    let findings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).expect("result")).expect("JSON");
    // Errors and warnings alike: GitHub's ingestion rules (Gh) and the SARIF rules.
    let problems: Vec<String> = findings["runs"][0]["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| format!("{} {}", x["ruleId"], x["message"]))
                .collect()
        })
        .unwrap_or_default();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(status.success());
}

#[test]
fn junit_has_a_case_per_post_and_a_failure_per_finding() {
    let text = output_of(&[
        "--format",
        "junit",
        fixture("cases").to_str().expect("path"),
    ]);
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let report: serde_json::Value = serde_json::from_str(&output_of(&[
        "--format",
        "json",
        fixture("cases").to_str().expect("path"),
    ]))
    .expect("json");
    // A case per post, and one per file with problems of its own (its JSON, its encoding).
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let broken_files: std::collections::HashSet<&str> = diagnostics
        .iter()
        .filter(|d| d["post"].is_null())
        .map(|d| d["file"].as_str().unwrap_or_default())
        .collect();
    let posts = report["summary"]["posts"].as_u64().expect("posts") as usize;
    assert_eq!(cases.len(), posts + broken_files.len());
    let failures = document
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, diagnostics.len());
    if let Some(python) = crate::common::system_tool("python3", None) {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("junit.xml");
        std::fs::write(&file, &text).expect("write");
        let check = Process::new(python)
            .args(["-c", "import sys, junitparser; x = junitparser.JUnitXml.fromfile(sys.argv[1]); print(sum(1 for s in x for c in s))"])
            .arg(&file)
            .output()
            .expect("python");
        let ci = std::env::var("CI").as_deref() == Ok("true");
        if check.status.success() {
            assert_eq!(
                String::from_utf8_lossy(&check.stdout).trim(),
                cases.len().to_string()
            );
        } else {
            assert!(
                !ci,
                "junitparser could not read the report: {}",
                String::from_utf8_lossy(&check.stderr)
            );
            eprintln!("skipped: junitparser is not installed here (.ci/run installs it)");
        }
    }
}

#[test]
fn rdjson_and_gitlab_point_at_the_same_places() {
    let rdjson: serde_json::Value =
        serde_json::from_str(&output_of(&["--format", "rdjson", &seed()])).expect("JSON");
    let gitlab: serde_json::Value =
        serde_json::from_str(&output_of(&["--format", "gitlab", &seed()])).expect("JSON");
    let diagnostics = rdjson["diagnostics"].as_array().expect("diagnostics");
    let issues = gitlab.as_array().expect("issues");
    assert_eq!(diagnostics.len(), 38);
    assert_eq!(issues.len(), 38);
    assert_eq!(diagnostics[0]["location"]["range"]["start"]["column"], 508);
    assert_eq!(issues[0]["location"]["positions"]["begin"]["column"], 508);
    assert_eq!(diagnostics[0]["severity"], "ERROR");
    assert_eq!(issues[0]["severity"], "major");
    let fingerprints: std::collections::HashSet<_> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap_or_default())
        .collect();
    assert!(fingerprints.len() > 3);
}

#[test]
fn markdown_summary_snapshot() {
    insta::assert_snapshot!(output_of(&["--format", "markdown", &seed()]));
}

#[test]
fn html_escapes_everything_from_posts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hostile.json");
    std::fs::write(
        &path,
        r#"{"id":9,"link":"javascript:alert(1)","title":{"rendered":"<script>alert('t')<\/script>"},"content":{"rendered":"<p onclick=\"x\">a<\/a><img src=x onerror=alert(2)><\/p>"}}"#,
    )
    .expect("write");
    let html = output_of(&["--format", "html", path.to_str().expect("path")]);
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("href=\"javascript:"));
    assert!(
        !html.contains("<img"),
        "post markup must not reach the page as markup"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "it is shown as text"
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the report's own script"
    );
}

#[test]
fn several_reports_in_one_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("r.json");
    let sarif = dir.path().join("r.sarif");
    let html = dir.path().join("r.html");
    check(&[])
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .arg("--format")
        .arg(format!("sarif={}", sarif.display()))
        .args(["--format", "html", "-o"])
        .arg(&html)
        .arg(seed())
        .assert()
        .code(1)
        .stdout("");
    assert!(
        std::fs::read_to_string(&json)
            .expect("json")
            .contains("\"version\": 1")
    );
    assert!(
        std::fs::read_to_string(&sarif)
            .expect("sarif")
            .contains("\"2.1.0\"")
    );
    assert!(
        std::fs::read_to_string(&html)
            .expect("html")
            .starts_with("<!DOCTYPE html>")
    );
    check(&[])
        .args(["--format", "json", "--format", "sarif", &seed()])
        .assert()
        .code(2);
}

#[test]
fn statistics_count_findings_per_rule() {
    check(&[])
        .args(["--statistics", &seed()])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "36  stray-end-tag  An end tag closes no open element",
        ))
        .stdout(predicate::str::contains(
            " 2  json-syntax    The file is not valid JSON",
        ));
}

#[test]
fn fail_on_sets_the_threshold() {
    let crlf = fixture("cases/invalid_crlf.json").display().to_string();
    check(&[])
        .args(["--fail-on", "info", &crlf])
        .assert()
        .code(1);
    check(&[])
        .args(["--fail-on", "warning", &crlf])
        .assert()
        .code(0);
    check(&[])
        .args(["--fail-on", "never", &seed()])
        .assert()
        .code(0);
}

fn json_report(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&output_of(args)).expect("JSON report")
}

#[test]
fn shards_cover_every_file_once_and_merge_back() {
    let all = fixture("").display().to_string();
    // The merge runs with the shards' options (tests/it/merge.rs checks the site rules too).
    let site_rules = "duplicate-slug,duplicate-title,date-offset-suspicious,link-internal-missing,link-internal-draft";
    let whole = json_report(&["--format", "json", "--ignore", site_rules, &all]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.path().join(format!("shard{k}.json"));
        let shard = format!("{k}/3");
        check(&[])
            .args(["--format"])
            .arg(format!("json={}", part.display()))
            .args(["--shard", &shard, "--ignore", site_rules, &all])
            .assert()
            .code(predicate::in_iter([0, 1]));
        parts.push(part);
    }
    let files: Vec<u64> = parts
        .iter()
        .map(|p| {
            let report: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).expect("part")).expect("json");
            report["summary"]["files"].as_u64().expect("files")
        })
        .collect();
    assert_eq!(
        files.iter().sum::<u64>(),
        whole["summary"]["files"].as_u64().expect("files")
    );
    assert!(files.iter().all(|&f| f > 0), "{files:?}");
    let merged_out = Command::cargo_bin("postlint")
        .expect("bin")
        .args(["merge", "--no-config", "--ignore", site_rules])
        .args(&parts)
        .output()
        .expect("merge");
    let merged: serde_json::Value =
        serde_json::from_slice(&merged_out.stdout).expect("merged JSON");
    for key in ["files", "posts", "errors", "warnings", "infos"] {
        assert_eq!(merged["summary"][key], whole["summary"][key], "{key}");
    }
    assert_eq!(merged["summary"]["by_rule"], whole["summary"]["by_rule"]);
    let key =
        |d: &serde_json::Value| format!("{}:{}:{}", d["file"], d["span"]["offset"], d["rule"]);
    let mut merged_keys: Vec<String> = merged["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .map(key)
        .collect();
    let mut whole_keys: Vec<String> = whole["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .map(key)
        .collect();
    merged_keys.sort();
    whole_keys.sort();
    assert_eq!(merged_keys, whole_keys);
    Command::cargo_bin("postlint")
        .expect("bin")
        .args(["merge", "Cargo.toml"])
        .assert()
        .code(2);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
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
fn changed_since_lints_only_what_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let post = |id: u32| format!(r#"{{"id":{id},"content":{{"rendered":"<p>x<\/a><\/p>"}}}}"#);
    std::fs::create_dir(root.join("posts")).expect("mkdir");
    for name in ["kept", "edited", "deleted", "staged"] {
        std::fs::write(root.join(format!("posts/{name}.json")), post(1)).expect("write");
    }
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "posts"]);
    std::fs::write(root.join("posts/edited.json"), post(2)).expect("edit");
    std::fs::remove_file(root.join("posts/deleted.json")).expect("delete");
    std::fs::write(root.join("posts/staged.json"), post(3)).expect("edit");
    git(root, &["add", "posts/staged.json"]);
    std::fs::write(root.join("posts/new.json"), post(4)).expect("new");
    let report: serde_json::Value = {
        let out = check(&[])
            .current_dir(root)
            .args(["--format", "json", "--changed-since", "HEAD", "posts"])
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let mut files: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["posts/edited.json", "posts/new.json", "posts/staged.json"]
    );

    let outside = tempfile::tempdir().expect("temp dir");
    check(&[])
        .current_dir(outside.path())
        .args(["--changed-since", "HEAD", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--changed-since needs a git repository",
        ));
}

#[test]
fn changed_since_names_the_files_outside_the_repository() {
    let repo = tempfile::tempdir().expect("temp dir");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let post = r#"{"id":1,"content":{"rendered":"<p>x<\/a><\/p>"}}"#;
    std::fs::write(repo.path().join("old.json"), post).expect("write");
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-qm", "posts"]);
    std::fs::write(repo.path().join("new.json"), post).expect("write");
    let outside = elsewhere.path().join("outside.json");
    std::fs::write(&outside, post).expect("write");
    let output = check(&[])
        .current_dir(repo.path())
        .args(["--format", "json", "--changed-since", "HEAD", "."])
        .arg(&outside)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{} not linted", outside.display())),
        "{stderr}"
    );
    assert!(stderr.contains("outside the git repository"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["files"], 1, "new.json only");
}

#[test]
fn json_report_lists_posts_with_edit_links() {
    let report = json_report(&["--format", "json", &seed()]);
    let posts = report["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["edit_link"],
        "https://koreapro.org/wp-admin/post.php?post=2205786&action=edit"
    );
    assert_eq!(posts[0]["errors"], 8);
}

/// The table of formats is the list: `--help` names each, and so do the README and the usage
/// page, so a format added to the table cannot go unmentioned.
#[test]
fn every_format_of_the_table_is_in_the_help_and_the_docs() {
    let help = Command::cargo_bin("postlint")
        .expect("binary")
        .args(["check", "--help"])
        .output()
        .expect("run");
    let help = String::from_utf8(help.stdout).expect("UTF-8 help");
    assert!(help.contains(&postlint::report::formats::names()), "{help}");
    for page in ["README.md", "docs/usage.md"] {
        let text = std::fs::read_to_string(page).expect("page read");
        for format in &postlint::report::formats::FORMATS {
            let name = format!("`{}`", format.name);
            assert!(text.contains(&name), "{page} does not name {name}");
        }
    }
}
