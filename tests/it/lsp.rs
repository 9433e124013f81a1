//! `postlint server` fed hostile bytes as a client could write them: lying lengths, endless
//! headers, malformed JSON, ids of every kind, exits out of order. The server runs as a
//! process under an address-space cap, so an allocation of what a client claims fails the
//! test; its output is read frame by frame as it comes, with a guard only against a hang.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

/// Far below the gigabytes a lying length names, far above what a debug server needs for a
/// 64 MiB message.
const MEMORY_CAP: u64 = 2 << 30;
/// A guard against a server that never answers or never ends, not a wait.
const NO_ANSWER: Duration = Duration::from_secs(120);

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: Receiver<Value>,
    stderr: JoinHandle<String>,
}

impl Server {
    fn start() -> Self {
        let dir = std::env::temp_dir();
        let mut command = Command::new(env!("CARGO_BIN_EXE_postlint"));
        command
            .args(["server", "--no-config"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setrlimit is async-signal-safe and touches only the child.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: MEMORY_CAP,
                    rlim_max: MEMORY_CAP,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().expect("start postlint server");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (sender, frames) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(frame) = read_frame(&mut reader) {
                if sender.send(frame).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            frames,
            stderr,
        }
    }

    /// Started, with the handshake done.
    fn initialized() -> Self {
        let mut server = Self::start();
        server.send(&request(
            json!(1),
            "initialize",
            json!({"capabilities": {}}),
        ));
        let result = server.response(&json!(1));
        assert!(result["result"]["capabilities"].is_object(), "{result}");
        server.send(&notification("initialized", json!({})));
        server
    }

    /// Writes bytes as they are; a server that has already ended is not an error here.
    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        let _ = stdin.write_all(bytes).and_then(|()| stdin.flush());
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("JSON");
        self.write(&frame(&body));
    }

    fn next(&mut self) -> Value {
        match self.frames.recv_timeout(NO_ANSWER) {
            Ok(frame) => frame,
            Err(RecvTimeoutError::Timeout) => panic!("the server did not answer"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next response (a message with an `id` and no `method`), skipping notifications.
    fn next_response(&mut self) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_none() {
                return message;
            }
        }
    }

    fn response(&mut self, id: &Value) -> Value {
        let response = self.next_response();
        assert_eq!(&response["id"], id, "{response}");
        response
    }

    fn notification(&mut self, method: &str) -> Value {
        loop {
            let message = self.next();
            if message["method"] == method {
                return message["params"].clone();
            }
        }
    }

    fn shut_down(&mut self) {
        self.send(&request(json!("bye"), "shutdown", Value::Null));
        assert_eq!(self.response(&json!("bye"))["result"], Value::Null);
        self.send(&notification("exit", Value::Null));
    }

    /// Closes the server's input and waits for it to end: its status and standard error.
    fn finish(mut self) -> (ExitStatus, String) {
        drop(self.stdin.take());
        let pid = self.child.id();
        let (sender, ended) = std::sync::mpsc::channel();
        let mut child = self.child;
        std::thread::spawn(move || sender.send(child.wait().expect("wait for the server")));
        let status = match ended.recv_timeout(NO_ANSWER) {
            Ok(status) => status,
            Err(_) => {
                // SAFETY: kill only signals the child this test started.
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                panic!("the server did not end");
            }
        };
        let stderr = self.stderr.join().expect("stderr read");
        (status, stderr)
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    [
        format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(),
        body,
    ]
    .concat()
}

fn request(id: Value, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

fn hover(id: Value) -> Value {
    let params = json!({
        "textDocument": {"uri": "file:///nowhere/post.json"},
        "position": {"line": 0, "character": 0},
    });
    request(id, "textDocument/hover", params)
}

/// One frame of the server's output; `None` once it ends.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server writes JSON"))
}

fn assert_no_panic(status: ExitStatus, stderr: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        status.code().is_some(),
        "ended by a signal: {status:?}\n{stderr}"
    );
}

#[test]
fn lying_content_lengths_are_refused_without_a_panic_or_an_allocation() {
    for length in ["18446744073709551615", "100000000000000", "8000000000"] {
        let mut server = Server::initialized();
        server.write(format!("Content-Length: {length}\r\n\r\n{{}}").as_bytes());
        // Told at once, while the client still holds its end open: nothing waits for the
        // bytes, nothing holds them.
        let shown = server.notification("window/showMessage");
        let text = shown["message"].as_str().expect("text");
        assert!(
            text.contains(&format!("a message of {length} bytes was skipped")),
            "{text}"
        );
        let (status, stderr) = server.finish();
        assert_no_panic(status, &stderr);
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "the input ended inside a message: {length} bytes announced, 2 received"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn a_length_that_is_no_number_ends_the_session_with_a_message() {
    let mut server = Server::initialized();
    let digits = "9".repeat(5000);
    server.write(format!("Content-Length: {digits}\r\n\r\n").as_bytes());
    let (status, stderr) = server.finish();
    assert_no_panic(status, &stderr);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("is not a number of bytes"), "{stderr}");
    assert!(stderr.len() < 400, "the value is quoted short: {stderr}");
}

#[test]
fn a_message_over_the_limit_is_skipped_and_the_server_goes_on() {
    let mut server = Server::initialized();
    let length = postlint::server::MAX_MESSAGE_BYTES + 1;
    let mut stdin = server.stdin.take().expect("stdin");
    // Written from another thread: the server answers while the bytes still come.
    let writer = std::thread::spawn(move || {
        stdin.write_all(format!("Content-Length: {length}\r\n\r\n").as_bytes())?;
        let chunk = vec![b' '; 1 << 20];
        let mut left = length as usize;
        while left > 0 {
            let n = left.min(chunk.len());
            stdin.write_all(&chunk[..n])?;
            left -= n;
        }
        stdin.write_all(&frame(hover(json!(2)).to_string().as_bytes()))?;
        stdin.flush()?;
        Ok::<_, std::io::Error>(stdin)
    });
    let shown = server.notification("window/showMessage");
    assert!(
        shown["message"]
            .as_str()
            .expect("text")
            .contains(&format!("a message of {length} bytes was skipped")),
        "{shown}"
    );
    assert_eq!(server.response(&json!(2))["result"], Value::Null);
    server.stdin = Some(
        writer
            .join()
            .expect("the writer")
            .expect("the server reads it all"),
    );
    server.shut_down();
    let (status, stderr) = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn malformed_messages_after_initialize_get_an_error_and_the_server_goes_on() {
    let mut server = Server::initialized();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: [(&[u8], Value, i64); 7] = [
        (b"{not json", Value::Null, -32700),
        (b"{\"method\":\"\xff\xfe\"}", Value::Null, -32700),
        (deep.as_bytes(), Value::Null, -32700),
        (b"", Value::Null, -32700),
        (b"[{\"id\":1,\"method\":\"shutdown\"}]", Value::Null, -32600),
        (
            br#"{"id":null,"method":"textDocument/hover"}"#,
            Value::Null,
            -32600,
        ),
        (br#"{"id":4,"method":5}"#, json!(4), -32600),
    ];
    for (body, id, code) in cases {
        server.write(&frame(body));
        let reply = server.response(&id);
        assert_eq!(reply["error"]["code"], code, "{reply}");
    }
    server.send(&hover(json!(5)));
    assert_eq!(server.response(&json!(5))["result"], Value::Null);
    server.shut_down();
    let (status, stderr) = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("postlint server: a message is not JSON: key must be a string"),
        "{stderr}"
    );
    assert!(stderr.len() < 2000, "nothing quoted at length: {stderr}");
}

#[test]
fn before_initialize_a_malformed_message_gets_a_clear_answer() {
    let mut server = Server::start();
    server.write(&frame(b"{not json"));
    let reply = server.response(&Value::Null);
    assert_eq!(reply["error"]["code"], -32700);
    let message = reply["error"]["message"].as_str().expect("text");
    assert!(
        message.ends_with("(the server is waiting for `initialize`)"),
        "{message}"
    );
    server.send(&hover(json!("early")));
    let early = server.response(&json!("early"));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    // The session starts all the same.
    server.send(&request(
        json!(1),
        "initialize",
        json!({"capabilities": {}}),
    ));
    assert!(server.response(&json!(1))["result"]["capabilities"].is_object());
    server.shut_down();
    let (status, stderr) = server.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("waiting for `initialize`"), "{stderr}");
}

#[test]
fn a_person_typing_at_the_server_is_told_what_it_is() {
    let mut server = Server::start();
    server.write(b"hello\n");
    let (status, stderr) = server.finish();
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("`hello` is not a header line")
            && stderr.contains("speaks the Language Server Protocol on standard input"),
        "{stderr}"
    );
}

#[test]
fn exit_codes_follow_the_protocol() {
    let exit = notification("exit", Value::Null);
    // `exit` with no `shutdown` before it, after `initialize` or before: 1.
    let mut server = Server::initialized();
    server.send(&exit);
    assert_eq!(server.finish().0.code(), Some(1));
    let mut server = Server::start();
    server.send(&exit);
    assert_eq!(server.finish().0.code(), Some(1));
    // The input closed without `shutdown`: 1, and why.
    let (status, stderr) = Server::initialized().finish();
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("the client closed the connection without `shutdown`"),
        "{stderr}"
    );
    // After `shutdown`, requests are refused; `exit` or the end of input is a clean end.
    let mut server = Server::initialized();
    server.send(&request(json!(2), "shutdown", Value::Null));
    assert_eq!(server.response(&json!(2))["result"], Value::Null);
    server.send(&hover(json!(3)));
    assert_eq!(server.response(&json!(3))["error"]["code"], -32600);
    assert_eq!(server.finish().0.code(), Some(0));
    let mut server = Server::initialized();
    server.shut_down();
    assert_eq!(server.finish().0.code(), Some(0));
}

#[test]
fn an_overlong_header_is_refused_and_not_echoed() {
    let mut server = Server::initialized();
    let mut line = b"X-Long: ".to_vec();
    line.extend(std::iter::repeat_n(b'a', 1 << 20));
    line.extend(b"\r\n\r\n");
    server.write(&line);
    let (status, stderr) = server.finish();
    assert_no_panic(status, &stderr);
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("headers are longer than 8192 bytes"),
        "{stderr}"
    );
    assert!(stderr.len() < 400, "{} bytes on stderr", stderr.len());
}

#[test]
fn an_endless_header_is_refused_after_its_limit() {
    let mut server = Server::initialized();
    let mut stdin = server.stdin.take().expect("stdin");
    // 1 GiB with no line end, from another thread: the server stops reading long before.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        let mut written = 0u64;
        while written < 1 << 30 && stdin.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        written
    });
    let (status, stderr) = server.finish();
    assert_no_panic(status, &stderr);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("headers are longer than"), "{stderr}");
    assert!(writer.join().expect("writer") < 1 << 30);
}

#[test]
fn requests_with_any_id_are_answered_with_that_id() {
    let mut server = Server::initialized();
    let ids = [
        "\"abc\"",
        "\"\"",
        "0",
        "-3",
        "2147483648",
        "5000000000",
        "9007199254740993",
        "18446744073709551615",
        "1.5",
    ];
    for id in ids {
        let text = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"file:///x.json"}},"position":{{"line":0,"character":0}}}}}}"#
        );
        server.write(&frame(text.as_bytes()));
        let expected: Value = serde_json::from_str(id).expect("an id");
        let reply = server.response(&expected);
        assert_eq!(reply["result"], Value::Null, "{reply}");
    }
    // An error answer keeps the id too.
    server.send(&request(
        json!(9_007_199_254_740_993u64),
        "no/such",
        json!({}),
    ));
    let reply = server.response(&json!(9_007_199_254_740_993u64));
    assert_eq!(reply["error"]["code"], -32601);
    server.shut_down();
    assert_eq!(server.finish().0.code(), Some(0));
}

#[test]
fn a_flood_of_malformed_messages_is_answered_but_logged_only_at_first() {
    let mut server = Server::initialized();
    let mut stdin = server.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let flood: Vec<u8> = (0..5000).flat_map(|_| frame(b"{not json")).collect();
        stdin.write_all(&flood).map(|()| stdin)
    });
    for _ in 0..5000 {
        assert_eq!(server.response(&Value::Null)["error"]["code"], -32700);
    }
    server.stdin = Some(writer.join().expect("writer").expect("written"));
    server.shut_down();
    let (status, stderr) = server.finish();
    assert_eq!(status.code(), Some(0));
    assert_eq!(stderr.lines().count(), 101, "{stderr}");
    assert!(stderr.ends_with("further faults are answered, not logged\n"));
}
