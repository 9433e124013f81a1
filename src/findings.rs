//! A file's findings, held packed: a run over a 1 GB archive finds hundreds of thousands of
//! problems, and as `Finding` structs (248 bytes, plus a few small allocations for texts and
//! fixes) they would outweigh everything else the run holds. Packed, a typical finding takes
//! about 40 bytes: fixed texts and rule codes become indexes into a table of static strings,
//! the post an index into a table of posts, and numbers variable-length integers.
//!
//! A text a rule wrote for one finding (a message naming the tags it saw) is often written the
//! same for many: one met again among the last few is packed as a reference to where it was
//! written, so a post of 700,000 alike findings packs in a few bytes each.
//!
//! Findings are unpacked one at a time as reports walk them. The lint phase adds them in
//! report order; later phases (the site rules, the link check) add theirs out of order, and
//! those are kept unpacked and merged in as the findings are walked.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use fnv::FnvHashMap;

use crate::diagnostic::{
    Applicability, Diagnostic, Edit, Finding, Fix, Label, PostRef, Severity, Text,
};
use crate::source::ResolvedSpan;

/// A file's findings, walked in report order (position in the file, then rule code).
#[derive(Default, Clone)]
pub struct Findings {
    packed: Vec<u8>,
    packed_count: usize,
    /// Findings that arrived out of report order, merged in when walking.
    late: Vec<Finding>,
    /// The static texts the packed findings name by index, and each one's index by address.
    statics: Vec<&'static str>,
    static_ids: FnvHashMap<(usize, usize), u32>,
    posts: Vec<Arc<PostRef>>,
    /// Where owned texts were written lately (an offset into `packed`, plus one), by their
    /// hash: a text met again is packed as a reference to it. Made at the first owned text.
    recent: Option<Box<[u32; RECENT_TEXTS]>>,
    /// The sort key of the last packed finding: a finding that sorts before it goes to `late`.
    last: Option<(usize, &'static str, usize, String)>,
}

/// How many places of owned texts are remembered: enough for the few texts a rule writes for
/// each finding of a kind, small beside a file's findings.
const RECENT_TEXTS: usize = 64;

/// The tags of a text in the packed bytes.
const STATIC_TEXT: u8 = 0;
const OWNED_TEXT: u8 = 1;
const NO_TEXT: u8 = 2;
const EARLIER_TEXT: u8 = 3;

impl Findings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.packed_count + self.late.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, finding: Finding) {
        let in_order = self
            .last
            .as_ref()
            .is_none_or(|(start, rule, end, message)| {
                let last = (*start, *rule, *end, message.as_str());
                finding.diagnostic.sort_key() >= last
            });
        // The link checker's details are not packed: they stay with the few findings that
        // have them.
        if !in_order || finding.diagnostic.link.is_some() {
            self.late.push(finding);
            return;
        }
        let (start, rule, end, message) = finding.diagnostic.sort_key();
        let last = self.last.get_or_insert_with(Default::default);
        last.0 = start;
        last.1 = rule;
        last.2 = end;
        last.3.clear();
        last.3.push_str(message);
        self.pack(&finding);
        self.packed_count += 1;
    }

    /// Every finding, in report order (position in the file, then rule code).
    pub fn iter(&self) -> Iter<'_> {
        let mut late: Vec<&Finding> = self.late.iter().collect();
        late.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
        Iter {
            findings: self,
            at: 0,
            next_packed: None,
            late: late.into_iter().peekable(),
        }
    }

    /// The findings as a vector, for a caller that needs them all at once.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().collect()
    }

    /// Keeps only the findings `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&Finding) -> bool) {
        let mut kept = Findings::new();
        for finding in self.iter().filter(|f| keep(f)) {
            kept.push(finding);
        }
        *self = kept;
    }

    fn static_id(&mut self, text: &'static str) -> u32 {
        let key = (text.as_ptr() as usize, text.len());
        if let Some(&id) = self.static_ids.get(&key) {
            return id;
        }
        let id = u32::try_from(self.statics.len()).unwrap_or(u32::MAX);
        self.statics.push(text);
        self.static_ids.insert(key, id);
        id
    }

    /// A post's index in the table. A post's findings arrive together, so only the last post
    /// is compared; a post met again later is added again, which costs a pointer.
    fn post_id(&mut self, post: &Arc<PostRef>) -> usize {
        match self.posts.last() {
            Some(last) if Arc::ptr_eq(last, post) => self.posts.len() - 1,
            _ => {
                self.posts.push(post.clone());
                self.posts.len() - 1
            }
        }
    }

    /// Where `text` was written in `packed` (its length's first byte), if among the recent
    /// texts; else notes that it is about to be written at `at`.
    fn earlier_text(&mut self, packed: &[u8], text: &str, at: usize) -> Option<usize> {
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(text);
        let slot = (hash % RECENT_TEXTS as u64) as usize;
        let recent = self
            .recent
            .get_or_insert_with(|| Box::new([0; RECENT_TEXTS]));
        if let Some(earlier) = (recent[slot] as usize).checked_sub(1) {
            let mut written = Unpacker {
                bytes: packed,
                at: earlier,
                findings: self,
            };
            if written.str() == text {
                return Some(earlier);
            }
        }
        // Past 4 GiB of findings, texts are written out again.
        if let Some(recent) = &mut self.recent {
            recent[slot] = u32::try_from(at + 1).unwrap_or(0);
        }
        None
    }

    fn pack(&mut self, finding: &Finding) {
        let d = &finding.diagnostic;
        let rule = self.static_id(d.rule);
        let field = d.field.map(|f| self.static_id(f));
        let post = d.post.as_ref().map(|p| self.post_id(p));
        let mut out = Packer {
            bytes: std::mem::take(&mut self.packed),
            findings: self,
        };
        out.number(rule as usize);
        out.byte(d.severity as u8);
        out.text(&d.message);
        out.optional_text(d.help.as_ref());
        out.optional_number(post);
        out.optional_number(field.map(|f| f as usize));
        out.range(&d.range);
        out.optional_text(d.label.as_ref());
        out.number(d.secondary.len());
        for label in &d.secondary {
            out.range(&label.range);
            out.text(&label.message);
        }
        out.fix(d.fix.as_deref());
        out.span(&finding.span);
        out.number(finding.secondary.len());
        for span in &finding.secondary {
            out.span(span);
        }
        out.bytes
            .extend_from_slice(&finding.fingerprint.to_le_bytes());
        self.packed = out.bytes;
    }
}

/// Writes one finding's fields; `findings` gives the static-string table.
struct Packer<'f> {
    bytes: Vec<u8>,
    findings: &'f mut Findings,
}

impl Packer<'_> {
    fn byte(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    /// LEB128, written by hand: seven bits a byte, so most offsets, lines and lengths take
    /// one to four bytes. No crate is worth a dependency for ten lines.
    fn number(&mut self, mut value: usize) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    fn optional_number(&mut self, value: Option<usize>) {
        self.number(value.map_or(0, |v| v + 1));
    }

    /// A text: a static one by its index in the table, an owned one written out, or where it
    /// was written before when it was lately.
    fn text(&mut self, text: &Text) {
        match text {
            Text::Fixed(fixed) => {
                let id = self.findings.static_id(fixed);
                self.byte(STATIC_TEXT);
                self.number(id as usize);
            }
            Text::Shared(owned) => {
                let at = self.bytes.len() + 1;
                match self.findings.earlier_text(&self.bytes, owned, at) {
                    Some(earlier) => {
                        self.byte(EARLIER_TEXT);
                        self.number(earlier);
                    }
                    None => {
                        self.byte(OWNED_TEXT);
                        self.string(owned);
                    }
                }
            }
        }
    }

    fn optional_text(&mut self, text: Option<&Text>) {
        match text {
            None => self.byte(NO_TEXT),
            Some(text) => self.text(text),
        }
    }

    fn string(&mut self, text: &str) {
        self.number(text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    fn range(&mut self, range: &Range<usize>) {
        self.number(range.start);
        self.number(range.end.saturating_sub(range.start));
    }

    fn span(&mut self, span: &ResolvedSpan) {
        for value in [
            span.offset,
            span.length,
            span.line,
            span.column,
            span.end_line,
            span.end_column,
        ] {
            self.number(value);
        }
    }

    fn fix(&mut self, fix: Option<&Fix>) {
        let Some(fix) = fix else {
            self.byte(0);
            return;
        };
        self.byte(match fix.applicability {
            Applicability::Safe => 1,
            Applicability::Unsafe => 2,
        });
        self.text(&fix.message);
        self.number(fix.edits.len());
        for edit in &fix.edits {
            self.range(&edit.range);
            self.number(edit.offset);
            self.number(edit.length);
            self.string(&edit.content);
        }
    }
}

/// Reads back what `Packer` wrote. The bytes are our own, never input: a mismatch is a bug in
/// this file, and the round-trip tests below guard it.
struct Unpacker<'a> {
    bytes: &'a [u8],
    at: usize,
    findings: &'a Findings,
}

const PACKED: &str = "packed findings read back as they were written";

impl<'a> Unpacker<'a> {
    fn byte(&mut self) -> u8 {
        let byte = self.bytes[self.at];
        self.at += 1;
        byte
    }

    fn number(&mut self) -> usize {
        let mut value = 0usize;
        let mut shift = 0;
        loop {
            let byte = self.byte();
            value |= usize::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    }

    fn optional_number(&mut self) -> Option<usize> {
        self.number().checked_sub(1)
    }

    fn static_text(&mut self) -> &'static str {
        let id = self.number();
        self.findings.statics[id]
    }

    fn text_after(&mut self, tag: u8) -> Text {
        match tag {
            STATIC_TEXT => Text::Fixed(self.static_text()),
            EARLIER_TEXT => {
                let mut earlier = Unpacker {
                    bytes: self.bytes,
                    at: self.number(),
                    findings: self.findings,
                };
                Text::shared(earlier.str())
            }
            _ => Text::shared(self.str()),
        }
    }

    fn text(&mut self) -> Text {
        let tag = self.byte();
        self.text_after(tag)
    }

    fn optional_text(&mut self) -> Option<Text> {
        match self.byte() {
            NO_TEXT => None,
            tag => Some(self.text_after(tag)),
        }
    }

    fn string(&mut self) -> String {
        self.str().to_owned()
    }

    fn str(&mut self) -> &'a str {
        let len = self.number();
        let text = std::str::from_utf8(&self.bytes[self.at..self.at + len]).expect(PACKED);
        self.at += len;
        text
    }

    fn range(&mut self) -> Range<usize> {
        let start = self.number();
        start..start + self.number()
    }

    fn span(&mut self) -> ResolvedSpan {
        ResolvedSpan {
            offset: self.number(),
            length: self.number(),
            line: self.number(),
            column: self.number(),
            end_line: self.number(),
            end_column: self.number(),
        }
    }

    fn severity(&mut self) -> Severity {
        match self.byte() {
            0 => Severity::Info,
            1 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn fix(&mut self) -> Option<Box<Fix>> {
        let applicability = match self.byte() {
            0 => return None,
            1 => Applicability::Safe,
            _ => Applicability::Unsafe,
        };
        let message = self.text();
        let edits = (0..self.number())
            .map(|_| Edit {
                range: self.range(),
                offset: self.number(),
                length: self.number(),
                content: self.string(),
            })
            .collect();
        Some(Box::new(Fix {
            applicability,
            message,
            edits,
        }))
    }

    fn finding(&mut self) -> Finding {
        let rule = self.static_text();
        let severity = self.severity();
        let message = self.text();
        let help = self.optional_text();
        let post = self
            .optional_number()
            .map(|id| self.findings.posts[id].clone());
        let field = self.optional_number().map(|id| self.findings.statics[id]);
        let range = self.range();
        let label = self.optional_text();
        let secondary = (0..self.number())
            .map(|_| Label {
                range: self.range(),
                message: self.text(),
            })
            .collect();
        let fix = self.fix();
        let span = self.span();
        let secondary_spans = (0..self.number()).map(|_| self.span()).collect();
        let fingerprint = self.bytes[self.at..self.at + 8]
            .try_into()
            .map(u64::from_le_bytes)
            .expect(PACKED);
        self.at += 8;
        Finding {
            diagnostic: Diagnostic {
                rule,
                severity,
                message,
                help,
                post,
                field,
                range,
                label,
                secondary,
                fix,
                link: None,
            },
            span,
            secondary: secondary_spans,
            fingerprint,
        }
    }
}

/// Walks the packed findings and the late ones together, in report order.
pub struct Iter<'a> {
    findings: &'a Findings,
    at: usize,
    next_packed: Option<Finding>,
    late: std::iter::Peekable<std::vec::IntoIter<&'a Finding>>,
}

impl Iterator for Iter<'_> {
    type Item = Finding;

    fn next(&mut self) -> Option<Finding> {
        if self.next_packed.is_none() && self.at < self.findings.packed.len() {
            let mut unpacker = Unpacker {
                bytes: &self.findings.packed,
                at: self.at,
                findings: self.findings,
            };
            self.next_packed = Some(unpacker.finding());
            self.at = unpacker.at;
        }
        // On equal keys the lint phase's finding comes first, as a stable sort would leave it.
        let late_first = match (&self.next_packed, self.late.peek()) {
            (Some(packed), Some(late)) => {
                late.diagnostic
                    .sort_key()
                    .cmp(&packed.diagnostic.sort_key())
                    == Ordering::Less
            }
            (None, Some(_)) => true,
            _ => false,
        };
        if late_first {
            self.late.next().cloned()
        } else {
            self.next_packed.take()
        }
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = Finding;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Unpacks them all at once: for callers that take the findings over.
impl IntoIterator for Findings {
    type Item = Finding;
    type IntoIter = std::vec::IntoIter<Finding>;

    fn into_iter(self) -> Self::IntoIter {
        self.to_vec().into_iter()
    }
}

impl FromIterator<Finding> for Findings {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        let mut findings = Findings::new();
        findings.extend(iter);
        findings
    }
}

impl Extend<Finding> for Findings {
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, iter: I) {
        for finding in iter {
            self.push(finding);
        }
    }
}

impl fmt::Debug for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineCol;

    fn finding(start: usize, rule: &'static str, message: Text) -> Finding {
        let diagnostic = Diagnostic::for_rule(rule, Severity::Warning, start..start + 3, message);
        let point = LineCol {
            line: 1,
            column: start + 1,
        };
        Finding::at_point(diagnostic, point)
    }

    fn full(start: usize) -> Finding {
        let post = Arc::new(PostRef {
            index: 2,
            id: Some(42),
            link: Some("https://example.com/p/".into()),
            title: Some("Title".into()),
            site: None,
            status: None,
            body: None,
        });
        let mut diagnostic = Diagnostic::for_rule(
            "stray-end-tag",
            Severity::Error,
            start..start + 7,
            format!("`</span>` at {start}"),
        )
        .with_help("remove it")
        .with_label(format!("label {start}"))
        .with_secondary(1..2, "first")
        .with_secondary(300..40_000, format!("second {start}"))
        .with_fix(
            Applicability::Unsafe,
            "remove the stray `</span>`",
            vec![
                Edit::delete(start..start + 7),
                Edit::replace(9..9, "<p>é</p>"),
            ],
        );
        diagnostic.post = Some(post);
        diagnostic.field = Some("content.rendered");
        let span = ResolvedSpan::new(
            start..start + 7,
            LineCol {
                line: 3,
                column: 200,
            },
            LineCol {
                line: 70_000,
                column: 1,
            },
        );
        Finding {
            secondary: vec![span, span],
            span,
            fingerprint: u64::MAX - start as u64,
            diagnostic,
        }
    }

    #[test]
    fn every_field_reads_back_as_written() {
        let mut info = finding(1 << 41, "a", "b".into());
        info.diagnostic.severity = Severity::Info;
        let written = vec![full(5), full(1 << 40), info];
        let packed: Findings = written.iter().cloned().collect();
        assert_eq!(packed.len(), 3);
        assert_eq!(packed.to_vec(), written);
    }

    #[test]
    fn late_findings_are_merged_in_order_after_equal_ones() {
        let mut findings: Findings = [
            finding(10, "b", "x".into()),
            finding(20, "a", "x".into()),
            finding(30, "a", "x".into()),
        ]
        .into_iter()
        .collect();
        findings.push(finding(25, "z", "late".into()));
        findings.push(finding(0, "z", "late".into()));
        findings.push(finding(20, "a", "x".into()));
        let order: Vec<(usize, &str, String)> = findings
            .iter()
            .map(|f| {
                (
                    f.diagnostic.range.start,
                    f.diagnostic.rule,
                    f.diagnostic.message.to_string(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                (0, "z", "late".into()),
                (10, "b", "x".into()),
                (20, "a", "x".into()),
                (20, "a", "x".into()),
                (25, "z", "late".into()),
                (30, "a", "x".into()),
            ]
        );
        assert_eq!(findings.len(), 6);
    }

    #[test]
    fn retain_keeps_order_and_drops_the_rest() {
        let mut findings: Findings = (0..10).map(|i| finding(i * 10, "r", "m".into())).collect();
        findings.push(finding(5, "late", "m".into()));
        findings.retain(|f| f.diagnostic.range.start % 20 != 0);
        let starts: Vec<usize> = findings.iter().map(|f| f.diagnostic.range.start).collect();
        assert_eq!(starts, [5, 10, 30, 50, 70, 90]);
    }

    #[test]
    fn alike_texts_written_by_a_rule_pack_small_and_read_back() {
        // A rule's own words, made anew for each finding (`format!`), the same for most of them.
        let alike = |i: usize| {
            let mut found = finding(
                i * 10,
                "misnested-tags",
                "`</i>` after `</b>`".to_owned().into(),
            )
            .diagnostic
            .with_help("close `<i>` before `</b>`".to_owned())
            .with_secondary(i..i + 1, "`<i>` was still open here".to_owned());
            if i % 100 == 7 {
                found.message = format!("another text {i}").into();
            }
            let span = ResolvedSpan::new(
                found.range.clone(),
                LineCol {
                    line: 1,
                    column: i + 1,
                },
                LineCol {
                    line: 1,
                    column: i + 4,
                },
            );
            Finding {
                span,
                secondary: vec![span],
                fingerprint: i as u64,
                diagnostic: found,
            }
        };
        let written: Vec<Finding> = (0..1000).map(alike).collect();
        let findings: Findings = written.iter().cloned().collect();
        // Its texts written out each time, a finding took 115 bytes.
        let per_finding = findings.packed.len() / 1000;
        assert!(per_finding < 60, "{per_finding} bytes a finding");
        assert_eq!(findings.to_vec(), written);
    }

    #[test]
    fn a_typical_finding_packs_small() {
        let findings: Findings = (0..1000)
            .map(|i| finding(i * 1000, "stray-end-tag", "fixed text".into()))
            .collect();
        let per_finding = findings.packed.len() / 1000;
        assert!(per_finding < 40, "{per_finding} bytes a finding");
    }
}
