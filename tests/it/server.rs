//! `postlint server` driven as an editor drives it: a client over the process's pipes sends
//! `initialize`, `didOpen`, `didChange`, `codeAction`, `hover` and `shutdown`, and the
//! diagnostics' ranges are checked against the lines and columns `postlint check` reports.

use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

use crate::common::project;

/// A guard against a server that never answers, not a wait: messages are read as they come.
const NO_ANSWER: Duration = Duration::from_secs(60);

/// A post with findings on line 4 after non-ASCII text: `’` and `“` are one UTF-16 unit and
/// three UTF-8 bytes, `😀` two units and four bytes.
pub const POST: &str = concat!(
    "{\n",
    "  \"id\": 7,\n",
    "  \"title\": {\"rendered\": \"Notes\"},\n",
    "  \"content\": {\"rendered\": \"<p>It’s “quoted” 😀 text<\\/span> and <\\/a>more<\\/p>\\n<p><\\/p>\\n<p>end<\\/p>\"}\n",
    "}\n"
);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Message>,
    next_id: i32,
    /// Notifications read while waiting for something else, in order.
    pending: Vec<Notification>,
}

impl Client {
    /// Starts `postlint server` in `root` and does the handshake; returns the client and the
    /// server's `initialize` result.
    pub fn start(root: &Path, capabilities: Value, options: Value) -> (Self, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postlint"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start postlint server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Self {
            child,
            stdin,
            messages,
            next_id: 0,
            pending: Vec::new(),
        };
        let root_uri = url::Url::from_directory_path(root).expect("root uri");
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    pub fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.to_owned(), params).into());
    }

    /// Sends a request and reads until its response; the server's own requests are answered
    /// with `null`, its notifications kept.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Request::new(id.clone(), method.to_owned(), params).into());
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => {
                    return match response.response_result {
                        Ok(result) => result,
                        Err(error) => panic!("{method}: {error:?}"),
                    };
                }
                Message::Response(_) => {}
                Message::Request(request) => {
                    self.send(Response::new_ok(request.id, Value::Null).into());
                }
                Message::Notification(note) => self.pending.push(note),
            }
        }
    }

    /// The next notification of `method`, skipping others (kept).
    pub fn notification(&mut self, method: &str) -> Value {
        if let Some(at) = self.pending.iter().position(|n| n.method == method) {
            return self.pending.remove(at).params;
        }
        loop {
            match self.receive() {
                Message::Notification(note) if note.method == method => return note.params,
                Message::Notification(note) => self.pending.push(note),
                Message::Request(request) => {
                    self.send(Response::new_ok(request.id, Value::Null).into());
                }
                Message::Response(_) => {}
            }
        }
    }

    /// The diagnostics published next for a document.
    pub fn diagnostics(&mut self) -> Value {
        self.notification("textDocument/publishDiagnostics")
    }

    /// The diagnostics published next for `uri`, skipping those of other documents.
    pub fn diagnostics_of(&mut self, uri: &str) -> Value {
        loop {
            let published = self.diagnostics();
            if published["uri"] == uri {
                return published;
            }
        }
    }

    pub fn receive(&mut self) -> Message {
        match self.messages.recv_timeout(NO_ANSWER) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("the server did not answer"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    pub fn open(&mut self, path: &Path, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri(path), "languageId": "json", "version": 1, "text": text,
            }}),
        );
        self.diagnostics()
    }

    /// Closes the server's input and waits for it to end; its exit status.
    pub fn wait(mut self) -> std::process::ExitStatus {
        drop(self.stdin);
        self.child.wait().expect("the server exits")
    }

    /// Shuts the server down as an editor does; the exit status of the process.
    pub fn shut_down(mut self) -> std::process::ExitStatus {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin);
        self.child.wait().expect("the server exits")
    }
}

pub fn uri(path: &Path) -> String {
    url::Url::from_file_path(path)
        .expect("absolute path")
        .to_string()
}

/// What `postlint check --format json` reports for a file: rule, severity and span.
pub fn cli_findings(root: &Path, file: &str) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--format", "json", "--fail-on", "never", file])
        .current_dir(root)
        .output()
        .expect("postlint check");
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone()
}

/// The LSP position of a CLI line and column (characters) in `text`, in UTF-16 units or
/// UTF-8 bytes.
pub fn lsp_position(text: &str, line: u64, column: u64, utf8: bool) -> Value {
    let line_text = text.split('\n').nth(line as usize - 1).expect("line");
    let before = line_text.chars().take(column as usize - 1);
    let character: usize = before
        .map(|c| if utf8 { c.len_utf8() } else { c.len_utf16() })
        .sum();
    json!({"line": line - 1, "character": character})
}

fn severity_number(severity: &str) -> u64 {
    match severity {
        "error" => 1,
        "warning" => 2,
        _ => 3,
    }
}

/// The server's diagnostics equal the CLI's findings: rule, severity and range.
fn assert_same_as_cli(published: &Value, cli: &[Value], text: &str, utf8: bool) {
    let diagnostics = published["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), cli.len(), "{published:#}");
    for (lsp, cli) in diagnostics.iter().zip(cli) {
        let span = &cli["span"];
        let position = |line: &str, column: &str| {
            let (line, column) = (span[line].as_u64(), span[column].as_u64());
            lsp_position(text, line.expect("line"), column.expect("column"), utf8)
        };
        assert_eq!(lsp["code"], cli["rule"]);
        assert_eq!(lsp["source"], "postlint");
        let severity = cli["severity"].as_str().expect("severity");
        assert_eq!(lsp["severity"], severity_number(severity));
        assert_eq!(lsp["range"]["start"], position("line", "column"), "{lsp:#}");
        assert_eq!(
            lsp["range"]["end"],
            position("end_line", "end_column"),
            "{lsp:#}"
        );
        let message = cli["message"].as_str().expect("message");
        assert!(
            lsp["message"]
                .as_str()
                .expect("message")
                .starts_with(message)
        );
    }
}

fn workspace() -> tempfile::TempDir {
    project(&[("post.json", POST)])
}

#[test]
fn diagnostics_on_open_have_the_cli_positions_in_utf16() {
    let dir = workspace();
    let (mut client, init) = Client::start(dir.path(), json!({}), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let path = dir.path().join("post.json");
    let published = client.open(&path, POST);
    assert_eq!(published["uri"], uri(&path));
    assert_eq!(published["version"], 1);
    let cli = cli_findings(dir.path(), "post.json");
    let rules: Vec<&str> = cli.iter().filter_map(|d| d["rule"].as_str()).collect();
    assert_eq!(rules, ["stray-end-tag", "stray-end-tag", "empty-paragraph"]);
    assert_same_as_cli(&published, &cli, POST, false);
    // The stray `</span>` comes after 50 characters, `😀` among them: 51 UTF-16 units.
    assert_eq!(
        published["diagnostics"][0]["range"]["start"],
        json!({"line": 3, "character": 51})
    );
    let first = &published["diagnostics"][0];
    assert_eq!(
        first["codeDescription"]["href"],
        "https://github.com/postlint/postlint/blob/main/src/rules/html/stray_end_tag.rs"
    );
    assert!(
        first["message"]
            .as_str()
            .expect("text")
            .contains("\nhelp: remove this")
    );
    assert!(client.shut_down().success());
}

#[test]
fn positions_are_utf8_bytes_when_the_client_offers_them() {
    let dir = workspace();
    let capabilities = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let (mut client, init) = Client::start(dir.path(), capabilities, Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let published = client.open(&dir.path().join("post.json"), POST);
    let cli = cli_findings(dir.path(), "post.json");
    assert_same_as_cli(&published, &cli, POST, true);
    // 50 characters, 59 bytes: three of three bytes, `😀` of four.
    assert_eq!(
        published["diagnostics"][0]["range"]["start"],
        json!({"line": 3, "character": 59})
    );
    assert!(client.shut_down().success());
}

#[test]
fn the_buffer_is_linted_not_the_disk() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let path = dir.path().join("post.json");
    let clean = r#"{"id": 7, "content": {"rendered": "<p>fine<\/p>"}}"#;
    // Opened with text that differs from the file: the text counts.
    let published = client.open(&path, clean);
    assert_eq!(published["diagnostics"], json!([]));
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&path), "version": 2},
            "contentChanges": [{"text": clean.replace("fine", "fine<\\/span>")}],
        }),
    );
    let changed = client.diagnostics();
    assert_eq!(changed["version"], 2);
    let codes: Vec<&Value> = changed["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(codes, [&json!("stray-end-tag")]);
    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&path)}}),
    );
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));
    assert!(client.shut_down().success());
}

#[test]
fn files_that_are_not_posts_are_left_alone() {
    let dir = project(&[("notes.md", "<\\/a>"), ("post.json", POST)]);
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {
            "uri": uri(&dir.path().join("notes.md")), "languageId": "markdown", "version": 1,
            "text": "<\\/a>",
        }}),
    );
    // The server answers in order: the first diagnostics are the post's.
    let published = client.open(&dir.path().join("post.json"), POST);
    assert_eq!(published["uri"], uri(&dir.path().join("post.json")));
    assert!(client.shut_down().success());
}

/// Applies LSP text edits (UTF-16 positions) to a text.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().expect("line") as usize;
        let character = position["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        let rest = &text[start..];
        let at = rest
            .char_indices()
            .find(|(_, c)| {
                let reached = units >= character;
                units += c.len_utf16();
                reached
            })
            .map_or(rest.len(), |(at, _)| at);
        start + at
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let range = &e["range"];
            let text = e["newText"].as_str().expect("newText");
            (offset(&range["start"]), offset(&range["end"]), text)
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn code_actions_offer_each_fix_and_fix_all_as_the_cli_fixes() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let path = dir.path().join("post.json");
    let published = client.open(&path, POST);
    let stray = published["diagnostics"][0].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&path)},
            "range": stray["range"],
            "context": {"diagnostics": [stray]},
        }),
    );
    let actions = actions.as_array().expect("actions");
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix");
    assert_eq!(quick["title"], "remove the stray `</span>` (stray-end-tag)");
    assert_eq!(quick["isPreferred"], true);
    let edits = quick["edit"]["changes"][uri(&path)]
        .as_array()
        .expect("edits");
    assert_eq!(
        edits,
        &[json!({"range": stray["range"], "newText": ""})],
        "the edit removes the bytes the finding points at"
    );
    // `</a>` closes no link: no fix, so no action for it.
    assert_eq!(
        actions.iter().filter(|a| a["kind"] == "quickfix").count(),
        1
    );
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&path)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let fix_all = fix_all.as_array().expect("actions");
    assert_eq!(fix_all.len(), 1, "{fix_all:#?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.postlint");
    let edits = fix_all[0]["edit"]["changes"][uri(&path)]
        .as_array()
        .expect("edits");
    let fixed_here = apply_edits(POST, edits);
    let status = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["check", "--fix", "--fail-on", "never", "post.json"])
        .current_dir(dir.path())
        .output()
        .expect("postlint check --fix")
        .status;
    assert!(status.success());
    let fixed_by_cli = std::fs::read_to_string(&path).expect("fixed file");
    assert_ne!(fixed_by_cli, POST);
    assert_eq!(fixed_here, fixed_by_cli);
    assert!(client.shut_down().success());
}

#[test]
fn hover_on_a_finding_shows_the_rules_documentation() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    let path = dir.path().join("post.json");
    let published = client.open(&path, POST);
    let at = published["diagnostics"][2]["range"]["start"].clone();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": at}),
    );
    let text = hover["contents"]["value"].as_str().expect("markdown");
    let explained = Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(["explain", "empty-paragraph"])
        .output()
        .expect("postlint explain");
    assert!(text.starts_with("empty paragraph\n\n"), "{text}");
    assert!(
        text.ends_with(&*String::from_utf8_lossy(&explained.stdout)),
        "{text}"
    );
    assert_eq!(hover["range"], published["diagnostics"][2]["range"]);
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nothing, Value::Null);
    assert!(client.shut_down().success());
}

fn codes(published: &Value) -> Vec<String> {
    let list = published["diagnostics"].as_array().expect("diagnostics");
    list.iter()
        .map(|d| d["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn the_config_is_read_again_when_it_changes() {
    let dir = project(&[("post.json", POST), ("postlint.toml", "")]);
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut client, _) = Client::start(dir.path(), capabilities, Value::Null);
    let path = dir.path().join("post.json");
    let published = client.open(&path, POST);
    assert_eq!(
        codes(&published),
        ["stray-end-tag", "stray-end-tag", "empty-paragraph"]
    );
    let config = dir.path().join("postlint.toml");
    std::fs::write(&config, "ignore = [\"empty-paragraph\"]\n").expect("write config");
    let changed = json!({"changes": [{"uri": uri(&config), "type": 2}]});
    client.notify("workspace/didChangeWatchedFiles", changed.clone());
    assert_eq!(
        codes(&client.diagnostics()),
        ["stray-end-tag", "stray-end-tag"]
    );
    // A broken config is shown in it (`lsp_workspace.rs`), and the last good one stays.
    std::fs::write(&config, "ignore = [\"no-such-rule\"]\n").expect("write config");
    client.notify("workspace/didChangeWatchedFiles", changed);
    let shown = client.diagnostics_of(&uri(&config));
    assert_eq!(codes(&shown), ["config"]);
    assert_eq!(
        codes(&client.diagnostics_of(&uri(&path))),
        ["stray-end-tag", "stray-end-tag"]
    );
    assert!(client.shut_down().success());
}

/// Two posts of one file with the same title: `duplicate-title` compares posts, a site rule.
const TWINS: &str = r#"[{"id":1,"status":"publish","link":"https://example.com/a/","title":{"rendered":"Same"},"content":{"rendered":"<p>a<\/p>"}},
{"id":2,"status":"publish","link":"https://example.com/b/","title":{"rendered":"Same"},"content":{"rendered":"<p>b<\/p>"}}]"#;

#[test]
fn site_rules_run_only_when_a_setting_asks() {
    let dir = project(&[("twins.json", TWINS)]);
    let path = dir.path().join("twins.json");
    let cli = cli_findings(dir.path(), "twins.json");
    let cli_rules: Vec<&str> = cli.iter().filter_map(|d| d["rule"].as_str()).collect();
    assert!(cli_rules.contains(&"duplicate-title"), "{cli_rules:?}");
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    assert!(!codes(&client.open(&path, TWINS)).contains(&"duplicate-title".to_owned()));
    assert!(client.shut_down().success());
    let options = json!({"siteRules": true});
    let (mut client, _) = Client::start(dir.path(), json!({}), options);
    let published = client.open(&path, TWINS);
    assert_same_as_cli(&published, &cli, TWINS, false);
    assert!(client.shut_down().success());
}

#[test]
fn unknown_requests_get_an_error_and_the_server_goes_on() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    client.next_id += 1;
    let id = RequestId::from(client.next_id);
    client.send(Request::new(id.clone(), "textDocument/rename".to_owned(), json!({})).into());
    let error = loop {
        if let Message::Response(response) = client.receive()
            && response.id == id
        {
            break response.response_result.expect_err("an error");
        }
    };
    assert_eq!(error.code, -32601);
    // A malformed notification is reported, not fatal.
    client.notify("textDocument/didOpen", json!({"textDocument": 5}));
    let shown = client.notification("window/showMessage");
    assert!(shown["message"].as_str().expect("text").contains("didOpen"));
    let published = client.open(&dir.path().join("post.json"), POST);
    assert_eq!(codes(&published).len(), 3);
    assert!(client.shut_down().success());
}

#[test]
fn the_vscode_extension_starts_the_server_with_its_settings() {
    let folder = Path::new("editors/vscode");
    let text = std::fs::read_to_string(folder.join("package.json")).expect("package.json");
    let package: Value = serde_json::from_str(&text).expect("package.json is JSON");
    // `main` is the bundle, built from the entry its `bundle` script names.
    let bundle = package["scripts"]["bundle"]
        .as_str()
        .expect("a bundle script");
    let entry = bundle
        .split_whitespace()
        .nth(1)
        .expect("the bundle's entry");
    let script = std::fs::read_to_string(folder.join(entry)).expect("the extension's script");
    assert!(script.contains("args: ['server']"), "{script}");
    let settings = package["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("settings");
    let names: Vec<&str> = settings.keys().map(String::as_str).collect();
    assert_eq!(names, ["postlint.path", "postlint.siteRules"]);
    for name in names {
        let read = format!("settings.get('{}')", name.trim_start_matches("postlint."));
        assert!(script.contains(&read), "the script never reads {name}");
    }
    // The option the server reads (see `site_rules_run_only_when_a_setting_asks`).
    assert!(script.contains("initializationOptions: { siteRules:"));
}

/// The position (UTF-16) of a 1-based line and character column among `lines`.
fn utf16_position(lines: &[&str], line: usize, column: usize) -> Value {
    let units: usize = lines[line - 1]
        .chars()
        .take(column - 1)
        .map(char::len_utf16)
        .sum();
    json!({"line": line - 1, "character": units})
}

/// Real posts of the shared corpus, opened in the server one file at a time: the same findings
/// as `postlint check` (less the site rules, which the server leaves out), at the same lines
/// and columns. One file in `STRIDE`, to keep the suite quick: all 6,120 files matched
/// (49,815 findings) when the server was written, in five minutes of a debug build.
#[test]
fn the_corpus_gets_the_cli_findings_at_the_cli_positions() {
    let Some(corpus) = crate::common::shared("corpus/posts") else {
        return;
    };
    let outcome = postlint::check(&[corpus], postlint::engine::LintOptions::default());
    let root = tempfile::tempdir().expect("an empty workspace: no postlint.toml");
    let (mut client, _) = Client::start(root.path(), json!({}), Value::Null);
    let is_site_rule = |code: &str| {
        postlint::rules::find(code).is_some_and(|r| r.meta().phase == postlint::meta::Phase::Site)
    };
    let (mut files, mut compared) = (0, 0);
    const STRIDE: usize = 16;
    for report in outcome.reports.iter().step_by(STRIDE) {
        let path = std::path::absolute(&report.file.name).expect("absolute");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // LSP text is Unicode: a file that is not UTF-8 cannot be opened.
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let expected: Vec<Value> = report
            .findings
            .iter()
            .filter(|f| !is_site_rule(f.diagnostic.rule))
            .map(|f| {
                let s = &f.span;
                json!([
                    f.diagnostic.rule,
                    utf16_position(&lines, s.line, s.column),
                    utf16_position(&lines, s.end_line, s.end_column),
                ])
            })
            .collect();
        let published = client.open(&path, &text);
        let got: Vec<Value> = published["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| json!([d["code"], d["range"]["start"], d["range"]["end"]]))
            .collect();
        assert_eq!(got, expected, "{}", report.file.name);
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(&path)}}),
        );
        assert_eq!(client.diagnostics()["diagnostics"], json!([]));
        files += 1;
        compared += got.len();
    }
    eprintln!("server: {files} corpus files, {compared} findings at the CLI's positions");
    assert!(
        files > 350 && compared > 1000,
        "{files} files, {compared} findings"
    );
    assert!(client.shut_down().success());
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("the server exits");
    assert_eq!(status.code(), Some(1));
}
