//! Excerpts of a file around findings, read back from the file when a report shows them:
//! the file itself is not kept in memory after it was linted.

use crate::diagnostic::Finding;
use crate::source::{LineIndex, SourceFile, is_continuation};

/// Characters of the line shown on each side of a span.
pub const WINDOW_CHARS: usize = 60;
/// Context lines longer than this are left out rather than flooding the terminal.
const MAX_CONTEXT_LINE: usize = 160;
/// Bytes read back around each label: enough for the window and its context lines.
const REGION_MARGIN: usize = 2048;
/// The most bytes of one span a report shows: a span can cover megabytes (a block's
/// attributes, an element left open), and every format shows its start and says it goes on.
pub const MAX_SHOWN_SPAN: usize = 240;

/// How much of a span at `offset` of `length` bytes a report shows, ending on a character
/// boundary of `bytes` (the file from `base`), and whether that is less than all of it.
pub fn shown_length(bytes: &[u8], base: usize, offset: usize, length: usize) -> (usize, bool) {
    if length <= MAX_SHOWN_SPAN {
        return (length, false);
    }
    let mut end = offset + MAX_SHOWN_SPAN;
    while end > offset
        && end
            .checked_sub(base)
            .and_then(|at| bytes.get(at))
            .is_some_and(|&b| is_continuation(b))
    {
        end -= 1;
    }
    (end - offset, true)
}

/// Words that say how much of a long span was left out, for the end of what is shown.
pub fn left_out(length: usize, shown: usize) -> String {
    format!("…[{} more]", bytesize::ByteSize::b((length - shown) as u64))
}

pub struct Region {
    pub start: usize,
    /// The file's bytes from `start`; when the region reaches the end of the file, one space
    /// follows so that a label at the very end (a file cut off) has a place to be drawn.
    pub bytes: Vec<u8>,
    /// Length of `bytes` without that padding.
    pub len: usize,
}

/// Reads the bytes around every label, merging neighbours into one region.
pub fn read_regions(file: &SourceFile, findings: &[Finding]) -> Vec<Region> {
    let mut wanted: Vec<std::ops::Range<usize>> = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.span).chain(&f.secondary))
        .map(|span| {
            let shown = span.length.min(MAX_SHOWN_SPAN);
            span.offset.saturating_sub(REGION_MARGIN)..span.offset + shown + REGION_MARGIN
        })
        .collect();
    wanted.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for range in wanted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
        .into_iter()
        .filter_map(|range| {
            let mut bytes = file.read_range(range.clone()).ok()?;
            let len = bytes.len();
            if len < range.len() {
                bytes.push(b' ');
            }
            Some(Region {
                start: range.start,
                bytes,
                len,
            })
        })
        .collect()
}

/// A window of a region's line around `local..local_end`: at most `WINDOW_CHARS` characters
/// each side, and up to `before`/`after` whole short lines around it.
pub fn window(
    region: &Region,
    local: usize,
    local_end: usize,
    before: usize,
    after: usize,
) -> (usize, usize, usize) {
    let text = &region.bytes[..region.len];
    let lines = LineIndex::new(text);
    let first_line = lines.line_of(local);
    let last_line = lines.line_of(local_end);
    let mut start = local;
    let mut chars = 0;
    while start > lines.line_start(first_line) && chars < WINDOW_CHARS {
        start -= 1;
        chars += usize::from(!is_continuation(text[start]));
    }
    let line_end = lines.line_end(last_line, text);
    let mut end = local_end;
    chars = 0;
    while end < line_end && (chars < WINDOW_CHARS || is_continuation(text[end])) {
        chars += usize::from(!is_continuation(text[end]));
        end += 1;
    }
    let mut lines_before = 0;
    let mut line = first_line;
    while lines_before < before && start == lines.line_start(line) && line > 0 {
        let previous = line - 1;
        let whole = previous > 0 || region.start == 0;
        let short = lines.line_end(previous, text) - lines.line_start(previous) <= MAX_CONTEXT_LINE;
        if !(whole && short) {
            break;
        }
        line = previous;
        start = lines.line_start(line);
        lines_before += 1;
    }
    let mut line = last_line;
    for _ in 0..after {
        let next = line + 1;
        let complete = next + 1 < lines.len();
        if end != lines.line_end(line, text) || !complete {
            break;
        }
        let next_end = lines.line_end(next, text);
        if next_end - lines.line_start(next) > MAX_CONTEXT_LINE {
            break;
        }
        line = next;
        end = next_end;
    }
    (start, end, lines_before)
}

/// The region holding a span whole, if one does.
pub fn region_of(regions: &[Region], offset: usize, length: usize) -> Option<&Region> {
    let index = regions
        .partition_point(|r| r.start <= offset)
        .checked_sub(1)?;
    let region = &regions[index];
    (offset + length <= region.start + region.len).then_some(region)
}

/// The line around a span as plain text: up to `WINDOW_CHARS` characters before it, its own
/// text, and up to as many after, all on its line.
pub fn line_around(
    regions: &[Region],
    offset: usize,
    length: usize,
) -> Option<(String, String, String)> {
    let index = regions
        .partition_point(|r| r.start <= offset)
        .checked_sub(1)?;
    let region = &regions[index];
    if offset + length > region.start + region.len {
        return None;
    }
    let (local, local_end) = (offset - region.start, offset + length - region.start);
    let (start, stop, _) = window(region, local, local_end, 0, 0);
    let text =
        |range: std::ops::Range<usize>| String::from_utf8_lossy(&region.bytes[range]).into_owned();
    Some((
        text(start..local),
        text(local..local_end),
        text(local_end..stop.min(region.len)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_span_is_shown_up_to_a_character_boundary() {
        let text = "é".repeat(MAX_SHOWN_SPAN);
        let bytes = text.as_bytes();
        assert_eq!(shown_length(bytes, 0, 0, 10), (10, false));
        let (shown, cut) = shown_length(bytes, 0, 1, bytes.len() - 1);
        assert!(cut);
        assert!(text.is_char_boundary(1 + shown), "{shown}");
        assert!(shown <= MAX_SHOWN_SPAN);
    }
}
