//! `postlint server` in a real workspace: the tools' JSON files beside the posts get no
//! diagnostics, a broken `postlint.toml` is shown in it, the config is read again however the
//! client tells of a change (or when it tells nothing), unsaved buffers are linted, and a
//! client that stops right after starting gets a clean shutdown.

use std::path::Path;

use lsp_server::{Message, Request, RequestId, Response};
use serde_json::{Value, json};

use crate::common::project;
use crate::server::{Client, POST, uri};

fn codes(published: &Value) -> Vec<String> {
    let list = published["diagnostics"].as_array().expect("diagnostics");
    list.iter()
        .map(|d| d["code"].as_str().expect("code").to_owned())
        .collect()
}

fn open_as(client: &mut Client, path: &Path, language: &str, text: &str) -> Value {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {
            "uri": uri(path), "languageId": language, "version": 1, "text": text,
        }}),
    );
    client.diagnostics_of(&uri(path))
}

const WATCHES: &str = r#"{"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}"#;

fn watching_client() -> Value {
    serde_json::from_str(WATCHES).expect("JSON")
}

/// What a theme, a plugin and an editor keep beside the posts.
const TOOL_FILES: [(&str, &str); 6] = [
    (
        "package.json",
        r#"{"name": "theme", "version": "1.0.0", "scripts": {"build": "wp-scripts build"}}"#,
    ),
    (
        "composer.json",
        r#"{"name": "acme/theme", "require": {"php": ">=8.1"}}"#,
    ),
    (
        "theme.json",
        r#"{"$schema": "https://schemas.wp.org/trunk/theme.json", "version": 3, "settings": {"color": {"palette": []}}}"#,
    ),
    (
        "tsconfig.json",
        "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true},\n}\n",
    ),
    (
        ".vscode/settings.json",
        "{\n  // the editor's own\n  \"editor.tabSize\": 2,\n  \"files.exclude\": {\"dist\": true},\n}\n",
    ),
    (
        "data/settings.json",
        r#"{"cache": {"ttl": 60}, "routes": {"home": "/"}}"#,
    ),
];

#[test]
fn tool_files_and_json_without_posts_get_an_empty_list() {
    let mut files: Vec<(&str, &str)> = TOOL_FILES.to_vec();
    files.push(("post.json", POST));
    let dir = project(&files);
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    for (name, text) in TOOL_FILES {
        let published = open_as(&mut client, &dir.path().join(name), "json", text);
        assert_eq!(published["diagnostics"], json!([]), "{name}: {published}");
    }
    // A post beside them still gets its findings, and a failed save its `not-a-post`.
    let published = open_as(&mut client, &dir.path().join("post.json"), "json", POST);
    assert_eq!(codes(&published).len(), 3, "{published}");
    let rest_error = r#"{"code": "rest_forbidden", "message": "Sorry", "data": {"status": 401}}"#;
    let published = open_as(
        &mut client,
        &dir.path().join("post.json"),
        "json",
        rest_error,
    );
    assert!(
        codes(&published).contains(&"not-a-post".to_owned()),
        "{published}"
    );
    assert!(client.shut_down().success());
}

#[test]
fn a_tool_file_the_config_names_still_gets_not_a_post() {
    let config = "[[overrides]]\nfiles = [\"package.json\"]\nignore = [\"stray-end-tag\"]\n";
    let (name, text) = TOOL_FILES[0];
    let dir = project(&[("postlint.toml", config), (name, text)]);
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let published = open_as(&mut client, &dir.path().join(name), "json", text);
    assert_eq!(codes(&published), ["not-a-post"], "{published}");
    assert!(client.shut_down().success());
}

#[test]
fn a_broken_config_is_shown_at_its_value_in_the_config_file() {
    let dir = project(&[("post.json", POST), ("postlint.toml", "")]);
    let config = dir.path().join("postlint.toml");
    let post = dir.path().join("post.json");
    let (mut client, _) = Client::start(dir.path(), watching_client(), Value::Null);
    assert_eq!(
        open_as(&mut client, &post, "json", POST)["diagnostics"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let broken = "# the site's settings\nselect = [\"stray-end-tag\"]\nignore = [\"empty-paragraph\", \"no-such-rule\"]\n";
    std::fs::write(&config, broken).expect("write config");
    let changed = json!({"changes": [{"uri": uri(&config), "type": 2}]});
    client.notify("workspace/didChangeWatchedFiles", changed.clone());
    let shown = client.diagnostics_of(&uri(&config));
    let list = shown["diagnostics"].as_array().expect("list");
    assert_eq!(list.len(), 1, "{shown}");
    let error = &list[0];
    assert_eq!(error["severity"], 1);
    assert_eq!(error["source"], "postlint");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("no-such-rule"),
        "{error}"
    );
    // At the value, `"no-such-rule"` on line 3 (UTF-16 columns; all ASCII).
    let value_at = broken
        .lines()
        .nth(2)
        .expect("line")
        .find("\"no-such")
        .expect("value");
    assert_eq!(
        error["range"]["start"],
        json!({"line": 2, "character": value_at})
    );
    assert_eq!(
        error["range"]["end"],
        json!({"line": 2, "character": value_at + 14})
    );
    // The last good config stays for the posts.
    assert_eq!(codes(&client.diagnostics_of(&uri(&post))).len(), 3);
    // Mended: the config file's diagnostics are cleared and the posts linted with it.
    std::fs::write(&config, "ignore = [\"empty-paragraph\"]\n").expect("write config");
    client.notify("workspace/didChangeWatchedFiles", changed);
    assert_eq!(
        client.diagnostics_of(&uri(&config))["diagnostics"],
        json!([])
    );
    assert_eq!(
        codes(&client.diagnostics_of(&uri(&post))),
        ["stray-end-tag", "stray-end-tag"]
    );
    assert!(client.shut_down().success());
}

#[test]
fn a_config_broken_from_the_start_is_shown_once_the_client_is_ready() {
    let broken = "ignore = [\n";
    let dir = project(&[("post.json", POST), ("postlint.toml", broken)]);
    let config = dir.path().join("postlint.toml");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let shown = client.diagnostics_of(&uri(&config));
    assert_eq!(codes(&shown), ["config"], "{shown}");
    let start = &shown["diagnostics"][0]["range"]["start"];
    assert_eq!(start["line"], 0, "{shown}");
    assert!(client.shut_down().success());
}

#[test]
fn the_config_buffer_is_read_as_it_is_typed_and_again_on_close() {
    let dir = project(&[("post.json", POST), ("postlint.toml", "")]);
    let config = dir.path().join("postlint.toml");
    let post = dir.path().join("post.json");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    assert_eq!(codes(&open_as(&mut client, &post, "json", POST)).len(), 3);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&config), "languageId": "toml", "version": 1, "text": ""}}),
    );
    // Not saved: the buffer holds the change, the disk does not.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&config), "version": 2},
               "contentChanges": [{"text": "ignore = [\"empty-paragraph\"]\n"}]}),
    );
    assert_eq!(
        codes(&client.diagnostics_of(&uri(&post))),
        ["stray-end-tag", "stray-end-tag"]
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&config), "version": 3},
               "contentChanges": [{"text": "ignore = [\"no-such-rule\"]\n"}]}),
    );
    let shown = client.diagnostics_of(&uri(&config));
    assert_eq!(
        shown["diagnostics"][0]["range"]["start"],
        json!({"line": 0, "character": 10})
    );
    // Closed without saving: the file on disk (empty) holds again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    assert_eq!(
        client.diagnostics_of(&uri(&config))["diagnostics"],
        json!([])
    );
    assert_eq!(codes(&client.diagnostics_of(&uri(&post))).len(), 3);
    assert!(client.shut_down().success());
}

#[test]
fn the_server_watches_the_config_itself_when_the_client_cannot() {
    let dir = project(&[("post.json", POST)]);
    let post = dir.path().join("post.json");
    // Neovim 0.7: no dynamic registration of file watchers, no `didSave` of the config.
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    assert_eq!(codes(&open_as(&mut client, &post, "json", POST)).len(), 3);
    // A config created after the start, then changed: each time the post is linted again.
    let config = dir.path().join("postlint.toml");
    std::fs::write(&config, "ignore = [\"empty-paragraph\"]\n").expect("write config");
    assert_eq!(
        codes(&client.diagnostics_of(&uri(&post))),
        ["stray-end-tag", "stray-end-tag"]
    );
    // Saved as some editors save: a new file renamed over the old one.
    let fresh = dir.path().join(".postlint.toml.new");
    std::fs::write(&fresh, "ignore = [\"stray-end-tag\"]\n").expect("write config");
    std::fs::rename(&fresh, &config).expect("rename");
    loop {
        let published = codes(&client.diagnostics_of(&uri(&post)));
        if published == ["empty-paragraph"] {
            break;
        }
    }
    assert!(client.shut_down().success());
}

#[test]
fn untitled_json_buffers_are_linted() {
    let dir = project(&[]);
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:Untitled-1", "languageId": "json", "version": 1, "text": POST}}),
    );
    let published = client.diagnostics_of("untitled:Untitled-1");
    assert_eq!(codes(&published).len(), 3, "{published}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "untitled:Untitled-1", "version": 2},
               "contentChanges": [{"text": "{\"id\": 1, \"content\": {\"rendered\": \"<p><\\/p>\"}}"}]}),
    );
    assert_eq!(
        codes(&client.diagnostics_of("untitled:Untitled-1")),
        ["empty-paragraph"]
    );
    assert!(client.shut_down().success());
}

/// The answer to the server's `registerCapability` comes after the client's `shutdown`: what
/// VS Code does when it stops a server right after starting it.
#[test]
fn a_late_answer_during_shutdown_is_taken_and_the_server_exits_cleanly() {
    let dir = project(&[]);
    for _ in 0..5 {
        let (mut client, _) = Client::start(dir.path(), watching_client(), Value::Null);
        client.send(Request::new(RequestId::from(900), "shutdown".to_owned(), Value::Null).into());
        let register = loop {
            if let Message::Request(request) = client.receive() {
                break request;
            }
        };
        assert_eq!(register.method, "client/registerCapability");
        // Answered only now, behind the `shutdown` and a request sent after it.
        client.send(
            Request::new(
                RequestId::from(901),
                "textDocument/hover".to_owned(),
                json!({}),
            )
            .into(),
        );
        client.send(Response::new_ok(register.id, Value::Null).into());
        let mut refused = false;
        let mut shut = false;
        while !(refused && shut) {
            if let Message::Response(response) = client.receive() {
                shut |= response.id == RequestId::from(900) && response.response_result.is_ok();
                refused |= response.id == RequestId::from(901) && response.response_result.is_err();
            }
        }
        client.notify("exit", Value::Null);
        assert!(client.wait().success());
    }
}

#[test]
fn the_vscode_extension_is_published_as_a_workspace_of_posts_asks() {
    let folder = Path::new("editors/vscode");
    let text = std::fs::read_to_string(folder.join("package.json")).expect("package.json");
    let package: Value = serde_json::from_str(&text).expect("package.json is JSON");
    let events: Vec<&str> = (package["activationEvents"]
        .as_array()
        .expect("activationEvents"))
    .iter()
    .map(|e| e.as_str().expect("an event"))
    .collect();
    assert!(
        events.contains(&"workspaceContains:**/postlint.toml"),
        "{events:?}"
    );
    for event in &events {
        assert!(
            event.starts_with("workspaceContains:"),
            "{event}: activates outside a workspace of posts"
        );
        assert!(
            !event.ends_with("**/*.json"),
            "{event}: every JSON file is too broad"
        );
    }
    assert!(
        package["repository"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")),
        "repository"
    );
    assert_eq!(package["license"], "MIT");
    assert!(
        folder.join("LICENSE").is_file(),
        "a LICENSE beside package.json"
    );
    // The bundle: one file, with vscode-languageclient inside.
    let main = package["main"].as_str().expect("main");
    assert!(main.starts_with("./dist/"), "{main}");
    let bundle = package["scripts"]["bundle"]
        .as_str()
        .expect("a bundle script");
    assert!(
        bundle.contains("esbuild") && bundle.contains("--bundle"),
        "{bundle}"
    );
    assert!(
        bundle.contains(main.trim_start_matches("./")),
        "{bundle} writes {main}"
    );
    assert!(package["devDependencies"]["esbuild"].is_string());
}

#[test]
fn an_unreadable_config_is_shown_at_the_start_of_its_file() {
    let dir = project(&[("post.json", POST)]);
    let config = dir.path().join("postlint.toml");
    std::fs::write(&config, b"ignore = [\"\xff\xfe\"]\n").expect("write config");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let shown = client.diagnostics_of(&uri(&config));
    let error = &shown["diagnostics"][0];
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("is not UTF-8"),
        "{shown}"
    );
    assert_eq!(error["range"]["start"], json!({"line": 0, "character": 0}));
    // The posts are linted with the built-in rules meanwhile.
    let post = dir.path().join("post.json");
    assert_eq!(codes(&open_as(&mut client, &post, "json", POST)).len(), 3);
    assert!(client.shut_down().success());
}

/// Hundreds of saves in a burst: each change the server's watch sees is taken once, the server
/// stays responsive, and the last config is the one in force.
#[test]
fn a_burst_of_config_writes_ends_with_the_last_config() {
    let dir = project(&[("post.json", POST), ("postlint.toml", "")]);
    let config = dir.path().join("postlint.toml");
    let post = dir.path().join("post.json");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    assert_eq!(codes(&open_as(&mut client, &post, "json", POST)).len(), 3);
    for i in 0..300 {
        let ignored = if i % 2 == 0 {
            "stray-end-tag"
        } else {
            "empty-paragraph"
        };
        std::fs::write(&config, format!("ignore = [\"{ignored}\"]\n")).expect("write config");
    }
    std::fs::write(
        &config,
        "ignore = [\"stray-end-tag\", \"empty-paragraph\"]\n",
    )
    .expect("write config");
    let mut runs = 0;
    while !codes(&client.diagnostics_of(&uri(&post))).is_empty() {
        runs += 1;
    }
    assert!(runs <= 302, "{runs} lints for 301 writes");
    // Still answering.
    let hover =
        json!({"textDocument": {"uri": uri(&post)}, "position": {"line": 0, "character": 0}});
    assert_eq!(client.request("textDocument/hover", hover), Value::Null);
    assert!(client.shut_down().success());
}

#[test]
fn a_client_gone_after_shutdown_without_exit_ends_the_server_cleanly() {
    let dir = project(&[]);
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    assert!(client.wait().success());
}
