//! The boundaries ARCHITECTURE.md promises, checked on the crates' manifests and sources.
//!
//! Crate arrows: core knows no workspace crate; the scenario crate knows core only; the
//! experiment engine knows core and stats (a scenario is a `ScenarioSource` to it, never the
//! scenario crate); only the CLI knows clap, terminals and Ctrl-C; only the engine runs threads.
//!
//! Module arrows: inside every crate, no two modules import each other, directly or round a
//! loop. Read from the sources: every `crate::`, `super::` and `self::` path outside
//! `#[cfg(test)]` code, resolved to the module it names (through `pub use` re-exports). An arrow
//! between a module and its own parent or child is not counted (a parent declares its
//! children); arrows are compared between siblings, so nested modules are checked too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const WORKSPACE: [&str; 11] = [
    "chokepoint-discover",
    "chokepoint-gsa",
    "chokepoint-diagnostics",
    "chokepoint-engine",
    "chokepoint-python",
    "chokepoint-core",
    "chokepoint-scenario",
    "chokepoint-experiment",
    "chokepoint-stats",
    "chokepoint-cli",
    "chokepoint-report",
];

fn dependencies(krate: &str) -> Vec<String> {
    let path = format!("{}/crates/{krate}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

fn workspace_dependencies(krate: &str) -> BTreeSet<String> {
    dependencies(krate)
        .into_iter()
        .filter(|d| WORKSPACE.contains(&d.as_str()))
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn crate_arrows_point_down_only() {
    assert_eq!(
        workspace_dependencies("core"),
        set(&[]),
        "core knows nothing"
    );
    assert_eq!(
        workspace_dependencies("stats"),
        set(&[]),
        "stats knows nothing"
    );
    assert_eq!(
        workspace_dependencies("scenario"),
        set(&["chokepoint-core", "chokepoint-diagnostics"]),
        "the scenario crate knows core and the diagnostics only"
    );
    assert_eq!(
        workspace_dependencies("experiment"),
        set(&[
            "chokepoint-core",
            "chokepoint-stats",
            "chokepoint-diagnostics",
            "chokepoint-discover",
            "chokepoint-gsa"
        ]),
        "the experiment engine knows core, stats, the diagnostics, scenario discovery and the sensitivity maths, never the scenario crate or the CLI"
    );
    assert_eq!(
        workspace_dependencies("discover"),
        set(&[]),
        "scenario discovery (PRIM) is pure computation on plain data: it knows no workspace crate"
    );
    assert_eq!(
        workspace_dependencies("gsa"),
        set(&[]),
        "the sensitivity maths (designs, quantiles, estimators) know no workspace crate"
    );
    assert_eq!(
        workspace_dependencies("diagnostics"),
        set(&[]),
        "the diagnostics (one way to report an input problem) know no workspace crate"
    );
    assert_eq!(
        workspace_dependencies("report"),
        set(&[]),
        "the charts take plain data: the report crate knows no workspace crate"
    );
    assert_eq!(
        workspace_dependencies("engine"),
        set(&[
            "chokepoint-scenario",
            "chokepoint-experiment",
            "chokepoint-diagnostics"
        ]),
        "the engine facade joins the scenario format and the experiment engine, and knows no front door"
    );
    assert_eq!(
        workspace_dependencies("python"),
        set(&[
            "chokepoint-engine",
            "chokepoint-experiment",
            "chokepoint-scenario"
        ]),
        "the Python module is a front door beside the CLI: it goes through the engine facade"
    );
    assert!(
        workspace_dependencies("cli").contains("chokepoint-engine"),
        "the CLI reads files through the engine facade's loader, not a copy of its own"
    );
}

#[test]
fn the_model_does_no_io_or_threads() {
    let deps = dependencies("core");
    for banned in [
        "rayon",
        "toml",
        "serde_json",
        "indicatif",
        "csv",
        "clap",
        "rand_chacha",
        "tempfile",
    ] {
        assert!(
            !deps.iter().any(|d| d == banned),
            "chokepoint-core must not depend on {banned}"
        );
    }
}

#[test]
fn only_the_engine_knows_threads_and_only_the_cli_knows_terminals() {
    for krate in [
        "core", "scenario", "stats", "gsa", "cli", "report", "engine", "python", "discover",
    ] {
        assert!(
            !dependencies(krate).iter().any(|d| d == "rayon"),
            "{krate} must not use rayon"
        );
    }
    for krate in [
        "core",
        "scenario",
        "experiment",
        "stats",
        "report",
        "engine",
        "python",
        "discover",
    ] {
        let deps = dependencies(krate);
        for banned in ["indicatif", "clap", "ctrlc", "signal-hook", "anyhow"] {
            assert!(
                !deps.iter().any(|d| d == banned),
                "{krate} must not depend on {banned}"
            );
        }
    }
    // Output files and journals belong to the engine.
    for krate in ["core", "scenario", "stats", "gsa", "discover"] {
        let deps = dependencies(krate);
        for banned in ["csv", "tempfile"] {
            assert!(
                !deps.iter().any(|d| d == banned),
                "{krate} must not depend on {banned}"
            );
        }
    }
}

/// A module path inside a crate: `[]` is the crate root, `["compile", "items"]` a nested one.
type ModPath = Vec<String>;

/// Every module file of a crate's `src/`, by module path.
fn module_files(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut m: ModPath = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(m.last().map(String::as_str), Some("lib" | "main" | "mod")) {
                m.pop();
            }
            out.insert(m, p);
        }
    }
    out
}

/// The code of a module file without comments and without its `#[cfg(test)]` part.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Every path that starts with `prefix` (`crate::`, `super::`, `self::`): its segments, braces
/// expanded one level (`crate::{a, b::C}` gives `a` and `b::C`).
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[at + prefix.len()..];
        let mut segs = Vec::new();
        loop {
            if let Some(inner) = rest.strip_prefix('{') {
                let body = &inner[..inner.find('}').unwrap_or(inner.len())];
                for part in body.split(',') {
                    let mut p = segs.clone();
                    for seg in part.trim().split("::").map(ident) {
                        if seg.is_empty() {
                            break;
                        }
                        p.push(seg.to_owned());
                    }
                    if p.len() > segs.len() {
                        out.push(p);
                    }
                }
                break;
            }
            let id = ident(rest);
            if id.is_empty() {
                out.push(segs);
                break;
            }
            segs.push(id.to_owned());
            rest = &rest[id.len()..];
            if let Some(r) = rest.strip_prefix("::") {
                rest = r;
            } else {
                out.push(segs);
                break;
            }
        }
    }
    out
}

/// `pub use a::{X, Y}` in a module: X and Y are found in `a` (relative to the module).
fn reexports(m: &ModPath, code: &str) -> BTreeMap<String, ModPath> {
    let mut out = BTreeMap::new();
    for stmt in code.split(';') {
        let s = stmt.trim();
        let Some(body) = s
            .strip_prefix("pub use ")
            .or_else(|| s.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let (module, items) = match body.find("::{") {
            Some(k) => (&body[..k], &body[k + 3..body.len() - 1]),
            None => match body.rfind("::") {
                Some(k) => (&body[..k], &body[k + 2..]),
                None => continue,
            },
        };
        let target = relative(m, module.split("::").map(str::to_owned).collect());
        for item in items.split(',') {
            let name = item.split(" as ").last().unwrap_or("").trim();
            if !name.is_empty() && name != "*" {
                out.insert(name.to_owned(), target.clone());
            }
        }
    }
    out
}

/// A path written in module `m` as an absolute module path.
fn relative(m: &ModPath, segs: Vec<String>) -> ModPath {
    let mut base = m.clone();
    let mut segs = segs.into_iter().peekable();
    match segs.peek().map(String::as_str) {
        Some("crate") => {
            base.clear();
            segs.next();
        }
        Some("self") => {
            segs.next();
        }
        _ => {}
    }
    while segs.peek().is_some_and(|s| s == "super") {
        base.pop();
        segs.next();
    }
    base.extend(segs);
    base
}

/// The module a path names: the longest module prefix, following re-exports.
fn resolve(
    path: &ModPath,
    modules: &BTreeMap<ModPath, PathBuf>,
    exports: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
) -> ModPath {
    let mut at: ModPath = Vec::new();
    for seg in path {
        let mut next = at.clone();
        next.push(seg.clone());
        if modules.contains_key(&next) {
            at = next;
        } else if let Some(target) = exports.get(&at).and_then(|e| e.get(seg)) {
            if target != &at && modules.contains_key(target) {
                return resolve(target, modules, exports);
            }
            break;
        } else {
            break;
        }
    }
    at
}

/// Arrows between sibling modules of one crate: (parent, from child, to child).
fn sibling_arrows(src: &Path) -> BTreeSet<(ModPath, String, String)> {
    let modules = module_files(src);
    let codes: BTreeMap<ModPath, String> =
        modules.iter().map(|(m, p)| (m.clone(), code(p))).collect();
    let exports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = codes
        .iter()
        .map(|(m, c)| (m.clone(), reexports(m, c)))
        .collect();
    let mut arrows = BTreeSet::new();
    for (m, c) in &codes {
        let mut targets = Vec::new();
        for (prefix, head) in [
            ("crate::", "crate"),
            ("super::", "super"),
            ("self::", "self"),
        ] {
            for mut p in paths_after(c, prefix) {
                p.insert(0, head.to_owned());
                targets.push(resolve(&relative(m, p), &modules, &exports));
            }
        }
        for t in targets {
            let common = m.iter().zip(&t).take_while(|(a, b)| a == b).count();
            if common < m.len() && common < t.len() {
                arrows.insert((m[..common].to_vec(), m[common].clone(), t[common].clone()));
            }
        }
    }
    arrows
}

/// A loop among the arrows, as `a → b → a`, if there is one.
fn find_cycle(arrows: &BTreeSet<(ModPath, String, String)>) -> Option<String> {
    let parents: BTreeSet<&ModPath> = arrows.iter().map(|(p, _, _)| p).collect();
    for parent in parents {
        let next: BTreeMap<&str, Vec<&str>> = arrows.iter().filter(|(p, _, _)| p == parent).fold(
            BTreeMap::new(),
            |mut g, (_, a, b)| {
                g.entry(a.as_str())
                    .or_insert_with(Vec::new)
                    .push(b.as_str());
                g
            },
        );
        for &start in next.keys() {
            // Depth-first from `start`, looking for a way back to it.
            let mut stack = vec![(start, vec![start])];
            let mut seen = BTreeSet::new();
            while let Some((at, trail)) = stack.pop() {
                for &to in next.get(at).into_iter().flatten() {
                    if to == start {
                        let mut loop_ = trail.clone();
                        loop_.push(start);
                        let prefix: String =
                            parent.iter().flat_map(|s| [s.as_str(), "::"]).collect();
                        return Some(format!("{prefix}{}", loop_.join(" → ")));
                    }
                    if seen.insert(to) {
                        let mut t = trail.clone();
                        t.push(to);
                        stack.push((to, t));
                    }
                }
            }
        }
    }
    None
}

#[test]
fn no_module_imports_itself_round_a_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut crates: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    assert!(crates.len() >= 5, "crates/ holds the workspace: {crates:?}");
    for krate in crates {
        if let Some(c) = find_cycle(&sibling_arrows(&root.join(&krate).join("src"))) {
            panic!("{krate}: modules import each other: {c}");
        }
    }
}

/// The model's agents get what they need as arguments: they never reach back to the simulation
/// that steps them or the model that holds them, so each can be read and tested alone.
#[test]
fn the_models_agents_do_not_know_the_simulation() {
    let arrows = sibling_arrows(&Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src"));
    let agents = [
        "producers",
        "manufacturers",
        "stockpiles",
        "authority",
        "markets",
        "buyers",
    ];
    assert!(
        arrows.iter().any(|(_, from, _)| from == "sim"),
        "the check sees core's modules"
    );
    for (_, from, to) in &arrows {
        assert!(
            !(agents.contains(&from.as_str()) && (to == "sim" || to == "model")),
            "{from} refers to {to}; agents get what they need as arguments"
        );
    }
}

#[test]
fn the_module_check_sees_a_loop() {
    let dir = std::env::temp_dir().join(format!("arrows-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("outer")).unwrap();
    let write = |p: &str, t: &str| std::fs::write(dir.join(p), t).unwrap();
    write("lib.rs", "mod a;\nmod b;\nmod outer;\npub use b::Thing;\n");
    write("a.rs", "use crate::Thing;\n");
    write("b.rs", "pub struct Thing;\nfn f() { crate::a::g() }\n");
    write("outer/mod.rs", "mod x;\nmod y;\n");
    write("outer/x.rs", "use super::y::Y;\n");
    write("outer/y.rs", "pub struct Y;\nuse crate::{a, outer::x};\n");
    let arrows = sibling_arrows(&dir);
    let cycle = find_cycle(&arrows);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        arrows.contains(&(vec![], "a".into(), "b".into())),
        "re-export followed: {arrows:?}"
    );
    assert!(arrows.contains(&(vec!["outer".into()], "x".into(), "y".into())));
    assert!(arrows.contains(&(vec!["outer".into()], "y".into(), "x".into())));
    assert!(cycle.is_some(), "{arrows:?}");
}
