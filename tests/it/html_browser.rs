//! The HTML report in a real browser (Debian's headless Chromium): it loads with no console
//! errors, its filters show exactly the findings asked for, and a screenshot is kept as an
//! artifact (`target/tmp/html-report.png`).

use std::path::Path;
use std::process::Command;

use assert_cmd::Command as Cli;

fn chromium(args: &[&str], profile: &Path) -> (String, String) {
    let browser =
        crate::common::system_tool("chromium", Some("CHROMIUM")).expect("checked by the caller");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The number of findings the page says it shows after its script ran.
fn shown(dom: &str) -> usize {
    let at = dom
        .find("data-shown=\"")
        .expect("the script ran and set data-shown")
        + "data-shown=\"".len();
    dom[at..]
        .split('"')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count")
}

#[test]
fn html_report_loads_filters_and_renders() {
    if crate::common::system_tool("chromium", Some("CHROMIUM")).is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    let report = Cli::cargo_bin("postlint")
        .expect("binary")
        .args(["check", "--no-config", "--format", "html", "fixtures"])
        .output()
        .expect("postlint");
    std::fs::write(&page, &report.stdout).expect("write page");
    let json = Cli::cargo_bin("postlint")
        .expect("binary")
        .args(["check", "--no-config", "--format", "json", "fixtures"])
        .output()
        .expect("postlint");
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let count = |rule: Option<&str>, severity: Option<&str>| {
        json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| {
                rule.is_none_or(|r| d["rule"] == r) && severity.is_none_or(|s| d["severity"] == s)
            })
            .count()
    };
    let url = format!("file://{}", page.display());
    let profile = dir.path().join("profile");

    let (dom, log) = chromium(&["--dump-dom", &url], &profile);
    assert!(
        !log.contains("Uncaught") && !log.contains(":CONSOLE"),
        "console errors:\n{log}"
    );
    assert_eq!(shown(&dom), count(None, None));

    let (dom, _) = chromium(
        &["--dump-dom", &format!("{url}#rule=json-syntax")],
        &profile,
    );
    assert_eq!(shown(&dom), count(Some("json-syntax"), None));
    assert!(shown(&dom) > 0);

    let (dom, _) = chromium(
        &[
            "--dump-dom",
            &format!("{url}#rule=stray-end-tag&severity=error"),
        ],
        &profile,
    );
    assert_eq!(shown(&dom), count(Some("stray-end-tag"), Some("error")));
    let hidden_posts = dom.matches("class=\"post hidden\"").count();
    assert!(hidden_posts > 0, "posts without such findings are hidden");

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
            &url,
        ],
        &profile,
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
}

/// The value of a `data-…` attribute of `<body>` after the page's script ran.
fn body_data(dom: &str, name: &str) -> String {
    let needle = format!("data-{name}=\"");
    let at = dom
        .find(&needle)
        .unwrap_or_else(|| panic!("{needle} in the body"))
        + needle.len();
    dom[at..].split('"').next().unwrap_or_default().to_owned()
}

#[test]
fn the_reader_view_shows_marks_in_place_and_a_click_scrolls_to_them() {
    if crate::common::system_tool("chromium", Some("CHROMIUM")).is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let paragraphs: String = (1..=80)
        .map(|n| format!("<p>Paragraph {n} of a long story.<\\/p>\\n"))
        .collect();
    let post = format!(
        r#"{{"id":3,"title":{{"rendered":"Long"}},"content":{{"rendered":"{paragraphs}<p>Lorem ipsum dolor sit amet, consectetur.<\/p>\n<p>End<span><\/span> <img src=\"https:\/\/example.com\/a.jpg\" onerror=\"alert(1)\">.<\/p>"}}}}"#
    );
    std::fs::write(dir.path().join("long.json"), post).expect("the post");
    let report = Cli::cargo_bin("postlint")
        .expect("binary")
        .current_dir(dir.path())
        .args(["check", "--no-config", "--format", "html", "long.json"])
        .output()
        .expect("postlint");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &report.stdout).expect("write page");
    let html = String::from_utf8_lossy(&report.stdout);
    let placeholder = html
        .split("<li class=\"finding")
        .find(|item| item.contains("data-rule=\"placeholder-text\""))
        .and_then(|item| item.split("data-mark=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the placeholder has a mark")
        .to_owned();
    let url = format!("file://{}#finding={placeholder}", page.display());
    let profile = dir.path().join("profile");

    let (dom, log) = chromium(&["--dump-dom", &url], &profile);
    assert!(
        !log.contains("Uncaught") && !log.contains(":CONSOLE"),
        "console errors:\n{log}"
    );
    let findings = html.matches("<li class=\"finding").count();
    assert_eq!(
        body_data(&dom, "marks"),
        findings.to_string(),
        "every finding is marked"
    );
    let scroll: u32 = body_data(&dom, "view-scroll").parse().expect("a number");
    assert!(
        scroll > 500,
        "the view scrolled down to the finding: {scroll}"
    );
    assert_eq!(
        unescape_attribute(&body_data(&dom, "view-mark")),
        format!("{placeholder} pl-hit pl-current \"Lorem ipsum dolor sit amet\""),
        "the placeholder's own words are highlighted"
    );
    let clicked = dom
        .split("<li ")
        .find(|item| item.contains(&format!("data-mark=\"{placeholder}\"")))
        .and_then(|item| item.split("class=\"").nth(1))
        .and_then(|class| class.split('"').next())
        .expect("the finding's item");
    assert!(clicked.split(' ').any(|c| c == "current"), "{clicked}");

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report-view.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
            &url,
        ],
        &profile,
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
}

fn unescape_attribute(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&amp;", "&")
}
