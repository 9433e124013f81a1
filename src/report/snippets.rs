//! The offending text of each finding, read back from its file once per file, for the reports
//! for editors: decoded from its JSON string where it lies in one, else as the file has it.

use std::collections::BTreeMap;

use crate::diagnostic::{Finding, PostRef};
use crate::outcome::CheckOutcome;
use crate::source::SourceFile;

use super::decoded::{FieldTexts, snippet};
use super::excerpt::{
    MAX_SHOWN_SPAN, Region, left_out, line_around, read_regions, region_of, shown_length,
};
use super::rendered::View;

/// The snippets of a run's findings, by file.
pub struct Snippets<'a> {
    files: BTreeMap<&'a str, FileSnippets<'a>>,
}

struct FileSnippets<'a> {
    file: &'a SourceFile,
    regions: Vec<Region>,
    /// A WXR export: its fields are XML text, shown as written.
    xml: bool,
}

impl<'a> Snippets<'a> {
    pub fn new(outcome: &'a CheckOutcome) -> Self {
        let files = outcome
            .reports
            .iter()
            .filter(|r| !r.findings.is_empty())
            .map(|r| {
                let snippets = FileSnippets {
                    file: &r.file,
                    regions: read_regions(&r.file, &r.findings.to_vec()),
                    xml: r.format.is_xml(),
                };
                (r.file.name.as_str(), snippets)
            })
            .collect();
        Self { files }
    }

    /// The text before, of and after a finding, and whether it is decoded from a JSON string
    /// (else the file's bytes as they are).
    pub fn around(&self, file: &str, finding: &Finding) -> Option<(String, String, String, bool)> {
        let file = self.files.get(file)?;
        let (offset, whole) = (finding.span.offset, finding.span.length);
        let region = region_of(&file.regions, offset, whole.min(MAX_SHOWN_SPAN))?;
        let (length, cut) = shown_length(&region.bytes[..region.len], region.start, offset, whole);
        let more = |hit: String| match cut {
            true => hit + &left_out(whole, length),
            false => hit,
        };
        if finding.diagnostic.field.is_some() && !file.xml {
            let decoded = snippet(&region.bytes[..region.len], region.start, (offset, length));
            if let Some((before, hit, after)) = decoded {
                return Some((before, more(hit), after, true));
            }
        }
        let (before, hit, after) = line_around(&file.regions, offset, length)?;
        Some((before, more(hit), after, false))
    }

    /// The decoded strings of a file, for findings' places in their fields.
    pub fn fields(&self, file: &str) -> Option<FieldTexts<'a>> {
        let file = self.files.get(file).filter(|f| !f.xml)?;
        Some(FieldTexts::new(file.file))
    }

    pub fn view(
        &self,
        file: &str,
        post: Option<&PostRef>,
        findings: &[Finding],
        key: &str,
    ) -> Option<View> {
        let file = self.files.get(file).filter(|f| !f.xml)?;
        super::rendered::view(file.file, post, findings, key)
    }
}
