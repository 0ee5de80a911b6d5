//! Benchmark suite files: `[suite]` names the scenarios (and optionally the strategies,
//! baseline and objective) of a comparison once, so a benchmark is one file.
//!
//! ```toml
//! [suite]
//! name = "stockpile_benchmark"
//! scenarios = ["japan_halt_2010.toml", "full_embargo.toml"]   # relative to this file
//! strategies = "stockpile_strategies.toml"
//! ```
//! A file without a `[suite]` table is taken for a scenario.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    suite: Suite,
}

/// A benchmark suite, paths resolved against the suite file's folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Suite {
    pub name: String,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "documents the suite; accepted so that files may carry it"
    )]
    pub description: String,
    pub scenarios: Vec<PathBuf>,
    pub strategies: Option<PathBuf>,
    pub baseline: Option<String>,
    pub objective: Option<String>,
}

/// The suite at `path`, or `None` when the file is not a suite (a scenario, say).
pub(crate) fn read_suite(path: &Path) -> Result<Option<Suite>, Error> {
    let text = chokepoint_diagnostics::read_text(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            // Not UTF-8: an input error, at the line and column of the first bad byte.
            Error::Suite {
                path: path.to_owned(),
                message: e.to_string(),
            }
        } else {
            Error::file(format!("{}: cannot read", path.display()), e)
        }
    })?;
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(None);
    };
    if !table.contains_key("suite") {
        return Ok(None);
    }
    let mut file: SuiteFile = chokepoint_diagnostics::read_toml(
        path,
        &text,
        "the suite file format in docs/experiments.md",
    )
    .map_err(Error::SuiteProblems)?;
    let mut problems = Vec::new();
    let at = |key: &str, message: String, fix: &str| {
        let located = chokepoint_diagnostics::Located::new(path, text.clone());
        let (line, column, _) = located.and_then(|l| l.locate(key)).unwrap_or((1, 1, false));
        chokepoint_diagnostics::Problem {
            file: path.to_owned(),
            line,
            column,
            key: key.to_owned(),
            message,
            fix: fix.to_owned(),
        }
    };
    if file.suite.name.trim().is_empty() {
        problems.push(at(
            "suite.name",
            "the suite's name is empty".to_owned(),
            "give the suite a name: it names the output folder",
        ));
    }
    if file.suite.scenarios.is_empty() {
        problems.push(at(
            "suite.scenarios",
            "the suite lists no scenario".to_owned(),
            "list scenario files, relative to this file: scenarios = [\"a.toml\", \"b.toml\"]",
        ));
    }
    for (k, s) in file.suite.scenarios.iter().enumerate() {
        if let Some(first) = file.suite.scenarios[..k].iter().position(|x| x == s) {
            problems.push(at(
                &format!("suite.scenarios.{k}"),
                format!(
                    "`{}` is listed twice (entries {} and {})",
                    s.display(),
                    first + 1,
                    k + 1
                ),
                "list each scenario once: a duplicate would count twice in the ranking",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::SuiteProblems(problems));
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    for s in &mut file.suite.scenarios {
        *s = dir.join(&*s);
    }
    file.suite.strategies = file.suite.strategies.map(|s| dir.join(s));
    Ok(Some(file.suite))
}
