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
}

/// One piece of the file to parse.
pub struct Segment<'b> {
    /// The file offset of `bytes[0]`.
    pub base: usize,
    pub bytes: &'b [u8],
    /// The file ends where this segment does.
    pub at_eof: bool,
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
            let cut = if self.eof {
                Some(self.buffer.len())
            } else {
                self.scan.scan(&self.buffer);
                self.scan.last_cut.filter(|&cut| cut >= self.min_cut)
            };
            if let Some(cut) = cut {
                return Ok(Some(Segment {
                    base: self.base,
                    bytes: &self.buffer[..cut],
                    at_eof: self.eof && cut == self.buffer.len(),
                }));
            }
            // No place to cut yet: read further.
            self.target = self.buffer.len() + self.growth();
        }
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
        self.target = self.buffer.len() + self.growth();
    }

    fn check_limit(&self) -> std::io::Result<()> {
        if self.buffer.len() > self.limit {
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
        while !self.eof && self.buffer.len() < self.target {
            let want = (self.target - self.buffer.len()).clamp(1, READ_CHUNK);
            // read_to_end grows the buffer as data arrives, so a small file costs no more than
            // its size.
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
#[derive(Debug, Default)]
struct CutScan {
    scanned: usize,
    in_string: bool,
    escaped: bool,
    depth: i64,
    /// Set by the first significant byte: `[` makes posts the elements of an array.
    array: Option<bool>,
    last_cut: Option<usize>,
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
                    if self.depth <= 0 {
                        self.last_cut = Some(i);
                    }
                }
                b',' if self.depth <= 1 && self.array == Some(true) => self.last_cut = Some(i),
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

    fn rebase(&mut self, by: usize) {
        // At the end of the file the last segment is taken unscanned.
        self.scanned = self.scanned.saturating_sub(by);
        self.last_cut = self.last_cut.filter(|&c| c > by).map(|c| c - by);
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
}
