//! One large file read as a pipeline (windows of pieces parsed in parallel, the next window
//! read and cut while one is linted) gives the report of one thread, byte for byte, whatever
//! damage lies at or around the seams between pieces and windows.

use std::path::PathBuf;

use postlint::engine::LintOptions;
use postlint::report;
use proptest::prelude::*;

fn post(id: usize) -> serde_json::Value {
    let html = format!(
        "<p>text {id}</p><span></span><a href=\"https://example.org/{}\">a</a>{}",
        id % 7,
        if id.is_multiple_of(3) {
            "<p></p>\n<b><i>x</b></i>"
        } else {
            "caf\u{e9} \u{2019}"
        }
    );
    serde_json::json!({
        "id": id,
        "date": format!("2024-03-01T{:02}:00:00", id % 24),
        "date_gmt": "2024-03-01T10:00:00",
        "slug": format!("post-{}", id % 3),
        "link": format!("https://example.org/2024/03/01/post-{id}/"),
        "title": {"rendered": format!("Title {}", id % 4)},
        "content": {"rendered": html},
    })
}

/// The file's text in one of three layouts.
fn layout(kind: usize, posts: usize) -> String {
    let values: Vec<serde_json::Value> = (0..posts).map(post).collect();
    let lines: Vec<String> = values.iter().map(|p| p.to_string()).collect();
    match kind {
        0 => lines.join("\n") + "\n",
        1 => format!("[{}]", lines.join(",")),
        _ => serde_json::to_string_pretty(&values).expect("json"),
    }
}

/// Damage written into the text at a place.
const DAMAGE: &[&str] = &[
    "\n",
    "\"",
    "{",
    "[",
    "]",
    "}",
    ",",
    "\\",
    "\n\n",
    "garbage\n",
    "]x",
    "\"\n",
    "\\\"",
    "{\"a\":",
];

pub fn json_report(paths: &[PathBuf], threads: usize, options: LintOptions) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let options = LintOptions {
        now: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        ..options
    };
    pool.install(|| report::json::render(&postlint::check(paths, options)))
}

/// `text` written to a file of its own, and options that read it in pieces of `seg` bytes
/// with posts of at most `max_post_bytes`.
fn at_seams(
    text: &str,
    seg: usize,
    max_post_bytes: usize,
) -> (tempfile::TempDir, [PathBuf; 1], LintOptions) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.json");
    std::fs::write(&path, text).expect("write");
    let options = LintOptions {
        segment_bytes: seg,
        max_post_bytes,
        ..LintOptions::default()
    };
    (dir, [path], options)
}

fn damaged(
    mut text: String,
    seg: usize,
    ops: &[(usize, i64, usize)],
    cut: Option<(usize, i64)>,
) -> String {
    for &(k, delta, what) in ops {
        let seams = (text.len() / seg).max(1);
        let at = ((k % seams + 1) * seg) as i64 + delta;
        let at = (at.max(0) as usize).min(text.len());
        if text.is_char_boundary(at) {
            text.insert_str(at, DAMAGE[what % DAMAGE.len()]);
        }
    }
    if let Some((k, delta)) = cut {
        let seams = (text.len() / seg).max(1);
        let at = ((k % seams + 1) * seg) as i64 + delta;
        let at = (at.max(0) as usize).min(text.len());
        if text.is_char_boundary(at) {
            text.truncate(at);
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn damage_at_the_seams_gives_the_report_of_one_thread(
        kind in 0usize..3,
        posts in 4usize..60,
        seg in 64usize..2048,
        ops in prop::collection::vec((0usize..64, -4i64..5, 0usize..64), 0..4),
        cut in prop::option::of((0usize..64, -4i64..5)),
        small_limit in any::<bool>(),
    ) {
        let text = damaged(layout(kind, posts), seg, &ops, cut);
        let limit = if small_limit { 4 * seg } else { usize::MAX / 2 };
        let (_dir, paths, options) = at_seams(&text, seg, limit);
        let one = json_report(&paths, 1, options.clone());
        for threads in [2, 4] {
            let many = json_report(&paths, threads, options.clone());
            prop_assert!(one == many, "{} threads differ:\n{}\n---\n{}", threads, one, many);
        }
    }
}

/// Where each post of `text` (in one of `layout`'s three layouts) starts: the places between
/// posts, where a window may split a segment within.
fn post_starts(text: &str) -> Vec<usize> {
    let mark = if text.starts_with("[\n") {
        "\n  {"
    } else {
        "{\""
    };
    let mut starts: Vec<usize> = text.match_indices(mark).map(|(at, _)| at).collect();
    // Compact posts hold no `{"` but at their start and in `title`'s value.
    starts.retain(|&at| !text[..at].ends_with(':'));
    starts
}

/// Damage written near the starts of posts (`ops`: which post, how far from its start, what).
fn damaged_between_posts(mut text: String, ops: &[(usize, i64, usize)]) -> String {
    for &(k, delta, what) in ops {
        let starts = post_starts(&text);
        let Some(&start) = starts.get(k % starts.len().max(1)) else {
            continue;
        };
        let at = (start as i64 + delta).clamp(0, text.len() as i64) as usize;
        if text.is_char_boundary(at) {
            text.insert_str(at, DAMAGE[what % DAMAGE.len()]);
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Damage at places between posts, where a window's pieces split a segment within (and at
    /// segments' ends), the file maybe ending inside a post, posts maybe larger than a piece,
    /// the post limit maybe at a window's size: the report of one thread on 2, 3 and 8.
    #[test]
    fn damage_where_a_segment_is_split_gives_the_report_of_one_thread(
        kind in 0usize..3,
        posts in 8usize..60,
        seg in 200usize..3000,
        ops in prop::collection::vec((0usize..64, -3i64..4, 0usize..64), 1..4),
        cut in prop::option::of(0usize..64),
        limit in 0usize..3,
    ) {
        let mut text = damaged_between_posts(layout(kind, posts), &ops);
        if let Some(k) = cut {
            let starts = post_starts(&text);
            let at = starts.get(k % starts.len().max(1)).map_or(text.len(), |&at| at + 9);
            if text.is_char_boundary(at.min(text.len())) {
                text.truncate(at.min(text.len()));
            }
        }
        let limit = [2 * seg, 4 * seg, usize::MAX / 2][limit];
        let (_dir, paths, options) = at_seams(&text, seg, limit);
        let one = json_report(&paths, 1, options.clone());
        for threads in [2, 3, 8] {
            let many = json_report(&paths, threads, options.clone());
            prop_assert!(one == many, "{} threads differ:\n{}\n---\n{}", threads, one, many);
        }
    }
}

/// Bytes that are not UTF-8 on lines of their own between NDJSON posts: each segment's pieces
/// end where the scan said, yet `invalid-utf8` groups a segment's stray bytes outside posts
/// into one finding, so a segment split between two of them reads otherwise: it is read whole.
#[test]
fn stray_bytes_between_posts_give_the_report_of_one_thread() {
    let lines: Vec<String> = (0..40).map(|id| post(id).to_string()).collect();
    let mut text = Vec::new();
    for line in &lines {
        text.extend_from_slice(line.as_bytes());
        text.extend_from_slice(b"\n\xE9\n");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("posts.ndjson");
    std::fs::write(&path, &text).expect("write");
    let seg = 3 * lines[0].len();
    let options = LintOptions {
        segment_bytes: seg,
        ..LintOptions::default()
    };
    let paths = [path];
    let one = json_report(&paths, 1, options.clone());
    assert!(one.contains("more invalid sequences"), "{one}");
    for threads in [2, 3, 8] {
        let many = json_report(&paths, threads, options.clone());
        assert!(one == many, "{threads} threads differ:\n{one}\n---\n{many}");
    }
}

/// A closing brace after a piece of a pretty-printed array, on four threads with the post limit
/// at a window: the window disagrees and is given back holding the next window read ahead,
/// which was taken for a post past the limit (the file's rest went unlinted).
#[test]
fn a_window_given_back_holding_the_next_is_no_post_past_the_limit() {
    let seg = 625;
    let text = damaged(layout(2, 48), seg, &[(26, 0, 4)], None);
    let (_dir, paths, options) = at_seams(&text, seg, 4 * seg);
    let one = json_report(&paths, 1, options.clone());
    assert!(!one.contains("larger than the limit"), "{one}");
    assert!(one == json_report(&paths, 4, options), "4 threads differ");
}

/// A reader that fails after `left` bytes, as a FIFO whose writer died or a disk error may.
struct FailsAfter<'a> {
    bytes: &'a [u8],
    left: usize,
}

impl std::io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("the writer went away"));
        }
        let n = buf.len().min(self.left).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        (self.bytes, self.left) = (&self.bytes[n..], self.left - n);
        Ok(n)
    }
}

/// A read that fails in the middle of a read-ahead (or of any piece) fails the file on every
/// thread count: no window's findings are reported as if the file had ended there.
#[test]
fn a_read_error_at_any_seam_fails_the_file_on_any_number_of_threads() {
    let seg = 512;
    let text = layout(0, 40);
    let linter = postlint::engine::Linter::new(
        std::sync::Arc::new(postlint::config::Config::builtin(postlint::rules::REGISTRY)),
        LintOptions {
            segment_bytes: seg,
            ..LintOptions::default()
        },
    );
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        for at in (seg..text.len())
            .step_by(seg)
            .flat_map(|s| [s - 1, s, s + 1, s + 7])
        {
            let file =
                postlint::source::SourceFile::in_memory("f.ndjson", text.clone().into_bytes());
            let reader = FailsAfter {
                bytes: text.as_bytes(),
                left: at,
            };
            let linted = pool.install(|| linter.lint_file_to(file, reader, None));
            assert!(
                linted.is_err(),
                "{threads} threads, failing at {at}: read as whole"
            );
        }
    }
}
