//! Where a finding in a post's raw content (`content.raw`: block comments, shortcodes, the
//! text as the author typed it) shows in its rendered content, for the HTML report's view.
//! The visible words of both are aligned by a diff; a finding is then found by its own text
//! near where its neighbouring words went, else by its words, else by its tag.

use std::ops::Range;

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Bytes searched on each side of where a finding is expected in the rendered content: the
/// neighbouring words bound the search, and this bounds it when they are far apart.
const SEARCH_BYTES: usize = 32 << 10;
/// Words of each text aligned at most: past it (a post of some 300 KB of text) a hostile pair
/// of texts would cost seconds, and findings are found by their own text near where their
/// share of the post puts them.
const MAX_ALIGNED_WORDS: usize = 50_000;
/// Bytes looked back from a finding for the `[` of a shortcode it is in.
const SHORTCODE_LOOKBACK: usize = 1 << 10;

/// Why a finding of the raw content has no place in what readers get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    /// In a block comment (`<!-- wp:image {…} -->`): the editor's markup, never shown.
    Comment,
    /// In a shortcode, which the site replaced with its own output.
    Shortcode,
    /// Its text is nowhere near where it would be: the site left it out or rewrote it.
    Gone,
}

impl Unseen {
    /// Why, in words for the report.
    pub fn reason(self) -> &'static str {
        match self {
            Unseen::Comment => "in a block comment, which readers never get",
            Unseen::Shortcode => "in a shortcode, which readers get as the site's output",
            Unseen::Gone => "not in the content as the site rendered it",
        }
    }
}

/// The raw and the rendered content of one post, their visible words paired.
pub struct Alignment<'a> {
    raw: &'a str,
    rendered: &'a str,
    /// The comments of the raw content, in order.
    comments: Vec<Range<usize>>,
    /// Its other tags, in order.
    tags: Vec<Range<usize>>,
    raw_words: Vec<Range<usize>>,
    rendered_words: Vec<Range<usize>>,
    /// `(raw word, rendered word)` of every word the diff kept, in order of both.
    pairs: Vec<(usize, usize)>,
}

impl<'a> Alignment<'a> {
    pub fn new(raw: &'a str, rendered: &'a str) -> Self {
        let raw_tags = tag_ranges(raw.as_bytes());
        let (comments, tags) = raw_tags
            .iter()
            .cloned()
            .partition(|t| raw.as_bytes()[t.start..].starts_with(b"<!--"));
        let raw_words = words(raw, &raw_tags);
        let rendered_words = words(rendered, &tag_ranges(rendered.as_bytes()));
        let tokens = |text: &'a str, words: &[Range<usize>]| -> Vec<&'a str> {
            words.iter().map(|w| &text[w.clone()]).collect()
        };
        // Myers as `similar` runs it: past a work limit it takes a good split instead of the
        // best, so a hostile pair of texts costs about (n + m)^1.5, never n × m.
        let aligned = raw_words.len().max(rendered_words.len()) <= MAX_ALIGNED_WORDS;
        let ops = match aligned {
            true => capture_diff_slices(
                Algorithm::Myers,
                &tokens(raw, &raw_words),
                &tokens(rendered, &rendered_words),
            ),
            false => Vec::new(),
        };
        let pairs = ops
            .iter()
            .filter_map(|op| match *op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => Some((0..len).map(move |k| (old_index + k, new_index + k))),
                _ => None,
            })
            .flatten()
            .collect();
        Self {
            raw,
            rendered,
            comments,
            tags,
            raw_words,
            rendered_words,
            pairs,
        }
    }

    /// Where a range of the raw content is in the rendered content, or why it is not there.
    pub fn place(&self, range: Range<usize>) -> Result<Range<usize>, Unseen> {
        let range = self.clamp(range);
        let visible = self.visible_part(range.clone()).ok_or(Unseen::Comment)?;
        let window = self.window(&visible);
        let expected = self.expected(&visible, &window);
        let text = &self.raw[visible.clone()];
        if text.is_empty() {
            return Ok(expected..expected);
        }
        let found = nearest(self.rendered, &window, text, expected)
            .or_else(|| self.by_words(&visible, &window))
            .or_else(|| self.by_tag(text, &window, expected))
            .or_else(|| self.by_enclosing_tag(&visible));
        found.ok_or_else(|| match self.in_shortcode(&visible) {
            true => Unseen::Shortcode,
            false => Unseen::Gone,
        })
    }

    /// The range on character boundaries of the raw text.
    fn clamp(&self, range: Range<usize>) -> Range<usize> {
        let end = floor_boundary(self.raw, range.end.min(self.raw.len()));
        let start = floor_boundary(self.raw, range.start.min(end));
        start..end
    }

    /// The range without the comments and the white space at its ends; `None` when nothing
    /// else is in it (an empty range counts as visible unless it is inside a comment).
    fn visible_part(&self, mut range: Range<usize>) -> Option<Range<usize>> {
        if range.is_empty() {
            return (!self.in_comment(range.start)).then_some(range);
        }
        loop {
            let before = range.clone();
            let text = &self.raw[range.clone()];
            range.start += text.len() - text.trim_start().len();
            range.end -= text.len() - text.trim_end().len();
            if let Some(comment) = self.comment_at(range.start) {
                range.start = comment.end.min(range.end);
            }
            if let Some(comment) = self.comment_ending_at(range.end) {
                range.end = comment.start.max(range.start);
            }
            if range.is_empty() {
                return None;
            }
            if range == before {
                return Some(range);
            }
        }
    }

    fn comment_at(&self, at: usize) -> Option<&Range<usize>> {
        let i = self.comments.partition_point(|c| c.end <= at);
        self.comments.get(i).filter(|c| c.start <= at)
    }

    fn comment_ending_at(&self, end: usize) -> Option<&Range<usize>> {
        let i = self.comments.partition_point(|c| c.end < end);
        self.comments.get(i).filter(|c| c.end == end)
    }

    fn in_comment(&self, at: usize) -> bool {
        self.comment_at(at).is_some_and(|c| c.start < at)
    }

    /// The part of the rendered content between the words kept on either side of `visible`:
    /// whatever became of it is there.
    fn window(&self, visible: &Range<usize>) -> Range<usize> {
        let start = self.pair_before(visible.start).map_or(0, |(_, r)| r.end);
        let end = self
            .pair_after(visible.end)
            .map_or(self.rendered.len(), |(_, r)| r.start);
        start.min(end)..end
    }

    /// The last word pair whose raw word ends at or before `at`, as (raw, rendered) ranges.
    fn pair_before(&self, at: usize) -> Option<(&Range<usize>, &Range<usize>)> {
        let i = self
            .pairs
            .partition_point(|&(raw, _)| self.raw_words[raw].end <= at);
        let (raw, rendered) = *self.pairs.get(i.checked_sub(1)?)?;
        Some((&self.raw_words[raw], &self.rendered_words[rendered]))
    }

    /// The first word pair whose raw word starts at or after `at`.
    fn pair_after(&self, at: usize) -> Option<(&Range<usize>, &Range<usize>)> {
        let i = self
            .pairs
            .partition_point(|&(raw, _)| self.raw_words[raw].start < at);
        let (raw, rendered) = *self.pairs.get(i)?;
        Some((&self.raw_words[raw], &self.rendered_words[rendered]))
    }

    /// Where in the window the text would be if nothing around it changed, counted from the
    /// nearer of the words kept on either side (what lies between may have grown: a shortcode
    /// replaced by a gallery).
    fn expected(&self, visible: &Range<usize>, window: &Range<usize>) -> usize {
        let before = self
            .pair_before(visible.start)
            .map(|(raw, _)| visible.start - raw.end);
        let after = self
            .pair_after(visible.end)
            .map(|(raw, _)| raw.start - visible.start);
        let at = match (before, after) {
            (Some(gap), after) if after.is_none_or(|a| gap <= a) => window.start + gap,
            (_, Some(gap)) => window.end.saturating_sub(gap),
            _ => {
                let share = visible.start as f64 / self.raw.len().max(1) as f64;
                (share * self.rendered.len() as f64) as usize
            }
        };
        floor_boundary(self.rendered, at.clamp(window.start, window.end))
    }

    /// From the first to the last of the range's words that the rendered content kept; from
    /// the tag it starts with when it starts with one.
    fn by_words(&self, visible: &Range<usize>, window: &Range<usize>) -> Option<Range<usize>> {
        let first = self
            .pairs
            .partition_point(|&(raw, _)| self.raw_words[raw].start < visible.start);
        let last = self
            .pairs
            .partition_point(|&(raw, _)| self.raw_words[raw].end <= visible.end);
        if first >= last {
            return None;
        }
        let start = self.rendered_words[self.pairs[first].1].start;
        let end = self.rendered_words[self.pairs[last - 1].1].end;
        let start = tag_name(&self.raw[visible.clone()])
            .and_then(|name| {
                let before = window.start.min(start)..start;
                occurrences(self.rendered, &before, &format!("<{name}"))
                    .filter(|&at| ends_name(self.rendered, at + 1 + name.len()))
                    .last()
            })
            .unwrap_or(start);
        Some(start..end)
    }

    /// The tag of the rendered content of the same name nearest to where the range's own
    /// would be: the site rewrites attributes (`decoding="async"`, a class) but keeps tags.
    fn by_tag(&self, text: &str, window: &Range<usize>, expected: usize) -> Option<Range<usize>> {
        let name = tag_name(text)?;
        let closing = text.starts_with("</");
        let pattern = format!("{}{name}", if closing { "</" } else { "<" });
        let searched = bounded(self.rendered, window, expected, pattern.len());
        occurrences(self.rendered, &searched, &pattern)
            .filter(|&at| ends_name(self.rendered, at + pattern.len()))
            .min_by_key(|&at| at.abs_diff(expected))
            .map(|at| at..at + pattern.len())
    }

    /// The tag the range is inside (an attribute the site rewrote: `&` as `&#038;`), found by
    /// its name.
    fn by_enclosing_tag(&self, visible: &Range<usize>) -> Option<Range<usize>> {
        let i = self.tags.partition_point(|t| t.start <= visible.start);
        let tag = self.tags.get(i.checked_sub(1)?)?;
        if visible.end > tag.end || *tag == *visible {
            return None;
        }
        let window = self.window(tag);
        let expected = self.expected(tag, &window);
        self.by_tag(&self.raw[tag.clone()], &window, expected)
    }

    /// Whether the range is inside `[…]`: an opening bracket before it with no closing one
    /// between.
    fn in_shortcode(&self, visible: &Range<usize>) -> bool {
        if self.raw[visible.clone()].starts_with('[') {
            return true;
        }
        let from = floor_boundary(self.raw, visible.start.saturating_sub(SHORTCODE_LOOKBACK));
        self.raw[from..visible.start]
            .rfind(['[', ']'])
            .is_some_and(|i| self.raw[from + i..].starts_with('['))
    }
}

/// The words of the text outside tags and comments: runs of letters and digits, entities
/// (`&#8217;`, `&nbsp;`) left out, as the site's typography changes those.
fn words(text: &str, tags: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    for tag in tags {
        words_in(text, from..tag.start, &mut found);
        from = tag.end;
    }
    words_in(text, from..text.len(), &mut found);
    found
}

fn words_in(text: &str, gap: Range<usize>, found: &mut Vec<Range<usize>>) {
    if gap.start >= gap.end {
        return;
    }
    let mut start = None;
    let mut chars = text[gap.clone()].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = gap.start + i;
        if c == '&' && entity_length(&text[at..]).is_some() {
            if let Some(s) = start.take() {
                found.push(s..at);
            }
            let skip = entity_length(&text[at..]).unwrap_or(1);
            while chars
                .peek()
                .is_some_and(|&(j, _)| gap.start + j < at + skip)
            {
                chars.next();
            }
            continue;
        }
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                found.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        found.push(s..gap.end);
    }
}

/// The length of the character reference at the start of `text` (`&amp;`, `&#8217;`,
/// `&#x2019;`), if one is there.
fn entity_length(text: &str) -> Option<usize> {
    let body = text.get(1..)?;
    let end = body.bytes().take(12).position(|b| b == b';')?;
    let name = &body[..end];
    let name = name.strip_prefix('#').unwrap_or(name);
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(end + 2)
}

/// The element name of the tag `text` starts with (`<img …` or `</b>`), lowercase.
fn tag_name(text: &str) -> Option<String> {
    let rest = text.strip_prefix('<')?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    (name.starts_with(|c: char| c.is_ascii_alphabetic())).then(|| name.to_ascii_lowercase())
}

/// Whether a tag name ends at `at` (the next byte cannot continue it).
fn ends_name(text: &str, at: usize) -> bool {
    text.as_bytes()
        .get(at)
        .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
}

/// Where `pattern` starts in `within` of `text`.
fn occurrences<'t>(
    text: &'t str,
    within: &Range<usize>,
    pattern: &'t str,
) -> impl Iterator<Item = usize> + 't {
    let base = within.start;
    memchr::memmem::find_iter(&text.as_bytes()[within.clone()], pattern.as_bytes())
        .map(move |at| base + at)
}

/// The occurrence of `needle` in the window nearest to `expected`.
fn nearest(
    rendered: &str,
    window: &Range<usize>,
    needle: &str,
    expected: usize,
) -> Option<Range<usize>> {
    let searched = bounded(rendered, window, expected, needle.len());
    occurrences(rendered, &searched, needle)
        .min_by_key(|&at| at.abs_diff(expected))
        .map(|at| at..at + needle.len())
}

/// The window, at most `SEARCH_BYTES` on each side of `expected` (and room for the needle).
fn bounded(text: &str, window: &Range<usize>, expected: usize, needle: usize) -> Range<usize> {
    let start = window.start.max(expected.saturating_sub(SEARCH_BYTES));
    let end = window
        .end
        .min(expected.saturating_add(SEARCH_BYTES + needle));
    floor_boundary(text, start)..floor_boundary(text, end.max(start))
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where tags and comments are in the HTML: `<` followed by a letter, `/`, `!` or `?`, up
/// to its `>` (quotes in attribute values honoured), or `-->` for a comment.
pub(super) fn tag_ranges(html: &[u8]) -> Vec<Range<usize>> {
    let mut tags = Vec::new();
    let mut i = 0;
    while i < html.len() {
        let opens = html[i] == b'<'
            && html
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !opens {
            i += 1;
            continue;
        }
        let end = if html[i..].starts_with(b"<!--") {
            memchr::memmem::find(&html[i + 4..], b"-->").map_or(html.len(), |e| i + 4 + e + 3)
        } else {
            tag_end(html, i)
        };
        tags.push(i..end);
        i = end;
    }
    tags
}

fn tag_end(html: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (i, &b) in html.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'>') => return i + 1,
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(raw: &str, rendered: &str, finding: &str) -> Result<String, Unseen> {
        let start = raw.find(finding).expect("the finding is in the raw text");
        let alignment = Alignment::new(raw, rendered);
        alignment
            .place(start..start + finding.len())
            .map(|r| rendered[r].to_owned())
    }

    const RAW: &str = "<!-- wp:paragraph -->\n<p>It's \"long\" -- costs rose <span></span>sharply.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:image {\"id\":5,} -->\n<figure><img src=\"a.png\"/></figure>\n<!-- /wp:image -->\n\n[gallery ids=\"1,2\"]\n\n<p>Lorem ipsum <b>us</b></b> here.</p>";
    const RENDERED: &str = "\n<p>It&#8217;s &#8220;long&#8221; &#8212; costs rose <span></span>sharply.</p>\n\n\n<figure><img decoding=\"async\" src=\"a.png\"/></figure>\n\n<div class=\"gallery\"><img src=\"1.jpg\"><img src=\"2.jpg\"></div>\n\n<p>Lorem ipsum <b>us</b></b> here.</p>\n";

    #[test]
    fn text_kept_as_written_is_found_where_its_neighbours_went() {
        assert_eq!(
            place(RAW, RENDERED, "<span></span>"),
            Ok("<span></span>".into())
        );
        assert_eq!(
            place(RAW, RENDERED, "Lorem ipsum"),
            Ok("Lorem ipsum".into())
        );
        let second = RAW.rfind("</b>").expect("a stray end tag");
        let alignment = Alignment::new(RAW, RENDERED);
        let found = alignment.place(second..second + 4).expect("placed");
        assert_eq!(found.start, RENDERED.rfind("</b>").expect("kept"));
    }

    #[test]
    fn rewritten_text_is_found_by_its_words_and_tags_by_name() {
        assert_eq!(
            place(RAW, RENDERED, "\"long\" -- costs"),
            Ok("long&#8221; &#8212; costs".into())
        );
        assert_eq!(
            place(RAW, RENDERED, "<img src=\"a.png\"/>"),
            Ok("<img".into())
        );
    }

    #[test]
    fn comments_and_replaced_shortcodes_are_not_seen() {
        assert_eq!(place(RAW, RENDERED, "{\"id\":5,}"), Err(Unseen::Comment));
        assert_eq!(
            place(RAW, RENDERED, "<!-- /wp:image -->"),
            Err(Unseen::Comment)
        );
        assert_eq!(place(RAW, RENDERED, "ids=\"1,2\""), Err(Unseen::Shortcode));
    }

    #[test]
    fn a_block_with_its_comments_is_placed_by_what_is_between_them() {
        let block = "<!-- wp:paragraph -->\n<p>It's";
        assert_eq!(place(RAW, RENDERED, block), Ok("<p>It&#8217;s".into()));
    }

    #[test]
    fn entities_are_not_words() {
        let text = "a&#8217;b &amp; c&nbsp;d & e";
        let found: Vec<&str> = words(text, &[]).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["a", "b", "c", "d", "e"]);
    }
}

#[cfg(test)]
mod cost {
    use super::*;

    /// Texts as long as are aligned, with no word in common, or with every word in common
    /// but shuffled; and texts longer than that. Each is a fraction of a second in a release
    /// build; the bound here, for a debug build on a shared machine, catches a quadratic blow-up.
    #[test]
    fn hostile_pairs_of_texts_cost_near_linear_time() {
        let words = |n: usize, f: &dyn Fn(usize) -> String| -> String {
            (0..n).map(|i| format!("<p>{} </p>", f(i))).collect()
        };
        let n = MAX_ALIGNED_WORDS;
        let raw = words(n, &|i| format!("a{i}"));
        let other = words(n, &|i| format!("b{i}"));
        let shuffled = words(n, &|i| format!("a{}", (i * 7919) % n));
        let long_raw = words(4 * n, &|i| format!("a{i}"));
        let long_shuffled = words(4 * n, &|i| format!("a{}", (i * 7919) % (4 * n)));
        let pairs = [
            (&raw, &other),
            (&raw, &shuffled),
            (&long_raw, &long_shuffled),
        ];
        for (raw, rendered) in pairs {
            let started = std::time::Instant::now();
            let alignment = Alignment::new(raw, rendered);
            let middle = raw.len() / 2;
            let _ = alignment.place(middle..middle + 5);
            let took = started.elapsed();
            assert!(took.as_secs() < 20, "{} bytes: {took:?}", raw.len());
        }
    }
}
