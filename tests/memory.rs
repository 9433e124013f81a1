//! Memory stays bounded: a file much larger than the bound lints within it, because posts are
//! read, linted and dropped a segment at a time. Alone in its test binary, so the process's
//! peak resident size is this test's: the one test kept out of `tests/it/` for that reason.

use postlint::engine::LintOptions;

/// Peak resident set size of this process, from Linux's /proc; `None` elsewhere.
fn peak_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn a_file_larger_than_the_memory_bound_lints_within_it() {
    let Some(before) = peak_rss_bytes() else {
        eprintln!("skipped: no /proc/self/status on this system");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("archive.json");
    let post = r#"{"id":1,"title":{"rendered":"T"},"content":{"rendered":"<p>Some text with an <a href=\"https:\/\/example.org\/\">ordinary link<\/a>, written the way WordPress writes it.<\/p>\n"}}"#;
    let count = (160 << 20) / (post.len() + 1);
    {
        use std::io::Write;
        let file = std::fs::File::create(&path).expect("create");
        let mut out = std::io::BufWriter::new(file);
        out.write_all(b"[").expect("write");
        for i in 0..count {
            if i > 0 {
                out.write_all(b",").expect("write");
            }
            out.write_all(post.as_bytes()).expect("write");
        }
        out.write_all(b"]").expect("write");
    }
    let outcome = postlint::check(&[path], LintOptions::default());
    assert_eq!(outcome.reports[0].posts, count);
    let grown = peak_rss_bytes().expect("peak") - before;
    assert!(
        grown < 64 << 20,
        "linting a 160 MB file grew the peak resident size by {} MB",
        grown >> 20
    );
}
