//! What the tests of live sites share: the replies of a fake WordPress (served by
//! [`super::http::Server`] on 127.0.0.1), and a run of the binary against it.

use assert_cmd::Command;
use serde_json::{Value, json};

use super::http::Reply;

/// An application password as WordPress writes them; a test checks it is never printed.
pub const PASSWORD: &str = "abcd EFGH 1234 ijkl MNOP 5678";

/// A 200 answer of JSON bytes, as the REST API sends it.
pub fn json_reply(body: Vec<u8>) -> Reply {
    let headers = vec![(
        "Content-Type".into(),
        "application/json; charset=UTF-8".into(),
    )];
    Reply::Body(200, headers, body)
}

/// A 200 answer of a JSON value.
pub fn json_value(value: &Value) -> Reply {
    json_reply(value.to_string().into_bytes())
}

/// The REST API's error: `status`, with its `code` in the body.
pub fn rest_error(status: u16, code: &str) -> Reply {
    let body = json!({"code": code, "message": "no", "data": {"status": status}});
    Reply::Body(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    )
}

/// What a run of the binary gave; `report` is its standard output read as JSON (`null` when
/// it is not).
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub report: Value,
}

pub fn run(command: &mut Command) -> Run {
    let output = command.output().expect("postlint runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
    }
}

/// `check` of one rule, reported as JSON: what the live-site tests run against a fake site.
pub fn check_json() -> Command {
    let args = [
        "--color",
        "never",
        "--select",
        "empty-span",
        "--format",
        "json",
    ];
    super::check(&args)
}

pub fn assert_says(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
}
