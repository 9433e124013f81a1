//! The bodies of the fuzz targets (`fuzz/`), here so that the replay test
//! (`tests/fuzz_replay.rs`) runs the very same checks on every saved input without libFuzzer.
//! Each function panics when an invariant breaks: that is how a fuzzer learns of a bug.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::config::Config;
use crate::engine::{LintOptions, Linter};
use crate::html::HtmlIndex;
use crate::input::json::{JsonStr, Node, Value};
use crate::input::posts::PostReader;
use crate::input::wxr;
use crate::input::wxr_parts::WxrParts;
use crate::outcome::CheckOutcome;
use crate::post::{HtmlFieldKind, Post};
use crate::report;
use crate::server::connection::{Connection, Incoming, read_incoming};
use crate::server::framing::{Frame, FrameReader, Limits, write_frame};
use crate::server::jsonrpc::{Message, RequestId};
use crate::source::{LineIndex, ResolvedSpan, SourceFile, count_chars};

/// Bytes as a file: load, lint with every default rule, render every report format, and check
/// that every span lies inside the file with the line and column its offset has.
pub fn lint_bytes(data: &[u8]) {
    let linter = fuzz_linter();
    let file = SourceFile::in_memory("fuzz.json", data.to_vec());
    let report = match linter.lint_file(file, data) {
        Ok(report) => report,
        Err(error) => panic!("reading from memory failed: {error}"),
    };
    let lines = LineIndex::new(data);
    for finding in &report.findings {
        for span in std::iter::once(&finding.span).chain(&finding.secondary) {
            check_span(data, &lines, span, finding.diagnostic.rule);
        }
    }
    let outcome = CheckOutcome {
        reports: vec![report],
        input_errors: Vec::new(),
        site_notes: Vec::new(),
        notices: Vec::new(),
        baselined: 0,
        shard: None,
        sites: Vec::new(),
        checked_at: None,
    };
    render_every_format(&outcome);
}

/// One linter for every input: loading the built-in pack per input would be most of the work.
fn fuzz_linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| {
        let options = LintOptions {
            // Small segments, so that posts cut across segment ends are exercised too.
            segment_bytes: 256,
            now: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
            ..LintOptions::default()
        };
        Linter::new(Arc::new(Config::builtin(crate::rules::REGISTRY)), options)
    })
}

fn check_span(data: &[u8], lines: &LineIndex, span: &ResolvedSpan, rule: &str) {
    let end = span.offset + span.length;
    assert!(
        end <= data.len(),
        "{rule}: span {span:?} ends past the file"
    );
    let line = lines.line_of(span.offset);
    let start = lines.line_start(line);
    let column = count_chars(&data[start..span.offset]) + 1;
    assert_eq!(
        (span.line, span.column),
        (line + 1, column),
        "{rule}: line and column of offset {}",
        span.offset
    );
}

/// Every format of the table, and the human report's `--statistics` form.
fn render_every_format(outcome: &CheckOutcome) {
    let mut look = report::formats::Look {
        style: report::human::Style {
            color: true,
            width: 80,
        },
        statistics: false,
    };
    for format in &report::formats::FORMATS {
        let text = format.render(outcome, &look);
        if format.is_json
            && let Err(error) = serde_json::from_str::<serde_json::Value>(&text)
        {
            panic!("a JSON report is not JSON: {error}\n{text}");
        }
    }
    look.statistics = true;
    report::formats::HUMAN.render(outcome, &look);
}

/// HTML written into a post with JSON escapes picked by `styles`: every tag the HTML index
/// finds must map back to file bytes that decode to exactly that tag's text.
pub fn html_spans(data: &[u8]) {
    let Some((&style_seed, html)) = data.split_first() else {
        return;
    };
    let html = String::from_utf8_lossy(html);
    let mut file = String::from("{\"id\":1,\"content\":{\"rendered\":\"");
    for (n, c) in html.chars().enumerate() {
        encode_char(c, style_seed.wrapping_add(n as u8), &mut file);
    }
    file.push_str("\"}}");
    let mut reader = PostReader::new(file.as_bytes(), 64);
    let Some(entry) = reader.next() else {
        panic!("no post read from {file:?}");
    };
    assert!(reader.take_errors().is_empty(), "{file:?} is valid JSON");
    let Ok(post) = Post::classify(entry.index, entry.node, entry.recovered) else {
        panic!("{file:?} is a post");
    };
    let Some(content) = post.html_field(HtmlFieldKind::Content) else {
        panic!("{file:?} has content");
    };
    let decoded = content.as_str();
    assert_eq!(decoded, html, "the JSON string decodes to the HTML written");
    let index = HtmlIndex::parse(decoded);
    let spans = index
        .elements
        .iter()
        .flat_map(|e| std::iter::once(e.start_tag.clone()).chain(e.end_tag.clone()))
        .chain(index.stray_end_tags.iter().map(|s| s.span.clone()));
    for span in spans {
        assert!(decoded.is_char_boundary(span.start) && decoded.is_char_boundary(span.end));
        let in_file = content.file_range(span.clone());
        // The characters before the tag fix which escape style each of its characters got.
        let before = decoded[..span.start].chars().count();
        let mut expected = String::new();
        for (i, c) in decoded[span.clone()].chars().enumerate() {
            encode_char(
                c,
                style_seed.wrapping_add((before + i) as u8),
                &mut expected,
            );
        }
        assert_eq!(&file[in_file], expected, "tag at {span:?} in {file:?}");
    }
}

/// How one character is written in a JSON string: each choice is one that real exporters make.
/// `style` picks among them; the span-map property test uses it too.
pub fn encode_char(c: char, style: u8, out: &mut String) {
    use std::fmt::Write;
    let escaped = style % 2 == 1;
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '/' if escaped => out.push_str("\\/"),
        '\n' if escaped => out.push_str("\\u000a"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c if (c as u32) > 0x7F && escaped => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
        c if c.is_ascii_alphabetic() && style % 7 == 3 => {
            let _ = write!(out, "\\u{:04X}", c as u32);
        }
        c => out.push(c),
    }
}

/// Bytes as `postlint.toml`: it loads or gives an error, and a loaded one gives settings.
pub fn config_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A root that holds no files, so an `extends` finds nothing rather than reading the disk.
    let root = PathBuf::from("/nonexistent-postlint-fuzz-root");
    if let Ok(config) = Config::from_text("postlint.toml", text, root, crate::rules::REGISTRY) {
        let _ = config.effective(None, None);
        let _ = config.show();
    }
}

/// Bytes as a client writes them to `postlint server`, read under small limits (so that the
/// limits are reached): every message written back reads the same, and a session over them
/// answers each request and each malformed message read before it ends exactly once.
pub fn lsp_frames(data: &[u8]) {
    let limits = Limits {
        message_bytes: 4096,
        header_bytes: 256,
    };
    let mut frames = FrameReader::new(data, limits);
    let (connection, feed, sent) = Connection::memory();
    let mut owed: HashMap<Option<RequestId>, usize> = HashMap::new();
    while let Some(incoming) = read_incoming(&mut frames) {
        let last = match &incoming {
            Incoming::Message(message) => {
                check_round_trip(message);
                if let Message::Request(request) = message {
                    *owed.entry(Some(request.id.clone())).or_default() += 1;
                }
                matches!(message, Message::Notification(n) if n.method == "exit")
            }
            Incoming::Rejected(rejection) => {
                *owed.entry(rejection.id.clone()).or_default() += 1;
                false
            }
            Incoming::Skipped { length, limit } => {
                assert!(length > limit, "a message of {length} bytes was skipped");
                false
            }
            Incoming::Broken(_) => true,
        };
        if feed.send(incoming).is_err() || last {
            break;
        }
    }
    drop(feed);
    let settings = crate::server::Settings {
        no_config: true,
        ..crate::server::Settings::default()
    };
    let _ = crate::server::serve(&connection, settings);
    drop(connection);
    let mut answered: HashMap<Option<RequestId>, usize> = HashMap::new();
    for message in sent.try_iter() {
        let _ = message.to_bytes();
        if let Message::Response(response) = message {
            *answered.entry(response.id).or_default() += 1;
        }
    }
    assert_eq!(answered, owed, "responses by id");
}

/// A message written as the server writes it reads back the same, through a frame.
fn check_round_trip(message: &Message) {
    let body = message.to_bytes();
    let mut framed = Vec::new();
    if let Err(error) = write_frame(&mut framed, &body) {
        panic!("writing to memory failed: {error}");
    }
    let mut reader = FrameReader::new(framed.as_slice(), Limits::default());
    match reader.next_frame() {
        Ok(Some(Frame::Body(read))) => assert_eq!(read, body),
        other => panic!("a written frame reads as {other:?}"),
    }
    assert_eq!(Message::parse(&body).as_ref(), Ok(message));
}

/// Bytes as a WordPress export, after a first byte that sets the size of its parts: read in
/// parts (`wxr_parts`), it gives the posts, every string's map to the file, the errors and the
/// stop of the file read whole; every offset lies inside the file; and the bytes parsed, the
/// start tags each part is read behind included, stay within three times the file's.
pub fn wxr_parts(data: &[u8]) {
    let Some((&size, file)) = data.split_first() else {
        return;
    };
    let segment = 1 + usize::from(size) * 4;
    let mut whole = WxrView::default();
    whole.add(&wxr::read(file, &wxr::POST_TYPES), 0, 0);
    let (parts, parsed) = read_wxr_in_parts(file, segment);
    assert_eq!(
        parts.posts, whole.posts,
        "posts read in parts of {segment} bytes"
    );
    assert_eq!(
        parts.errors, whole.errors,
        "errors read in parts of {segment} bytes"
    );
    if let Some(past) = whole.offsets.iter().find(|&&at| at > file.len()) {
        panic!(
            "offset {past} is past the end of the file ({} bytes)",
            file.len()
        );
    }
    assert!(
        parsed <= 3 * file.len() + 3,
        "{parsed} bytes parsed for a file of {}",
        file.len()
    );
}

/// What reading an export gave, as lines to compare, and every file offset it holds.
#[derive(Debug, Default)]
struct WxrView {
    posts: Vec<String>,
    errors: Vec<String>,
    offsets: Vec<usize>,
}

impl WxrView {
    /// Adds what one part gave; its offsets past `prefix_len` are file offsets less `shift`.
    fn add(&mut self, file: &wxr::WxrFile<'_>, prefix_len: usize, shift: usize) {
        for post in &file.posts {
            self.node(post, shift);
        }
        for error in file.errors.iter().filter(|e| e.span.start >= prefix_len) {
            let span = shift + error.span.start..shift + error.span.end;
            self.offsets.extend([span.start, span.end]);
            self.errors
                .push(format!("error {span:?} {}", error.message));
        }
        if file.stopped {
            self.errors.push("stopped".into());
        }
    }

    fn node(&mut self, node: &Node<'_>, shift: usize) {
        let span = shift + node.span.start..shift + node.span.end;
        self.offsets.extend([span.start, span.end]);
        self.posts.push(format!("node {span:?}"));
        match &node.value {
            Value::String(text) => self.string(text, shift),
            Value::Number(number) => self.posts.push(format!("number {number}")),
            Value::Object(members) => {
                for member in members {
                    self.string(&member.key, shift);
                    self.node(&member.value, shift);
                }
            }
            other => self.posts.push(format!("{other:?}")),
        }
    }

    /// A string, with the file offset of each of its character boundaries.
    fn string(&mut self, text: &JsonStr<'_>, shift: usize) {
        let decoded = text.as_str();
        let boundaries = (decoded.char_indices().map(|(i, _)| i)).chain([decoded.len()]);
        let offsets: Vec<usize> = boundaries.map(|i| shift + text.file_offset(i)).collect();
        self.posts
            .push(format!("string {decoded:?} at {offsets:?}"));
        self.offsets.extend(offsets);
    }
}

/// Reads an export in parts as the engine does; also returns how many bytes were parsed.
fn read_wxr_in_parts(file: &[u8], segment: usize) -> (WxrView, usize) {
    let mut parts = WxrParts::new(file, segment, usize::MAX);
    let mut view = WxrView::default();
    let mut parsed = 0;
    loop {
        let part = match parts.next_part() {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(error) => panic!("reading from memory without a limit failed: {error}"),
        };
        parsed += part.text.len();
        let (len, last, prefix_len) = (part.bytes().len(), part.last, part.prefix_len);
        let shift = part.base - prefix_len;
        let mut read = wxr::read_part(part.text, &wxr::POST_TYPES, part.carried, last);
        view.add(&read, prefix_len, shift);
        if read.stopped || last {
            break;
        }
        let open_tags = std::mem::take(&mut read.open_tags);
        let carried = std::mem::take(&mut read.carried);
        drop(read);
        parts.consume(len, open_tags, carried);
    }
    (view, parsed)
}
