//! The file loop of a WXR export: a part of whole elements at a time, its posts linted in
//! parallel; and the one finding of an export written in UTF-16.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding};
use crate::findings::Findings;
use crate::input::format::InputFormat;
use crate::input::segments::Segment;
use crate::input::wxr;
use crate::input::wxr_parts::{Part, WxrParts};
use crate::outcome::FileReport;
use crate::post::Post;
use crate::rule::FileProblem;
use crate::settle;
use crate::source::{LineCursor, SourceFile};
use crate::spill::Packed;
use crate::workspace::Contents;

use super::{
    ContentHasher, FactsSink, FileScope, Linter, PostLinted, file_findings, file_path, resolve,
    too_large,
};

impl Linter {
    /// Lints a WXR export a part at a time, as JSON files are read a segment at a time: each
    /// part is a run of whole elements of about a segment's size (`wxr_parts`), read behind
    /// the start tags left open before it, its posts linted in parallel, then dropped. Reading
    /// stops at the first place the XML is not well-formed; the items before it are linted.
    pub(super) fn lint_wxr_file(
        &self,
        file: SourceFile,
        reader: impl Read,
        facts_to: Option<FactsSink<'_>>,
    ) -> std::io::Result<FileReport> {
        let path = file_path(&file).map(Path::to_path_buf);
        let scope = FileScope {
            path: path.as_deref(),
            settings: self.config.effective(path.as_deref(), None),
        };
        let mut report = FileReport {
            file,
            format: InputFormat::Wxr,
            contents: Contents::Posts,
            posts: 0,
            findings: Findings::new(),
            facts: Vec::new(),
            pending: Vec::new(),
            post_list: Vec::new(),
            line_marks: Vec::new(),
            content_hash: None,
        };
        let mut hasher = self.options.hash_content.then(ContentHasher::default);
        let mut cursor = LineCursor::default();
        let limit = self.options.max_post_bytes;
        let mut parts = WxrParts::new(reader, self.options.segment_bytes, limit);
        loop {
            let part = match parts.next_part() {
                Ok(Some(part)) => part,
                Ok(None) => break,
                Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
                    (report.findings).extend(too_large(&cursor, limit));
                    break;
                }
                Err(error) => return Err(error),
            };
            report.line_marks.push(cursor.clone());
            let (len, last) = (part.bytes().len(), part.last);
            if let Some(hasher) = &mut hasher {
                hasher.write(part.bytes());
            }
            let read = self.lint_wxr_part(&scope, part, &mut cursor, &mut report);
            if let Some(facts_to) = facts_to {
                facts_to(Packed::of(std::mem::take(&mut report.facts)));
            }
            let Some((open_tags, carried)) = read.filter(|_| !last) else {
                break;
            };
            parts.consume(len, open_tags, carried);
        }
        report.content_hash = hasher.map(|h| h.finish());
        Ok(report)
    }

    /// An export written in UTF-16: one finding at its start, nothing read.
    pub(super) fn utf16_report(
        &self,
        file: SourceFile,
        head: &[u8],
        span: Range<usize>,
    ) -> FileReport {
        let settings = self.config.effective(file_path(&file), None);
        let error = wxr::utf16_error(span.clone());
        let found = settle::severities(&settings, file_findings(&FileProblem::Wxr(&error)));
        let segment = Segment {
            base: 0,
            bytes: head,
            at_eof: false,
        };
        let mut cursor = LineCursor::default();
        let line_marks = vec![cursor.clone()];
        let findings = resolve(&segment, &mut cursor, found);
        FileReport {
            file,
            format: InputFormat::Utf16Wxr { mark: span },
            // An export, in an encoding WordPress does not write: reported, never left out.
            contents: Contents::Posts,
            posts: 0,
            findings: findings.into_iter().collect(),
            facts: Vec::new(),
            pending: Vec::new(),
            post_list: Vec::new(),
            line_marks,
            content_hash: None,
        }
    }

    /// Lints the posts of one part of a WXR export and what is wrong with its XML; returns
    /// what the next part is read with (`None` when the XML stops being readable in this one).
    fn lint_wxr_part(
        &self,
        scope: &FileScope<'_>,
        part: Part<'_>,
        cursor: &mut LineCursor,
        report: &mut FileReport,
    ) -> Option<(Vec<u8>, wxr::Carried)> {
        let Part {
            text,
            prefix_len,
            base,
            last,
            carried,
        } = part;
        let items = &text[prefix_len..];
        // Offsets in `text` past the prefix are file offsets less `shift`.
        let shift = base - prefix_len;
        let mut parsed = wxr::read_part(text, &self.options.item_types, carried, last);
        // The posts' spans in `items`, where `invalid-utf8` looks.
        let local = |at: usize| at.saturating_sub(prefix_len);
        let spans: Vec<Range<usize>> = (parsed.posts.iter())
            .map(|p| local(p.span.start)..local(p.span.end))
            .collect();
        let first_index = report.posts;
        let posts: Vec<Post<'_>> = (std::mem::take(&mut parsed.posts).into_iter().enumerate())
            .map(|(index, node)| Post::wxr(first_index + index, node))
            .collect();
        let linted: Vec<(Vec<Diagnostic>, PostLinted)> = posts
            .par_iter()
            .map(|post| self.lint_post(scope, post, (shift, text)))
            .collect();
        if parsed.foreign {
            report.contents = Contents::Foreign;
        }
        // What is wrong in the prefix was reported with the part it was read in.
        let in_part = (std::mem::take(&mut parsed.errors).into_iter())
            .filter(|error| error.span.start >= prefix_len)
            .map(|mut error| {
                error.span = shift + error.span.start..shift + error.span.end;
                error
            });
        let mut file_level: Vec<Diagnostic> = in_part
            .flat_map(|error| file_findings(&FileProblem::Wxr(&error)))
            .collect();
        file_level.extend(file_findings(&FileProblem::Segment {
            bytes: items,
            base,
            posts: &spans,
        }));
        let mut diagnostics = settle::severities(&scope.settings, file_level);
        for (found, (post_ref, post_facts, post_pending)) in linted {
            diagnostics.extend(found);
            report.posts += 1;
            report.facts.extend(post_facts);
            report.pending.extend(post_pending);
            if self.options.list_posts {
                report.post_list.push(post_ref);
            }
        }
        let segment = Segment {
            base,
            bytes: items,
            at_eof: last,
        };
        report
            .findings
            .extend(resolve(&segment, cursor, diagnostics));
        // What the file lacks is known at its end and reported at its start, before this part.
        let missing = (std::mem::take(&mut parsed.missing).into_iter())
            .flat_map(|error| file_findings(&FileProblem::Wxr(&error)))
            .collect();
        let file_start = LineCursor::default().line_col();
        for diagnostic in settle::severities(&scope.settings, missing) {
            (report.findings).push(Finding::at_point(diagnostic, file_start));
        }
        (!parsed.stopped).then_some((parsed.open_tags, parsed.carried))
    }
}
