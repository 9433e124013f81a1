//! Reads a WordPress export a part at a time, so that memory stays bounded whatever the file's
//! size and each byte is parsed once: a part is read behind the start tags of the elements left
//! open where the part before it ended (`<rss …><channel>`), which declare the namespaces.
//!
//! A scan finds where a part may end: after an end tag that leaves no `<item>` or
//! `<wp:wxr_version>` open, where the reader holds nothing but its open elements. The scan
//! tokenizes with quick-xml, as the reader does, so that a tag written inside a comment, a
//! CDATA section, a processing instruction, an attribute value or a DOCTYPE's internal subset
//! is read as what it is, and `</item >` as an end tag.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, SyntaxError as XmlSyntax};
use quick_xml::events::Event;

use super::wxr::{BOM, Carried, utf8_for_tokenizing};

const READ_CHUNK: usize = 1 << 20;

/// An export being read a part at a time.
pub struct WxrParts<R> {
    reader: R,
    /// The start tags the next part is read behind (`prefix_len` bytes), then the file's bytes
    /// from `base` on, as far as they were read.
    buffer: Vec<u8>,
    prefix_len: usize,
    /// The file offset of `buffer[prefix_len]`.
    base: usize,
    eof: bool,
    /// The last part was handed out.
    done: bool,
    scan: CutScan,
    carried: Carried,
    /// A part grows to at least this many bytes before it is cut (unless the file ends first).
    segment: usize,
    /// Most bytes between two places to cut; past it the file is refused (`--max-post-size`).
    limit: usize,
}

/// One part of the file, to read with `wxr::read_part`.
pub struct Part<'b> {
    /// The start tags of the elements open where the part starts, then its bytes.
    pub text: &'b [u8],
    pub prefix_len: usize,
    /// The file offset of `text[prefix_len]`.
    pub base: usize,
    /// The file ends where this part does.
    pub last: bool,
    /// What the parts before carry over.
    pub carried: Carried,
}

impl<'b> Part<'b> {
    /// The part's own bytes, without the start tags it is read behind.
    pub fn bytes(&self) -> &'b [u8] {
        &self.text[self.prefix_len..]
    }
}

impl<R: Read> WxrParts<R> {
    pub fn new(reader: R, segment: usize, limit: usize) -> Self {
        Self {
            reader,
            buffer: Vec::new(),
            prefix_len: 0,
            base: 0,
            eof: false,
            done: false,
            scan: CutScan::default(),
            carried: Carried::default(),
            segment: segment.max(1),
            limit,
        }
    }

    /// The next part, or `None` at the end of the file. An error of kind `FileTooLarge`: more
    /// than the limit of bytes from the file offset `base()` on hold no place to cut, or the
    /// start tags open there are longer than the limit.
    pub fn next_part(&mut self) -> std::io::Result<Option<Part<'_>>> {
        if self.done {
            return Ok(None);
        }
        // The start tags a part is read behind are held with it, so they count against the
        // limit too: a file of ever deeper, ever larger start tags would hold them all.
        if self.prefix_len > self.limit {
            return Err(too_large(
                "the elements open here are larger than the limit",
            ));
        }
        let mut want = self.segment;
        let cut = loop {
            self.fill(want)?;
            let read = self.buffer.len() - self.prefix_len;
            let items = &self.buffer[self.prefix_len..];
            self.scan.scan(items, self.base, self.eof, self.limit);
            if let Some(from) = self.scan.oversized {
                if from > self.base {
                    break from - self.base;
                }
                return Err(too_large("an element is larger than the limit"));
            }
            if self.eof {
                // Even with no bytes left (the part before ended where the file does): the
                // reader sees the file's end behind the elements still open.
                break read;
            }
            // A part at least as long as the start tags it is read behind, so that reading
            // them costs no more than reading the part: the work stays linear in the file.
            let min_cut = self.base + self.prefix_len.max(1);
            if let Some(cut) = self.scan.last_cut.filter(|&cut| cut >= min_cut) {
                break cut - self.base;
            }
            // No place to cut yet: read on, no further than the limit past the last place.
            let bound = (self.scan.gap_from - self.base).saturating_add(self.limit);
            want = want
                .saturating_mul(2)
                .min(bound.saturating_add(1))
                .max(read + 1);
        };
        let items = self.buffer.len() - self.prefix_len;
        let last = self.eof && cut == items && self.scan.oversized.is_none();
        self.done = last;
        Ok(Some(Part {
            text: &self.buffer[..self.prefix_len + cut],
            prefix_len: self.prefix_len,
            base: self.base,
            last,
            carried: std::mem::take(&mut self.carried),
        }))
    }

    /// The file offset of the next byte to read.
    pub fn base(&self) -> usize {
        self.base
    }

    /// The last part (of `len` bytes) was read: the next is read behind `open_tags`, the start
    /// tags of the elements its reader left open, with what it `carried`.
    pub fn consume(&mut self, len: usize, open_tags: Vec<u8>, carried: Carried) {
        let prefix_len = open_tags.len();
        self.buffer.splice(..self.prefix_len + len, open_tags);
        self.prefix_len = prefix_len;
        self.base += len;
        self.carried = carried;
        self.scan.start_part(self.base);
    }

    /// Reads until `want` bytes past the prefix are held or the file ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while !self.eof && self.buffer.len() - self.prefix_len < want {
            let missing = want - (self.buffer.len() - self.prefix_len);
            let read = (&mut self.reader)
                .take(missing.min(READ_CHUNK) as u64)
                .read_to_end(&mut self.buffer)?;
            self.eof = read == 0;
        }
        Ok(())
    }
}

fn too_large(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::FileTooLarge, what)
}

/// Where the places to cut are: tracks the open elements through the bytes read so far.
#[derive(Debug, Default)]
struct CutScan {
    /// The file offset scanning resumes at: after the last markup read whole (text may go on
    /// past the bytes read).
    scanned: usize,
    /// For each open element, whether a part may not end inside it.
    open: Vec<bool>,
    /// How many of `open` are true.
    guarded: usize,
    /// Where the stretch read since the last place to cut starts.
    gap_from: usize,
    /// The last place to cut after the part's start.
    last_cut: Option<usize>,
    /// Where a stretch longer than the limit starts.
    oversized: Option<usize>,
    /// The XML stops being readable before `scanned`: the reader stops there, whatever follows.
    broken: bool,
}

impl CutScan {
    fn start_part(&mut self, base: usize) {
        self.last_cut = None;
        self.gap_from = base;
    }

    /// Scans on through `items`, the bytes read from the file offset `base` on (the whole rest
    /// of the file when `eof`).
    fn scan(&mut self, items: &[u8], base: usize, eof: bool, limit: usize) {
        let end = base + items.len();
        if self.broken {
            // Any place is as good as another: the reader stops before it.
            self.last_cut = Some(end);
        } else if self.oversized.is_none() {
            self.scan_tokens(items, base, eof, limit);
        }
        if self.oversized.is_none() && end - self.gap_from > limit {
            self.oversized = Some(self.gap_from);
        }
    }

    fn scan_tokens(&mut self, items: &[u8], base: usize, eof: bool, limit: usize) {
        let from = &items[self.scanned - base..];
        let tokens = utf8_for_tokenizing(from);
        // As in `wxr::read_part`: quick-xml drops a byte order mark it starts on, uncounted.
        let bom = if tokens.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let origin = self.scanned + bom;
        let mut reader = Reader::from_reader(&tokens[..]);
        let config = reader.config_mut();
        // Only where tokens start and end matters here; the reader checks the rest.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        while self.oversized.is_none() {
            let event = reader.read_event();
            let at = origin + reader.buffer_position() as usize;
            match event {
                Ok(Event::Start(tag)) => {
                    self.push(is_guarded(tag.name().as_ref().as_bytes()));
                    self.scanned = at;
                }
                Ok(Event::End(_)) => {
                    self.pop();
                    self.scanned = at;
                    self.note_cut(at, limit);
                }
                Ok(Event::Empty(_)) => {
                    self.scanned = at;
                    self.note_cut(at, limit);
                }
                Ok(Event::Text(_) | Event::GeneralRef(_)) => {}
                Ok(Event::Eof) => break,
                Ok(_) => self.scanned = at,
                Err(error) => {
                    let error_at = origin + reader.error_position() as usize;
                    if eof || !may_be_cut_short(&error, error_at, base + items.len()) {
                        // The reader, which tokenizes the same way, stops here too.
                        self.broken = true;
                        self.last_cut = Some(base + items.len());
                    }
                    break;
                }
            }
        }
    }

    fn push(&mut self, guarded: bool) {
        self.open.push(guarded);
        self.guarded += usize::from(guarded);
    }

    fn pop(&mut self) {
        if self.open.pop() == Some(true) {
            self.guarded -= 1;
        }
    }

    /// Right after an end tag: a place to cut when an element is still open (the part after
    /// it is read behind its start tag) and none that holds text the reader collects.
    fn note_cut(&mut self, at: usize, limit: usize) {
        if self.guarded > 0 || self.open.is_empty() {
            return;
        }
        if at - self.gap_from > limit {
            self.oversized = Some(self.gap_from);
            return;
        }
        self.last_cut = Some(at);
        self.gap_from = at;
    }
}

/// An element a part may not end inside: an `item` (the reader builds a post from it) or a
/// `wxr_version` (the reader collects its text), whatever namespace the reader finds them in.
fn is_guarded(name: &[u8]) -> bool {
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    name == b"item" || local == b"wxr_version"
}

/// Whether a tokenizing error may come from the bytes read so far ending inside the token at
/// `at` (`end`: where they end): every syntax error of quick-xml is a token left open, except
/// `<!` followed by something that starts no comment, CDATA section or DOCTYPE.
fn may_be_cut_short(error: &XmlError, at: usize, end: usize) -> bool {
    match error {
        XmlError::Syntax(XmlSyntax::InvalidBangMarkup) => at + 2 >= end,
        XmlError::Syntax(_) => true,
        _ => false,
    }
}
