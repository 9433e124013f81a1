//! Splits a file into its top-level values: one post object, an array of posts (what
//! `/wp-json/wp/v2/posts` returns), or NDJSON. No flag is needed: the shape of the text says which.
//! Values are read one at a time, so a file of 100,000 posts never has them all parsed at once.

use super::json::{Node, Parser, SyntaxError};
pub use super::reading::Entry;

pub struct PostReader<'s> {
    parser: Parser<'s>,
    state: ReaderState,
    errors: Vec<SyntaxError>,
    /// Where the last post began, and the state before it: where to go on when the segment
    /// ran out inside that post.
    boundary: (usize, ReaderState),
}

/// Where a reader stands between two segments of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderState {
    in_array: bool,
    after_item: bool,
    next_index: usize,
}

impl ReaderState {
    /// The state between two top-level posts as a scan predicts it: after a comma of the
    /// top-level array, or after an NDJSON value; `next_index` values came before.
    pub fn between_posts(in_array: bool, next_index: usize) -> Self {
        Self {
            in_array,
            after_item: !in_array,
            next_index,
        }
    }
}

impl<'s> PostReader<'s> {
    /// Reads a whole file.
    pub fn new(bytes: &'s [u8], max_depth: usize) -> Self {
        Self::segment(bytes, max_depth, ReaderState::default(), true)
    }

    /// Reads one segment of a file, going on from `state`; `at_eof` says whether the file
    /// ends where the segment does.
    pub fn segment(bytes: &'s [u8], max_depth: usize, state: ReaderState, at_eof: bool) -> Self {
        let mut parser = Parser::new(bytes).with_max_depth(max_depth);
        if !at_eof {
            parser = parser.ending_before_eof();
        }
        if state == ReaderState::default() {
            parser.skip_bom();
        }
        Self {
            parser,
            state,
            errors: Vec::new(),
            boundary: (0, state),
        }
    }

    /// After `ran_out`: how many bytes of the segment were read whole, and the state there.
    /// Syntax errors past that point are dropped: the post will be read again.
    pub fn resume_point(&mut self) -> (usize, ReaderState) {
        let (at, state) = self.boundary;
        self.errors.retain(|e| e.span.start < at);
        (at, state)
    }

    pub fn state(&self) -> ReaderState {
        self.state
    }

    /// Whether the whole segment is UTF-8 (the parser checks it once).
    pub fn is_utf8(&self) -> bool {
        self.parser.is_utf8()
    }

    /// The segment ended inside a post: it must be read again with more of the file.
    pub fn ran_out(&self) -> bool {
        self.parser.ran_out()
    }

    /// Syntax errors found so far that have not been taken yet, in file order.
    pub fn take_errors(&mut self) -> Vec<SyntaxError> {
        self.collect_errors();
        std::mem::take(&mut self.errors)
    }

    fn collect_errors(&mut self) {
        self.errors.extend(self.parser.take_errors());
    }

    fn entry(&mut self, node: Node<'s>, errors_before: usize) -> Entry<'s> {
        self.collect_errors();
        let index = self.state.next_index;
        self.state.next_index += 1;
        Entry {
            index,
            node,
            recovered: self.errors.len() > errors_before,
            // REST or WP-CLI, told from its keys (`Post::classify`).
            dialect: None,
        }
    }

    /// After a hard error, NDJSON can go on at the next line; a single document cannot.
    fn recover(&mut self) -> bool {
        self.state.in_array = false;
        self.state.after_item = false;
        !self.parser.ran_out() && self.parser.resync_to_next_line()
    }

    fn expect_separator(&mut self) -> bool {
        match self.parser.peek() {
            Some(b',') => {
                self.parser.bump();
                self.state.after_item = false;
                true
            }
            _ => {
                let at = self.parser.pos();
                self.parser.hard_error(
                    at..at + 1,
                    "expected `,` or `]` after this post in the array",
                    "posts in an array are separated by commas",
                );
                false
            }
        }
    }
}

impl<'s> Iterator for PostReader<'s> {
    type Item = Entry<'s>;

    fn next(&mut self) -> Option<Entry<'s>> {
        loop {
            if self.parser.is_halted() && !self.recover() {
                self.collect_errors();
                return None;
            }
            self.parser.skip_whitespace();
            match (self.state.in_array, self.parser.peek()) {
                (false, None) => {
                    self.collect_errors();
                    return None;
                }
                (true, None) if !self.parser.at_eof() => {
                    self.collect_errors();
                    return None;
                }
                (true, None) => {
                    let end = self.parser.pos();
                    self.parser.hard_error(
                        end..end,
                        "the file ends inside the array of posts: the JSON was cut off here",
                        "the export was truncated; a complete array ends with `]`",
                    );
                }
                (false, Some(b'[')) => {
                    self.parser.bump();
                    self.state.in_array = true;
                    self.state.after_item = false;
                }
                (true, Some(b']')) => {
                    self.parser.bump();
                    self.state.in_array = false;
                }
                (true, Some(_)) if self.state.after_item => {
                    self.expect_separator();
                }
                (_, Some(_)) => {
                    self.collect_errors();
                    let errors_before = self.errors.len();
                    self.boundary = (self.parser.pos(), self.state);
                    let node = self.parser.parse_value();
                    self.state.after_item = true;
                    if self.parser.ran_out() {
                        self.collect_errors();
                        return None;
                    }
                    if let Some(node) = node {
                        return Some(self.entry(node, errors_before));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<usize>, Vec<String>) {
        let mut reader = PostReader::new(text.as_bytes(), 64);
        let spans = reader.by_ref().map(|e| e.node.span.start).collect();
        let errors = reader
            .take_errors()
            .into_iter()
            .map(|e| e.message)
            .collect();
        (spans, errors)
    }

    #[test]
    fn single_object() {
        assert_eq!(read(r#" {"id":1} "#), (vec![1], vec![]));
    }

    #[test]
    fn array_of_posts() {
        assert_eq!(read(r#"[{"id":1}, {"id":2}]"#), (vec![1, 11], vec![]));
    }

    #[test]
    fn ndjson_goes_on_after_a_broken_line() {
        let (spans, errors) = read("{\"id\":1}\n{\"id\":2 x}\n{\"id\":3}\n");
        assert_eq!(spans, vec![0, 9, 20]);
        assert_eq!(errors, ["expected `,` or `}` in this object"]);
    }

    #[test]
    fn bom_is_skipped() {
        assert_eq!(read("\u{feff}{\"id\":1}"), (vec![3], vec![]));
    }

    #[test]
    fn cut_array_keeps_the_posts_read() {
        let (spans, errors) = read(r#"[{"id":1},{"id":2,"t":"ab"#);
        assert_eq!(spans, vec![1, 10]);
        assert_eq!(
            errors,
            ["the file ends inside a string: the JSON was cut off here"]
        );
    }
}
