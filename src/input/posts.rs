//! Splits a file into its top-level values: one post object, an array of posts (what
//! `/wp-json/wp/v2/posts` returns), or NDJSON. No flag is needed: the shape of the text says which.
//! Values are read one at a time, so a file of 100,000 posts never has them all parsed at once.

use super::json::{Node, Parser, SyntaxError};

/// One top-level value (or one element of a top-level array) and its position in the file.
#[derive(Debug)]
pub struct Entry<'s> {
    pub index: usize,
    pub node: Node<'s>,
    /// The JSON around or inside this value was damaged, so what was read is a best guess.
    pub recovered: bool,
}

pub struct PostReader<'s> {
    parser: Parser<'s>,
    in_array: bool,
    after_item: bool,
    next_index: usize,
    errors: Vec<SyntaxError>,
}

impl<'s> PostReader<'s> {
    pub fn new(bytes: &'s [u8], max_depth: usize) -> Self {
        let mut parser = Parser::new(bytes).with_max_depth(max_depth);
        parser.skip_bom();
        Self {
            parser,
            in_array: false,
            after_item: false,
            next_index: 0,
            errors: Vec::new(),
        }
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
        let index = self.next_index;
        self.next_index += 1;
        Entry {
            index,
            node,
            recovered: self.errors.len() > errors_before,
        }
    }

    /// After a hard error, NDJSON can go on at the next line; a single document cannot.
    fn recover(&mut self) -> bool {
        self.in_array = false;
        self.after_item = false;
        self.parser.resync_to_next_line()
    }

    fn expect_separator(&mut self) -> bool {
        match self.parser.peek() {
            Some(b',') => {
                self.parser.bump();
                self.after_item = false;
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
            match (self.in_array, self.parser.peek()) {
                (false, None) => {
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
                    self.in_array = true;
                    self.after_item = false;
                }
                (true, Some(b']')) => {
                    self.parser.bump();
                    self.in_array = false;
                }
                (true, Some(_)) if self.after_item => {
                    self.expect_separator();
                }
                (_, Some(_)) => {
                    self.collect_errors();
                    let errors_before = self.errors.len();
                    let node = self.parser.parse_value();
                    self.after_item = true;
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
