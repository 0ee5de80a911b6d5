//! Any serde-typed TOML file read strictly: every wrong type, unknown key (with did-you-mean)
//! and missing key at once, each at its file, line and column, in plain words.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::{Located, Problem, did_you_mean, line_col, plain};

/// A file with more problems than this is not worth listing further.
const MAX_PROBLEMS: usize = 100;

/// Reads `text` (the file at `path`) as a `T`. On failure, lists every problem: serde stops at
/// the first, so the offending key is removed and the file read again until it reads or a key
/// is missing. `docs` names where the format is documented, for the fixes.
pub fn read_toml<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    docs: &str,
) -> Result<T, Vec<Problem>> {
    let syntax = |e: &toml::de::Error| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        Problem {
            file: path.to_owned(),
            line,
            column,
            key: String::new(),
            message: format!("not valid TOML: {}", e.message().trim()),
            fix: "correct the syntax at this position".to_owned(),
        }
    };
    if let Err(e) = text.parse::<toml::Table>() {
        return Err(vec![syntax(&e)]);
    }
    let (Some(located), Ok(mut doc)) = (
        Located::new(path, text.to_owned()),
        text.parse::<toml_edit::DocumentMut>(),
    ) else {
        return Err(vec![Problem {
            file: path.to_owned(),
            line: 1,
            column: 1,
            key: String::new(),
            message: "not valid TOML".to_owned(),
            fix: "correct the syntax".to_owned(),
        }]);
    };
    let mut problems: Vec<Problem> = Vec::new();
    loop {
        let current = doc.to_string();
        let de = match toml::Deserializer::parse(&current) {
            Ok(de) => de,
            Err(e) => {
                problems.push(syntax(&e));
                return Err(problems);
            }
        };
        let e = match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(value) if problems.is_empty() => return Ok(value),
            Ok(_) => return Err(problems),
            Err(e) => e,
        };
        let at = clean_path(&e.path().to_string());
        let serde = e.inner().message().trim().to_owned();
        let (key, message, fix, removable) = describe(&at, &serde, docs);
        let (line, column) = located
            .locate(&key)
            .map(|(l, c, _)| (l, c))
            .or_else(|| {
                // Only the first pass reads the file as written; later ones have keys removed.
                e.inner()
                    .span()
                    .filter(|_| problems.is_empty())
                    .map(|s| line_col(text, s.start))
            })
            .unwrap_or((1, 1));
        problems.push(Problem {
            file: path.to_owned(),
            line,
            column,
            key: key.clone(),
            message,
            fix,
        });
        if !removable || problems.len() > MAX_PROBLEMS || !remove(&mut doc, &key) {
            return Err(problems);
        }
    }
}

/// (key, message, fix, whether removing the key lets the rest be read) for serde's `message`
/// at path `at`.
fn describe(at: &str, message: &str, docs: &str) -> (String, String, String, bool) {
    let join = |name: &str| {
        if at.is_empty() || at.ends_with(&format!(".{name}")) || at == name {
            if at.is_empty() {
                name.to_owned()
            } else {
                at.to_owned()
            }
        } else {
            format!("{at}.{name}")
        }
    };
    let ticked =
        |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = ticked(rest);
        let (word, candidates) = names
            .split_first()
            .map_or(("", &[][..]), |(w, c)| (w.as_str(), c));
        let cands: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let hint = did_you_mean(word, &cands);
        let key = join(word);
        let table = key
            .rsplit_once('.')
            .map_or("the top level", |(t, _)| t)
            .to_owned();
        let fix = if hint.is_empty() {
            format!("remove it; `{table}` takes {}", cands.join(", "))
        } else {
            "correct the spelling".to_owned()
        };
        return (key, format!("unknown key `{word}`{hint}"), fix, true);
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = ticked(rest).into_iter().next().unwrap_or_default();
        let key = join(&name);
        return (
            key,
            format!("missing required key `{name}`"),
            format!("add `{name} = ...` (see {docs})"),
            false,
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let names = ticked(rest);
        let (word, candidates) = names
            .split_first()
            .map_or(("", &[][..]), |(w, c)| (w.as_str(), c));
        let cands: Vec<&str> = candidates.iter().map(String::as_str).collect();
        return (
            at.to_owned(),
            format!("unknown value `{word}`{}", did_you_mean(word, &cands)),
            format!("write one of {}", cands.join(", ")),
            true,
        );
    }
    (
        at.to_owned(),
        plain(message),
        format!("give the value the type this key expects (see {docs})"),
        true,
    )
}

/// serde paths write `a[2].b` and `?` for options; keys here are `a.2.b`.
fn clean_path(p: &str) -> String {
    // `toml::Spanned` values read through a private field that is no key of the file.
    p.replace(".$__serde_spanned_private_value", "")
        .replace("$__serde_spanned_private_value", "")
        .replace('?', "")
        .replace('[', ".")
        .replace(']', "")
        .trim_matches('.')
        .to_owned()
}

/// Removes the value at a dotted key path from `doc`; false when there is nothing to remove.
fn remove(doc: &mut toml_edit::DocumentMut, key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    remove_in_item(doc.as_item_mut(), &parts)
}

fn remove_in_item(item: &mut toml_edit::Item, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    match item {
        toml_edit::Item::ArrayOfTables(a) => {
            let Some(i) = first.parse::<usize>().ok().filter(|i| *i < a.len()) else {
                return false;
            };
            if rest.is_empty() {
                a.remove(i);
                return true;
            }
            a.get_mut(i)
                .is_some_and(|t| remove_in_table(t as &mut dyn toml_edit::TableLike, rest))
        }
        toml_edit::Item::Value(v) => remove_in_value(v, parts),
        other => other
            .as_table_like_mut()
            .is_some_and(|t| remove_in_table(t, parts)),
    }
}

fn remove_in_table(table: &mut dyn toml_edit::TableLike, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return table.remove(first).is_some();
    }
    table
        .get_mut(first)
        .is_some_and(|child| remove_in_item(child, rest))
}

fn remove_in_value(value: &mut toml_edit::Value, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    match value {
        toml_edit::Value::Array(a) => {
            let Some(i) = first.parse::<usize>().ok().filter(|i| *i < a.len()) else {
                return false;
            };
            if rest.is_empty() {
                a.remove(i);
                return true;
            }
            a.get_mut(i).is_some_and(|v| remove_in_value(v, rest))
        }
        toml_edit::Value::InlineTable(t) => {
            if rest.is_empty() {
                return t.remove(first).is_some();
            }
            t.get_mut(first).is_some_and(|v| remove_in_value(v, rest))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde::Deserialize;

    use super::read_toml;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "read only to be checked")]
    struct File {
        suite: Suite,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "read only to be checked")]
    struct Suite {
        name: String,
        scenarios: Vec<String>,
        baseline: Option<String>,
        reps: Option<u32>,
    }

    fn problems(text: &str) -> Vec<String> {
        read_toml::<File>(Path::new("s.toml"), text, "the docs")
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_problem_at_once_at_its_line() {
        let p = problems(
            "[suite]\nname = \"s\"\nscenarioz = []\nscenarios = \"x\"\nbaseline = 3\nreps = -1\n",
        );
        let all = p.join("\n");
        assert!(
            all.contains(
                "s.toml:3:1: `suite.scenarioz`: unknown key `scenarioz` (did you mean `scenarios`?)"
            ),
            "{all}"
        );
        assert!(
            all.contains("s.toml:4:1: `suite.scenarios`: expected a list, found the text \"x\""),
            "{all}"
        );
        assert!(
            all.contains(
                "s.toml:5:1: `suite.baseline`: expected text in quotes, found the whole number 3"
            ),
            "{all}"
        );
        assert!(
            all.contains("s.toml:6:1: `suite.reps`: expected a whole number ≥ 0"),
            "{all}"
        );
    }

    #[test]
    fn a_missing_key_names_its_table() {
        let all = problems("[suite]\nname = \"s\"\n").join("\n");
        assert!(
            all.contains("s.toml:1:2: `suite.scenarios`: missing required key `scenarios`"),
            "{all}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let all = problems("[suite]\nname = \n").join("\n");
        assert!(all.starts_with("s.toml:2:"), "{all}");
    }
}
