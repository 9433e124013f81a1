//! A loaded input file: its name, its bytes and a line index.
//! Every span in postlint is a byte range of these bytes; lines and columns are derived here, once.

use std::ops::Range;
use std::sync::Arc;

/// One input file as the user gave it (or standard input).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to the user: the path as given, or `-` for standard input.
    pub name: String,
    /// The bytes exactly as read; shared so reports can show snippets without copying.
    pub bytes: Arc<[u8]>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// A 1-based line and a 1-based column counted in Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Offsets of line starts. A line ends at `\n`, `\r\n` or a lone `\r`, as editors count them.
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

    /// Number of lines (an empty file has one, empty).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// 0-based line number of the line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// End of the line's text (before its line break), or the end of the file.
    pub fn line_end(&self, line: usize, bytes: &[u8]) -> usize {
        let Some(&next) = self.starts.get(line + 1) else {
            return bytes.len();
        };
        let is_crlf = next >= 2 && bytes[next - 2] == b'\r' && bytes[next - 1] == b'\n';
        if is_crlf { next - 2 } else { next - 1 }
    }

    /// Line and column of a byte offset. Columns count characters, so the same post gives the
    /// same column whether it is written with `\u2019` escapes or raw UTF-8.
    pub fn line_col(&self, bytes: &[u8], offset: usize) -> LineCol {
        let offset = offset.min(bytes.len());
        let line = self.line_of(offset);
        let column = count_chars(&bytes[self.starts[line]..offset]) + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

/// Characters in a byte slice: every byte that does not continue a UTF-8 sequence starts one,
/// so invalid bytes count as one character each.
pub fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// A byte range in a file, with its line and column resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ResolvedSpan {
    pub offset: usize,
    pub length: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Resolves many spans of one file cheaply: posts are often one very long line, so counting
/// from the line start for every diagnostic would be quadratic. Offsets asked in increasing
/// order continue counting from the previous answer.
pub struct SpanResolver<'a> {
    bytes: &'a [u8],
    index: &'a LineIndex,
    last: Option<(usize, LineCol)>,
}

impl<'a> SpanResolver<'a> {
    pub fn new(bytes: &'a [u8], index: &'a LineIndex) -> Self {
        Self {
            bytes,
            index,
            last: None,
        }
    }

    pub fn line_col(&mut self, offset: usize) -> LineCol {
        let offset = offset.min(self.bytes.len());
        let line = self.index.line_of(offset);
        let found = match self.last {
            Some((prev, at)) if prev <= offset && at.line == line + 1 => LineCol {
                line: at.line,
                column: at.column + count_chars(&self.bytes[prev..offset]),
            },
            _ => self.index.line_col(self.bytes, offset),
        };
        self.last = Some((offset, found));
        found
    }

    pub fn resolve(&mut self, range: Range<usize>) -> ResolvedSpan {
        let start = self.line_col(range.start);
        let end = self.index.line_col(self.bytes, range.end);
        ResolvedSpan {
            offset: range.start,
            length: range.end - range.start,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a\u{2019}b\nxy";
        let index = LineIndex::new(text.as_bytes());
        assert_eq!(
            index.line_col(text.as_bytes(), 4),
            LineCol { line: 1, column: 3 }
        );
        assert_eq!(
            index.line_col(text.as_bytes(), 7),
            LineCol { line: 2, column: 2 }
        );
    }

    #[test]
    fn crlf_and_lone_cr_each_end_one_line() {
        let text = b"a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        let lines: Vec<_> = [0, 3, 5, 7]
            .iter()
            .map(|&o| index.line_col(text, o).line)
            .collect();
        assert_eq!(lines, [1, 2, 3, 4]);
        assert_eq!(index.line_end(0, text), 1);
        assert_eq!(index.line_end(1, text), 4);
    }

    #[test]
    fn resolver_agrees_with_index_in_any_order() {
        let text = "ab\u{e9}cd\nef\u{1f600}gh\n".as_bytes();
        let index = LineIndex::new(text);
        let mut resolver = SpanResolver::new(text, &index);
        for offset in [0, 2, 3, 5, 7, 1, 10, 9, 14] {
            assert_eq!(resolver.line_col(offset), index.line_col(text, offset));
        }
    }
}
