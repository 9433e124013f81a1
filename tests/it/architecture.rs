//! The shape of the house, checked on every run: no module of `src/` imports one that imports it
//! back, at any level (data flows one way: input -> post view -> rules -> findings -> settle ->
//! report; inside a folder, between its files), and no source file grows past 800 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A file's module path: `src/report/human.rs` -> `report::human`, `src/report/mod.rs` ->
/// `report`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut path: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    if path.last().is_some_and(|last| last == "mod") {
        path.pop();
    }
    path
}

/// The module paths a file names, made absolute: `crate::a::b` (and `$crate::` in macros) and
/// `super::c` (from the file's own module), a `{…}` group giving one path per item. Comments
/// are left out, and so are `super::` paths in the file's tests (there `super` is the file).
fn imports(text: &str, own: &[String]) -> BTreeSet<Vec<String>> {
    let (code, tests) = match text.find("#[cfg(test)]") {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let mut found = BTreeSet::new();
    for (part, with_super) in [(code, true), (tests, false)] {
        let part = without_comments(part);
        found.extend(paths_after(&part, "crate::", &[]));
        if let (true, Some((_, parent))) = (with_super, own.split_last()) {
            found.extend(paths_after(&part, "super::", parent));
        }
    }
    found
}

fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that follows `marker` in `code`, under `base`.
fn paths_after(code: &str, marker: &str, base: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(marker) {
        // `super::super::x` is read once, from its first `super::`.
        let repeated = marker == "super::" && rest[..at].ends_with("super::");
        rest = &rest[at + marker.len()..];
        if !repeated {
            found.extend(path_at(rest, base.to_vec()));
        }
    }
    found
}

/// The paths written at the start of `text`: `a::b::{c, d::e}` gives `a::b::c` and
/// `a::b::d::e`.
fn path_at(text: &str, mut path: Vec<String>) -> Vec<Vec<String>> {
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let items = group_items(group).into_iter();
            return items.flat_map(|item| path_at(item, path.clone())).collect();
        }
        let Some(name) = ident(rest) else {
            return vec![path];
        };
        rest = &rest[name.len()..];
        if name == "super" {
            path.pop();
        } else {
            path.push(name);
        }
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![path],
        }
    }
}

/// The text of each item of a `{a::X, b::{Y, Z}}` group from its start, up to the group's
/// closing brace.
fn group_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && !c.is_whitespace() => {
                items.push(&group[at..]);
                item_start = false;
            }
            _ => {}
        }
    }
    items
}

/// The first name of each item of a `{a::X, b::{Y, Z}}` group.
fn group_heads(group: &str) -> Vec<String> {
    group_items(group).into_iter().filter_map(ident).collect()
}

fn ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The import graph of each folder of `src/` (the crate root is the folder `[]`): its nodes
/// are the folder's files and subfolders, and an edge goes from one to a sibling whose module
/// something in it names. A `mod.rs`, like `lib.rs` and `main.rs`, declares its folder's
/// modules and is no node.
type Graphs = BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>>;

fn folder_graphs(files: &[(Vec<String>, String)]) -> Graphs {
    let modules: BTreeSet<&Vec<String>> = files.iter().map(|(path, _)| path).collect();
    let mut graphs = Graphs::new();
    for (own, text) in files {
        if matches!(own.as_slice(), [root] if root == "lib" || root == "main") {
            continue;
        }
        for import in imports(text, own) {
            let common = own.iter().zip(&import).take_while(|(a, b)| a == b).count();
            let (Some(from), Some(to)) = (own.get(common), import.get(common)) else {
                continue;
            };
            let folder = own[..common].to_vec();
            let target = [folder.clone(), vec![to.clone()]].concat();
            if modules.iter().any(|m| m.starts_with(&target)) {
                let graph = graphs.entry(folder).or_default();
                graph.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    graphs
}

/// The files of `src/`, each with its module path and text.
fn source_files() -> Vec<(Vec<String>, String)> {
    let src = Path::new("src");
    rust_files(src)
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("read source");
            (module_path(src, &file), text)
        })
        .collect()
}

/// A cycle through `start`, if there is one: the path back to it.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

/// Every loop of every folder's graph, as `src/folder: a -> b -> a`.
fn loops(graphs: &Graphs) -> Vec<String> {
    let mut found = Vec::new();
    for (folder, graph) in graphs {
        for module in graph.keys() {
            if let Some(cycle) = cycle_through(graph, module) {
                found.push(format!("src/{}: {}", folder.join("/"), cycle.join(" -> ")));
            }
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graphs = folder_graphs(&source_files());
    let top = graphs.get(&Vec::new()).expect("the crate root's graph");
    assert!(top.len() > 10, "the graph was not read: {top:?}");
    assert!(graphs.len() > 5, "the folders were not read: {graphs:?}");
    let loops = loops(&graphs);
    assert!(
        loops.is_empty(),
        "import loops between the modules of src/:\n{}",
        loops.join("\n")
    );
}

/// Made-up files, each as its module path (`report::human`) and text.
fn made_up(files: &[(&str, &str)]) -> Vec<(Vec<String>, String)> {
    files
        .iter()
        .map(|(path, text)| {
            let path = path
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_owned);
            (path.collect(), (*text).to_owned())
        })
        .collect()
}

#[test]
fn the_loop_check_finds_a_loop() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        cycle_through(&graph, "a"),
        Some(
            vec!["a", "b", "c", "a"]
                .into_iter()
                .map(str::to_owned)
                .collect()
        )
    );
    let files = made_up(&[
        (
            "config",
            "use crate::{\n    rules::{a, b},\n};\nlet x = crate::site::f(); // crate::fix",
        ),
        ("rules", ""),
        ("site", ""),
        ("fix", ""),
    ]);
    let graphs = folder_graphs(&files);
    assert_eq!(
        graphs[&Vec::new()]["config"],
        BTreeSet::from(["rules".to_owned(), "site".to_owned()])
    );
}

#[test]
fn the_loop_check_finds_a_loop_between_files_of_a_folder() {
    let files = made_up(&[
        // Two files of `report` that name each other, one through `super::`.
        ("report::decoded", "use super::rendered::View;"),
        (
            "report::rendered",
            "use crate::report::{align, decoded::decode};",
        ),
        // In a file's tests, `super` is the file itself: no edge to `decoded`.
        (
            "report::align",
            "#[cfg(test)]\nmod tests {\n    use super::decoded;\n}",
        ),
        // The folder's `mod.rs` names its files, and a file the folder's items: no loop.
        ("report", "pub mod decoded;\nuse self::decoded::X;"),
        (
            "report::human",
            "use super::Summary;\nuse super::super::source::Line;",
        ),
        ("source", "use crate::report::human::Style;"),
    ]);
    let graphs = folder_graphs(&files);
    assert_eq!(
        loops(&graphs),
        vec![
            "src/: report -> source -> report",
            "src/: source -> report -> source",
            "src/report: decoded -> rendered -> decoded",
            "src/report: rendered -> decoded -> rendered",
        ]
    );
    assert!(!graphs[&vec!["report".to_owned()]].contains_key("align"));
}

/// The longest a source file may be.
const MAX_LINES: usize = 800;

/// The files of `files` (name, text) over [`MAX_LINES`], with their length.
fn too_long(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .filter_map(|(name, text)| {
            let lines = text.lines().count();
            (lines > MAX_LINES).then(|| format!("{name}: {lines} lines"))
        })
        .collect()
}

#[test]
fn no_source_file_is_over_800_lines() {
    let files: Vec<(String, String)> = rust_files(Path::new("src"))
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("read");
            (file.display().to_string(), text)
        })
        .collect();
    let long = too_long(&files);
    assert!(
        long.is_empty(),
        "split these by what they do:\n{}",
        long.join("\n")
    );
}

/// The modules of `src/rules/` other than the registry (`mod.rs`): its folders and files.
fn rule_modules() -> BTreeSet<String> {
    let dir = Path::new("src/rules");
    (std::fs::read_dir(dir).expect("read src/rules"))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
        .filter(|name| name != "mod")
        .collect()
}

/// The rule modules a file names through the registry's module (`crate::rules::html::…`, or
/// `rules::links::…` once `crate::rules` is in scope), groups of a `use` included; comments are
/// left out, and so is `report::rules`, another module of the same name.
fn rule_imports(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("rules::") {
        let before = &code[..at];
        let through_crate = before.ends_with("crate::");
        let bare =
            !before.ends_with("::") && !before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if !through_crate && !bare {
            continue;
        }
        let rest = &code[at + "rules::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(group) => group_heads(group),
            None => ident(rest).into_iter().collect(),
        };
        found.extend(names.into_iter().filter(|name| modules.contains(name)));
    }
    found
}

/// Modules outside `src/rules/` that reach into the rules' helpers (never a rule), each with
/// the one module it may name and why: the live-site reader asks the site about the targets of
/// `link-internal-missing` findings, read back through `helpers::missing_target`.
const REACHING_HELPERS: [(&str, &str); 1] = [("src/wordpress/targets.rs", "helpers")];

/// Each rule's logic lives in its file: no module outside `src/rules/` imports a rule module
/// (a folder of rules, a rule, the rules' helpers), only the registry (`rules::ALL`,
/// `rules::REGISTRY`, `rules::find`) and what it offers. The engine, the link phase and
/// settle hand the rules data through the `Rule` hooks instead.
#[test]
fn only_the_registry_is_imported_from_outside_the_rules() {
    let modules = rule_modules();
    assert!(
        modules.contains("html") && modules.contains("helpers"),
        "{modules:?}"
    );
    let reaching: Vec<String> = rust_files(Path::new("src"))
        .into_iter()
        .filter(|file| !file.starts_with("src/rules"))
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file).expect("read source");
            let mut names = rule_imports(&text, &modules);
            let shown = file.to_string_lossy();
            for (_, allowed) in REACHING_HELPERS.iter().filter(|(f, _)| *f == shown) {
                names.remove(*allowed);
            }
            (!names.is_empty()).then(|| format!("{}: {names:?}", file.display()))
        })
        .collect();
    assert!(
        reaching.is_empty(),
        "these modules import rule modules; hand the rules data through a hook of `Rule`:\n{}",
        reaching.join("\n")
    );
}

#[test]
fn the_rule_import_check_finds_an_import() {
    let modules: BTreeSet<String> = ["links", "helpers"].map(str::to_owned).into();
    let text = "use crate::rules;\nuse crate::rules::{helpers::x, ALL};\n// rules::links::a\nlet r = rules::links::link_broken::LinkBroken;\nreport::rules::explain(c);\nrules::find(c);";
    assert_eq!(
        rule_imports(text, &modules),
        BTreeSet::from(["helpers".to_owned(), "links".to_owned()])
    );
    assert!(rule_imports("use crate::rules;\nrules::ALL.len();", &modules).is_empty());
}

/// A rule's own module, `rules::<folder>::<rule>`, when `path` is in one (the helpers are
/// no rule).
fn rule_of(path: &[String]) -> Option<&[String]> {
    match path {
        [rules, folder, _, ..] if rules == "rules" && folder != "helpers" => Some(&path[..3]),
        _ => None,
    }
}

/// Every import of a rule's module by another module than the registry (`src/rules/mod.rs`),
/// as `importer: rule`: what two rules share lives in `src/rules/helpers/`, and what a rule
/// offers the rest of the crate goes through the registry.
fn rule_files_imported(files: &[(Vec<String>, String)]) -> Vec<String> {
    let modules: BTreeSet<&[String]> = files.iter().map(|(path, _)| path.as_slice()).collect();
    let mut found = Vec::new();
    for (own, text) in files.iter().filter(|(own, _)| *own != ["rules"]) {
        for import in imports(text, own) {
            let Some(rule) = rule_of(&import).filter(|rule| modules.contains(rule)) else {
                continue;
            };
            if !own.starts_with(rule) {
                found.push(format!("{}: {}", own.join("::"), rule.join("::")));
            }
        }
    }
    found
}

#[test]
fn no_rule_file_is_imported_but_by_the_registry() {
    let files = source_files();
    let rules = (files.iter()).filter(|(path, _)| rule_of(path).is_some());
    assert!(rules.count() > 50, "the rule files were not read");
    let imported = rule_files_imported(&files);
    assert!(
        imported.is_empty(),
        "these modules import a rule's file; move what they share to `src/rules/helpers/`:\n{}",
        imported.join("\n")
    );
}

#[test]
fn the_rule_file_check_finds_an_import() {
    let files = made_up(&[
        (
            "rules",
            "pub(crate) const ALL: &[&dyn Rule] = &[&html::empty_span::EmptySpan];",
        ),
        ("rules::html", "pub mod empty_heading;\npub mod empty_span;"),
        (
            "rules::html::empty_heading",
            "use crate::rules::helpers::empty::x;",
        ),
        // A rule naming its neighbour, and itself (in its tests).
        (
            "rules::html::empty_span",
            "use super::empty_heading::in_reported_heading;\n#[cfg(test)]\nmod tests {\n    use crate::rules::html::empty_span::EmptySpan;\n}",
        ),
        // A rule of another folder, through a group.
        (
            "rules::links::mixed_content",
            "use crate::rules::{declare_rule, html::{empty_heading::CODE}};",
        ),
        (
            "rules::helpers::empty",
            "use super::super::html::empty_span::is_deliberate;",
        ),
        ("wordpress::targets", "use crate::rules::html::empty_span;"),
    ]);
    assert_eq!(
        rule_files_imported(&files),
        vec![
            "rules::html::empty_span: rules::html::empty_heading",
            "rules::links::mixed_content: rules::html::empty_heading",
            "rules::helpers::empty: rules::html::empty_span",
            "wordpress::targets: rules::html::empty_span",
        ]
    );
}

#[test]
fn the_length_check_finds_a_long_file() {
    let files = vec![
        ("short.rs".to_owned(), "fn a() {}\n".repeat(MAX_LINES)),
        ("long.rs".to_owned(), "fn a() {}\n".repeat(MAX_LINES + 1)),
    ];
    assert_eq!(too_long(&files), vec!["long.rs: 801 lines"]);
}

/// The paths under `src/` a text names in backquotes (`src/run/options.rs`, `src/rules/`).
fn named_source_paths(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|quoted| quoted.starts_with("src/"))
        .map(|quoted| {
            quoted
                .split([' ', ',', ':'])
                .next()
                .unwrap_or(quoted)
                .to_owned()
        })
        .collect()
}

/// Paths of a text that name nothing in the checkout.
fn missing_paths(root: &Path, text: &str) -> Vec<String> {
    named_source_paths(text)
        .into_iter()
        .filter(|path| !root.join(path).exists())
        .collect()
}

#[test]
fn the_architecture_doc_names_only_files_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).expect("read the doc");
    let named = named_source_paths(&doc);
    assert!(named.len() > 30, "the doc names the modules: {named:?}");
    let missing = missing_paths(root, &doc);
    assert!(
        missing.is_empty(),
        "docs/architecture.md names paths that are gone: {missing:?}"
    );
}

#[test]
fn the_doc_path_check_finds_a_path_that_is_gone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = "the run is in `src/run/mod.rs`; the old `src/pipeline.rs` is gone";
    assert_eq!(
        missing_paths(root, text),
        vec!["src/pipeline.rs".to_owned()]
    );
}
