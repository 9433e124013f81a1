//! Narrowing the files of a run: those changed since a git revision (for CI on content
//! commits), and one shard of N (for archives split across CI jobs).

use std::collections::HashSet;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Input;

/// What changed in a git repository since a revision: its files added or modified.
#[derive(Debug, Default)]
pub struct Changed {
    /// The repository's top folder, canonical.
    pub root: PathBuf,
    /// Canonical paths.
    pub files: HashSet<PathBuf>,
}

/// The files added or modified since `rev` in the git repository around the current folder:
/// committed, staged, unstaged and untracked (but not ignored) changes; deleted files are not
/// listed.
pub fn changed_since(rev: &str) -> Result<Changed, String> {
    let root = git(&["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--changed-since needs a git repository: {e}"))?;
    let root = PathBuf::from(root.trim());
    let root = root.canonicalize().unwrap_or(root);
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
    let files = (changed.lines().chain(untracked.lines()))
        .filter(|line| !line.is_empty())
        .filter_map(|line| root.join(line).canonicalize().ok())
        .collect();
    Ok(Changed { root, files })
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

/// Keeps the inputs among `changed`; standard input always stays. A file outside the
/// repository cannot be told changed or not: it is left out, and a notice says so.
pub fn keep_changed(inputs: Vec<Input>, changed: &Changed) -> (Vec<Input>, Option<String>) {
    let mut outside = Vec::new();
    let kept = inputs
        .into_iter()
        .filter(|input| match input {
            Input::Stdin | Input::Memory { .. } => true,
            Input::File(path) | Input::Found(path) => match path.canonicalize() {
                Ok(real) if real.starts_with(&changed.root) => changed.files.contains(&real),
                Ok(_) => {
                    outside.push(path.display().to_string());
                    false
                }
                Err(_) => false,
            },
        })
        .collect();
    (kept, outside_notice(&outside, &changed.root))
}

/// The files left out for being outside the repository: how many, and the first few.
fn outside_notice(outside: &[String], root: &Path) -> Option<String> {
    const NAMED: usize = 3;
    let first = outside.first()?;
    let named = outside.iter().take(NAMED).cloned().collect::<Vec<_>>();
    let more = match outside.len().saturating_sub(NAMED) {
        0 => String::new(),
        rest => format!(" and {rest} more"),
    };
    let files = if outside.len() == 1 {
        first.clone()
    } else {
        format!("{} files ({}{more})", outside.len(), named.join(", "))
    };
    Some(format!(
        "{files} not linted: outside the git repository at {}, so --changed-since cannot tell \
         whether it changed",
        root.display()
    ))
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
    fn files_outside_the_repository_are_named_not_dropped_silently() {
        let repo = tempfile::tempdir().expect("a folder");
        let elsewhere = tempfile::tempdir().expect("a folder");
        let inside = repo.path().join("post.json");
        let outside = elsewhere.path().join("post.json");
        for path in [&inside, &outside] {
            std::fs::write(path, "{}").expect("written");
        }
        let changed = Changed {
            root: repo.path().canonicalize().expect("real"),
            files: HashSet::from([inside.canonicalize().expect("real")]),
        };
        let inputs = vec![Input::File(inside.clone()), Input::File(outside.clone())];
        let (kept, notice) = keep_changed(inputs, &changed);
        assert_eq!(kept, [Input::File(inside)]);
        let notice = notice.expect("a notice");
        assert!(notice.contains(&outside.display().to_string()), "{notice}");
        assert!(notice.contains("outside the git repository"), "{notice}");
    }

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
