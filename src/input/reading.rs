//! What an input format implements so that the engine's one file loop reads it: how it cuts a
//! file into pieces of whole posts, how it reads the posts of a piece, and what it found wrong.

use std::io::Read;

use super::json::{Node, SyntaxError};

/// Where a post was read from: the shapes differ in their keys and date format, and only REST
/// JSON gets fixes (a fix is written in the file's own syntax).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// `/wp-json/wp/v2/posts`: dates `YYYY-MM-DDTHH:MM:SS`.
    #[default]
    Rest,
    /// WP-CLI's JSON: `post_title`, `post_content`, …; dates `YYYY-MM-DD HH:MM:SS`.
    WpCli,
    /// An `<item>` of a WXR export; dates `YYYY-MM-DD HH:MM:SS`.
    Wxr,
}

impl Dialect {
    /// Dates are written as MySQL writes them, with a space before the time.
    pub fn sql_dates(self) -> bool {
        self != Dialect::Rest
    }
}

/// What a format's pieces are read with: the engine's knobs that reading needs.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    /// Nesting deeper than this is refused.
    pub max_depth: usize,
    /// A piece grows to about this many bytes of whole posts before it is cut.
    pub segment_bytes: usize,
    /// Most bytes that cannot be cut into posts (`--max-post-size`): past it, a format's
    /// pieces end with an error of kind `FileTooLarge`.
    pub max_post_bytes: usize,
    /// The WXR item types linted (`--type`).
    pub item_types: &'a [&'static str],
}

/// An input format: what the file loop reads a file through.
pub trait FileFormat: Sync {
    /// What reading a piece leaves for the next (where the reader stands between two posts).
    type State: Clone + PartialEq + Send + Sync;
    /// A file cut into pieces.
    type Pieces<R: Read>: Pieces<State = Self::State>;
    /// The posts of one piece, read in file order.
    type Reader<'s>: PieceReader<'s, State = Self::State>;

    /// Whether a file given this format may be something else altogether (the format every
    /// file no other one claims is read as): the file rules look at its first piece first
    /// (`FileProblem::Start`), and a finding there stops the reading.
    const MAY_BE_ANYTHING: bool = false;

    fn pieces<R: Read>(&self, reader: R) -> Self::Pieces<R>;

    /// Starts reading one piece (from its `state`).
    fn read<'s>(&self, piece: &Piece<'s, Self::State>) -> Self::Reader<'s>;
}

/// A file being cut into pieces of whole posts.
pub trait Pieces {
    type State;

    /// The next piece, or `None` at the end of the file. An error of kind `FileTooLarge`: a post
    /// (or what cannot be cut) is larger than the limit, and the rest of the file is not read.
    fn next_piece(&mut self) -> std::io::Result<Option<Piece<'_, Self::State>>>;

    /// Several pieces cut ahead to be read in parallel (up to `pieces` of the pieces
    /// `next_piece` would give, each cut finer when `split`), each from the state a scan predicts at
    /// its start (the loop keeps a piece only when the one before ended in that state);
    /// `None` where no window can be cut, or the format cuts none. Their bytes are taken out:
    /// `read_ahead` readies the next window while these are linted, and `end_window` says
    /// how much of them was read whole.
    fn take_window(
        &mut self,
        _pieces: usize,
        _split: bool,
    ) -> std::io::Result<Option<Window<Self::State>>> {
        Ok(None)
    }

    /// Reads (and cuts) as far as the next window of `pieces` pieces needs.
    fn read_ahead(&mut self, _pieces: usize) -> std::io::Result<()> {
        Ok(())
    }

    /// `read` bytes of `window` were read whole; the next piece starts after them, from `next`.
    fn end_window(&mut self, _window: Window<Self::State>, _read: usize, _next: Self::State) {}

    /// The file offset of the next byte to read.
    fn base(&self) -> usize;

    /// `read` bytes of what was handed out last were read whole; the next piece starts after
    /// them, from `next`. `read` 0 after a piece: a post goes on past it, cut it longer.
    fn consume(&mut self, read: usize, next: Self::State);
}

/// One piece of a file.
pub struct Piece<'b, S> {
    /// What the piece is read behind (a WXR part's open start tags), then its own bytes.
    pub text: &'b [u8],
    pub prefix_len: usize,
    /// The file offset of `text[prefix_len]`.
    pub base: usize,
    /// The file ends where this piece does.
    pub at_eof: bool,
    /// Where the reader stands at the piece's start.
    pub state: S,
}

impl<'b, S> Piece<'b, S> {
    /// The piece's own bytes.
    pub fn bytes(&self) -> &'b [u8] {
        &self.text[self.prefix_len..]
    }

    /// What turns an offset in `text` past the prefix into a file offset.
    pub fn shift(&self) -> usize {
        self.base - self.prefix_len
    }
}

/// Pieces cut ahead, holding their bytes.
pub struct Window<S> {
    /// The file offset of `bytes[0]`.
    pub base: usize,
    /// The pieces' bytes (and maybe more after them, not theirs).
    pub bytes: Vec<u8>,
    /// Each piece: where it lies in `bytes`, and the state it is read from.
    pub pieces: Vec<(std::ops::Range<usize>, S)>,
    /// Whether each piece ends where the file is cut when read a piece at a time: a run of
    /// pieces up to one that does is kept whole or not at all.
    pub ends_segment: Vec<bool>,
    /// The file ends where the last piece does.
    pub at_eof: bool,
}

impl<S: Clone> Window<S> {
    /// The pieces, to be read.
    pub fn pieces(&self) -> Vec<Piece<'_, S>> {
        let last = self.pieces.len().saturating_sub(1);
        (self.pieces.iter().enumerate())
            .map(|(i, (range, state))| Piece {
                text: &self.bytes[range.clone()],
                prefix_len: 0,
                base: self.base + range.start,
                at_eof: self.at_eof && i == last,
                state: state.clone(),
            })
            .collect()
    }

    /// Where the last piece ends, from the window's start.
    pub fn end(&self) -> usize {
        self.pieces.last().map_or(0, |(range, _)| range.end)
    }
}

/// One value of a piece, maybe a post: its position in the file and its node, with spans in
/// the piece's `text`. A post of a known dialect is in REST's shape (`title`, `content`,
/// `excerpt`, `date`, … as the `post` module reads them); JSON's are told and reshaped there.
#[derive(Debug)]
pub struct Entry<'s> {
    pub index: usize,
    pub node: Node<'s>,
    /// The text around or inside this value was damaged, so what was read is a best guess.
    pub recovered: bool,
    /// The dialect the format knows its posts to be in; `None`: told from the value's keys
    /// (REST or WP-CLI JSON), or no post.
    pub dialect: Option<Dialect>,
}

/// Reads the values of one piece, then says how far it read and what it found wrong.
pub trait PieceReader<'s>: Iterator<Item = Entry<'s>> + Send {
    type State;

    /// After the last value.
    fn end(self) -> PieceEnd<Self::State>;
}

/// How reading a piece ended.
pub struct PieceEnd<S> {
    /// How many of the piece's own bytes were read whole; the rest is read again with the next
    /// piece.
    pub read: usize,
    /// Where the next piece starts; `None`: the file is read no further (it stopped being
    /// readable).
    pub next: Option<S>,
    /// What is wrong in the bytes read, at file offsets.
    pub problems: Vec<ReadProblem>,
    /// What the file as a whole lacks, known at its end and reported at its start.
    pub missing: Vec<ReadProblem>,
    /// The piece holds another tool's file, not posts.
    pub foreign: bool,
    /// The reader found the piece's own bytes all UTF-8 (`invalid-utf8` need not look again).
    pub utf8: bool,
}

/// What a reader found wrong, as the file rules read it (`rule::FileProblem`).
#[derive(Debug)]
pub enum ReadProblem {
    /// A JSON syntax error; its span is `base` less than the file's.
    JsonSyntax { error: SyntaxError, base: usize },
    /// A problem of a WordPress export (XML), at file offsets.
    Wxr(SyntaxError),
}
