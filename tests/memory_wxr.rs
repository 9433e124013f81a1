//! A WXR export is read in parts, as JSON files are in segments: a file much larger than the
//! memory bound lints within it. Alone in its test binary, so that the process's peak resident
//! size is this test's (as `tests/memory.rs` for JSON).

use postlint::engine::LintOptions;

/// Peak resident set size of this process, from Linux's /proc; `None` elsewhere.
fn peak_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Archive</title>
<wp:wxr_version>1.2</wp:wxr_version>
"#;

const ITEM: &str = r#"<item>
<title><![CDATA[A post]]></title>
<wp:post_id>7</wp:post_id>
<wp:post_type><![CDATA[post]]></wp:post_type>
<wp:status><![CDATA[publish]]></wp:status>
<content:encoded><![CDATA[<!-- wp:paragraph -->
<p>Some text with an <a href="https://example.org/">ordinary link</a>, written the way WordPress writes it.</p>
<!-- /wp:paragraph -->]]></content:encoded>
</item>
"#;

#[test]
fn an_export_larger_than_the_memory_bound_lints_within_it() {
    let Some(before) = peak_rss_bytes() else {
        eprintln!("skipped: no /proc/self/status on this system");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.xml");
    let count = (160 << 20) / ITEM.len();
    {
        use std::io::Write;
        let file = std::fs::File::create(&path).expect("create");
        let mut out = std::io::BufWriter::new(file);
        out.write_all(HEAD.as_bytes()).expect("write");
        for _ in 0..count {
            out.write_all(ITEM.as_bytes()).expect("write");
        }
        out.write_all(b"</channel>\n</rss>\n").expect("write");
    }
    let outcome = postlint::check(&[path], LintOptions::default());
    assert_eq!(outcome.reports[0].posts, count);
    let grown = peak_rss_bytes().expect("peak") - before;
    assert!(
        grown < 112 << 20,
        "linting a 160 MB export grew the peak resident size by {} MB",
        grown >> 20
    );
}
