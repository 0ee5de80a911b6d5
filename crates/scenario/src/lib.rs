//! # chokepoint-scenario: scenario files in, model parameters out
//!
//! A scenario is a TOML file describing a market (items, regions, sectors, producers, demand,
//! stockpiles, exporters) and dated policy shocks. This crate parses it, checks every key and
//! number, reports **all** problems at once with file, line, key and a fix, and turns it into
//! [`chokepoint_core::ModelParams`]: central values for checking, or fresh draws of every
//! uncertain number for each replication.
//!
//! **What it is not.** It does not run the model or touch the terminal, and it reads files only
//! through the reader function the caller passes (the CLI passes `std::fs::read_to_string`).
//! The format is documented key by key in `docs/scenarios.md`.
//!
//! ```
//! use chokepoint_scenario::Scenario;
//! let text = std::fs::read_to_string("../../scenarios/baseline_2024.toml").unwrap();
//! let scenario = Scenario::from_str(&text, "baseline_2024.toml").unwrap();
//! let params = scenario.sample(42);
//! assert!(!params.producers.is_empty());
//! ```
#![warn(missing_docs)]
#![deny(clippy::float_cmp)]

mod compile;
mod diagnostics;
mod num;
pub mod schema;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostics::{Problem, did_you_mean};
pub use num::{Dist, Domain, Num};
pub use schema::ScenarioFile;

use chokepoint_core::ModelParams;
use compile::{Build, Draw};
use diagnostics::{Located, line_col};

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid TOML.
    #[error("{}:{line}:{column}: not valid TOML: {message}\n    fix: correct the syntax at this position", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The file parsed but has problems; all of them are listed.
    #[error("{}", ProblemList(.0))]
    Invalid(Vec<Problem>),
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the scenario:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// A validated scenario, ready to produce parameters for any replication.
#[derive(Clone, Debug)]
pub struct Scenario {
    file: ScenarioFile,
    central: ModelParams,
}

impl Scenario {
    /// Parses and validates one scenario text; `path` names it in messages.
    pub fn from_str(text: &str, path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ScenarioError::Syntax {
                file: path.to_owned(),
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        let located = Located::new(path, text.to_owned());
        Self::from_table(table, &located.into_iter().collect::<Vec<_>>(), path)
    }

    fn from_table(
        table: toml::Table,
        sources: &[Located],
        top: &Path,
    ) -> Result<Self, ScenarioError> {
        let mut raw: Vec<(String, String, String)> = Vec::new();
        let file: ScenarioFile =
            match serde_ignored::deserialize(toml::Value::Table(table), |path| {
                let key = path.to_string().replace('?', "");
                raw.push((
                    key.clone(),
                    format!("unknown key `{}`", key.rsplit('.').next().unwrap_or(&key)),
                    String::new(),
                ));
            }) {
                Ok(f) => f,
                Err(e) => {
                    let problem = type_problem(&e.to_string(), sources, top);
                    return Err(ScenarioError::Invalid(vec![problem]));
                }
            };
        for p in &mut raw {
            let last = p.0.rsplit('.').next().unwrap_or("").to_owned();
            let hint = did_you_mean(&last, schema::KNOWN_KEYS);
            p.1 = format!("unknown key `{last}`{hint}");
            p.2 = if hint.is_empty() {
                "remove it, or see docs/scenarios.md for the keys this table takes".to_owned()
            } else {
                "correct the spelling".to_owned()
            };
        }
        let mut build = Build::new(&file, Draw::Validate);
        let central = build.params();
        raw.extend(build.problems);
        if raw.is_empty()
            && let Err(errs) = central.validate()
        {
            raw.extend(errs.0.iter().map(|e| {
                (
                    String::new(),
                    e.to_string(),
                    "check the values this refers to".to_owned(),
                )
            }));
        }
        if !raw.is_empty() {
            let mut problems: Vec<Problem> = raw
                .into_iter()
                .map(|(k, m, f)| locate(k, m, f, sources, top))
                .collect();
            problems.sort_by(|a, b| {
                (&a.file, a.line, a.column, &a.key).cmp(&(&b.file, b.line, b.column, &b.key))
            });
            problems.dedup();
            return Err(ScenarioError::Invalid(problems));
        }
        Ok(Self { file, central })
    }

    /// The scenario as written (after `extends` and overrides).
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.file.scenario.name
    }

    /// Default master seed from the file.
    pub fn seed(&self) -> Option<u64> {
        self.file.scenario.seed
    }

    /// Default number of replications from the file.
    pub fn replications(&self) -> Option<u64> {
        self.file.scenario.replications
    }

    /// Parameters with every uncertain number at its central value (median, mode or mean).
    pub fn central(&self) -> &ModelParams {
        &self.central
    }

    /// Parameters for one replication: every uncertain number drawn from its own stream,
    /// seeded by `param_seed` and named by its key path, so the same key always gets the same
    /// draw for the same seed whatever else the file contains.
    pub fn sample(&self, param_seed: u64) -> ModelParams {
        Build::new(&self.file, Draw::Sample(param_seed)).params()
    }
}

/// Places a problem at the file and line where its key is written.
fn locate(key: String, message: String, fix: String, sources: &[Located], top: &Path) -> Problem {
    for src in sources {
        if src.defines(&key) {
            let (line, column, _) = src.locate(&key).unwrap_or((0, 0, false));
            return Problem {
                file: src.path.clone(),
                line,
                column,
                key,
                message,
                fix,
            };
        }
    }
    let (file, line, column) = sources
        .first()
        .and_then(|s| s.locate(&key).map(|(l, c, _)| (s.path.clone(), l, c)))
        .unwrap_or_else(|| (top.to_owned(), 0, 0));
    Problem {
        file,
        line,
        column,
        key,
        message,
        fix,
    }
}

/// Turns serde's first type error (`invalid type: string "x", expected f64 for key ...`) into a
/// located problem.
fn type_problem(message: &str, sources: &[Located], top: &Path) -> Problem {
    let key = message
        .rsplit_once("for key `")
        .map(|(_, k)| {
            k.trim_end_matches('`')
                .trim_end_matches(['`', '.'])
                .to_owned()
        })
        .unwrap_or_default();
    locate(
        key,
        message.to_owned(),
        "give the value the type the key expects (see docs/scenarios.md)".to_owned(),
        sources,
        top,
    )
}
