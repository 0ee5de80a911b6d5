//! `size`: the smallest stockpile that meets a risk target.
//!
//! A strategy of the strategies file is the template: it says who holds, the release rule and
//! the refill rule. The size is the **weeks of use** every one of its stockpiles holds of each
//! sized item: the front door's [`Resize`] sets each holding's target to that many weeks and
//! scales its opening holdings, acquisition rate and budget with it. The risk (a [`Target`]:
//! `P(METRIC > X) <= p`, `mean(METRIC) <= X`, ...) is judged at each size on the same
//! replications (run ids `0..n`, common random numbers), so differences between sizes are
//! paired; [`search`] says how sizes are chosen and judged.
//!
//! Across several scenarios (or a suite file) the risk at a size is either the **worst case**
//! (the largest over the scenarios, with the largest bounds: a size meets the target only when
//! it meets it in every scenario) or **weighted** (`--weights`: the weighted sum of each
//! scenario's statistic and of its bounds, a conservative bound).
//!
//! Writes `size.csv` (every evaluated size), `frontier.csv` (the greedy steps, several items),
//! `size.json` (the answer) and `manifest.json`, atomically into a locked folder. It does not
//! resume: a stopped sizing is run again.

mod error;
mod oracle;
mod output;
pub mod scale;
pub mod search;
pub mod target;

use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;
use serde::{Deserialize, Serialize};

pub use error::SizeError;
pub use scale::{Scaled, unit_of};
pub use search::{Decision, Evaluated, Found, Judged, SearchConfig};
pub use target::{Bounds, Statistic, Target};

use crate::engine::Execution;
use crate::error::{BoxError, Error};
use crate::plan::{Assignment, Load};

/// Confidence of the one-sided bounds when none is given: a size meets the target when the
/// target holds with 95 % confidence, the usual level of the engine's intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// Largest size searched when neither `--max-weeks` nor a budget says: a year of use, past
/// every shipped strategy (the largest, `dy_tb_budget`, aims at 25.7 weeks).
pub const DEFAULT_MAX_WEEKS: f64 = 52.0;
/// The first bracketing size and the greedy increment: four weeks, about a month of use, the
/// smallest step the shipped strategies differ by (8.6 vs 12.9 weeks).
pub const DEFAULT_STEP_WEEKS: f64 = 4.0;
/// Bisection stops at one week: finer than the uncertainty of weekly use itself.
pub const DEFAULT_RESOLUTION_WEEKS: f64 = 1.0;
/// Replications a size is first judged on, when `--reps` is not given.
pub const DEFAULT_SIZE_REPLICATIONS: u64 = 200;
/// The replication cap is this many times the first count: four doublings while unsure.
pub const MAX_REPLICATIONS_FACTOR: u64 = 16;

/// Makes the scenario of a size: the front door knows the scenario format.
pub trait Resize<S: ScenarioSource> {
    /// `scenario` (a strategy applied) with every stockpile holding of each named item set to
    /// its weeks of use (`(item, weeks)`), the holding's opening stock, acquisition rate and the
    /// stockpile's budget scaled in proportion, validated like the original.
    fn resize(&self, scenario: &S, weeks: &[(String, f64)]) -> Result<S, BoxError>;

    /// The value of the numeric key at `path` in `scenario` (a strategy applied), refused when
    /// the path names no key of the strategy's levers, or a key that is not one plain number.
    fn scale_value(&self, scenario: &S, path: &str) -> Result<f64, BoxError>;

    /// `scenario` (with `strategy` applied) with the key at `path` set to `value`, validated,
    /// and refused when `value` breaks what depends on it (the strategy's `budget_usd`, which
    /// must cover its levers' budgets).
    fn rescale(
        &self,
        scenario: &S,
        strategy: &S::Strategy,
        path: &str,
        value: f64,
    ) -> Result<S, BoxError>;
}

/// How scenarios are combined into one risk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Combine {
    /// The largest risk over the scenarios.
    WorstCase,
    /// Weighted by scenario name (normalised to sum to 1).
    Weighted {
        /// `(scenario name, weight)`.
        weights: Vec<(String, f64)>,
    },
}

/// What the user asked for, as data (recorded in the manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeSpec {
    /// Scenario files, or suite files (`[suite]`) listing them.
    pub scenarios: Vec<PathBuf>,
    /// The strategies file (else the suite's).
    pub strategies: Option<PathBuf>,
    /// The template strategy.
    pub strategy: String,
    /// The target as written.
    pub target: String,
    /// Items to size (empty: every item the strategy holds).
    pub items: Vec<String>,
    /// How scenarios combine.
    pub combine: Combine,
    /// Overrides applied to every scenario.
    pub overrides: Vec<Assignment>,
    /// Master seed (else the first scenario's, else 0).
    pub seed: Option<u64>,
    /// Replications per batch.
    pub batch: u64,
    /// The search's settings (with `scale`, its sizes are values of that key, in its unit).
    pub search: SearchConfig,
    /// The key path of the template strategy to scale (`--scale`), instead of its stockpiles'
    /// weeks of use; `None`: weeks (and the spec's JSON is as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
}

/// What a sizing came to.
#[derive(Clone, Debug)]
pub struct SizeReport {
    /// The output folder.
    pub out: PathBuf,
    /// The parsed target.
    pub target: Target,
    /// The items sized, in order.
    pub items: Vec<String>,
    /// The scenarios, by name.
    pub scenarios: Vec<String>,
    /// The search's record.
    pub found: Found,
    /// Master seed.
    pub seed: u64,
    /// What was scaled (`--scale`), else `None`: weeks of use of `items`.
    pub scaled: Option<Scaled>,
    /// The metric each size is costed with ([`scale::COST_METRICS`]).
    pub cost_metric: String,
}

impl SizeReport {
    /// True when a size met the target within the bounds.
    #[must_use]
    pub fn reached(&self) -> bool {
        self.found.answer.is_some()
    }

    /// The answer's row, if any.
    #[must_use]
    pub fn answer(&self) -> Option<&Evaluated> {
        self.found.answer.map(|k| &self.found.evaluated[k])
    }

    /// The largest size evaluated (the last of the greedy, the largest of one item).
    #[must_use]
    pub fn largest(&self) -> Option<&Evaluated> {
        self.found
            .evaluated
            .iter()
            .filter(|e| e.phase != "candidate")
            .max_by(|a, b| {
                a.weeks
                    .iter()
                    .sum::<f64>()
                    .total_cmp(&b.weeks.iter().sum::<f64>())
            })
    }
}

fn check_flags(c: &SearchConfig, scale: bool) -> Result<(), SizeError> {
    if scale {
        return check_scale_flags(c);
    }
    let flag = |flag: &'static str, v: f64, message: &str| SizeError::Flag {
        flag,
        value: format!("{v}"),
        message: message.to_owned(),
    };
    if !(c.confidence > 0.5 && c.confidence < 1.0) {
        return Err(flag(
            "--confidence",
            c.confidence,
            "give a level between 0.5 and 1, e.g. 0.95",
        ));
    }
    if !(c.max_weeks.is_finite() && c.max_weeks > 0.0) {
        return Err(flag(
            "--max-weeks",
            c.max_weeks,
            "give a number of weeks > 0, e.g. 52",
        ));
    }
    if !(c.step_weeks.is_finite() && c.step_weeks > 0.0) {
        return Err(flag(
            "--step",
            c.step_weeks,
            "give a number of weeks > 0, e.g. 4",
        ));
    }
    if !(c.resolution_weeks.is_finite() && c.resolution_weeks > 0.0) {
        return Err(flag(
            "--resolution",
            c.resolution_weeks,
            "give a number of weeks > 0, e.g. 1",
        ));
    }
    if let Some(b) = c.budget_usd
        && !(b.is_finite() && b > 0.0)
    {
        return Err(flag(
            "--budget-usd",
            b,
            "give an amount in USD > 0, e.g. 5e8",
        ));
    }
    if c.replications == 0 {
        return Err(SizeError::Flag {
            flag: "--reps",
            value: "0".into(),
            message: "give at least 1 replication (a few hundred to judge a 5 % risk)".into(),
        });
    }
    Ok(())
}

/// The flags of a `--scale` search: its sizes are values of the key, in the key's unit.
fn check_scale_flags(c: &SearchConfig) -> Result<(), SizeError> {
    let flag = |flag: &'static str, v: f64, message: &str| SizeError::Flag {
        flag,
        value: format!("{v}"),
        message: message.to_owned(),
    };
    for (name, v) in [
        ("--max", c.max_weeks),
        ("--step", c.step_weeks),
        ("--resolution", c.resolution_weeks),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(flag(
                name,
                v,
                "give a value > 0 in the scaled key's unit (e.g. --max 3e8 for a budget in USD)",
            ));
        }
    }
    let mut rest = c.clone();
    rest.max_weeks = DEFAULT_MAX_WEEKS;
    rest.step_weeks = DEFAULT_STEP_WEEKS;
    rest.resolution_weeks = DEFAULT_RESOLUTION_WEEKS;
    check_flags(&rest, false)
}

/// Weights per scenario, normalised (equal for the worst case, where they weight the cost).
fn weights(combine: &Combine, names: &[String]) -> Result<Vec<f64>, SizeError> {
    let Combine::Weighted { weights } = combine else {
        return Ok(vec![1.0 / names.len() as f64; names.len()]);
    };
    let mut w = Vec::with_capacity(names.len());
    for n in names {
        let given: Vec<f64> = weights
            .iter()
            .filter(|(k, _)| k == n)
            .map(|(_, v)| *v)
            .collect();
        match given.as_slice() {
            [v] if v.is_finite() && *v >= 0.0 => w.push(*v),
            [v] => {
                return Err(SizeError::Weights(format!(
                    "the weight of `{n}` is {v}; give a number >= 0"
                )));
            }
            [] => {
                return Err(SizeError::Weights(format!(
                    "no weight for scenario `{n}`; give one for each of: {}",
                    names.join(", ")
                )));
            }
            _ => {
                return Err(SizeError::Weights(format!(
                    "scenario `{n}` is weighted twice"
                )));
            }
        }
    }
    for (k, _) in weights {
        if !names.contains(k) {
            let cands: Vec<&str> = names.iter().map(String::as_str).collect();
            return Err(SizeError::Weights(format!(
                "`{k}` is not a scenario of this sizing{}; scenarios: {}",
                crate::did_you_mean(k, &cands),
                names.join(", ")
            )));
        }
    }
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return Err(SizeError::Weights(
            "the weights sum to 0; give at least one > 0".into(),
        ));
    }
    Ok(w.into_iter().map(|v| v / total).collect())
}

/// The items a scenario's stockpiles hold, in order of first appearance.
fn held_items<S: ScenarioSource>(scenario: &S) -> Vec<String> {
    let p = scenario.central();
    let mut items: Vec<String> = Vec::new();
    for s in &p.stockpiles {
        for l in &s.lines {
            let name = &p.items[l.item.idx()].name;
            if !items.contains(name) {
                items.push(name.clone());
            }
        }
    }
    items
}

/// Draws a sizing's charts into its folder (under the folder's lock, before the manifest marks
/// it complete) and returns the files written; the front door supplies it, as the engine
/// draws nothing.
pub type Draw<'a> = &'a dyn Fn(&SizeReport, &Path) -> Result<Vec<PathBuf>, crate::BoxError>;

/// Finds the smallest stockpile meeting `spec`'s target (see the module's doc), writing its
/// files and `draw`'s charts into `exec.out` (`shard` and `resume` are refused: sizing neither
/// shards nor resumes).
pub fn size<S, L>(
    spec: &SizeSpec,
    loader: &L,
    exec: &Execution<'_>,
    draw: Draw<'_>,
) -> Result<SizeReport, SizeError>
where
    S: ScenarioSource,
    L: Load<S> + Resize<S>,
{
    crate::engine::check_threads(exec.threads)?;
    if exec.shard.is_some() || exec.resume {
        return Err(SizeError::Flag {
            flag: if exec.resume { "--resume" } else { "--shard" },
            value: String::new(),
            message: "sizing neither shards nor resumes: run it whole".into(),
        });
    }
    check_flags(&spec.search, spec.scale.is_some())?;
    if spec.scale.is_some() && !spec.items.is_empty() {
        return Err(SizeError::Flag {
            flag: "--item",
            value: spec.items.join(","),
            message: "--scale sizes one key, not items' weeks of use: drop --item (or drop --scale to size weeks)".into(),
        });
    }
    let (paths, strategies_path) = expand(spec)?;
    let strategies = loader
        .strategies(&strategies_path)
        .map_err(Error::Scenario)?;
    let names: Vec<&str> = strategies.iter().map(|(n, _)| n.as_str()).collect();
    let Some(t) = names.iter().position(|n| *n == spec.strategy) else {
        return Err(SizeError::UnknownStrategy {
            hint: crate::did_you_mean(&spec.strategy, &names),
            name: spec.strategy.clone(),
            file: strategies_path,
            known: names.join(", "),
        });
    };
    let mut templates = Vec::new();
    for path in &paths {
        let base = loader
            .scenario(path, &spec.overrides)
            .map_err(Error::Scenario)?;
        let tpl = base
            .with_strategy(&strategies[t].1)
            .map_err(|e| Error::Strategy {
                strategy: spec.strategy.clone(),
                path: path.clone(),
                source: e.into(),
            })?;
        templates.push(tpl);
    }
    let first = templates.first().ok_or(Error::NoScenarios)?;
    let scenario_names: Vec<String> = templates.iter().map(|s| s.name().to_owned()).collect();
    let model = first.new_model().map_err(Error::Params)?;
    let metrics = model.schema().metrics.clone();
    let target = Target::parse(&spec.target, &metrics)?;
    let metric = metrics
        .iter()
        .position(|m| *m == target.metric)
        .unwrap_or(0);
    let (cost, cost_metric) = scale::COST_METRICS
        .iter()
        .find_map(|c| metrics.iter().position(|m| m == c).map(|k| (k, *c)))
        .ok_or_else(|| Error::MissingMetric(scale::COST_METRICS.join(" or ")))?;
    let strategy = &strategies[t].1;
    let scaled = match &spec.scale {
        Some(path) => Some(check_scale(
            loader,
            &templates,
            strategy,
            path,
            &spec.search,
        )?),
        None => None,
    };
    let held = if scaled.is_some() {
        Vec::new()
    } else {
        held_items(first)
    };
    if held.is_empty() && scaled.is_none() {
        return Err(SizeError::NothingHeld(spec.strategy.clone()));
    }
    let items = match (&spec.scale, spec.items.is_empty()) {
        (Some(path), _) => vec![path.clone()],
        (None, true) => held.clone(),
        (None, false) => spec.items.clone(),
    };
    for item in items.iter().filter(|_| scaled.is_none()) {
        if !held.contains(item) {
            let cands: Vec<&str> = held.iter().map(String::as_str).collect();
            return Err(SizeError::NotHeld {
                strategy: spec.strategy.clone(),
                hint: crate::did_you_mean(item, &cands),
                item: item.clone(),
                held: held.join(", "),
            });
        }
    }
    let weights = weights(&spec.combine, &scenario_names)?;
    let seed = spec.seed.or(first.default_seed()).unwrap_or(0);

    let label = format!("size-{}-{}", spec.strategy, scenario_names.join("+"));
    let out = crate::engine::output_folder(exec.out.as_deref(), &label);
    let how = if exec.force {
        crate::folder::Claim::Force
    } else {
        crate::folder::Claim::Fresh
    };
    let _lock = crate::folder::claim_telling(&out, how, exec.progress)?;
    let mut manifest = output::start(&out, spec, &target, &templates, seed, exec)?;
    let mut oracle = oracle::Engine {
        templates: &templates,
        loader,
        items: &items,
        strategy: &spec.strategy,
        template: strategy,
        scale: spec.scale.as_deref(),
        target: &target,
        metric,
        cost,
        weights,
        worst: matches!(spec.combine, Combine::WorstCase),
        seed,
        batch: spec.batch.max(1),
        confidence: spec.search.confidence,
        exec,
        out: &out,
        cache: Vec::new(),
        held: Vec::new(),
    };
    let found = if items.len() == 1 {
        let unit = scaled.as_ref().map_or("weeks", |s| s.unit.as_str());
        search::bisect(&mut oracle, &target, &spec.search, unit)
    } else {
        search::greedy(&mut oracle, &target, &spec.search, items.len())
    };
    exec.progress.finish();
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            let status = if matches!(e, SizeError::Interrupted { .. }) {
                "interrupted"
            } else {
                "failed"
            };
            output::mark(&out, &mut manifest, status, None)?;
            return Err(e);
        }
    };
    let report = SizeReport {
        out: out.clone(),
        target,
        items,
        scenarios: scenario_names,
        found,
        seed,
        scaled,
        cost_metric: cost_metric.to_owned(),
    };
    output::write(&out, &report, spec, exec)?;
    draw(&report, &out)
        .map_err(|e| Error::file(format!("{}: cannot draw the charts", out.display()), e))?;
    output::mark(&out, &mut manifest, "complete", Some(&report))?;
    Ok(report)
}

/// Checks `--scale PATH` before anything runs: the key is a plain number of the strategy in
/// every scenario, and both ends of the search (0 and `--max`) are values it may take (so a
/// strategy `budget_usd` too small for `--max` is refused here, not hours into the search).
fn check_scale<S, L>(
    loader: &L,
    templates: &[S],
    strategy: &S::Strategy,
    path: &str,
    search: &SearchConfig,
) -> Result<Scaled, SizeError>
where
    S: ScenarioSource,
    L: Resize<S>,
{
    let err = |at: String| {
        move |source| SizeError::Scale {
            path: path.to_owned(),
            at,
            source,
        }
    };
    let mut template = None;
    for tpl in templates {
        let v = loader.scale_value(tpl, path).map_err(err(String::new()))?;
        template.get_or_insert(v);
        for end in [0.0, search.max_weeks] {
            loader
                .rescale(tpl, strategy, path, end)
                .map_err(err(format!(" at {end}")))?;
        }
    }
    Ok(Scaled {
        path: path.to_owned(),
        unit: unit_of(path).to_owned(),
        template: template.unwrap_or(f64::NAN),
    })
}

/// The scenario files (suites expanded) and the strategies file.
fn expand(spec: &SizeSpec) -> Result<(Vec<PathBuf>, PathBuf), SizeError> {
    let mut paths = Vec::new();
    let mut strategies = spec.strategies.clone();
    for p in &spec.scenarios {
        match crate::suite::read_suite(p)? {
            Some(suite) => {
                paths.extend(suite.scenarios);
                strategies = strategies.or(suite.strategies);
            }
            None => paths.push(p.clone()),
        }
    }
    let strategies = strategies.ok_or(Error::NoStrategies)?;
    Ok((paths, strategies))
}
