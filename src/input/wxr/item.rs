//! One `<item>` as it is read: the elements postlint keeps, each element's text decoded through
//! CDATA and entity references with a map back to the file, and the post node they become.

use std::borrow::Cow;
use std::ops::Range;

use super::Ns;
use crate::input::json::{JsonStr, Member, Node, Value};

/// The elements of an item that postlint reads, and the REST key each becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Title,
    Link,
    Guid,
    Id,
    Slug,
    Status,
    Type,
    Date,
    DateGmt,
    Modified,
    ModifiedGmt,
    Content,
    Excerpt,
}

impl Field {
    pub(super) fn of(ns: Ns, local: &[u8]) -> Option<Field> {
        Some(match (ns, local) {
            (Ns::Rss, b"title") => Field::Title,
            (Ns::Rss, b"link") => Field::Link,
            (Ns::Rss, b"guid") => Field::Guid,
            (Ns::Wxr, b"post_id") => Field::Id,
            (Ns::Wxr, b"post_name") => Field::Slug,
            (Ns::Wxr, b"status") => Field::Status,
            (Ns::Wxr, b"post_type") => Field::Type,
            (Ns::Wxr, b"post_date") => Field::Date,
            (Ns::Wxr, b"post_date_gmt") => Field::DateGmt,
            (Ns::Wxr, b"post_modified") => Field::Modified,
            (Ns::Wxr, b"post_modified_gmt") => Field::ModifiedGmt,
            (Ns::Content, b"encoded") => Field::Content,
            (Ns::Excerpt, b"encoded") => Field::Excerpt,
            _ => return None,
        })
    }

    /// The key of the REST post this field maps to.
    pub(super) fn key(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Link => "link",
            Field::Guid => "guid",
            Field::Id => "id",
            Field::Slug => "slug",
            Field::Status => "status",
            Field::Type => "type",
            Field::Date => "date",
            Field::DateGmt => "date_gmt",
            Field::Modified => "modified",
            Field::ModifiedGmt => "modified_gmt",
            Field::Content => "content",
            Field::Excerpt => "excerpt",
        }
    }

    /// REST wraps these in `{"rendered": …}`.
    pub(super) fn is_rendered(self) -> bool {
        matches!(
            self,
            Field::Title | Field::Guid | Field::Content | Field::Excerpt
        )
    }
}

/// The text of one element as it is read: the decoded string, and where its pieces are in the
/// file (the `escapes` of a `JsonStr`: `(decoded offset, file offset)` after each place where
/// decoded and raw bytes stop matching one to one).
#[derive(Debug, Default)]
pub(super) struct TextBuilder {
    pub(super) text: String,
    pub(super) escapes: Vec<(usize, usize)>,
    pub(super) raw: Option<Range<usize>>,
}

impl TextBuilder {
    /// Notes where the next piece starts in the file; a jump (a CDATA boundary, a comment)
    /// gets an entry of the map.
    pub(super) fn begin_piece(&mut self, at: usize) {
        match &mut self.raw {
            None => self.raw = Some(at..at),
            Some(raw) if raw.end != at => self.escapes.push((self.text.len(), at)),
            Some(_) => {}
        }
    }

    pub(super) fn end_piece(&mut self, at: usize) {
        if let Some(raw) = &mut self.raw {
            raw.end = at;
        }
    }

    /// Bytes that decode as themselves (CDATA, text between entities); invalid UTF-8 becomes
    /// U+FFFD and is mapped.
    pub(super) fn push_plain(&mut self, src: &[u8], at: Range<usize>) {
        self.begin_piece(at.start);
        let mut offset = at.start;
        for chunk in src[at.clone()].utf8_chunks() {
            self.text.push_str(chunk.valid());
            offset += chunk.valid().len();
            for _ in chunk.invalid() {
                self.text.push(char::REPLACEMENT_CHARACTER);
                offset += 1;
                self.escapes.push((self.text.len(), offset));
            }
        }
        self.end_piece(at.end);
    }

    /// Text with entity references, decoded; an unknown reference is kept as written.
    pub(super) fn push_escaped(&mut self, src: &[u8], at: Range<usize>) {
        let mut plain_from = at.start;
        let mut i = at.start;
        while let Some(amp) = memchr::memchr(b'&', &src[i..at.end]).map(|p| i + p) {
            // Only a reference's own characters are looked through for its `;`: searching to
            // the end of the text made each bare `&` cost the text's length.
            let name_len = (src[amp + 1..at.end].iter())
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
                .count();
            let end = (src.get(amp + 1 + name_len) == Some(&b';') && amp + 1 + name_len < at.end)
                .then_some(amp + name_len + 2);
            let decoded = end.and_then(|end| decode_reference(&src[amp + 1..end - 1]));
            match (end, decoded) {
                (Some(end), Some(c)) => {
                    if plain_from < amp {
                        self.push_plain(src, plain_from..amp);
                    }
                    self.begin_piece(amp);
                    self.text.push(c);
                    self.escapes.push((self.text.len(), end));
                    self.end_piece(end);
                    plain_from = end;
                    i = end;
                }
                _ => i = amp + 1,
            }
        }
        if plain_from < at.end {
            self.push_plain(src, plain_from..at.end);
        }
    }

    /// The string of the element at `element`. An element with no text gets the inside of its
    /// tags as raw bytes (`title/` of `<title/>`), so that the value with its delimiters (the
    /// quotes of a JSON string) is the whole element.
    pub(super) fn finish(self, element: Range<usize>) -> JsonStr<'static> {
        let inside = (element.start + 1).min(element.end)..element.end.saturating_sub(1);
        let raw = self.raw.unwrap_or(inside);
        JsonStr::mapped(raw, Cow::Owned(self.text), self.escapes)
    }
}

/// `lt`, `#60`, `#x3C` → `<`.
pub(super) fn decode_reference(name: &[u8]) -> Option<char> {
    let code = match name {
        b"lt" => return Some('<'),
        b"gt" => return Some('>'),
        b"amp" => return Some('&'),
        b"quot" => return Some('"'),
        b"apos" => return Some('\''),
        [b'#', b'x' | b'X', hex @ ..] => u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16),
        [b'#', decimal @ ..] => std::str::from_utf8(decimal).ok()?.parse(),
        _ => return None,
    };
    code.ok().and_then(char::from_u32)
}

/// One `<item>` being read.
#[derive(Debug, Default)]
pub(super) struct ItemBuilder<'s> {
    pub(super) start: usize,
    pub(super) depth: usize,
    pub(super) fields: Vec<(Field, JsonStr<'s>, Range<usize>)>,
    /// The field being read: which, its element's depth, its start, its text so far.
    pub(super) open: Option<(Field, usize, usize, TextBuilder)>,
    /// It holds an element nested past the reader's limit: it is reported, not linted.
    pub(super) too_deep: bool,
}

impl<'s> ItemBuilder<'s> {
    pub(super) fn has(&self, field: Field) -> bool {
        self.fields.iter().any(|(f, _, _)| *f == field)
    }

    pub(super) fn text_of(&self, field: Field) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, s, _)| s.as_str())
    }

    pub(super) fn is_post(&self, types: &[String]) -> bool {
        self.text_of(Field::Type)
            .is_some_and(|t| types.iter().any(|wanted| wanted == t.trim()))
    }

    /// The item as a REST-shaped post object whose strings point into `src`.
    pub(super) fn into_node(self, src: &'s [u8], end: usize) -> Node<'s> {
        let members = self
            .fields
            .into_iter()
            .map(|(field, text, element)| member(src, field, text, element))
            .collect();
        Node {
            value: Value::Object(members),
            span: self.start..end,
        }
    }
}

pub(super) fn member<'s>(
    src: &'s [u8],
    field: Field,
    text: JsonStr<'s>,
    element: Range<usize>,
) -> Member<'s> {
    let key = JsonStr::mapped(element.clone(), Cow::Borrowed(field.key()), Vec::new());
    let span = text.raw.clone();
    let value = match field {
        Field::Id => number(src, &text).map_or(Value::String(text), Value::Number),
        // `0000-00-00 00:00:00` is kept: the date rules read it as a draft's unset GMT date.
        _ => Value::String(text),
    };
    let mut node = Node { value, span };
    if field.is_rendered() {
        let rendered = JsonStr::mapped(element.clone(), Cow::Borrowed("rendered"), Vec::new());
        node = Node {
            value: Value::Object(vec![Member {
                key: rendered,
                value: node,
            }]),
            span: element,
        };
    }
    Member { key, value: node }
}

/// An id written as plain digits, borrowed from the file (a JSON number is text of the file).
pub(super) fn number<'s>(src: &'s [u8], text: &JsonStr<'_>) -> Option<&'s str> {
    let raw = std::str::from_utf8(src.get(text.raw.clone())?).ok()?.trim();
    (!raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) && raw == text.as_str().trim())
        .then_some(raw)
}
