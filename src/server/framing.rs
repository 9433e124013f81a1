//! The base protocol's framing: header lines (`Content-Length: N`), a blank line, then N bytes
//! of JSON. Written here because `lsp-server`'s reader allocates whatever length a client names
//! and reads a header line without end, and no kept crate reads frames under limits.

use std::fmt;
use std::io::{self, BufRead, Read, Write};

/// The longest message read into memory: far more than the post file an editor syncs (VS Code
/// stops syncing files at 50 MB). A longer one is read past, never held.
pub const MAX_MESSAGE_BYTES: u64 = 64 << 20;
/// The longest header block: real clients send one or two lines of under 100 bytes.
pub const MAX_HEADER_BYTES: usize = 8 << 10;
/// How much of a client's bytes a message quotes.
const EXCERPT_BYTES: usize = 80;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub message_bytes: u64,
    pub header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            message_bytes: MAX_MESSAGE_BYTES,
            header_bytes: MAX_HEADER_BYTES,
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A message over the limit: told at once, and its bytes are read past (never held)
    /// before the next frame.
    Skipped {
        length: u64,
    },
}

/// A stream that cannot be read on: where the next message starts is unknown.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("reading the client's messages failed: {0}")]
    Io(#[from] io::Error),
    #[error("a message's headers are longer than {limit} bytes (at `{start}`)")]
    HeaderTooLong { limit: usize, start: Excerpt },
    #[error("`{line}` is not a header line (`Name: value`)")]
    MalformedHeader { line: Excerpt },
    #[error("a message has no `Content-Length` header")]
    MissingLength,
    #[error("`Content-Length: {value}` is not a number of bytes")]
    InvalidLength { value: Excerpt },
    #[error("a message has two `Content-Length` headers ({first} and {second})")]
    ConflictingLength { first: u64, second: u64 },
    #[error("the input ended inside a message's headers")]
    TruncatedHeader,
    #[error("the input ended inside a message: {expected} bytes announced, {received} received")]
    TruncatedBody { expected: u64, received: u64 },
}

/// The start of some bytes a client sent, for a message: escaped and cut short, so that a
/// megabyte header line is never written out whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Excerpt(String);

impl Excerpt {
    pub fn of(bytes: &[u8]) -> Self {
        let start = &bytes[..bytes.len().min(EXCERPT_BYTES)];
        let mut text = String::from_utf8_lossy(start).escape_debug().to_string();
        if bytes.len() > EXCERPT_BYTES {
            text.push_str(&format!("… ({} bytes)", bytes.len()));
        }
        Self(text)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An error's text, cut short: serde quotes the value it refuses, which may be a whole
/// document.
pub fn brief(error: impl fmt::Display) -> String {
    const MOST: usize = 240;
    let text = error.to_string();
    match text.char_indices().nth(MOST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

pub struct FrameReader<R> {
    input: R,
    limits: Limits,
    /// The bytes of a skipped message still to read past.
    to_skip: u64,
}

impl<R: BufRead> FrameReader<R> {
    pub fn new(input: R, limits: Limits) -> Self {
        Self {
            input,
            limits,
            to_skip: 0,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The next frame; `None` where the input ends between frames.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        let to_skip = std::mem::take(&mut self.to_skip);
        self.skip(to_skip)?;
        let Some(length) = self.read_headers()? else {
            return Ok(None);
        };
        if length > self.limits.message_bytes {
            self.to_skip = length;
            return Ok(Some(Frame::Skipped { length }));
        }
        self.read_body(length).map(|body| Some(Frame::Body(body)))
    }

    /// The headers up to the blank line; the length they give.
    fn read_headers(&mut self) -> Result<Option<u64>, FrameError> {
        let mut length = None;
        let mut used = 0;
        let mut line = Vec::new();
        loop {
            line.clear();
            let room = self.limits.header_bytes - used;
            let read = (&mut self.input)
                .take(room as u64)
                .read_until(b'\n', &mut line)?;
            used += read;
            if !line.ends_with(b"\n") {
                return match used {
                    0 => Ok(None),
                    _ if read == room => Err(FrameError::HeaderTooLong {
                        limit: self.limits.header_bytes,
                        start: Excerpt::of(&line),
                    }),
                    _ => Err(FrameError::TruncatedHeader),
                };
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.is_empty() {
                return length.map(Some).ok_or(FrameError::MissingLength);
            }
            read_header(text, &mut length)?;
        }
    }

    fn read_body(&mut self, length: u64) -> Result<Vec<u8>, FrameError> {
        // Grown as bytes come, not allocated from the length a client claims.
        let mut body = Vec::new();
        let received = (&mut self.input).take(length).read_to_end(&mut body)?;
        check_complete(length, received as u64)?;
        Ok(body)
    }

    fn skip(&mut self, length: u64) -> Result<(), FrameError> {
        let received = io::copy(&mut (&mut self.input).take(length), &mut io::sink())?;
        check_complete(length, received)
    }
}

fn check_complete(expected: u64, received: u64) -> Result<(), FrameError> {
    if received < expected {
        return Err(FrameError::TruncatedBody { expected, received });
    }
    Ok(())
}

/// One `Name: value` line; only `Content-Length` matters (the content type is always JSON in
/// UTF-8).
fn read_header(line: &[u8], length: &mut Option<u64>) -> Result<(), FrameError> {
    let malformed = || FrameError::MalformedHeader {
        line: Excerpt::of(line),
    };
    let colon = memchr::memchr(b':', line).ok_or_else(malformed)?;
    let (name, value) = (line[..colon].trim_ascii(), line[colon + 1..].trim_ascii());
    if name.is_empty() {
        return Err(malformed());
    }
    if !name.eq_ignore_ascii_case(b"Content-Length") {
        return Ok(());
    }
    let parsed = parse_length(value).ok_or_else(|| FrameError::InvalidLength {
        value: Excerpt::of(value),
    })?;
    match *length {
        Some(first) if first != parsed => Err(FrameError::ConflictingLength {
            first,
            second: parsed,
        }),
        _ => {
            *length = Some(parsed);
            Ok(())
        }
    }
}

/// Decimal digits only: no sign, no spaces inside; `None` past `u64`.
fn parse_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Writes one message: its header, then its body.
pub fn write_frame(output: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(body)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        message_bytes: 16,
        header_bytes: 64,
    };

    fn frames(input: &[u8]) -> Vec<Result<Frame, String>> {
        let mut reader = FrameReader::new(input, SMALL);
        let mut found = Vec::new();
        loop {
            match reader.next_frame() {
                Ok(Some(frame)) => found.push(Ok(frame)),
                Ok(None) => return found,
                Err(error) => {
                    found.push(Err(error.to_string()));
                    return found;
                }
            }
        }
    }

    fn body(text: &str) -> Result<Frame, String> {
        Ok(Frame::Body(text.as_bytes().to_vec()))
    }

    #[test]
    fn frames_follow_one_another() {
        let input = b"Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: x\r\n\r\n[1]";
        assert_eq!(frames(input), [body("{}"), body("[1]")]);
        assert_eq!(frames(b""), []);
    }

    #[test]
    fn a_message_over_the_limit_is_read_past() {
        let input = [
            &b"Content-Length: 17\r\n\r\n"[..],
            &[b'x'; 17],
            b"Content-Length: 1\r\n\r\n1",
        ];
        assert_eq!(
            frames(&input.concat()),
            [Ok(Frame::Skipped { length: 17 }), body("1")]
        );
    }

    #[test]
    fn lying_lengths_are_errors_not_allocations() {
        let huge = b"Content-Length: 18446744073709551615\r\n\r\n{}";
        assert_eq!(
            frames(huge),
            [
                Ok(Frame::Skipped { length: u64::MAX }),
                Err(
                    "the input ended inside a message: 18446744073709551615 bytes \
                     announced, 2 received"
                        .into()
                )
            ]
        );
        let short = b"Content-Length: 9\r\n\r\n{}";
        assert_eq!(
            frames(short),
            [Err(
                "the input ended inside a message: 9 bytes announced, 2 received".into()
            )]
        );
        for value in ["18446744073709551616", "-1", "+2", "1 2", "0x10", ""] {
            let input = format!("Content-Length: {value}\r\n\r\n");
            let found = frames(input.as_bytes());
            assert!(
                matches!(&found[..], [Err(e)] if e.contains("is not a number of bytes")),
                "{value}: {found:?}"
            );
        }
    }

    #[test]
    fn broken_headers_are_errors() {
        let cases: [(&[u8], &str); 5] = [
            (b"\r\n{}", "no `Content-Length`"),
            (b"hello\r\n", "`hello` is not a header line"),
            (b"Content-Length: 2", "ended inside a message's headers"),
            (
                b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n",
                "(2 and 3)",
            ),
            (b": 2\r\n\r\n", "not a header line"),
        ];
        for (input, expected) in cases {
            let found = frames(input);
            assert!(
                matches!(&found[..], [Err(e)] if e.contains(expected)),
                "{input:?}: {found:?}"
            );
        }
    }

    #[test]
    fn an_overlong_header_is_refused_and_quoted_short() {
        let long = [b"X-Long: ".as_slice(), &[b'a'; 1 << 20], b"\r\n"].concat();
        let found = frames(&long);
        let [Err(message)] = &found[..] else {
            panic!("{found:?}");
        };
        assert!(message.starts_with("a message's headers are longer than 64 bytes"));
        assert!(message.len() < 200, "{message}");
        // Many short lines count together.
        let many = "X: y\r\n".repeat(20);
        assert!(matches!(&frames(many.as_bytes())[..], [Err(e)] if e.contains("longer than")));
    }

    #[test]
    fn excerpts_escape_and_cut() {
        assert_eq!(
            Excerpt::of(b"a\"\x1b\xff").to_string(),
            "a\\\"\\u{1b}\u{fffd}"
        );
        assert_eq!(brief("ok"), "ok");
        assert_eq!(brief("é".repeat(300)), format!("{}…", "é".repeat(240)));
        let long = Excerpt::of(&[b'z'; 100]).to_string();
        assert_eq!(long, format!("{}… (100 bytes)", "z".repeat(80)));
    }
}
