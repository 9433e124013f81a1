//! Property: the same files give byte-identical reports whatever the thread count and the
//! segment size, for random posts full of the problems the rules look for.

use std::path::PathBuf;

use postlint::engine::LintOptions;
use postlint::report;
use proptest::prelude::*;

fn html() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<p>text</p>",
        "<span></span>",
        "</span>",
        "<a href=\"https://example.org/a\">a</a>",
        "<a href=\"https://example.org/a\">again</a>",
        "<a>no href</a>",
        "<img src=\"/x.png\">",
        "<h2>WHY IT MATTERS</h2>",
        "<p></p>",
        "<b><i>x</b></i>",
        "caf\u{e9} \u{2019}",
        "<div>",
    ]);
    prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

fn post(id: usize, html: &str, date_hour: u8) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "date": format!("2024-03-01T{date_hour:02}:00:00"),
        "date_gmt": "2024-03-01T10:00:00",
        "slug": format!("post-{}", id % 3),
        "link": format!("https://example.org/2024/03/01/post-{id}/"),
        "title": {"rendered": format!("Title {}", id % 4)},
        "content": {"rendered": html},
    })
}

fn json_report(paths: &[PathBuf], threads: usize, segment_bytes: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let options = LintOptions {
        segment_bytes,
        now: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        ..LintOptions::default()
    };
    pool.install(|| report::json::render(&postlint::check(paths, options)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reports_do_not_depend_on_threads_or_segments(
        htmls in prop::collection::vec(html(), 1..24),
        hours in prop::collection::vec(0u8..24, 1..24),
        files in 1usize..4,
        segment_bytes in 64usize..4096,
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut paths = Vec::new();
        for file in 0..files {
            let posts: Vec<_> = htmls
                .iter()
                .enumerate()
                .filter(|(id, _)| id % files == file)
                .map(|(id, html)| post(id, html, hours[id % hours.len()]))
                .collect();
            let path = dir.path().join(format!("posts-{file}.json"));
            std::fs::write(&path, serde_json::to_vec(&posts).expect("json")).expect("write");
            paths.push(path);
        }
        let one = json_report(&paths, 1, 8 << 20);
        prop_assert_eq!(&one, &json_report(&paths, 4, 8 << 20));
        prop_assert_eq!(&one, &json_report(&paths, 3, segment_bytes));
    }
}

/// One large file, whose segments are parsed in parallel on more than one thread: NDJSON, a
/// compact array, a pretty-printed one, and a damaged one (where the pieces disagree with the
/// scan and the file goes on a segment at a time) give the report of one thread.
#[test]
fn one_large_file_gives_the_same_report_on_any_number_of_threads() {
    let posts: Vec<serde_json::Value> = (0..600)
        .map(|id| {
            let html = format!(
                "<p>text {id}</p><span></span><a href=\"https://example.org/{}\">a</a>{}",
                id % 7,
                if id % 5 == 0 {
                    "<p></p>\n<b><i>x</b></i>"
                } else {
                    "caf\u{e9}"
                }
            );
            post(id, &html, (id % 24) as u8)
        })
        .collect();
    let lines: Vec<String> = posts.iter().map(|p| p.to_string()).collect();
    let ndjson = lines.join("\n") + "\n";
    let array = format!("[{}]", lines.join(","));
    let pretty = serde_json::to_string_pretty(&posts).expect("json");
    let damaged = array.replacen(",{\"content\"", ",{\"content\" \"", 3);
    assert_ne!(damaged, array, "the damage must land");
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [
        ("ndjson", ndjson),
        ("array", array),
        ("pretty", pretty),
        ("damaged", damaged),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, &text).expect("write");
        let paths = [path];
        let whole = json_report(&paths, 1, 8 << 20);
        assert!(whole.contains("\"rule\""), "{name}: no findings to compare");
        for (threads, segment_bytes) in [(2, 4096), (3, 20_000), (2, 8 << 20)] {
            let one = json_report(&paths, 1, segment_bytes);
            let many = json_report(&paths, threads, segment_bytes);
            assert!(
                one == many,
                "{name}: {threads} threads, segments of {segment_bytes} bytes"
            );
            // A damaged array is read differently in segments of another size (a known
            // limit of the sequential reader, not of the parallel one).
            if name != "damaged" {
                assert!(whole == many, "{name}: segments of {segment_bytes} bytes");
            }
        }
    }
}

/// The site rules run apart on the run's pool: a generated site with every kind of site
/// finding gives the same report on 1, 2 and 8 threads, under budgets that keep its facts in
/// memory (the default, 1 MiB) and one that spills every grouping (a byte).
#[test]
fn site_rules_give_the_same_report_on_any_number_of_threads_and_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = crate::merge::write_site(dir.path());
    let request = postlint::config::ConfigRequest {
        file: Some(dir.path().join("postlint.toml")),
        none: false,
        start_dir: PathBuf::from("."),
        cli: postlint::config::CliRules::default(),
        site_index: None,
    };
    let config = std::sync::Arc::new(
        postlint::config::Config::load(&request, postlint::rules::REGISTRY).expect("config"),
    );
    let run = |threads: usize, budget: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let options = postlint::run::RunOptions {
            memory_budget: Some(budget),
            ..LintOptions {
                now: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0)),
                ..LintOptions::default()
            }
            .into()
        };
        pool.install(|| {
            report::json::render(&postlint::check_with(&paths, config.clone(), options))
        })
    };
    let one = run(1, postlint::spill::DEFAULT_BUDGET);
    for rule in ["duplicate-slug", "duplicate-title", "link-internal-missing"] {
        assert!(one.contains(rule), "no {rule} finding to compare");
    }
    for budget in [postlint::spill::DEFAULT_BUDGET, 1 << 20, 1] {
        for threads in [1, 2, 8] {
            assert!(
                run(threads, budget) == one,
                "{threads} threads at {budget} bytes"
            );
        }
    }
}
