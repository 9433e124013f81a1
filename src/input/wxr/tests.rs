use super::*;

fn wxr(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>"
    )
}

fn content<'a>(post: &'a Node<'_>) -> &'a JsonStr<'a> {
    post.get("content")
        .and_then(|c| c.get("rendered"))
        .and_then(Node::as_str)
        .expect("content")
}

#[test]
fn cdata_split_maps_back_to_both_sections() {
    let text = wxr("<item><wp:post_type>post</wp:post_type><content:encoded>\
         <![CDATA[a]]]]><![CDATA[>b]]></content:encoded></item>");
    let file = read(text.as_bytes(), &POST_TYPES);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let content = content(&file.posts[0]);
    assert_eq!(content.as_str(), "a]]>b");
    let b = content.file_offset(4);
    assert_eq!(&text[b..b + 1], "b");
    let a = content.file_offset(0);
    assert_eq!(&text[a..a + 1], "a");
}

#[test]
fn entities_map_to_their_bytes() {
    let text = wxr("<item><wp:post_type>page</wp:post_type>\
         <content:encoded>&lt;p&gt;x&#233;</content:encoded></item>");
    let file = read(text.as_bytes(), &POST_TYPES);
    let content = content(&file.posts[0]);
    assert_eq!(content.as_str(), "<p>xé");
    let range = content.file_range(0..3);
    assert_eq!(&text[range], "&lt;p&gt;");
    let range = content.file_range(3..6);
    assert_eq!(&text[range], "x&#233;");
}

#[test]
fn other_types_and_namespaces_are_not_posts() {
    let text = wxr("<item><wp:post_type>attachment</wp:post_type></item>\
         <item xmlns:wp=\"http://example.com/\"><wp:post_type>post</wp:post_type></item>\
         <item><post_type xmlns=\"https://wordpress.org/export/1.1/\">post</post_type></item>");
    assert_eq!(read(text.as_bytes(), &POST_TYPES).posts.len(), 1);
}

#[test]
fn a_cut_file_keeps_the_items_before() {
    let text = wxr("<item><wp:post_type>post</wp:post_type></item><item><title>x");
    let cut = &text[..text.rfind("<title>x").expect("x") + 8];
    let file = read(cut.as_bytes(), &POST_TYPES);
    assert_eq!(file.posts.len(), 1);
    assert_eq!(file.errors.len(), 1);
    assert_eq!(file.errors[0].span, cut.len()..cut.len());
    assert!(file.errors[0].message.contains("`<title>`"));
}

#[test]
fn a_bad_version_is_reported_at_its_text() {
    let text = wxr("").replace(">1.2<", ">abc<");
    let file = read(text.as_bytes(), &POST_TYPES);
    assert_eq!(&text[file.errors[0].span.clone()], "abc");
}

#[test]
fn a_byte_order_mark_and_bad_bytes_keep_offsets() {
    let text = wxr("<item><wp:post_type>post</wp:post_type><content:encoded>\
         <![CDATA[a\u{FFFD}b]]></content:encoded></item>");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        text.replace('\u{FFFD}', "\u{1}")
            .bytes()
            .map(|b| if b == 1 { 0xFF } else { b }),
    );
    let file = read(&bytes, &POST_TYPES);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let content = content(&file.posts[0]);
    assert_eq!(content.as_str(), "a\u{FFFD}b");
    let b = content.file_offset(content.as_str().len() - 1);
    assert_eq!(bytes[b], b'b');
    assert_eq!(bytes[content.file_offset(1)], 0xFF);
}

#[test]
fn a_second_byte_order_mark_is_text_and_keeps_offsets() {
    let text = wxr("<item><wp:post_type>post</wp:post_type><content:encoded>\
         <![CDATA[ab]]></content:encoded></item>");
    let bytes = [BOM, BOM, text.as_bytes()].concat();
    let file = read(&bytes, &POST_TYPES);
    let content = content(&file.posts[0]);
    assert_eq!(&bytes[content.file_range(0..2)], b"ab");
    assert!(file.errors.is_empty(), "{:?}", file.errors);
}

#[test]
fn sniffs_xml() {
    assert!(looks_like_xml(b"\xEF\xBB\xBF\n<?xml version=\"1.0\"?>"));
    assert!(!looks_like_xml(b"<!DOCTYPE html>"));
    assert!(!looks_like_xml(b"{\"id\":1}"));
}
