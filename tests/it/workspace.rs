//! A real workspace: posts beside a theme's and an editor's files. A walk reports only the
//! posts; a file the user names is linted whatever it holds. The decision
//! (`workspace::leaves_out`) is judged here from what the reader saw of each shape of file.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use postlint::config::Config;
use postlint::engine::{LintOptions, Linter};
use postlint::source::SourceFile;
use postlint::workspace::{self, Contents};

use crate::common::project;

const BROKEN: &str = r#"{"id":2,"content":{"rendered":"<p>signed<\/a> it<\/p>"}}"#;

/// A block theme's folder with its posts, as a user's workspace holds them.
const WORKSPACE: &[(&str, &str)] = &[
    ("posts/rest.json", BROKEN),
    (
        "posts/feed.ndjson",
        "{\"id\":1,\"title\":{\"rendered\":\"fine\"}}\n{\"id\":3,\"content\":{\"rendered\":\"<p>x<\\/a><\\/p>\"}}\n",
    ),
    (
        "posts/cli.json",
        r#"[{"ID":4,"post_title":"t","post_content":"<p>signed</a> it</p>"}]"#,
    ),
    (
        "posts/failed.json",
        r#"{"code":"rest_forbidden","message":"Sorry, you are not allowed to do that."}"#,
    ),
    (
        "package.json",
        r#"{"name":"theme","version":"1.0.0","author":"Me","scripts":{"build":"wp-scripts build"}}"#,
    ),
    (
        "composer.json",
        r#"{"name":"me/theme","type":"wordpress-theme","require":{"php":">=7.4"}}"#,
    ),
    (
        "theme.json",
        r#"{"$schema":"https://schemas.wp.org/trunk/theme.json","version":3,"title":"Theme"}"#,
    ),
    (
        "tsconfig.json",
        "{\n  // strict, as the build wants\n  \"compilerOptions\": {\"strict\": true}\n}\n",
    ),
    (
        ".vscode/settings.json",
        "{\n  // postlint's server\n  \"postlint.siteRules\": true, /* on */\n}\n",
    ),
    (
        "styles/dark.json",
        r#"{"$schema":"https://schemas.wp.org/trunk/theme.json","version":3,"title":"Dark"}"#,
    ),
    ("data/menu.json", r#"[{"label":"Home","url":"/"}]"#),
    (
        "phpunit.xml",
        "<?xml version=\"1.0\"?>\n<phpunit bootstrap=\"tests/bootstrap.php\"/>\n",
    ),
];

fn postlint(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = crate::common::postlint_process()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run postlint");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// The files a GitHub-format report names, each once, sorted.
fn files_named(report: &str) -> Vec<String> {
    let mut files: Vec<String> = report
        .lines()
        .filter_map(|line| line.split("file=").nth(1))
        .filter_map(|rest| rest.split(',').next())
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn a_walk_reports_only_the_posts() {
    let dir = project(WORKSPACE);
    let args = ["check", "--no-config", "--format", "github", "."];
    let (code, stdout, stderr) = postlint(dir.path(), &args);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = [
        "./posts/cli.json",
        "./posts/failed.json",
        "./posts/feed.ndjson",
        "./posts/rest.json",
    ];
    assert_eq!(files_named(&stdout), expected, "{stdout}");
    assert!(stdout.contains("rest_forbidden"), "{stdout}");
    // The silence is the walk's alone: the folder holding only tool files is clean.
    let (code, stdout, stderr) = postlint(dir.path(), &["check", "--no-config", "styles"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

#[test]
fn named_tool_files_still_get_not_a_post() {
    let dir = project(WORKSPACE);
    for (file, rules) in [
        ("package.json", &["not-a-post"][..]),
        ("theme.json", &["not-a-post"]),
        ("tsconfig.json", &["json-syntax", "not-a-post"]),
        (".vscode/settings.json", &["json-syntax", "not-a-post"]),
    ] {
        let args = ["check", "--no-config", "--format", "github", file];
        let (code, stdout, _) = postlint(dir.path(), &args);
        assert_eq!(code, Some(1), "{file}: {stdout}");
        for rule in rules {
            assert!(
                stdout.contains(&format!("title={rule}::")),
                "{file}: {stdout}"
            );
        }
    }
    // Named and found in one run: named wins.
    let args = [
        "check",
        "--no-config",
        "--format",
        "github",
        ".",
        "package.json",
    ];
    let (_, stdout, _) = postlint(dir.path(), &args);
    assert_eq!(stdout.matches("file=package.json").count(), 1, "{stdout}");
}

#[test]
fn the_configs_files_globs_keep_a_tool_file_in_a_walk() {
    let dir = project(WORKSPACE);
    let config = "[[overrides]]\nfiles = [\"package.json\", \"data/*.json\"]\n";
    std::fs::write(dir.path().join("postlint.toml"), config).expect("write config");
    let (_, stdout, _) = postlint(dir.path(), &["check", "--format", "github", "."]);
    let files = files_named(&stdout);
    assert!(files.contains(&"./package.json".to_owned()), "{stdout}");
    assert!(files.contains(&"./data/menu.json".to_owned()), "{stdout}");
    assert!(!files.contains(&"./composer.json".to_owned()), "{stdout}");
}

#[test]
fn a_walk_leaves_out_its_own_redirected_report() {
    let dir = project(&[("a.json", BROKEN)]);
    let report = dir.path().join("report.json");
    let stdout = std::fs::File::create(&report).expect("create report.json");
    let status = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--no-config", "--format", "github", "."])
        .current_dir(dir.path())
        .stdout(stdout)
        .status()
        .expect("run postlint");
    assert_eq!(status.code(), Some(1));
    let written = std::fs::read_to_string(&report).expect("read report.json");
    assert!(written.contains("file=./a.json"), "{written}");
    assert!(!written.contains("report.json"), "{written}");
}

/// What reading a text found: the half of the decision a language server gets from the report
/// of a buffer it linted.
fn contents(name: &str, text: &str) -> Contents {
    let linter = Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        LintOptions::default(),
    );
    let bytes: Arc<[u8]> = text.as_bytes().into();
    let file = SourceFile::in_memory(name.to_owned(), bytes.clone());
    let report = linter
        .lint_file(file, Cursor::new(bytes))
        .expect("memory reads");
    report.contents
}

#[test]
fn what_holds_a_post_and_what_does_not() {
    let posts = [
        ("REST object", r#"{"id":1}"#),
        ("REST array", r#"[{"id":1},{"id":2}]"#),
        (
            "sorted keys",
            r#"{"_links":{"self":[]},"content":{"rendered":""}}"#,
        ),
        ("WP-CLI", r#"[{"ID":1,"post_title":"t"}]"#),
        ("NDJSON", "{\"id\":1}\n{\"id\":2}\n"),
        ("posts after a stranger", r#"[{"name":"x"},{"id":2}]"#),
        (
            "REST error",
            r#"{"code":"rest_no_route","message":"No route"}"#,
        ),
        ("admin-ajax failure", "0"),
        ("a string", r#""Forbidden""#),
        ("empty", ""),
        ("empty array", "[]"),
        ("an HTML page", "<!DOCTYPE html><title>Error</title>"),
        ("cut off", r#"[{"id":1,"title":{"rendered":"a"#),
        ("plain text", "Bad Gateway"),
        (
            "posts wrapped in an object",
            r#"{"posts":[{"id":1,"title":{"rendered":"a"}}]}"#,
        ),
        (
            "a GraphQL answer",
            r#"{"data":{"posts":{"nodes":[{"databaseId":1,"title":"a","content":"<p>x</p>"}]}}}"#,
        ),
        (
            "WP-CLI posts wrapped",
            r#"{"result":[{"post_content":"<p>x</p>"}]}"#,
        ),
        (
            "WXR",
            "<?xml version=\"1.0\"?><rss><channel><wp:wxr_version>1.2</wp:wxr_version></channel></rss>",
        ),
    ];
    for (what, text) in posts {
        assert_eq!(contents("x.json", text), Contents::Posts, "{what}");
    }
    let foreign = [
        ("package.json", r#"{"name":"theme","scripts":{}}"#),
        ("with comments", "{\n // c\n \"a\": 1 /* d */\n}"),
        (
            "an array of strangers",
            r#"[{"label":"Home"},{"label":"About"}]"#,
        ),
        (
            "one post-like field below",
            r#"{"name":"x","repository":{"type":"git"},"icons":[{"src":"a.png","type":"image/png"}]}"#,
        ),
        (
            "NDJSON of strangers",
            "{\"level\":\"info\"}\n{\"level\":\"warn\"}\n",
        ),
        (
            "names its schema",
            r#"{"$schema":"https://schemas.wp.org/trunk/block.json","title":"Card"}"#,
        ),
        ("other XML", "<?xml version=\"1.0\"?><phpunit/>"),
    ];
    for (what, text) in foreign {
        assert_eq!(contents("x.json", text), Contents::Foreign, "{what}");
    }
}

#[test]
fn the_decision_by_name_and_by_contents() {
    let config = Config::builtin(postlint::rules::REGISTRY);
    let leaves_out =
        |path: &str, contents| workspace::leaves_out(&config, Path::new(path), contents);
    assert!(leaves_out("theme/package.json", None));
    assert!(leaves_out("theme/node_modules/x/data.json", None));
    assert!(!leaves_out("posts/1.json", None));
    assert!(leaves_out("posts/1.json", Some(Contents::Foreign)));
    assert!(!leaves_out("posts/1.json", Some(Contents::Posts)));
}
