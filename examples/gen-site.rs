//! `cargo run --release --example gen-site -- OUT_DIR POSTS [--files N] [--sites S] [--seed N]`:
//! writes POSTS small posts (about 570 bytes each) as N NDJSON files (default 300) of S sites
//! (default 10), for the site phase's scale measurement (`--memory-budget`). File `f` belongs to
//! site `f % S`, so the sites interleave in the run's order; every kind of site finding occurs.

// Only its random numbers are used here.
#[allow(dead_code)]
#[path = "../benches/support/generator.rs"]
mod generator;
#[path = "../benches/support/site.rs"]
mod site;

fn flag(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(posts)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: gen-site OUT_DIR POSTS [--files N] [--sites S] [--seed N]");
        std::process::exit(2);
    };
    let shape = (flag(&args, "--files", 300), flag(&args, "--sites", 10));
    let seed = flag(&args, "--seed", 2024);
    match site::write_site(std::path::Path::new(dir), posts, shape, seed) {
        Ok(written) => eprintln!("wrote {written} posts to {dir}"),
        Err(error) => {
            eprintln!("cannot write {dir}: {error}");
            std::process::exit(2);
        }
    }
}
