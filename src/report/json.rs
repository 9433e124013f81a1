//! `--format json`: one document, the contract editors and tools build on.
//! Its shape is in `schema/report.schema.json`; a field is only ever added, never renamed.

use serde::Serialize;

use crate::diagnostic::{Finding, Fix, LinkDetails, PostRef, Severity};
use crate::outcome::CheckOutcome;
use crate::site::shard::{
    ShardPart, WireFacts, WireFile, WireFinding, WirePending, hex, of_file, positions,
};
use crate::source::{Origin, ResolvedSpan};

use super::Summary;
use super::posts::{PostFindings, edit_link, summary_and_counts};

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Diagnostics<'a>,
    /// Posts with findings (and all posts when the run listed them), most to fix first.
    posts: Vec<JsonPost<'a>>,
    /// With `--shard`: what `postlint merge` needs to run the site phase (`site::shard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<ShardSection<'a>>,
}

#[derive(Serialize)]
struct JsonPost<'a> {
    file: &'a str,
    index: usize,
    id: Option<i64>,
    title: Option<String>,
    link: Option<String>,
    edit_link: Option<String>,
    /// The root URL of the post's site, which the site rules group posts by.
    site: Option<String>,
    errors: usize,
    warnings: usize,
    infos: usize,
}

impl<'a> JsonPost<'a> {
    /// The entry of a post; `None` for a file's own problems, which belong to no post.
    fn of(p: &PostFindings<'a>) -> Option<Self> {
        let post = p.post.as_ref()?;
        Some(Self {
            file: p.file,
            index: post.index,
            id: post.id,
            title: post.title.clone(),
            link: post.link.clone(),
            edit_link: edit_link(post),
            site: post.site.clone(),
            errors: p.counts.errors,
            warnings: p.counts.warnings,
            infos: p.counts.infos,
        })
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    post: Option<&'a PostRef>,
    field: Option<&'static str>,
    span: ResolvedSpan,
    /// How `--fix` (safe) or `--unsafe-fixes` mends it: byte edits of the file.
    fix: Option<&'a Fix>,
    /// What the link checker saw of the target (findings of `--links` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a LinkDetails>,
    /// In a shard report only: the finding's fingerprint, for the merged SARIF and baselines.
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(file: &'a str, finding: &'a Finding, with_print: bool) -> Self {
        let diagnostic = &finding.diagnostic;
        Self {
            rule: diagnostic.rule,
            severity: diagnostic.severity,
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            file,
            post: diagnostic.post.as_deref(),
            field: diagnostic.field,
            span: finding.span,
            fix: diagnostic.fix.as_deref(),
            link: diagnostic.link.as_deref(),
            fingerprint: with_print.then(|| hex(finding.fingerprint)),
        }
    }
}

/// One finding as it is unpacked, serialized as a `JsonDiagnostic`.
struct Unpacked<'a> {
    file: &'a str,
    finding: Finding,
    with_print: bool,
}

impl Serialize for Unpacked<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JsonDiagnostic::new(self.file, &self.finding, self.with_print).serialize(serializer)
    }
}

/// Every diagnostic of the run, serialized as the reports are walked rather than gathered
/// first: a run with a million findings does not hold a second copy of them.
struct Diagnostics<'a>(&'a [crate::outcome::FileReport], bool);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|r| {
            r.findings.iter().map(|finding| Unpacked {
                file: &r.file.name,
                finding,
                with_print: self.1,
            })
        }))
    }
}

pub fn render(outcome: &CheckOutcome) -> String {
    let mut bytes = Vec::new();
    write(outcome, &mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Writes the report as it is serialized, so that its size never sits in memory.
pub fn write(outcome: &CheckOutcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // A shard report is for `postlint merge`, not for people: compact, a third of the size.
    if outcome.shard.is_some() {
        serde_json::to_writer(&mut *out, &report(outcome)).map_err(std::io::Error::from)?;
        return out.write_all(b"\n");
    }
    let mut findings = outcome.reports.iter().flat_map(|report| {
        let file = report.file.name.as_str();
        report.findings.iter().map(move |finding| (file, finding))
    });
    let mut take_batch = || findings.by_ref().take(ITEM_BATCH).collect::<Vec<_>>();
    let mut batch = take_batch();
    // The head (the summary, the posts) is made on this thread while the first findings are
    // serialized on the others: it was most of what ran on one core before the first write.
    let (mut rendered, (head, mut next)) =
        render_while(&batch, || (rendered_head(outcome), take_batch()));
    let (head, posts) = head?;
    let Some([before, between, after]) = head_parts(&head) else {
        return Err(std::io::Error::other(
            "the report's head has no diagnostics or posts",
        ));
    };
    out.write_all(before)?;
    let mut first = true;
    loop {
        let parts = rendered?;
        if next.is_empty() {
            write_parts(&parts, &mut first, out)?;
            break;
        }
        batch = next;
        // This thread writes what is serialized and unpacks the next batch while the others
        // serialize this one.
        let written;
        (rendered, (written, next)) = render_while(&batch, || {
            (write_parts(&parts, &mut first, out), take_batch())
        });
        written?;
    }
    close_items(first, out)?;
    out.write_all(between)?;
    let mut first = true;
    write_parts(&posts, &mut first, out)?;
    close_items(first, out)?;
    out.write_all(after)?;
    out.write_all(b"\n")
}

/// Ends an array's items (`first`: none was written): its `]` on a line of its own after any.
fn close_items(first: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if first {
        return Ok(());
    }
    out.write_all(b"\n  ")
}

/// The head with its `diagnostics` and `posts` arrays empty, cut where their items go: before
/// the first's `]`, between the two, from the second's `]`. No string holds a raw new line, so
/// these are the report's own fields.
fn head_parts(head: &[u8]) -> Option<[&[u8]; 3]> {
    let end_of = |field: &[u8]| Some(memchr::memmem::find(head, field)? + field.len() - 1);
    let diagnostics = end_of(b"\n  \"diagnostics\": []")?;
    let posts = end_of(b"\n  \"posts\": []")?;
    let (before, rest) = head.split_at(diagnostics);
    let (between, after) = rest.split_at(posts.checked_sub(diagnostics)?);
    Some([before, between, after])
}

/// The report but its findings and posts, and the posts' items: these are serialized on the
/// run's threads like the findings, where the whole head was one thread's (its posts most of
/// it) while the other ended the first findings and waited.
fn rendered_head(outcome: &CheckOutcome) -> std::io::Result<(Vec<u8>, Vec<Vec<u8>>)> {
    use rayon::prelude::*;
    let (head, posts) = head(outcome);
    let listed: Vec<&PostFindings<'_>> = posts.iter().filter(|p| p.post.is_some()).collect();
    let posts = (listed.par_chunks(ITEM_CHUNK))
        .map(|chunk| {
            render_items(chunk, |item, p| {
                serde_json::to_writer_pretty(item, &JsonPost::of(p))
            })
        })
        .collect::<std::io::Result<Vec<Vec<u8>>>>()?;
    Ok((serde_json::to_vec_pretty(&head)?, posts))
}

/// The whole report, its posts' entries made on the run's threads: a shard report's (a report
/// for people splices its findings and posts into `head`, `write`).
fn report(outcome: &CheckOutcome) -> Report<'_> {
    use rayon::prelude::*;
    let (mut report, posts) = head(outcome);
    report.posts = posts.par_iter().filter_map(JsonPost::of).collect();
    report
}

/// The report but its findings and posts, and the posts by their findings (`by_post`).
///
/// Its counts (the summary's, the posts') are made in one walk of every finding, the files on
/// the run's threads: this head is most of what the writing thread does while the others
/// serialize the first findings, and grows with the findings where that first batch does not
/// (on a 1 GB file, 16 times the batch).
fn head(outcome: &CheckOutcome) -> (Report<'_>, Vec<PostFindings<'_>>) {
    let shard = outcome.shard.is_some();
    let (summary, posts) = summary_and_counts(outcome);
    let report = Report {
        version: REPORT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        summary,
        diagnostics: Diagnostics(if shard { &outcome.reports } else { &[] }, shard),
        posts: Vec::new(),
        shard: (outcome.shard.as_deref()).map(|part| ShardSection { outcome, part }),
    };
    (report, posts)
}

/// Findings unpacked and serialized a batch at a time.
const ITEM_BATCH: usize = 8192;
/// Findings serialized by one task.
const ITEM_CHUNK: usize = 512;

/// Serializes a batch of findings on the run's threads while this thread does `meanwhile`
/// (which need not be `Send`: it may hold the report's writer). Each finding is rendered as an
/// item of the report's `diagnostics` array, byte for byte as serde_json's pretty printer
/// would write it there.
fn render_while<R>(
    batch: &[(&str, Finding)],
    meanwhile: impl FnOnce() -> R,
) -> (std::io::Result<Vec<Vec<u8>>>, R) {
    use rayon::prelude::*;
    let mut rendered = Ok(Vec::new());
    let done = rayon::in_place_scope(|scope| {
        scope.spawn(|_| {
            rendered = (batch.par_chunks(ITEM_CHUNK))
                .map(|items| {
                    render_items(items, |item, (file, finding)| {
                        serde_json::to_writer_pretty(
                            item,
                            &JsonDiagnostic::new(file, finding, false),
                        )
                    })
                })
                .collect::<std::io::Result<Vec<Vec<u8>>>>();
        });
        meanwhile()
    });
    (rendered, done)
}

fn write_parts(
    parts: &[Vec<u8>],
    first: &mut bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for part in parts {
        // Each item comes after `,`; the first of all after nothing.
        let part = if *first { &part[1..] } else { &part[..] };
        *first = false;
        out.write_all(part)?;
    }
    Ok(())
}

/// Items of a field of the report (`diagnostics`, `posts`) as they stand in its array: each
/// after `,` and a new line, four spaces deeper than serde_json writes it alone (a string never
/// holds a raw new line, so every one is its own). `pretty` writes one alone.
fn render_items<T>(
    items: &[T],
    pretty: impl Fn(&mut Vec<u8>, &T) -> serde_json::Result<()>,
) -> std::io::Result<Vec<u8>> {
    const DEEPER: &[u8] = b"\n    ";
    let mut out = Vec::new();
    let mut item = Vec::new();
    for each in items {
        item.clear();
        pretty(&mut item, each)?;
        out.push(b',');
        for line in item.split(|&b| b == b'\n') {
            out.extend_from_slice(DEEPER);
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}

/// The `shard` section: the facts, pending suppressions and late findings of each file,
/// serialized file by file.
struct ShardSection<'a> {
    outcome: &'a CheckOutcome,
    part: &'a ShardPart,
}

impl Serialize for ShardSection<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let part = self.part;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("index", &part.shard.0)?;
        map.serialize_entry("count", &part.shard.1)?;
        map.serialize_entry("config", &hex(part.config))?;
        let files = self
            .outcome
            .reports
            .iter()
            .enumerate()
            .map(|(file, report)| {
                let path = match &report.file.origin {
                    Origin::Path(path) => Some(path.to_string_lossy().into_owned()),
                    Origin::Memory(_) => None,
                };
                WireFile {
                    name: report.file.name.clone(),
                    path: WireFile::path_as_written(&report.file.name, path),
                    order: part.order.get(file).copied().unwrap_or(file),
                    posts: report.posts,
                    positions: part.positions.get(file).map(positions).unwrap_or_default(),
                    facts: (of_file(&part.facts, file, |f| f.file).iter())
                        .map(WireFacts::of)
                        .collect(),
                    pending: report.pending.iter().map(WirePending::of).collect(),
                    late: (of_file(&part.late, file, |f| f.file).iter())
                        .map(WireFinding::of)
                        .collect(),
                }
            });
        map.serialize_entry("files", &Files(std::cell::RefCell::new(Some(files))))?;
        map.end()
    }
}

/// A sequence serialized from an iterator, once.
struct Files<I>(std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = WireFile>> Serialize for Files<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let files = self.0.borrow_mut().take();
        serializer.collect_seq(files.into_iter().flatten())
    }
}
