//! What a `--shard K/N` job hands to `postlint merge`: the site facts of its posts, the
//! suppressions the site phase may still use, the findings of its link check not yet settled,
//! and the lines and columns of every place those point at (the merge job does not have the
//! files). Written as the `shard` section of the JSON report; its shape is in
//! `schema/report.schema.json`.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use chrono::format::{Item, StrftimeItems};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Applicability, Body, Diagnostic, Edit, Fix, Label, PostRef, Severity};
use crate::source::{LineCol, LineCols};
use crate::suppress::{Directive, Pending};

use super::{DateFacts, InternalLink, Located, PlacedValue, PostFacts, SiteFinding, Text};

/// Dates as the facts hold them: local time, no zone.
const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// `DATE_FORMAT` taken apart once: every post's facts write their date with it and read it
/// back, and taking a format apart is a `match` per character.
static DATE_ITEMS: LazyLock<Vec<Item<'static>>> =
    LazyLock::new(|| StrftimeItems::new(DATE_FORMAT).collect());

/// `date` as `DATE_FORMAT` writes it. Years of four digits are written here, digit by digit:
/// chrono's formatter (a `Display` over the items, through `fmt::Write`) was 2,000 instructions
/// and 85 instruction-cache misses a post; other years still go through it.
fn write_date(date: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    let Ok(year @ 0..=9999) = u32::try_from(date.year()) else {
        return date.format_with_items(DATE_ITEMS.iter()).to_string();
    };
    let nanos = date.nanosecond();
    let mut text = String::with_capacity(29);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, date.month(), 2);
    text.push('-');
    push_digits(&mut text, date.day(), 2);
    text.push('T');
    push_digits(&mut text, date.hour(), 2);
    text.push(':');
    push_digits(&mut text, date.minute(), 2);
    text.push(':');
    // A leap second is held as nanoseconds past a whole second, and written as second 60.
    push_digits(&mut text, date.second() + nanos / 1_000_000_000, 2);
    push_fraction(&mut text, nanos % 1_000_000_000);
    text
}

/// `%.f`: nothing for a whole second, else a dot and 3, 6 or 9 digits, the fewest that hold it.
fn push_fraction(text: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    text.push('.');
    match (nanos % 1_000_000, nanos % 1_000) {
        (0, _) => push_digits(text, nanos / 1_000_000, 3),
        (_, 0) => push_digits(text, nanos / 1_000, 6),
        _ => push_digits(text, nanos, 9),
    }
}

/// The last `width` decimal digits of `value`, zero-padded.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// As `NaiveDateTime::parse_from_str` with `DATE_FORMAT` reads it.
fn read_date(text: &str) -> chrono::ParseResult<chrono::NaiveDateTime> {
    crate::dates::parse_with_items(text, &DATE_ITEMS)
}

/// What a sharded run kept for the merge, besides its findings.
#[derive(Debug)]
pub struct ShardPart {
    /// `K/N`.
    pub shard: (usize, usize),
    /// Fingerprint of the effective configuration: the merge must run with the same.
    pub config: u64,
    /// Per report: its position among the files of the whole run (before the split).
    pub order: Vec<usize>,
    /// Per report: the lines and columns of the places its facts, suppressions and late
    /// findings point at.
    pub positions: Vec<LineCols>,
    /// The facts of every post, `file` indexing the reports.
    pub facts: Vec<PostFacts>,
    /// Findings of the link check, not yet settled.
    pub late: Vec<SiteFinding>,
}

/// Every file offset the merge may need the line and column of, for one report.
pub fn offsets_of(facts: &[PostFacts], pending: &[Pending], late: &[SiteFinding]) -> Vec<usize> {
    let mut ranges: Vec<&Range<usize>> = Vec::new();
    for fact in facts {
        let valued = [&fact.slug, &fact.title, &fact.guid_host];
        ranges.extend(valued.into_iter().flatten().map(|v| &v.at.range));
        if let Some(dates) = &fact.dates {
            ranges.extend([&dates.gmt.range, &dates.local_at.range]);
            ranges.extend(dates.modified_gmt.as_ref().map(|at| &at.range));
        }
        ranges.extend(fact.internal_links.iter().map(|l| &l.at.range));
    }
    for pending in pending {
        ranges.extend(pending.directives.iter().map(|(d, _)| &d.comment));
    }
    for finding in late {
        let diagnostic = &finding.diagnostic;
        ranges.push(&diagnostic.range);
        ranges.extend(diagnostic.secondary.iter().map(|l| &l.range));
    }
    ranges.into_iter().flat_map(|r| [r.start, r.end]).collect()
}

/// One file of a shard report, as written and read back.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireFile {
    pub name: String,
    /// The path it was read from (for the config's per-path overrides), when it is not `name`;
    /// `null` for standard input and pages fetched from a site.
    #[serde(default = "same_as_name", skip_serializing_if = "is_same_as_name")]
    pub path: Option<String>,
    pub order: usize,
    pub posts: usize,
    /// `[offset, line, column]` of every place below.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<(usize, usize, usize)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<WireFacts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<WirePending>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late: Vec<WireFinding>,
}

/// An absent `path` is the file's `name`, as most are.
const SAME_AS_NAME: &str = "";

fn same_as_name() -> Option<String> {
    Some(SAME_AS_NAME.to_owned())
}

fn is_same_as_name(path: &Option<String>) -> bool {
    path.as_deref() == Some(SAME_AS_NAME)
}

impl WireFile {
    /// `path` as written: absent when it is the name.
    pub fn path_as_written(name: &str, path: Option<String>) -> Option<String> {
        match path {
            Some(path) if path == name => same_as_name(),
            other => other,
        }
    }

    /// The path the file was read from, `None` when it was not read from one.
    pub fn path(&self) -> Option<&str> {
        match self.path.as_deref() {
            Some(SAME_AS_NAME) => Some(&self.name),
            other => other,
        }
    }

    /// The lines and columns the file entry carries.
    pub fn line_cols(&self) -> LineCols {
        LineCols::known(
            (self.positions.iter())
                .map(|&(offset, line, column)| (offset, LineCol { line, column }))
                .collect(),
        )
    }
}

pub fn positions(lines: &LineCols) -> Vec<(usize, usize, usize)> {
    lines
        .pairs()
        .map(|(o, at)| (o, at.line, at.column))
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WirePost {
    pub index: usize,
    pub id: Option<i64>,
    pub link: Option<String>,
    pub title: Option<String>,
    pub site: Option<String>,
    /// For the HTML report of a merged run: its status badge and its view.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub body: Option<Body>,
}

impl WirePost {
    pub fn of(post: &PostRef) -> Self {
        Self {
            index: post.index,
            id: post.id,
            link: post.link.clone(),
            title: post.title.clone(),
            site: post.site.clone(),
            status: post.status.clone(),
            body: post.body.clone(),
        }
    }

    pub fn restore(self) -> PostRef {
        PostRef {
            index: self.index,
            id: self.id,
            link: self.link,
            title: self.title,
            site: self.site,
            status: self.status,
            body: self.body,
        }
    }
}

/// A value and its `[start, end)` in the file.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireValued(Text, (usize, usize));

fn pair(at: &Located) -> (usize, usize) {
    (at.range.start, at.range.end)
}

fn located((start, end): (usize, usize)) -> Located {
    Located::new(start..end.max(start))
}

impl WireValued {
    fn of(valued: &PlacedValue) -> Self {
        Self(valued.value.clone(), pair(&valued.at))
    }

    fn restore(self) -> PlacedValue {
        PlacedValue {
            value: self.0,
            at: located(self.1),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WireDates {
    offset: i32,
    local: String,
    gmt_value: Text,
    gmt: (usize, usize),
    local_at: (usize, usize),
    /// Always written, as `internal_links` is; older shard reports lack them.
    #[serde(default)]
    skew: i32,
    #[serde(default)]
    modified_gmt: Option<(usize, usize)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WireLink {
    target: Text,
    path: Text,
    post_id: Option<i64>,
    at: (usize, usize),
}

/// A post's site facts (`PostFacts` without the remote links, which the shard checked).
#[derive(Debug, Serialize, Deserialize)]
pub struct WireFacts {
    post: WirePost,
    site: Option<String>,
    host: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    post_type: Option<String>,
    parent: Option<i64>,
    permalink: Option<Text>,
    language: Option<String>,
    slug: Option<WireValued>,
    title: Option<WireValued>,
    guid_host: Option<WireValued>,
    dates: Option<WireDates>,
    /// Always written: the spill's binary runs (postcard) have no field names, so a field that
    /// is sometimes left out could not be read back. Older shard reports may lack it.
    #[serde(default)]
    internal_links: Vec<WireLink>,
}

impl WireFacts {
    pub fn of(facts: &PostFacts) -> Self {
        Self {
            post: WirePost::of(&facts.post),
            site: facts.site.clone(),
            host: facts.host.clone(),
            status: facts.status.as_deref().map(str::to_owned),
            post_type: facts.post_type.as_deref().map(str::to_owned),
            parent: facts.parent,
            permalink: facts.permalink.clone(),
            language: facts.language.clone(),
            slug: facts.slug.as_ref().map(WireValued::of),
            title: facts.title.as_ref().map(WireValued::of),
            guid_host: facts.guid_host.as_ref().map(WireValued::of),
            dates: facts.dates.as_ref().map(|d| WireDates {
                offset: d.offset,
                local: write_date(&d.local),
                gmt_value: d.gmt_value.clone(),
                gmt: pair(&d.gmt),
                local_at: pair(&d.local_at),
                skew: d.skew,
                modified_gmt: d.modified_gmt.as_ref().map(pair),
            }),
            internal_links: (facts.internal_links.iter())
                .map(|l| WireLink {
                    target: l.target.clone(),
                    path: l.path.clone(),
                    post_id: l.post_id,
                    at: pair(&l.at),
                })
                .collect(),
        }
    }

    /// Where the post goes in the site phase's order, within its file: posts without a site
    /// last, then by site, then by place in the file.
    pub fn site_order(&self) -> (bool, Option<&str>, usize) {
        (self.site.is_none(), self.site.as_deref(), self.post.index)
    }

    /// The facts again, for the report at `file` of the merged run; `post` shares the post's
    /// reference with its findings. An unreadable date is an error naming the post.
    pub fn restore(
        self,
        file: usize,
        post: impl FnOnce(WirePost) -> Arc<PostRef>,
    ) -> Result<PostFacts, String> {
        let index = self.post.index;
        let dates = match self.dates {
            Some(d) => Some(DateFacts {
                offset: d.offset,
                local: read_date(&d.local)
                    .map_err(|e| format!("post {index}: the date `{}`: {e}", d.local))?,
                gmt_value: d.gmt_value,
                gmt: located(d.gmt),
                local_at: located(d.local_at),
                skew: d.skew,
                modified_gmt: d.modified_gmt.map(located),
            }),
            None => None,
        };
        Ok(PostFacts {
            file,
            post: post(self.post),
            site: self.site,
            host: self.host,
            status: self.status.map(|s| super::word(&s)),
            post_type: self.post_type.map(|s| super::word(&s)),
            parent: self.parent,
            permalink: self.permalink,
            language: self.language,
            slug: self.slug.map(WireValued::restore),
            title: self.title.map(WireValued::restore),
            guid_host: self.guid_host.map(WireValued::restore),
            dates,
            internal_links: (self.internal_links.into_iter())
                .map(|l| InternalLink {
                    target: l.target,
                    path: l.path,
                    post_id: l.post_id,
                    at: located(l.at),
                })
                .collect(),
            remote_links: Vec::new(),
            anchors: Vec::new(),
        })
    }
}

/// The suppressions of one post that the site phase may use.
#[derive(Debug, Serialize, Deserialize)]
pub struct WirePending {
    post: WirePost,
    directives: Vec<WireDirective>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireDirective {
    kind: String,
    codes: Vec<String>,
    reason: Option<String>,
    comment: (usize, usize),
    covers: (usize, usize),
    field: Option<String>,
    /// Of the comment, for the `unused-suppression` finding should it silence nothing.
    fingerprint: String,
}

impl WirePending {
    pub fn of(pending: &Pending) -> Self {
        let directives = (pending.directives.iter())
            .map(|(directive, print)| {
                let (kind, covers) = directive.extent();
                WireDirective {
                    kind: kind.to_owned(),
                    codes: directive.codes.clone(),
                    reason: directive.reason.clone(),
                    comment: (directive.comment.start, directive.comment.end),
                    covers: (covers.start, covers.end),
                    field: directive.field.map(str::to_owned),
                    fingerprint: hex(*print),
                }
            })
            .collect();
        Self {
            post: WirePost::of(&pending.post),
            directives,
        }
    }

    pub fn restore(
        self,
        post: impl FnOnce(WirePost) -> Arc<PostRef>,
        intern: &mut impl FnMut(String) -> &'static str,
    ) -> Result<Pending, String> {
        let mut directives = Vec::with_capacity(self.directives.len());
        for d in self.directives {
            let field = d.field.map(&mut *intern);
            let directive = Directive::restore(
                (&d.kind, d.covers.0..d.covers.1),
                d.codes,
                d.reason,
                d.comment.0..d.comment.1,
                field,
            )
            .ok_or_else(|| format!("unknown suppression kind `{}`", d.kind))?;
            directives.push((directive, unhex(&d.fingerprint)?));
        }
        Ok(Pending {
            post: post(self.post),
            directives,
        })
    }
}

/// A finding of the link check, before the settle step: the diagnostic as a rule made it.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireFinding {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    post: Option<WirePost>,
    field: Option<String>,
    range: (usize, usize),
    label: Option<String>,
    #[serde(default)]
    secondary: Vec<((usize, usize), String)>,
    fix: Option<WireFix>,
    fingerprint: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireFix {
    applicability: Applicability,
    message: String,
    edits: Vec<(usize, usize, String)>,
}

impl WireFinding {
    pub fn of(finding: &SiteFinding) -> Self {
        let d = &finding.diagnostic;
        Self {
            rule: d.rule.to_owned(),
            severity: d.severity,
            message: d.message.to_string(),
            help: d.help.as_ref().map(ToString::to_string),
            post: d.post.as_deref().map(WirePost::of),
            field: d.field.map(str::to_owned),
            range: (d.range.start, d.range.end),
            label: d.label.as_ref().map(ToString::to_string),
            secondary: (d.secondary.iter())
                .map(|l| ((l.range.start, l.range.end), l.message.to_string()))
                .collect(),
            fix: d.fix.as_deref().map(|fix| WireFix {
                applicability: fix.applicability,
                message: fix.message.to_string(),
                edits: (fix.edits.iter())
                    .map(|e| (e.offset, e.length, e.content.clone()))
                    .collect(),
            }),
            fingerprint: hex(finding.fingerprint),
        }
    }

    pub fn restore(
        self,
        file: usize,
        post: impl FnOnce(WirePost) -> Arc<PostRef>,
        intern: &mut impl FnMut(String) -> &'static str,
    ) -> Result<SiteFinding, String> {
        let mut diagnostic = Diagnostic::for_rule(
            intern(self.rule),
            self.severity,
            self.range.0..self.range.1,
            self.message,
        );
        diagnostic.help = self.help.map(Into::into);
        diagnostic.post = self.post.map(post);
        diagnostic.field = self.field.map(&mut *intern);
        diagnostic.label = self.label.map(Into::into);
        diagnostic.secondary = (self.secondary.into_iter())
            .map(|((start, end), message)| Label {
                range: start..end,
                message: message.into(),
            })
            .collect();
        diagnostic.fix = self.fix.map(|fix| {
            Box::new(Fix {
                applicability: fix.applicability,
                message: fix.message.into(),
                edits: (fix.edits.into_iter())
                    .map(|(offset, length, content)| {
                        Edit::replace(offset..offset + length, content)
                    })
                    .collect(),
            })
        });
        Ok(SiteFinding {
            file,
            diagnostic,
            fingerprint: unhex(&self.fingerprint)?,
        })
    }
}

/// Fingerprints travel as 16 hex digits: JSON numbers past 2^53 lose digits in most readers.
pub fn hex(print: u64) -> String {
    format!("{print:016x}")
}

pub fn unhex(text: &str) -> Result<u64, String> {
    u64::from_str_radix(text, 16).map_err(|_| format!("`{text}` is not a fingerprint"))
}

impl ShardPart {
    /// Appends the part of another run (another site's) whose reports come after `base` reports
    /// of this one; its files come after this run's in the order too.
    pub fn append(&mut self, mut other: ShardPart, base: usize) {
        for fact in &mut other.facts {
            fact.file += base;
        }
        for finding in &mut other.late {
            finding.file += base;
        }
        let after = self.order.iter().max().map_or(0, |last| last + 1);
        self.order.extend(other.order.iter().map(|o| o + after));
        self.positions.append(&mut other.positions);
        self.facts.append(&mut other.facts);
        self.late.append(&mut other.late);
    }
}

/// The effective configuration as `--show-config` prints it, hashed: shards and their merge
/// must run with the same, or the merged report would mix two.
pub fn config_fingerprint(config: &crate::config::Config) -> u64 {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(config.show().as_bytes());
    hasher.finish()
}

/// The items of one file in a list sorted by file.
pub fn of_file<T>(items: &[T], file: usize, file_of: impl Fn(&T) -> usize) -> &[T] {
    let start = items.partition_point(|item| file_of(item) < file);
    let end = items.partition_point(|item| file_of(item) <= file);
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_and_read_as_the_format_writes_and_reads_them() {
        for year in [-10_000, -1, 0, 7, 999, 1000, 2024, 9999, 10_000, 262_000] {
            let day = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("a date");
            for (nanos, second) in [
                (0, 0),
                (1, 1),
                (10, 9),
                (1_000, 10),
                (120_000, 30),
                (123_000_000, 5),
                (100_000_000, 7),
                (123_456_000, 59),
                (123_456_789, 59),
                (1_000_000_000, 59),
                (1_500_000_000, 59),
                (1_999_999_999, 59),
            ] {
                let date = day.and_hms_nano_opt(23, 59, second, nanos).expect("a time");
                let written = write_date(&date);
                assert_eq!(written, date.format(DATE_FORMAT).to_string());
                assert_eq!(read_date(&written), Ok(date), "{written}");
            }
        }
        for text in [
            "2024-07-15T08:30:00.5",
            "2024-07-15",
            "2024-07-15T08:30:00Z",
            "",
        ] {
            assert_eq!(
                read_date(text),
                chrono::NaiveDateTime::parse_from_str(text, DATE_FORMAT),
                "{text}"
            );
        }
    }
}
