//! `cargo bench`: postlint's throughput against the floor measured in the same run.
//!
//! The floor is what any linter of these posts must do: read the bytes, parse the JSON with
//! serde_json, and tokenize every HTML field once with html5gum. The full lint adds the
//! span-keeping parse, the HTML index, every default offline rule and the report data. Both run
//! on one thread over the same inputs, in memory, taking turns; the machine is shared and noisy,
//! so the ratio is the median of nine pairs' ratios, and only the ratio is meant to travel.
//!
//! Also measured: 1 against 2 threads (in process, and as whole processes on the corpus:
//! `-- whole`), the start-up of the binary on one post, the link checker at scale
//! (`support/links.rs`; `-- links` runs only that), `--fix` against a lint of the same file
//! with 100,000 and 400,000 fixes (`-- fix`), and, with `POSTLINT_BENCH_LARGE=1`, the
//! peak memory of 1 GB NDJSON and array files and two threads against one on a 1 GB file. The
//! site phase at scale (`-- site`, or with `POSTLINT_BENCH_LARGE=1`): 3 million generated posts
//! (`POSTLINT_BENCH_SITE_POSTS` to change it) under the default `--memory-budget` against no
//! limit, as whole processes: peak memory, time, and whether the reports are the same. Each
//! rule's CPU time on a post whose text runs grow from 1 to 8 MB (`-- linear` runs only that).
//! The floor ratios alone: `-- floor`. The language server's re-lint of a 4 MB one-line export
//! after each full-text change (`support/server.rs`; `-- server` runs only that). Each rule's
//! share of a lint, the time inside its hooks as the engine counts it (`support/rule_cost.rs`):
//! the ten costliest on samples by default (`-- top-rules` runs only that), every rule on 64 MB
//! generated and the whole corpus with `-- rules`.

#[path = "support/generator.rs"]
mod generator;
#[path = "support/links.rs"]
mod links;
#[path = "../tests/it/common/long_runs.rs"]
mod long_runs;
#[path = "support/rule_cost.rs"]
mod rule_cost;
#[path = "support/server.rs"]
mod server;
#[path = "support/site.rs"]
mod site;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use postlint::config::Config;
use postlint::engine::{LintOptions, Linter};
use postlint::source::SourceFile;

const RUNS: usize = 9;

struct Input {
    name: String,
    bytes: Arc<[u8]>,
}

fn main() {
    // `cargo bench --bench throughput -- links`: only the sections whose name holds `links`.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let only = |section: &str| filter.as_deref().is_some_and(|f| section.contains(f));
    if only("links") {
        links::run(env!("CARGO_BIN_EXE_postlint"));
        return;
    }
    if only("site") {
        site_scale();
        return;
    }
    if only("server") {
        server::run(env!("CARGO_BIN_EXE_postlint"));
        return;
    }
    if only("whole") {
        whole_process(false);
        return;
    }
    if only("startup") {
        startup();
        return;
    }
    if only("scaling") {
        scaling(&generated(64 << 20));
        return;
    }
    if only("fix") {
        fix_scale();
        return;
    }
    if only("linear") {
        linear();
        return;
    }
    if only("rules") {
        rule_costs(&RULES_FULL);
        return;
    }
    if only("floor") {
        floor_ratios(&generated(64 << 20));
        return;
    }
    if only("top-rules") {
        rule_costs(&RULES_TOP);
        return;
    }
    // First, while this process is small: a spawned child's peak RSS counts the pages it
    // shared with its parent before `exec`, and the corpora below take 160 MB.
    let large = std::env::var_os("POSTLINT_BENCH_LARGE").is_some();
    if large {
        large_files();
        site_scale();
    }
    whole_process(large);
    fix_scale();
    links::run(env!("CARGO_BIN_EXE_postlint"));
    let generated = generated(64 << 20);
    floor_ratios(&generated);
    scaling(&generated);
    startup();
    server::run(env!("CARGO_BIN_EXE_postlint"));
    linear();
    rule_costs(&RULES_TOP);
}

/// The lint against the floor on one thread, on the generated posts and the real corpus
/// (`-- floor` runs only this).
fn floor_ratios(generated: &[Input]) {
    let mut report = vec![measure("generated, 64 MB NDJSON", generated)];
    if let Some(corpus) = corpus() {
        report.push(measure("real corpus (6,120 posts)", &corpus));
    }
    println!(
        "\n{:<28} {:>10} {:>10} {:>10} {:>10} {:>7}",
        "input", "floor MB/s", "lint MB/s", "posts/s", "floor CPU s", "ratio"
    );
    for line in &report {
        println!("{line}");
    }
    println!();
}

/// Each rule's share of a lint (`support/rule_cost.rs`). The full table is opt-in
/// (`-- rules`): two lints a round, on the whole inputs.
const RULES_FULL: RuleScale = RuleScale {
    generated_bytes: 64 << 20,
    corpus_every: 1,
    table: rule_cost::Scale {
        rounds: 3,
        top: None,
    },
};

/// What the default `cargo bench` prints: the ten costliest, from a quicker run on a sample
/// of each input (every eighth file of the corpus).
const RULES_TOP: RuleScale = RuleScale {
    generated_bytes: 8 << 20,
    corpus_every: 8,
    table: rule_cost::Scale {
        rounds: 3,
        top: Some(10),
    },
};

struct RuleScale {
    generated_bytes: u64,
    corpus_every: usize,
    table: rule_cost::Scale,
}

fn rule_costs(scale: &RuleScale) {
    let generated = generated(scale.generated_bytes);
    let mb = scale.generated_bytes >> 20;
    rule_cost::table(&format!("generated, {mb} MB"), &generated, &scale.table);
    if let Some(corpus) = corpus() {
        let count = corpus.len();
        let sample: Vec<Input> = corpus.into_iter().step_by(scale.corpus_every).collect();
        let label = if scale.corpus_every == 1 {
            format!("real corpus ({count} files)")
        } else {
            format!("real corpus, {} of {count} files", sample.len())
        };
        rule_cost::table(&label, &sample, &scale.table);
    }
}

/// Each rule alone, then all of them, on one post whose text runs grow from 1 to 8 MB
/// (`tests/it/common/long_runs.rs`): the binary's CPU time at each size, and the 8 MB time
/// over the 1 MB time, 8 when linear, 64 when quadratic.
fn linear() {
    let dir = std::env::temp_dir().join("postlint-bench-linear");
    let _ = std::fs::create_dir_all(&dir);
    let config = dir.join("postlint.toml");
    let _ = std::fs::write(&config, long_runs::CONFIG);
    let sizes = [1usize, 2, 4, 8];
    let inputs: Vec<PathBuf> = sizes
        .iter()
        .map(|mb| {
            let path = dir.join(format!("long-{mb}.json"));
            let _ = std::fs::write(&path, long_runs::post(mb << 20));
            path
        })
        .collect();
    let rules = (postlint::rules::REGISTRY.iter().map(|meta| meta.code))
        .chain(["all"])
        .collect::<Vec<_>>();
    println!(
        "\nlinear in the text run, CPU s of the whole process by size\n{:<28} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "rule", "1 MB", "2 MB", "4 MB", "8 MB", "8/1"
    );
    for rule in rules {
        let times: Vec<f64> = (inputs.iter())
            .map(|input| {
                let args: [&std::ffi::OsStr; 12] = [
                    "check".as_ref(),
                    "--config".as_ref(),
                    config.as_os_str(),
                    "--select".as_ref(),
                    rule.as_ref(),
                    "--threads".as_ref(),
                    "1".as_ref(),
                    "--now".as_ref(),
                    "2024-03-02T00:00:00Z".as_ref(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    input.as_os_str(),
                ];
                let binary = Path::new(env!("CARGO_BIN_EXE_postlint"));
                let cost = long_runs::cpu_time_of(binary, &args, 600);
                // A run killed by its cap shows as NaN rather than as a time.
                if cost.code < 0 {
                    f64::NAN
                } else {
                    cost.cpu.as_secs_f64()
                }
            })
            .collect();
        println!(
            "{rule:<28} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>6.1}x",
            times[0],
            times[1],
            times[2],
            times[3],
            times[3] / times[0].max(0.001)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn generated(bytes: u64) -> Vec<Input> {
    let mut buffer = Vec::new();
    generator::write_corpus(&mut buffer, bytes, false, 2024).expect("writing to memory");
    vec![Input {
        name: "generated.ndjson".to_owned(),
        bytes: buffer.into(),
    }]
}

fn corpus() -> Option<Vec<Input>> {
    let root = Path::new("../shared/corpus/posts");
    if !root.exists() {
        eprintln!("skipped the real corpus: ../shared/corpus is absent");
        return None;
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for source in std::fs::read_dir(root).ok()? {
        for file in std::fs::read_dir(source.ok()?.path()).ok()? {
            files.push(file.ok()?.path());
        }
    }
    files.sort();
    Some(
        files
            .into_iter()
            .filter_map(|path| {
                let bytes = std::fs::read(&path).ok()?;
                Some(Input {
                    name: path.display().to_string(),
                    bytes: bytes.into(),
                })
            })
            .collect(),
    )
}

/// The floor: serde_json parse of each post and one html5gum pass over each HTML field.
fn floor(inputs: &[Input]) -> usize {
    let mut posts = 0;
    for input in inputs {
        let text = std::str::from_utf8(&input.bytes).unwrap_or_default();
        for line in text.split('\n').filter(|l| !l.trim().is_empty()) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            posts += 1;
            for field in ["title", "content", "excerpt"] {
                if let Some(html) = value[field]["rendered"].as_str() {
                    let tokens = html5gum::Tokenizer::new(html).count();
                    std::hint::black_box(tokens);
                }
            }
        }
    }
    posts
}

fn lint(linter: &Linter, inputs: &[Input]) -> usize {
    let mut posts = 0;
    for input in inputs {
        let file = SourceFile::in_memory(input.name.clone(), input.bytes.clone());
        let report = linter
            .lint_file(file, Cursor::new(input.bytes.clone()))
            .expect("in-memory reads do not fail");
        posts += report.posts;
        std::hint::black_box(report.findings.len());
    }
    posts
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn timed(mut run: impl FnMut() -> usize) -> (Duration, usize) {
    let mut count = run();
    let times = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            count = run();
            start.elapsed()
        })
        .collect();
    (median(times), count)
}

fn one_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    pool.install(work)
}

/// Floor and lint run in turns on the same thread, and the ratio is the median of each pair's
/// ratio: a noisy neighbour slows both of a pair alike, where separate medians drift apart.
/// Both are timed on the thread's CPU clock, so time spent waiting for a core on a shared
/// machine counts for neither.
fn measure(label: &str, inputs: &[Input]) -> String {
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let mb = bytes as f64 / (1 << 20) as f64;
    let linter = Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        LintOptions::default(),
    );
    let posts = one_thread(|| {
        floor(inputs);
        lint(&linter, inputs)
    });
    let pairs: Vec<(Duration, Duration)> = one_thread(|| {
        (0..RUNS)
            .map(|_| {
                (
                    rule_cost::cpu_time(|| floor(inputs)),
                    rule_cost::cpu_time(|| lint(&linter, inputs)),
                )
            })
            .collect()
    });
    let floor_time = median(pairs.iter().map(|p| p.0).collect());
    let lint_time = median(pairs.iter().map(|p| p.1).collect());
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(floor, lint)| lint.as_secs_f64() / floor.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    format!(
        "{label:<28} {:>10.1} {:>10.1} {:>10.0} {:>10.3} {:>6.2}x",
        mb / floor_time.as_secs_f64(),
        mb / lint_time.as_secs_f64(),
        posts as f64 / lint_time.as_secs_f64(),
        floor_time.as_secs_f64(),
        ratios[ratios.len() / 2]
    )
}

fn scaling(inputs: &[Input]) {
    // Many files, so both threads have work: the generated posts cut into 64 files.
    let text = std::str::from_utf8(&inputs[0].bytes).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let chunks: Vec<Input> = lines
        .chunks(lines.len().div_ceil(64))
        .enumerate()
        .map(|(i, chunk)| Input {
            name: format!("part{i}.ndjson"),
            bytes: chunk.join("\n").into_bytes().into(),
        })
        .collect();
    let linter = Linter::new(
        Arc::new(Config::builtin(postlint::rules::REGISTRY)),
        LintOptions::default(),
    );
    let run = |threads: usize, files: &[Input]| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| {
            timed(|| {
                use rayon::prelude::*;
                files
                    .par_iter()
                    .map(|c| lint(&linter, std::slice::from_ref(c)))
                    .sum()
            })
        })
        .0
    };
    for (label, files) in [("64 files", &chunks[..]), ("one file", inputs)] {
        let (one, two) = (run(1, files), run(2, files));
        println!(
            "scaling, {label}: 1 thread {:.3} s, 2 threads {:.3} s: {:.2}x faster",
            one.as_secs_f64(),
            two.as_secs_f64(),
            one.as_secs_f64() / two.as_secs_f64()
        );
    }
}

/// A small post as a whole process, what an editor's save or a pre-commit hook pays: mostly
/// start-up (`-- startup` runs only this).
fn startup() {
    let dir = std::env::temp_dir().join("postlint-bench-startup");
    let _ = std::fs::create_dir_all(&dir);
    let post = dir.join("post.json");
    let mut rng = generator::Rng::new(7);
    let _ = std::fs::write(&post, generator::post(&mut rng, 1, 6_000));
    let fixture = Path::new("fixtures/seed_koreapro_2205786.json");
    let runs: [(&str, &Path, &str); 2] = [
        ("one 6 KB generated post, JSON report", &post, "json"),
        ("a 2.8 KB fixture, human report", fixture, "human"),
    ];
    for (label, file, format) in runs {
        let times: Vec<Duration> = (0..21)
            .map(|_| {
                let start = Instant::now();
                let _ = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"))
                    .args([
                        "check",
                        "--no-config",
                        "--color",
                        "never",
                        "--format",
                        format,
                    ])
                    .arg(file)
                    .output();
                start.elapsed()
            })
            .collect();
        println!(
            "start-up: {label}, whole process: {:.1} ms (median of 21)",
            median(times).as_secs_f64() * 1000.0
        );
    }
}

/// Peak resident size (kB) of the binary linting a file, from the kernel's accounting.
fn peak_rss_of(file: &Path) -> Option<(i64, Duration)> {
    let args: [&std::ffi::OsStr; 6] = [
        "check".as_ref(),
        "--no-config".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--statistics".as_ref(),
        file.as_os_str(),
    ];
    let (took, peak, code) = run_binary(&args);
    (code >= 0).then_some((peak, took))
}

fn large_files() {
    let dir = std::env::temp_dir().join("postlint-bench-large");
    let _ = std::fs::create_dir_all(&dir);
    for (name, array) in [("large.ndjson", false), ("large.json", true)] {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).expect("create");
        let posts = generator::write_corpus(&mut std::io::BufWriter::new(file), 1 << 30, array, 99)
            .expect("write");
        if let Some((kb, took)) = peak_rss_of(&path) {
            println!(
                "{name}: 1 GB, {posts} posts: peak RSS {} MB, {:.1} s",
                kb / 1024,
                took.as_secs_f64()
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// The binary's wall time on `args`, its peak RSS (kB) and its exit code.
fn run_binary(args: &[&std::ffi::OsStr]) -> (Duration, i64, i32) {
    let start = Instant::now();
    let Ok(mut child) = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    else {
        return (Duration::ZERO, 0, -1);
    };
    let (code, peak) = links::wait_with_peak_rss(&mut child);
    (start.elapsed(), peak, code)
}

/// Two threads against one, whole processes with a JSON report (what CI runs): on the corpus,
/// and with `large` on a 1 GB generated file; the median of seven paired runs' ratios.
fn whole_process(large: bool) {
    let mut inputs = Vec::new();
    let corpus = Path::new("../shared/corpus/posts");
    if corpus.exists() {
        inputs.push(("the real corpus", corpus.to_path_buf(), false));
    } else {
        eprintln!("skipped the whole-process corpus run: ../shared/corpus is absent");
    }
    if large {
        let path = std::env::temp_dir().join("postlint-bench-whole.ndjson");
        let file = std::fs::File::create(&path).expect("create");
        generator::write_corpus(&mut std::io::BufWriter::new(file), 1 << 30, false, 99)
            .expect("write");
        inputs.push(("one 1 GB NDJSON file", path, true));
    }
    let out = std::env::temp_dir().join("postlint-bench-whole.json");
    for (label, path, remove) in inputs {
        let run = |threads: &str| {
            let args: [&std::ffi::OsStr; 9] = [
                "check".as_ref(),
                "--no-config".as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
                "--threads".as_ref(),
                threads.as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
                path.as_os_str(),
            ];
            run_binary(&args).0
        };
        run("2");
        let pairs: Vec<(Duration, Duration)> = (0..7).map(|_| (run("1"), run("2"))).collect();
        let mut ratios: Vec<f64> = (pairs.iter())
            .map(|(one, two)| one.as_secs_f64() / two.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "whole process, {label}: 1 thread {:.2} s, 2 threads {:.2} s (medians): 2 threads {:.2}x faster (median of 7 pairs, {:.2}-{:.2})",
            median(pairs.iter().map(|p| p.0).collect()).as_secs_f64(),
            median(pairs.iter().map(|p| p.1).collect()).as_secs_f64(),
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
        );
        if remove {
            let _ = std::fs::remove_file(&path);
        }
    }
    let _ = std::fs::remove_file(&out);
}

/// The site phase at scale: millions of small posts, every site rule on, under the default
/// `--memory-budget` and with no limit, whole processes taking turns.
fn site_scale() {
    let posts = std::env::var("POSTLINT_BENCH_SITE_POSTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3_000_000);
    let root = std::env::temp_dir().join("postlint-bench-site");
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("posts");
    let Ok(written) = site::write_site(&dir, posts, (300, 10), 2024) else {
        eprintln!("skipped the site scale: cannot write {}", dir.display());
        return;
    };
    let bytes: u64 = (std::fs::read_dir(&dir).into_iter().flatten().flatten())
        .filter_map(|entry| entry.metadata().ok())
        .map(|meta| meta.len())
        .sum();
    let config = root.join("postlint.toml");
    let _ = std::fs::write(&config, "export = \"complete\"\n");
    let run = |budget: Option<&str>| {
        let out = root.join(format!("report-{}.json", budget.unwrap_or("default")));
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "check".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--now".as_ref(),
            "2026-12-01T00:00:00Z".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        if let Some(budget) = budget {
            args.push("--memory-budget".as_ref());
            args.push(budget.as_ref());
        }
        args.push(dir.as_os_str());
        let (took, peak, code) = run_binary(&args);
        (took, peak, code, std::fs::read(&out).unwrap_or_default())
    };
    let bounded = run(None);
    let unlimited = run(Some("0"));
    println!(
        "site phase at scale: {written} posts, {} MB, 10 sites: default budget peak RSS {} MB in {:.1} s; no limit {} MB in {:.1} s: {:.2}x the time; exit {} and {}; reports {}",
        bytes >> 20,
        bounded.1 / 1024,
        bounded.0.as_secs_f64(),
        unlimited.1 / 1024,
        unlimited.0.as_secs_f64(),
        bounded.0.as_secs_f64() / unlimited.0.as_secs_f64(),
        bounded.2,
        unlimited.2,
        if !bounded.3.is_empty() && bounded.3 == unlimited.3 {
            "byte-identical"
        } else {
            "DIFFERENT"
        },
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// `--fix` against a lint of the same file, whole processes taking turns (each `--fix` on a
/// fresh copy): 100,000 posts with a fix each, and one post with 400,000 fixes. The ratio is
/// the median of five pairs'.
fn fix_scale() {
    let dir = std::env::temp_dir().join("postlint-bench-fix");
    let _ = std::fs::create_dir_all(&dir);
    let post = r#"{"id":1,"content":{"rendered":"<p>Hello <span></span>world</p>"}}"#;
    let posts: String = (0..100_000).map(|_| format!("{post}\n")).collect();
    let body = "<p>x <span></span>y</p>".repeat(400_000);
    let one = format!(r#"{{"id":1,"content":{{"rendered":"{body}"}}}}"#);
    let report = dir.join("report.json");
    for (label, name, text) in [
        ("100,000 posts, a fix each", "posts.ndjson", posts),
        ("one post, 400,000 fixes", "post.json", one),
    ] {
        let file = dir.join(name);
        let run = |fix: bool| {
            let _ = std::fs::write(&file, &text);
            let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), "--no-config".as_ref()];
            if fix {
                args.push("--fix".as_ref());
            }
            args.extend(["--format", "json", "-o"].map(std::ffi::OsStr::new));
            args.extend([report.as_os_str(), file.as_os_str()]);
            run_binary(&args).0
        };
        let pairs: Vec<(Duration, Duration)> = (0..5).map(|_| (run(false), run(true))).collect();
        let mut ratios: Vec<f64> = (pairs.iter())
            .map(|(lint, fix)| fix.as_secs_f64() / lint.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "--fix, {label}: lint {:.2} s, --fix {:.2} s (medians): {:.2}x a lint (median of 5 pairs)",
            median(pairs.iter().map(|p| p.0).collect()).as_secs_f64(),
            median(pairs.iter().map(|p| p.1).collect()).as_secs_f64(),
            ratios[ratios.len() / 2],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
