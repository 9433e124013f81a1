//! The files a repository copies to run postlint in CI: the project's own workflow, the example
//! content workflow, the composite action and the pre-commit hook. They parse, name what they
//! must, and the action's lint step runs as GitHub would run it.

use crate::common::http;

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn yaml(path: &str) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}");
    docs.remove(0)
}

#[test]
fn workflows_parse_and_run_the_checks() {
    let ci = yaml(".github/workflows/ci.yml");
    let steps = ci["jobs"]["test"]["steps"].as_vec().expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("cargo fmt")));
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo clippy") && r.contains("-D warnings"))
    );
    assert!(runs.iter().any(|r| r.contains("cargo test")));
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("Swatinem/rust-cache"))
    }));

    let site = yaml(".github/workflows/site-lint.yml");
    assert!(!site["on"]["schedule"].is_badvalue());
    let steps = site["jobs"]["lint"]["steps"].as_vec().expect("steps");
    let lint = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("postlint/postlint"))
        })
        .expect("the postlint step");
    assert!(lint["with"]["site"].as_str().is_some());
    assert_eq!(
        lint["env"]["POSTLINT_WP_APP_PASSWORD"].as_str(),
        Some("${{ secrets.WP_APP_PASSWORD }}"),
        "the password comes from a secret, through the environment"
    );
    assert!(
        lint["with"]["args"]
            .as_str()
            .is_some_and(|a| a.contains("--since-last-run"))
    );

    let content = yaml(".github/workflows/content-lint.yml");
    assert!(!content["on"]["pull_request"]["paths"].is_badvalue());
    let steps = content["jobs"]["lint"]["steps"].as_vec().expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/cache")));
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif"))
    );
    assert!(uses.iter().any(|u| u.starts_with("postlint/postlint")));
}

#[test]
fn action_and_pre_commit_hook_declare_their_interface() {
    let action = yaml("action.yml");
    for input in ["paths", "args", "format", "fail-on"] {
        assert!(
            !action["inputs"][input]["description"].is_badvalue(),
            "input {input}"
        );
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = &hooks.as_vec().expect("a list of hooks")[0];
    assert_eq!(hook["id"].as_str(), Some("postlint"));
    assert_eq!(hook["language"].as_str(), Some("rust"));
}

#[test]
fn files_pass_githubs_schemas() {
    let Some(validator) = crate::common::system_tool("check-jsonschema", None) else {
        return;
    };
    let workflows = Command::new(&validator)
        .args([
            "--builtin-schema",
            "vendor.github-workflows",
            ".github/workflows/ci.yml",
            ".github/workflows/content-lint.yml",
            ".github/workflows/site-lint.yml",
        ])
        .output()
        .expect("check-jsonschema");
    assert!(
        workflows.status.success(),
        "{}",
        String::from_utf8_lossy(&workflows.stdout)
    );
    let action = Command::new(&validator)
        .args(["--builtin-schema", "vendor.github-actions", "action.yml"])
        .output()
        .expect("check-jsonschema");
    assert!(
        action.status.success(),
        "{}",
        String::from_utf8_lossy(&action.stdout)
    );
}

/// Runs the action's lint step as GitHub would: inputs as environment variables, the summary
/// and output files GitHub provides, and postlint on the PATH.
fn run_action(paths: &str, fail_on: &str, temp: &Path) -> (i32, String, String, String) {
    run_action_on(paths, "", fail_on, temp)
}

fn run_action_on(
    paths: &str,
    site: &str,
    fail_on: &str,
    temp: &Path,
) -> (i32, String, String, String) {
    let summary = temp.join("summary.md");
    let outputs = temp.join("outputs.txt");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_postlint"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("scripts/action-run.sh")
        .env("PATH", path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", ".")
        .env("GITHUB_WORKSPACE", ".")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", temp)
        .env("INPUT_PATHS", paths)
        .env("INPUT_SITE", site)
        .env("INPUT_ARGS", "--no-config")
        .env("INPUT_FORMAT", "github")
        .env("INPUT_FAIL_ON", fail_on)
        .output()
        .expect("bash");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        std::fs::read_to_string(&summary).unwrap_or_default(),
        std::fs::read_to_string(&outputs).unwrap_or_default(),
    )
}

#[test]
fn the_action_annotates_summarises_and_fails_as_asked() {
    let temp = tempfile::tempdir().expect("temp dir");
    let (code, log, summary, outputs) =
        run_action("fixtures/seed_koreapro_2205786.json", "error", temp.path());
    assert_eq!(code, 1);
    assert!(
        log.starts_with("::error file=fixtures/seed_koreapro_2205786.json,line=1,col=508"),
        "{log}"
    );
    assert!(
        summary.starts_with("## postlint: 10 errors, 1 warning, 27 infos"),
        "{summary}"
    );
    let sarif = outputs
        .trim()
        .strip_prefix("sarif=")
        .expect("a sarif output");
    assert!(
        std::fs::read_to_string(sarif)
            .expect("sarif file")
            .contains("\"2.1.0\"")
    );

    let temp = tempfile::tempdir().expect("temp dir");
    let (code, _, _, _) = run_action("fixtures/seed_koreapro_2205786.json", "never", temp.path());
    assert_eq!(code, 0);
    let temp = tempfile::tempdir().expect("temp dir");
    let (code, _, _, _) = run_action(
        "fixtures/cases/invalid_crlf.json fixtures/cases/valid_clean_post.json",
        "info",
        temp.path(),
    );
    assert_eq!(code, 1);
}

#[test]
fn the_action_lints_a_live_site() {
    let page = br#"[{"id":7,"slug":"s","status":"publish","link":"https:\/\/news.example.com\/s\/","title":{"rendered":"S"},"content":{"rendered":"<p>One<\/b><\/p>"}}]"#;
    let server = http::Server::start(move |_, path, _| {
        let json = |body: &[u8]| {
            http::Reply::Body(
                200,
                vec![("Content-Type".into(), "application/json".into())],
                body.to_vec(),
            )
        };
        match path {
            "/wp-json/" => json(br#"{"name":"News","gmt_offset":0}"#),
            "/wp-json/wp/v2/posts?per_page=100&page=1" => json(page),
            _ => http::Reply::Status(404, Vec::new()),
        }
    });
    let temp = tempfile::tempdir().expect("temp dir");
    let (code, log, _, _) = run_action_on("", &server.url(""), "warning", temp.path());
    assert_eq!(code, 1, "{log}");
    let annotation = log
        .lines()
        .find(|l| l.starts_with("::warning file="))
        .unwrap_or_default();
    assert!(
        annotation.contains("/wp-json/wp/v2/posts?page=1,line=1,col="),
        "{log}"
    );
    assert!(annotation.contains("title=stray-end-tag"), "{log}");
}
