//! A WordPress export (WXR) as an input format: parts of whole elements (`wxr_parts`), each
//! read behind the start tags left open before it (`wxr::read_part`).

use std::io::Read;

use super::json::Node;
use super::reading::{
    Dialect, Entry, FileFormat, Piece, PieceEnd, PieceReader, Pieces, ReadOptions, ReadProblem,
};
use super::wxr::{self, Carried, WxrFile};
use super::wxr_parts::WxrParts;

/// The WXR format, with the knobs its reading takes.
pub struct WxrFormat {
    item_types: Vec<&'static str>,
    segment_bytes: usize,
    limit: usize,
}

impl WxrFormat {
    pub fn new(options: &ReadOptions<'_>) -> Self {
        Self {
            item_types: options.item_types.to_vec(),
            segment_bytes: options.segment_bytes,
            limit: options.max_post_bytes,
        }
    }
}

/// What reading a part leaves for the next: the start tags of the elements open where it
/// ended (the next part is read behind them, so they are empty in a piece's state), what the
/// reader carries over, and how many posts came before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WxrState {
    open_tags: Vec<u8>,
    carried: Carried,
    posts: usize,
}

impl FileFormat for WxrFormat {
    type State = WxrState;
    type Pieces<R: Read> = WxrPieces<R>;
    type Reader<'s> = WxrPieceReader<'s>;

    fn pieces<R: Read>(&self, reader: R) -> WxrPieces<R> {
        WxrPieces {
            parts: WxrParts::new(reader, self.segment_bytes, self.limit),
            posts: 0,
        }
    }

    fn read<'s>(&self, piece: &Piece<'s, WxrState>) -> WxrPieceReader<'s> {
        let carried = piece.state.carried.clone();
        let mut parsed = wxr::read_part(piece.text, &self.item_types, carried, piece.at_eof);
        WxrPieceReader {
            after: piece.state.posts + parsed.posts.len(),
            posts: std::mem::take(&mut parsed.posts).into_iter().enumerate(),
            first_index: piece.state.posts,
            prefix_len: piece.prefix_len,
            shift: piece.shift(),
            len: piece.bytes().len(),
            parsed,
        }
    }
}

/// An export cut into parts.
pub struct WxrPieces<R> {
    parts: WxrParts<R>,
    /// Posts read before the next part.
    posts: usize,
}

impl<R: Read> Pieces for WxrPieces<R> {
    type State = WxrState;

    fn next_piece(&mut self) -> std::io::Result<Option<Piece<'_, WxrState>>> {
        let posts = self.posts;
        let Some(part) = self.parts.next_part()? else {
            return Ok(None);
        };
        Ok(Some(Piece {
            text: part.text,
            prefix_len: part.prefix_len,
            base: part.base,
            at_eof: part.last,
            state: WxrState {
                open_tags: Vec::new(),
                carried: part.carried,
                posts,
            },
        }))
    }

    fn base(&self) -> usize {
        self.parts.base()
    }

    fn consume(&mut self, read: usize, next: WxrState) {
        self.posts = next.posts;
        self.parts.consume(read, next.open_tags, next.carried);
    }
}

/// The posts of one part, parsed whole (the part is about a segment's size).
pub struct WxrPieceReader<'s> {
    posts: std::iter::Enumerate<std::vec::IntoIter<Node<'s>>>,
    first_index: usize,
    /// Posts read before the next part.
    after: usize,
    prefix_len: usize,
    /// Offsets in the part's text past the prefix are file offsets less `shift`.
    shift: usize,
    /// The part's own bytes.
    len: usize,
    /// The rest of what reading the part gave.
    parsed: WxrFile<'s>,
}

impl<'s> Iterator for WxrPieceReader<'s> {
    type Item = Entry<'s>;

    fn next(&mut self) -> Option<Entry<'s>> {
        let (i, node) = self.posts.next()?;
        Some(Entry {
            index: self.first_index + i,
            node,
            recovered: false,
            dialect: Some(Dialect::Wxr),
        })
    }
}

impl<'s> PieceReader<'s> for WxrPieceReader<'s> {
    type State = WxrState;

    fn end(self) -> PieceEnd<WxrState> {
        let WxrPieceReader {
            after,
            prefix_len,
            shift,
            len,
            parsed,
            ..
        } = self;
        // What is wrong in the prefix was reported with the part it was read in.
        let problems = (parsed.errors.into_iter())
            .filter(|error| error.span.start >= prefix_len)
            .map(|mut error| {
                error.span = shift + error.span.start..shift + error.span.end;
                ReadProblem::Wxr(error)
            })
            .collect();
        let next = (!parsed.stopped).then(|| WxrState {
            open_tags: parsed.open_tags,
            carried: parsed.carried,
            posts: after,
        });
        PieceEnd {
            read: len,
            next,
            problems,
            missing: parsed.missing.into_iter().map(ReadProblem::Wxr).collect(),
            foreign: parsed.foreign,
            utf8: false,
        }
    }
}
