//! `postlint merge` of `--shard K/N` reports equals one unsharded run, finding for finding:
//! the site rules see the posts of every shard, late findings keep their exact spans without
//! the files, and suppressions of a post silence findings that only the merge makes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use postlint::baseline::Baseline;
use postlint::config::{CliRules, Config, ConfigRequest};
use postlint::engine::LintOptions;
use postlint::outcome::CheckOutcome;
use postlint::report::{json, merge, sarif};
use postlint::run::RunOptions;

use crate::common::{fixture, postlint, shared};

fn options(shard: Option<(usize, usize)>) -> RunOptions {
    RunOptions {
        shard,
        lint: LintOptions {
            now: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
            ..LintOptions::default()
        },
        ..RunOptions::default()
    }
}

fn config_at(file: Option<&Path>) -> Arc<Config> {
    let request = ConfigRequest {
        file: file.map(Path::to_path_buf),
        none: file.is_none(),
        start_dir: PathBuf::from("."),
        cli: CliRules::default(),
        site_index: None,
    };
    Arc::new(Config::load(&request, postlint::rules::REGISTRY).expect("config"))
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
    )
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("valid schema")
}

/// The JSON reports of the N shards of a run, each checked against the schema.
fn shard_reports(paths: &[PathBuf], config: &Arc<Config>, n: usize) -> Vec<(String, String)> {
    shard_reports_with(paths, config, n, options)
}

/// `shard_reports`, each shard run with `options_of` its shard.
fn shard_reports_with(
    paths: &[PathBuf],
    config: &Arc<Config>,
    n: usize,
    options_of: impl Fn(Option<(usize, usize)>) -> RunOptions,
) -> Vec<(String, String)> {
    let validator = validator();
    (1..=n)
        .map(|k| {
            let outcome = postlint::check_with(paths, config.clone(), options_of(Some((k, n))));
            let text = json::render(&outcome);
            let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            let errors: Vec<String> = (validator.iter_errors(&report))
                .take(5)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "shard {k}/{n}: {errors:#?}");
            assert!(report["shard"]["files"].is_array(), "shard {k}/{n}");
            (format!("shard {k}/{n}"), text)
        })
        .collect()
}

/// The first line where two reports differ, for a message that fits on a screen.
fn first_difference(expected: &str, got: &str) -> String {
    let at = expected
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(got.lines().count()));
    format!(
        "line {}: expected {:?}, got {:?} ({} and {} lines)",
        at + 1,
        expected.lines().nth(at),
        got.lines().nth(at),
        expected.lines().count(),
        got.lines().count()
    )
}

/// For each N, the merge of the N shard reports gives the unsharded run's JSON and SARIF
/// reports byte for byte. Returns the unsharded outcome.
fn assert_merges_equal_one_run(
    paths: &[PathBuf],
    config: &Arc<Config>,
    counts: impl IntoIterator<Item = usize>,
) -> CheckOutcome {
    let whole = postlint::check_with(paths, config.clone(), options(None));
    let (whole_json, whole_sarif) = (json::render(&whole), sarif::render(&whole));
    for n in counts {
        let texts = shard_reports(paths, config, n);
        let restored = merge::merge_texts(&texts, config).expect("merge");
        let merged = postlint::run::merge::outcome_of(restored, config, None);
        let merged_json = json::render(&merged);
        assert!(
            merged_json == whole_json,
            "N = {n}: {}",
            first_difference(&whole_json, &merged_json)
        );
        let merged_sarif = sarif::render(&merged);
        assert!(
            merged_sarif == whole_sarif,
            "N = {n}, SARIF: {}",
            first_difference(&whole_sarif, &merged_sarif)
        );
    }
    whole
}

fn site_findings(outcome: &CheckOutcome) -> Vec<&'static str> {
    const SITE: [&str; 6] = [
        "duplicate-slug",
        "duplicate-title",
        "date-offset-suspicious",
        "link-internal-missing",
        "link-internal-draft",
        "unused-suppression",
    ];
    let mut rules: Vec<&'static str> = (outcome.reports.iter())
        .flat_map(|r| &r.findings)
        .map(|f| f.diagnostic.rule)
        .filter(|rule| SITE.contains(rule))
        .collect();
    rules.sort_unstable();
    rules
}

/// One post of `news.example.com` per file, so that shards split the site.
fn site_post(id: usize, title: &str, slug: &str, date_gmt_hour: u32, content: &str) -> String {
    serde_json::json!({
        "id": id,
        "date": format!("2024-01-{:02}T10:00:00", id),
        "date_gmt": format!("2024-01-{:02}T{:02}:00:00", id, date_gmt_hour),
        "slug": slug,
        "status": if id == 7 { "draft" } else { "publish" },
        "type": "post",
        "link": format!("https://news.example.com/2024/01/{slug}/"),
        "title": { "rendered": title },
        "content": { "rendered": content },
    })
    .to_string()
}

/// Thirty posts of one site over thirty files: two pairs of duplicate titles (one of them
/// silenced by a suppression in the later post), a duplicate slug, links to a missing and to
/// a draft post, one post whose `date_gmt` equals its `date`, and a suppression of
/// `duplicate-slug` that silences nothing.
pub(crate) fn write_site(dir: &Path) -> Vec<PathBuf> {
    std::fs::write(dir.join("postlint.toml"), "export = \"complete\"\n").expect("config");
    let mut paths = Vec::new();
    for id in 1..=30 {
        let (title, slug) = match id {
            12 => ("Weekly briefing".to_owned(), "briefing-a".to_owned()),
            23 => ("Weekly briefing".to_owned(), "briefing-b".to_owned()),
            4 => ("Budget".to_owned(), "budget".to_owned()),
            19 => ("Budget".to_owned(), "budget-2".to_owned()),
            27 => ("Another take".to_owned(), "story-9".to_owned()),
            _ => (format!("Story {id}"), format!("story-{id}")),
        };
        let content = match id {
            3 => "<p><a href=\"https://news.example.com/2024/01/story-7/\">draft</a> <a href=\"https://news.example.com/2024/01/gone/\">gone</a></p>".to_owned(),
            19 => "<!-- postlint-disable-file duplicate-title -- a rerun on purpose --><p>Budget again.</p>".to_owned(),
            21 => "<!-- postlint-disable-file duplicate-slug -- nothing to silence --><p><a href=\"https://news.example.com/2024/01/story-1/\">first</a></p>".to_owned(),
            _ => format!("<p>Story {id}.</p>"),
        };
        // +09:00 everywhere but post 15, whose `date_gmt` repeats its `date`.
        let gmt_hour = if id == 15 { 10 } else { 1 };
        let path = dir.join(format!("post-{id:02}.json"));
        std::fs::write(&path, site_post(id, &title, &slug, gmt_hour, &content)).expect("post");
        paths.push(path);
    }
    paths
}

#[test]
fn site_findings_across_shards_merge_back_for_every_n_up_to_8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = write_site(dir.path());
    let config = config_at(Some(&dir.path().join("postlint.toml")));
    let whole = assert_merges_equal_one_run(&paths, &config, 1..=8);
    // Each kind of late finding is there to be merged: the test can fail.
    assert_eq!(
        site_findings(&whole),
        [
            "date-offset-suspicious",
            "duplicate-slug",
            "duplicate-title",
            "link-internal-draft",
            "link-internal-missing",
            "unused-suppression",
        ]
    );
}

/// The merge holds back what the baseline holds, as one run with `--baseline` does: the
/// findings only the merge makes (site rules, unused suppressions) included.
#[test]
fn the_merge_applies_the_baseline_as_one_run_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = write_site(dir.path());
    let config = config_at(Some(&dir.path().join("postlint.toml")));
    let whole = postlint::check_with(&paths, config.clone(), options(None));
    // Every other entry: what it holds goes, the rest stays, of every phase.
    let mut baseline = Baseline::of(&whole.reports);
    let mut keep = false;
    baseline.entries.retain(|_| {
        keep = !keep;
        keep
    });
    let held_late = (baseline.entries.iter())
        .filter(|e| site_rule(&e.rule))
        .count();
    let left_late = site_findings(&whole).len() - held_late;
    assert!(held_late > 0 && left_late > 0, "{:?}", baseline.entries);
    let baseline = Arc::new(baseline);
    let with_baseline = |shard| RunOptions {
        baseline: Some(baseline.clone()),
        ..options(shard)
    };
    let one_run = postlint::check_with(&paths, config.clone(), with_baseline(None));
    assert_eq!(site_findings(&one_run).len(), left_late);
    let one_run_json = json::render(&one_run);
    for n in 1..=4 {
        let texts = shard_reports_with(&paths, &config, n, with_baseline);
        let restored = merge::merge_texts(&texts, &config).expect("merge");
        let merged = postlint::run::merge::outcome_of(restored, &config, Some(&baseline));
        assert_eq!(merged.baselined, held_late, "N = {n}");
        let merged_json = json::render(&merged);
        assert!(
            merged_json == one_run_json,
            "N = {n}: {}",
            first_difference(&one_run_json, &merged_json)
        );
    }
}

/// Whether a rule's findings are made after linting, by the site phase or the settle step.
fn site_rule(code: &str) -> bool {
    [
        "duplicate-slug",
        "duplicate-title",
        "date-offset-suspicious",
        "link-internal-missing",
        "link-internal-draft",
        "unused-suppression",
    ]
    .contains(&code)
}

#[test]
fn fixtures_merge_back_for_every_n_up_to_8() {
    let config = config_at(None);
    assert_merges_equal_one_run(&[fixture("")], &config, 1..=8);
}

#[test]
fn a_sample_of_the_corpus_merges_back_for_every_n_up_to_8() {
    let Some(corpus) = shared("corpus/posts") else {
        return;
    };
    // The sites of the corpus where the site rules find something, and a few without.
    let sites = [
        "rest-izquierdahispanica",
        "rest-softconcis",
        "ss-fundacionpromigas",
        "ss-golkar",
        "ss-psiconotas",
        "ss-webthethao",
        "wxr-wordpress-importer__valid-wxr-1.0",
    ];
    let paths: Vec<PathBuf> = sites.iter().map(|site| corpus.join(site)).collect();
    let config = config_at(None);
    let whole = assert_merges_equal_one_run(&paths, &config, 1..=8);
    assert!(
        site_findings(&whole).len() >= 10,
        "{:?}",
        site_findings(&whole)
    );
}

#[test]
fn the_whole_corpus_merges_back_from_three_shards() {
    let Some(corpus) = shared("corpus/posts") else {
        return;
    };
    let config = config_at(None);
    let whole = assert_merges_equal_one_run(&[corpus], &config, [3]);
    assert!(
        site_findings(&whole).len() >= 15,
        "{:?}",
        site_findings(&whole)
    );
}

/// The shard reports of `postlint check --shard K/3` over the fixtures, written to `dir`.
fn write_shards(dir: &Path, extra: &[&str]) -> Vec<PathBuf> {
    (1..=3)
        .map(|k| {
            let part = dir.join(format!("shard{k}.json"));
            postlint()
                .args(["check", "--no-config", "--shard", &format!("{k}/3")])
                .args(extra)
                .arg(format!("--format=json={}", part.display()))
                .arg(fixture(""))
                .assert()
                .code(predicates::prelude::predicate::in_iter([0, 1]));
            part
        })
        .collect()
}

#[test]
fn the_merge_command_writes_what_one_run_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parts = write_shards(dir.path(), &["--ignore", "empty-span"]);
    let whole = postlint()
        .args(["check", "--no-config", "--ignore", "empty-span", "--format"])
        .arg(format!(
            "sarif={}",
            dir.path().join("whole.sarif").display()
        ))
        .args(["--format", "json"])
        .arg(fixture(""))
        .output()
        .expect("run");
    let merged = postlint()
        .args(["merge", "--no-config", "--ignore", "empty-span", "--format"])
        .arg(format!(
            "sarif={}",
            dir.path().join("merged.sarif").display()
        ))
        .args(["--format", "json"])
        .args(&parts)
        .output()
        .expect("merge");
    assert_eq!(merged.status.code(), whole.status.code());
    assert!(merged.stdout == whole.stdout, "the JSON reports differ");
    let sarif = |name: &str| std::fs::read(dir.path().join(name)).expect("SARIF");
    assert!(
        sarif("merged.sarif") == sarif("whole.sarif"),
        "SARIF differs"
    );
}

#[test]
fn the_merge_refuses_missing_shards_another_config_and_plain_reports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parts = write_shards(dir.path(), &[]);
    let refused = |args: &[&str], parts: &[PathBuf], says: &str| {
        postlint()
            .arg("merge")
            .args(args)
            .args(parts)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
    };
    refused(&["--no-config"], &parts[..2], "shards 1/3, 2/3");
    refused(
        &["--no-config"],
        &[parts[0].clone(), parts[0].clone(), parts[1].clone()],
        "once",
    );
    refused(
        &["--no-config", "--ignore", "duplicate-title"],
        &parts,
        "written with another configuration",
    );
    let plain = dir.path().join("plain.json");
    postlint()
        .args(["check", "--no-config", "--format"])
        .arg(format!("json={}", plain.display()))
        .arg(fixture("seed_koreapro_2205786.json"))
        .assert()
        .code(1);
    refused(&["--no-config"], &[plain], "no `shard` section");
}

#[test]
fn the_sharded_workflow_example_lints_every_shard_and_merges_them() {
    let text = std::fs::read_to_string(".github/workflows/sharded-lint.yml").expect("workflow");
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("YAML");
    let jobs = &docs[0]["jobs"];
    let shards = jobs["shard"]["strategy"]["matrix"]["shard"]
        .as_vec()
        .expect("a matrix of shards");
    let runs = |job: &str| -> Vec<String> {
        (jobs[job]["steps"].as_vec().expect("steps").iter())
            .filter_map(|s| s["run"].as_str().map(str::to_owned))
            .collect()
    };
    let uses = |job: &str| -> Vec<String> {
        (jobs[job]["steps"].as_vec().expect("steps").iter())
            .filter_map(|s| s["uses"].as_str().map(str::to_owned))
            .collect()
    };
    let of_n = format!("/{} ", shards.len());
    assert!(
        runs("shard")
            .iter()
            .any(|r| r.contains("--shard ${{ matrix.shard }}") && r.contains(&of_n)),
        "every job lints its shard of {}",
        shards.len()
    );
    assert!(
        uses("shard")
            .iter()
            .any(|u| u.starts_with("actions/upload-artifact"))
    );
    assert_eq!(jobs["merge"]["needs"].as_str(), Some("shard"));
    assert!(
        uses("merge")
            .iter()
            .any(|u| u.starts_with("actions/download-artifact"))
    );
    assert!(
        runs("merge")
            .iter()
            .any(|r| r.contains("postlint merge") && r.contains("sarif="))
    );
    assert!(
        uses("merge")
            .iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif"))
    );
    let Some(validator) = crate::common::system_tool("check-jsonschema", None) else {
        return;
    };
    let checked = std::process::Command::new(validator)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(".github/workflows/sharded-lint.yml")
        .output()
        .expect("check-jsonschema");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}
