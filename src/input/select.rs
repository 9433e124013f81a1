//! Narrowing the files of a run: those changed since a git revision (for CI on content
//! commits), and one shard of N (for archives split across CI jobs).

use std::collections::HashSet;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Input;

/// The files added or modified since `rev` in the git repository around the current folder:
/// committed, staged, unstaged and untracked (but not ignored) changes; deleted files are not
/// listed. Paths are canonical.
pub fn changed_since(rev: &str) -> Result<HashSet<PathBuf>, String> {
    let root = git(&["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--changed-since needs a git repository: {e}"))?;
    let root = PathBuf::from(root.trim());
    let commit = verified_commit(rev)?;
    let changed = git(&[
        "diff",
        "--name-only",
        "--no-renames",
        "--diff-filter=d",
        &commit,
        "--",
    ])
    .map_err(|e| format!("--changed-since {rev}: {e}"))?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--full-name"])
        .map_err(|e| format!("--changed-since {rev}: {e}"))?;
    Ok(changed
        .lines()
        .chain(untracked.lines())
        .filter(|line| !line.is_empty())
        .filter_map(|line| root.join(line).canonicalize().ok())
        .collect())
}

/// The commit `rev` names, as the hash git gives for it: git's diff is then handed hex
/// digits only, never the user's text. No revision starts with `-`, and git takes an argument
/// that does (`--output=FILE`) as an option, so one is refused before git runs (rather than
/// relying on `--end-of-options`, which not every git in CI knows).
fn verified_commit(rev: &str) -> Result<String, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!(
            "--changed-since `{rev}` is not a git revision (a branch, tag or commit, such as \
             origin/main)"
        ));
    }
    let hash = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("--changed-since `{rev}`: git knows no such commit"))?;
    let hash = hash.trim();
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("--changed-since `{rev}`: git knows no such commit"));
    }
    Ok(hash.to_owned())
}

fn git(args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("git");
    // postlint's own variables (the site's application password among them) are not git's,
    // nor any hook's or helper's it starts.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("POSTLINT_") {
            command.env_remove(name);
        }
    }
    let output = command
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(message
            .lines()
            .next()
            .unwrap_or("git failed")
            .trim()
            .to_owned());
    }
    String::from_utf8(output.stdout).map_err(|_| "git printed a path that is not UTF-8".to_owned())
}

/// Keeps the inputs among `changed`; standard input always stays.
pub fn keep_changed(inputs: Vec<Input>, changed: &HashSet<PathBuf>) -> Vec<Input> {
    inputs
        .into_iter()
        .filter(|input| match input {
            Input::Stdin | Input::Memory { .. } => true,
            Input::File(path) | Input::Found(path) => {
                path.canonicalize().is_ok_and(|p| changed.contains(&p))
            }
        })
        .collect()
}

/// Whether a file belongs to shard `k` of `n` (1-based): a stable hash of its path as given,
/// with `/` separators, so every job of a matrix agrees without talking to the others.
pub fn in_shard(input: &Input, k: usize, n: usize) -> bool {
    let name = match input {
        Input::Stdin => return k == 1,
        Input::File(path) | Input::Found(path) => normalized(path),
        Input::Memory { name, .. } => name.clone(),
    };
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(name.as_bytes());
    (hasher.finish() % n as u64) as usize == k - 1
}

fn normalized(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_file_once() {
        let inputs: Vec<Input> = (0..200)
            .map(|i| Input::File(PathBuf::from(format!("posts/{i}.json"))))
            .collect();
        for input in &inputs {
            let owners = (1..=4).filter(|&k| in_shard(input, k, 4)).count();
            assert_eq!(owners, 1);
        }
        let first = inputs.iter().filter(|i| in_shard(i, 1, 4)).count();
        assert!((20..80).contains(&first), "{first} of 200 in shard 1/4");
        assert_eq!(
            in_shard(&inputs[7], 3, 4),
            in_shard(&Input::File(PathBuf::from("./posts/7.json")), 3, 4)
        );
    }
}
