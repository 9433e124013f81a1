//! The index's own html5gum emitter: tokenizer events handed to the index's builder with text
//! runs, attribute values and comments as slices of the field wherever html5gum's bytes are the
//! field's own, copied only where html5gum changed them (character references, NUL, CR LF).
//!
//! html5gum's `CallbackEmitter` copies every piece into a buffer of its own before its callback
//! sees it, and the index copied it again; this is that emitter's event order and spans (the
//! same flushes at the same calls, so the index is built exactly as before), without the first
//! copy. Its tests compare both on tricky markup.

use std::convert::Infallible;
use std::ops::Range;

use html5gum::{Emitter, Error, State, naive_next_state};

/// What the index's builder is told, in document order: the events of html5gum's
/// `CallbackEmitter` (without errors and doctypes), spans in bytes of the field.
pub(super) trait Events {
    fn open_start_tag(&mut self, name: &[u8], span: Range<usize>);
    fn attribute_name(&mut self, name: &[u8], span: Range<usize>);
    fn attribute_value(&mut self, value: &str, span: Range<usize>);
    fn close_start_tag(&mut self, self_closing: bool, span: Range<usize>);
    fn end_tag(&mut self, name: &[u8], span: Range<usize>);
    fn text(&mut self, text: &str, span: Range<usize>);
    fn comment(&mut self, text: &str, span: Range<usize>);
}

/// Bytes html5gum hands over piece by piece: a range of the field while each piece is the
/// field's next bytes (html5gum's reader of a `&str` hands out slices of it), a copy from the
/// first piece that is not.
#[derive(Default)]
struct Pieces {
    in_field: Option<Range<usize>>,
    copy: Vec<u8>,
    copied: bool,
}

impl Pieces {
    fn is_empty(&self) -> bool {
        !self.copied && self.in_field.is_none()
    }

    fn push(&mut self, field: &str, piece: &[u8]) {
        if piece.is_empty() {
            return;
        }
        if !self.copied {
            let at = offset_in(field, piece);
            match (&mut self.in_field, at) {
                (None, Some(at)) => {
                    self.in_field = Some(at..at + piece.len());
                    return;
                }
                (Some(range), Some(at)) if range.end == at => {
                    range.end += piece.len();
                    return;
                }
                _ => self.start_copy(field),
            }
        }
        self.copy.extend_from_slice(piece);
    }

    fn start_copy(&mut self, field: &str) {
        self.copied = true;
        self.copy.clear();
        if let Some(range) = self.in_field.take() {
            self.copy
                .extend_from_slice(field.as_bytes().get(range).unwrap_or_default());
        }
    }

    /// The text gathered: the field's own, or the copy (from a `&str` always UTF-8; a piece
    /// that is not would read as replacement characters rather than end the run).
    fn text<'a>(&'a self, field: &'a str) -> std::borrow::Cow<'a, str> {
        if self.copied {
            // `from_utf8` first: its check runs a word at a time over ASCII, where the lossy
            // one goes byte by byte (16 M instructions on the callgrind sample).
            return match std::str::from_utf8(&self.copy) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(&self.copy),
            };
        }
        let range = self.in_field.clone().unwrap_or_default();
        match field.get(range.clone()) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => String::from_utf8_lossy(field.as_bytes().get(range).unwrap_or_default()),
        }
    }

    fn clear(&mut self) {
        self.in_field = None;
        self.copied = false;
    }
}

/// Where `piece` starts in `field`, when it is a slice of it.
fn offset_in(field: &str, piece: &[u8]) -> Option<usize> {
    let start = (piece.as_ptr() as usize).checked_sub(field.as_ptr() as usize)?;
    (start + piece.len() <= field.len()).then_some(start)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CurrentTag {
    Start,
    End,
}

/// The emitter: `CallbackEmitter`'s state, its strings gathered as [`Pieces`].
pub(super) struct IndexEmitter<'a, 'h, E> {
    field: &'h str,
    events: &'a mut E,
    position: usize,
    characters: Pieces,
    characters_start: usize,
    characters_end: usize,
    comment: Pieces,
    last_start_tag: Vec<u8>,
    tag: Option<CurrentTag>,
    self_closing: bool,
    tag_name: Vec<u8>,
    tag_start: usize,
    attribute_name: Vec<u8>,
    attribute_name_span: Range<usize>,
    attribute_value: Pieces,
    attribute_value_span: Range<usize>,
}

impl<'a, 'h, E: Events> IndexEmitter<'a, 'h, E> {
    pub(super) fn new(field: &'h str, events: &'a mut E) -> Self {
        Self {
            field,
            events,
            position: 0,
            characters: Pieces::default(),
            characters_start: 0,
            characters_end: 0,
            comment: Pieces::default(),
            last_start_tag: Vec::new(),
            tag: None,
            self_closing: false,
            tag_name: Vec::new(),
            tag_start: 0,
            attribute_name: Vec::new(),
            attribute_name_span: 0..0,
            attribute_value: Pieces::default(),
            attribute_value_span: 0..0,
        }
    }

    fn flush_characters(&mut self) {
        if self.characters.is_empty() {
            return;
        }
        self.events.text(
            &self.characters.text(self.field),
            self.characters_start..self.characters_end,
        );
        self.characters.clear();
    }

    fn flush_open_start_tag(&mut self) {
        self.flush_characters();
        if self.tag == Some(CurrentTag::Start) && !self.tag_name.is_empty() {
            let span = self.tag_start..self.position.saturating_sub(1);
            self.events.open_start_tag(&self.tag_name, span);
            self.last_start_tag.clear();
            std::mem::swap(&mut self.last_start_tag, &mut self.tag_name);
        }
    }

    fn flush_attribute_name(&mut self) {
        self.flush_open_start_tag();
        if !self.attribute_name.is_empty() {
            self.events
                .attribute_name(&self.attribute_name, self.attribute_name_span.clone());
            self.attribute_name.clear();
        }
    }

    fn flush_attribute(&mut self) {
        self.flush_attribute_name();
        if !self.attribute_value.is_empty() {
            self.events.attribute_value(
                &self.attribute_value.text(self.field),
                self.attribute_value_span.clone(),
            );
            self.attribute_value.clear();
        }
    }
}

impl<E: Events> Emitter for IndexEmitter<'_, '_, E> {
    type Token = Infallible;

    #[inline]
    fn move_position(&mut self, offset: isize) {
        self.position = self.position.saturating_add_signed(offset);
    }

    fn set_last_start_tag(&mut self, last_start_tag: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag
            .extend_from_slice(last_start_tag.unwrap_or_default());
    }

    fn emit_eof(&mut self) {
        self.flush_characters();
    }

    /// The index has no use for the standard's parse errors; without them html5gum skips
    /// checking every byte for control characters and noncharacters.
    fn emit_error(&mut self, _: Error) {}

    #[inline]
    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn pop_token(&mut self) -> Option<Infallible> {
        None
    }

    fn init_string(&mut self) {
        // A run already gathering keeps its start (html5gum calls this again after a reference).
        if self.characters.is_empty() {
            self.characters_start = self.position;
        }
    }

    fn emit_string(&mut self, s: &[u8]) {
        self.characters_end = self.position;
        self.characters.push(self.field, s);
    }

    fn init_start_tag(&mut self) {
        self.tag_name.clear();
        self.tag = Some(CurrentTag::Start);
        self.self_closing = false;
    }

    fn init_end_tag(&mut self) {
        self.tag_name.clear();
        self.tag = Some(CurrentTag::End);
    }

    fn init_comment(&mut self) {
        self.flush_characters();
        self.comment.clear();
    }

    fn emit_current_tag(&mut self) -> Option<State> {
        self.flush_attribute();
        match self.tag {
            Some(CurrentTag::Start) => {
                self.flush_open_start_tag();
                let span = self.position.saturating_sub(1)..self.position;
                self.events.close_start_tag(self.self_closing, span);
            }
            Some(CurrentTag::End) => {
                self.last_start_tag.clear();
                self.events
                    .end_tag(&self.tag_name, self.tag_start..self.position);
            }
            None => {}
        }
        let next = naive_next_state(&self.last_start_tag);
        if next.is_some() {
            self.init_string();
        }
        next
    }

    fn emit_current_comment(&mut self) {
        self.events.comment(
            &self.comment.text(self.field),
            self.tag_start..self.position,
        );
        self.comment.clear();
    }

    fn emit_current_doctype(&mut self) {}

    fn set_self_closing(&mut self) {
        if self.tag != Some(CurrentTag::End) {
            self.self_closing = true;
        }
    }

    fn set_force_quirks(&mut self) {}

    fn push_tag_name(&mut self, s: &[u8]) {
        self.tag_name.extend_from_slice(s);
    }

    fn push_comment(&mut self, s: &[u8]) {
        self.comment.push(self.field, s);
    }

    fn push_doctype_name(&mut self, _: &[u8]) {}

    fn init_doctype(&mut self) {
        self.flush_characters();
    }

    fn init_attribute(&mut self) {
        self.flush_open_start_tag();
        self.flush_attribute();
        self.attribute_name_span.start = self.position.saturating_sub(1);
    }

    fn push_attribute_name(&mut self, s: &[u8]) {
        self.attribute_name.extend_from_slice(s);
        self.attribute_name_span.end = self.position;
    }

    fn init_attribute_value(&mut self) {
        self.attribute_value_span.start = self.position;
    }

    fn push_attribute_value(&mut self, s: &[u8]) {
        self.flush_attribute_name();
        self.attribute_value.push(self.field, s);
        self.attribute_value_span.end = self.position;
    }

    fn set_doctype_public_identifier(&mut self, _: &[u8]) {}

    fn set_doctype_system_identifier(&mut self, _: &[u8]) {}

    fn push_doctype_public_identifier(&mut self, _: &[u8]) {}

    fn push_doctype_system_identifier(&mut self, _: &[u8]) {}

    fn start_open_tag(&mut self) {
        self.tag_start = self.position.saturating_sub(1);
    }

    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        !self.last_start_tag.is_empty()
            && self.tag == Some(CurrentTag::End)
            && self.last_start_tag == self.tag_name
    }
}

#[cfg(test)]
mod tests {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    use html5gum::{Span, Tokenizer};
    use proptest::prelude::*;

    use super::*;

    /// Each event as text, so that both emitters' can be compared.
    #[derive(Default)]
    struct Recorder(Vec<String>);

    impl Events for Recorder {
        fn open_start_tag(&mut self, name: &[u8], span: Range<usize>) {
            self.0
                .push(format!("open {} {span:?}", name.escape_ascii()));
        }
        fn attribute_name(&mut self, name: &[u8], span: Range<usize>) {
            self.0
                .push(format!("name {} {span:?}", name.escape_ascii()));
        }
        fn attribute_value(&mut self, value: &str, span: Range<usize>) {
            self.0.push(format!("value {value:?} {span:?}"));
        }
        fn close_start_tag(&mut self, self_closing: bool, span: Range<usize>) {
            self.0.push(format!("close {self_closing} {span:?}"));
        }
        fn end_tag(&mut self, name: &[u8], span: Range<usize>) {
            self.0.push(format!("end {} {span:?}", name.escape_ascii()));
        }
        fn text(&mut self, text: &str, span: Range<usize>) {
            self.0.push(format!("text {text:?} {span:?}"));
        }
        fn comment(&mut self, text: &str, span: Range<usize>) {
            self.0.push(format!("comment {text:?} {span:?}"));
        }
    }

    fn ours(html: &str) -> Vec<String> {
        let mut recorder = Recorder::default();
        for _ in Tokenizer::new_with_emitter(html, IndexEmitter::new(html, &mut recorder)) {}
        recorder.0
    }

    /// html5gum's own callback emitter, as the index was built from before.
    fn callbacks(html: &str) -> Vec<String> {
        let mut recorder = Recorder::default();
        let mut emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, span: Span<usize>| {
            let span = span.start..span.end;
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            match event {
                CallbackEvent::OpenStartTag { name } => recorder.open_start_tag(name, span),
                CallbackEvent::AttributeName { name } => recorder.attribute_name(name, span),
                CallbackEvent::AttributeValue { value } => {
                    recorder.attribute_value(&text(value), span);
                }
                CallbackEvent::CloseStartTag { self_closing } => {
                    recorder.close_start_tag(self_closing, span);
                }
                CallbackEvent::EndTag { name } => recorder.end_tag(name, span),
                CallbackEvent::String { value } => recorder.text(&text(value), span),
                CallbackEvent::Comment { value } => recorder.comment(&text(value), span),
                CallbackEvent::Doctype { .. } | CallbackEvent::Error(_) => {}
            }
            None::<Infallible>
        });
        emitter.naively_switch_states(true);
        for _ in Tokenizer::new_with_emitter(html, emitter) {}
        recorder.0
    }

    #[test]
    fn events_are_the_callback_emitters_on_tricky_markup() {
        for html in [
            "",
            "plain text only",
            "<p class=\"a b\" id='c' data-x=y hidden>caf\u{e9} &amp; &#8217;s &nbsp;</p>",
            "a\r\nb\rc\0d<p title=\"x\r\ny\0z\">e\r\n</p>",
            "<a href=\"?a=1&b=2&amp;c=3&copy=4&notin;\">&copy 2024 &unknown; & &#x1F600;</a>",
            "<!-- a -- b --><!--><!---><!doctype html><!DOCTYPE x PUBLIC \"p\" \"s\">x",
            "<script>if (a < b && c</b) {}</scr</script><style>p>b{}</style>",
            "<textarea>&lt;b&gt; <i></textarea><title>a &amp; b</title><xmp><p></xmp>",
            "<p a=1 a=2 b/><br/></br x=1><div/>< p>a <3 </ p></>",
            "<svg><path d=\"M0\"/></svg><math><mi>x</mi></math><![CDATA[x]]>",
            "<p>unterminated <a href=\"x",
            "<p>a</p\n>b<p\tid=q\n>c",
            "text &amp",
            "<a b='&amp;x'c=\"&#0;\"d=&#xD800; e=\u{e9}>",
        ] {
            assert_eq!(ours(html), callbacks(html), "{html:?}");
        }
    }

    proptest! {
        #[test]
        fn events_are_the_callback_emitters_on_any_markup(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("<p>"), Just("</p>"), Just("<a href=\""), Just("\">"), Just("'"),
                    Just("&amp;"), Just("&"), Just("&#x41;"), Just("&copy"), Just("<!--"),
                    Just("-->"), Just("<script>"), Just("</script>"), Just("\r\n"), Just("\r"),
                    Just("\0"), Just("x"), Just(" "), Just("="), Just("<"), Just(">"), Just("/"),
                    Just("\u{e9}"), Just("<textarea>"), Just("</textarea>"), Just("<b id=q "),
                ],
                0..40,
            )
        ) {
            let html = pieces.concat();
            prop_assert_eq!(ours(&html), callbacks(&html));
        }
    }
}
