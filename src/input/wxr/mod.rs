//! The WXR reader: a WordPress export (Tools → Export, WXR 1.0 to 1.2) read into the same post
//! view as REST JSON. Every `<item>` whose `wp:post_type` is `post` or `page` becomes a post
//! whose strings keep a map back to the XML bytes, through CDATA sections (also content split
//! over several, `]]]]><![CDATA[>`) and entity references (`&lt;p&gt;`), so that findings point
//! into the file as written.
//!
//! quick-xml tokenizes the file and resolves namespaces (a `wp:` prefix may be bound to
//! anything; what counts is the namespace URI). Text is decoded here, from the byte ranges of
//! its events, because the decoded offsets must be mapped back to the file.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::errors::Error as XmlError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceError, NamespaceResolver, ResolveResult};

mod item;

use super::json::{JsonStr, Node, SyntaxError};
use item::{Field, ItemBuilder, TextBuilder};

/// The UTF-8 byte order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `content:encoded`'s namespace.
const CONTENT_NS: &[u8] = b"http://purl.org/rss/1.0/modules/content/";

/// The post types linted; other items (attachments, menu items, blocks) are skipped.
/// The item types linted unless `--type` says otherwise: what the importer lists as posts.
pub const POST_TYPES: [&str; 2] = ["post", "page"];

/// What a WXR file gave: its posts in file order and what is wrong with the file.
#[derive(Debug, Default)]
pub struct WxrFile<'s> {
    pub posts: Vec<Node<'s>>,
    pub errors: Vec<SyntaxError>,
    /// What the file as a whole lacks (its channel, its version): known at its end, reported
    /// at its start, its spans file offsets whatever part the text is.
    pub missing: Vec<SyntaxError>,
    /// The XML stopped being readable before its end: what follows is not read.
    pub stopped: bool,
    /// Well-formed XML with no `<rss><channel>`: another tool's file, not an export.
    pub foreign: bool,
    /// The start tags of the elements open where the text ends, outermost first: the next part
    /// of the file is read behind them, so that it sees their namespaces and closes them.
    pub open_tags: Vec<u8>,
    /// What the next part must know of the parts before it.
    pub carried: Carried,
}

/// What reading an export carries from one part to the next, besides the open elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Carried {
    saw_channel: bool,
    saw_version: bool,
    /// The prefixes reported as bound to no namespace: each is reported once.
    unbound: HashSet<String>,
    /// An element outside the items was nested past the reader's limit: reported once.
    too_deep_outside_items: bool,
}

/// Whether the text starts like an XML document (after a byte order mark and white space):
/// JSON never starts with `<`, and an HTML page starts with `<!DOCTYPE` or `<html`.
pub fn looks_like_xml(start: &[u8]) -> bool {
    let text = start.strip_prefix(BOM).unwrap_or(start);
    let first = text.iter().position(|b| !b.is_ascii_whitespace());
    let text = first.map_or(&[][..], |i| &text[i..]);
    text.starts_with(b"<?xml") || text.starts_with(b"<rss")
}

/// Where an XML document written in UTF-16 starts to say so (its byte order mark, or its first
/// character): postlint reads UTF-8, and tells such an export apart from a binary file.
pub fn utf16_xml(start: &[u8]) -> Option<Range<usize>> {
    // Without a byte order mark, the zero half of the first (ASCII) character tells the order.
    let (little_endian, bom) = match start {
        [0xFF, 0xFE, ..] => (true, 2),
        [0xFE, 0xFF, ..] => (false, 2),
        [first, 0, ..] if first.is_ascii() && *first != 0 => (true, 0),
        [0, first, ..] if first.is_ascii() && *first != 0 => (false, 0),
        _ => return None,
    };
    let units = start[bom..].chunks_exact(2).take(64).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    looks_like_xml(text.as_bytes()).then_some(0..2)
}

/// The finding of an export in UTF-16, at `span` (see [`utf16_xml`]).
pub fn utf16_error(span: Range<usize>) -> SyntaxError {
    SyntaxError {
        span,
        message: "this export is written in UTF-16: postlint reads UTF-8, so none of it is read"
            .into(),
        help: Some(
            "save it as UTF-8 (`iconv -f UTF-16 -t UTF-8 export.xml > export-utf8.xml`); \
             WordPress itself writes exports in UTF-8"
                .into(),
        ),
    }
}

/// Which of the namespaces WXR uses a name is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// No namespace: RSS's own elements (`item`, `title`, `link`, `guid`).
    Rss,
    /// `http(s)://wordpress.org/export/1.x/`.
    Wxr,
    /// `http(s)://wordpress.org/export/1.x/excerpt/`.
    Excerpt,
    Content,
    Other,
}

fn namespace(resolved: &ResolveResult<'_>) -> Ns {
    let uri = match resolved {
        ResolveResult::Unbound => return Ns::Rss,
        ResolveResult::Bound(ns) => ns.as_ref().as_bytes(),
        ResolveResult::Unknown(_) => return Ns::Other,
    };
    if uri.is_empty() {
        return Ns::Rss;
    }
    if uri == CONTENT_NS {
        return Ns::Content;
    }
    let Some(rest) = uri
        .strip_prefix(b"http://")
        .or_else(|| uri.strip_prefix(b"https://"))
        .and_then(|rest| rest.strip_prefix(b"wordpress.org/export/1."))
    else {
        return Ns::Other;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    match &rest[digits..] {
        b"/" if digits > 0 => Ns::Wxr,
        b"/excerpt/" if digits > 0 => Ns::Excerpt,
        _ => Ns::Other,
    }
}

/// Reads a WXR file whole. Parsing stops at the first well-formedness error; the posts read
/// before it are kept.
pub fn read<'s>(src: &'s [u8], types: &[&str]) -> WxrFile<'s> {
    read_part(src, types, Carried::default(), true)
}

/// Reads one part of an export read in parts (`wxr_parts`): the start tags of the elements
/// open where the part before ended (`WxrFile::open_tags`), then the part's own bytes, read
/// with what the parts before `carried`. Unless it is the `last` part, its end is not the
/// file's: the elements left open there are closed later.
pub fn read_part<'s>(src: &'s [u8], types: &[&str], carried: Carried, last: bool) -> WxrFile<'s> {
    let mut state = ReadState {
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        last,
        carried,
        ..ReadState::default()
    };
    // quick-xml drops one byte order mark at the start, and counts its positions after it
    // (a second one is text).
    let bom = if src.starts_with(BOM) { BOM.len() } else { 0 };
    let tokens = utf8_for_tokenizing(src);
    let mut reader = ResolvingReader::new(&tokens);
    let position = |at: u64| (at as usize + bom).min(src.len());
    let mut buf = Vec::new();
    loop {
        let start = position(reader.xml.buffer_position());
        buf.clear();
        let token = match reader.next_token(&mut buf) {
            Ok(token) => token,
            Err(XmlError::Namespace(error)) => {
                let end = position(reader.xml.buffer_position());
                state.namespace_error(start..end, &error);
                break;
            }
            Err(error) => {
                let at = position(reader.xml.error_position());
                state.syntax_error(src, at, &error);
                break;
            }
        };
        let end = position(reader.xml.buffer_position());
        match token {
            Token::Start(name) => state.start(&name, start..end),
            Token::Empty(name) => {
                state.start(&name, start..end);
                state.end(src, start..end);
            }
            Token::End => state.end(src, start..end),
            Token::TooDeep(name) => {
                state.too_deep(start..end);
                state.start(&name, start..end);
            }
            Token::TooDeepEmpty(name) => {
                state.too_deep(start..end);
                state.start(&name, start..end);
                state.end(src, start..end);
            }
            Token::Text => {
                state.check_text(src, start..end);
                state.text(|t| t.push_escaped(src, start..end));
            }
            Token::CData => {
                let inner = (start + 9).min(end)..end.saturating_sub(3).max(start + 9).min(end);
                state.text(|t| t.push_plain(src, inner));
            }
            Token::Eof => {
                state.eof(src);
                break;
            }
            Token::Other => {}
        }
    }
    state.finish(src)
}

/// The bytes quick-xml tokenizes: the file's, with each byte that is not UTF-8 replaced by
/// `?` so that offsets stay the same. The text itself is decoded from the file's own bytes (a
/// bad byte becomes U+FFFD there), and `invalid-utf8` reports them.
pub(super) fn utf8_for_tokenizing(src: &[u8]) -> Cow<'_, [u8]> {
    if std::str::from_utf8(src).is_ok() {
        return Cow::Borrowed(src);
    }
    let mut bytes = Vec::with_capacity(src.len());
    for chunk in src.utf8_chunks() {
        bytes.extend_from_slice(chunk.valid().as_bytes());
        bytes.extend(chunk.invalid().iter().map(|_| b'?'));
    }
    Cow::Owned(bytes)
}

/// quick-xml's tokenizer with its namespace resolver, as its `NsReader` pairs them, but going on
/// past the resolver's depth limit (65,535): an element nested deeper is in no namespace
/// (`Token::TooDeep`), and so is everything inside it, so that the items after it are read.
struct ResolvingReader<'t> {
    xml: Reader<&'t [u8]>,
    resolver: NamespaceResolver,
    /// How many open elements the resolver holds no scope for (nested past its limit).
    past_limit: usize,
}

impl<'t> ResolvingReader<'t> {
    fn new(tokens: &'t [u8]) -> Self {
        let mut xml = Reader::from_reader(tokens);
        xml.config_mut().check_end_names = true;
        Self {
            xml,
            resolver: NamespaceResolver::default(),
            past_limit: 0,
        }
    }

    fn next_token(&mut self, buf: &mut Vec<u8>) -> Result<Token, XmlError> {
        Ok(match self.xml.read_event_into(buf)? {
            Event::Start(e) => {
                let name = self.open(&e)?;
                match self.past_limit {
                    1 => Token::TooDeep(name),
                    _ => Token::Start(name),
                }
            }
            Event::Empty(e) => {
                let name = self.open(&e)?;
                let first_too_deep = self.past_limit == 1;
                self.close();
                match first_too_deep {
                    true => Token::TooDeepEmpty(name),
                    false => Token::Empty(name),
                }
            }
            Event::End(_) => {
                self.close();
                Token::End
            }
            Event::Text(_) | Event::GeneralRef(_) => Token::Text,
            Event::CData(_) => Token::CData,
            Event::Eof => Token::Eof,
            _ => Token::Other,
        })
    }

    /// Enters a start tag's scope and resolves its name: in no namespace past the depth limit.
    fn open(&mut self, tag: &BytesStart<'_>) -> Result<TagName, NamespaceError> {
        if self.past_limit == 0 {
            match self.resolver.push(tag) {
                Ok(()) => {
                    let (ns, local) = self.resolver.resolve_element(tag.name());
                    return Ok(TagName::of(ns, local.as_ref()));
                }
                Err(NamespaceError::TooDeeplyNested(_)) => {}
                Err(other) => return Err(other),
            }
        }
        self.past_limit += 1;
        Ok(TagName::past_limit(tag.local_name().as_ref()))
    }

    fn close(&mut self) {
        if self.past_limit > 0 {
            self.past_limit -= 1;
        } else {
            self.resolver.pop();
        }
    }
}

/// What the reader needs of an event; the event itself borrows the reader.
enum Token {
    Start(TagName),
    Empty(TagName),
    /// The first element nested past the namespace resolver's limit (the elements inside it
    /// are `Start`s and `Empty`s in no namespace), and the same as an empty element.
    TooDeep(TagName),
    TooDeepEmpty(TagName),
    End,
    /// Text or an entity reference.
    Text,
    CData,
    Eof,
    Other,
}

/// The name of a start tag, resolved.
struct TagName {
    ns: Ns,
    local: String,
    /// The prefix, when no namespace declaration in scope binds it.
    unbound: Option<String>,
}

impl TagName {
    /// An element the resolver holds no scope for: in no namespace WXR uses.
    fn past_limit(local: &str) -> Self {
        Self {
            ns: Ns::Other,
            local: local.to_owned(),
            unbound: None,
        }
    }

    fn of(ns: ResolveResult<'_>, local: &str) -> Self {
        let resolved = namespace(&ns);
        let unbound = match ns {
            ResolveResult::Unknown(prefix) => Some(prefix),
            _ => None,
        };
        Self {
            ns: resolved,
            local: local.to_owned(),
            unbound,
        }
    }
}

/// Where the reader stands in the document.
#[derive(Debug, Default)]
struct ReadState<'s> {
    file: WxrFile<'s>,
    depth: usize,
    /// Where the start tag of each open element is, for a file cut off inside and for the
    /// next part, which is read behind them.
    open: Vec<Range<usize>>,
    item: Option<ItemBuilder<'s>>,
    /// `wp:wxr_version` being read: its depth, its start, its text so far.
    version: Option<(usize, usize, TextBuilder)>,
    carried: Carried,
    /// The `wp:post_type`s that are posts to lint.
    types: Vec<String>,
    /// The text ends where the file does (see `read_part`).
    last: bool,
}

impl<'s> ReadState<'s> {
    fn start(&mut self, name: &TagName, tag: Range<usize>) {
        let (ns, local) = (name.ns, name.local.as_bytes());
        self.depth += 1;
        self.open.push(tag.clone());
        if let Some(prefix) = &name.unbound {
            self.unbound_prefix(prefix, &name.local, &tag);
        }
        if self.depth == 2 && local == b"channel" {
            self.carried.saw_channel = true;
        }
        if let Some(item) = &mut self.item {
            if item.open.is_none()
                && self.depth == item.depth + 1
                && let Some(field) = Field::of(ns, local).filter(|f| !item.has(*f))
            {
                item.open = Some((field, self.depth, tag.start, TextBuilder::default()));
            }
            return;
        }
        if ns == Ns::Rss && local == b"item" {
            self.item = Some(ItemBuilder {
                start: tag.start,
                depth: self.depth,
                ..ItemBuilder::default()
            });
        } else if ns == Ns::Wxr && local == b"wxr_version" && self.version.is_none() {
            self.carried.saw_version = true;
            self.version = Some((self.depth, tag.start, TextBuilder::default()));
        }
    }

    /// An end tag (or an empty element) at `tag`.
    fn end(&mut self, src: &'s [u8], tag: Range<usize>) {
        let depth = self.depth;
        self.depth = self.depth.saturating_sub(1);
        self.open.pop();
        if let Some((at, _, _)) = &self.version
            && *at == depth
        {
            if let Some((_, start, text)) = self.version.take() {
                self.check_version(src, text.finish(start..tag.end));
            }
            return;
        }
        let Some(item) = &mut self.item else {
            return;
        };
        if item.open.as_ref().is_some_and(|(_, d, _, _)| *d == depth) {
            if let Some((field, _, start, text)) = item.open.take() {
                item.fields
                    .push((field, text.finish(start..tag.end), start..tag.end));
            }
        } else if item.depth == depth
            && let Some(item) = self.item.take()
            && !item.too_deep
            && item.is_post(&self.types)
        {
            self.file.posts.push(item.into_node(src, tag.end));
        }
    }

    fn text(&mut self, push: impl FnOnce(&mut TextBuilder)) {
        if let Some((_, _, text)) = &mut self.version {
            push(text);
        } else if let Some((_, depth, _, text)) = self.item.as_mut().and_then(|i| i.open.as_mut())
            && *depth == self.depth
        {
            push(text);
        }
    }

    /// The file, with what the next part needs: the open elements' start tags.
    fn finish(mut self, src: &[u8]) -> WxrFile<'s> {
        if !self.last && !self.file.stopped {
            for tag in &self.open {
                (self.file.open_tags).extend_from_slice(src.get(tag.clone()).unwrap_or_default());
            }
        }
        self.file.carried = self.carried;
        self.file
    }

    /// A prefix no declaration binds: its elements are in no namespace WXR uses, so a missing
    /// `xmlns:wp` would otherwise show only as a missing `<wp:wxr_version>`. Reported once per
    /// prefix, at the first element that uses it, for the first few prefixes; then once that
    /// more follow, so that a file of made-up prefixes does not make a finding of each.
    fn unbound_prefix(&mut self, prefix: &str, local: &str, tag: &Range<usize>) {
        if local == "wxr_version" {
            // Reported here: the version is not missing, its prefix is unbound.
            self.carried.saw_version = true;
        }
        let reported = &mut self.carried.unbound;
        if reported.len() > UNBOUND_REPORTED || reported.contains(prefix) {
            return;
        }
        reported.insert(prefix.to_owned());
        let name_start = tag.start + 1;
        let name_end = (name_start + prefix.len() + 1 + local.len()).min(tag.end);
        if reported.len() > UNBOUND_REPORTED {
            self.file.errors.push(SyntaxError {
                span: name_start..name_end,
                message: format!(
                    "`{prefix}:{local}` uses one more unbound prefix: more than \
                     {UNBOUND_REPORTED} prefixes are unbound, the others are not reported"
                ),
                help: Some("declare each prefix with `xmlns:…=\"…\"` on `<rss>`".into()),
            });
            return;
        }
        let declaration = match known_namespace(prefix) {
            Some(uri) => format!("`xmlns:{prefix}=\"{uri}\"`"),
            None => format!("`xmlns:{prefix}=\"…\"`"),
        };
        self.file.errors.push(SyntaxError {
            span: name_start..name_end,
            message: format!(
                "the prefix `{prefix}:` of `{prefix}:{local}` is unbound: no namespace \
                 declaration binds it, so no `{prefix}:` element is read"
            ),
            help: Some(format!(
                "declare it on `<rss>` with {declaration}, as WordPress's exporter does"
            )),
        });
    }

    /// An element nested past the namespace resolver's limit, at `tag`: the item around it is
    /// not linted (its fields cannot be told apart in there); reading goes on after it.
    fn too_deep(&mut self, tag: Range<usize>) {
        // One finding per item, and one for all outside items: each such element is one more.
        let skipped = match &mut self.item {
            Some(item) if item.too_deep => return,
            Some(item) => {
                item.too_deep = true;
                "the item around it is not linted; the items after it are"
            }
            None if self.carried.too_deep_outside_items => return,
            None => {
                self.carried.too_deep_outside_items = true;
                "the elements inside it are not read, nor reported again; the items after it are"
            }
        };
        self.file.errors.push(SyntaxError {
            span: tag,
            message: format!(
                "elements nest more than {} deep here: past that, the XML reader cannot \
                 tell which namespace a name is in",
                u16::MAX
            ),
            help: Some(format!(
                "{skipped}; WordPress's exporter never nests this deep (look for markup \
                 escaped twice, or an element left open in a loop)"
            )),
        });
    }

    /// A namespace error stops the reader at the start tag `tag`: too many declarations in
    /// scope, a reserved prefix rebound.
    fn namespace_error(&mut self, tag: Range<usize>, error: &NamespaceError) {
        self.file.stopped = true;
        let message = match error {
            NamespaceError::TooManyBindings(limit) => format!(
                "more than {limit} namespace declarations are in scope here: the XML reader \
                 stops at this element"
            ),
            other => format!("the XML is not well-formed here: {other}"),
        };
        self.file.errors.push(SyntaxError {
            span: tag,
            message,
            help: Some(
                "the items complete before this point are linted; the rest of the file is not"
                    .into(),
            ),
        });
    }

    /// `]]>` outside a CDATA section is not well-formed: a section was ended early (a raw
    /// `<![CDATA[` nested inside one). XML parsers that check it stop here; read on, as
    /// WordPress's fallback parser does.
    fn check_text(&mut self, src: &[u8], at: Range<usize>) {
        if let Some(i) = memchr::memmem::find(&src[at.clone()], b"]]>") {
            let start = at.start + i;
            self.file.errors.push(SyntaxError {
                span: start..start + 3,
                message: "`]]>` outside a CDATA section: a section ended early here, so the \
                          text around it is not well-formed XML"
                    .into(),
                help: Some(
                    "inside CDATA, write `]]>` as `]]]]><![CDATA[>` (WordPress's exporter does)"
                        .into(),
                ),
            });
        }
    }

    /// WordPress's importer refuses a file whose `wp:wxr_version` is not a number like `1.2`.
    fn check_version(&mut self, src: &[u8], version: JsonStr<'_>) {
        let text = version.as_str().trim();
        let valid = text
            .split_once('.')
            .is_some_and(|(a, b)| is_digits(a) && is_digits(b));
        if !valid {
            let span = version.raw.clone();
            let shown = String::from_utf8_lossy(src.get(span.clone()).unwrap_or_default());
            self.file.errors.push(SyntaxError {
                span,
                message: format!(
                    "`{shown}` is not a WXR version: WordPress's importer refuses this file"
                ),
                help: Some("a WordPress export says `<wp:wxr_version>1.2</wp:wxr_version>`".into()),
            });
        }
    }

    /// Stops the file at `at`: the span is the tag there when the reader read it whole (a
    /// mismatched end tag), else its first two characters (`<!` of a markup that is no
    /// comment, CDATA or DOCTYPE), or one character. It never reaches past the markup the
    /// reader stopped in, so that it is the same whichever part of the file holds it.
    fn syntax_error(&mut self, src: &[u8], at: usize, error: &XmlError) {
        self.file.stopped = true;
        let rest = src.get(at..).unwrap_or_default();
        let tag_end = if rest.starts_with(b"<![CDATA[") {
            Some(at + 9)
        } else if !rest.starts_with(b"<") {
            None
        } else if let XmlError::Syntax(_) = error {
            Some(next_char_end(src, at + 1))
        } else {
            memchr::memchr(b'>', rest).map(|i| at + i + 1)
        };
        let message = error.to_string();
        let end = tag_end.unwrap_or_else(|| next_char_end(src, at));
        let message =
            if rest.starts_with(b"<![CDATA[") && memchr::memmem::find(rest, b"]]>").is_none() {
                "`<![CDATA[` is never closed by `]]>`: the export was cut off inside this section"
                    .to_owned()
            } else {
                format!("the XML is not well-formed here: {message}")
            };
        self.file.errors.push(SyntaxError {
            span: at..end,
            message,
            help: Some(
                "WordPress's importer stops at this point; the items before it are linted".into(),
            ),
        });
    }

    fn eof(&mut self, src: &[u8]) {
        if !self.last {
            return;
        }
        let end = src.len();
        if let Some(open) = self.open.first().cloned() {
            let name = tag_name(src, &self.open.last().cloned().unwrap_or(open));
            self.file.errors.push(SyntaxError {
                span: end..end,
                message: format!("the file ends inside `<{name}>`: the export was cut off here"),
                help: Some(
                    "export the site again; the items complete before this point are linted".into(),
                ),
            });
        } else if !self.carried.saw_channel {
            self.file.foreign = true;
            self.file.missing.push(SyntaxError {
                span: 0..0,
                message: "this XML has no `<rss><channel>`: it is not a WordPress export (WXR)"
                    .into(),
                help: Some("postlint reads WXR files written by Tools → Export".into()),
            });
        } else if !self.carried.saw_version {
            self.file.missing.push(SyntaxError {
                span: 0..0,
                message: "this export has no `<wp:wxr_version>`: WordPress's importer refuses it"
                    .into(),
                help: Some("a WordPress export says `<wp:wxr_version>1.2</wp:wxr_version>` in its `<channel>`".into()),
            });
        }
    }
}

/// How many unbound prefixes are reported one by one.
const UNBOUND_REPORTED: usize = 16;

/// The namespace WordPress's exporter binds a prefix to.
fn known_namespace(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "wp" => "http://wordpress.org/export/1.2/",
        "excerpt" => "http://wordpress.org/export/1.2/excerpt/",
        "content" => "http://purl.org/rss/1.0/modules/content/",
        "wfw" => "http://wellformedweb.org/CommentAPI/",
        "dc" => "http://purl.org/dc/elements/1.1/",
        _ => return None,
    })
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `wp:post_type` of the start tag `<wp:post_type attr="…">`.
fn tag_name(src: &[u8], tag: &Range<usize>) -> String {
    let bytes = src.get(tag.start + 1..tag.end).unwrap_or_default();
    let len = bytes
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// The end of the character at `at` (a span of one character, or empty at the end).
fn next_char_end(src: &[u8], at: usize) -> usize {
    let Some(&first) = src.get(at) else {
        return at;
    };
    let len = match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    };
    (at + len).min(src.len())
}

#[cfg(test)]
mod tests;
