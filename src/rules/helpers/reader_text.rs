//! What the rules that read a field's text as a reader sees it share: whether the field was
//! rendered at all, which text is shown literally (code samples, scripts), and where a match in
//! decoded text is in the field's source.

use std::ops::Range;

use crate::html::{Around, ElementId, HtmlIndex, Text, is_blank, reference_map, source_offset};

/// Whether an element (a text run's parent) is, or is inside, an element whose text is code, a
/// script or a style, shown as written or not at all: a shortcode or a placeholder there is an
/// example, not a defect.
pub fn in_literal(index: &HtmlIndex, at: Option<ElementId>) -> bool {
    index.enclosing(at, Around::Literal).is_some()
}

/// Whether the field holds the post's raw content rather than what WordPress rendered: block
/// delimiters (`<!-- wp:paragraph -->`, which rendering removes), text with a blank line
/// between words, or text outside any element (both of which `wpautop` turns into
/// paragraphs). An export of the raw content (a WXR file reshaped as posts) still has its
/// shortcodes and bare embed URLs, and WordPress renders them for readers.
pub fn looks_unrendered(index: &HtmlIndex) -> bool {
    let block_delimiters = index.comments.iter().any(|c| {
        let text = c.text.trim_start();
        text.starts_with("wp:") || text.starts_with("/wp:")
    });
    block_delimiters
        || index
            .texts
            .iter()
            .any(|t| outside_paragraphs(index, t) && !in_literal(index, t.parent))
}

/// Text that `wpautop` would have put in a paragraph: outside any element, or split by a
/// blank line.
fn outside_paragraphs(index: &HtmlIndex, run: &Text) -> bool {
    let text = index.text(run);
    (run.parent.is_none() && !is_blank(text)) || splits_paragraphs(text)
}

/// Text, a blank line, more text: paragraphs before `wpautop` made them `<p>`.
fn splits_paragraphs(text: &str) -> bool {
    let mut seen_text = false;
    let mut blank_after_text = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank_after_text = seen_text;
        } else if blank_after_text {
            return true;
        } else {
            seen_text = true;
        }
    }
    false
}

/// The source range of a range of a text run's decoded text, through its character
/// references; the whole run when the two cannot be lined up. Lines the whole run up: a rule
/// with more than one match in a run asks a [`RunSource`] instead.
pub fn source_range(
    html: &str,
    index: &HtmlIndex,
    run: &Text,
    decoded: Range<usize>,
) -> Range<usize> {
    RunSource::new(html, index, run).range(decoded)
}

/// Where a text run's decoded text is in the field's HTML, lined up once: every match of a run
/// is then mapped in logarithmic time, where lining the run up again for each match made a
/// rule quadratic in the run (a paragraph of placeholders with one `&amp;` took minutes).
pub struct RunSource {
    span: Range<usize>,
    lines_up: LinesUp,
}

enum LinesUp {
    /// The source is the decoded text: no reference in the run.
    Exactly,
    /// `(decoded, source)` pairs after each reference, from [`reference_map`].
    Through(Vec<(usize, usize)>),
    /// A reference without `;`: only the whole run can be named.
    Not,
}

impl RunSource {
    pub fn new(html: &str, index: &HtmlIndex, run: &Text) -> Self {
        let text = index.text(run);
        let lines_up = match html.get(run.span.clone()) {
            Some(source) if source == text => LinesUp::Exactly,
            Some(source) => reference_map(source, text).map_or(LinesUp::Not, LinesUp::Through),
            None => LinesUp::Not,
        };
        Self {
            span: run.span.clone(),
            lines_up,
        }
    }

    /// The field range of a range of the run's decoded text.
    pub fn range(&self, decoded: Range<usize>) -> Range<usize> {
        let start = self.span.start;
        match &self.lines_up {
            LinesUp::Exactly => start + decoded.start..start + decoded.end,
            LinesUp::Through(map) => {
                start + source_offset(map, decoded.start)..start + source_offset(map, decoded.end)
            }
            LinesUp::Not => self.span.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_delimiters_and_unparagraphed_text_are_unrendered() {
        assert!(looks_unrendered(&HtmlIndex::parse(
            "<!-- wp:paragraph -->\n<p>x</p>\n<!-- /wp:paragraph -->"
        )));
        assert!(looks_unrendered(&HtmlIndex::parse(
            "<p>x</p>One.\n\n[gallery]\n \nTwo."
        )));
        assert!(!looks_unrendered(&HtmlIndex::parse(
            "<div>\n\t\tOne.\t\n\t\n</div>"
        )));
        assert!(looks_unrendered(&HtmlIndex::parse(
            "\n  [caption id=\"1\"]<img src=\"a.jpg\"> A[/caption]"
        )));
        assert!(!looks_unrendered(&HtmlIndex::parse(
            "<p>One.</p>\n\n<p>Two.</p>"
        )));
        assert!(!looks_unrendered(&HtmlIndex::parse("<pre>a\n\nb</pre>")));
    }

    #[test]
    fn literal_elements_reach_their_descendants() {
        let index = HtmlIndex::parse("<pre><b>[x]</b></pre><p>[y]</p>");
        let parents: Vec<bool> = index
            .texts
            .iter()
            .map(|t| in_literal(&index, t.parent))
            .collect();
        assert_eq!(parents, [true, false]);
    }

    #[test]
    fn decoded_ranges_map_through_references() {
        let html = "<p>a &amp; [b]</p>";
        let index = HtmlIndex::parse(html);
        let run = &index.texts[0];
        let at = index.text(run).find('[').expect("bracket");
        let range = source_range(html, &index, run, at..at + 3);
        assert_eq!(&html[range], "[b]");
    }
}
