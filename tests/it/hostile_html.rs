//! HTML crafted against the HTML index and the empty-element rules: element names whose FNV
//! hashes collide (the names are the post's, so a map keyed by them must be seeded), and
//! paragraphs and headings full of empty spans. Each costs about what the same number of
//! plain elements costs (CPU time of a whole process, so that a busy machine moves it little).

use std::ffi::OsStr;
use std::path::Path;

use crate::common::long_runs::{self, Cost};

const CPU_CAP_SECONDS: u64 = 300;

/// Lints `html` as one post's content, with the default rules on one thread.
fn lint_content(dir: &Path, name: &str, html: &str) -> Cost {
    let input = dir.join(format!("{name}.json"));
    let post =
        serde_json::json!({"id": 1, "title": {"rendered": "T"}, "content": {"rendered": html}});
    std::fs::write(&input, post.to_string()).expect("write the post");
    let args: [&OsStr; 9] = [
        "check".as_ref(),
        "--no-config".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
        "--fail-on".as_ref(),
        "never".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        input.as_os_str(),
    ];
    let binary = Path::new(env!("CARGO_BIN_EXE_postlint"));
    let cost = long_runs::cpu_time_of(binary, &args, CPU_CAP_SECONDS);
    assert_eq!(cost.code, 0, "{name}: postlint failed or was killed");
    cost
}

/// Asserts that `crafted` costs at most four times `plain` (quadratic work costs ten times and
/// more at these sizes).
fn assert_costs_alike(dir: &Path, plain: &str, crafted: &str) {
    let plain_cost = lint_content(dir, "plain", plain);
    let crafted_cost = lint_content(dir, "crafted", crafted);
    assert!(
        crafted_cost.cpu <= plain_cost.cpu * 4,
        "crafted {:?}, plain {:?}",
        crafted_cost.cpu,
        plain_cost.cpu
    );
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x100_0000_01b3;
/// The low bits a hash table of up to a million slots takes its slot from.
const LOW_BITS: u32 = 20;
const LOW: u64 = (1 << LOW_BITS) - 1;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn fnv_step(state: u64, byte: u8) -> u64 {
    ((state ^ u64::from(byte)).wrapping_mul(FNV_PRIME)) & LOW
}

/// `count` element names whose FNV-1a hashes, as a `str` is hashed (its bytes, then 0xFF),
/// agree in their low 20 bits: a prefix of its own, then the four letters that lead from the
/// prefix's state to the target (a table of the states each suffix needs, walked backwards).
fn colliding_names(count: usize) -> Vec<String> {
    let inverse = (0..LOW_BITS).fold(1u64, |inv, _| {
        inv.wrapping_mul(2u64.wrapping_sub(FNV_PRIME.wrapping_mul(inv)))
    }) & LOW;
    let back = |state: u64, byte: u8| ((state.wrapping_mul(inverse)) & LOW) ^ u64::from(byte);
    let target = 0x12345 & LOW;
    let before_end = back(target, 0xFF);
    let mut suffix_for: Vec<Option<[u8; 4]>> = vec![None; 1 << LOW_BITS];
    for &a in ALPHABET {
        for &b in ALPHABET {
            for &c in ALPHABET {
                for &d in ALPHABET {
                    let needed = back(back(back(back(before_end, d), c), b), a);
                    suffix_for[needed as usize].get_or_insert([a, b, c, d]);
                }
            }
        }
    }
    (1..)
        .filter_map(|i: u64| {
            let prefix = format!("x{i:x}");
            let state = prefix.bytes().fold(FNV_OFFSET & LOW, fnv_step);
            let suffix = suffix_for[state as usize]?;
            Some(prefix + std::str::from_utf8(&suffix).ok()?)
        })
        .take(count)
        .collect()
}

fn elements(names: impl Iterator<Item = String>) -> String {
    let elements: String = names.map(|n| format!("<{n}></{n}>")).collect();
    format!("<div>{elements}</div>")
}

#[test]
fn element_names_whose_fnv_hashes_collide_cost_what_others_do() {
    let count = 40_000;
    let crafted = colliding_names(count);
    let state = |name: &String| name.bytes().chain([0xFF]).fold(FNV_OFFSET & LOW, fnv_step);
    assert!(crafted.iter().all(|n| state(n) == state(&crafted[0])));
    let plain = (1..=count).map(|i| format!("x{i:x}zzzz"));
    let dir = tempfile::tempdir().expect("temp dir");
    assert_costs_alike(dir.path(), &elements(plain), &elements(crafted.into_iter()));
}

/// A paragraph (or heading) of many empty spans: whether it is an empty paragraph that takes
/// its spans into its own finding is decided once, not once for each span.
#[test]
fn a_paragraph_of_many_empty_spans_costs_what_many_paragraphs_do() {
    let count = 20_000;
    let plain = "<p><span></span></p>".repeat(count);
    let one_paragraph = format!("<p>{}</p>", "<span></span>".repeat(count));
    let one_heading = format!("<h2>{}</h2>", "<span></span>".repeat(count));
    let dir = tempfile::tempdir().expect("temp dir");
    assert_costs_alike(dir.path(), &plain, &one_paragraph);
    assert_costs_alike(dir.path(), &plain, &one_heading);
}

/// Paragraphs of an empty span among many comments: whether each paragraph holds a comment
/// (asked for the paragraph and for its span) is a search of the field's comments, not a scan
/// of all of them each time.
#[test]
fn empty_paragraphs_among_many_comments_cost_what_they_do_among_elements() {
    let count = 30_000;
    let plain = "<p><span></span></p><b>c</b>".repeat(count);
    let crafted = "<p><span></span></p><!-- c -->".repeat(count);
    let dir = tempfile::tempdir().expect("temp dir");
    assert_costs_alike(dir.path(), &plain, &crafted);
}

/// The bytes the index's tables have room for.
fn room(index: &postlint::html::HtmlIndex) -> usize {
    use postlint::html::{Attribute, Element, Text};
    index.elements.capacity() * std::mem::size_of::<Element>()
        + index.attributes.capacity() * std::mem::size_of::<Attribute>()
        + index.texts.capacity() * std::mem::size_of::<Text>()
        + index.text_buffer.capacity()
        + index.values.capacity()
}

#[test]
fn a_field_of_one_long_value_gets_the_room_its_content_takes() {
    // The index had room for an element every 64 bytes of the field, and more: 16 MB of one
    // attribute value, of `<` or of NUL made it reserve about 100 MB.
    let long = 16 << 20;
    for (name, html) in [
        ("value", format!("<p title=\"{}\">x</p>", "a".repeat(long))),
        ("less-than", format!("<p>{}</p>", "<".repeat(long))),
        ("nul", format!("<p>{}</p>", "\0".repeat(long))),
    ] {
        let index = postlint::html::HtmlIndex::parse(&html);
        let room = room(&index);
        assert!(room < 3 * long, "{name}: room for {room} bytes");
    }
}

/// Lints `posts` as one NDJSON file on one thread: each finding of post `id` as its rule,
/// message, field, column, the text it spans, and its fix's edits as offsets in the post's line.
fn findings_of(dir: &Path, posts: &[serde_json::Value], id: u64) -> Vec<String> {
    let input = dir.join("posts.ndjson");
    let lines: Vec<String> = posts.iter().map(ToString::to_string).collect();
    std::fs::write(&input, lines.join("\n")).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .args([
            "check",
            "--no-config",
            "--threads",
            "1",
            "--fail-on",
            "never",
        ])
        .args(["--now", "2026-12-01T00:00:00Z", "--format", "json"])
        .arg(&input)
        .output()
        .expect("run");
    let text = std::fs::read(&input).expect("read");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a report");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let of_post = diagnostics.iter().filter(|d| d["post"]["id"] == id);
    of_post
        .map(|d| {
            let span = &d["span"];
            let line_start =
                span["offset"].as_u64().unwrap_or(0) - (span["column"].as_u64().unwrap_or(1) - 1);
            let edits: Vec<String> = (d["fix"]["edits"].as_array().into_iter().flatten())
                .map(|e| {
                    let at = e["offset"].as_u64().unwrap_or(0) - line_start;
                    format!("{at}+{}={}", e["length"], e["content"])
                })
                .collect();
            let at = span["offset"].as_u64().unwrap_or(0) as usize;
            let spanned = text.get(at..at + span["length"].as_u64().unwrap_or(0) as usize);
            let spanned = String::from_utf8_lossy(spanned.unwrap_or_default());
            let fields = [&d["rule"], &d["message"], &d["field"], &span["column"]];
            format!("{fields:?} `{spanned}` {edits:?} {}", d["labels"])
        })
        .collect()
}

fn post(id: u64, html: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "slug": format!("p{id}"), "status": "publish", "type": "post",
        "link": format!("https://x.example/p{id}/"), "title": { "rendered": format!("T{id}") },
        "content": { "rendered": html }, "excerpt": { "rendered": html },
    })
}

#[test]
fn a_post_after_hostile_ones_is_linted_as_if_alone() {
    // The open-element stack is kept from field to field on a thread: what a field left open,
    // 100,000 deep, must not reach the next post.
    let tiny = "<p>a <b>b</p> <a href=\"htps://x.example/\">y</a></i> <span></span><h4></h4> \
        <p><a href=x>Se</a><a href=x>oul</a></p><ul><li>x</ul><!-- c --><p></p>";
    let deep = format!(
        "<div><h2><a href=x><p><i>{}text <code>",
        "<span><b>".repeat(50_000)
    );
    let hostile = [
        post(1, &deep),
        post(
            3,
            &format!(
                "<table><tr><td><select><option>{}",
                "<svg><math>".repeat(1000)
            ),
        ),
        post(4, &format!("<p>{}<template><p>", "<a href=z>".repeat(1000))),
        post(2, tiny),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let alone = findings_of(dir.path(), &[post(2, tiny)], 2);
    assert_eq!(alone.len(), 11, "{alone:#?}");
    assert_eq!(findings_of(dir.path(), &hostile, 2), alone);
}

#[test]
fn duplicate_attributes_are_dropped_as_browsers_drop_them() {
    // The first of an attribute counts; a finding points at it, whatever follows.
    let many: String = (0..300)
        .map(|i| format!(" href=\"htps://e.example/{i}\""))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    for (html, flagged) in [
        (
            "<p><a href=\"htps://x.example/\" href=\"https://ok.example/\">x</a></p>",
            true,
        ),
        (
            "<p><a href=\"https://ok.example/\" href=\"htps://x.example/\">x</a></p>",
            false,
        ),
        (
            "<p><a HREF=\"htps://x.example/\" title=1 href=ok title=2>x</a></p>",
            true,
        ),
        (
            &format!("<p><a href=\"htps://x.example/\"{many}>x</a></p>"),
            true,
        ),
    ] {
        let found = findings_of(dir.path(), &[post(1, html)], 1);
        let malformed: Vec<&String> = found
            .iter()
            .filter(|f| f.contains("link-malformed"))
            .collect();
        // Twice (content and excerpt) when flagged, at the first `href`'s value.
        assert_eq!(
            malformed.len(),
            if flagged { 2 } else { 0 },
            "{html}: {found:#?}"
        );
        for finding in malformed {
            assert!(finding.contains("`htps://x.example/`"), "{html}: {finding}");
        }
    }
}
