//! Posts whose text runs grow without bound, each run made to catch work per match that is
//! proportional to the run (mapping a decoded offset back by lining up the run again, a search
//! to the run's end for each `&`, a scan of every tag for each tag), and the whole-process CPU
//! time of linting them. Shared by `tests/it/linear.rs` and `benches/throughput.rs`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Pattern rules in each of their scopes, so that `rules::pattern` grows with the runs too.
pub const CONFIG: &str = r#"
[[patterns]]
code = "says-ipsum"
regex = "ipsum"
in = "text"
message = "ipsum"

[[patterns]]
code = "html-lorem"
regex = "Lorem"
in = "html"
message = "lorem in the HTML"

[[patterns]]
code = "href-query"
regex = "a=1"
in = "href"
message = "a query"

[[patterns]]
code = "says-here"
regex = "(?i)click here"
in = "link-text"
message = "here"

[[patterns]]
code = "title-ipsum"
regex = "ipsum"
in = "title"
message = "ipsum in the title"
"#;

/// How many runs [`post`] shares its bytes among.
const RUNS: usize = 10;

/// Words between two matches in a run: matches every kilobyte or so, so that a run of `n` bytes
/// holds about `n / 1000` of them (quadratic work shows as `n² / 1000`), and the reports stay
/// small beside the input.
const FILLER: &str = "The quick brown fox jumps over the lazy dog \u{2019}s back. ";

/// One post of about `bytes` bytes whose title, content and excerpt hold ten long text runs,
/// written as WordPress's REST API writes it (`\/` and `\u2019` escapes).
pub fn post(bytes: usize) -> Vec<u8> {
    let run = bytes / RUNS;
    let mut content = String::with_capacity(bytes);
    content.push_str(&paragraph(run, "<p>&amp; ", |i| {
        if i % 2 == 0 {
            "Lorem ipsum "
        } else {
            "dummy text "
        }
        .to_owned()
    }));
    content.push_str("</p>");
    content.push_str(&paragraph(run, "<p>&amp; ", |i| match i % 3 {
        0 => "[gallery ids=\"1\"] ".to_owned(),
        1 => format!("[foo_bar_{i} x=1] "),
        _ => format!("[/zed_{i}] "),
    }));
    content.push_str("</p>");
    // Bare ampersands, references with and without `;`, tags written as text.
    content.push_str(&paragraph(run, "<p>", |i| match i % 4 {
        0 => "& && &#8217; &amp ".to_owned(),
        1 => "&lt;span&gt;x&lt;/span&gt; ".to_owned(),
        2 => "&copy; 2024 &#x2019; ".to_owned(),
        _ => "&nbsp;&zwnj; ".to_owned(),
    }));
    content.push_str("</p>");
    content.push_str(&paragraph(
        run,
        "<p><a href=\"https://example.org/?a=1\">&amp; ",
        |_| "click here ".to_owned(),
    ));
    content.push_str("</a></p>");
    content.push_str(&paragraph(run, "<h2>&amp;\r\n", |_| {
        "a\r\nb\rc ".to_owned()
    }));
    content.push_str("</h2>");
    content.push_str(&long_attribute(run));
    content.push_str(&many_attributes(run));
    content.push_str(&paragraph(run, "<pre>&amp; ", |_| {
        "[gallery] Lorem ipsum ".to_owned()
    }));
    content.push_str("</pre>");
    let title = paragraph(run, "&amp; ", |_| "Lorem ipsum ".to_owned());
    let excerpt = blocks(run);
    let post = serde_json::json!({
        "id": 1,
        "date": "2024-03-01T10:00:00",
        "date_gmt": "2024-03-01T10:00:00",
        "modified": "2024-03-01T10:00:00",
        "modified_gmt": "2024-03-01T10:00:00",
        "status": "publish",
        "type": "post",
        "slug": "long",
        "link": "https://example.org/long/",
        "title": {"rendered": title},
        "content": {"rendered": content},
        "excerpt": {"rendered": excerpt},
    });
    let json = serde_json::to_string(&post).unwrap_or_default();
    json.replace('/', "\\/")
        .replace('\u{2019}', "\\u2019")
        .into_bytes()
}

/// `start`, then filler with `every(i)` after about each kilobyte, to about `bytes` bytes.
fn paragraph(bytes: usize, start: &str, every: impl Fn(usize) -> String) -> String {
    let mut text = String::with_capacity(bytes + 64);
    text.push_str(start);
    let mut i = 0;
    while text.len() < bytes {
        for _ in 0..16 {
            text.push_str(FILLER);
        }
        text.push_str(&every(i));
        i += 1;
    }
    text
}

/// A link whose `href` is one long value full of references.
fn long_attribute(bytes: usize) -> String {
    let mut html = String::from("<p><a href=\"https://example.org/?a=1");
    while html.len() < bytes {
        html.push_str("&amp;b=2&#38;c=\u{2019}");
    }
    html.push_str("\">x</a></p>");
    html
}

/// One start tag with as many attributes as fit, every name distinct.
fn many_attributes(bytes: usize) -> String {
    let mut html = String::from("<p");
    let mut i = 0;
    while html.len() < bytes {
        let _ = write!(html, " data-a{i}=\"&amp;\"");
        i += 1;
    }
    html.push_str(">x</p>");
    html
}

/// Block delimiters with long attributes around long paragraphs (in the excerpt: block
/// delimiters make the content read as unrendered, which some rules skip).
fn blocks(bytes: usize) -> String {
    let mut html = String::with_capacity(bytes + 64);
    let mut i = 0;
    while html.len() < bytes {
        let _ = write!(
            html,
            "<!-- wp:paragraph {{\"className\":\"c{i} --> x\",\"n\":[[[[1]]]]}} --><p>{}</p><!-- /wp:paragraph -->",
            FILLER.repeat(16)
        );
        i += 1;
    }
    html
}

/// What a whole process of the binary cost: its CPU time (user and system, so that other work
/// on a shared machine slows it little) and its exit code.
pub struct Cost {
    pub cpu: Duration,
    pub code: i32,
}

/// Runs `binary` with `args` to its end and reads its CPU time from the kernel. A cap on its
/// address space and on its CPU time (a signal from the kernel, not a timer here) ends a
/// runaway instead of the machine.
pub fn cpu_time_of(binary: &Path, args: &[&std::ffi::OsStr], cpu_cap_seconds: u64) -> Cost {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(binary);
    command
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            for (resource, limit) in [
                (libc::RLIMIT_AS, 2 << 30),
                (libc::RLIMIT_CPU, cpu_cap_seconds),
            ] {
                let limit = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(resource, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let Ok(child) = command.spawn() else {
        return Cost {
            cpu: Duration::ZERO,
            code: -1,
        };
    };
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct the kernel fills; the pid is our own child's.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Cost {
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}
