//! Issue 17's reader-visible defects inserted into real posts of the shared corpus, one at a
//! time, in the file's own JSON style: each is found by its rule at the exact byte inserted,
//! and nothing else changes.

use std::path::Path;

use crate::common::{findings, shared};

/// (rule, the defect as HTML, the text its finding must point at).
const DEFECTS: [(&str, &str, &str); 5] = [
    (
        "unrendered-shortcode",
        "<p>[ninja_form id=3]</p>",
        "[ninja_form id=3]",
    ),
    (
        "placeholder-text",
        "<p>Lorem ipsum dolor sit amet, consectetur.</p>",
        "Lorem ipsum dolor sit amet",
    ),
    (
        "mixed-content",
        "<p><img src=\"http://photos.example.org/harbour.jpg\" alt=\"The harbour\"></p>",
        "http://photos.example.org/harbour.jpg",
    ),
    (
        "bare-embed-url",
        "<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "link-editor-only",
        "<p>Nota<a href=\"http://www.blogger.com/blogger.g?blogID=1#_ftn1\">[1]</a>.</p>",
        "http://www.blogger.com/blogger.g?blogID=1#_ftn1",
    ),
];

/// Posts of https sites: one in WordPress's escaped JSON, one pretty-printed in UTF-8.
const POSTS: [&str; 2] = [
    "corpus/posts/ss-fukata-blog/6730.json",
    "corpus/posts/rest-frontity-mocks/184.json",
];

/// HTML written into a JSON string the way the file writes its strings.
fn encode(html: &str, escaped_slashes: bool) -> String {
    let quoted = html.replace('"', "\\\"");
    if escaped_slashes {
        quoted.replace('/', "\\/")
    } else {
        quoted
    }
}

/// (rule, offset) of every finding, offsets past `at` moved back by `inserted` bytes, so that
/// findings of the original post compare equal.
fn placed(path: &Path, at: usize, inserted: usize) -> Vec<(&'static str, usize)> {
    let mut found: Vec<_> = findings(path)
        .iter()
        .map(|f| {
            let offset = f.span.offset;
            let original = if offset >= at + inserted {
                offset - inserted
            } else {
                offset
            };
            (f.diagnostic.rule, original)
        })
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn each_inserted_defect_is_found_at_its_byte_and_nothing_else_changes() {
    for post in POSTS {
        let Some(source) = shared(post) else { return };
        let text = std::fs::read_to_string(&source).expect("post");
        let escaped = text.contains("<\\/p>");
        let end_of_first_paragraph = if escaped { "<\\/p>" } else { "</p>" };
        let at =
            text.find(end_of_first_paragraph).expect("a paragraph") + end_of_first_paragraph.len();
        let before = placed(&source, usize::MAX, 0);
        let dir = tempfile::tempdir().expect("tempdir");
        for (rule, html, target) in DEFECTS {
            let inserted = encode(html, escaped);
            let mut changed = text.clone();
            changed.insert_str(at, &inserted);
            let path = dir.path().join("post.json");
            std::fs::write(&path, &changed).expect("written");
            let mut after = placed(&path, at, inserted.len());
            let expected = at + inserted.find(&encode(target, escaped)).expect("target");
            let position = after.iter().position(|f| *f == (rule, expected));
            assert!(
                position.is_some(),
                "{post}: no {rule} at {expected}: {after:?}"
            );
            if let Some(position) = position {
                after.remove(position);
            }
            assert_eq!(
                after, before,
                "{post} with {rule}'s defect: other findings changed"
            );
        }
    }
}
