//! What a rule reports: a code, a severity, words for the user and byte ranges in the file.
//! Rules never render; lines and columns are resolved once per file, after sorting.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::meta::RuleMeta;
pub use crate::meta::Severity;
use crate::source::{LineCol, ResolvedSpan};

/// Which post a diagnostic is about, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostRef {
    /// Position of the post in its file, from 0.
    pub index: usize,
    pub id: Option<i64>,
    #[serde(serialize_with = "serialize_link")]
    pub link: Option<String>,
    /// `title.rendered` as a reader sees it: tags removed, entities decoded. Reports show at
    /// most [`MAX_SHOWN_CHARS`] of it.
    #[serde(serialize_with = "serialize_elided")]
    pub title: Option<String>,
    /// The root URL of the post's site (`https://example.com/es/`, see `site_root::site_root`), for
    /// its WordPress edit link. Reports that show it list it with the post, not per finding.
    #[serde(skip)]
    pub site: Option<String>,
    /// The post's `status` (`draft`, `future`, …), at most [`MAX_STATUS_CHARS`] of it:
    /// reports badge the posts readers cannot see yet.
    #[serde(skip)]
    pub status: Option<String>,
    /// Where the post's body is in the file, for the HTML report's view of it.
    #[serde(skip)]
    pub body: Option<Body>,
}

/// The longest status kept: WordPress's are a word (`publish`, `future`, a plugin's own).
pub const MAX_STATUS_CHARS: usize = 40;

/// Where a post's body is in its file: the text between the quotes of its JSON string, and
/// whether that is what readers get (`content.rendered`) or only what the author wrote (the
/// only body WP-CLI and WXR hold).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Body {
    pub range: Range<usize>,
    pub rendered: bool,
    /// Whether the post also holds its text as written beside what readers get (REST's
    /// `content.raw`: it was read signed in, with `context=edit`).
    #[serde(default)]
    pub signed_in: bool,
}

/// A further place the diagnostic concerns, such as the first of two duplicate links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub range: Range<usize>,
    pub message: Text,
}

/// Words for the user: most are fixed text, so they cost no allocation per finding (a run can
/// hold a million findings); the rest are shared, so that a rule writing the same words for
/// many findings holds them once ([`Text::shared`]).
#[derive(Clone)]
pub enum Text {
    Fixed(&'static str),
    Shared(Arc<str>),
}

/// How many texts each thread remembers to share: a rule writes a few texts for a finding.
const RECENT_TEXTS: usize = 64;

thread_local! {
    /// The texts this thread made lately, by their hash.
    static RECENT: std::cell::RefCell<Vec<Option<Arc<str>>>> =
        std::cell::RefCell::new(vec![None; RECENT_TEXTS]);
}

impl Text {
    /// `text`, shared with the same words made lately on this thread if there are any: a
    /// post of 700,000 misnested tags made three texts for each, all alike.
    pub fn shared(text: &str) -> Self {
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(text);
        let slot = (hash % RECENT_TEXTS as u64) as usize;
        let shared = RECENT.with_borrow_mut(|recent| match recent.get_mut(slot) {
            Some(Some(earlier)) if &**earlier == text => earlier.clone(),
            Some(place) => place.insert(Arc::from(text)).clone(),
            None => Arc::from(text),
        });
        Text::Shared(shared)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Fixed(text) => text,
            Text::Shared(text) => text,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Self {
        Text::Fixed(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text::shared(&text)
    }
}

impl From<Cow<'static, str>> for Text {
    fn from(text: Cow<'static, str>) -> Self {
        match text {
            Cow::Borrowed(fixed) => Text::Fixed(fixed),
            Cow::Owned(owned) => Text::shared(&owned),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The most characters of words for the user that a finding keeps in one place (its message,
/// help, a label, the post's title): a rule that quotes the input (a URL, a shortcode's name,
/// a pattern's match) must not make each finding as long as the input.
pub const MAX_SHOWN_CHARS: usize = 400;

/// `text`, or when longer than `max` characters its start and its end around a `…` that says
/// how much was left out.
pub fn elided(text: &str, max: usize) -> Cow<'_, str> {
    // Bytes bound characters from above: most text is not looked through at all.
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let Some((head_end, _)) = text.char_indices().nth(max / 2) else {
        return Cow::Borrowed(text);
    };
    let tail_chars = max - max / 2;
    let Some((tail_start, _)) = text.char_indices().rev().nth(tail_chars.saturating_sub(1)) else {
        return Cow::Borrowed(text);
    };
    if tail_start <= head_end {
        return Cow::Borrowed(text);
    }
    let left_out = bytesize::ByteSize::b((tail_start - head_end) as u64);
    Cow::Owned(format!(
        "{}…[{left_out} left out]…{}",
        &text[..head_end],
        &text[tail_start..]
    ))
}

/// Words for the user, elided past [`MAX_SHOWN_CHARS`].
fn bounded(text: impl Into<Text>) -> Text {
    let text = text.into();
    let short = match elided(&text, MAX_SHOWN_CHARS) {
        Cow::Borrowed(_) => None,
        Cow::Owned(short) => Some(short),
    };
    short.map_or(text, Text::from)
}

fn serialize_elided<S: serde::Serializer>(
    text: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    text.as_deref()
        .map(|t| elided(t, MAX_SHOWN_CHARS))
        .serialize(serializer)
}

/// A post's link as reports give it: longer than any address a browser keeps, it is elided
/// like other text (and no longer a link).
fn serialize_link<S: serde::Serializer>(
    link: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    link.as_deref()
        .map(|l| elided(l, MAX_LINK_CHARS))
        .serialize(serializer)
}

/// Longer than the longest URL browsers and servers commonly accept.
pub const MAX_LINK_CHARS: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: Text,
    pub help: Option<Text>,
    pub post: Option<Arc<PostRef>>,
    /// The JSON path of the field holding the span (`content.rendered`), if any.
    pub field: Option<&'static str>,
    /// The offending bytes of the file.
    pub range: Range<usize>,
    /// Text on the primary label in the graphical report.
    pub label: Option<Text>,
    pub secondary: Vec<Label>,
    /// How `--fix` can mend it, if it can (boxed: most findings have none).
    pub fix: Option<Box<Fix>>,
    /// What the link checker saw of the target, for a finding of the link phase.
    pub link: Option<Box<LinkDetails>>,
}

/// What the link checker saw of a link's target, as the JSON report gives it to dashboards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkDetails {
    /// The target as requested (without its fragment).
    pub url: String,
    /// Where the redirects ended, and what it answered; null when nothing answered.
    pub final_url: Option<String>,
    pub status: Option<u16>,
    /// Each redirect on the way: the URL asked and the status it answered.
    pub redirects: Vec<LinkHop>,
    /// The archived copy nearest the post's date, if one was found.
    pub archived: Option<ArchivedCopy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkHop {
    pub url: String,
    pub status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchivedCopy {
    pub url: String,
    /// `YYYYMMDDhhmmss`, as the archive writes it.
    pub timestamp: String,
}

/// Byte edits of the file that mend a finding, with replacement text already written in the
/// file's own JSON style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, for `--diff` and the reports.
    pub message: Text,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applied by `--fix`: it cannot change what the author meant.
    Safe,
    /// Applied only with `--unsafe-fixes`: right in most cases, worth a look.
    Unsafe,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The bytes of the file replaced (empty to insert).
    #[serde(skip)]
    pub range: Range<usize>,
    pub offset: usize,
    pub length: usize,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Self {
        Self {
            offset: range.start,
            length: range.end - range.start,
            range,
            content: content.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Self {
        Self::replace(range, "")
    }
}

impl Diagnostic {
    pub fn with_fix(
        mut self,
        applicability: Applicability,
        message: impl Into<Text>,
        edits: Vec<Edit>,
    ) -> Self {
        self.fix = Some(Box::new(Fix {
            applicability,
            message: bounded(message),
            edits,
        }));
        self
    }

    pub fn new(meta: &RuleMeta, range: Range<usize>, message: impl Into<Text>) -> Self {
        Self::for_rule(meta.code, meta.severity, range, message)
    }

    pub fn for_rule(
        rule: &'static str,
        severity: Severity,
        range: Range<usize>,
        message: impl Into<Text>,
    ) -> Self {
        Self {
            rule,
            severity,
            message: bounded(message),
            help: None,
            post: None,
            field: None,
            range,
            label: None,
            secondary: Vec::new(),
            fix: None,
            link: None,
        }
    }

    pub fn with_link(mut self, link: LinkDetails) -> Self {
        self.link = Some(Box::new(link));
        self
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(bounded(help));
        self
    }

    pub fn with_label(mut self, label: impl Into<Text>) -> Self {
        self.label = Some(bounded(label));
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_secondary(mut self, range: Range<usize>, message: impl Into<Text>) -> Self {
        // Room for this one alone: a first push makes room for four, and most have one.
        self.secondary.reserve_exact(1);
        self.secondary.push(Label {
            range,
            message: bounded(message),
        });
        self
    }

    /// The order reports use: position in the file, then rule code.
    pub fn sort_key(&self) -> (usize, &'static str, usize, &str) {
        (self.range.start, self.rule, self.range.end, &self.message)
    }
}

/// Moves `found` to the end of `out`, taking it whole when `out` is empty: a post's findings
/// pass from a rule to the walk to the engine, and copying each time made a post of many
/// findings hold two copies of them.
pub fn append(out: &mut Vec<Diagnostic>, mut found: Vec<Diagnostic>) {
    if out.is_empty() {
        *out = found;
    } else {
        out.append(&mut found);
    }
}

/// A diagnostic with its line and column resolved, ready for any report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    pub span: ResolvedSpan,
    /// The spans of `diagnostic.secondary`, in the same order.
    pub secondary: Vec<ResolvedSpan>,
    /// FNV-1a of the rule code and the offending bytes: stable across edits elsewhere in the
    /// file, for baselines and SARIF fingerprints.
    pub fingerprint: u64,
}

impl Finding {
    /// A finding that points at a place rather than at bytes (an empty file, a post too large
    /// to read), already resolved to `point`.
    pub fn at_point(diagnostic: Diagnostic, point: LineCol) -> Self {
        let span = ResolvedSpan::new(diagnostic.range.clone(), point, point);
        let fingerprint = fingerprint(diagnostic.rule, b"");
        Self {
            diagnostic,
            span,
            secondary: Vec::new(),
            fingerprint,
        }
    }
}

/// The fingerprint of a finding: its rule and the bytes it points at.
pub fn fingerprint(rule: &str, offending: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(rule.as_bytes());
    hasher.write_u8(0);
    hasher.write(offending);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_keep_their_start_and_end() {
        assert_eq!(elided("short", 10), "short");
        let long = format!("start{}end", "é".repeat(1000));
        let shown = elided(&long, 20);
        assert!(shown.starts_with("startéééé"), "{shown}");
        assert!(shown.ends_with("éend"), "{shown}");
        assert!(shown.contains("left out"), "{shown}");
        assert!(shown.chars().count() < 60, "{shown}");
        let message = Diagnostic::for_rule("r", Severity::Error, 0..1, long);
        assert!(message.message.len() < 2 * MAX_SHOWN_CHARS + 64);
    }

    #[test]
    fn alike_words_made_for_many_findings_are_held_once() {
        let made: Vec<Diagnostic> = (0..3)
            .map(|i| {
                let name = "i";
                Diagnostic::for_rule("r", Severity::Error, i..i + 1, format!("`</{name}>` late"))
                    .with_help(format!("close `<{name}>` first"))
            })
            .collect();
        let held_once = |text: Option<&Text>, first: Option<&Text>| match (text, first) {
            (Some(Text::Shared(text)), Some(Text::Shared(first))) => Arc::ptr_eq(text, first),
            _ => false,
        };
        for found in &made[1..] {
            assert!(held_once(Some(&found.message), Some(&made[0].message)));
            assert!(held_once(found.help.as_ref(), made[0].help.as_ref()));
        }
        assert_eq!(made[2].help.as_deref(), Some("close `<i>` first"));
    }

    #[test]
    fn a_second_place_takes_room_for_itself_alone() {
        let found = Diagnostic::for_rule("r", Severity::Error, 0..1, "m").with_secondary(2..3, "n");
        assert_eq!(found.secondary.capacity(), 1);
    }

    #[test]
    fn findings_appended_to_none_are_taken_whole() {
        let found: Vec<Diagnostic> = (0..3)
            .map(|i| Diagnostic::for_rule("r", Severity::Error, i..i + 1, "m"))
            .collect();
        let at = found.as_ptr();
        let mut out = Vec::new();
        append(&mut out, found);
        assert_eq!(out.as_ptr(), at);
        append(
            &mut out,
            vec![Diagnostic::for_rule("s", Severity::Info, 9..9, "n")],
        );
        let rules: Vec<&str> = out.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["r", "r", "r", "s"]);
    }
}
