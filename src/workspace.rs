//! Which files of a workspace hold no posts: the tools' own files, known by their names, and
//! JSON or XML with nothing of a post in it. A directory walk (and so `--watch`) leaves them out
//! silently; a file the user named, or that the config's `files` globs match, is linted whatever
//! it holds, so that a failed save still gets its `not-a-post`.

use std::path::{Component, Path};

use crate::config::Config;

/// JSON and XML files that tools keep beside a site's posts (a theme's or plugin's folder, an
/// editor's settings), by name; matched without regard to case.
const TOOL_FILES: [&str; 24] = [
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "composer.json",
    "theme.json",
    "block.json",
    "tsconfig.json",
    "jsconfig.json",
    "babel.config.json",
    "lerna.json",
    "nx.json",
    "turbo.json",
    "renovate.json",
    "biome.json",
    "deno.json",
    "bower.json",
    "cspell.json",
    "vercel.json",
    ".wp-env.json",
    ".wp-env.override.json",
    "phpunit.xml",
    "phpcs.xml",
    ".phpcs.xml",
    "psalm.xml",
];

/// Folders whose files are tools' own, whatever their names.
const TOOL_FOLDERS: [&str; 4] = [".vscode", ".idea", ".devcontainer", "node_modules"];

/// What reading a file found, as far as telling posts from other files goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Contents {
    /// Posts, or what a failed request leaves in their place (a REST error, a web page, an
    /// empty or cut-off file): always reported.
    #[default]
    Posts,
    /// JSON values that are all objects with none of a post's fields (a tool's settings, with
    /// or without comments), or well-formed XML that is no WordPress export.
    Foreign,
}

/// Whether a file a walk found is left out of the run, silently. `contents` is what reading
/// it found; before it is read (`None`), its name alone decides.
pub fn leaves_out(config: &Config, path: &Path, contents: Option<Contents>) -> bool {
    if config.names_file(path) {
        return false;
    }
    is_tool_file(path) || contents == Some(Contents::Foreign)
}

/// A tool's file, by its name or its folder: `package.json`, `tsconfig.build.json`, any file
/// under `.vscode/` or `node_modules/`.
pub fn is_tool_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let in_tool_folder = path.components().any(|c| match c {
        Component::Normal(folder) => TOOL_FOLDERS.iter().any(|t| folder == *t),
        _ => false,
    });
    in_tool_folder
        || TOOL_FILES.contains(&name.as_str())
        || (name.starts_with("tsconfig.") && name.ends_with(".json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_files_by_name_and_folder() {
        for tool in [
            "package.json",
            "site/Composer.JSON",
            "theme/theme.json",
            "tsconfig.build.json",
            ".vscode/settings.json",
            "node_modules/x/data.json",
            "phpunit.xml",
        ] {
            assert!(is_tool_file(Path::new(tool)), "{tool}");
        }
        for post in [
            "posts/1.json",
            "package.json.d/1.json",
            "export.xml",
            "vscode.json",
        ] {
            assert!(!is_tool_file(Path::new(post)), "{post}");
        }
    }
}
