//! The reports an editor reads: the HTML report's view of a signed-in post (built from what
//! readers get, each finding of the text as written marked where its text went), its status
//! badges, header and layout at a phone's and a desktop's width in headless Chromium; the
//! terminal report of a live post (its fields' text, placed by title, field, line and column);
//! the Markdown report with every finding of a post. Live sites are a fake WordPress on
//! 127.0.0.1 started by each test.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::common::check;
use crate::common::http::{Reply, Server};

/// The text as written of a signed-in post: block comments (one with broken attributes, one
/// closing nothing), shortcodes, typed quotes and dashes, and defects readers see.
const RAW: &str = r#"<!-- wp:paragraph -->
<p>It's "our" budget -- the council's <span></span>plan for 2026.</p>
<!-- /wp:paragraph -->

<!-- wp:image {"id":5,} -->
<figure class="wp-block-image"><img src="https://news.example.com/a.jpg"/></figure>
<!-- /wp:image -->

<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>Read the <a>full plan</a> or <a href="https://news.example.com/plan">click here</a>.</p>
<!-- /wp:paragraph -->

[gallery ids="1,2" link="file"]

[caption id="attachment_9" width="300"]<img src="https://news.example.com/b.jpg" width="300" /> The hall[/caption]

<!-- wp:paragraph -->
<p>Lorem ipsum dolor sit amet, <b><i>consectetur</b></i> adipiscing.</p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3></h3>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>Costs rose sharply.</b> See <a href="https://news.example.com/wp-admin/post.php?post=3&action=edit">the draft</a>.</p>
<!-- /wp:paragraph -->"#;

/// What WordPress 6 renders of it: comments gone, typography applied, shortcodes replaced,
/// attributes rewritten (`decoding="async"`, `&#038;`).
const RENDERED: &str = r#"
<p>It&#8217;s &#8220;our&#8221; budget &#8212; the council&#8217;s <span></span>plan for 2026.</p>



<figure class="wp-block-image"><img decoding="async" src="https://news.example.com/a.jpg"/></figure>





<p>Read the <a>full plan</a> or <a href="https://news.example.com/plan">click here</a>.</p>



<div id='gallery-1' class='gallery galleryid-3 gallery-columns-3'><figure class='gallery-item'><img width="150" height="150" src="https://news.example.com/1-150x150.jpg" class="attachment-thumbnail" alt="" decoding="async" /></figure><figure class='gallery-item'><img width="150" height="150" src="https://news.example.com/2-150x150.jpg" class="attachment-thumbnail" alt="" decoding="async" /></figure></div>

<figure id="attachment_9" aria-describedby="caption-attachment-9" style="width: 300px" class="wp-caption alignnone"><img decoding="async" src="https://news.example.com/b.jpg" width="300" /><figcaption id="caption-attachment-9" class="wp-caption-text">The hall</figcaption></figure>



<p>Lorem ipsum dolor sit amet, <b><i>consectetur</b></i> adipiscing.</p>



<h3 class="wp-block-heading"></h3>



<p>Costs rose sharply.</b> See <a href="https://news.example.com/wp-admin/post.php?post=3&#038;action=edit">the draft</a>.</p>
"#;

/// The findings of the signed-in post whose text is only in block comments.
const IN_COMMENTS: [&str; 3] = [
    "block-invalid-attributes",
    "block-stray-closer",
    "block-empty",
];

/// A post as WordPress answers `context=edit` (`/` escaped as `\/`).
fn signed_in_post(id: u32, status: &str, link: &str) -> Vec<u8> {
    let post = json!({
        "id": id,
        "date": "2026-07-01T12:00:00",
        "date_gmt": "2026-07-01T10:00:00",
        "modified": "2026-07-01T12:00:00",
        "modified_gmt": "2026-07-01T10:00:00",
        "slug": "council-budget",
        "status": status,
        "type": "post",
        "link": link,
        "title": {"raw": "Council budget", "rendered": "Council budget"},
        "content": {"raw": RAW, "rendered": RENDERED, "protected": false, "block_version": 1},
        "excerpt": {"raw": "", "rendered": "<p>Budget.</p>\n", "protected": false},
    });
    serde_json::to_string_pretty(&post)
        .expect("JSON")
        .replace('/', "\\/")
        .into_bytes()
}

/// The report of `args` run in `dir`: standard output, standard error.
fn report(dir: &Path, args: &[&str]) -> (String, String) {
    let output = check(&["--color", "never"])
        .current_dir(dir)
        .args(args)
        .output()
        .expect("postlint runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// One finding of the HTML report: its rule, its mark in the view, and whether it is listed as
/// not visible to readers.
#[derive(Debug)]
struct Item {
    rule: String,
    mark: Option<String>,
    unseen: bool,
}

fn items(html: &str) -> Vec<Item> {
    html.split("<li class=\"finding")
        .skip(1)
        .map(|item| {
            let item = item.split("</li>").next().unwrap_or_default();
            let attribute = |name: &str| {
                let needle = format!("{name}=\"");
                item.split(&needle)
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .map(str::to_owned)
            };
            Item {
                rule: attribute("data-rule").unwrap_or_default(),
                mark: attribute("data-mark"),
                unseen: item.contains("Not visible to readers"),
            }
        })
        .collect()
}

/// The documents of the views, unescaped from their `srcdoc`.
fn views(html: &str) -> Vec<String> {
    html.split("srcdoc=\"")
        .skip(1)
        .map(|rest| {
            let doc = rest.split('"').next().unwrap_or_default();
            doc.replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

fn assert_says(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
}

#[test]
fn a_signed_in_posts_view_is_what_readers_get_with_its_findings_marked_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let post = signed_in_post(3, "draft", "https://news.example.com/?p=3");
    std::fs::write(dir.path().join("post.json"), post).expect("the post");
    let (html, stderr) = report(dir.path(), &["--format", "html", "post.json"]);
    let items = items(&html);
    assert!(items.len() >= 12, "{stderr}\n{items:#?}");

    let views = views(&html);
    assert_eq!(views.len(), 1);
    let view = &views[0];
    assert!(!view.contains("<!-- wp:"), "no block comment in the view");
    assert!(!view.contains("[gallery"), "no unrendered shortcode");
    assert!(
        view.contains("class='gallery"),
        "the gallery as the site rendered it"
    );
    assert!(view.contains("It&#8217;s"), "the site's typography");
    assert_says(&html, "As a reader sees it");

    let (hidden, visible): (Vec<&Item>, Vec<&Item>) = items
        .iter()
        .partition(|i| IN_COMMENTS.contains(&i.rule.as_str()));
    for item in &hidden {
        assert!(item.unseen && item.mark.is_none(), "{item:?}");
    }
    let marked = visible.iter().filter(|i| i.mark.is_some()).count();
    assert!(
        marked * 10 >= visible.len() * 9,
        "{marked} of {} findings with visible text marked: {visible:#?}",
        visible.len()
    );
    for item in visible.iter().filter(|i| i.mark.is_none()) {
        assert!(item.unseen, "a finding neither marked nor listed: {item:?}");
    }
    for id in items.iter().filter_map(|i| i.mark.as_deref()) {
        assert_says(view, &format!("id=\"{id}\""));
    }
    assert_says(&html, "<h3>Not visible to readers</h3>");
    assert_says(
        &html,
        "<code>post.json</code>; posts of news.example.com; read signed in",
    );
    // The caption's image is marked at its own image, not at the gallery's that came first.
    let caption = items
        .iter()
        .filter(|i| i.rule == "image-missing-alt")
        .nth(1)
        .and_then(|i| i.mark.as_deref())
        .expect("the caption's image is marked");
    let at = view.find(&format!("id=\"{caption}\"")).expect("its mark");
    assert!(
        view[at..]
            .split("<img")
            .nth(1)
            .is_some_and(|img| img.contains("b.jpg"))
    );
}

#[test]
fn drafts_and_scheduled_posts_get_a_view_and_a_badge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let draft = String::from_utf8(signed_in_post(3, "draft", "https://news.example.com/?p=3"))
        .expect("UTF-8");
    let scheduled = String::from_utf8(signed_in_post(
        4,
        "future",
        "https://news.example.com/2026/08/budget/",
    ))
    .expect("UTF-8");
    let published = String::from_utf8(signed_in_post(
        5,
        "publish",
        "https://news.example.com/2026/06/budget/",
    ))
    .expect("UTF-8");
    let posts = format!("[{draft},{scheduled},{published}]");
    std::fs::write(dir.path().join("posts.json"), posts).expect("the posts");
    let (html, stderr) = report(dir.path(), &["--format", "html", "posts.json"]);
    assert_eq!(views(&html).len(), 3, "{stderr}");
    assert_says(
        &html,
        "Council budget</a> <span class=\"badge\">draft</span>",
    );
    assert_says(
        &html,
        "Council budget</a> <span class=\"badge\">scheduled</span>",
    );
    assert_eq!(
        html.matches("class=\"badge\"").count(),
        2,
        "no badge when published"
    );
    assert_says(&html, "3 posts in 1 file");
    assert!(
        !html.contains("post 0 · id"),
        "posts are named by their title"
    );
}

#[test]
fn the_header_counts_grammatically_and_says_when() {
    let dir = tempfile::tempdir().expect("temp dir");
    let post =
        r#"{"id":7,"title":{"rendered":"One"},"content":{"rendered":"<p>One<span></span></p>"}}"#;
    std::fs::write(dir.path().join("one.json"), post).expect("the post");
    let (html, _) = report(
        dir.path(),
        &[
            "--format",
            "html",
            "--now",
            "2026-07-01T10:00:00Z",
            "one.json",
        ],
    );
    let header = html
        .split("<header>")
        .nth(1)
        .and_then(|h| h.split("</header>").next())
        .expect("a header");
    assert_says(header, "1 post in 1 file");
    assert_says(header, "1 info");
    assert_says(header, "0 warnings");
    assert_says(header, "0 errors");
    assert_says(header, "checked 2026-07-01 10:00 UTC");
    assert_says(header, "<code>one.json</code>");
    assert!(
        !header.contains("1 posts") && !header.contains("1 files"),
        "{header}"
    );
}

/// Where `-o` and `--format html=FILE` wrote the report, said on standard error.
#[test]
fn a_report_written_to_a_file_says_where() {
    let dir = tempfile::tempdir().expect("temp dir");
    let post =
        r#"{"id":7,"title":{"rendered":"One"},"content":{"rendered":"<p>One<span></span></p>"}}"#;
    std::fs::write(dir.path().join("one.json"), post).expect("the post");
    let (stdout, stderr) = report(
        dir.path(),
        &["--format", "html", "-o", "out.html", "one.json"],
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert_says(&stderr, "wrote the html report to out.html");
    assert!(dir.path().join("out.html").is_file());
    let (_, stderr) = report(
        dir.path(),
        &[
            "--format",
            "html=page.html",
            "--format",
            "human",
            "one.json",
        ],
    );
    assert_says(&stderr, "wrote the html report to page.html");
}

#[test]
fn markdown_lists_every_finding_of_a_post_in_its_fold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spans: String = (1..=7)
        .map(|n| format!("<p>Part {n}<span></span></p>"))
        .collect();
    let post = json!({"id": 9, "title": {"rendered": "Seven"}, "content": {"rendered": spans}});
    std::fs::write(dir.path().join("seven.json"), post.to_string()).expect("the post");
    let (markdown, stderr) = report(dir.path(), &["--format", "markdown", "seven.json"]);
    let fold = markdown
        .split("<details>")
        .nth(1)
        .and_then(|f| f.split("</details>").next())
        .unwrap_or_else(|| panic!("a fold: {markdown}{stderr}"));
    assert_eq!(fold.matches("`empty-span`").count(), 7, "{fold}");
    assert_eq!(
        fold.matches("<mark>").count(),
        7,
        "each with its text: {fold}"
    );
    assert_says(&markdown, "Seven: 7 infos");
}

// ---- live posts ----

fn json_reply(body: Vec<u8>) -> Reply {
    let headers = vec![(
        "Content-Type".into(),
        "application/json; charset=UTF-8".into(),
    )];
    Reply::Body(200, headers, body)
}

fn rest_error(status: u16, code: &str) -> Reply {
    let body = json!({"code": code, "message": "no", "data": {"status": status}});
    Reply::Body(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    )
}

/// A fake WordPress named "Fake News" with the signed-in post 3 (a draft), for a user
/// `editor` whose password is right.
fn site() -> Server {
    Server::start(|_, path, _| {
        let (route, _) = path.split_once('?').unwrap_or((path, ""));
        match route {
            "/wp-json/" => json_reply(
                json!({"name": "Fake News", "timezone_string": "Europe/Madrid"})
                    .to_string()
                    .into_bytes(),
            ),
            "/wp-json/wp/v2/users/me" => json_reply(
                json!({"id": 1, "name": "Eddie Tor"})
                    .to_string()
                    .into_bytes(),
            ),
            "/wp-json/wp/v2/posts/3" => {
                json_reply(signed_in_post(3, "draft", "https://news.example.com/?p=3"))
            }
            _ => rest_error(404, "rest_post_invalid_id"),
        }
    })
}

const PASSWORD: &str = "abcd EFGH 1234 ijkl MNOP 5678";

fn signed_in(server: &Server, format: &str) -> (String, String) {
    let output = check(&["--color", "never"])
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args([
            "--format", format, "--user", "editor", "--post", "3", "--site",
        ])
        .arg(server.url(""))
        .output()
        .expect("postlint runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_terminal_report_of_a_live_post_shows_its_html_by_title_field_line_and_column() {
    let server = site();
    let (human, stderr) = signed_in(&server, "human");
    assert_says(
        &human,
        &format!(
            "Post “Council budget” (draft) · edit: {}",
            "https://news.example.com/wp-admin/post.php?post=3&action=edit"
        ),
    );
    assert_eq!(human.matches("Post “Council budget”").count(), 1, "{human}");
    // The empty span: line 2 of the raw content, after `<p>It's "our" budget -- the council's `.
    assert_says(&human, "[“Council budget” content.raw:2:39]");
    assert_says(
        &human,
        r#"<p>It's "our" budget -- the council's <span></span>plan"#,
    );
    assert_says(&human, "[“Council budget” content.raw:28:23]");
    assert!(
        !human.contains("wp-json/wp/v2/posts/3:"),
        "no JSON place: {human}"
    );
    assert!(!human.contains("<\\/"), "no JSON escapes: {human}");
    assert!(!human.contains("(post 0"), "{human}");
    assert_says(&human, "in 1 post");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_html_report_of_a_signed_in_site_names_it_and_its_user() {
    let server = site();
    let (html, stderr) = signed_in(&server, "html");
    let header = html
        .split("<header>")
        .nth(1)
        .and_then(|h| h.split("</header>").next())
        .unwrap_or_else(|| panic!("a header: {stderr}"));
    assert_says(header, "Fake News");
    assert_says(header, "signed in as Eddie Tor");
    assert_says(header, "1 post");
    assert_says(&html, "<title>postlint report: Fake News</title>");
    // Located in the field, not by the site's answer.
    assert_says(&html, "content.raw:2:39");
    let views = views(&html);
    assert_eq!(views.len(), 1);
    assert!(!views[0].contains("<!-- wp:"));
}

#[test]
fn an_unknown_post_or_a_refused_password_is_the_last_word() {
    let server = site();
    let output = check(&["--color", "never"])
        .args(["--post", "404", "--site"])
        .arg(server.url(""))
        .output()
        .expect("postlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0));
    assert!(!stderr.is_empty(), "an error is said");
    assert!(!stdout.contains("0 errors"), "{stdout}");

    let refusing = Server::start(
        |_, path, _| match path.split_once('?').map_or(path, |p| p.0) {
            "/wp-json/" => json_reply(json!({"name": "Locked"}).to_string().into_bytes()),
            _ => rest_error(401, "rest_not_logged_in"),
        },
    );
    let output = check(&["--color", "never"])
        .env("POSTLINT_WP_APP_PASSWORD", PASSWORD)
        .args(["--user", "editor", "--post", "3", "--site"])
        .arg(refusing.url(""))
        .output()
        .expect("postlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0));
    assert!(!stderr.is_empty(), "an error is said");
    assert!(!stdout.contains("0 errors"), "{stdout}");
}

// ---- in a browser ----

fn chromium(browser: &Path, profile: &Path, args: &[&str]) -> String {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
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
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A probe added to a copy of the report: after load it sends its page's width, the marks its
/// script counted in the views, and where the first view is (beside or below its findings)
/// to the page framing it.
const PROBE: &str = "<script>window.addEventListener('load',function(){setTimeout(function(){\
var b=document.body,d=document.documentElement,ul=document.querySelector('.post-body ul'),\
side=document.querySelector('.side').getBoundingClientRect(),list=ul.getBoundingClientRect();\
parent.postMessage({width:String(d.scrollWidth),marks:String(b.dataset.marks),\
below:String(side.top>=list.bottom),beside:String(side.left>=list.right)},'*');},0);});</script>";

/// A page framing the report at `width` CSS pixels, as a phone or a desktop shows it (a
/// headless window is at least 500 px wide), that writes what the probe sends into its
/// `<body data-…>`.
fn frame(width: u32) -> String {
    format!(
        "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"report.html\" \
         style=\"border:0;width:{width}px;height:1000px\"></iframe><script>\
         addEventListener('message',function(e){{for(var k in e.data)document.body.dataset[k]=e.data[k];}});\
         </script></body></html>"
    )
}

fn body_data(dom: &str, name: &str) -> String {
    let needle = format!("data-{name}=\"");
    dom.split(&needle)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{needle} in the page: {dom}"))
        .to_owned()
}

#[test]
fn in_chromium_at_a_phone_and_a_desktop_width_marks_show_and_nothing_scrolls_sideways() {
    let Some(browser) = crate::common::system_tool("chromium", Some("CHROMIUM")) else {
        return;
    };
    let server = site();
    let (html, stderr) = signed_in(&server, "html");
    assert!(html.contains("<iframe"), "{stderr}");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = html.replace("</body>", &format!("{PROBE}</body>"));
    std::fs::write(dir.path().join("report.html"), report).expect("the page");
    let marked = items(&html).iter().filter(|i| i.mark.is_some()).count();
    let profile = dir.path().join("profile");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (width, two_columns) in [(1400, true), (400, false)] {
        let page = dir.path().join(format!("at-{width}.html"));
        std::fs::write(&page, frame(width)).expect("the frame");
        let url = format!("file://{}", page.display());
        let size = format!("--window-size={},1000", width.max(500));
        // Virtual time runs the pages' scripts to the end before the DOM is taken.
        let args = [size.as_str(), "--virtual-time-budget=5000"];
        let dom = chromium(
            &browser,
            &profile,
            &[&args[..], &["--dump-dom", &url]].concat(),
        );
        assert_eq!(
            body_data(&dom, "marks"),
            marked.to_string(),
            "at {width} px"
        );
        let scroll: u32 = body_data(&dom, "width").parse().expect("a width");
        assert!(
            scroll <= width,
            "at {width} px the page is {scroll} px wide"
        );
        assert_eq!(
            body_data(&dom, "beside"),
            two_columns.to_string(),
            "at {width} px"
        );
        assert_eq!(
            body_data(&dom, "below"),
            (!two_columns).to_string(),
            "at {width} px"
        );
        let shot = shots.join(format!("html-report-signed-in-{width}.png"));
        let _ = std::fs::remove_file(&shot);
        let at = format!("--screenshot={}", shot.display());
        chromium(&browser, &profile, &[&args[..], &[&at, &url]].concat());
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
    }
}

/// A hostile title and field: escape sequences reach no terminal.
#[test]
fn a_live_posts_title_and_text_cannot_drive_the_terminal() {
    let server = Server::start(
        |_, path, _| match path.split_once('?').map_or(path, |p| p.0) {
            "/wp-json/" => json_reply(
                json!({"name": "X<script>alert(1)</script>\u{1b}[2J"})
                    .to_string()
                    .into_bytes(),
            ),
            "/wp-json/wp/v2/posts/3" => json_reply(
                json!({
                    "id": 3,
                    "status": "pending<img src=x onerror=alert(2)>\u{1b}[2J",
                    "link": "http://127.0.0.1/?p=3",
                    "title": {"rendered": "Bad\u{1b}[2J\u{1b}]0;owned\u{7}"},
                    "content": {"rendered": "<p>\u{1b}[31mred\u{9b}2J<span></span></p>"},
                })
                .to_string()
                .into_bytes(),
            ),
            _ => rest_error(404, "rest_post_invalid_id"),
        },
    );
    let output = check(&["--color", "never"])
        .args(["--post", "3", "--site"])
        .arg(server.url(""))
        .output()
        .expect("postlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_says(&stdout, "Post “Bad?[2J?]0;owned?”");
    for control in ['\u{1b}', '\u{9b}', '\u{7}'] {
        assert!(!stdout.contains(control), "{stdout:?}");
    }
    // Nor can the site's name, the post's status or its title run in the HTML report.
    let output = check(&["--color", "never"])
        .args(["--format", "html", "--post", "3", "--site"])
        .arg(server.url(""))
        .output()
        .expect("postlint runs");
    let html = String::from_utf8_lossy(&output.stdout);
    assert_says(&html, "X&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_says(&html, "pending&lt;img src=x onerror=alert(2)&gt;");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
}
