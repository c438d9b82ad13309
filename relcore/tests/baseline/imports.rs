//! relcore's top-level modules import each other without a cycle, so that data flows one way
//! (git → history → commits → version, changelog, policy → the binary) and each module can be
//! read knowing only those below it.
//!
//! The graph is read from the source: every `crate::NAME` path (and `super::` path reaching the
//! crate root) in code that is not a comment nor under `#[cfg(test)]`, taken to the top-level
//! module it names, or through the crate root's `pub use` to the module an item comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod scan;

use scan::{declared_modules, references, root_reexports, strip_comments, strip_test_items};

/// An edge of the graph, with where it was first seen.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

#[test]
fn relcore_modules_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    // A scanner that sees nothing would find no cycle either.
    assert!(
        graph.values().map(BTreeMap::len).sum::<usize>() > 20,
        "too few imports found: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        let mut shown = cycle.join(" -> ");
        for pair in cycle.windows(2) {
            let at = &graph[&pair[0]][&pair[1]];
            write!(shown, "\n  {} -> {}: {at}", pair[0], pair[1]).expect("a String");
        }
        panic!("relcore's modules import each other in a cycle: {shown}");
    }
}

#[test]
fn the_scanner_sees_grouped_and_string_paths_and_skips_comments_and_tests() {
    let text = r#"
use crate::{alpha, beta::{B, C as D}};
use super::gamma; // crate::commented
/* crate::blocked /* nested */ crate::still_blocked */
#[serde(deserialize_with = "crate::delta::f")]
const URL: &str = "https://example.com"; const Q: char = '"'; fn f<'a>() { crate::epsilon::g() }
#[cfg(test)]
mod tests { use crate::zeta; fn h() { let _ = "}"; crate::eta::x(); } }
#[cfg(test)]
use crate::theta;
#[cfg(test)]
mod iota;
fn later() { crate::Item::new() }
"#;
    let (code, literal) = strip_comments(text);
    let (kept, test_mods) = strip_test_items(&code, &literal);
    assert_eq!(test_mods, ["iota"]);
    let names: Vec<String> = references(&kept, &["m".to_owned()])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        ["alpha", "beta", "gamma", "delta", "epsilon", "Item"]
    );
}

#[test]
fn a_cycle_is_found_and_a_dag_is_not() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (from, to) in edges {
            g.entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned(), String::new());
        }
        g
    };
    let dag = graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a")]);
    assert_eq!(find_cycle(&dag), None);
    let cyclic = graph(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")]);
    assert_eq!(find_cycle(&cyclic).expect("a cycle"), ["b", "c", "d", "b"]);
}

/// The top-level modules of the crate at `src` and, for each, the others it imports.
fn module_graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let (code, _) = strip_comments(&lib);
    let modules: BTreeSet<String> = declared_modules(&code);
    let reexports = root_reexports(&code, &modules);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut excluded = BTreeSet::new();
    let mut scanned = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        let (code, literal) = strip_comments(&text);
        let (kept, test_mods) = strip_test_items(&code, &literal);
        let dir = module_dir(src, file);
        excluded.extend(test_mods.iter().map(|name| dir.join(name)));
        scanned.push((file, kept));
    }
    let mut graph = Graph::new();
    for (file, kept) in scanned {
        let path = module_path(src, file);
        // The crate root, and files only compiled for tests, are not edges of the graph.
        let test_only = |base: &PathBuf| file.starts_with(base) || file.with_extension("") == *base;
        if path.is_empty() || excluded.iter().any(test_only) {
            continue;
        }
        let from = &path[0];
        for (name, line) in references(&kept, &path) {
            let to = if modules.contains(&name) {
                name
            } else if let Some(module) = reexports.get(&name) {
                module.clone()
            } else {
                panic!(
                    "{}:{line}: `crate::{name}` is neither a module nor a root re-export of one",
                    file.display()
                );
            };
            if &to != from {
                let at = format!(
                    "{}:{line}",
                    file.strip_prefix(src).unwrap_or(file).display()
                );
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert(at);
            }
        }
    }
    graph
}

/// A cycle of `graph` as the path `a -> ... -> a`, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a source directory")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file is: `[]` for lib.rs, `[a]` for a.rs and a/mod.rs, `[a, b]` for a/b.rs.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut path: Vec<String> = relative
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if matches!(path.last().map(String::as_str), Some("mod" | "lib")) {
        path.pop();
    }
    path
}

/// The directory the files of a file's child modules are in.
fn module_dir(src: &Path, file: &Path) -> PathBuf {
    src.join(module_path(src, file).join("/"))
}
