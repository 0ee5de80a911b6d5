//! The modules of the model form a DAG: no module reaches, directly or through others, back to
//! itself (`use crate::x` and `crate::x::...` in code; doc comments and unit tests excluded).
//! ARCHITECTURE.md names the arrows; this keeps them from growing a loop.

use std::collections::BTreeMap;
use std::path::Path;

/// Module name → modules it refers to, read from `src/*.rs`.
fn arrows() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may reach anywhere; they are not part of the module's arrows.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mut to = Vec::new();
        for line in code.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if target.starts_with(|c: char| c.is_ascii_lowercase())
                    && target != name
                    && !to.contains(&target)
                {
                    to.push(target);
                }
            }
        }
        graph.insert(name, to);
    }
    graph
}

#[test]
fn core_modules_have_no_import_loops() {
    let graph = arrows();
    assert!(graph.contains_key("sim") && graph.contains_key("authority"));
    // Depth-first search with colours: grey on the path, black done.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, Vec<String>>,
        colour: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) {
        match colour.get(node) {
            Some(2) => return,
            Some(1) => panic!("import loop: {} -> {node}", path.join(" -> ")),
            _ => {}
        }
        colour.insert(node, 1);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, colour, path);
        }
        path.pop();
        colour.insert(node, 2);
    }
    let mut colour = BTreeMap::new();
    for node in graph.keys() {
        visit(node, &graph, &mut colour, &mut Vec::new());
    }
}

#[test]
fn agent_modules_do_not_know_the_simulation() {
    let graph = arrows();
    for agent in [
        "producers",
        "manufacturers",
        "stockpiles",
        "authority",
        "markets",
        "buyers",
    ] {
        assert!(
            !graph[agent].iter().any(|m| m == "sim" || m == "model"),
            "{agent} refers to {:?}; agents get what they need as arguments",
            graph[agent]
        );
    }
}
