//! The link checker at scale (issue #19, part 4): 100,000 distinct URLs on 500 local servers
//! that each answer after 20 ms, interleaved across the servers and then grouped by server;
//! the wall time against the ideal (URLs / allowed concurrency x 20 ms), the growth of this
//! process's peak memory across the check, the release binary's peak memory checking the same
//! URLs from posts, and the time to save and load a cache of 100,000 entries.

use std::time::{Duration, Instant};

use postlint::links::cache::{LinkCache, Ttl};
use postlint::links::outcome::Hop;
use postlint::links::remote::{CheckOptions, Checked, Outcome, check_all};

const SERVERS: usize = 500;
const URLS: usize = 100_000;
const ANSWER_AFTER: Duration = Duration::from_millis(20);

pub fn run(binary: &str) {
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let ports = start_servers(&runtime);
    let per_server = URLS / SERVERS;
    let interleaved: Vec<(usize, usize)> = (0..URLS).map(|i| (i % SERVERS, i)).collect();
    let grouped: Vec<(usize, usize)> = (0..URLS).map(|i| (i / per_server, i)).collect();
    for (order, pairs) in [("interleaved", interleaved), ("grouped", grouped)] {
        let urls = pairs
            .iter()
            .filter_map(|(server, page)| {
                url::Url::parse(&format!(
                    "http://127.0.0.1:{}/{order}/{page}",
                    ports[*server]
                ))
                .ok()
            })
            .collect();
        time_check(order, urls);
    }
    whole_process(binary, &ports);
    drop(runtime);
    cache_round_trip();
}

/// The servers take 500 listening sockets, and the checker's connections come on top.
fn raise_open_file_limit() {
    // SAFETY: plain C structs the kernel reads and fills.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn start_servers(runtime: &tokio::runtime::Runtime) -> Vec<u16> {
    (0..SERVERS)
        .map(|_| {
            let listener = runtime
                .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                .expect("bind");
            let port = listener.local_addr().expect("address").port();
            runtime.spawn(slow_server(listener));
            port
        })
        .collect()
}

fn options() -> CheckOptions {
    CheckOptions {
        allow_private: true,
        ..CheckOptions::default()
    }
}

/// The ideal: every allowed slot busy all the time.
fn ideal(urls: usize) -> Duration {
    let options = options();
    let concurrency = options.concurrency.min(options.per_host * SERVERS);
    ANSWER_AFTER * (urls.div_ceil(concurrency) as u32)
}

fn time_check(order: &str, urls: Vec<url::Url>) {
    let count = urls.len();
    let ideal = ideal(count);
    let before = rss_kb("VmRSS");
    reset_peak_rss();
    let start = Instant::now();
    let results = check_all(urls, &options(), &|_, _, _| {});
    let wall = start.elapsed();
    let peak = rss_kb("VmHWM");
    let working = results
        .values()
        .filter(|o| matches!(o.outcome, Outcome::Ok { .. }))
        .count();
    drop(results);
    println!(
        "links, {order}: {count} URLs on {SERVERS} servers answering after {} ms: {:.2} s, ideal {:.2} s ({:.2}x); {working} working; this process's peak RSS grew by {} MB",
        ANSWER_AFTER.as_millis(),
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        wall.as_secs_f64() / ideal.as_secs_f64(),
        peak.saturating_sub(before) / 1024,
    );
}

/// A line of /proc/self/status in kB (`VmRSS`, `VmHWM`), 0 where there is none.
fn rss_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Lets VmHWM start again from the current size (Linux 4.0 and later).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The release binary checking the links of 1,000 posts of 100 links each (the same 100,000
/// URLs, interleaved): its peak resident size and wall time, lint and report included.
fn whole_process(binary: &str, ports: &[u16]) {
    let dir = std::env::temp_dir().join("postlint-bench-links");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("links.ndjson");
    if std::fs::write(&file, posts_linking(ports)).is_err() {
        return;
    }
    let start = Instant::now();
    let child = std::process::Command::new(binary)
        .args([
            "check",
            "--no-config",
            "--links",
            "--allow-private",
            "--no-cache",
        ])
        // Every link here is to 127.0.0.1, which this rule reports in each post (100,000
        // findings, 60 MB): not what is measured.
        .args(["--ignore", "link-editor-only"])
        .args([
            "--no-archive",
            "--format",
            "json",
            "--statistics",
            "--fail-on",
            "never",
        ])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return };
    let (status, peak_kb) = wait_with_peak_rss(&mut child);
    let wall = start.elapsed();
    println!(
        "links, whole process: {URLS} URLs in 1,000 posts: {:.2} s, ideal {:.2} s ({:.2}x); peak RSS {} MB; exit {status}",
        wall.as_secs_f64(),
        ideal(URLS).as_secs_f64(),
        wall.as_secs_f64() / ideal(URLS).as_secs_f64(),
        peak_kb / 1024,
    );
    let _ = std::fs::remove_file(&file);
}

fn posts_linking(ports: &[u16]) -> String {
    let mut out = String::new();
    for post in 0..URLS / 100 {
        let mut content = String::from("<p>Sources:</p><ul>");
        for link in 0..100 {
            let page = post * 100 + link;
            let port = ports[page % ports.len()];
            content.push_str(&format!(
                "<li><a href=\\\"http:\\/\\/127.0.0.1:{port}\\/whole\\/{page}\\\">source {page}<\\/a><\\/li>"
            ));
        }
        content.push_str("<\\/ul>");
        out.push_str(&format!(
            "{{\"id\":{post},\"link\":\"https:\\/\\/news.example\\/p\\/{post}\\/\",\"title\":{{\"rendered\":\"Post {post}\"}},\"content\":{{\"rendered\":\"{content}\"}}}}\n"
        ));
    }
    out
}

/// Waits for `child`; its exit code and peak resident size (kB), from the kernel's accounting.
pub fn wait_with_peak_rss(child: &mut std::process::Child) -> (i32, i64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct the kernel fills; `pid` is our own child.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        usage
    };
    let _ = child.try_wait();
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

/// Saves a cache of 100,000 entries and loads it again: each under a second is the target.
fn cache_round_trip() {
    let dir = std::env::temp_dir().join("postlint-bench-cache");
    let _ = std::fs::remove_dir_all(&dir);
    let Ok((mut cache, _)) = LinkCache::open(&dir, Ttl::default()) else {
        eprintln!("cache round trip: {} is a symbolic link", dir.display());
        return;
    };
    for i in 0..URLS {
        let url = format!(
            "https://site{}.example/2024/07/{i}/a-post-about-something/",
            i % 500
        );
        cache.put(url.clone(), cached_result(i, url));
    }
    let start = Instant::now();
    let saved = cache.save();
    let save = start.elapsed();
    drop(cache);
    let bytes = std::fs::metadata(dir.join("links.json")).map_or(0, |m| m.len());
    let start = Instant::now();
    let Ok((cache, warning)) = LinkCache::open(&dir, Ttl::default()) else {
        eprintln!("cache round trip: {} is a symbolic link", dir.display());
        return;
    };
    let load = start.elapsed();
    let found = (0..URLS)
        .filter(|i| {
            let url = format!(
                "https://site{}.example/2024/07/{i}/a-post-about-something/",
                i % 500
            );
            cache.get(&url).is_some()
        })
        .count();
    println!(
        "links cache: {URLS} entries, {} MB: saved in {:.3} s{}, loaded in {:.3} s ({found} found{})",
        bytes / (1 << 20),
        save.as_secs_f64(),
        saved
            .err()
            .map(|e| format!(" (failed: {e})"))
            .unwrap_or_default(),
        load.as_secs_f64(),
        warning.map(|w| format!("; {w}")).unwrap_or_default(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Mostly working links answered at once, a tenth through a permanent redirect, a few broken.
fn cached_result(i: usize, url: String) -> Checked {
    let outcome = match i % 20 {
        0 | 1 => Outcome::Redirect {
            status: 301,
            final_url: format!("{url}amp/"),
        },
        2 => Outcome::Broken {
            reason: "404 Not Found".to_owned(),
        },
        _ => Outcome::Ok { status: 200 },
    };
    let mut hops = vec![Hop {
        url: url.clone(),
        status: 200,
    }];
    if let Outcome::Redirect { final_url, .. } = &outcome {
        hops[0].status = 301;
        hops.push(Hop {
            url: final_url.clone(),
            status: 200,
        });
    }
    Checked {
        hops,
        ..Checked::new(outcome)
    }
}

async fn slow_server(listener: tokio::net::TcpListener) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let mut buffer = [0u8; 2048];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            tokio::time::sleep(ANSWER_AFTER).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
        });
    }
}
