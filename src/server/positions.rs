//! LSP positions from the engine's byte offsets, and back. A position is a line and a
//! character offset into it, in UTF-16 code units (the protocol's default) or in UTF-8 bytes
//! when the client offers them. Lines end at `\n`, `\r\n` or `\r`, as the protocol and the
//! CLI's line numbers count them.

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::source::is_continuation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it (our offsets are bytes: no counting), else UTF-16, the
    /// one every client understands.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 { Self::Utf8 } else { Self::Utf16 }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Self::Utf8 => c.len_utf8(),
            Self::Utf16 => c.len_utf16(),
        }
    }
}

/// Bytes between two checkpoints: a position costs at most this much counting, however long
/// its line (minified posts are one line of megabytes).
const CHECKPOINT_BYTES: usize = 4096;

/// Where each line of a text starts, to turn byte offsets into positions.
pub struct PositionMap<'t> {
    text: &'t str,
    starts: Vec<usize>,
    encoding: Encoding,
    /// Byte offsets (on character boundaries) with the units of the text before each.
    checkpoints: Vec<(usize, usize)>,
}

impl<'t> PositionMap<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // The server builds this for each publish of a buffer of megabytes: the breaks are
        // found 32 bytes at a time.
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        let checkpoints = match encoding {
            // A UTF-8 position counts bytes: offsets are its units already.
            Encoding::Utf8 => Vec::new(),
            Encoding::Utf16 => utf16_checkpoints(text),
        };
        Self {
            text,
            starts,
            encoding,
            checkpoints,
        }
    }

    /// The units of the text before a byte offset on a character boundary.
    fn units_before(&self, offset: usize) -> usize {
        if self.encoding == Encoding::Utf8 {
            return offset;
        }
        let i = self.checkpoints.partition_point(|&(at, _)| at <= offset) - 1;
        let (at, units) = self.checkpoints[i];
        units + self.width(&self.text[at..offset])
    }

    fn width(&self, text: &str) -> usize {
        match self.encoding {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => utf16_units(text.as_bytes()),
        }
    }

    /// The position of a byte offset; one inside a character is taken at its start, one past
    /// the end at the end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character = self.units_before(offset) - self.units_before(self.starts[line]);
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, bytes: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(bytes.start), self.position(bytes.end))
    }

    /// The byte offset of a position; a character past the line's end is taken at its end,
    /// a line past the text's end at the text's end.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let end = self.line_end(line);
        let mut counted = 0;
        for (at, c) in self.text[start..end].char_indices() {
            if counted >= position.character as usize {
                return start + at;
            }
            counted += self.encoding.width(c);
        }
        end
    }

    /// Where a line's text ends, before its line break.
    fn line_end(&self, line: usize) -> usize {
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = &self.text[self.starts[line]..next];
        self.starts[line] + text.trim_end_matches(['\n', '\r']).len()
    }
}

/// The first character boundary at or past each `CHECKPOINT_BYTES` from the last, with the
/// UTF-16 units of the text before it.
fn utf16_checkpoints(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut checkpoints = vec![(0, 0)];
    let (mut at, mut units) = (0, 0);
    loop {
        let mut next = at + CHECKPOINT_BYTES;
        while next < bytes.len() && !text.is_char_boundary(next) {
            next += 1;
        }
        if next >= bytes.len() {
            return checkpoints;
        }
        units += utf16_units(&bytes[at..next]);
        checkpoints.push((next, units));
        at = next;
    }
}

/// The UTF-16 units of whole characters: one for each byte that starts a character, and one
/// more for each that starts one of four bytes (a surrogate pair). A loop over bytes the
/// compiler runs many at a time, where one over the characters took one at a time.
fn utf16_units(bytes: &[u8]) -> usize {
    let units = |b: u8| u32::from(!is_continuation(b)) + u32::from(b >= 0xF0);
    // Counted in 32 bits, which hold two units for each byte of a part.
    (bytes.chunks(1 << 16))
        .map(|part| part.iter().map(|&b| units(b)).sum::<u32>() as usize)
        .sum()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_code_units_and_utf8_bytes() {
        // `’` is 3 bytes and one UTF-16 unit; `😀` is 4 bytes and two units.
        let text = "{\"a\":\"’😀<\\/a>\"}";
        let at = text.find('<').expect("tag");
        assert_eq!(
            PositionMap::new(text, Encoding::Utf16).position(at),
            Position::new(0, 9)
        );
        assert_eq!(
            PositionMap::new(text, Encoding::Utf8).position(at),
            Position::new(0, 13)
        );
    }

    #[test]
    fn lines_end_at_lf_crlf_and_cr() {
        let text = "a\r\nb\rc\nd";
        let index = PositionMap::new(text, Encoding::Utf16);
        assert_eq!(
            index.position(text.find('b').expect("b")),
            Position::new(1, 0)
        );
        assert_eq!(
            index.position(text.find('c').expect("c")),
            Position::new(2, 0)
        );
        assert_eq!(
            index.position(text.find('d').expect("d")),
            Position::new(3, 0)
        );
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        let text = "x’y\n😀z\n";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let index = PositionMap::new(text, encoding);
            for (offset, _) in text.char_indices() {
                assert_eq!(index.offset(index.position(offset)), offset, "{encoding:?}");
            }
            assert_eq!(index.offset(Position::new(0, 99)), 5);
            assert_eq!(index.offset(Position::new(9, 0)), text.len());
        }
    }

    #[test]
    fn long_lines_count_across_checkpoints() {
        let text = format!("{{\"a\":\"{}<\\/p>\"}}", "’😀x".repeat(5000));
        let at = text.find('<').expect("tag");
        let utf16 = PositionMap::new(&text, Encoding::Utf16);
        assert_eq!(utf16.position(at), Position::new(0, 6 + 4 * 5000));
        assert_eq!(utf16.offset(utf16.position(at)), at);
        let utf8 = PositionMap::new(&text, Encoding::Utf8);
        assert_eq!(utf8.position(at), Position::new(0, to_u32(at)));
    }

    #[test]
    fn utf8_positions_count_nothing_ahead() {
        let text = "’😀x\n".repeat(5000);
        let index = PositionMap::new(&text, Encoding::Utf8);
        assert!(
            index.checkpoints.is_empty(),
            "offsets are UTF-8 units already"
        );
        let at = text.len() - 1;
        assert_eq!(index.position(at), Position::new(4999, 8));
    }

    /// Lines and units counted one character at a time, as the protocol defines them: a
    /// `\r` before a `\n` is a character of its line, the `\n` ends it.
    fn counted(text: &str, offset: usize, encoding: Encoding) -> Position {
        let (mut line, mut character) = (0, 0);
        for (at, c) in text[..offset].char_indices() {
            let ends_line = c == '\n' || (c == '\r' && !text[at + 1..].starts_with('\n'));
            if ends_line {
                (line, character) = (line + 1, 0);
            } else {
                character += encoding.width(c) as u32;
            }
        }
        Position::new(line, character)
    }

    proptest::proptest! {
        #[test]
        fn positions_match_counting_each_character(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "’", "😀", "é", "\n", "\r", "\r\n", "xyz"]),
                0..6000,
            ),
            picks in proptest::collection::vec(0.0f64..1.0, 40),
        ) {
            let text: String = pieces.concat();
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let index = PositionMap::new(&text, encoding);
                for pick in &picks {
                    let offset = boundaries[(pick * boundaries.len() as f64) as usize % boundaries.len()];
                    proptest::prop_assert_eq!(index.position(offset), counted(&text, offset, encoding));
                }
            }
        }
    }

    /// The position of each byte offset up to one past the end, in UTF-8 and in UTF-16,
    /// counted in one walk a character at a time; a byte inside a character is taken at its
    /// start.
    fn walked(text: &str) -> Vec<[Position; 2]> {
        let mut walked = Vec::with_capacity(text.len() + 1);
        let mut at_now = [Position::new(0, 0); 2];
        for (at, c) in text.char_indices() {
            walked.extend(std::iter::repeat_n(at_now, c.len_utf8()));
            let ends_line = c == '\n' || (c == '\r' && !text[at + 1..].starts_with('\n'));
            for (now, width) in at_now.iter_mut().zip([c.len_utf8(), c.len_utf16()]) {
                *now = if ends_line {
                    Position::new(now.line + 1, 0)
                } else {
                    Position::new(now.line, now.character + to_u32(width))
                };
            }
        }
        walked.push(at_now);
        walked
    }

    /// Every byte offset (inside characters, past the end) against the walk, and back: 4-byte
    /// characters (a surrogate pair in UTF-16) straddle each byte around the checkpoint at
    /// 4096, with lines ending there in every style, and lines of no bytes at both ends.
    #[test]
    fn every_offset_around_a_checkpoint_matches_a_walk() {
        for shift in 0..8 {
            for end in ["", "\n", "\r", "\r\n", "\r\r\n", "\n\r"] {
                let text = format!("\r\n\n{}😀{end}😀\u{7ff}{end}\r", "a".repeat(4088 + shift));
                let walked = walked(&text);
                for (e, encoding) in [Encoding::Utf8, Encoding::Utf16].into_iter().enumerate() {
                    let index = PositionMap::new(&text, encoding);
                    for offset in 0..text.len() + 3 {
                        let expected = walked[offset.min(text.len())][e];
                        let case = format!("{encoding:?} {shift} {end:?} {offset}");
                        assert_eq!(index.position(offset), expected, "{case}");
                        // Between a `\r` and its `\n` is past the line's end: `offset` gives
                        // the end, as the protocol says.
                        let at = floor_char_boundary(&text, offset.min(text.len()));
                        let (before, after) = text.as_bytes().split_at(at);
                        let inside_crlf = before.ends_with(b"\r") && after.starts_with(b"\n");
                        if !inside_crlf {
                            assert_eq!(index.offset(expected), at, "{case}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_client_chooses_utf8_only_by_offering_it() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
    }
}
