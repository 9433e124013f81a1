//! Symbolic links planted where postlint writes (a repository or a folder left by someone else):
//! saved pages and report files are written in their own folder and nowhere else. A site on
//! 127.0.0.1 started by the test.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::Path;

use assert_cmd::Command;
use serde_json::json;

use crate::common::http::{Reply, Server};

/// A site whose post 3 has an empty span, on page 1 and by id.
fn site() -> Server {
    Server::start(|_, path, _| {
        let post = json!({
            "id": 3,
            "date_gmt": "2026-07-01T10:00:00",
            "modified_gmt": "2026-07-01T10:00:00",
            "slug": "post-3",
            "type": "post",
            "link": "http://x.invalid/post-3/",
            "title": {"rendered": "Post 3"},
            "content": {"rendered": "<p>Three<span></span> words</p>"},
        });
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        let body = match route {
            "/wp-json/" => json!({"name": "Fake News", "gmt_offset": 0}),
            "/wp-json/wp/v2/posts/3" => post,
            "/wp-json/wp/v2/posts" if query.contains("page=1") => json!([post]),
            _ => return Reply::Status(404, Vec::new()),
        };
        Reply::Body(
            200,
            vec![("Content-Type".into(), "application/json".into())],
            body.to_string().into_bytes(),
        )
    })
}

fn postlint(dir: &Path) -> Command {
    let mut command = crate::common::postlint();
    command.current_dir(dir).args([
        "check",
        "--no-config",
        "--color",
        "never",
        "--select",
        "empty-span",
    ]);
    // A warning, which does not fail the run: exit 0 when all went well.
    command
}

/// A file outside the folder postlint writes in, which must keep its text.
fn victim(dir: &Path) -> std::path::PathBuf {
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let victim = outside.join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    victim
}

fn assert_untouched(victim: &Path) {
    assert_eq!(
        std::fs::read_to_string(victim).expect("the victim"),
        "precious"
    );
    let folder = victim.parent().expect("its folder");
    let names: Vec<_> = std::fs::read_dir(folder)
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["victim.txt"], "nothing new outside");
}

#[test]
fn saved_pages_replace_links_planted_at_their_names() {
    let server = site();
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = victim(dir.path());
    let host = dir
        .path()
        .join("pages")
        .join(format!("127.0.0.1_{}", server.addr.port()));
    std::fs::create_dir_all(&host).expect("mkdir");
    // A page of every run, and a single post's page, which an earlier run does not remove.
    for name in ["posts-page-1.json", "posts-3.json"] {
        symlink(&victim, host.join(name)).expect("a planted link");
    }
    for extra in [&["--post", "3"][..], &[]] {
        let output = postlint(dir.path())
            .args(["--save", "pages", "--site", &server.url("/")])
            .args(extra)
            .output()
            .expect("postlint runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{extra:?}: {stderr}");
        assert_untouched(&victim);
    }
    for name in ["posts-page-1.json", "posts-3.json"] {
        let page = host.join(name);
        let kind = std::fs::symlink_metadata(&page).expect("saved");
        assert!(kind.is_file(), "{name} is a file of its own");
        assert!(
            std::fs::read_to_string(&page)
                .expect("read")
                .contains("Post 3")
        );
    }
}

#[test]
fn a_host_folder_that_is_a_link_is_refused() {
    let server = site();
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = victim(dir.path());
    std::fs::create_dir(dir.path().join("pages")).expect("mkdir");
    let host = format!("127.0.0.1_{}", server.addr.port());
    let outside = victim.parent().expect("outside");
    symlink(outside, dir.path().join("pages").join(&host)).expect("a planted link");
    let output = postlint(dir.path())
        .args(["--save", "pages", "--site", &server.url("/")])
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(stderr.contains(&host), "{stderr}");
    assert_untouched(&victim);
}

#[test]
fn a_report_is_not_written_through_a_link_at_a_guessable_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = victim(dir.path());
    std::fs::write(
        dir.path().join("post.json"),
        r#"{"id":1,"content":{"rendered":"<p>a<span></span>b</p>"}}"#,
    )
    .expect("write");
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).expect("mkdir");
    // Where the report went before it was renamed into place, and names like it.
    for name in [
        "report.postlint-tmp",
        "sarif.postlint-tmp",
        ".postlint-tmp",
        "report.json.tmp",
    ] {
        symlink(&victim, reports.join(name)).expect("a planted link");
    }
    let output = postlint(dir.path())
        .args(["--format", "json", "-o", "reports/report.json"])
        .args(["--format", "sarif=reports/sarif.json", "post.json"])
        .output()
        .expect("postlint runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_untouched(&victim);
    for report in ["report.json", "sarif.json"] {
        let text = std::fs::read_to_string(reports.join(report)).expect("the report");
        assert!(text.contains("empty-span"), "{report}");
    }
    let mut names: Vec<String> = std::fs::read_dir(&reports)
        .expect("listed")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".postlint-tmp",
            "report.json",
            "report.json.tmp",
            "report.postlint-tmp",
            "sarif.json",
            "sarif.postlint-tmp"
        ],
        "no temporary file left behind"
    );

    // A link the user names as the report is written through, as before.
    let named = dir.path().join("named.json");
    symlink(dir.path().join("real.json"), &named).expect("a link");
    std::fs::write(dir.path().join("real.json"), "").expect("write");
    let output = postlint(dir.path())
        .args(["--format", "json", "-o", "named.json", "post.json"])
        .output()
        .expect("postlint runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let real = std::fs::read_to_string(dir.path().join("real.json")).expect("read");
    assert!(real.contains("empty-span"));
    assert!(
        std::fs::symlink_metadata(&named)
            .expect("the link")
            .is_symlink()
    );
}

/// A post file linking to the test's site, for the link check.
fn post_linking_to(dir: &Path, server: &Server) {
    let post = json!({
        "id": 1,
        "slug": "one",
        "content": {"rendered": format!("<p><a href=\"{}\">the site</a></p>", server.url("/wp-json/"))},
    });
    std::fs::write(dir.join("post.json"), post.to_string()).expect("write");
}

#[test]
fn a_cache_folder_that_is_a_link_is_neither_read_nor_written() {
    let server = site();
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = victim(dir.path());
    let outside = victim.parent().expect("outside");
    symlink(outside, dir.path().join(".postlint-cache")).expect("a planted link");
    post_linking_to(dir.path(), &server);
    let output = postlint(dir.path())
        .args(["--links", "--allow-private", "post.json"])
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(".postlint-cache is a symbolic link"),
        "{stderr}"
    );
    assert_untouched(&victim);
    // `--since-last-run` keeps its marks in the same folder.
    let output = postlint(dir.path())
        .args(["--since-last-run", "--site", &server.url("/")])
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(".postlint-cache is a symbolic link"),
        "{stderr}"
    );
    assert_untouched(&victim);
}

#[test]
fn a_cache_file_that_is_a_pipe_or_device_is_not_read() {
    let server = site();
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join(".postlint-cache");
    std::fs::create_dir(&cache).expect("mkdir");
    // Read through, /dev/zero fills memory and a pipe with no writer blocks forever.
    symlink("/dev/zero", cache.join("links.json")).expect("a planted link");
    let made = std::process::Command::new("mkfifo")
        .arg(cache.join("sites.json"))
        .status();
    assert!(made.is_ok_and(|status| status.success()), "mkfifo");
    post_linking_to(dir.path(), &server);
    let output = postlint(dir.path())
        .args(["--links", "--allow-private", "post.json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("links.json is not read"), "{stderr}");
    let output = postlint(dir.path())
        .args(["--since-last-run", "--site", &server.url("/")])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sites.json is not read"), "{stderr}");
}
