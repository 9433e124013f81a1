//! Issue 17's reader-visible defects inserted into real posts of the shared corpus: each is
//! found by its own rule at the exact byte of the file, and no other finding appears or goes.

use std::path::Path;

use crate::common;

/// How the post's JSON string is written: WordPress's escapes or plain UTF-8.
#[derive(Clone, Copy)]
enum Style {
    /// `<\/p>`, `\"`: what the REST API sends.
    Escaped,
    /// `</p>`, `\"`: a pretty-printed export.
    Pretty,
}

impl Style {
    fn encode(self, html: &str) -> String {
        let quoted = html.replace('"', "\\\"").replace('\n', "\\n");
        match self {
            Self::Escaped => quoted.replace('/', "\\/"),
            Self::Pretty => quoted,
        }
    }

    fn paragraph_end(self) -> &'static str {
        match self {
            Self::Escaped => "<\\/p>",
            Self::Pretty => "</p>",
        }
    }
}

/// (rule, byte offset) of every finding of a file.
fn found(path: &Path) -> Vec<(&'static str, usize)> {
    let mut found: Vec<_> = common::findings(path)
        .iter()
        .map(|f| (f.diagnostic.rule, f.span.offset))
        .collect();
    found.sort();
    found
}

/// Inserts `html` after the post's first paragraph and checks that exactly one finding is
/// new: `rule`'s, at the first byte of `marker` in the inserted text.
fn inserted_is_found(post: &str, style: Style, html: &str, rule: &str, marker: &str) {
    let Some(path) = common::shared(post) else {
        return;
    };
    let original = std::fs::read_to_string(&path).expect("corpus post");
    let at =
        original.find(style.paragraph_end()).expect("a paragraph") + style.paragraph_end().len();
    let insert = style.encode(html);
    let changed = format!("{}{insert}{}", &original[..at], &original[at..]);
    let dir = common::project(&[("post.json", &changed)]);

    let shifted = |offset: usize| {
        if offset >= at {
            offset + insert.len()
        } else {
            offset
        }
    };
    let mut expected: Vec<_> = found(&path)
        .into_iter()
        .map(|(r, o)| (r, shifted(o)))
        .collect();
    let offset = at
        + insert
            .find(&style.encode(marker))
            .expect("marker in the insert");
    expected.push((
        postlint::rules::find(rule).expect("a rule").meta().code,
        offset,
    ));
    expected.sort();
    assert_eq!(
        found(&dir.path().join("post.json")),
        expected,
        "{html} in {post}"
    );
}

const ESCAPED_POST: &str = "corpus/posts/ss-owenshen/109.json";
const PRETTY_POST: &str = "corpus/posts/rest-izquierdahispanica/4708.json";

#[test]
fn an_empty_heading_is_found_at_its_start_tag() {
    let html = "\n<h4 class=\"wp-block-heading\">&nbsp;</h4>\n";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(post, style, html, "empty-heading", "<h4");
    }
}

#[test]
fn an_empty_link_is_found_at_its_start_tag() {
    let html = "\n<p>The report is <a href=\"https://example.org/report/\"></a> online.</p>";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(post, style, html, "empty-link", "<a ");
    }
}

#[test]
fn an_image_without_a_source_is_found_at_its_start_tag() {
    let html = "\n<figure class=\"wp-block-image\"><img src=\"\" alt=\"The bridge\"></figure>";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(post, style, html, "image-src-missing", "<img");
    }
}

#[test]
fn a_vague_link_is_found_at_its_text() {
    let html = "\n<p>The report is <a href=\"https://example.org/report/\">click here</a>.</p>";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(post, style, html, "link-text-vague", "click here");
    }
}

#[test]
fn a_skipped_heading_level_is_found_at_its_start_tag() {
    // The post has no heading: the first one, an `<h3>`, skips the `<h2>` under the title.
    let html = "\n<h3>Inserted section</h3>";
    inserted_is_found(
        ESCAPED_POST,
        Style::Escaped,
        html,
        "heading-level-skip",
        "<h3",
    );
}

#[test]
fn an_empty_link_alone_in_a_paragraph_is_one_finding_of_empty_link() {
    let html = "\n<p><a href=\"https://example.org/annex/\">&nbsp;</a></p>";
    inserted_is_found(ESCAPED_POST, Style::Escaped, html, "empty-link", "<a ");
}

#[test]
fn an_empty_link_alone_in_a_heading_is_one_finding_of_empty_heading() {
    let html = "\n<h2><a href=\"https://example.org/annex/\"></a></h2>";
    inserted_is_found(PRETTY_POST, Style::Pretty, html, "empty-heading", "<h2");
}

#[test]
fn text_in_angle_brackets_is_no_empty_heading_or_link() {
    let Some(path) = common::shared(ESCAPED_POST) else {
        return;
    };
    let original = std::fs::read_to_string(&path).expect("corpus post");
    let at = original.find("<\\/p>").expect("a paragraph") + "<\\/p>".len();
    let html = "<h2><your name></h2><p>Write to <a href=\\\"mailto:a@example.org\\\"><your email></a>.<\\/p>";
    let changed = format!("{}{html}{}", &original[..at], &original[at..]);
    let dir = common::project(&[("post.json", &changed)]);
    let rules: Vec<_> = found(&dir.path().join("post.json"))
        .into_iter()
        .map(|(rule, _)| rule)
        .collect();
    assert!(!rules.contains(&"empty-heading"), "{rules:?}");
    assert!(!rules.contains(&"empty-link"), "{rules:?}");
}

#[test]
fn a_link_inside_a_link_is_one_finding_of_nested_link() {
    // The outer link's `</a>` then closes nothing, and the outer link ends early: both are
    // the nested link's consequences, not findings of their own.
    let html = "\n<p>Read <a href=\"https://example.org/report/\">the <a href=\"https://example.org/report.pdf\">full report</a> today</a>.</p>";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(
            post,
            style,
            html,
            "nested-link",
            "<a href=\"https://example.org/report.pdf",
        );
    }
}

#[test]
fn text_between_angle_brackets_is_one_finding_of_text_hidden_as_tag() {
    // Not also an element left open (`unclosed-element`) nor, for the end tag WordPress adds,
    // a stray end tag.
    let html = "\n<p>Sign in as <nombre de usuario> and open the settings.</p>";
    for (post, style) in [(ESCAPED_POST, Style::Escaped), (PRETTY_POST, Style::Pretty)] {
        inserted_is_found(post, style, html, "text-hidden-as-tag", "<nombre");
    }
}
