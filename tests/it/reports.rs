//! Reports as users see them: snapshots of the human and JSON output, the JSON schema, and
//! byte-identical output whatever the number of threads.


use crate::common::fixture;
use postlint::engine::LintOptions;
use postlint::report;

fn human(path: &str) -> String {
    let outcome = postlint::check(&[fixture(path)], LintOptions::default());
    let style = report::human::Style {
        color: false,
        width: 100,
    };
    report::human::render(&outcome, &style)
}

fn json_with_threads(paths: &[std::path::PathBuf], threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        let outcome = postlint::check(paths, LintOptions::default());
        report::json::render(&outcome)
    })
}

#[test]
fn human_report_of_the_seed() {
    insta::assert_snapshot!(human("seed_koreapro_2205786.json"));
}

#[test]
fn human_report_of_damaged_json() {
    insta::assert_snapshot!(human("cases/invalid_bad_escapes.json"));
}

#[test]
fn human_report_of_pretty_printed_post() {
    insta::assert_snapshot!(human("cases/invalid_stray_end_tags.json"));
}

#[test]
fn json_report_of_the_seed() {
    let text = json_with_threads(&[fixture("seed_koreapro_2205786.json")], 1);
    insta::assert_snapshot!(text);
}

#[test]
fn json_reports_validate_against_the_schema() {
    let schema_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
    )
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let report_text = json_with_threads(&[fixture("")], 2);
    let report: serde_json::Value = serde_json::from_str(&report_text).expect("report is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        report["diagnostics"]
            .as_array()
            .is_some_and(|d| d.len() > 40)
    );
    // The schema is strict enough to catch a renamed field.
    let mut broken = report.clone();
    broken["diagnostics"][0]["span"]["col"] = broken["diagnostics"][0]["span"]["column"].take();
    if let Some(span) = broken["diagnostics"][0]["span"].as_object_mut() {
        span.remove("column");
    }
    assert!(!validator.is_valid(&broken));
}

#[test]
fn output_is_identical_with_one_thread_or_many() {
    let mut paths = vec![fixture("")];
    if let Some(corpus) = crate::common::shared("corpus/posts") {
        paths.push(corpus);
    }
    let one = json_with_threads(&paths, 1);
    let many = json_with_threads(&paths, 8);
    assert!(one == many, "reports differ between 1 and 8 threads");
}
