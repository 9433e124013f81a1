//! Writes a large archive of small posts for the site phase's scale measurement
//! (`--memory-budget`): many NDJSON files, several sites interleaved in the run's order, and
//! every kind of site finding (duplicate slugs and titles, internal links to missing posts and
//! to drafts, a few posts whose offset is another zone's). Shared by the benchmark and by
//! `cargo run --example gen-site`.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::generator::Rng;

/// One small post of site `site`; `id` is unique within the site.
pub fn post(rng: &mut Rng, site: u64, id: u64, posts_of_site: u64) -> String {
    let host = format!("site{site}.example.com");
    let day = 2 + rng.below(27);
    let hour = rng.below(24);
    // Site 0 is in +09:00; one post in 5,000 of it has the offset of another zone.
    let offset = if site == 0 && rng.below(5_000) == 0 {
        5
    } else {
        9
    };
    let local = format!("2024-07-{day:02}T{hour:02}:{:02}:00", rng.below(60));
    let gmt_hour = (hour + 24 - offset) % 24;
    let gmt_day = if hour < offset { day - 1 } else { day };
    let gmt = format!("2024-07-{gmt_day:02}T{gmt_hour:02}:{}", &local[14..]);
    // One post in 10,000 reuses the slug of the post before it, one in 2,000 its title.
    let slug_id = if id > 1 && rng.below(10_000) == 0 {
        id - 1
    } else {
        id
    };
    let title_id = if id > 1 && rng.below(2_000) == 0 {
        id - 1
    } else {
        id
    };
    let status = if rng.below(1_000) == 0 {
        "draft"
    } else {
        "publish"
    };
    // A link to another post of the site, now and then to one that does not exist.
    let target = if rng.below(500) == 0 {
        posts_of_site + 1 + rng.below(1_000)
    } else {
        1 + rng.below(posts_of_site)
    };
    format!(
        concat!(
            r#"{{"id":{id},"date":"{local}","date_gmt":"{gmt}","modified":"{local}","#,
            r#""modified_gmt":"{gmt}","slug":"post-{slug_id}","status":"{status}","type":"post","#,
            r#""link":"https:\/\/{host}\/post-{id}\/","guid":{{"rendered":"https:\/\/{host}\/?p={id}"}},"#,
            r#""title":{{"rendered":"Post {title_id} on the market"}},"#,
            r#""content":{{"rendered":"<p>The minister signed it. See <a href=\"https:\/\/{host}\/post-{target}\/\">the earlier report<\/a>.<\/p>\n","protected":false}},"#,
            r#""excerpt":{{"rendered":"<p>The minister signed it.<\/p>\n","protected":false}}}}"#
        ),
        id = id,
        local = local,
        gmt = gmt,
        slug_id = slug_id,
        status = status,
        host = host,
        title_id = title_id,
        target = target,
    )
}

/// Writes `posts` posts in `files` NDJSON files under `dir`; file `f` belongs to site
/// `f % sites`. Returns how many were written.
pub fn write_site(
    dir: &Path,
    posts: u64,
    (files, sites): (u64, u64),
    seed: u64,
) -> std::io::Result<u64> {
    let files = files.max(1);
    let sites = sites.clamp(1, files);
    let mut rng = Rng::new(seed);
    std::fs::create_dir_all(dir)?;
    let per_file = posts.div_ceil(files);
    let posts_of_site = per_file * files.div_ceil(sites);
    let mut next_id = vec![1u64; sites as usize];
    let mut written = 0;
    for f in 0..files {
        let site = f % sites;
        let path = dir.join(format!("posts-{f:04}.ndjson"));
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        for _ in 0..per_file.min(posts - written) {
            let id = &mut next_id[site as usize];
            writeln!(out, "{}", post(&mut rng, site, *id, posts_of_site))?;
            *id += 1;
            written += 1;
        }
        out.flush()?;
    }
    Ok(written)
}
