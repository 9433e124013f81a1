//! The site phase: after every post of the run was linted in parallel, rules that compare
//! posts of one site (the host of their `link`) see them together. Linear in the number of
//! posts: posts are grouped with a hash map, never compared pairwise.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::config::Config;
use crate::dates::{WpDate, offset_of};
use crate::diagnostic::{Diagnostic, Finding, PostRef, fingerprint};
use crate::engine::FileReport;
use crate::engine::PostContext;
use crate::source::ResolvedSpan;

/// What the site phase needs of a post, kept after the post itself is dropped.
#[derive(Debug, Clone)]
pub struct PostFacts {
    /// Index of the post's file among the run's reports.
    pub file: usize,
    pub post: Arc<PostRef>,
    /// Lower-cased host of the post's `link`.
    pub host: Option<String>,
    pub status: Option<String>,
    pub dates: Option<DateFacts>,
}

impl PostFacts {
    /// What the site phase keeps of a post being linted; `None` when there is nothing a site
    /// rule could use (no date pair).
    pub fn of(post: &PostContext<'_, '_>) -> Option<Self> {
        let dates = DateFacts::of(post)?;
        let link = post.post.link();
        let host = link
            .and_then(|l| url::Url::parse(l).ok())
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        Some(Self {
            file: 0,
            post: post.post_ref.clone(),
            host,
            status: post.post.str_at("status").map(|s| s.as_str().to_owned()),
            dates: Some(dates),
        })
    }

    /// The file ranges whose lines and columns the site phase may need.
    pub fn ranges(&self) -> Vec<Range<usize>> {
        match &self.dates {
            Some(dates) => vec![dates.gmt.range.clone(), dates.local_at.range.clone()],
            None => Vec::new(),
        }
    }

    pub fn resolve(&mut self, span: &impl Fn(&Range<usize>) -> ResolvedSpan) {
        if let Some(dates) = &mut self.dates {
            dates.gmt.span = Some(span(&dates.gmt.range));
            dates.local_at.span = Some(span(&dates.local_at.range));
        }
    }
}

impl DateFacts {
    fn of(post: &PostContext<'_, '_>) -> Option<Self> {
        let local = WpDate::read(post.post, "date");
        let gmt = WpDate::read(post.post, "date_gmt");
        let (WpDate::Valid(local_text, local_value), WpDate::Valid(gmt_text, gmt_value)) =
            (&local, &gmt)
        else {
            return None;
        };
        Some(Self {
            offset: i32::try_from(offset_of(*local_value, *gmt_value)).ok()?,
            local: *local_value,
            gmt_value: gmt_text.as_str().to_owned(),
            gmt: Located::new(post.file_range(&gmt_text.raw)),
            local_at: Located::new(post.file_range(&local_text.raw)),
        })
    }
}

/// The `date`/`date_gmt` pair of a post, with the spans a finding would point at.
#[derive(Debug, Clone)]
pub struct DateFacts {
    /// `date − date_gmt`, in seconds.
    pub offset: i32,
    pub local: chrono::NaiveDateTime,
    pub gmt_value: String,
    pub gmt: Located,
    pub local_at: Located,
}

/// A file range, and its lines and columns once the file was read.
#[derive(Debug, Clone)]
pub struct Located {
    pub range: Range<usize>,
    pub span: Option<ResolvedSpan>,
}

impl Located {
    pub fn new(range: Range<usize>) -> Self {
        Self { range, span: None }
    }
}

/// A finding of the site phase and the file it belongs to.
pub struct SiteFinding {
    pub file: usize,
    pub finding: Finding,
}

impl SiteFinding {
    /// A finding on a located value; `None` if its lines were never resolved.
    pub fn new(
        file: usize,
        diagnostic: Diagnostic,
        primary: &Located,
        secondary: &[&Located],
        text: &str,
    ) -> Option<Self> {
        let span = primary.span?;
        let secondary = secondary
            .iter()
            .map(|l| l.span)
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            file,
            finding: Finding {
                span,
                secondary,
                fingerprint: fingerprint(diagnostic.rule, text.as_bytes()),
                diagnostic,
            },
        })
    }
}

/// Runs the site rules over the posts of the run and adds their findings to the reports.
/// Returns one line per site for the summary (what was inferred, and what was not checked).
pub fn run(config: &Config, reports: &mut [FileReport], facts: Vec<PostFacts>) -> Vec<String> {
    let settings = config.effective(None, None);
    let mut by_site: HashMap<String, Vec<PostFacts>> = HashMap::new();
    for fact in facts {
        if let Some(host) = fact.host.clone() {
            by_site.entry(host).or_default().push(fact);
        }
    }
    let mut sites: Vec<(String, Vec<PostFacts>)> = by_site.into_iter().collect();
    sites.sort_by(|a, b| a.0.cmp(&b.0));
    let mut notes = Vec::new();
    let mut found = Vec::new();
    for (host, posts) in &sites {
        for rule in &settings.rules {
            if let Some(note) = rule.check_site(host, posts, &settings, &mut found) {
                notes.push(note);
            }
        }
    }
    for mut site_finding in found {
        if let Some(severity) = settings.configured_severity(site_finding.finding.diagnostic.rule) {
            site_finding.finding.diagnostic.severity = severity;
        }
        if let Some(report) = reports.get_mut(site_finding.file) {
            report.findings.push(site_finding.finding);
        }
    }
    for report in reports.iter_mut() {
        report
            .findings
            .sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
    }
    notes
}
