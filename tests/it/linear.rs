//! Every rule is linear in its input: a post whose text runs grow from 1 to 8 MB costs about
//! eight times as much, not sixty-four. The time is the binary's CPU time (a whole process,
//! every rule and pattern scope on, one thread), so a busy machine moves it little; the bound
//! is generous, twice linear, and only quadratic work crosses it. `cargo bench --bench
//! throughput -- linear` prints the times of each rule.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use crate::common::long_runs::{self, Cost};

const MB: usize = 1 << 20;
/// A run that takes longer than this is not linear whatever its size: the kernel ends it.
const CPU_CAP_SECONDS: u64 = 600;

fn lint(dir: &Path, bytes: usize) -> Cost {
    let cost = lint_post(
        dir,
        &format!("long-{}", bytes / MB),
        &long_runs::post(bytes),
    );
    assert_eq!(cost.code, 1, "{} MB: errors are found", bytes / MB);
    cost
}

/// Lints `post`, written as `NAME.json`, with every rule on; the report is `report-NAME.json`.
fn lint_post(dir: &Path, name: &str, post: &[u8]) -> Cost {
    let input = dir.join(format!("{name}.json"));
    std::fs::write(&input, post).expect("write the post");
    let config = dir.join("postlint.toml");
    let report = dir.join(format!("report-{name}.json"));
    let args: [&OsStr; 14] = [
        "check".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
        "--select".as_ref(),
        "all".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
        "--now".as_ref(),
        "2024-03-02T00:00:00Z".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        report.as_os_str(),
        input.as_os_str(),
    ];
    let binary = Path::new(env!("CARGO_BIN_EXE_postlint"));
    let cost = long_runs::cpu_time_of(binary, &args, CPU_CAP_SECONDS);
    assert!(
        matches!(cost.code, 0 | 1),
        "{name}: postlint failed or was killed ({})",
        cost.code
    );
    cost
}

fn rules_in(dir: &Path, bytes: usize) -> Vec<String> {
    rules_of(dir, &format!("long-{}", bytes / MB))
}

fn rules_of(dir: &Path, name: &str) -> Vec<String> {
    let report = std::fs::read(dir.join(format!("report-{name}.json"))).expect("report");
    let report: serde_json::Value = serde_json::from_slice(&report).expect("a JSON report");
    let by_rule = report["summary"]["by_rule"].as_object().expect("by_rule");
    by_rule.keys().cloned().collect()
}

#[test]
fn every_rule_grows_linearly_with_a_text_run_from_1_to_8_mb() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), long_runs::CONFIG).expect("config");
    let costs: Vec<(usize, Duration)> = [1, 2, 4, 8]
        .into_iter()
        .map(|mb| (mb, lint(dir.path(), mb * MB).cpu))
        .collect();
    let rules = rules_in(dir.path(), MB);
    for rule in [
        "placeholder-text",
        "unrendered-shortcode",
        "says-ipsum",
        "html-lorem",
        "href-query",
        "says-here",
        "title-ipsum",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "the post must make {rule} work: {rules:?}"
        );
    }
    eprintln!("CPU time by size (MB): {costs:?}");
    let one = costs[0].1;
    let eight = costs[3].1;
    // Linear is 8x; quadratic 64x. The slack covers start-up and a noisy small run.
    let bound = one * 16 + Duration::from_secs(1);
    assert!(
        eight < bound,
        "8 MB took {eight:?} against {one:?} for 1 MB (bound {bound:?}); all: {costs:?}"
    );
}

/// A post whose elements nest `depth` deep, each holding text, a shortcode, a placeholder, a
/// vague link, an empty link and a stray end tag: whatever asks about the elements around an
/// element or a run (a literal one, a heading, a list of posts, the stack of open elements),
/// asked for each of them.
fn nested_post(depth: usize) -> Vec<u8> {
    const TAGS: [&str; 7] = ["span", "nombre", "em", "strong", "h2", "div", "b"];
    let mut html = String::from("<p>");
    for i in 0..depth {
        let tag = TAGS[i % TAGS.len()];
        let n = i % 50;
        html.push_str(&format!(
            "<{tag}>[foo{n}] {{name}}\n\nmore <a href=\"https://x.example/{n}\">click here</a> \
             <a href=\"/e{n}\"></a></zz> <a href=\"https://y.example/{n}\">report</a> and \
             <a href=\"https://y.example/{n}\">data</a> "
        ));
    }
    for i in (0..depth).rev() {
        html.push_str(&format!("</{}>", TAGS[i % TAGS.len()]));
    }
    html.push_str("</p>");
    let post =
        serde_json::json!({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": html}});
    serde_json::to_vec(&post).expect("JSON")
}

#[test]
fn every_rule_grows_linearly_with_the_depth_of_nesting() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), long_runs::CONFIG).expect("config");
    const DEPTH: usize = 10_000;
    let costs: Vec<(usize, Duration)> = [1, 2, 4, 8]
        .into_iter()
        .map(|times| {
            let name = format!("nested-{times}");
            (
                times,
                lint_post(dir.path(), &name, &nested_post(times * DEPTH)).cpu,
            )
        })
        .collect();
    eprintln!("CPU time by depth (x {DEPTH}): {costs:?}");
    let rules = rules_of(dir.path(), "nested-1");
    for rule in [
        "link-text-vague",
        "empty-link",
        "text-hidden-as-tag",
        "stray-end-tag",
        "duplicate-link",
    ] {
        assert!(
            rules.iter().any(|r| r == rule),
            "the post must make {rule} work: {rules:?}"
        );
    }
    let (one, eight) = (costs[0].1, costs[3].1);
    let bound = one * 16 + Duration::from_secs(1);
    assert!(
        eight < bound,
        "8x the depth took {eight:?} against {one:?} (bound {bound:?}); all: {costs:?}"
    );
}

/// A paragraph and a heading of `spans` empty `<span>`s each, none closed: `empty-paragraph`
/// and `empty-heading` report them, and `unclosed-element` asks for each span whether that
/// finding is its own.
fn open_spans(spans: usize) -> Vec<u8> {
    let spans = "<span>".repeat(spans);
    let html = format!("<p>{spans}</p><h2>{spans}</h2>");
    let post =
        serde_json::json!({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": html}});
    serde_json::to_vec(&post).expect("JSON")
}

#[test]
fn a_paragraph_and_a_heading_of_spans_left_open_are_linear() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), long_runs::CONFIG).expect("config");
    const SPANS: usize = 5_000;
    let costs: Vec<(usize, Duration)> = [1, 8]
        .into_iter()
        .map(|times| {
            let name = format!("open-spans-{times}");
            let post = open_spans(times * SPANS);
            (times, lint_post(dir.path(), &name, &post).cpu)
        })
        .collect();
    eprintln!("CPU time by spans (x {SPANS}): {costs:?}");
    let rules = rules_of(dir.path(), "open-spans-1");
    for rule in ["empty-paragraph", "empty-heading"] {
        assert!(rules.iter().any(|r| r == rule), "{rule}: {rules:?}");
    }
    let (one, eight) = (costs[0].1, costs[1].1);
    let bound = one * 16 + Duration::from_secs(1);
    assert!(
        eight < bound,
        "8x the spans took {eight:?} against {one:?} (bound {bound:?})"
    );
}

/// Every report format, each to its own file.
const FORMATS: [&str; 9] = [
    "human", "json", "github", "sarif", "junit", "rdjson", "gitlab", "markdown", "html",
];

#[test]
fn a_50_mb_span_shows_a_bounded_excerpt_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A block's attributes that do not decode: one finding whose span is the 50 MB of them.
    let value = "x".repeat(50 * MB);
    let html =
        format!("<!-- wp:paragraph {{\"a\":\"{value}\",}} --><p>x</p><!-- /wp:paragraph -->");
    drop(value);
    let post =
        serde_json::json!({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": html}});
    drop(html);
    let input = dir.path().join("span.json");
    std::fs::write(&input, serde_json::to_vec(&post).expect("json")).expect("write");
    drop(post);
    let targets: Vec<String> = FORMATS
        .iter()
        .map(|f| format!("{f}={}", dir.path().join(format!("report.{f}")).display()))
        .collect();
    let mut args: Vec<&OsStr> = vec![
        "check".as_ref(),
        "--no-config".as_ref(),
        "--color".as_ref(),
        "never".as_ref(),
    ];
    for target in &targets {
        args.push("--format".as_ref());
        args.push(target.as_ref());
    }
    args.push(input.as_os_str());
    let binary = Path::new(env!("CARGO_BIN_EXE_postlint"));
    let cost = long_runs::cpu_time_of(binary, &args, CPU_CAP_SECONDS);
    assert_eq!(cost.code, 1, "one error finding, and no crash");
    for format in FORMATS {
        let report = std::fs::read(dir.path().join(format!("report.{format}"))).expect("report");
        let text = String::from_utf8_lossy(&report);
        assert!(
            text.contains("block-invalid-attributes"),
            "{format}: the finding is reported"
        );
        // SARIF carries every rule's documentation; the rest are a few kilobytes.
        assert!(report.len() < 256 << 10, "{format}: {} bytes", report.len());
        assert!(
            !text.contains(&"x".repeat(1000)),
            "{format}: the span is shown whole"
        );
    }
}

/// An error as one line, miette's wrapping and margin undone.
fn unwrapped(stderr: &str) -> String {
    stderr
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_with_config(config: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    std::fs::write(dir.path().join("p.json"), r#"{"id":1}"#).expect("post");
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .current_dir(dir.path())
        .args(["check", "--color", "never", "p.json"])
        .env("COLUMNS", "100")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// A config file is at most 1 MiB (`extends` and the config itself read only bounded files),
/// so a 10 MB regex is refused with the file, in one short error; a regex on a long line that
/// fits is told in one line, its text elided.
#[test]
fn a_10_mb_regex_in_the_config_is_a_short_error() {
    let config = format!(
        "[[patterns]]\ncode = \"big\"\nregex = \"({}\"\nmessage = \"m\"\n",
        "a".repeat(10 * MB)
    );
    let (code, stderr) = check_with_config(&config);
    assert_eq!(code, Some(2));
    assert!(stderr.len() < 1000, "{} bytes of error", stderr.len());
    let told = unwrapped(&stderr);
    assert!(told.contains("over the 1048576 a config may"), "{stderr}");

    let config = format!(
        "[[patterns]]\ncode = \"big\"\nregex = \"({}\"\nmessage = \"m\"\n",
        "a".repeat(MB / 2)
    );
    let (code, stderr) = check_with_config(&config);
    assert_eq!(code, Some(2));
    assert!(stderr.len() < 1000, "{} bytes of error", stderr.len());
    let told = unwrapped(&stderr);
    assert!(
        told.contains("postlint.toml:3:9: invalid regex:"),
        "{stderr}"
    );
    assert!(told.contains("left out]"), "{stderr}");
}

/// A WXR export whose post holds `bytes` of text with an entity every few bytes.
fn wxr_with_entities(bytes: usize) -> String {
    let text =
        "Fish &amp;amp; chips &#38; peas, &#8212; &lt;b&gt;more&lt;/b&gt;. ".repeat(bytes / 64);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel><wp:wxr_version>1.2</wp:wxr_version>\
         <item><title>T</title><wp:post_id>7</wp:post_id><wp:status>publish</wp:status>\
         <wp:post_type>post</wp:post_type>\
         <content:encoded>&lt;p&gt;{text}&lt;/p&gt;</content:encoded></item></channel></rss>\n"
    )
}

#[test]
fn wxr_text_full_of_entities_reads_in_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cost = |mb: usize| {
        let input = dir.path().join(format!("export-{mb}.xml"));
        std::fs::write(&input, wxr_with_entities(mb * MB)).expect("write");
        let args: [&OsStr; 7] = [
            "check".as_ref(),
            "--no-config".as_ref(),
            "--threads".as_ref(),
            "1".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            input.as_os_str(),
        ];
        let binary = Path::new(env!("CARGO_BIN_EXE_postlint"));
        let cost = long_runs::cpu_time_of(binary, &args, CPU_CAP_SECONDS);
        assert_eq!(cost.code, 0, "{mb} MB: a clean post");
        cost.cpu
    };
    let (one, eight) = (cost(1), cost(8));
    let bound = one * 16 + Duration::from_secs(1);
    assert!(
        eight < bound,
        "8 MB took {eight:?} against {one:?} for 1 MB"
    );
}

#[test]
fn elements_left_open_grow_linearly_with_their_depth() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), long_runs::CONFIG).expect("config");
    let open = |depth: usize| {
        let html = "<div>".repeat(depth);
        let post =
            serde_json::json!({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": html}});
        serde_json::to_vec(&post).expect("JSON")
    };
    let one = lint_post(dir.path(), "open-1", &open(10_000)).cpu;
    let eight = lint_post(dir.path(), "open-8", &open(80_000)).cpu;
    // Linear is 8x; looking inside each open element for a hidden tag was 64x.
    let bound = one * 16 + Duration::from_secs(1);
    assert!(
        eight < bound,
        "80,000 open elements took {eight:?} against {one:?}"
    );
}
