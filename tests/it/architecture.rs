//! The shape of the house, checked on every run: no module of `src/` imports one that imports it
//! back (data flows one way: input -> post view -> rules -> findings -> settle -> report), and
//! no source file grows past 1,000 lines.

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

/// The top-level module a file belongs to: `src/rules/empty_span.rs` -> `rules`.
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// The top-level modules a file names through `crate::` (and `$crate::` in macros), in `use`
/// lines (groups over several lines included) and in paths alike; comments are left out.
fn imports(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => found.extend(group_heads(group)),
            None => found.extend(ident(rest)),
        }
    }
    found
}

/// The first name of each item of a `{a::X, b::{Y, Z}}` group, up to its closing brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && !c.is_whitespace() => {
                heads.extend(ident(&group[at..]));
                item_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The module graph of `src/`: each top-level module and the ones it imports.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: BTreeSet<String> = rust_files(src).iter().map(|f| top_module(src, f)).collect();
    for file in rust_files(src) {
        let module = top_module(src, &file);
        // The crate root and the binary declare and re-export; they are not modules.
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let targets = graph.entry(module.clone()).or_default();
        for name in imports(&text) {
            if name != module && modules.contains(&name) {
                targets.insert(name);
            }
        }
    }
    graph
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

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = module_graph();
    assert!(graph.len() > 10, "the graph was not read: {graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|module| cycle_through(&graph, module))
        .map(|cycle| cycle.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "import loops between the modules of src/:\n{}",
        cycles.join("\n")
    );
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
    assert_eq!(
        imports(
            "use crate::{\n    config::Config,\n    rules::{a, b},\n};\nlet x = crate::site::f(); // crate::fix"
        ),
        BTreeSet::from(["config".to_owned(), "rules".to_owned(), "site".to_owned()])
    );
}

#[test]
fn no_source_file_is_over_1000_lines() {
    let long: Vec<String> = rust_files(Path::new("src"))
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file)
                .expect("read")
                .lines()
                .count();
            (lines > 1000).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
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

/// Modules outside `src/rules/` that still reach into a rule's module, each for a reason
/// that another change removes: the live-site reader confirms the targets of
/// `link-internal-missing` findings. (The spilled site phase's hand copy of the site rules is
/// gone: one executor runs them, `phases/site.rs`.)
const STILL_REACHING_IN: [&str; 1] = ["src/wordpress/targets.rs"];

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
        .filter(|file| !STILL_REACHING_IN.contains(&file.to_string_lossy().as_ref()))
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file).expect("read source");
            let names = rule_imports(&text, &modules);
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
