//! Reads a file in segments of whole posts, so memory stays bounded whatever the file's size:
//! a 1 GB array of posts is parsed and linted a few megabytes at a time.
//!
//! A light scan (strings and bracket depth only) finds where a segment may end: between two
//! top-level posts. The full parser then reads the segment; if damage made the two disagree, the
//! parser reports that it ran out of text and the segment is read again, longer.

use std::io::Read;

/// A segment grows to at least this size before it is cut (unless the file ends first).
pub const SEGMENT_BYTES: usize = 8 << 20;
const READ_CHUNK: usize = 1 << 20;
/// How many pieces a window cuts each segment into (where a cut between posts lies inside it):
/// a window's end waits on its last piece's one parser, so the shorter the pieces, the less
/// of a window one thread is left to parse alone.
pub const PIECES_A_SEGMENT: usize = 2;
/// The room a file's buffer starts with: nine posts' files in ten are smaller (the corpus's
/// median is 8 KB), so they are read in one call, where growing from nothing took a dozen
/// reads and copies (3% of a run's instructions on the corpus).
const FIRST_ROOM: usize = 32 << 10;

/// The file's bytes from `base` on, read as far as needed.
pub struct Segments<R> {
    reader: R,
    buffer: Vec<u8>,
    base: usize,
    eof: bool,
    scan: CutScan,
    /// After a disagreement, the next cut must lie beyond this (relative to `base`).
    min_cut: usize,
    /// How much to read before looking for a cut; grows while none is found.
    target: usize,
    segment_target: usize,
    /// Most bytes held at once; past it the file is refused (`--max-post-size`).
    limit: usize,
    /// The scan where the window taken last starts, to go back to when it is not read whole.
    window_scan: Option<CutScan>,
    /// A window's buffer given back, kept to hold the bytes after the next window.
    spare: Vec<u8>,
}

/// One piece of the file to parse.
pub struct Segment<'b> {
    /// The file offset of `bytes[0]`.
    pub base: usize,
    pub bytes: &'b [u8],
    /// The file ends where this segment does.
    pub at_eof: bool,
}

/// Several segments cut ahead, to be parsed in parallel. Each cut is a place between two
/// posts where the scan predicts the reader's state; a piece's parse is kept only when the
/// piece before it ended in exactly that state (the engine checks), else the file goes on
/// segment by segment. Its bytes are taken out of the file's buffer, so that the next window
/// is read and scanned while this one is linted (`Segments::read_ahead`).
pub struct Window {
    /// The file offset of `bytes[0]`.
    pub base: usize,
    /// The window's pieces, then what was read past them (read again after the window).
    pub bytes: Vec<u8>,
    /// Where each piece ends (relative to `base`), ascending; the last piece ends the window.
    pub ends: Vec<Cut>,
    /// Whether each piece ends where `next_segment` cuts the file; the others split a segment.
    pub ends_segment: Vec<bool>,
    /// The file ends where the window does.
    pub at_eof: bool,
}

/// A place between two top-level posts and what the scan predicts of the reader there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub at: usize,
    /// Inside the top-level array (after a comma), or between NDJSON values.
    pub in_array: bool,
    /// How many top-level values came before.
    pub next_index: usize,
    /// Whether the scan can tell the reader's state here (it cannot after the array's end).
    pub predictable: bool,
}

impl Cut {
    /// The end of the file: nothing starts after it.
    fn end(at: usize) -> Self {
        Self {
            at,
            in_array: false,
            next_index: 0,
            predictable: false,
        }
    }
}

impl<R: Read> Segments<R> {
    pub fn new(reader: R) -> Self {
        Self::with_target(reader, SEGMENT_BYTES)
    }

    pub fn with_target(reader: R, target: usize) -> Self {
        Self {
            reader,
            buffer: Vec::new(),
            base: 0,
            eof: false,
            scan: CutScan::default(),
            min_cut: 1,
            target,
            segment_target: target,
            limit: usize::MAX,
            window_scan: None,
            spare: Vec::new(),
        }
    }

    /// Refuse to hold more than `limit` bytes that cannot be cut into posts.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The next segment, or `None` at the end of the file.
    pub fn next_segment(&mut self) -> std::io::Result<Option<Segment<'_>>> {
        loop {
            self.fill()?;
            self.check_limit()?;
            if self.buffer.is_empty() && self.eof {
                return Ok(None);
            }
            // The rest of a file that was read to its end is one segment: no cut to look for.
            // Cut within `target` even when more was read (by a window): the cuts never
            // depend on how far ahead the file was read.
            let cut = if self.eof && self.buffer.len() < self.target {
                Some(self.buffer.len())
            } else {
                self.scan.scan(&self.buffer);
                let cut = self.scan.last_cut_within(self.target).map(|c| c.at);
                cut.filter(|&cut| cut >= self.min_cut)
            };
            if let Some(cut) = cut {
                return Ok(Some(Segment {
                    base: self.base,
                    bytes: &self.buffer[..cut],
                    at_eof: self.eof && cut == self.buffer.len(),
                }));
            }
            // No place to cut yet: read further.
            self.target += self.growth();
        }
    }

    /// The file offset of the next byte to lint.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Up to `pieces` segments cut where `next_segment` would cut them, so that a file reads
    /// the same whichever way it is read, each split within into `splits` pieces where the scan
    /// found a place between posts; `None` when fewer than two segments can be cut (a post
    /// longer than a segment: read it with `next_segment`). The window's bytes are taken: the
    /// file goes on after it until `give_back` says how much of it was read whole.
    pub fn take_window(&mut self, pieces: usize, splits: usize) -> std::io::Result<Option<Window>> {
        self.read_ahead(pieces)?;
        self.check_limit()?;
        let piece = self.segment_target.max(1);
        let mut ends: Vec<Cut> = Vec::new();
        let mut start = 0;
        while ends.len() < pieces {
            let limit = start + piece;
            if self.eof && self.buffer.len() < limit {
                // The rest of the file is the last piece; nothing starts after it.
                let at = self.buffer.len();
                ends.extend((at > start).then_some(Cut::end(at)));
                break;
            }
            match self.scan.last_cut_within(limit).filter(|c| c.at > start) {
                Some(cut) if self.buffer.len() >= limit => {
                    ends.push(cut);
                    start = cut.at;
                    if !cut.predictable {
                        break;
                    }
                }
                _ => break,
            }
        }
        if ends.len() < 2 {
            return Ok(None);
        }
        let end = ends.last().map_or(0, |c| c.at);
        let at_eof = self.eof && end == self.buffer.len();
        let (ends, ends_segment) = self.split_segments(&ends, splits);
        let mut rest = std::mem::take(&mut self.spare);
        rest.clear();
        rest.extend_from_slice(&self.buffer[end..]);
        let window = Window {
            base: self.base,
            bytes: std::mem::replace(&mut self.buffer, rest),
            ends,
            ends_segment,
            at_eof,
        };
        self.window_scan = Some(self.scan.clone());
        self.base += end;
        self.scan.rebase(end);
        self.min_cut = 1;
        Ok(Some(window))
    }

    /// Each segment (ending at `segments`, ascending) cut within into at most `splits` pieces,
    /// at the last place between posts before each share of it: the pieces' ends, and which
    /// of them end a segment.
    fn split_segments(&self, segments: &[Cut], splits: usize) -> (Vec<Cut>, Vec<bool>) {
        let mut ends = Vec::with_capacity(segments.len() * splits);
        let mut ends_segment = Vec::with_capacity(segments.len() * splits);
        let mut start = 0;
        for segment in segments {
            let len = segment.at - start;
            let mut from = start;
            for share in 1..splits {
                let aim = start + len * share / splits;
                let inside = self.scan.last_cut_within(aim);
                if let Some(cut) = inside.filter(|c| c.at > from && c.predictable) {
                    ends.push(cut);
                    ends_segment.push(false);
                    from = cut.at;
                }
            }
            ends.push(*segment);
            ends_segment.push(true);
            start = segment.at;
        }
        (ends, ends_segment)
    }

    /// Reads and scans as much as a window of `pieces` pieces takes, unless it was read: while
    /// a window is linted, this readies the next one.
    pub fn read_ahead(&mut self, pieces: usize) -> std::io::Result<()> {
        self.target = pieces.saturating_mul(self.segment_target.max(1));
        let filled = self.fill();
        self.target = self.segment_target;
        filled?;
        self.scan.scan(&self.buffer);
        Ok(())
    }

    /// The window taken last (`bytes`, its pieces ending at `end`) was read whole up to
    /// `read`: the file goes on after that. Short of `end`, its bytes are put back before what
    /// was read since.
    pub fn give_back(&mut self, mut bytes: Vec<u8>, end: usize, read: usize) {
        let scan = self.window_scan.take();
        if read >= end {
            self.spare = bytes;
            return;
        }
        // Rare (damaged text): the bytes read after the window follow it again, and the scan
        // goes back to the window's start, where it had scanned them all.
        let tail = bytes.len() - end;
        bytes.extend_from_slice(&self.buffer[tail..]);
        self.buffer = bytes;
        self.base -= end;
        if let Some(scan) = scan {
            self.scan = scan;
        }
        self.consume(read);
    }

    /// The last segment was read whole: drop it and go on after it.
    pub fn consume(&mut self, len: usize) {
        self.buffer.drain(..len);
        self.base += len;
        self.scan.rebase(len);
        self.min_cut = 1;
        self.target = self.segment_target;
    }

    /// The parser ran out of text inside the last segment (of `len` bytes): the next one must
    /// be longer.
    pub fn extend_past(&mut self, len: usize) {
        self.min_cut = len + 1;
        self.target = self.target.max(len) + self.growth();
    }

    /// Refuses what reading a segment at a time would hold past the limit: as far as the
    /// target, not what a window's read-ahead held beyond it (a window given back short holds
    /// the next window's bytes too, which are no post's).
    fn check_limit(&self) -> std::io::Result<()> {
        if self.buffer.len().min(self.target) > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "a post is larger than the limit",
            ));
        }
        Ok(())
    }

    fn growth(&self) -> usize {
        self.segment_target.min(READ_CHUNK)
    }

    fn fill(&mut self) -> std::io::Result<()> {
        if self.buffer.capacity() == 0 && !self.eof {
            self.buffer.reserve(FIRST_ROOM.min(self.target));
        }
        while !self.eof && self.buffer.len() < self.target {
            let want = (self.target - self.buffer.len()).clamp(1, READ_CHUNK);
            // Past its first room, read_to_end grows the buffer as data arrives.
            let read = (&mut self.reader)
                .take(want as u64)
                .read_to_end(&mut self.buffer)?;
            if read == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }
}

/// Tracks strings and bracket depth to find positions between top-level posts.
#[derive(Debug, Default, Clone)]
struct CutScan {
    scanned: usize,
    in_string: bool,
    escaped: bool,
    depth: i64,
    /// Set by the first significant byte: `[` makes posts the elements of an array.
    array: Option<bool>,
    /// Every place between two posts since the buffer's start, with the predicted state.
    cuts: Vec<Cut>,
    /// Top-level values seen since the file's start (commas of the array, or closed values).
    values: usize,
}

impl CutScan {
    fn scan(&mut self, bytes: &[u8]) {
        let mut i = self.scanned;
        while i < bytes.len() {
            if self.in_string {
                i = self.skip_string(bytes, i);
                continue;
            }
            let byte = bytes[i];
            i += 1;
            match byte {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.array.get_or_insert(byte == b'[');
                    self.depth += 1;
                }
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 && self.array == Some(false) {
                        self.values += 1;
                        self.note_cut(i, false, true);
                    } else if self.depth <= 0 {
                        self.note_cut(i, false, false);
                    }
                }
                b',' if self.depth <= 1 && self.array == Some(true) => {
                    let between_posts = self.depth == 1;
                    self.values += usize::from(between_posts);
                    self.note_cut(i, true, between_posts);
                }
                b' ' | b'\t' | b'\n' | b'\r' => {}
                _ => {
                    self.array.get_or_insert(false);
                }
            }
        }
        self.scanned = i;
    }

    /// Moves through a string's text; returns where scanning resumes. Only quotes stop the
    /// search: WordPress escapes every `/`, so stopping at each backslash too would stop every
    /// few bytes. A quote preceded by an odd run of backslashes is escaped.
    fn skip_string(&mut self, bytes: &[u8], from: usize) -> usize {
        let mut i = from;
        if self.escaped {
            self.escaped = false;
            i += 1;
        }
        let string_start = i;
        while i < bytes.len() {
            let Some(at) = memchr::memchr(b'"', &bytes[i..]) else {
                // The string goes on into the next read; note a trailing escape.
                let tail = &bytes[string_start.max(i)..];
                self.escaped = is_escaped(tail, tail.len());
                return bytes.len();
            };
            let quote = i + at;
            if !is_escaped(&bytes[string_start..], quote - string_start) {
                self.in_string = false;
                return quote + 1;
            }
            i = quote + 1;
        }
        i.min(bytes.len())
    }

    fn note_cut(&mut self, at: usize, in_array: bool, predictable: bool) {
        self.cuts.push(Cut {
            at,
            in_array,
            next_index: self.values,
            predictable,
        });
    }

    /// The last place to cut at or before `limit`.
    fn last_cut_within(&self, limit: usize) -> Option<Cut> {
        let after = self.cuts.partition_point(|c| c.at <= limit);
        after.checked_sub(1).map(|i| self.cuts[i])
    }

    fn rebase(&mut self, by: usize) {
        self.cuts.retain(|c| c.at > by);
        self.cuts.iter_mut().for_each(|c| c.at -= by);
        // At the end of the file the last segment is taken unscanned.
        self.scanned = self.scanned.saturating_sub(by);
    }
}

/// Whether the byte at `at` is escaped: an odd run of backslashes comes right before it.
fn is_escaped(bytes: &[u8], at: usize) -> bool {
    let backslashes = bytes[..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    !backslashes.is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a few bytes at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn cuts(text: &str, target: usize) -> Vec<String> {
        let mut segments = Segments::with_target(Trickle(text.as_bytes()), target);
        let mut out = Vec::new();
        while let Some(segment) = segments.next_segment().expect("read") {
            let len = segment.bytes.len();
            out.push(String::from_utf8_lossy(segment.bytes).into_owned());
            segments.consume(len);
        }
        out
    }

    #[test]
    fn small_file_is_one_segment() {
        assert_eq!(
            cuts(r#"[{"a":1},{"b":2}]"#, 1 << 20),
            [r#"[{"a":1},{"b":2}]"#]
        );
    }

    #[test]
    fn array_is_cut_after_commas_between_posts() {
        let text = r#"[{"a":"x,}"},{"b":[1,2]},{"c":3}]"#;
        let pieces = cuts(text, 4);
        assert_eq!(pieces.concat(), text);
        assert!(pieces.len() > 1);
        for piece in &pieces[..pieces.len() - 1] {
            assert!(piece.ends_with(','), "{piece}");
        }
    }

    #[test]
    fn quotes_after_runs_of_backslashes_read_as_json_reads_them() {
        // `"x\\\\"` ends after two escaped backslashes; `"\\\"}"` holds `\"}`.
        let text = "{\"a\":\"x\\\\\\\\\"}\n{\"b\":\"\\\\\\\"}\"}\n{\"c\":1}\n";
        for target in [1, 2, 3, 5, 8] {
            let pieces = cuts(text, target);
            assert_eq!(pieces.concat(), text);
            assert_eq!(pieces[0], "{\"a\":\"x\\\\\\\\\"}", "target {target}");
            assert!(pieces[1].ends_with("\"}\"}"), "target {target}: {pieces:?}");
        }
    }

    #[test]
    fn ndjson_is_cut_after_each_object() {
        let text = "{\"a\":\"}\\\"\"}\n{\"b\":1}\n";
        let pieces = cuts(text, 2);
        assert_eq!(pieces.concat(), text);
        assert_eq!(pieces[0], "{\"a\":\"}\\\"\"}");
    }

    /// Every cut of every window, as the scan predicts the reader there.
    fn window_cuts(
        text: &str,
        (pieces, splits): (usize, usize),
        piece_bytes: usize,
    ) -> Vec<(usize, Cut)> {
        let mut segments = Segments::with_target(Trickle(text.as_bytes()), piece_bytes);
        let mut out = Vec::new();
        loop {
            // As the engine does: a segment where no window can be cut.
            if let Some(window) = segments.take_window(pieces, splits).expect("read") {
                out.extend(window.ends.iter().map(|cut| (window.base, *cut)));
                let end = window.ends.last().map_or(0, |c| c.at);
                segments.read_ahead(pieces).expect("read");
                segments.give_back(window.bytes, end, end);
                continue;
            }
            let end = match segments.next_segment().expect("read") {
                Some(segment) => segment.bytes.len(),
                None => return out,
            };
            segments.consume(end);
        }
    }

    /// The state a sequential parse of everything before `at` ends in.
    fn parsed_state(text: &str, at: usize) -> crate::input::posts::ReaderState {
        let mut reader = crate::input::posts::PostReader::segment(
            &text.as_bytes()[..at],
            64,
            Default::default(),
            false,
        );
        reader.by_ref().for_each(drop);
        assert!(!reader.ran_out(), "{at}");
        reader.state()
    }

    #[test]
    fn windows_predict_the_state_a_sequential_parse_reaches() {
        let array = r#"[{"a":"x,}\\"},{"b":[1,{"c":2}]},{"d":"]"},{"e":3},{"f":4}]"#;
        let ndjson = "{\"a\":\"}\\\"\"}\n{\"b\":[1,2]}\n{\"c\":\"\\\\\"}\n{\"d\":4}\n";
        let pretty = "[\n  {\"a\": 1},\n  {\"b\": \"[,]\"},\n  {\"c\": 3}\n]\n";
        for text in [array, ndjson, pretty] {
            let mut checked = 0;
            let shapes = [(2, 12), (3, 5), (4, 20), (16, 4), (32, 2), (2, 1000)];
            for ((pieces, piece_bytes), splits) in shapes.into_iter().zip([1, 2, 3].repeat(2)) {
                let cuts = window_cuts(text, (pieces, splits), piece_bytes);
                for (base, cut) in cuts.into_iter().filter(|(_, c)| c.predictable) {
                    let at = base + cut.at;
                    let predicted = crate::input::posts::ReaderState::between_posts(
                        cut.in_array,
                        cut.next_index,
                    );
                    assert_eq!(parsed_state(text, at), predicted, "{text} at {at}");
                    checked += 1;
                }
            }
            assert!(checked >= 2, "{text}: only {checked} cuts");
        }
    }

    #[test]
    fn a_window_given_back_short_is_read_on_as_if_never_taken() {
        let text = "{\"a\":1}\n{\"b\":2}\n{\"c\":\"x\"}\n{\"d\":4}\n{\"e\":5}\n";
        let mut segments = Segments::with_target(Trickle(text.as_bytes()), 8);
        let window = segments.take_window(2, 1).expect("read").expect("a window");
        let end = window.ends.last().map_or(0, |c| c.at);
        segments.read_ahead(2).expect("read");
        segments.give_back(window.bytes, end, 7);
        let mut rest: Vec<String> = Vec::new();
        while let Some(segment) = segments.next_segment().expect("read") {
            assert_eq!(segment.base, 7 + rest.concat().len());
            let len = segment.bytes.len();
            rest.push(String::from_utf8_lossy(segment.bytes).into_owned());
            segments.consume(len);
        }
        assert_eq!(rest, cuts(text, 8)[1..]);
    }

    /// A window given back short after the next one was read holds more than a window: the
    /// limit is still judged on what one segment needs (it refused the file there).
    #[test]
    fn a_window_given_back_short_is_not_too_large() {
        let text = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n{\"e\":5}\n{\"f\":6}\n";
        let mut segments = Segments::with_target(Trickle(text.as_bytes()), 8).with_limit(16);
        let window = segments.take_window(2, 1).expect("read").expect("a window");
        let end = window.ends.last().map_or(0, |c| c.at);
        segments.read_ahead(2).expect("read");
        segments.give_back(window.bytes, end, 0);
        let mut rest: Vec<String> = Vec::new();
        while let Some(segment) = segments.next_segment().expect("within the limit") {
            let len = segment.bytes.len();
            rest.push(String::from_utf8_lossy(segment.bytes).into_owned());
            segments.consume(len);
        }
        assert_eq!(rest, cuts(text, 8));
    }

    #[test]
    fn window_pieces_cover_the_file_in_order() {
        let text = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n";
        let mut segments = Segments::with_target(Trickle(text.as_bytes()), 8);
        let window = segments.take_window(4, 1).expect("read").expect("a window");
        let ends: Vec<usize> = window.ends.iter().map(|c| c.at).collect();
        assert_eq!(ends, [7, 15, 23, 31]);
        assert_eq!(&window.bytes[..31], text.trim_end().as_bytes());
        assert!(!window.at_eof);
    }
}
