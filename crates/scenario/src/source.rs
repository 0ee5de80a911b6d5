//! Reading a scenario: the `extends` chain, merging child over parent, and `--set` overrides.
//!
//! Merge rules (documented in docs/scenarios.md): tables merge key by key, the child winning;
//! arrays of tables whose entries have an identity (`name`; `region` + `sector` for `[[demand]]`;
//! `region` for `[[exporter]]`; `item` for `[[stockpile.holding]]`; `from` + `to` for `[[route]]`)
//! merge entry by entry, new identities appended; other
//! arrays of tables (unnamed shocks) are appended; any other value is replaced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::ScenarioError;
use crate::diagnostics::{Located, Problem, line_col};

/// One `--set path=value` override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Dotted key path; array entries by index or by name (`producer.china_mines.utilisation`).
    pub path: String,
    /// The value, as TOML (`0.5`, `"dy"`, `{ dist = "uniform", lo = 1, hi = 2 }`); a bare word
    /// that is not valid TOML is taken as a string.
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (path, value) = s.split_once('=').ok_or_else(|| {
            format!("`{s}` is not PATH=VALUE; write e.g. `shock.2.approval.us=0.5`")
        })?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!(
                "`{s}` has an empty path; write e.g. `shock.2.approval.us=0.5`"
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            value: value.trim().to_owned(),
        })
    }
}

/// Where each merged array entry came from: merged path prefix (`producer.3`) → the
/// (source index, path prefix in that source) of every file that wrote part of it.
pub(crate) type Origins = BTreeMap<String, Vec<(usize, String)>>;

/// The files of an `extends` chain, child first, and the merged table.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    pub sources: Vec<Located>,
    pub table: Table,
    pub origins: Origins,
    pub overrides: Vec<Override>,
}

/// Reads `path` and every file it extends, and merges them.
pub(crate) fn load(
    path: &Path,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Loaded, ScenarioError> {
    let mut chain: Vec<(Located, Table)> = Vec::new();
    let mut current = path.to_owned();
    let mut text = read(&current).map_err(|source| ScenarioError::Read {
        path: current.clone(),
        source,
    })?;
    loop {
        let table = parse(&text, &current)?;
        let located = Located::new(&current, text).ok_or_else(|| ScenarioError::Syntax {
            file: current.clone(),
            line: 1,
            column: 1,
            message: "not valid TOML".to_owned(),
        })?;
        let parent = match table.get("extends") {
            None => None,
            Some(Value::String(p)) => Some(current.parent().unwrap_or(Path::new("")).join(p)),
            Some(_) => {
                return Err(invalid(
                    &located,
                    "extends",
                    "`extends` must be a file name in quotes",
                    "write `extends = \"baseline_2024.toml\"`",
                ));
            }
        };
        chain.push((located, table));
        let Some(parent) = parent else { break };
        let (child, _) = chain.last().expect("chain is not empty");
        if chain.iter().any(|(l, _)| same_file(&l.path, &parent)) {
            let names: Vec<String> = chain
                .iter()
                .map(|(l, _)| l.path.display().to_string())
                .collect();
            return Err(invalid(
                child,
                "extends",
                &format!(
                    "`extends` makes a cycle: {} → {}",
                    names.join(" → "),
                    parent.display()
                ),
                "remove the `extends` that points back to a file already in the chain",
            ));
        }
        text = read(&parent).map_err(|e| {
            invalid(
                child,
                "extends",
                &format!(
                    "`extends` names {}, which cannot be read: {e}",
                    parent.display()
                ),
                "point `extends` at an existing file; the path is relative to this file's folder",
            )
        })?;
        current = parent;
    }
    // Merge the root first, then each child over it.
    let mut table = Table::new();
    let mut origins = Origins::new();
    for (k, (_, t)) in chain.iter().enumerate().rev() {
        merge_table(&mut table, t, "", "", k, &mut origins);
    }
    table.remove("extends");
    Ok(Loaded {
        sources: chain.into_iter().map(|(l, _)| l).collect(),
        table,
        origins,
        overrides: Vec::new(),
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Parses TOML text, turning a syntax error into a located [`ScenarioError::Syntax`].
pub(crate) fn parse(text: &str, path: &Path) -> Result<Table, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        ScenarioError::Syntax {
            file: path.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })
}

fn invalid(src: &Located, key: &str, message: &str, fix: &str) -> ScenarioError {
    let (line, column, _) = src.locate(key).unwrap_or((0, 0, false));
    ScenarioError::Invalid(vec![Problem {
        file: src.path.clone(),
        line,
        column,
        key: key.to_owned(),
        message: message.to_owned(),
        fix: fix.to_owned(),
    }])
}

/// The identity of an array-of-tables entry, if it has one.
pub(crate) fn identity(entry: &Table) -> Option<String> {
    let s = |k: &str| entry.get(k).and_then(Value::as_str);
    if let Some(n) = s("name").filter(|n| !n.is_empty()) {
        return Some(n.to_owned());
    }
    if let (Some(from), Some(to)) = (s("from"), s("to")) {
        return Some(format!("{from}->{to}"));
    }
    match (s("region"), s("sector")) {
        (Some(r), Some(sec)) => return Some(format!("{r}/{sec}")),
        (Some(r), None) => return Some(r.to_owned()),
        _ => {}
    }
    s("item").map(str::to_owned)
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_table))
}

/// Merges `over` (a table of source file `source`, at `src_prefix` in that file) into `base`
/// (at `prefix` in the merged table), recording where merged array entries came from.
fn merge_table(
    base: &mut Table,
    over: &Table,
    prefix: &str,
    src_prefix: &str,
    source: usize,
    origins: &mut Origins,
) {
    for (key, value) in over {
        let join = |p: &str| {
            if p.is_empty() {
                key.clone()
            } else {
                format!("{p}.{key}")
            }
        };
        let (path, src_path) = (join(prefix), join(src_prefix));
        match (base.get_mut(key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => {
                merge_table(b, o, &path, &src_path, source, origins);
            }
            (Some(b @ Value::Array(_)), Value::Array(o))
                if is_table_array(value) && is_table_array(b) =>
            {
                let Value::Array(b) = b else {
                    unreachable!("matched as an array")
                };
                for (j, entry) in o.iter().enumerate() {
                    let Value::Table(entry) = entry else { continue };
                    let own = format!("{src_path}.{j}");
                    let found = identity(entry).and_then(|id| {
                        b.iter().position(|e| {
                            e.as_table().and_then(identity).as_deref() == Some(id.as_str())
                        })
                    });
                    if let Some(m) = found {
                        let merged = format!("{path}.{m}");
                        origins
                            .entry(merged.clone())
                            .or_default()
                            .push((source, own.clone()));
                        if let Some(Value::Table(target)) = b.get_mut(m) {
                            merge_table(target, entry, &merged, &own, source, origins);
                        }
                    } else {
                        let merged = format!("{path}.{}", b.len());
                        origins
                            .entry(merged.clone())
                            .or_default()
                            .push((source, own.clone()));
                        b.push(Value::Table(Table::new()));
                        if let Some(Value::Table(target)) = b.last_mut() {
                            merge_table(target, entry, &merged, &own, source, origins);
                        }
                    }
                }
            }
            _ => {
                if is_table_array(value)
                    && let Value::Array(o) = value
                {
                    for j in 0..o.len() {
                        origins
                            .entry(format!("{path}.{j}"))
                            .or_default()
                            .push((source, format!("{src_path}.{j}")));
                    }
                }
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

impl Loaded {
    /// Applies `--set` overrides to the merged table. Returns problems for paths that cannot be
    /// set (an index past the end, a name that matches no entry, a value under a non-table).
    pub(crate) fn apply(&mut self, overrides: &[Override]) -> Vec<Problem> {
        let mut problems = Vec::new();
        for o in overrides {
            let value = parse_value(&o.value);
            match set_path(&mut self.table, &o.path, value) {
                Ok(resolved) => self.overrides.push(Override {
                    path: resolved,
                    value: o.value.clone(),
                }),
                Err((message, fix)) => problems.push(Problem {
                    file: PathBuf::from(format!("--set {}={}", o.path, o.value)),
                    line: 0,
                    column: 0,
                    key: o.path.clone(),
                    message,
                    fix,
                }),
            }
        }
        problems
    }
}

fn parse_value(text: &str) -> Value {
    toml::from_str::<Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

/// Sets `path` in `table`, resolving named array entries to indices. Returns the path with
/// indices (the form problems are reported in).
fn set_path(table: &mut Table, path: &str, value: Value) -> Result<String, (String, String)> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut resolved = Vec::new();
    let mut root = Value::Table(std::mem::take(table));
    let result = set_in(&mut root, &parts, value, &mut resolved);
    if let Value::Table(t) = root {
        *table = t;
    }
    result.map(|()| resolved.join("."))
}

fn set_in(
    node: &mut Value,
    parts: &[&str],
    value: Value,
    resolved: &mut Vec<String>,
) -> Result<(), (String, String)> {
    let Some((part, rest)) = parts.split_first() else {
        *node = value;
        return Ok(());
    };
    match node {
        Value::Table(t) => {
            resolved.push((*part).to_owned());
            if rest.is_empty() {
                t.insert((*part).to_owned(), value);
                return Ok(());
            }
            let here = resolved.join(".");
            if !t.contains_key(*part)
                && crate::keys::key_at(&here)
                    .is_some_and(|k| matches!(k.ty, crate::keys::Ty::Tables(_)))
            {
                return Err((
                    format!(
                        "the scenario has no `[[{here}]]` entries, so there is no `{here}.{}` to set",
                        rest[0]
                    ),
                    format!(
                        "add the `[[{here}]]` entry to the file, or set a key the scenario has"
                    ),
                ));
            }
            let child = t
                .entry((*part).to_owned())
                .or_insert_with(|| Value::Table(Table::new()));
            set_in(child, rest, value, resolved)
        }
        Value::Array(a) => {
            let index = match part.parse::<usize>() {
                Ok(i) if i < a.len() => i,
                Ok(i) => {
                    return Err((
                        format!(
                            "there is no entry {i}: `{}` has {} entries (numbered from 0)",
                            resolved.join("."),
                            a.len()
                        ),
                        "use an index that exists, or the entry's name".to_owned(),
                    ));
                }
                Err(_) => a
                    .iter()
                    .position(|e| e.as_table().and_then(identity).as_deref() == Some(*part))
                    .ok_or_else(|| {
                        let names: Vec<String> = a
                            .iter()
                            .filter_map(|e| e.as_table().and_then(identity))
                            .collect();
                        let known: Vec<&str> = names.iter().map(String::as_str).collect();
                        (
                            format!(
                                "no entry of `{}` is named `{part}`{}",
                                resolved.join("."),
                                crate::diagnostics::did_you_mean(part, &known)
                            ),
                            format!(
                                "use the `name` of an entry ({}) or its index",
                                known.join(", ")
                            ),
                        )
                    })?,
            };
            resolved.push(index.to_string());
            set_in(&mut a[index], rest, value, resolved)
        }
        _ => Err((
            format!("`{}` is a value, not a table", resolved.join(".")),
            "set the value itself, or a key of a table".to_owned(),
        )),
    }
}

/// The value at a dotted path (array entries by index or identity), if present.
pub(crate) fn value_at<'t>(table: &'t Table, path: &str) -> Option<&'t Value> {
    let mut parts = path.split('.');
    let mut node = table.get(parts.next()?)?;
    for part in parts {
        node = match node {
            Value::Table(t) => t.get(part)?,
            Value::Array(a) => match part.parse::<usize>() {
                Ok(i) => a.get(i)?,
                Err(_) => a
                    .iter()
                    .find(|e| e.as_table().and_then(identity).as_deref() == Some(part))?,
            },
            _ => return None,
        };
    }
    Some(node)
}
