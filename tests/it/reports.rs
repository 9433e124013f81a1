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

/// A post as WordPress writes it: `/` and non-ASCII escaped, lines as `\n`.
const ESCAPED_POST: &str = r#"{"id":7,"title":{"rendered":"Costs"},"content":{"rendered":"<p>It\u2019s about costs.<span><\/span><\/p>\n<p>Next line.<\/p>"}}"#;

fn report_of(
    text: &str,
    name: &str,
    render: fn(&postlint::outcome::CheckOutcome) -> String,
) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("written");
    let options = LintOptions {
        list_posts: true,
        ..LintOptions::default()
    };
    render(&postlint::check(&[path], options))
}

/// `&quot;` and friends back to text: the `srcdoc` attribute's document.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn html_snippets_show_the_fields_html_as_written_with_the_json_position() {
    let html = report_of(ESCAPED_POST, "post.json", report::html::render);
    let empty_span = html
        .split("<li class=\"finding")
        .find(|item| item.contains("data-rule=\"empty-span\""))
        .expect("the empty span is listed");
    let column = ESCAPED_POST.find("<span>").expect("a span") + 1;
    assert!(
        empty_span.contains(&format!("post.json:1:{column}</span>")),
        "{empty_span}"
    );
    assert!(
        empty_span.contains(
            "<pre class=\"html\"><code>&lt;p&gt;It’s about costs.<mark>&lt;span&gt;&lt;/span&gt;</mark>&lt;/p&gt;\n&lt;p&gt;Next line.&lt;/p&gt;</code></pre>"
        ),
        "{empty_span}"
    );
    assert!(!html.contains("\\u2019") && !html.contains("&lt;\\/"));
}

#[test]
fn markdown_snippets_show_the_fields_html_as_written() {
    let markdown = report_of(ESCAPED_POST, "post.json", report::markdown::render);
    assert!(
        markdown.contains(
            "<pre>&lt;p&gt;It’s about costs.<mark>&lt;span&gt;&lt;/span&gt;</mark>&lt;/p&gt;\n&lt;p&gt;Next line.&lt;/p&gt;</pre>"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("post.json:1:"), "{markdown}");
}

#[test]
fn the_reader_view_marks_each_finding_where_it_is_and_fetches_nothing() {
    let html = report_of(ESCAPED_POST, "post.json", report::html::render);
    let srcdoc = html
        .split("srcdoc=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(unescape)
        .expect("a reader's view");
    assert!(srcdoc.contains("default-src 'none'"), "{srcdoc}");
    assert!(
        srcdoc.contains(
            "<p>It’s about costs.<mark class=\"pl-at\" id=\"p1-1\" data-n=\"1\"></mark><span></span></p>\n<p>Next line.</p>"
        ),
        "{srcdoc}"
    );
    assert!(
        html.contains("data-mark=\"p1-1\""),
        "the finding links to its mark"
    );
    assert!(html.contains("sandbox=\"allow-same-origin\""));
}

#[test]
fn wxr_snippets_stay_as_written() {
    let html = report_of(
        &std::fs::read_to_string(fixture("wxr/invalid_entities_wxr10.xml")).expect("a fixture"),
        "export.xml",
        report::html::render,
    );
    assert!(html.contains("<pre class=\"raw\">"), "{html}");
    assert!(!html.contains("<pre class=\"html\">"));
    assert!(!html.contains("srcdoc="), "no view of XML text");
}

/// The JSON report's head counts the summary and the posts in one walk, the files on the
/// run's threads: the same counts, posts and order as the two walks of the other reports.
#[test]
fn the_json_heads_one_walk_counts_what_the_summary_and_the_posts_count() {
    use report::posts::{Keep, by_post, summary_and_counts};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("pool");
    let outcome = pool.install(|| postlint::check(&[fixture("")], LintOptions::default()));
    let listed = |posts: &[report::posts::PostFindings<'_>]| -> Vec<_> {
        let place = |p: &report::posts::PostFindings<'_>| p.post.as_ref().map(|post| post.index);
        posts
            .iter()
            .map(|p| (p.file.to_owned(), place(p), p.counts))
            .collect()
    };
    let (summary, posts) = pool.install(|| summary_and_counts(&outcome));
    assert!(outcome.reports.len() > 100 && summary.errors > 0 && summary.warnings > 0);
    assert_eq!(summary, report::Summary::of(&outcome));
    assert_eq!(listed(&posts), listed(&by_post(&outcome, Keep::Counts)));
}
