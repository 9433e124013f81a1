//! Trust on content no rule was tuned on: the false and loud classes a fresh reading found,
//! each told in both ways WordPress writes a post (the REST API's escaped JSON, `\/` and
//! `\u2019`, and pretty UTF-8), and the defects postlint used to miss.

use std::path::PathBuf;

use postlint::diagnostic::{Finding, Severity};

use crate::common::{findings, fixture, project};

/// Both encodings of a fixture of `fixtures/rules/<rule>/`: `<name>_escaped.json` and
/// `<name>_pretty.json`.
fn both(rule: &str, name: &str) -> [PathBuf; 2] {
    ["escaped", "pretty"].map(|form| fixture(&format!("rules/{rule}/{name}_{form}.json")))
}

fn of_rule<'f>(found: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    found.iter().filter(|f| f.diagnostic.rule == rule).collect()
}

fn message(finding: &Finding) -> &str {
    &finding.diagnostic.message
}

fn help(finding: &Finding) -> &str {
    finding.diagnostic.help.as_deref().unwrap_or_default()
}

/// The bytes of the file a finding points at.
fn covered(path: &PathBuf, finding: &Finding) -> String {
    let bytes = std::fs::read(path).expect("fixture");
    let span = &finding.span;
    String::from_utf8_lossy(&bytes[span.offset..span.offset + span.length]).into_owned()
}

/// A post with this HTML as its content, in a file of its own.
fn post_file(content: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let text = format!(
        r#"{{"id":1,"date":"2024-07-15T08:00:00","date_gmt":"2024-07-14T23:00:00","status":"publish","type":"post","link":"https://news.example.com/2024/07/p/","title":{{"rendered":"A title"}},"content":{{"rendered":{}}}{extra}}}"#,
        serde_json::to_string(content).expect("a JSON string")
    );
    let dir = project(&[("post.json", &text)]);
    let path = dir.path().join("post.json");
    (dir, path)
}

#[test]
fn credit_and_source_lines_repeat_a_link_without_a_finding() {
    for path in both("duplicate-link", "valid_credit_lines") {
        let found = findings(&path);
        assert!(of_rule(&found, "duplicate-link").is_empty(), "{path:?}");
    }
    // A label that names what the link is ("Nearest station:") is data, not a credit; but
    // its repeat is in another paragraph, which is never reported. The same target twice in
    // one paragraph under two names still is.
    for path in both("duplicate-link", "invalid_data_label_not_credit") {
        let found = findings(&path);
        let repeats = of_rule(&found, "duplicate-link");
        assert_eq!(repeats.len(), 1, "{path:?}");
        assert_eq!(repeats[0].diagnostic.severity, Severity::Warning);
        assert_eq!(
            covered(&path, repeats[0]).replace("\\/", "/"),
            "https://www.example.org/informe-2024/"
        );
    }
}

#[test]
fn a_credit_label_on_the_line_above_or_before_a_list_still_credits() {
    let body = "<p>The <a href=\"https://x.example/r\">report</a>.</p>";
    for credit in [
        "<p><b>Fuente:</b><br><a href=\"https://x.example/r\">X</a></p>",
        "<p>Sources: <a href=\"https://y.example/\">Y</a>, <a href=\"https://x.example/r\">X</a></p>",
        "<p>Via <a href=\"https://x.example/r\">X</a></p>",
    ] {
        let (_dir, path) = post_file(&format!("{body}{credit}"), "");
        assert!(
            of_rule(&findings(&path), "duplicate-link").is_empty(),
            "{credit}"
        );
    }
    // A long sentence is no credit label: without a colon to announce the repeat, it is
    // reported; with one, it announces a deliberate call to action, and is not.
    let sentence = |colon: &str| {
        format!(
            "<p>The <a href=\"https://x.example/r\">report</a>. You can read the whole of it \
             in the ministry's own report{colon} <a href=\"https://x.example/r\">X</a></p>"
        )
    };
    let (_dir, path) = post_file(&sentence(""), "");
    assert_eq!(of_rule(&findings(&path), "duplicate-link").len(), 1);
    let (_dir, path) = post_file(&sentence(":"), "");
    assert!(of_rule(&findings(&path), "duplicate-link").is_empty());
}

#[test]
fn an_anchor_that_never_had_a_url_is_an_info_that_says_so() {
    for path in both("link-missing-href", "invalid_never_a_link") {
        let found = findings(&path);
        let graded: Vec<(String, Severity)> = of_rule(&found, "link-missing-href")
            .iter()
            .map(|f| (covered(&path, f), f.diagnostic.severity))
            .collect();
        assert_eq!(
            graded,
            [
                (
                    "<a title=\\\"griego o griega\\\">".to_owned(),
                    Severity::Info
                ),
                ("<a>".to_owned(), Severity::Info),
                ("<a class=\\\"a\\\">".to_owned(), Severity::Info),
                (
                    "<a target=\\\"_new\\\" rel=\\\"noopener\\\">".to_owned(),
                    Severity::Error
                ),
                ("<a>".to_owned(), Severity::Error),
                (
                    "<a class=\\\"wp-block-button__link\\\">".to_owned(),
                    Severity::Error
                ),
            ],
            "{path:?}"
        );
        for never in &of_rule(&found, "link-missing-href")[..3] {
            assert!(
                message(never).contains("no link was there"),
                "{}",
                message(never)
            );
            assert!(!help(never).contains("restore"), "{}", help(never));
        }
    }
}

#[test]
fn leftover_end_tags_of_escaped_markup_are_one_info_per_run_without_showing_them() {
    for path in both("stray-end-tag", "invalid_escaped_leftovers") {
        let found = findings(&path);
        assert!(of_rule(&found, "text-hidden-as-tag").is_empty(), "{path:?}");
        let runs = of_rule(&found, "stray-end-tag");
        assert_eq!(runs.len(), 2, "{path:?}");
        let first = runs[0];
        assert_eq!(first.diagnostic.severity, Severity::Info);
        assert_eq!(
            covered(&path, first).replace("\\/", "/"),
            "</e></e></e></e></e>"
        );
        assert!(message(first).contains("4 more"), "{}", message(first));
        let fix = first.diagnostic.fix.as_ref().expect("a fix");
        assert_eq!(fix.edits.len(), 5);
        // Removed, never written as `&lt;`: readers were not to see them.
        assert!(fix.edits.iter().all(|edit| edit.content.is_empty()));
        assert!(
            message(runs[1]).contains("1 more end tag "),
            "{}",
            message(runs[1])
        );
    }
}

#[test]
fn an_unknown_end_tag_with_no_escaped_start_is_still_hidden_text() {
    let (_dir, path) = post_file("<p>Close it with </receiver> at the end.</p>", "");
    let found = findings(&path);
    assert_eq!(of_rule(&found, "text-hidden-as-tag").len(), 1);
    assert!(of_rule(&found, "stray-end-tag").is_empty());
    // The escaped start must come first: text after the end tag explains nothing.
    let (_dir, path) = post_file("<p>Close it </e> now.</p><p><code>&lt;e&gt;</code></p>", "");
    assert_eq!(of_rule(&findings(&path), "text-hidden-as-tag").len(), 1);
}

#[test]
fn an_empty_image_beside_the_shown_one_is_an_info_and_a_lost_one_an_error() {
    for path in both("image-src-missing", "invalid_beside_a_shown_image") {
        let found = findings(&path);
        let graded: Vec<Severity> = of_rule(&found, "image-src-missing")
            .iter()
            .map(|f| f.diagnostic.severity)
            .collect();
        assert_eq!(
            graded,
            [Severity::Info, Severity::Info, Severity::Error],
            "{path:?}"
        );
    }
    // Images far apart at the top level share no holder: the empty one stays an error.
    let (_dir, path) = post_file(
        "<img src=\"https://news.example.com/a.jpg\" alt=\"A\">\n\n<p>Text.</p>\n\n<img alt=\"\">",
        "",
    );
    let found = findings(&path);
    let missing = of_rule(&found, "image-src-missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].diagnostic.severity, Severity::Error);
}

#[test]
fn an_empty_span_in_an_empty_paragraph_is_one_finding_at_the_paragraphs_severity() {
    for path in both("empty-paragraph", "invalid_span_only") {
        let found = findings(&path);
        let rules: Vec<(&str, Severity, String)> = found
            .iter()
            .map(|f| {
                (
                    f.diagnostic.rule,
                    f.diagnostic.severity,
                    covered(&path, f).replace("\\/", "/"),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [
                (
                    "empty-paragraph",
                    Severity::Info,
                    "<p><span style=\\\"text-decoration: underline;\\\"> </span></p>".to_owned()
                ),
                (
                    "empty-paragraph",
                    Severity::Info,
                    "<p><span style=\\\"font-size: 1rem;\\\"></p>".to_owned()
                ),
            ],
            "{path:?}"
        );
    }
}

#[test]
fn with_empty_paragraph_off_the_empty_span_is_reported_again() {
    let content = "<p><span style=\"color:red\"> </span></p>";
    let dir = project(&[
        (
            "post.json",
            &format!(
                r#"{{"id":1,"link":"https://news.example.com/p/","title":{{"rendered":"T"}},"content":{{"rendered":{}}}}}"#,
                serde_json::to_string(content).expect("json")
            ),
        ),
        ("postlint.toml", "ignore = [\"empty-paragraph\"]\n"),
    ]);
    let outcome = postlint::check_with(
        &[dir.path().join("post.json")],
        std::sync::Arc::new(
            postlint::config::Config::load(
                &postlint::config::ConfigRequest {
                    file: Some(dir.path().join("postlint.toml")),
                    start_dir: dir.path().to_path_buf(),
                    ..postlint::config::ConfigRequest::default()
                },
                postlint::rules::REGISTRY,
            )
            .expect("config"),
        ),
        postlint::engine::LintOptions::default(),
    );
    let found: Vec<Finding> = outcome
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect();
    assert_eq!(of_rule(&found, "empty-span").len(), 1);
    assert!(of_rule(&found, "empty-paragraph").is_empty());
}

#[test]
fn the_untitled_front_page_of_a_site_in_a_folder_is_not_reported() {
    for path in both("empty-title", "valid_front_page_in_a_folder") {
        let found = findings(&path);
        assert!(of_rule(&found, "empty-title").is_empty(), "{path:?}");
    }
    // A page below the folder is no front page.
    let dir = project(&[(
        "page.json",
        r#"{"id":8,"type":"page","status":"publish","link":"https://news.example.com/blog/about/","_links":{"self":[{"href":"https://news.example.com/blog/wp-json/wp/v2/pages/8"}]},"title":{"rendered":""},"content":{"rendered":"<p>About us.</p>"}}"#,
    )]);
    let found = findings(&dir.path().join("page.json"));
    let titles = of_rule(&found, "empty-title");
    assert_eq!(titles.len(), 1);
    assert_eq!(titles[0].diagnostic.severity, Severity::Error);
}

#[test]
fn table_of_contents_links_whose_ids_the_plugins_script_adds_are_not_reported() {
    for path in both("fragment-missing", "valid_toc_plugin") {
        assert!(
            of_rule(&findings(&path), "fragment-missing").is_empty(),
            "{path:?}"
        );
    }
    // More entries than headings: the script cannot give every entry its heading.
    for path in both("fragment-missing", "invalid_toc_with_fewer_headings") {
        assert_eq!(
            of_rule(&findings(&path), "fragment-missing").len(),
            3,
            "{path:?}"
        );
    }
    // Without the plugin's markup, a missing id is reported whatever the headings.
    let (_dir, path) = post_file(
        "<ul><li><a href=\"#uno\">Uno</a></li></ul><h2>Uno</h2><h2>Dos</h2>",
        "",
    );
    assert_eq!(of_rule(&findings(&path), "fragment-missing").len(), 1);
}

#[test]
fn an_http_src_under_an_https_srcset_is_an_info() {
    for path in both("mixed-content", "invalid_src_under_https_srcset") {
        let found = findings(&path);
        let graded: Vec<Severity> = of_rule(&found, "mixed-content")
            .iter()
            .map(|f| f.diagnostic.severity)
            .collect();
        // Width descriptors: the src is never fetched. Only `2x`: it is the 1x candidate.
        assert_eq!(graded, [Severity::Info, Severity::Warning], "{path:?}");
        assert!(message(of_rule(&found, "mixed-content")[0]).contains("never fetch it"));
    }
    // An http: candidate in the srcset itself is fetched: a warning, counting both.
    let (_dir, path) = post_file(
        "<img src=\"http://p.example.org/a.jpg\" srcset=\"http://p.example.org/a-300.jpg 300w\" alt=\"\">",
        "",
    );
    let https = std::fs::read_to_string(&path).expect("post").replace(
        "https://news.example.com/2024/07/p/",
        "https://news.example.com/p/",
    );
    std::fs::write(&path, https).expect("write");
    let found = findings(&path);
    let mixed = of_rule(&found, "mixed-content");
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0].diagnostic.severity, Severity::Warning);
}

#[test]
fn link_insecure_calls_an_image_an_image_not_a_link() {
    for path in both("link-insecure", "invalid_images_are_not_links") {
        let found = findings(&path);
        let said: Vec<(Severity, &str)> = of_rule(&found, "link-insecure")
            .iter()
            .map(|f| (f.diagnostic.severity, message(f)))
            .collect();
        assert_eq!(
            said,
            [
                (
                    Severity::Info,
                    "`<img>` has an `http:` `src` from news.example.com, which serves https; \
                     browsers that read its `srcset` never fetch it"
                ),
                (
                    Severity::Warning,
                    "`<img>` loads its `src` over `http:` from news.example.com, which serves https"
                ),
                (
                    Severity::Warning,
                    "`http:` link to news.example.com, which serves https"
                ),
            ],
            "{path:?}"
        );
    }
}

#[test]
fn an_empty_centred_paragraph_among_centred_pictures_lost_its_image() {
    for path in both("empty-paragraph", "invalid_lost_centred_image") {
        let found = findings(&path);
        let empty = of_rule(&found, "empty-paragraph");
        assert_eq!(empty.len(), 2, "{path:?}");
        assert!(message(empty[0]).contains("image it held was likely lost"));
        assert!(!help(empty[0]).contains("theme"), "{}", help(empty[0]));
        assert!(
            empty[0].diagnostic.fix.is_none(),
            "removing it would hide the loss"
        );
        // The `&nbsp;` spacer is spacing, as before.
        assert!(help(empty[1]).contains("leave spacing to the theme"));
    }
    // Without centred pictures in the post, a centred empty paragraph is a spacer.
    let (_dir, path) = post_file("<p>Text.</p><p align=\"center\"></p><p>More.</p>", "");
    let found = findings(&path);
    let empty = of_rule(&found, "empty-paragraph");
    assert_eq!(empty.len(), 1);
    assert_eq!(message(empty[0]), "empty paragraph");
}

#[test]
fn placeholder_text_in_a_draft_is_not_said_to_be_published() {
    for path in both("placeholder-text", "invalid_in_a_draft") {
        let found = findings(&path);
        let placeholder = of_rule(&found, "placeholder-text");
        assert_eq!(placeholder.len(), 1, "{path:?}");
        assert!(
            !message(placeholder[0]).contains("was published"),
            "{}",
            message(placeholder[0])
        );
        assert!(message(placeholder[0]).contains("unpublished post"));
    }
}

#[test]
fn image_links_without_a_name_are_one_finding_per_run_of_them() {
    for path in both("image-link-unnamed", "invalid_gallery_and_single") {
        let found = findings(&path);
        let unnamed = of_rule(&found, "image-link-unnamed");
        assert_eq!(unnamed.len(), 2, "{path:?}");
        assert!(
            message(unnamed[0]).starts_with("2 links in a row"),
            "{}",
            message(unnamed[0])
        );
        assert!(
            covered(&path, unnamed[0]).contains("caf"),
            "the first link's span"
        );
        assert_eq!(unnamed[0].secondary.len(), 1, "the last link of the run");
        assert!(message(unnamed[1]).starts_with("this link"));
        // The link whose image has no `alt` at all is image-missing-alt's, which says so.
        let missing = of_rule(&found, "image-missing-alt");
        assert_eq!(missing.len(), 1, "{path:?}");
        assert!(message(missing[0]).contains("the link has no name either"));
        assert!(of_rule(&found, "empty-link").is_empty());
    }
    for path in both("image-link-unnamed", "valid_named_links") {
        let found = findings(&path);
        assert!(of_rule(&found, "image-link-unnamed").is_empty(), "{path:?}");
        // A link named by its title: its image's missing alt is an image's defect only.
        let missing = of_rule(&found, "image-missing-alt");
        assert_eq!(missing.len(), 1);
        assert_eq!(message(missing[0]), "`<img>` has no `alt` text");
    }
}

#[test]
fn text_between_image_links_parts_their_runs() {
    let link = |n: usize| {
        format!(
            "<a href=\"https://news.example.com/{n}.jpg\"><img src=\"https://news.example.com/{n}-s.jpg\" alt=\"\"></a>"
        )
    };
    let content = format!("<p>{}{} and {}</p>", link(1), link(2), link(3));
    let (_dir, path) = post_file(&content, "");
    let found = findings(&path);
    let unnamed: Vec<&str> = of_rule(&found, "image-link-unnamed")
        .iter()
        .map(|f| message(f))
        .collect();
    assert_eq!(unnamed.len(), 2);
    assert!(unnamed[0].starts_with("2 links in a row"));
    assert!(unnamed[1].starts_with("this link"));
}

#[test]
fn a_gallery_of_ten_thousand_unnamed_image_links_is_one_finding_in_linear_time() {
    let links: String = (0..10_000)
        .map(|n| {
            format!(
                "<figure><a href=\"https://news.example.com/{n}.jpg\"><img src=\"https://news.example.com/{n}-s.jpg\" alt=\"\"></a></figure>\n"
            )
        })
        .collect();
    let (_dir, path) = post_file(&links, "");
    let started = std::time::Instant::now();
    let found = findings(&path);
    // A generous bound that only a quadratic walk would break.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let unnamed = of_rule(&found, "image-link-unnamed");
    assert_eq!(unnamed.len(), 1);
    assert!(message(unnamed[0]).starts_with("10000 links in a row"));
}

#[test]
fn frames_without_a_title_are_reported_one_by_one() {
    for path in both("iframe-missing-title", "invalid_untitled_frames") {
        let found = findings(&path);
        let frames = of_rule(&found, "iframe-missing-title");
        assert_eq!(frames.len(), 2, "{path:?}");
        assert!(
            frames
                .iter()
                .all(|f| f.diagnostic.severity == Severity::Warning)
        );
        assert!(message(frames[0]).contains("from maps.example.org"));
        assert!(
            covered(&path, frames[1]).contains("title=\\\" \\\""),
            "a blank title names nothing"
        );
    }
    for path in both("iframe-missing-title", "valid_named_or_hidden") {
        assert!(
            of_rule(&findings(&path), "iframe-missing-title").is_empty(),
            "{path:?}"
        );
    }
}

#[test]
fn links_the_sites_broken_link_plugin_marked_are_warnings_without_a_request() {
    for path in both("link-marked-broken", "invalid_marked_links") {
        let found = findings(&path);
        let marked = of_rule(&found, "link-marked-broken");
        assert_eq!(marked.len(), 2, "{path:?}");
        assert!(
            marked
                .iter()
                .all(|f| f.diagnostic.severity == Severity::Warning)
        );
        assert_eq!(
            covered(&path, marked[0]).replace("\\/", "/"),
            "https://old.example.org/informe"
        );
    }
    for path in both("link-marked-broken", "valid_unmarked") {
        assert!(
            of_rule(&findings(&path), "link-marked-broken").is_empty(),
            "{path:?}"
        );
    }
    // The rule reads what the site rendered, where the plugin puts its mark, not the raw
    // content an editor wrote.
    let dir = project(&[(
        "post.json",
        r#"{"id":1,"status":"publish","link":"https://news.example.com/p/","title":{"rendered":"T"},"content":{"raw":"<a class=\"broken_link\" href=\"https://x.example/\">x</a>","rendered":"<p><a href=\"https://x.example/\">x</a></p>"}}"#,
    )]);
    let found = findings(&dir.path().join("post.json"));
    assert!(of_rule(&found, "link-marked-broken").is_empty());
}

/// The findings of a run over one file, with the site facts in memory or sorted on disk.
fn with_budget(path: &std::path::Path, budget: Option<u64>) -> Vec<Finding> {
    let config = std::sync::Arc::new(
        postlint::config::Config::load(
            &postlint::config::ConfigRequest {
                none: true,
                ..postlint::config::ConfigRequest::default()
            },
            postlint::rules::REGISTRY,
        )
        .expect("config"),
    );
    let options = postlint::run::RunOptions {
        memory_budget: budget,
        ..postlint::run::RunOptions::default()
    };
    postlint::check_with(&[path.to_path_buf()], config, options)
        .reports
        .into_iter()
        .flat_map(|r| r.findings)
        .collect()
}

#[test]
fn seconds_off_an_offset_no_other_post_has_are_a_wrong_offset_not_a_clock_skew() {
    for path in both("date-clock-skew", "invalid_skew_and_wrong_offset") {
        for budget in [None, Some(1)] {
            let found = with_budget(&path, budget);
            let graded: Vec<(&str, Severity, usize)> = found
                .iter()
                .filter(|f| f.diagnostic.rule.starts_with("date-"))
                .map(|f| {
                    let id = f.diagnostic.post.as_ref().and_then(|p| p.id);
                    (
                        f.diagnostic.rule,
                        f.diagnostic.severity,
                        id.unwrap_or_default() as usize,
                    )
                })
                .collect();
            assert_eq!(
                graded,
                [
                    ("date-offset-suspicious", Severity::Warning, 20),
                    ("date-clock-skew", Severity::Info, 21),
                ],
                "{path:?} with budget {budget:?}"
            );
            let wrong = of_rule(&found, "date-offset-suspicious")[0];
            assert!(message(wrong).contains("no other post of the site is at +04:30"));
            assert!(!message(wrong).contains("not a wrong time zone"));
        }
    }
}

#[test]
fn with_too_few_posts_to_doubt_it_a_skewed_pair_is_a_clock_skew() {
    let post = |id: u32, gmt: &str| {
        format!(
            r#"{{"id":{id},"date":"2024-03-20T10:00:00","date_gmt":"{gmt}","status":"publish","link":"https://few.example.org/p{id}/","title":{{"rendered":"T"}},"content":{{"rendered":"<p>x</p>"}}}}"#
        )
    };
    let text = [
        post(1, "2024-03-20T05:29:39"),
        post(2, "2024-03-20T15:00:00"),
    ]
    .join("\n");
    let dir = project(&[("posts.ndjson", &text)]);
    let found = findings(&dir.path().join("posts.ndjson"));
    assert_eq!(of_rule(&found, "date-clock-skew").len(), 1);
    assert!(of_rule(&found, "date-offset-suspicious").is_empty());
    // A draft's pair is judged alone, as before: its GMT date may float.
    let draft = post(3, "2024-03-20T05:29:39").replace("publish", "draft");
    let dir = project(&[("draft.json", &draft)]);
    assert_eq!(
        of_rule(&findings(&dir.path().join("draft.json")), "date-clock-skew").len(),
        1
    );
}

#[test]
fn an_element_left_open_by_the_same_slip_is_part_of_the_outer_finding() {
    for path in both("unclosed-element", "invalid_one_slip") {
        let found = findings(&path);
        let open = of_rule(&found, "unclosed-element");
        let graded: Vec<(Severity, &str)> = open
            .iter()
            .map(|f| (f.diagnostic.severity, message(f)))
            .collect();
        assert_eq!(
            graded,
            [
                (Severity::Warning, "`<h3>` is not closed before `</div>`"),
                (Severity::Info, "`<div>` is not closed before `</section>`"),
                (Severity::Warning, "`<a>` is not closed before `</section>`"),
            ],
            "{path:?}"
        );
        // The fix that closes the heading closes the span opened in it: both end tags, in order.
        assert_eq!(
            help(open[0]),
            "add `</span></h3>` where it should end: that also closes the `<span>` left open \
             inside it",
            "{path:?}"
        );
        // A link run on is worse than the info on its `<div>`: it keeps its own finding.
        assert_eq!(
            help(open[1]),
            "add `</div>` where it should end",
            "{path:?}"
        );
    }
    // A span whose end tag hidden text took is not named in the heading's fix: adding
    // `</span>` would be wrong, the hidden text's `<` is the slip.
    let (_dir, path) = post_file(
        r#"<div class="a"><h3>Title <span>x Ka<ii</span></p></div><p>y</p>"#,
        "",
    );
    let found = findings(&path);
    let helps: Vec<&str> = of_rule(&found, "unclosed-element")
        .into_iter()
        .map(help)
        .collect();
    assert_eq!(helps, ["add `</h3>` where it should end"]);
    assert_eq!(of_rule(&found, "text-hidden-as-tag").len(), 1);
}

#[test]
fn many_elements_left_open_together_are_one_finding_that_counts_them() {
    let (_dir, path) = post_file(&"<div>".repeat(10_000), "");
    let found = findings(&path);
    let open = of_rule(&found, "unclosed-element");
    assert_eq!(open.len(), 1);
    assert_eq!(
        help(open[0]),
        "add `</div>` where it should end, after the end tags of the 9999 elements left open \
         inside it"
    );
    // Labels are bounded: three inner elements are shown, not ten thousand.
    assert_eq!(open[0].diagnostic.secondary.len(), 3);
}

#[test]
fn an_end_tag_read_into_hidden_text_leaves_its_element_to_text_hidden_as_tag() {
    for path in both("unclosed-element", "valid_end_tag_read_into_hidden_text") {
        let found = findings(&path);
        assert!(of_rule(&found, "unclosed-element").is_empty(), "{path:?}");
        let hidden = of_rule(&found, "text-hidden-as-tag");
        let helps: Vec<&str> = hidden.iter().map(|f| help(f)).collect();
        assert_eq!(
            helps,
            [
                "to show it, write its `<` as `&lt;`: the `</h2>` read into it then ends its \
                 element again; otherwise remove the text before that end tag",
                "to show it, write its `<` as `&lt;`: the `</div>` read into it then ends its \
                 element again; otherwise remove the text before that end tag",
            ],
            "{path:?}"
        );
    }
}

#[test]
fn an_end_tag_inside_a_tools_attribute_value_still_leaves_its_element_open() {
    // `text-hidden-as-tag` does not report a tool's markup (`<g data-x="…">`), so the `<div>`
    // whose end tag went into its attribute is `unclosed-element`'s: someone reports it.
    let (_dir, path) = post_file(
        r#"<div class="outer"><div class="a">Texto <g data-x="</div>">y</div><p>Fin.</p>"#,
        "",
    );
    let found = findings(&path);
    assert!(of_rule(&found, "text-hidden-as-tag").is_empty());
    let open: Vec<&str> = of_rule(&found, "unclosed-element")
        .into_iter()
        .map(message)
        .collect();
    assert_eq!(open, ["`<div>` is never closed"]);
}

#[test]
fn a_link_in_a_widget_hidden_on_every_device_jumps_nowhere_unseen() {
    for path in both("fragment-missing", "valid_hidden_on_every_device") {
        assert!(
            of_rule(&findings(&path), "fragment-missing").is_empty(),
            "{path:?}"
        );
    }
    // Shown on laptops (the post hides another widget there, so the site has that
    // breakpoint), on desktops, or to sighted readers (`aria-hidden`): reported.
    for path in both("fragment-missing", "invalid_shown_on_some_device") {
        let found = findings(&path);
        let missing: Vec<&str> = of_rule(&found, "fragment-missing")
            .into_iter()
            .map(message)
            .collect();
        assert_eq!(
            missing,
            [
                "nothing in the post has `id=\"form\"`",
                "nothing in the post has `id=\"precios\"`",
                "nothing in the post has `id=\"mapa\"`",
            ],
            "{path:?}"
        );
    }
}

/// A widget's markup holding an empty link, a frame without a title and an empty heading,
/// with these Elementor classes on the widget.
fn widget(classes: &str) -> String {
    format!(
        r##"<div class="elementor-element elementor-widget {classes}"><div class="elementor-widget-container"><h3></h3><a href="https://example.org/a"></a><iframe src="https://www.youtube.com/embed/x" width="560" height="315"></iframe><a href="#form">Go</a></div></div><p>Text.</p>"##
    )
}

const ASKING_RULES: [&str; 4] = [
    "empty-heading",
    "empty-link",
    "iframe-missing-title",
    "fragment-missing",
];

#[test]
fn every_rule_that_asks_whether_readers_see_it_treats_a_hidden_widget_alike() {
    let hidden = widget("elementor-hidden-desktop elementor-hidden-tablet elementor-hidden-phone");
    let (_dir, path) = post_file(&hidden, "");
    let found = findings(&path);
    for rule in ASKING_RULES {
        assert!(of_rule(&found, rule).is_empty(), "{rule}: {found:?}");
    }
    let shown = widget("elementor-hidden-desktop elementor-hidden-tablet");
    let (_dir, path) = post_file(&shown, "");
    let found = findings(&path);
    for rule in ASKING_RULES {
        assert_eq!(of_rule(&found, rule).len(), 1, "{rule}: {found:?}");
    }
}

#[test]
fn hiddenness_is_found_once_however_deep_the_markup_nests() {
    // Twenty thousand nested elements under a hidden one, a link at the bottom: each element
    // is asked about once the table is made, not walked up from.
    let depth = 20_000;
    let html = format!(
        r##"<div style="display:none">{}<a href="#nowhere">x</a>{}</div>"##,
        "<span>".repeat(depth),
        "</span>".repeat(depth)
    );
    let (_dir, path) = post_file(&html, "");
    assert!(of_rule(&findings(&path), "fragment-missing").is_empty());
}

#[test]
fn a_repeat_its_sentence_announces_is_a_deliberate_call_to_action() {
    for path in both("duplicate-link", "valid_announced_call_to_action") {
        assert!(
            of_rule(&findings(&path), "duplicate-link").is_empty(),
            "{path:?}"
        );
    }
    // "Here" before the first link, or in an earlier sentence, announces that link, not the
    // repeat: still an info.
    for path in both("duplicate-link", "invalid_repeat_not_announced") {
        let found = findings(&path);
        let graded: Vec<Severity> = of_rule(&found, "duplicate-link")
            .iter()
            .map(|f| f.diagnostic.severity)
            .collect();
        assert_eq!(graded, [Severity::Info, Severity::Info], "{path:?}");
    }
}

#[test]
fn only_a_sentences_worth_of_text_before_a_repeat_is_read_for_its_announcement() {
    // The cue is 100,000 characters back, in the same run of text: too far to announce the
    // repeat, and reading back stops on a character boundary.
    let content = format!(
        r#"<p><a href="https://example.org/x">Ejemplo</a> enlace: {} <a href="https://example.org/x">Ejemplo</a></p>"#,
        "é".repeat(100_000)
    );
    let (_dir, path) = post_file(&content, "");
    assert_eq!(of_rule(&findings(&path), "duplicate-link").len(), 1);
}
