//! `--fix`: byte-exact edits in the file's own JSON style, idempotent, refusing what would break
//! the file or add a finding, and never overwriting a file that changed meanwhile.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use postlint::config::Config;
use postlint::engine::{LintOptions, Linter};
use postlint::fix::{self, FixOptions};

fn copy_to_temp(name: &str, dir: &Path) -> PathBuf {
    let target = dir.join(name.replace(".before", ""));
    std::fs::copy(crate::common::fixture(&format!("fix/{name}")), &target).expect("copy");
    target
}

fn postlint(dir: &Path, args: &[&str]) -> std::process::Output {
    crate::common::postlint()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("run")
}

fn assert_fixed(case: &str, args: &[&str], config: Option<&str>) {
    let dir = tempfile::tempdir().expect("temp dir");
    if let Some(config) = config {
        std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    }
    let file = copy_to_temp(&format!("{case}.before.json"), dir.path());
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_owned();
    let mut full: Vec<&str> = args.to_vec();
    full.push(&name);
    postlint(dir.path(), &full);
    let expected =
        std::fs::read(crate::common::fixture(&format!("fix/{case}.after.json"))).expect("expected");
    let got = std::fs::read(&file).expect("fixed");
    assert!(
        got == expected,
        "{case}:\n{}\n!=\n{}",
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected)
    );
    // A second run has nothing left to fix.
    let again = postlint(
        dir.path(),
        &[&["--diff"], args]
            .concat()
            .iter()
            .copied()
            .filter(|a| *a != "--fix")
            .chain([name.as_str()])
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "{case}: {}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert!(again.stdout.is_empty());
}

#[test]
fn markup_fixes_in_both_json_styles() {
    for style in ["wordpress", "pretty"] {
        assert_fixed(&format!("{style}_markup"), &["--fix"], Some(""));
    }
}

#[test]
fn gmt_dates_are_fixed_only_from_a_configured_zone() {
    for style in ["wordpress", "pretty"] {
        assert_fixed(
            &format!("{style}_dates"),
            &["--fix"],
            Some("timezone = \"Asia/Seoul\"\n"),
        );
    }
    // Without a zone, the pair is not impossible and nothing is touched.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), "").expect("config");
    let file = copy_to_temp("wordpress_dates.before.json", dir.path());
    let before = std::fs::read(&file).expect("read");
    postlint(dir.path(), &["--fix", "wordpress_dates.json"]);
    assert_eq!(std::fs::read(&file).expect("read"), before);
}

#[test]
fn unsafe_fixes_need_their_flag() {
    let config = "https-only-hosts = [\"news.example.com\"]\n";
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), config).expect("config");
    let file = copy_to_temp("wordpress_unsafe.before.json", dir.path());
    let before = std::fs::read(&file).expect("read");
    postlint(dir.path(), &["--fix", "wordpress_unsafe.json"]);
    assert_eq!(
        std::fs::read(&file).expect("read"),
        before,
        "--fix alone leaves unsafe fixes"
    );
    assert_fixed(
        "wordpress_unsafe",
        &["--fix", "--unsafe-fixes"],
        Some(config),
    );
}

#[test]
fn a_fix_that_would_add_a_finding_is_dropped_and_reported() {
    // Upgrading the second link to https would make it a duplicate of the first.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("postlint.toml"),
        "https-only-hosts = [\"news.example.com\"]\n",
    )
    .expect("config");
    let file = copy_to_temp("wordpress_clash.before.json", dir.path());
    let before = std::fs::read(&file).expect("read");
    let out = postlint(
        dir.path(),
        &["--fix", "--unsafe-fixes", "wordpress_clash.json"],
    );
    assert_eq!(std::fs::read(&file).expect("read"), before);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("dropped, it would break the JSON or add a finding"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diff_shows_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), "").expect("config");
    let file = copy_to_temp("pretty_markup.before.json", dir.path());
    let before = std::fs::read(&file).expect("read");
    let out = postlint(dir.path(), &["--diff", "pretty_markup.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&file).expect("read"), before);
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn damaged_files_are_not_rewritten_without_consent() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("postlint.toml"), "").expect("config");
    let seed = dir.path().join("seed.json");
    std::fs::copy(crate::common::fixture("seed_koreapro_2205786.json"), &seed).expect("copy");
    let before = std::fs::read(&seed).expect("read");
    let out = postlint(dir.path(), &["--fix", "seed.json"]);
    assert_eq!(std::fs::read(&seed).expect("read"), before);
    assert!(String::from_utf8_lossy(&out.stderr).contains("without --fix-damaged"));
    postlint(dir.path(), &["--fix", "--fix-damaged", "seed.json"]);
    let fixed = std::fs::read(&seed).expect("read");
    assert!(
        fixed.len() < before.len(),
        "the stray end tags browsers ignore were removed"
    );
}

#[test]
fn a_file_changed_meanwhile_is_not_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = copy_to_temp("wordpress_markup.before.json", dir.path());
    let config = Arc::new(Config::builtin(postlint::rules::REGISTRY));
    let fixing = LintOptions {
        hash_content: true,
        ..LintOptions::default()
    };
    let outcome = postlint::check_with(std::slice::from_ref(&file), config.clone(), fixing);
    let linter = Linter::new(config, LintOptions::default());
    let plans = fix::plan(&linter, &outcome.reports, FixOptions::default());
    let plan = plans.into_iter().next().expect("a plan").expect("fixable");
    std::fs::write(&file, b"{\"id\":1}").expect("someone else writes");
    assert!(
        fix::write(&plan)
            .expect_err("refused")
            .to_string()
            .contains("changed on disk")
    );
    assert_eq!(std::fs::read(&file).expect("read"), b"{\"id\":1}");
}

#[test]
fn fixing_the_corpus_keeps_every_file_valid() {
    let Some(corpus) = crate::common::shared("corpus/posts/ss-fukata-blog") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&corpus).expect("corpus") {
        let path = entry.expect("entry").path();
        let copy = dir.path().join(path.file_name().expect("name"));
        std::fs::copy(&path, &copy).expect("copy");
        // The shared corpus is read-only, and `--fix` leaves read-only files alone.
        let writable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
        std::fs::set_permissions(&copy, writable).expect("make writable");
    }
    std::fs::write(dir.path().join("postlint.toml"), "").expect("config");
    let fixed = postlint(dir.path(), &["--fix", "."]);
    assert_ne!(
        fixed.status.code(),
        Some(2),
        "every file is written: {}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let out = postlint(dir.path(), &["--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert!(
        diagnostics.iter().all(|d| d["rule"] != "json-syntax"),
        "every fixed file still parses"
    );
    let safe_left = diagnostics
        .iter()
        .filter(|d| d["fix"]["applicability"] == "safe")
        .count();
    assert_eq!(safe_left, 0, "only findings without a safe fix are left");
}

#[test]
fn reports_linted_without_a_fingerprint_are_not_fixed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = copy_to_temp("wordpress_markup.before.json", dir.path());
    let config = Arc::new(Config::builtin(postlint::rules::REGISTRY));
    let outcome = postlint::check_with(
        std::slice::from_ref(&file),
        config.clone(),
        LintOptions::default(),
    );
    assert_eq!(outcome.reports[0].content_hash, None);
    let linter = Linter::new(config, LintOptions::default());
    let plans = fix::plan(&linter, &outcome.reports, FixOptions::default());
    let refused = plans
        .into_iter()
        .next()
        .expect("a plan")
        .expect_err("refused")
        .to_string();
    assert!(
        refused.contains("without `LintOptions::hash_content`"),
        "{refused}"
    );
}

#[test]
fn safe_fixes_keep_the_readers_page() {
    // The space-only span between two words keeps its space; the gist embed, the anchor
    // targets and the link that lost its text stay; the truly empty span and paragraph go.
    for style in ["wordpress", "pretty"] {
        assert_fixed(&format!("{style}_reader_page"), &["--fix"], Some(""));
    }
}

/// `--fix` over every real post of the shared corpus: no reader's page changes, and no safe
/// fix had to be dropped for changing one (the rules offer none that would).
#[test]
fn fixing_every_real_post_keeps_every_readers_page() {
    let Some(corpus) = crate::common::shared("corpus/posts") else {
        return;
    };
    let config = Arc::new(Config::builtin(postlint::rules::REGISTRY));
    let fixing = LintOptions {
        hash_content: true,
        ..LintOptions::default()
    };
    let outcome = postlint::check_with(&[corpus], config.clone(), fixing);
    let posts: usize = outcome.reports.iter().map(|r| r.posts).sum();
    assert!(posts >= 6_000, "the corpus has {posts} posts");
    let linter = Linter::new(config, LintOptions::default());
    let options = FixOptions {
        damaged: true,
        ..FixOptions::default()
    };
    let max_depth = linter.options().max_depth;
    let (mut files, mut applied) = (0, 0);
    let mut changed_pages = Vec::new();
    let mut dropped_for_the_page = Vec::new();
    for plan in fix::plan(&linter, &outcome.reports, options) {
        let plan = plan.expect("every file can be fixed");
        files += usize::from(plan.changed());
        applied += plan.applied;
        dropped_for_the_page.extend(
            plan.dropped
                .iter()
                .filter(|note| note.contains("what a reader sees"))
                .cloned(),
        );
        let before = fix::reader_pages(&plan.original, max_depth);
        let after = fix::reader_pages(&plan.fixed, max_depth);
        assert_eq!(before.len(), after.len(), "{}", plan.name);
        for (b, a) in before.iter().zip(&after) {
            if let Some(change) = b.page.difference(&a.page) {
                changed_pages.push(format!("{} post {}: {change}", plan.name, b.post));
            }
        }
    }
    assert!(changed_pages.is_empty(), "{changed_pages:#?}");
    assert!(dropped_for_the_page.is_empty(), "{dropped_for_the_page:#?}");
    eprintln!("{applied} safe fixes applied in {files} files of {posts} posts");
    assert!(applied > 1_000, "only {applied} fixes were applied");
}
