//! Time-zone names from configs, the command line and site indexes, hostile: paths into a zone
//! folder, names of its other files, control characters, megabytes of name. Zones come from the
//! database built into postlint, never from disk; each name it lacks is a config error at its
//! place, and no name costs more than a short one to refuse.

use std::path::Path;
use std::time::{Duration, Instant};

use postlint::zones::Zone;

/// `postlint check` in `dir`, whose `postlint.toml` names `zone`, on one post: its exit code
/// and stderr.
fn check_with_zone(dir: &Path, zone: &str) -> (Option<i32>, String) {
    let value = toml::Value::String(zone.to_owned());
    std::fs::write(dir.join("postlint.toml"), format!("timezone = {value}\n")).expect("config");
    let post = serde_json::json!({
        "id": 1,
        "date": "2024-01-01T10:00:00",
        "date_gmt": "2024-01-01T01:00:00",
        "slug": "a",
        "status": "publish",
        "type": "post",
        "title": { "rendered": "A" },
        "content": { "rendered": "<p>A.</p>" },
    });
    std::fs::write(dir.join("post.json"), post.to_string()).expect("post");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_postlint"))
        .current_dir(dir)
        .args(["check", "--color", "never", "post.json"])
        .output()
        .expect("run");
    let told = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), told)
}

#[test]
fn names_that_lead_outside_the_zone_database_are_config_errors_at_their_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "../../etc/passwd",
        "/usr/share/zoneinfo/Asia/Seoul",
        "Asia/../Asia/Seoul",
        "Asia/Seoul\0",
        "Asia\u{2028}Seoul",
        "zone1970.tab",
        "tzdata.zi",
        "leapseconds",
        "posixrules",
        "localtime",
        "right/UTC",
        "posix/Asia/Seoul",
        "",
    ] {
        let (code, told) = check_with_zone(dir.path(), name);
        assert_eq!(code, Some(2), "{name:?}: {told}");
        assert!(told.contains("is not an IANA time zone name"), "{told}");
        assert!(
            told.contains("postlint.toml:1:12"),
            "{name:?}, at its place: {told}"
        );
    }
    let (code, told) = check_with_zone(dir.path(), "Asia/Seoul");
    assert_eq!(code, Some(0), "{told}");
}

/// The median time of `refuse` over five calls.
fn median(refuse: impl Fn()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            refuse();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

#[test]
fn a_name_of_megabytes_costs_what_a_short_unknown_name_costs() {
    let short = median(|| assert!(Zone::from_name("Asia/Seol").is_err()));
    // Each known name was compared with the whole of it for a "did you mean": seconds per
    // 100 KB. A site's index may hold 64 MiB of it.
    let long = format!("Asia/Seoul{}", "x".repeat(1 << 20));
    let refused = median(|| {
        let unknown = Zone::from_name(&long).expect_err("unknown");
        assert_eq!(unknown.suggestion, None);
    });
    assert!(refused < short * 20, "{refused:?} against {short:?}");
    let index = serde_json::json!({ "timezone_string": long, "gmt_offset": 9 });
    let adopted = median(|| {
        let zone = postlint::config::zone_from_index(&index);
        assert_eq!(zone, Some(Zone::Fixed(9 * 3600)));
    });
    assert!(adopted < short * 20, "{adopted:?} against {short:?}");
}

#[test]
fn a_misspelt_name_still_gets_its_suggestion() {
    let unknown = Zone::from_name("Europe/Madird").expect_err("unknown");
    assert_eq!(unknown.suggestion, Some("Europe/Madrid"));
    let unknown = Zone::from_name("America/Argentina/ComodRivadavi").expect_err("unknown");
    assert_eq!(unknown.suggestion, Some("America/Argentina/ComodRivadavia"));
}
