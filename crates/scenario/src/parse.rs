//! From the merged TOML table to a [`ScenarioFile`], reporting every wrong type and unknown
//! key at once, and placing problems at the file and line where their key is written.

use std::path::{Path, PathBuf};

use crate::compile::RawProblem;
use crate::diagnostics::{Problem, did_you_mean};
use crate::schema::ScenarioFile;
use crate::{ScenarioError, keys, source};

/// Deserialises the merged table; problems found on the way (wrong types, unknown keys) are
/// returned beside the file, which holds what could be read.
pub(crate) fn read(
    loaded: &source::Loaded,
    top: &Path,
) -> Result<(ScenarioFile, Vec<RawProblem>), ScenarioError> {
    // A strategies or suite file given where a scenario belongs: say so, not 20 problems.
    for (key, what, use_instead) in [
        (
            "strategy",
            "a stockpile strategies file",
            "chokepoint compare SCENARIO --strategies FILE",
        ),
        ("suite", "a benchmark suite file", "chokepoint compare FILE"),
    ] {
        if loaded.table.contains_key(key) && !loaded.table.contains_key("scenario") {
            return Err(ScenarioError::Invalid(vec![locate(
                key.to_owned(),
                format!("this is {what}, not a scenario"),
                format!("give it to `{use_instead}`"),
                loaded,
                top,
            )]));
        }
    }
    let mut table = loaded.table.clone();
    let mut raw: Vec<RawProblem> = Vec::new();
    // Serde stops at the first type error; remove the offending key and try again, so
    // that every wrong type is reported at once.
    let file = loop {
        let mut unknown: Vec<String> = Vec::new();
        let mut note = |path: serde_ignored::Path| unknown.push(clean_path(&path.to_string()));
        let de = serde_ignored::Deserializer::new(toml::Value::Table(table.clone()), &mut note);
        match serde_path_to_error::deserialize::<_, ScenarioFile>(de) {
            Ok(file) => {
                // Flattened tables hide their unknown keys from serde_ignored; a key that
                // does not come back when the parsed file is written out was not read.
                if let Ok(echo) = toml::Value::try_from(&file) {
                    unread(&toml::Value::Table(table.clone()), &echo, "", &mut unknown);
                }
                unknown.sort();
                unknown.dedup();
                raw.extend(unknown.into_iter().map(unknown_key));
                break file;
            }
            Err(e) => {
                let key = clean_path(&e.path().to_string());
                raw.push((
                    key.clone(),
                    type_message(&e.inner().to_string()),
                    "give the value the type this key expects (see docs/scenarios.md)".to_owned(),
                ));
                if raw.len() > MAX_TYPE_ERRORS || !remove_path(&mut table, &key) {
                    return Err(ScenarioError::Invalid(
                        raw.into_iter()
                            .map(|(k, m, f)| locate(k, m, f, loaded, top))
                            .collect(),
                    ));
                }
            }
        }
    };
    Ok((file, raw))
}

/// A scenario with more wrong types than this is not worth listing further.
const MAX_TYPE_ERRORS: usize = 100;

/// serde paths write `a[2].b` and `?` for options; keys here are `a.2.b`.
fn clean_path(p: &str) -> String {
    p.replace('?', "")
        .replace('[', ".")
        .replace(']', "")
        .trim_matches('.')
        .to_owned()
}

/// Collects keys of `input` absent from `echo` (the parsed file written back), skipping empty
/// values, which the writer leaves out.
fn unread(input: &toml::Value, echo: &toml::Value, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (input, echo) {
        (toml::Value::Table(i), toml::Value::Table(e)) => {
            for (k, v) in i {
                match e.get(k) {
                    Some(ev) => unread(v, ev, &join(k), out),
                    None if is_empty(v) => {}
                    None => out.push(join(k)),
                }
            }
        }
        (toml::Value::Array(i), toml::Value::Array(e)) => {
            for (j, (v, ev)) in i.iter().zip(e).enumerate() {
                unread(v, ev, &join(&j.to_string()), out);
            }
        }
        _ => {}
    }
}

fn is_empty(v: &toml::Value) -> bool {
    match v {
        toml::Value::Array(a) => a.is_empty(),
        toml::Value::Table(t) => t.values().all(is_empty),
        toml::Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn unknown_key(key: String) -> (String, String, String) {
    let last = key.rsplit('.').next().unwrap_or("").to_owned();
    // Candidates from the table the key was written in, when the path says which.
    if let Some((table, _)) = keys::table_of_unknown(&key) {
        let names: Vec<&str> = table.keys().map(|k| k.name).collect();
        let hint = did_you_mean(&last, &names);
        if !hint.is_empty() {
            return (
                key,
                format!("unknown key `{last}`{hint}"),
                "correct the spelling".to_owned(),
            );
        }
        if !keys::known_names().contains(&last.as_str()) {
            let place = key.rsplit_once('.').map_or("the top level", |(t, _)| t);
            return (
                key.clone(),
                format!("unknown key `{last}`"),
                format!("remove it; `{place}` takes {}", names.join(", ")),
            );
        }
    }
    let known = keys::known_names();
    if known.contains(&last.as_str()) {
        let table = key
            .rsplit_once('.')
            .map_or("the top level", |(t, _)| t)
            .to_owned();
        return (
            key,
            format!("`{last}` is not a key of `{table}`"),
            "move it to the table that takes it (see docs/scenarios.md)".to_owned(),
        );
    }
    let hint = did_you_mean(&last, &known);
    let fix = if hint.is_empty() {
        "remove it, or see docs/scenarios.md for the keys this table takes".to_owned()
    } else {
        "correct the spelling".to_owned()
    };
    (key, format!("unknown key `{last}`{hint}"), fix)
}

fn type_message(serde: &str) -> String {
    // toml repeats the key path after a newline; the problem carries it already.
    let serde = serde.split("\nin `").next().unwrap_or(serde).trim();
    if serde.contains("untagged enum Num") {
        "expected a number, or a distribution such as { dist = \"lognormal\", median = 45, sigma = 0.4 }".to_owned()
    } else if serde.contains("untagged enum Approval") {
        "expected a probability, or a table of probabilities by sector".to_owned()
    } else {
        chokepoint_diagnostics::plain(serde)
    }
}

/// Removes the value at a dotted path; false when there is nothing to remove.
fn remove_path(table: &mut toml::Table, key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, init)) = parts.split_last() else {
        return false;
    };
    let mut node = match init.first() {
        None => return table.remove(*last).is_some(),
        Some(first) => match table.get_mut(*first) {
            Some(v) => v,
            None => return false,
        },
    };
    for part in &init[1..] {
        node = match node {
            toml::Value::Table(t) => match t.get_mut(*part) {
                Some(v) => v,
                None => return false,
            },
            toml::Value::Array(a) => match part.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        toml::Value::Table(t) => t.remove(*last).is_some(),
        toml::Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => {
                a[i] = toml::Value::Table(toml::Table::new());
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// Places a problem at the file and line where its key is written: an override, else the
/// child-most file that writes it (array entries translated through the merge), else the
/// nearest enclosing key of the top file.
pub(crate) fn locate(
    key: String,
    message: String,
    fix: String,
    loaded: &source::Loaded,
    top: &Path,
) -> Problem {
    if let Some(o) = loaded.overrides.iter().find(|o| {
        key == o.path
                || key.starts_with(&format!("{}.", o.path))
                // A wrong value deep in a table serde reads whole (a shock, an untagged
                // number) is reported at the table: the `--set` below it is the cause.
                || o.path.starts_with(&format!("{key}."))
    }) {
        let key = if o.path.starts_with(&format!("{key}.")) {
            o.path.clone()
        } else {
            key
        };
        return Problem {
            file: PathBuf::from(format!("--set {}={}", o.path, o.value)),
            line: 0,
            column: 0,
            key,
            message,
            fix,
        };
    }
    // Candidate (source, key in that source), child first.
    let mut candidates: Vec<(usize, String)> = Vec::new();
    let mut prefix_found = false;
    let parts: Vec<&str> = key.split('.').collect();
    for n in (1..=parts.len()).rev() {
        let prefix = parts[..n].join(".");
        if let Some(list) = loaded.origins.get(&prefix) {
            let rest = parts[n..].join(".");
            for (src, own) in list.iter().rev() {
                let k = if rest.is_empty() {
                    own.clone()
                } else {
                    format!("{own}.{rest}")
                };
                candidates.push((*src, k));
            }
            prefix_found = true;
            break;
        }
    }
    if !prefix_found {
        candidates.extend((0..loaded.sources.len()).map(|s| (s, key.clone())));
    }
    candidates.sort_by_key(|(s, _)| *s);
    // The child-most file that writes the whole key, else the one that writes most of it.
    let found = candidates
        .iter()
        .find(|(s, k)| loaded.sources[*s].defines(k))
        .or_else(|| {
            candidates
                .iter()
                .find(|(s, k)| loaded.sources[*s].locate(k).is_some())
        });
    if let Some((s, k)) = found {
        let src = &loaded.sources[*s];
        let (line, column, _) = src.locate(k).unwrap_or((0, 0, false));
        return Problem {
            file: src.path.clone(),
            line,
            column,
            key,
            message,
            fix,
        };
    }
    Problem {
        file: top.to_owned(),
        line: 0,
        column: 0,
        key,
        message,
        fix,
    }
}
