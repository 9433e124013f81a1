//! The block editor's own verdict beside the block rules': `@wordpress/blocks` (with the core
//! blocks of `@wordpress/block-library`, under jsdom) parses and validates the block markup of
//! the block rules' fixtures and of the tuning half's block documents. On markup the editor
//! accepts as written, `block-content-mismatch` must report nothing at warning or error; each
//! kind of block the editor rejects is listed, with how many of its posts the block rules flag.
//!
//! Runs where Node and the packages are (`POSTLINT_WP_BLOCKS`, or what `.ci/run` installs in
//! `~/.cache/postlint-ci/wp-blocks`); skips with a message elsewhere, never under `CI=true`.
//! The grammar rules (`block-unclosed`, `block-stray-closer`) and `block-invalid-attributes`
//! (which judges what WordPress's PHP reads) are out of the comparison: the editor's parser
//! silently makes such markup a classic block, so it never rejects it.
//!
//! A separator written self-closing (`<!-- wp:separator /-->`: its `<hr>` is missing) is one
//! of the kinds the editor rejects; `block-content-mismatch` reports it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use postlint::diagnostic::Severity;
use serde::Deserialize;

use crate::common::{findings, shared};

const HARNESS: &str = "scripts/block-editor-verdict.cjs";

/// The tuning half's folders written as block documents.
const CORPUS_FOLDERS: [&str; 2] = [
    "corpus/posts/blocks-gutenberg-parser-rs",
    "corpus/posts/wxr-theme-test-data__64-block-test-data",
];

#[derive(Debug, Deserialize)]
struct Verdict {
    name: String,
    rejected: Vec<Rejected>,
    migrated: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Rejected {
    block: String,
    kinds: Vec<String>,
}

/// The `node_modules` holding the editor's packages, when Node and they are here.
fn packages() -> Option<PathBuf> {
    let root = std::env::var_os("POSTLINT_WP_BLOCKS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/postlint-ci/wp-blocks"))
        })?;
    let modules = root.join("node_modules");
    let node = Command::new("node").arg("--version").output();
    let present = modules
        .join("@wordpress/block-library/package.json")
        .exists()
        && modules.join("jsdom/package.json").exists()
        && node.is_ok_and(|out| out.status.success());
    if present {
        return Some(modules);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "node or the block editor's packages are missing in {}, and CI must have them (.ci/run \
         installs them)",
        modules.display()
    );
    eprintln!(
        "skipped: node or @wordpress/blocks, @wordpress/block-library and jsdom are absent from \
         {} (set POSTLINT_WP_BLOCKS to a folder where they are installed)",
        modules.display()
    );
    None
}

/// The block documents compared: the block rules' fixtures, and the tuning half's block
/// folders when the shared corpus is beside the project.
fn documents() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir("fixtures/rules")
        .expect("fixtures/rules")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("block-"))
        })
        .collect();
    folders.extend(CORPUS_FOLDERS.iter().filter_map(|f| shared(f)));
    let mut files: Vec<PathBuf> = folders
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("a folder of posts"))
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The content of each post of a file, raw (as the editor reads it) where the post has it.
fn contents(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("a fixture");
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let posts = match value {
        serde_json::Value::Array(posts) => posts,
        post => vec![post],
    };
    posts
        .iter()
        .filter_map(|post| {
            let content = post.get("content")?;
            let text = content
                .get("raw")
                .or_else(|| content.get("rendered"))
                .unwrap_or(content);
            text.as_str().map(str::to_owned)
        })
        .collect()
}

/// The editor's verdict on each document, in order.
fn editor_verdicts(modules: &Path, documents: &[(String, String)]) -> Vec<Verdict> {
    let input: Vec<serde_json::Value> = documents
        .iter()
        .map(|(name, content)| serde_json::json!({"name": name, "content": content}))
        .collect();
    let mut child = Command::new("node")
        .arg(HARNESS)
        .env("NODE_PATH", modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut stdin = child.stdin.take().expect("node's stdin");
    let json = serde_json::to_vec(&input).expect("JSON");
    let writer = std::thread::spawn(move || stdin.write_all(&json));
    let out = child.wait_with_output().expect("node ends");
    writer
        .join()
        .expect("writer")
        .expect("node reads its input");
    assert!(
        out.status.success(),
        "{HARNESS}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the harness's JSON")
}

#[test]
fn the_block_rules_agree_with_the_block_editor() {
    let Some(modules) = packages() else { return };
    let files = documents();
    let mut named: Vec<(String, String)> = Vec::new();
    for file in &files {
        for (i, content) in contents(file).into_iter().enumerate() {
            named.push((format!("{}#{i}", file.display()), content));
        }
    }
    let verdicts = editor_verdicts(&modules, &named);
    assert_eq!(verdicts.len(), named.len());
    // Per file, linted once: the block rules' findings at warning or error.
    let mut by_file: BTreeMap<PathBuf, Vec<&'static str>> = BTreeMap::new();
    let mut flagged = |name: &str| -> Vec<&'static str> {
        let path = PathBuf::from(name.rsplit_once('#').map_or(name, |(path, _)| path));
        let found = by_file.entry(path).or_insert_with_key(|path| {
            findings(path)
                .into_iter()
                .filter(|f| {
                    f.diagnostic.rule.starts_with("block-")
                        && f.diagnostic.severity >= Severity::Warning
                })
                .map(|f| f.diagnostic.rule)
                .collect()
        });
        found.clone()
    };
    let mut wrong = Vec::new();
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for verdict in &verdicts {
        let found = flagged(&verdict.name);
        if verdict.rejected.is_empty() && verdict.migrated.is_empty() {
            if found.contains(&"block-content-mismatch") {
                wrong.push(verdict.name.clone());
            }
            continue;
        }
        for rejected in &verdict.rejected {
            for kind in &rejected.kinds {
                let entry = kinds
                    .entry(format!("{}: {kind}", rejected.block))
                    .or_default();
                entry.0 += 1;
                entry.1 += usize::from(!found.is_empty());
            }
        }
    }
    eprintln!(
        "the block editor rejects (block: kind — blocks, of them in posts the block rules flag):"
    );
    for (kind, (count, flagged)) in &kinds {
        eprintln!("  {kind} — {count}, {flagged}");
    }
    assert!(
        wrong.is_empty(),
        "block-content-mismatch reports markup the block editor accepts as written: {wrong:?}"
    );
}
