//! Property: for random HTML written into a post with random JSON escapes, the file span that
//! postlint gives every tag covers exactly that tag's escaped text in the file.

use std::ops::Range;

use postlint::fuzzing::encode_char;
use postlint::html::HtmlIndex;
use postlint::input::posts::PostReader;
use postlint::post::{HtmlFieldKind, Post};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Tag(&'static str),
}

fn piece() -> impl Strategy<Value = Piece> {
    let tag = prop::sample::select(vec![
        "<span>",
        "</span>",
        "<a href=\"https://example.org/a/b\">",
        "</a>",
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<br/>",
        "<img alt=\"caf\u{e9}\" src=\"/x.png\">",
        "<div class=\"q\">",
        "</div>",
    ]);
    prop_oneof![
        prop::string::string_regex("[a-z \u{e9}\u{2019}\u{1F600}\"\\\\/\n\t]{1,8}")
            .expect("regex")
            .prop_map(Piece::Text),
        tag.prop_map(Piece::Tag),
    ]
}

/// The file text, and the file range of each tag.
fn write_post(pieces: &[Piece], styles: &[u8]) -> (String, Vec<Range<usize>>) {
    let mut file = String::from("{\"id\":1,\"content\":{\"rendered\":\"");
    let mut tags = Vec::new();
    let mut n = 0;
    for piece in pieces {
        let (text, is_tag) = match piece {
            Piece::Text(text) => (text.as_str(), false),
            Piece::Tag(tag) => (*tag, true),
        };
        let start = file.len();
        for c in text.chars() {
            encode_char(c, styles[n % styles.len()], &mut file);
            n += 1;
        }
        if is_tag {
            tags.push(start..file.len());
        }
    }
    file.push_str("\"}}");
    (file, tags)
}

fn tag_spans_found(file: &str) -> Vec<Range<usize>> {
    let mut reader = PostReader::new(file.as_bytes(), 64);
    let entry = reader.next().expect("one post");
    assert!(reader.take_errors().is_empty());
    let post = Post::classify(entry.index, entry.node, entry.recovered).expect("a post");
    let content = post.html_field(HtmlFieldKind::Content).expect("content");
    let index = HtmlIndex::parse(content.as_str());
    let mut decoded: Vec<Range<usize>> = index
        .elements
        .iter()
        .flat_map(|e| std::iter::once(e.start_tag.clone()).chain(e.end_tag.clone()))
        .chain(index.stray_end_tags.iter().map(|s| s.span.clone()))
        .collect();
    decoded.sort_by_key(|r| r.start);
    decoded.into_iter().map(|r| content.file_range(r)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_tag_maps_to_its_escaped_text(
        pieces in prop::collection::vec(piece(), 1..40),
        styles in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        let (file, expected) = write_post(&pieces, &styles);
        let found = tag_spans_found(&file);
        prop_assert_eq!(found, expected, "file: {}", file);
    }
}
