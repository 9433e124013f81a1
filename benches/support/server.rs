//! The language server's re-lint of a large one-line export (`-- server`): the release binary's
//! `server` over its pipes, as an editor drives it, a 4 MB one-line JSON array open, then
//! full-text changes; the wall time from each change to its diagnostics, and the server's CPU.

use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

/// The export's size: a site's whole export as one line, what an editor opens.
const EXPORT_BYTES: usize = 4 << 20;
const CHANGES: usize = 15;
/// A guard against a server that never answers, not a wait: messages are read as they come.
const NO_ANSWER: Duration = Duration::from_secs(120);

pub fn run(binary: &str) {
    let (posts, export) = export(EXPORT_BYTES);
    let dir = std::env::temp_dir().join("postlint-bench-server");
    let _ = std::fs::create_dir_all(&dir);
    let uri = url::Url::from_file_path(dir.join("export.json")).expect("an absolute path");
    let mut server = Server::start(binary, &dir);
    let opened = server.change(&uri, 1, &export);
    let cpu_before = server.cpu();
    let times: Vec<Duration> = (0..CHANGES)
        .map(|i| {
            // A change the server cannot tell from an edit: the text differs each time.
            let text = format!("{export}{}", " ".repeat(i + 1));
            server.change(&uri, i as i32 + 2, &text)
        })
        .collect();
    let threads = per_change(&cpu_before, &server.cpu());
    server.shut_down();
    let cpu: f64 = threads.iter().map(|(_, ms)| ms).sum();
    let mut sorted = times.clone();
    sorted.sort();
    println!(
        "server, a {:.1} MB one-line export of {posts} posts: open {:.0} ms; re-lint after a \
         full-text change {:.0} ms wall (median of {CHANGES}, {:.0}-{:.0}), {:.0} ms of the \
         server's CPU each (mean)",
        export.len() as f64 / 1e6,
        opened.as_secs_f64() * 1e3,
        sorted[CHANGES / 2].as_secs_f64() * 1e3,
        sorted[0].as_secs_f64() * 1e3,
        sorted[CHANGES - 1].as_secs_f64() * 1e3,
        cpu,
    );
    // The busiest thread bounds a re-lint on any number of cores.
    let busiest: Vec<String> = (threads.iter().take(4))
        .map(|(thread, ms)| format!("{ms:.0} ms on thread {thread}"))
        .collect();
    println!("server, CPU per re-lint by thread: {}", busiest.join(", "));
}

/// Posts of the real corpus (generated ones when `../shared` is absent) as one JSON array on
/// one line, up to `bytes`; the number of posts and the text.
fn export(bytes: usize) -> (usize, String) {
    let posts = corpus_posts().unwrap_or_else(generated_posts);
    let mut taken: Vec<Value> = Vec::new();
    let mut size = 2;
    for post in posts {
        let length = serde_json::to_string(&post).map_or(0, |text| text.len()) + 1;
        if size + length > bytes {
            break;
        }
        size += length;
        taken.push(post);
    }
    let count = taken.len();
    let text = serde_json::to_string(&Value::Array(taken)).expect("JSON values serialize");
    (count, text)
}

fn corpus_posts() -> Option<Vec<Value>> {
    let root = Path::new("../shared/corpus/posts");
    if !root.exists() {
        eprintln!("server: ../shared/corpus is absent, generated posts instead");
        return None;
    }
    let mut files = Vec::new();
    for source in std::fs::read_dir(root).ok()? {
        for file in std::fs::read_dir(source.ok()?.path()).ok()? {
            files.push(file.ok()?.path());
        }
    }
    files.sort();
    let posts = files.iter().filter_map(|path| {
        let text = std::fs::read(path).ok()?;
        serde_json::from_slice::<Value>(&text).ok()
    });
    // A file holds a post or an array of them.
    let posts = posts.flat_map(|value| match value {
        Value::Array(posts) => posts,
        post => vec![post],
    });
    Some(posts.filter(Value::is_object).collect())
}

fn generated_posts() -> Vec<Value> {
    let mut rng = super::generator::Rng::new(11);
    (1..=2_000)
        .filter_map(|id| {
            let size = super::generator::body_size(&mut rng);
            serde_json::from_str(&super::generator::post(&mut rng, id, size)).ok()
        })
        .collect()
}

/// The server process and the messages it writes, each with the time it was read.
struct Server {
    child: std::process::Child,
    stdin: ChildStdin,
    messages: Receiver<(Instant, Message)>,
}

impl Server {
    fn start(binary: &str, dir: &Path) -> Self {
        let mut child = Command::new(binary)
            .args(["server", "--no-config"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start postlint server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if sender.send((Instant::now(), message)).is_err() {
                    break;
                }
            }
        });
        let mut server = Self {
            child,
            stdin,
            messages,
        };
        let root = url::Url::from_directory_path(dir).expect("an absolute path");
        let id = RequestId::from(1);
        let params = json!({"processId": null, "rootUri": root, "capabilities": {}});
        server.send(Request::new(id.clone(), "initialize".to_owned(), params).into());
        server.wait_for(|message| matches!(message, Message::Response(r) if r.id == id));
        server.notify("initialized", json!({}));
        server
    }

    /// Opens (`version` 1) or changes the document to `text`; the wall time from the start of
    /// the message to the diagnostics of that version.
    fn change(&mut self, uri: &url::Url, version: i32, text: &str) -> Duration {
        let start = Instant::now();
        if version == 1 {
            let document = json!({"uri": uri, "languageId": "json", "version": 1, "text": text});
            self.notify("textDocument/didOpen", json!({"textDocument": document}));
        } else {
            let params = json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            });
            self.notify("textDocument/didChange", params);
        }
        let published = self.wait_for(|message| {
            matches!(message, Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["version"] == json!(version))
        });
        published.duration_since(start)
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.to_owned(), params).into());
    }

    fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    /// Reads until a message `wanted` says is the one; when it was read.
    fn wait_for(&mut self, wanted: impl Fn(&Message) -> bool) -> Instant {
        loop {
            let (read_at, message) = (self.messages.recv_timeout(NO_ANSWER))
                .expect("the server answers within two minutes");
            if wanted(&message) {
                return read_at;
            }
        }
    }

    /// The server's user and system CPU so far, by thread (task id and name), from the
    /// kernel's accounting.
    fn cpu(&self) -> Vec<(String, Duration)> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id()));
        let tasks = tasks.into_iter().flatten().flatten();
        let mut threads: Vec<(String, Duration)> = tasks
            .filter_map(|task| {
                let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
                let (head, fields) = stat.rsplit_once(')')?;
                let name = head.split_once('(').map_or("", |(_, name)| name);
                let tid = task.file_name().to_string_lossy().into_owned();
                Some((format!("{tid} {name}"), task_cpu(fields)))
            })
            .collect();
        threads.sort();
        threads
    }

    fn shut_down(mut self) {
        let id = RequestId::from(2);
        self.send(Request::new(id.clone(), "shutdown".to_owned(), Value::Null).into());
        self.wait_for(|message| matches!(message, Message::Response(r) if r.id == id));
        self.notify("exit", Value::Null);
        drop(self.stdin);
        let _ = self.child.wait();
    }
}

/// The user and system time of a task from the fields of its `stat` after the command's name:
/// utime and stime are the 12th and 13th, in clock ticks.
fn task_cpu(fields: &str) -> Duration {
    let ticks: Vec<u64> = (fields.split_whitespace())
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    let used = ticks.get(11).unwrap_or(&0) + ticks.get(12).unwrap_or(&0);
    // SAFETY: `sysconf` reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_secs_f64(used as f64 / per_second as f64)
}

/// Each thread's CPU between two readings, per change, busiest first.
fn per_change(before: &[(String, Duration)], after: &[(String, Duration)]) -> Vec<(String, f64)> {
    let mut used: Vec<(String, f64)> = (after.iter())
        .map(|(thread, total)| {
            let earlier = before.iter().find(|(name, _)| name == thread);
            let spent = total.saturating_sub(earlier.map_or(Duration::ZERO, |(_, d)| *d));
            (thread.clone(), spent.as_secs_f64() * 1e3 / CHANGES as f64)
        })
        .collect();
    used.sort_by(|a, b| b.1.total_cmp(&a.1));
    used
}
