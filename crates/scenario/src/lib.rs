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
mod engine;
mod num;
pub mod schema;
mod source;
mod strategies;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostics::{Problem, did_you_mean};
pub use num::{Dist, Domain, Num};
pub use schema::ScenarioFile;
pub use source::Override;
pub use strategies::{Strategy, StrategySet};

use chokepoint_core::ModelParams;
use compile::{Build, Draw};

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
    timeline: Vec<compile::TimelineMark>,
    /// What it was built from, so variants (overrides, strategies) re-validate in one place.
    loaded: std::sync::Arc<source::Loaded>,
    top: PathBuf,
}

/// One line of the resolved timeline of shocks (at central values of uncertain dates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    /// First day of the step at which it applies.
    pub date: chrono::NaiveDate,
    /// The step.
    pub step: u32,
    /// The shock's name (or `shock.<index>`).
    pub shock: String,
    /// What changes.
    pub what: String,
    /// Whom or what it touches.
    pub whom: String,
    /// True when the date or duration is a distribution (the date shown is the central one).
    pub uncertain: bool,
}

/// A resolved parameter that differs between two scenarios.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Key path, array entries by name where they have one.
    pub key: String,
    /// Value in the first scenario, `None` if absent.
    pub left: Option<String>,
    /// Value in the second scenario, `None` if absent.
    pub right: Option<String>,
}

/// Reads a file for [`Scenario::load`]; the CLI passes `std::fs::read_to_string`.
pub type Reader<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

impl Scenario {
    /// Reads `path` (and the files it `extends`) through `read`, applies `--set` overrides and
    /// validates the result. Every problem is reported at once.
    pub fn load(
        path: &Path,
        read: Reader<'_>,
        overrides: &[Override],
    ) -> Result<Self, ScenarioError> {
        let loaded = source::load(path, read)?;
        Self::build_variant(loaded, path, overrides)
    }

    fn build_variant(
        mut loaded: source::Loaded,
        path: &Path,
        overrides: &[Override],
    ) -> Result<Self, ScenarioError> {
        let mut problems = loaded.apply(overrides);
        match Self::from_loaded(&loaded, path) {
            Ok(s) if problems.is_empty() => Ok(s),
            Ok(_) => Err(ScenarioError::Invalid(problems)),
            Err(ScenarioError::Invalid(more)) => {
                problems.extend(more);
                Err(ScenarioError::Invalid(problems))
            }
            Err(e) => Err(e),
        }
    }

    /// Parses and validates one scenario text; `path` names it in messages. A text with
    /// `extends` fails here: use [`Scenario::load`], which can read the parent.
    pub fn from_str(text: &str, path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let owned = text.to_owned();
        let me = path.to_owned();
        let read = move |p: &Path| {
            if p == me {
                Ok(owned.clone())
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "only one text was given",
                ))
            }
        };
        Self::load(path, &read, &[])
    }

    fn from_loaded(loaded: &source::Loaded, top: &Path) -> Result<Self, ScenarioError> {
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
        let mut raw: Vec<(String, String, String)> = Vec::new();
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
                        "give the value the type this key expects (see docs/scenarios.md)"
                            .to_owned(),
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
        let (central, problems, timeline) = {
            let mut build = Build::new(&file, Draw::Validate);
            let central = build.params();
            (central, build.problems, build.timeline)
        };
        // A key whose type was wrong was dropped; what follows from its absence is not news.
        let typed: Vec<String> = raw.iter().map(|p| p.0.clone()).collect();
        raw.extend(problems.into_iter().filter(|p| !typed.contains(&p.0)));
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
                .map(|(k, m, f)| locate(k, m, f, loaded, top))
                .collect();
            problems.sort_by(|a, b| {
                (&a.file, a.line, a.column, &a.key).cmp(&(&b.file, b.line, b.column, &b.key))
            });
            problems.dedup();
            return Err(ScenarioError::Invalid(problems));
        }
        Ok(Self {
            file,
            central,
            timeline,
            loaded: std::sync::Arc::new(loaded.clone()),
            top: top.to_owned(),
        })
    }

    /// True when the resolved scenario holds a whole number at `path` (as `--set` paths are
    /// written), so that sweeps can keep such keys whole.
    pub fn is_integer_at(&self, path: &str) -> bool {
        matches!(
            source::value_at(&self.loaded.table, path),
            Some(toml::Value::Integer(_))
        )
    }

    /// This scenario with more `--set`-style overrides, validated like the file.
    pub fn with_overrides(&self, overrides: &[Override]) -> Result<Self, ScenarioError> {
        Self::build_variant((*self.loaded).clone(), &self.top, overrides)
    }

    /// This scenario with its stockpiles replaced by a strategy's, validated like the file;
    /// problems in the strategy point at the strategies file.
    pub fn with_strategy(&self, strategy: &Strategy) -> Result<Self, ScenarioError> {
        let mut loaded = (*self.loaded).clone();
        let src = loaded.sources.len();
        loaded.sources.push(strategy.source.clone());
        loaded.origins.retain(|k, _| !k.starts_with("stockpile."));
        for j in 0..strategy.stockpile.len() {
            loaded.origins.insert(
                format!("stockpile.{j}"),
                vec![(src, format!("strategy.{}.stockpile.{j}", strategy.index))],
            );
        }
        loaded.table.insert(
            "stockpile".to_owned(),
            toml::Value::Array(strategy.stockpile.clone()),
        );
        Self::build_variant(loaded, &self.top, &[])
    }

    /// The scenario as resolved (after `extends` and overrides).
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

    /// The dated shocks, in order, at the central values of uncertain dates.
    pub fn timeline(&self) -> Vec<TimelineEntry> {
        let cal = &self.central.calendar;
        let shocks = &self.file.shock;
        let label = |k: usize| {
            let s = &shocks[k];
            if s.name.is_empty() {
                format!("shock.{k}")
            } else {
                s.name.clone()
            }
        };
        let mut marks = self.timeline.clone();
        marks.sort_by_key(|m| (m.step, m.shock));
        marks
            .iter()
            .filter(|m| m.step < cal.n_steps)
            .map(|m| {
                let s = &shocks[m.shock];
                let uncertain = matches!(s.delay_weeks, Some(Num::Dist(_)))
                    || matches!(s.duration_weeks, Some(Num::Dist(_)));
                let (what, whom) = match (m.phase, m.target) {
                    (compile::Phase::Suspended, Some(t)) => {
                        (format!("suspends {}", label(t)), describe_whom(&shocks[t]))
                    }
                    (compile::Phase::Restored, Some(t)) => (
                        format!("suspension ends; {} back in force", label(t)),
                        describe_whom(&shocks[t]),
                    ),
                    (compile::Phase::Lifted, Some(t)) => {
                        (format!("lifts {}", label(t)), describe_whom(&shocks[t]))
                    }
                    (compile::Phase::Ends, _) => (format!("{} ends", s.kind), describe_whom(s)),
                    _ => (describe_what(s), describe_whom(s)),
                };
                TimelineEntry {
                    date: cal.date_of(m.step),
                    step: m.step,
                    shock: label(m.shock),
                    what,
                    whom,
                    uncertain,
                }
            })
            .collect()
    }

    /// Key paths of every number given as a distribution (sampled per replication).
    pub fn uncertain_keys(&self) -> Vec<String> {
        flatten_file(&self.file)
            .into_iter()
            .filter(|(_, v)| v.contains("dist"))
            .map(|(k, _)| k)
            .collect()
    }

    /// Resolved parameters (after `extends` and overrides) that differ from `other`'s.
    pub fn diff(&self, other: &Scenario) -> Vec<Difference> {
        let (a, b) = (flatten_file(&self.file), flatten_file(&other.file));
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| Difference {
                key: k.clone(),
                left: a.get(k).cloned(),
                right: b.get(k).cloned(),
            })
            .collect()
    }

    /// The resolved scenario as TOML: what `extends` and `--set` produced, in one file.
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.file).unwrap_or_default()
    }
}

fn describe_what(s: &schema::ShockSpec) -> String {
    let num = |n: &Option<Num>| {
        n.as_ref()
            .map_or("?".to_owned(), |n| format!("{}", n.central()))
    };
    match s.kind.as_str() {
        "halt" => "shipments halted".to_owned(),
        "list_expansion" => "added to the control list".to_owned(),
        "licence_regime" => "licences required".to_owned(),
        "quota" => format!(
            "quota `{}` set to {} t/yr",
            s.quota.clone().unwrap_or_default(),
            num(&s.annual_t)
        ),
        "extraterritorial" => format!(
            "re-exports with controlled content >= {} need a licence",
            num(&s.share)
        ),
        "capacity_outage" => format!("capacity cut by {}", num(&s.share)),
        "demand_surge" => format!("demand x {}", num(&s.multiplier)),
        other => other.to_owned(),
    }
}

fn describe_whom(s: &schema::ShockSpec) -> String {
    let list = |v: &[String]| {
        if v.iter().any(|x| x == "*") {
            "all items".to_owned()
        } else {
            v.join(", ")
        }
    };
    let mut parts = Vec::new();
    if !s.items.is_empty() {
        parts.push(list(&s.items));
    }
    if !s.destinations.is_empty() {
        parts.push(format!("to {}", s.destinations.join(", ")));
    }
    if !s.producers.is_empty() {
        parts.push(s.producers.join(", "));
    }
    if !s.regions.is_empty() || !s.sectors.is_empty() {
        parts.push(
            format!("{} {}", s.regions.join(", "), s.sectors.join(", "))
                .trim()
                .to_owned(),
        );
    }
    parts.join(" ")
}

/// Flattens a resolved file to `key = value` lines, naming array entries by identity so that
/// the same agent compares with itself whatever its position.
fn flatten_file(file: &ScenarioFile) -> std::collections::BTreeMap<String, String> {
    fn walk(v: &toml::Value, path: &str, out: &mut std::collections::BTreeMap<String, String>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            toml::Value::Table(t) if !is_dist(t) => {
                for (k, x) in t {
                    walk(x, &join(k), out);
                }
            }
            toml::Value::Array(a) if a.iter().all(toml::Value::is_table) && !a.is_empty() => {
                for (j, x) in a.iter().enumerate() {
                    let id = x
                        .as_table()
                        .and_then(source::identity)
                        .unwrap_or_else(|| j.to_string());
                    walk(x, &join(&id), out);
                }
            }
            toml::Value::String(s) if s.is_empty() => {}
            toml::Value::Array(a) if a.is_empty() => {}
            other => {
                out.insert(path.to_owned(), other.to_string());
            }
        }
    }
    fn is_dist(t: &toml::Table) -> bool {
        t.contains_key("dist")
    }
    let mut out = std::collections::BTreeMap::new();
    if let Ok(v) = toml::Value::try_from(file) {
        walk(&v, "", &mut out);
    }
    out
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
    if schema::KNOWN_KEYS.contains(&last.as_str()) {
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
    let hint = did_you_mean(&last, schema::KNOWN_KEYS);
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
        serde.to_owned()
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
fn locate(
    key: String,
    message: String,
    fix: String,
    loaded: &source::Loaded,
    top: &Path,
) -> Problem {
    if let Some(o) = loaded
        .overrides
        .iter()
        .find(|o| key == o.path || key.starts_with(&format!("{}.", o.path)))
    {
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
