//! A fix that writes an address into an attribute writes it for the quoting the attribute
//! uses: an archived copy whose address holds quotes, `<`, `>` and a space, offered by a fake
//! archive on 127.0.0.1, lands in `href='…'`, `href="…"`, `href=…` and a `srcset` candidate
//! as that address, and the rest of the post's HTML parses as before.

use assert_cmd::Command;
use postlint::html::HtmlIndex;
use serde_json::{Value, json};

use crate::common::http::{Reply, Server};

/// What the archive offers: every character that could end an attribute value early.
const COPY: &str = "https://web.archive.org/web/2019/https://gone.example/it's \"a\" <b>&c";

fn json_reply(value: Value) -> Reply {
    Reply::Body(
        200,
        vec![("Content-Type".into(), "application/json".into())],
        value.to_string().into_bytes(),
    )
}

/// The post's HTML, with dead targets on `site` in each quoting and a working image.
fn html(site: &Server) -> String {
    let (one, two, three) = (site.url("/1"), site.url("/2"), site.url("/3"));
    let (four, ok) = (site.url("/4"), site.url("/ok.png"));
    format!(
        "<p><a href='{one}' title='x'>one</a> <a href=\"{two}\" class=\"y\">two</a> \
         <a href={three} rel=z>three</a> <img src=\"{ok}\" srcset=\"{four} 1x, {ok} 2x\" \
         alt=\"four\"></p>"
    )
}

/// An element's name, attributes (with the value of each) and text.
type Shape = (String, Vec<(String, String)>, String);

/// Each element's shape, in document order.
fn shape(html: &str) -> Vec<Shape> {
    let index = HtmlIndex::parse(html);
    index
        .elements
        .iter()
        .map(|element| {
            let attributes = index
                .attributes_of(element)
                .iter()
                .map(|a| (a.name.to_string(), index.value(a).to_owned()))
                .collect();
            (element.name.to_string(), attributes, index.text_of(element))
        })
        .collect()
}

#[test]
fn an_archived_copy_is_written_for_the_quoting_of_its_attribute() {
    let site = Server::start(|_, path, _| match path {
        "/ok.png" => Reply::Body(200, vec![], b"png".to_vec()),
        _ => Reply::Status(404, Vec::new()),
    });
    let archive = Server::start(|_, _, _| {
        json_reply(json!({"archived_snapshots": {"closest": {
            "available": true, "url": COPY, "timestamp": "20190501000000", "status": "200"
        }}}))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let post = dir.path().join("post.json");
    let before = html(&site);
    let written = json!({
        "id": 1,
        "date": "2019-05-04T10:00:00",
        "date_gmt": "2019-05-04T10:00:00",
        "content": {"rendered": before},
    });
    std::fs::write(&post, written.to_string()).expect("write the post");

    let output = Command::cargo_bin("postlint")
        .expect("the binary")
        .args([
            "check",
            "--no-config",
            "--links",
            "--no-cache",
            "--allow-private",
        ])
        .args(["--archive-api", &archive.url("/wayback/available")])
        .args(["--unsafe-fixes", "--fix", "--select", "link-broken"])
        .arg(&post)
        .output()
        .expect("postlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let fixed: Value =
        serde_json::from_slice(&std::fs::read(&post).expect("the post")).expect("JSON");
    let after = fixed["content"]["rendered"].as_str().expect("the content");

    // The same elements, text and attributes, but for the dead targets, now the copy.
    let mut expected = shape(&before);
    let ok = site.url("/ok.png");
    let encoded = COPY.replace(' ', "%20");
    for (_, attributes, _) in &mut expected {
        for (name, value) in attributes.iter_mut() {
            if name == "href" {
                *value = COPY.to_owned();
            }
            if name == "srcset" {
                *value = format!("{encoded} 1x, {ok} 2x");
            }
        }
    }
    assert_eq!(shape(after), expected, "{after}\n{stderr}");
    assert_eq!(fixed["id"], 1);
}
