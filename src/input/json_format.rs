//! REST and WP-CLI JSON (one post, an array of posts, NDJSON) as an input format: segments of
//! whole posts (`segments`), read by the span-keeping post reader (`posts`).

use std::io::Read;

use super::posts::{PostReader, ReaderState};
use super::reading::{
    FileFormat, Piece, PieceEnd, PieceReader, Pieces, ReadOptions, ReadProblem, Window,
};
use super::segments::{PIECES_A_SEGMENT, Segments};

/// The JSON format, with the knobs its reading takes.
pub struct JsonFormat {
    max_depth: usize,
    segment_bytes: usize,
    limit: usize,
}

impl JsonFormat {
    pub fn new(options: &ReadOptions<'_>) -> Self {
        Self {
            max_depth: options.max_depth,
            segment_bytes: options.segment_bytes,
            limit: options.max_post_bytes,
        }
    }
}

impl FileFormat for JsonFormat {
    type State = ReaderState;
    type Pieces<R: Read> = JsonPieces<R>;
    type Reader<'s> = JsonPieceReader<'s>;

    // Every file no other format claims is read as JSON, and told apart from a post there.
    const MAY_BE_ANYTHING: bool = true;

    fn pieces<R: Read>(&self, reader: R) -> JsonPieces<R> {
        JsonPieces {
            segments: Segments::with_target(reader, self.segment_bytes).with_limit(self.limit),
            state: ReaderState::default(),
            last_piece: None,
        }
    }

    fn read<'s>(&self, piece: &Piece<'s, ReaderState>) -> JsonPieceReader<'s> {
        let bytes = piece.bytes();
        JsonPieceReader {
            reader: PostReader::segment(bytes, self.max_depth, piece.state, piece.at_eof),
            base: piece.base,
            len: bytes.len(),
        }
    }
}

/// A JSON file cut into segments, and the reader's state where the next starts.
pub struct JsonPieces<R> {
    segments: Segments<R>,
    state: ReaderState,
    /// The length of the last piece handed out, when it was one piece (not a window).
    last_piece: Option<usize>,
}

impl<R: Read> Pieces for JsonPieces<R> {
    type State = ReaderState;

    fn next_piece(&mut self) -> std::io::Result<Option<Piece<'_, ReaderState>>> {
        let Some(segment) = self.segments.next_segment()? else {
            return Ok(None);
        };
        self.last_piece = Some(segment.bytes.len());
        Ok(Some(Piece {
            text: segment.bytes,
            prefix_len: 0,
            base: segment.base,
            at_eof: segment.at_eof,
            state: self.state,
        }))
    }

    fn take_window(
        &mut self,
        pieces: usize,
        split: bool,
    ) -> std::io::Result<Option<Window<ReaderState>>> {
        self.last_piece = None;
        let splits = if split { PIECES_A_SEGMENT } else { 1 };
        let Some(window) = self.segments.take_window(pieces, splits)? else {
            return Ok(None);
        };
        let last = window.ends.len() - 1;
        let starts = std::iter::once((0, self.state)).chain(window.ends[..last].iter().map(|c| {
            let state = ReaderState::between_posts(c.in_array, c.next_index);
            (c.at, state)
        }));
        let pieces = (starts.zip(&window.ends))
            .map(|((start, state), end)| (start..end.at, state))
            .collect();
        Ok(Some(Window {
            base: window.base,
            bytes: window.bytes,
            pieces,
            ends_segment: window.ends_segment,
            at_eof: window.at_eof,
        }))
    }

    fn read_ahead(&mut self, pieces: usize) -> std::io::Result<()> {
        self.segments.read_ahead(pieces)
    }

    fn end_window(&mut self, window: Window<ReaderState>, read: usize, next: ReaderState) {
        self.state = next;
        let end = window.end();
        self.segments.give_back(window.bytes, end, read);
    }

    fn base(&self) -> usize {
        self.segments.base()
    }

    fn consume(&mut self, read: usize, next: ReaderState) {
        self.state = next;
        match self.last_piece.take() {
            Some(len) if read == 0 => self.segments.extend_past(len),
            _ => self.segments.consume(read),
        }
    }
}

/// The posts of one segment.
pub struct JsonPieceReader<'s> {
    reader: PostReader<'s>,
    base: usize,
    len: usize,
}

impl<'s> Iterator for JsonPieceReader<'s> {
    type Item = super::reading::Entry<'s>;

    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next()
    }
}

impl<'s> PieceReader<'s> for JsonPieceReader<'s> {
    type State = ReaderState;

    fn end(mut self) -> PieceEnd<ReaderState> {
        let reader = &mut self.reader;
        // A post the segment ends inside is left for the next one.
        let (read, next) = if reader.ran_out() {
            reader.resume_point()
        } else {
            (self.len, reader.state())
        };
        let base = self.base;
        let problems = (reader.take_errors().into_iter())
            .map(|error| ReadProblem::JsonSyntax { error, base })
            .collect();
        PieceEnd {
            read,
            next: Some(next),
            problems,
            missing: Vec::new(),
            foreign: false,
            utf8: reader.is_utf8(),
        }
    }
}
