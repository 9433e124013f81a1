//! Writes realistic WordPress posts (as the REST API exports them) from a fixed seed: paragraphs,
//! spans, links, headings, images, escapes (`\/`, `\u2019`, emoji), sized like the real corpus,
//! with a few defects sprinkled in so every rule has work. Shared by the benchmark and by
//! `cargo run --example gen-corpus`.

use std::io::Write;

/// A small deterministic generator (xorshift): no dependency, the same posts on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

const WORDS: [&str; 24] = [
    "officials",
    "signed",
    "new",
    "guidelines",
    "nuclear",
    "deterrence",
    "alliance",
    "policy",
    "Seoul",
    "Washington",
    "statement",
    "government",
    "economy",
    "market",
    "caf\u{e9}",
    "r\u{e9}sum\u{e9}",
    "analysis",
    "report",
    "minister",
    "it\u{2019}s",
    "\u{201c}quoted\u{201d}",
    "\u{1F600}",
    "data",
    "week",
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let words = 8 + rng.below(18);
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        let word = WORDS[rng.below(WORDS.len() as u64) as usize];
        match rng.below(40) {
            0 => out.push_str(&format!(
                "<a href=\"https://example.org/{}/{}\">{word}</a>",
                rng.below(50),
                rng.below(1000)
            )),
            1 => out.push_str(&format!("<span style=\"font-weight: 400;\">{word}</span>")),
            2 => out.push_str(&format!("<strong>{word}</strong>")),
            3 => out.push_str(&format!("<em>{word}</em>")),
            4 => out.push_str(&format!("{word}&nbsp;&#8211;")),
            _ => out.push_str(word),
        }
    }
    out.push('.');
}

/// The HTML of a post body of about `target` bytes.
pub fn body(rng: &mut Rng, target: usize) -> String {
    let mut out = String::with_capacity(target + 512);
    while out.len() < target {
        match rng.below(12) {
            0 => out.push_str("<h2>Why it matters</h2>\n"),
            1 => out.push_str(&format!("<figure><img src=\"https://news.example.com/wp-content/uploads/2024/{}.jpg\" alt=\"Photo\"></figure>\n", rng.below(999))),
            2 => out.push_str("<p><span style=\"color:red\"></span>A paragraph with a stray end tag</span>.</p>\n"),
            _ => {
                out.push_str("<p>");
                for _ in 0..1 + rng.below(4) {
                    sentence(rng, &mut out);
                    out.push(' ');
                }
                out.push_str("</p>\n");
            }
        }
    }
    out
}

/// One post as a JSON object, escaped the way WordPress writes it (`\/`, `\uXXXX`).
pub fn post(rng: &mut Rng, id: u64, body_bytes: usize) -> String {
    let local = chrono::NaiveDate::from_ymd_opt(2024, 7, 1 + rng.below(28) as u32)
        .and_then(|d| d.and_hms_opt(rng.below(24) as u32, rng.below(60) as u32, 0))
        .expect("a valid date");
    // A site in Asia/Seoul: +09:00, no daylight saving.
    let gmt = local - chrono::Duration::hours(9);
    let format = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let title = format!(
        "Post {id}: {} {}",
        WORDS[rng.below(24) as usize],
        WORDS[rng.below(24) as usize]
    );
    let value = serde_json::json!({
        "id": id,
        "date": format(local),
        "date_gmt": format(gmt),
        "modified": format(local),
        "modified_gmt": format(gmt),
        "slug": format!("post-{id}"),
        "status": "publish",
        "type": "post",
        "link": format!("https://news.example.com/2024/07/post-{id}/"),
        "guid": { "rendered": format!("https://news.example.com/?p={id}") },
        "title": { "rendered": title },
        "content": { "rendered": body(rng, body_bytes), "protected": false },
        "excerpt": { "rendered": "<p>An excerpt of the post.</p>\n", "protected": false },
        "categories": [1 + rng.below(9)],
        "tags": [],
    });
    let text = serde_json::to_string(&value).expect("a post serializes");
    wordpress_escapes(&text)
}

/// `/` as `\/` and every non-ASCII character as `\uXXXX`, like `wp_json_encode`.
fn wordpress_escapes(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 11 / 10);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if (c as u32) < 0x80 => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// Body sizes drawn like the real corpus: mostly a few kilobytes, some long reads.
pub fn body_size(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => 2_000 + rng.below(6_000) as usize,
        6..=8 => 8_000 + rng.below(16_000) as usize,
        _ => 24_000 + rng.below(60_000) as usize,
    }
}

/// Writes posts as NDJSON (one per line) or as one JSON array until `bytes` are written.
pub fn write_corpus(
    out: &mut impl Write,
    bytes: u64,
    array: bool,
    seed: u64,
) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    let mut id = 1;
    if array {
        out.write_all(b"[")?;
    }
    while written < bytes {
        let size = body_size(&mut rng);
        let text = post(&mut rng, id, size);
        if array && id > 1 {
            out.write_all(b",")?;
        }
        out.write_all(text.as_bytes())?;
        if !array {
            out.write_all(b"\n")?;
        }
        written += text.len() as u64 + 1;
        id += 1;
    }
    if array {
        out.write_all(b"]")?;
    }
    Ok(id - 1)
}
