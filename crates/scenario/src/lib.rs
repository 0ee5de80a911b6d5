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
//! let path = std::path::Path::new("../../scenarios/baseline_2024.toml");
//! let scenario = Scenario::load(path, &|p| std::fs::read_to_string(p), &[]).unwrap();
//! let params = scenario.sample(42);
//! assert!(!params.producers.is_empty());
//! ```

mod compile;
mod diagnostics;
mod domain;
mod engine;
pub mod keys;
mod num;
mod parse;
mod sampling;
pub mod schema;
mod source;
mod strategies;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diagnostics::{Problem, did_you_mean};
pub use num::{Dist, Domain, Num};
pub use schema::ScenarioFile;
pub use source::Override;
pub use strategies::{Strategy, StrategySet, strategies_schema, strategies_schema_text};

use chokepoint_core::ModelParams;
use compile::{Build, Draw};
use parse::locate;

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{}: cannot read", path.display())]
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
        // Name the file when every problem is in one (a strategies file is not "the scenario").
        let first = self.0.first().map(|p| &p.file);
        let place = match first {
            Some(file)
                if self.0.iter().all(|p| &p.file == file) && !file.as_os_str().is_empty() =>
            {
                file.display().to_string()
            }
            _ => "the scenario".to_owned(),
        };
        writeln!(
            f,
            "{n} problem{} in {place}:",
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
    /// What a replication samples, and which parameters that changes.
    sampling: sampling::Sampling,
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

/// A number of the scenario given as a distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncertainNumber {
    /// Key path, array entries by name where they have one.
    pub key: String,
    /// The distribution as written (inline TOML).
    pub value: String,
    /// The key's unit from the key table, "" when it has none.
    pub unit: &'static str,
    /// The key's meaning from the key table.
    pub meaning: &'static str,
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
        let problems = loaded.apply(overrides);
        // A `--set` that cannot be applied is the one problem to report: checking the file
        // without it would report what the user did not ask about (issue 13).
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        Self::from_loaded(&loaded, path)
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
        let (file, mut raw) = parse::read(loaded, top)?;
        let mut build = Build::new(&file, Draw::Validate);
        let central = build.params();
        // A key whose type was wrong was dropped and read as its default; what the checks say
        // about the file built from that (a horizon that did not parse makes every transit
        // "longer than the horizon") follows from it and is not news, so a file with problems
        // of type or shape gets those alone (issue 13). Unknown keys change nothing and are
        // listed beside the rest.
        let mistyped = raw.iter().any(|p| !p.1.starts_with("unknown key"));
        if !mistyped {
            let typed: Vec<String> = raw.iter().map(|p| p.0.clone()).collect();
            raw.extend(build.problems.into_iter().filter(|p| !typed.contains(&p.0)));
        }
        // The model's own checks, once, with each error mapped back to the key behind it.
        if raw.is_empty()
            && let Err(errs) = central.validate()
        {
            let is_set = |key: &str| source::value_at(&loaded.table, key).is_some();
            raw.extend(
                errs.0.iter().map(|e| {
                    compile::key_of_param_error(e, &central, &build.event_origins, &is_set)
                }),
            );
        }
        let timeline = build.timeline;
        let sampling = sampling::Sampling::new(build.uncertain);
        if !raw.is_empty() {
            let mut problems: Vec<Problem> = raw
                .into_iter()
                .map(|(k, m, f)| locate(k, m, f, loaded, top))
                .collect();
            problems.sort_by(|a, b| {
                (&a.file, a.line, a.column, &a.key).cmp(&(&b.file, b.line, b.column, &b.key))
            });
            problems.dedup();
            // A bad `--set` value is reported once, at the `--set`: what the checks that read
            // it say elsewhere (a horizon that did not parse makes every transit "longer than
            // the horizon") follows from it and is not news (issue 13).
            if problems.iter().any(Problem::is_at_set) {
                problems.retain(Problem::is_at_set);
            }
            return Err(ScenarioError::Invalid(problems));
        }
        Ok(Self {
            file,
            central,
            timeline,
            sampling,
            loaded: std::sync::Arc::new(loaded.clone()),
            top: top.to_owned(),
        })
    }

    /// True when the resolved scenario holds a whole number at `path` (as `--set` paths are
    /// written), so that sweeps can keep such keys whole.
    #[must_use]
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

    /// This scenario with its importer policy (stockpiles, floors) replaced by a strategy's,
    /// validated like the file; problems in the strategy point at the strategies file. When the
    /// strategy's file states a floor anywhere, `[scenario] lever_metrics` is set true, so every
    /// strategy of the file reports the same metrics.
    pub fn with_strategy(&self, strategy: &Strategy) -> Result<Self, ScenarioError> {
        let mut loaded = (*self.loaded).clone();
        let src = loaded.sources.len();
        loaded.sources.push(strategy.source.clone());
        // A strategy states the whole importer policy in the sections its file speaks of: each of
        // those is replaced (absent in this strategy = none); the others stay as the scenario has
        // them (a stockpile-only file keeps a scenario's floors, which may be policy inputs).
        for &section in strategies::IMPORTER_SECTIONS {
            if !strategy.file_sections.contains(&section) {
                continue;
            }
            let prefix = format!("{section}.");
            loaded.origins.retain(|k, _| !k.starts_with(&prefix));
            let tables = strategy.tables(section);
            // A section neither the scenario nor the strategy states stays absent (the
            // resolved text of a stockpile comparison does not gain an empty `floor = []`).
            if tables.is_empty() && !loaded.table.contains_key(section) {
                continue;
            }
            for j in 0..tables.len() {
                loaded.origins.insert(
                    format!("{section}.{j}"),
                    vec![(src, format!("strategy.{}.{section}.{j}", strategy.index))],
                );
            }
            loaded
                .table
                .insert(section.to_owned(), toml::Value::Array(tables.to_vec()));
        }
        if strategy.lever_metrics
            && let Some(toml::Value::Table(scenario)) = loaded.table.get_mut("scenario")
        {
            scenario.insert("lever_metrics".to_owned(), toml::Value::Boolean(true));
        }
        // Recycling in any strategy of the file: every strategy reports the recycling metrics.
        if strategy.file_sections.contains(&strategies::RECYCLING)
            && let Some(toml::Value::Table(scenario)) = loaded.table.get_mut("scenario")
        {
            scenario.insert("recycling_metrics".to_owned(), toml::Value::Boolean(true));
        }
        if strategy.sourcing_metrics
            && let Some(toml::Value::Table(scenario)) = loaded.table.get_mut("scenario")
        {
            scenario.insert("sourcing_metrics".to_owned(), toml::Value::Boolean(true));
        }
        Self::build_variant(loaded, &self.top, &[])
    }

    /// The scenario as resolved (after `extends` and overrides).
    #[must_use]
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// The scenario's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.file.scenario.name
    }

    /// Default master seed from the file.
    #[must_use]
    pub fn seed(&self) -> Option<u64> {
        self.file.scenario.seed
    }

    /// Default number of replications from the file.
    #[must_use]
    pub fn replications(&self) -> Option<u64> {
        self.file.scenario.replications
    }

    /// Parameters with every uncertain number at its central value (median, mode or mean).
    #[must_use]
    pub fn central(&self) -> &ModelParams {
        &self.central
    }

    /// Parameters for one replication: every uncertain number drawn from its own stream,
    /// seeded by `param_seed` and named by its key path, so the same key always gets the same
    /// draw for the same seed whatever else the file contains. A copy of the central
    /// parameters with what the uncertain numbers reach rebuilt ([`Scenario::sample_params_into`]
    /// reuses a buffer instead).
    #[must_use]
    pub fn sample(&self, param_seed: u64) -> ModelParams {
        let mut params = self.central.clone();
        self.sample_params_into(param_seed, &mut params);
        params
    }

    /// Key paths of the numbers the compiler reads as distributions: those a replication draws.
    #[must_use]
    pub fn sampled_keys(&self) -> &[String] {
        self.sampling.keys()
    }

    /// The dated shocks, in order, at the central values of uncertain dates.
    #[must_use]
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
                    (compile::Phase::Announced, _) => {
                        (format!("announced: {}", describe_what(s)), describe_whom(s))
                    }
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

    /// The numbers given as distributions (drawn per replication), with what the key table says
    /// of each: so `check` shows what is uncertain in the file's own words and units.
    #[must_use]
    pub fn uncertain(&self) -> Vec<UncertainNumber> {
        flatten_file(&self.file)
            .into_iter()
            // A distribution is an inline table with a `dist` key; a text that merely
            // mentions "dist" (a target's `source`, say) is not one.
            .filter(|(_, v)| v.starts_with('{') && v.contains("dist ="))
            .map(|(key, value)| {
                let known = keys::key_at(&key);
                UncertainNumber {
                    unit: known.map_or("", |k| k.unit),
                    meaning: known.map_or("", |k| k.doc),
                    key,
                    value,
                }
            })
            .collect()
    }

    /// Resolved parameters (after `extends` and overrides) that differ from `other`'s.
    #[must_use]
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
    #[must_use]
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
        "general_licence" => "general licence: no individual licence needed".to_owned(),
        "capacity_outage" => format!("capacity cut by {}", num(&s.share)),
        "demand_surge" => format!("demand x {}", num(&s.multiplier)),
        "partner_control" => "plants sell under the exporter's policy:".to_owned(),
        "destination_list" => format!(
            "onto destination list `{}`:",
            s.list.clone().unwrap_or_default()
        ),
        "technology_control" => {
            let speed = |n: &Option<Num>| {
                n.as_ref()
                    .map_or("1".to_owned(), |n| format!("{}", n.central()))
            };
            format!(
                "know-how banned: build x {}, ramp x {}",
                speed(&s.build_speed_share),
                speed(&s.ramp_speed_share)
            )
        }
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
    if !s.stages.is_empty() {
        parts.push(s.stages.join(", "));
        if s.regions.is_empty() {
            parts.push("outside the exporter".to_owned());
        }
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
