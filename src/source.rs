//! Input files as postlint refers to them, and lines and columns.
//! Every span is a byte range of the file as given; lines and columns are derived here, once,
//! while the file streams past, and snippets are read back from the file when a report needs them.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most a file read back whole (a baseline, a shard's report) may hold: the default of
/// `--max-file-size`.
pub const MAX_READ_WHOLE: u64 = crate::limits::MAX_FILE_SIZE.default.as_u64();

/// Reads a file that postlint wrote and is given back whole (a baseline, a shard's report): a
/// regular file, refused by its size past `most` bytes, or a pipe (`<(…)`), read no further
/// than `most`. A device (`/dev/zero`) or anything else is refused unread, so that none can
/// fill memory.
pub fn read_whole(path: &Path, most: u64) -> std::io::Result<String> {
    let too_large = || std::io::Error::other(format!("it holds more than {most} bytes"));
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    #[cfg(unix)]
    let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&kind);
    #[cfg(not(unix))]
    let pipe = false;
    if !kind.is_file() && !pipe {
        return Err(std::io::Error::other("it is not a regular file or a pipe"));
    }
    if metadata.len() > most {
        return Err(too_large());
    }
    let mut text = String::new();
    file.take(most.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > most {
        return Err(too_large());
    }
    Ok(text)
}

/// One input file as the user gave it (or standard input).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to the user: the path as given, or `-` for standard input.
    pub name: String,
    pub origin: Origin,
}

/// Where a file's bytes can be read again.
#[derive(Debug, Clone)]
pub enum Origin {
    Path(PathBuf),
    /// Standard input, which cannot be read twice, is kept.
    Memory(Arc<[u8]>),
}

impl SourceFile {
    pub fn in_memory(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        Self {
            name: name.into(),
            origin: Origin::Memory(bytes.into()),
        }
    }

    /// Reads the bytes of `range` again, clipped at the end of the file. The file may have
    /// changed since it was linted; callers treat the bytes as display text only.
    pub fn read_range(&self, range: Range<usize>) -> std::io::Result<Vec<u8>> {
        match &self.origin {
            Origin::Memory(bytes) => {
                let end = range.end.min(bytes.len());
                Ok(bytes
                    .get(range.start.min(end)..end)
                    .unwrap_or_default()
                    .to_vec())
            }
            Origin::Path(path) => {
                let mut file = std::fs::File::open(path)?;
                file.seek(SeekFrom::Start(range.start as u64))?;
                let mut bytes = Vec::with_capacity(range.len());
                file.take(range.len() as u64).read_to_end(&mut bytes)?;
                Ok(bytes)
            }
        }
    }
}

/// A 1-based line and a 1-based column counted in Unicode characters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// A byte range in a file, with its line and column resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResolvedSpan {
    pub offset: usize,
    pub length: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl ResolvedSpan {
    pub fn new(range: Range<usize>, start: LineCol, end: LineCol) -> Self {
        Self {
            offset: range.start,
            length: range.end - range.start,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// Characters in a byte slice: every byte that does not continue a UTF-8 sequence starts one,
/// so invalid bytes count as one character each. `bytecount` counts them 32 bytes at a time;
/// a count per byte took about five instructions a byte, and a one-line post's columns walk
/// the whole line (about 4% of a lint of the corpus).
pub fn count_chars(bytes: &[u8]) -> usize {
    bytecount::num_chars(bytes)
}

pub fn is_continuation(byte: u8) -> bool {
    (byte & 0xC0) == 0x80
}

/// Line and column of a position, moved forward through a file read piece by piece.
/// A line ends at `\n`, `\r\n` or a lone `\r`, as editors count them; columns count
/// characters, so a post gives the same column whatever its bytes per character.
#[derive(Debug, Clone)]
pub struct LineCursor {
    offset: usize,
    at: LineCol,
    after_cr: bool,
}

impl Default for LineCursor {
    fn default() -> Self {
        Self {
            offset: 0,
            at: LineCol { line: 1, column: 1 },
            after_cr: false,
        }
    }
}

impl LineCursor {
    /// Moves forward to each of `points` (ascending), noting the line and column of each. A
    /// point past `bytes` is taken at their end: a file may have shrunk since it was linted.
    fn walk(&mut self, bytes: &[u8], base: usize, points: &[usize], out: &mut Vec<LineCol>) {
        for &point in points {
            self.advance(bytes, base, point.min(base + bytes.len()));
            out.push(self.line_col());
        }
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn line_col(&self) -> LineCol {
        self.at
    }

    /// A cursor for bytes walked on their own, from `offset` on, before the lines above them
    /// are counted: `LineCursor::place` and `followed_by` then put what it found in the file.
    pub fn from_offset(offset: usize) -> Self {
        Self {
            offset,
            ..Self::default()
        }
    }

    /// Whether `place` gives back every position as it is: at the file's start.
    pub fn places_as_is(&self) -> bool {
        self.at == LineCol { line: 1, column: 1 } && !self.after_cr
    }

    /// Where a position a cursor `from_offset(self.offset())` found over `bytes` stands in the
    /// file, `self` being the file's cursor at their start.
    pub fn place(&self, bytes: &[u8], local: LineCol) -> LineCol {
        if local.line == 1 {
            return LineCol {
                line: self.at.line,
                column: self.at.column + local.column - 1,
            };
        }
        LineCol {
            line: self.at.line + local.line - 1 - usize::from(self.ends_crlf_in(bytes)),
            column: local.column,
        }
    }

    /// The file's cursor after `bytes`, which `local` walked to its end from
    /// `from_offset(self.offset())`.
    pub fn followed_by(&self, bytes: &[u8], local: &LineCursor) -> LineCursor {
        if bytes.is_empty() {
            return self.clone();
        }
        LineCursor {
            offset: local.offset,
            at: self.place(bytes, local.at),
            after_cr: local.after_cr,
        }
    }

    /// Whether `bytes` start with the `\n` of a `\r\n` this cursor stopped inside: walked on
    /// their own, that `\n` was counted as a line break of its own.
    fn ends_crlf_in(&self, bytes: &[u8]) -> bool {
        self.after_cr && bytes.first() == Some(&b'\n')
    }

    /// Moves forward to `target`; `bytes` holds the file from offset `base` and covers the way.
    pub fn advance(&mut self, bytes: &[u8], base: usize, target: usize) {
        if target <= self.offset {
            return;
        }
        let way = &bytes[self.offset - base..target - base];
        let last_break = match count_breaks(way) {
            // No `\r`: the line feeds were counted in one pass, not found one by one (a
            // pretty-printed export has a line every few dozen bytes).
            (feeds, 0) => {
                let crlf_end = self.after_cr && way.first() == Some(&b'\n');
                self.at.line += feeds - usize::from(crlf_end);
                memchr::memrchr(b'\n', way)
            }
            _ => self.count_lines_with_cr(way),
        };
        let rest = match last_break {
            Some(pos) => {
                self.at.column = 1;
                &way[pos + 1..]
            }
            None => way,
        };
        self.at.column += count_chars(rest);
        self.after_cr = way.last() == Some(&b'\r');
        self.offset = target;
    }
}

impl LineCursor {
    /// Counts the line breaks of `way` one by one, `\r\n` as one; the last one's position.
    fn count_lines_with_cr(&mut self, way: &[u8]) -> Option<usize> {
        let mut last_break = None;
        for pos in memchr::memchr2_iter(b'\n', b'\r', way) {
            let crlf_end = way[pos] == b'\n'
                && match pos.checked_sub(1) {
                    Some(before) => way[before] == b'\r',
                    None => self.after_cr,
                };
            if !crlf_end {
                self.at.line += 1;
            }
            last_break = Some(pos);
        }
        last_break
    }
}

/// How many `\n` and `\r` bytes there are, in one pass that the compiler vectorises.
fn count_breaks(bytes: &[u8]) -> (usize, usize) {
    bytes.chunks(255).fold((0, 0), |(feeds, returns), chunk| {
        // Counted in bytes per chunk (255 cannot overflow one), then widened.
        let (f, r) = chunk.iter().fold((0u8, 0u8), |(f, r), &b| {
            (
                f.wrapping_add(u8::from(b == b'\n')),
                r.wrapping_add(u8::from(b == b'\r')),
            )
        });
        (feeds + usize::from(f), returns + usize::from(r))
    })
}

/// The lines and columns of a set of offsets, found in one pass forward and looked up by offset.
#[derive(Debug, Default)]
pub struct LineCols {
    /// Ascending, without repeats.
    offsets: Vec<usize>,
    found: Vec<LineCol>,
}

impl LineCols {
    /// Moves `cursor` forward through `bytes` (the file from `base`) to each of `offsets`.
    pub fn walk(cursor: &mut LineCursor, bytes: &[u8], base: usize, offsets: Vec<usize>) -> Self {
        let offsets = ascending(offsets);
        let mut found = Vec::with_capacity(offsets.len());
        cursor.walk(bytes, base, &offsets, &mut found);
        Self { offsets, found }
    }

    /// Lines and columns of offsets in a file linted earlier in the run. Each is read back from
    /// the nearest mark the lint left at or before it (`FileReport::line_marks`, one per
    /// segment), so a finding near the end of a large file does not read it from its start.
    pub fn read_back(
        file: &SourceFile,
        marks: &[LineCursor],
        offsets: Vec<usize>,
    ) -> std::io::Result<Self> {
        let offsets = ascending(offsets);
        let mut found = Vec::with_capacity(offsets.len());
        let mut i = 0;
        while i < offsets.len() {
            let mark = marks
                .partition_point(|m| m.offset() <= offsets[i])
                .saturating_sub(1);
            let mut cursor = marks.get(mark).cloned().unwrap_or_default();
            let next_mark = marks.get(mark + 1).map_or(usize::MAX, LineCursor::offset);
            let group_end = i + offsets[i..].partition_point(|&p| p < next_mark);
            let base = cursor.offset();
            let bytes = file.read_range(base..offsets[group_end - 1])?;
            cursor.walk(&bytes, base, &offsets[i..group_end], &mut found);
            i = group_end;
        }
        Ok(Self { offsets, found })
    }

    /// Lines and columns known already (a shard report's), by offset.
    pub fn known(mut pairs: Vec<(usize, LineCol)>) -> Self {
        pairs.sort_unstable_by_key(|&(offset, _)| offset);
        pairs.dedup_by_key(|&mut (offset, _)| offset);
        let (offsets, found) = pairs.into_iter().unzip();
        Self { offsets, found }
    }

    /// Every offset walked to, with its line and column, in ascending order.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, LineCol)> + '_ {
        self.offsets.iter().copied().zip(self.found.iter().copied())
    }

    /// The line and column of one of the offsets walked to.
    pub fn get(&self, offset: usize) -> LineCol {
        let at = self.offsets.partition_point(|&p| p < offset);
        let start = LineCol { line: 1, column: 1 };
        self.found
            .get(at)
            .or(self.found.last())
            .copied()
            .unwrap_or(start)
    }
}

fn ascending(mut offsets: Vec<usize>) -> Vec<usize> {
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// Offsets of line starts in a piece of text, for laying out snippets.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        for pos in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let is_crlf = bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n');
            if !is_crlf {
                starts.push(pos + 1);
            }
        }
        Self { starts }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// End of the line's text (before its line break), or the end of the text.
    pub fn line_end(&self, line: usize, bytes: &[u8]) -> usize {
        let Some(&next) = self.starts.get(line + 1) else {
            return bytes.len();
        };
        let is_crlf = next >= 2 && bytes[next - 2] == b'\r' && bytes[next - 1] == b'\n';
        if is_crlf { next - 2 } else { next - 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn characters_are_the_bytes_that_start_one(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..700),
            text in "\\PC{0,300}",
        ) {
            let naive = |b: &[u8]| b.iter().filter(|&&b| !is_continuation(b)).count();
            proptest::prop_assert_eq!(count_chars(&bytes), naive(&bytes));
            proptest::prop_assert_eq!(count_chars(text.as_bytes()), text.chars().count());
        }
    }

    fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
        let mut cursor = LineCursor::default();
        cursor.advance(text, 0, offset);
        (cursor.line_col().line, cursor.line_col().column)
    }

    #[test]
    fn lines_read_back_from_marks_match_a_pass_from_the_start() {
        let text = "ab\r\ncd\u{2019}e\rfg\nhij\n\nk\u{2019}lm\r\n".repeat(7);
        let bytes = text.as_bytes();
        // Marks where segments would begin, one of them between `\r` and `\n`.
        let mut marks = Vec::new();
        let mut cursor = LineCursor::default();
        for start in [0, 3, 17, 40, 41, 90] {
            cursor.advance(bytes, 0, start);
            marks.push(cursor.clone());
        }
        let file = SourceFile::in_memory("t.json", bytes.to_vec());
        let offsets: Vec<usize> = (0..=bytes.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        let lines = LineCols::read_back(&file, &marks, offsets.clone()).expect("in memory");
        for &offset in &offsets {
            let expected = line_col(bytes, offset);
            let got = lines.get(offset);
            assert_eq!((got.line, got.column), expected, "offset {offset}");
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a\u{2019}b\nxy".as_bytes();
        assert_eq!(line_col(text, 4), (1, 3));
        assert_eq!(line_col(text, 7), (2, 2));
    }

    #[test]
    fn crlf_and_lone_cr_each_end_one_line() {
        let text = b"a\r\nb\rc\nd";
        let lines: Vec<_> = [0, 3, 5, 7].iter().map(|&o| line_col(text, o).0).collect();
        assert_eq!(lines, [1, 2, 3, 4]);
    }

    #[test]
    fn pieces_walked_on_their_own_are_placed_as_a_pass_from_the_start_finds() {
        let text = "ab\r\n\u{e9}\rcd\n\u{1F600}x\r\n\r\ny\r".as_bytes();
        for split in 0..=text.len() {
            let mut before = LineCursor::default();
            before.advance(text, 0, split);
            let piece = &text[split..];
            for end in split..=text.len() {
                let mut local = LineCursor::from_offset(split);
                local.advance(piece, split, end);
                let at = before.place(piece, local.line_col());
                assert_eq!((at.line, at.column), line_col(text, end), "{split} {end}");
            }
            let mut local = LineCursor::from_offset(split);
            local.advance(piece, split, text.len());
            let mut whole = LineCursor::default();
            whole.advance(text, 0, text.len());
            let after = before.followed_by(piece, &local);
            assert_eq!(after.offset(), whole.offset(), "{split}");
            assert_eq!(after.line_col(), whole.line_col(), "{split}");
            // The cursor goes on as one that walked the whole way would.
            let (mut placed, mut walked) = (after, whole);
            let more = [text, b"\nz"].concat();
            placed.advance(&more, 0, more.len());
            walked.advance(&more, 0, more.len());
            assert_eq!(placed.line_col(), walked.line_col(), "{split}");
        }
    }

    #[test]
    fn moving_in_pieces_equals_moving_at_once() {
        let text = "ab\r\n\u{e9}\rcd\n\u{1F600}x\r\n\r\ny".as_bytes();
        for split in 0..text.len() {
            for end in split..=text.len() {
                let mut cursor = LineCursor::default();
                cursor.advance(&text[..split], 0, split);
                cursor.advance(&text[split..], split, end);
                let at = cursor.line_col();
                assert_eq!((at.line, at.column), line_col(text, end), "{split} {end}");
            }
        }
    }

    #[test]
    fn lines_counted_in_one_pass_match_lines_found_one_by_one() {
        // Past 255 line feeds (a counter's chunk), with and without a `\r`, from a cursor
        // stopped after a `\r` whose `\n` opens the way.
        let text = format!("{}\u{e9}x\n\ny", "ab\n\n\u{2019}\n".repeat(300));
        let bytes = text.as_bytes();
        let by_hand = |bytes: &[u8]| {
            let breaks = bytes.iter().filter(|&&b| b == b'\n').count();
            let last = bytes
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            (1 + breaks, 1 + count_chars(&bytes[last..]))
        };
        for end in [0, 1, 255, 256, 700, bytes.len() - 1, bytes.len()] {
            assert_eq!(line_col(bytes, end), by_hand(&bytes[..end]), "{end}");
        }
        let mut cursor = LineCursor::default();
        let with_cr = [b"a\r\n".as_slice(), bytes].concat();
        cursor.advance(&with_cr, 0, 2);
        cursor.advance(&with_cr, 0, with_cr.len());
        let (line, column) = by_hand(bytes);
        assert_eq!(
            cursor.line_col(),
            LineCol {
                line: line + 1,
                column
            }
        );
    }

    #[test]
    fn line_index_finds_line_ends() {
        let text = b"a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.len(), 4);
        assert_eq!(index.line_end(0, text), 1);
        assert_eq!(index.line_end(1, text), 4);
        assert_eq!(index.line_of(5), 2);
    }
}
