//! `cargo run --release --example gen-corpus -- OUT.ndjson 1G [--array] [--seed N]`: writes
//! realistic posts for benchmarks, so the 1 GB cases need no download.

#[path = "../benches/support/generator.rs"]
mod generator;

use std::io::BufWriter;

fn size(text: &str) -> Option<u64> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number.parse().ok()?;
    let scale = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1 << 10,
        "M" | "MB" => 1 << 20,
        "G" | "GB" => 1 << 30,
        _ => return None,
    };
    Some(number * scale)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(bytes)) = (args.first(), args.get(1).and_then(|s| size(s))) else {
        eprintln!("usage: gen-corpus OUT SIZE [--array] [--seed N]   (SIZE like 100M or 1G)");
        std::process::exit(2);
    };
    let array = args.iter().any(|a| a == "--array");
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(2024);
    let file = match std::fs::File::create(path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("cannot create {path}: {error}");
            std::process::exit(2);
        }
    };
    match generator::write_corpus(&mut BufWriter::new(file), bytes, array, seed) {
        Ok(posts) => eprintln!("wrote {posts} posts to {path}"),
        Err(error) => {
            eprintln!("cannot write {path}: {error}");
            std::process::exit(2);
        }
    }
}
