//! A small HTTP/1.1 server on 127.0.0.1 for the link checker's and the site reader's tests: it
//! answers by path as a test tells it, counts requests and connections, and stops when dropped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server does for one request.
pub enum Reply {
    Status(u16, Vec<(String, String)>),
    /// A status, headers and a body.
    Body(u16, Vec<(String, String)>, Vec<u8>),
    /// Never answers.
    Hang,
    /// Closes the connection without a word.
    Reset,
    /// Announces a body of this many bytes and sends it slowly, until the client goes away.
    Endless(u64),
    /// A status, headers and a body whose full length is announced, but only its first half is
    /// sent before the connection is closed: a body cut short.
    CutShort(u16, Vec<(String, String)>, Vec<u8>),
    /// Like `CutShort`, but the connection stays open after the first half: the client's
    /// timeout strikes while it reads the body.
    Stalls(u16, Vec<(String, String)>, Vec<u8>),
    /// Waits this long, then replies.
    Slow(std::time::Duration, Box<Reply>),
    /// A status and headers, then a chunked body that never ends: this chunk again and again
    /// until the client goes away.
    EndlessChunks(u16, Vec<(String, String)>, Vec<u8>),
}

pub type Route = dyn Fn(&str, &str, usize) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    heads: Arc<Mutex<Vec<String>>>,
    pub connections: Arc<AtomicUsize>,
    pub body_bytes_sent: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server; `route(method, path, nth)` answers the nth request (from 1) for a path.
    pub fn start(route: impl Fn(&str, &str, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let body_bytes_sent = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let route: Arc<Route> = Arc::new(route);
        let (h, c, b) = (hits.clone(), connections.clone(), body_bytes_sent.clone());
        let recorded = heads.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    _ = stopped => {}
                    _ = accept_loop(listener, route, h, recorded, c, b) => {}
                }
            });
        });
        Self {
            addr,
            hits,
            heads,
            connections,
            body_bytes_sent,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests seen for `METHOD path`.
    pub fn hits(&self, method: &str, path: &str) -> usize {
        let hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.get(&format!("{method} {path}")).copied().unwrap_or(0)
    }

    /// Every request's head (request line and headers), in the order they came.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn total_hits(&self) -> usize {
        self.hits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    route: Arc<Route>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    heads: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
    body_bytes_sent: Arc<AtomicUsize>,
) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        connections.fetch_add(1, Ordering::SeqCst);
        let (route, hits, sent) = (route.clone(), hits.clone(), body_bytes_sent.clone());
        let heads = heads.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head);
            heads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(text.to_string());
            let mut parts = text.split_whitespace();
            let (method, path) = (
                parts.next().unwrap_or("").to_owned(),
                parts.next().unwrap_or("").to_owned(),
            );
            let nth = {
                let mut hits = hits.lock().unwrap_or_else(|e| e.into_inner());
                let count = hits.entry(format!("{method} {path}")).or_insert(0);
                *count += 1;
                *count
            };
            let mut reply = route(&method, &path, nth);
            while let Reply::Slow(delay, inner) = reply {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            match reply {
                Reply::Slow(..) => {} // unwrapped by the loop above
                Reply::Status(code, headers) => {
                    let mut response = format!(
                        "HTTP/1.1 {code} Status\r\nContent-Length: 0\r\nConnection: close\r\n"
                    );
                    for (name, value) in headers {
                        response.push_str(&format!("{name}: {value}\r\n"));
                    }
                    response.push_str("\r\n");
                    let _ = socket.write_all(response.as_bytes()).await;
                }
                Reply::Body(code, headers, body) => {
                    let mut bytes = head_of(code, &headers, body.len());
                    if method != "HEAD" {
                        bytes.extend_from_slice(&body);
                    }
                    let _ = socket.write_all(&bytes).await;
                }
                Reply::CutShort(code, headers, body) => {
                    let mut bytes = head_of(code, &headers, body.len());
                    bytes.extend_from_slice(&body[..body.len() / 2]);
                    let _ = socket.write_all(&bytes).await;
                    // A clean close (FIN) halfway: the client sees fewer bytes than announced.
                    let _ = socket.shutdown().await;
                }
                Reply::Stalls(code, headers, body) => {
                    let mut bytes = head_of(code, &headers, body.len());
                    bytes.extend_from_slice(&body[..body.len() / 2]);
                    let _ = socket.write_all(&bytes).await;
                    std::future::pending::<()>().await;
                }
                Reply::Hang => {
                    std::future::pending::<()>().await;
                }
                Reply::Reset => {
                    // Zero linger turns the close into a reset (RST).
                    if let Ok(std_socket) = socket.into_std() {
                        let _ = socket2::SockRef::from(&std_socket)
                            .set_linger(Some(std::time::Duration::ZERO));
                        drop(std_socket);
                    }
                }
                Reply::EndlessChunks(code, headers, chunk) => {
                    let mut head = format!(
                        "HTTP/1.1 {code} Status\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                    );
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    if socket.write_all(head.as_bytes()).await.is_err() || chunk.is_empty() {
                        return;
                    }
                    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                    framed.extend_from_slice(&chunk);
                    framed.extend_from_slice(b"\r\n");
                    while socket.write_all(&framed).await.is_ok() {
                        sent.fetch_add(chunk.len(), Ordering::SeqCst);
                    }
                }
                Reply::Endless(length) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
                    );
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    if method == "HEAD" {
                        return;
                    }
                    let chunk = vec![b'x'; 64 * 1024];
                    while socket.write_all(&chunk).await.is_ok() {
                        sent.fetch_add(chunk.len(), Ordering::SeqCst);
                        if sent.load(Ordering::SeqCst) as u64 >= length {
                            break;
                        }
                    }
                }
            }
        });
    }
}

/// The status line and headers of an answer with a body of `length` bytes.
fn head_of(code: u16, headers: &[(String, String)], length: usize) -> Vec<u8> {
    let mut head =
        format!("HTTP/1.1 {code} Status\r\nContent-Length: {length}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}
