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
