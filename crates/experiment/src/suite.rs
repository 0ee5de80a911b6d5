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
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(format!("{}: cannot read", path.display()), e))?;
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(None);
    };
    if !table.contains_key("suite") {
        return Ok(None);
    }
    let mut file: SuiteFile = toml::from_str(&text).map_err(|e| Error::Suite {
        path: path.to_owned(),
        message: e.message().trim().to_owned(),
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    for s in &mut file.suite.scenarios {
        *s = dir.join(&*s);
    }
    file.suite.strategies = file.suite.strategies.map(|s| dir.join(s));
    Ok(Some(file.suite))
}
