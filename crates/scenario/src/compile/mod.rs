//! From a [`ScenarioFile`] to [`ModelParams`](core::ModelParams): name resolution, unit
//! conversion, defaults, validation, and the compilation of dated shocks into the timeline of
//! policy states in force (`events.rs`).
//!
//! The same code validates (drawing central values and recording every problem) and samples
//! (drawing each uncertain number from its own stream), so what is checked is what runs. One
//! module per section of the file; this one holds what they share: [`Build`], the one
//! own-or-default lookup ([`Build::pick`]), name resolution and unit conversion. The range of
//! every number comes from the key table ([`crate::keys`]).

mod authority;
mod core_errors;
mod destination_lists;
mod economics;
mod events;
mod floors;
mod items;
mod manufacturers;
mod plans;
mod producers;
mod recycling;
mod routes;
mod sections;
mod shocks;
mod sourcing;
mod speeds;
mod stockpiles;
mod targets;
mod tech;
mod undercuts;

use chokepoint_core as core;
use chokepoint_core::{ItemId, RegionId, SectorId};
use chrono::{Days, NaiveDate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::diagnostics::did_you_mean;
use crate::keys;
use crate::num::Num;
use crate::schema::{LeadTimeSpec, ScenarioFile};

pub(crate) use core_errors::key_of_param_error;
pub(crate) use events::{Phase, TimelineMark};
pub(crate) use sections::Sections;

/// Days per week, for converting weekly inputs to steps.
const DAYS_PER_WEEK: f64 = 7.0;

/// How numbers are obtained while building.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Draw {
    /// Check every number; use central values; record which numbers are uncertain.
    Validate,
    /// Sample every uncertain number from the stream of its key, seeded by this replication.
    Sample(u64),
    /// Sample like [`Draw::Sample`], and record what [`Draw::Validate`] records for explaining
    /// errors (where each policy event came from): for a replication whose sampled parameters
    /// the model refuses.
    Diagnose(u64),
}

/// Reads one field of a lead-time table.
type LeadTimeField = fn(&LeadTimeSpec) -> Option<&Num>;

/// A problem before it is located in a file: key path, message, fix.
pub(crate) type RawProblem = (String, String, String);

/// The longest horizon or warm-up a scenario may ask for: a century of weeks. Not a model
/// parameter but a guard: every replication keeps a row of outputs per step, and a horizon of
/// billions of weeks (days or a typo taken as weeks) would exhaust memory after `check` passed
/// (issue 13).
const MAX_WEEKS: u32 = 52 * 100;

/// Where a number may be written: its key path and its value there, if any.
pub(crate) struct Slot<'s> {
    key: String,
    value: Option<&'s Num>,
}

impl<'s> Slot<'s> {
    pub(crate) fn new(key: impl Into<String>, value: Option<&'s Num>) -> Self {
        Self {
            key: key.into(),
            value,
        }
    }
}

/// Compiles one [`ScenarioFile`]; problems are collected, never returned early.
pub(crate) struct Build<'a> {
    pub(crate) timeline: Vec<TimelineMark>,
    file: &'a ScenarioFile,
    draw: Draw,
    pub(crate) problems: Vec<RawProblem>,
    items: Vec<String>,
    regions: Vec<String>,
    sectors: Vec<String>,
    step_days: f64,
    /// Where each value of the policy timeline came from (for mapping the model's validation
    /// errors back to the file).
    pub(crate) event_origins: Vec<events::EventOrigin>,
    /// Key paths of the distributions read while validating, in the order they were met, each
    /// once: the numbers a replication samples.
    pub(crate) uncertain: Vec<String>,
    /// While the events are built: the exporters' destination lists and, when there are any,
    /// the exporters without them (the state the lists are applied over).
    lists: destination_lists::Lists,
    raw_authorities: Option<Vec<core::AuthorityParams>>,
}

/// FNV-1a: a stable 64-bit hash of a key path, naming its random stream.
fn stream_of(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The number at `key` in the replication of `param_seed`: a distribution is drawn from the
/// key's own stream and clamped to its range. The one definition of a sampled value.
pub(crate) fn sample_at(key: &str, n: &Num, param_seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(param_seed);
    rng.set_stream(stream_of(key));
    n.sample(keys::domain_at(key), &mut rng)
}

impl<'a> Build<'a> {
    pub(crate) fn new(file: &'a ScenarioFile, draw: Draw) -> Self {
        let step_days = f64::from(file.scenario.step_days.unwrap_or(7).max(1));
        Self {
            timeline: Vec::new(),
            file,
            draw,
            problems: Vec::new(),
            items: file.item.iter().map(|i| i.name.clone()).collect(),
            regions: file.region.iter().map(|r| r.name.clone()).collect(),
            sectors: file.sector.iter().map(|s| s.name.clone()).collect(),
            step_days,
            event_origins: Vec::new(),
            uncertain: Vec::new(),
            lists: destination_lists::Lists::default(),
            raw_authorities: None,
        }
    }

    /// True when diagnostics beyond the values are recorded (see [`Draw::Diagnose`]).
    fn validating(&self) -> bool {
        matches!(self.draw, Draw::Validate | Draw::Diagnose(_))
    }

    /// An entry's `name` at `key`: required, and unique among the entries of its table before it
    /// (`earlier`), the rule every lever table follows.
    fn check_entry_name<'n>(
        &mut self,
        key: &str,
        name: &str,
        mut earlier: impl Iterator<Item = &'n str>,
    ) {
        if name.is_empty() {
            self.problem(
                format!("{key}.name"),
                "missing required key",
                "add `name = \"...\"`",
            );
        } else if earlier.any(|o| o == name) {
            self.problem(
                format!("{key}.name"),
                format!("`{name}` is defined twice"),
                "give each entry its own name",
            );
        }
    }

    fn problem(
        &mut self,
        key: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.problems.push((key.into(), message.into(), fix.into()));
    }

    /// The number at `key`: checked against the key's range (from [`crate::keys`]) and taken at
    /// its central value, or drawn from the key's own stream.
    fn num(&mut self, key: &str, n: &Num) -> f64 {
        match self.draw {
            Draw::Validate => {
                if let Err((suffix, message, fix)) = n.check_keys() {
                    self.problem(format!("{key}.{suffix}"), message, fix);
                } else if let Err((message, fix)) = n.check(keys::domain_at(key)) {
                    self.problem(key, message, fix);
                }
                if matches!(n, Num::Dist(_)) && !self.uncertain.iter().any(|k| k == key) {
                    self.uncertain.push(key.to_owned());
                }
                n.central()
            }
            Draw::Sample(seed) | Draw::Diagnose(seed) => sample_at(key, n, seed),
        }
    }

    /// The one own-or-default lookup: the entry's own value, else the table it falls back to,
    /// else a "missing required key" problem (reported at the fallback table when there is one,
    /// so that it is reported once rather than once per entry).
    fn pick(&mut self, own: &Slot<'_>, fallback: Option<&Slot<'_>>) -> f64 {
        if let Some(n) = own.value {
            return self.num(&own.key, n);
        }
        match fallback {
            Some(Slot {
                key,
                value: Some(n),
            }) => self.num(key, n),
            Some(Slot { key, value: None }) => {
                let (table, name) = key.rsplit_once('.').unwrap_or(("defaults", key));
                self.problem(
                    key,
                    "missing required key",
                    format!("add `{name} = <number>` under [{table}], or set it on every entry"),
                );
                0.0
            }
            None => {
                self.problem(
                    &own.key,
                    "missing required key",
                    format!("add `{} = <number>`", last(&own.key)),
                );
                0.0
            }
        }
    }

    /// [`Build::pick`] for a key `name` of an entry at `own` whose fallback table, if any, is at
    /// `fallback`.
    fn knob(
        &mut self,
        own: &str,
        fallback: Option<&str>,
        name: &str,
        values: (Option<&Num>, Option<&Num>),
    ) -> f64 {
        self.pick(
            &Slot::new(format!("{own}.{name}"), values.0),
            fallback
                .map(|f| Slot::new(format!("{f}.{name}"), values.1))
                .as_ref(),
        )
    }

    fn weeks_to_steps(&self, weeks: f64) -> f64 {
        weeks * DAYS_PER_WEEK / self.step_days
    }

    fn per_year_to_step(&self, per_year: f64) -> f64 {
        per_year * self.step_days / core::Calendar::DAYS_PER_YEAR
    }

    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "rounded to whole steps and clamped to [0, u32::MAX] first (NaN casts to 0)"
    )]
    fn steps(&self, weeks: f64) -> u32 {
        self.weeks_to_steps(weeks)
            .round()
            .clamp(0.0, f64::from(u32::MAX)) as u32
    }

    fn resolve(&mut self, key: &str, name: &str, kind: &str) -> Option<usize> {
        let list = match kind {
            "item" => &self.items,
            "region" => &self.regions,
            _ => &self.sectors,
        };
        if let Some(i) = list.iter().position(|n| n == name) {
            return Some(i);
        }
        let names: Vec<&str> = list.iter().map(String::as_str).collect();
        let hint = did_you_mean(name, &names);
        let message = if name.is_empty() {
            format!("missing {kind} name")
        } else {
            format!("unknown {kind} `{name}`{hint}")
        };
        self.problem(
            key,
            message,
            format!(
                "use one of the {kind}s defined in the file: {}",
                names.join(", ")
            ),
        );
        None
    }

    fn item(&mut self, key: &str, name: &str) -> ItemId {
        ItemId::from(self.resolve(key, name, "item").unwrap_or(0))
    }
    fn region(&mut self, key: &str, name: &str) -> RegionId {
        RegionId::from(self.resolve(key, name, "region").unwrap_or(0))
    }
    fn sector(&mut self, key: &str, name: &str) -> SectorId {
        SectorId::from(self.resolve(key, name, "sector").unwrap_or(0))
    }

    fn items(&mut self, key: &str, names: &[String]) -> Vec<ItemId> {
        if names.iter().any(|n| n == "*") {
            return (0..self.items.len()).map(ItemId::from).collect();
        }
        names
            .iter()
            .enumerate()
            .map(|(k, n)| self.item(&format!("{key}.{k}"), n))
            .collect()
    }

    /// A required item name (`output`, `feed`, `product`).
    fn named(&mut self, key: &str, name: Option<&str>, kind: &str, example: &str) -> ItemId {
        if let Some(n) = name {
            ItemId::from(self.resolve(key, n, kind).unwrap_or(0))
        } else {
            self.problem(key, "missing required key", format!("add {example}"));
            ItemId(0)
        }
    }

    fn unique(&mut self, table: &str, names: &[&str]) {
        for (k, n) in names.iter().enumerate() {
            if names[..k].contains(n) {
                self.problem(
                    format!("{table}.{k}.name"),
                    format!("`{n}` is defined twice"),
                    "give each entry its own name",
                );
            }
        }
    }

    /// A lead time at `key`, each part falling back to the table at `fallback`.
    fn lead_time(
        &mut self,
        key: &str,
        own: Option<&LeadTimeSpec>,
        fallback: Option<&(String, Option<&LeadTimeSpec>)>,
    ) -> core::LeadTime {
        let parts: [(&str, LeadTimeField); 3] = [
            ("median", |s| s.median.as_ref()),
            ("sigma", |s| s.sigma.as_ref()),
            ("max", |s| s.max.as_ref()),
        ];
        let mut v = [0.0; 3];
        for (slot, (name, field)) in v.iter_mut().zip(parts) {
            *slot = self.knob(
                key,
                fallback.map(|(k, _)| k.as_str()),
                name,
                (
                    own.and_then(field),
                    fallback.and_then(|(_, s)| s.and_then(field)),
                ),
            );
        }
        core::LeadTime {
            median_steps: self.weeks_to_steps(v[0]),
            sigma: v[1],
            max_steps: self.weeks_to_steps(v[2]),
        }
    }

    /// Builds the whole parameter set; problems are left in `self.problems`.
    pub(crate) fn params(&mut self) -> core::ModelParams {
        let calendar = self.calendar();
        let f = self.file;
        for (table, names) in [
            (
                "item",
                f.item.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
            ),
            ("region", f.region.iter().map(|x| x.name.as_str()).collect()),
            ("sector", f.sector.iter().map(|x| x.name.as_str()).collect()),
            (
                "producer",
                f.producer.iter().map(|x| x.name.as_str()).collect(),
            ),
            (
                "stockpile",
                f.stockpile.iter().map(|x| x.name.as_str()).collect(),
            ),
        ] {
            self.unique(table, &names);
            if names.is_empty() && table != "stockpile" {
                self.problem(
                    table,
                    format!("no `[[{table}]]` entries"),
                    format!("define at least one `[[{table}]]`"),
                );
            }
        }
        let mut params = core::ModelParams {
            calendar,
            items: Vec::new(),
            regions: f
                .region
                .iter()
                .map(|r| core::RegionParams {
                    name: r.name.clone(),
                })
                .collect(),
            sectors: Vec::new(),
            producers: Vec::new(),
            manufacturers: Vec::new(),
            stockpiles: Vec::new(),
            authorities: Vec::new(),
            events: Vec::new(),
            warehouses: Vec::new(),
            trade: core::TradeParams::default(),
            targets: Vec::new(),
            lever_metrics: false,
            operators: Vec::new(),
            floors: Vec::new(),
            grants: Vec::new(),
            sourcing_caps: Vec::new(),
            sourcing_metrics: false,
            undercuts: Vec::new(),
            recyclers: Vec::new(),
            recycling_metrics: false,
        };
        self.rebuild(Sections::ALL, &mut params);
        // Lever outputs exist when asked for, else when the file has producer economics.
        params.recycling_metrics = f
            .scenario
            .recycling_metrics
            .unwrap_or(!params.recyclers.is_empty());
        params.lever_metrics = f.scenario.lever_metrics.unwrap_or(
            !params.operators.is_empty()
                || !params.floors.is_empty()
                || !params.undercuts.is_empty()
                || !params.recyclers.is_empty()
                || params
                    .authorities
                    .iter()
                    .any(|a| !a.partner_regions.is_empty())
                || f.shock.iter().any(|s| s.kind == "partner_control")
                || !params.grants.is_empty()
                || !params.sourcing_caps.is_empty(),
        );
        params.sourcing_metrics = f
            .scenario
            .sourcing_metrics
            .unwrap_or(!params.sourcing_caps.is_empty());
        // Targets hold no uncertain numbers, so no replication rebuilds them: they are read
        // once, here, and resolved against the whole parameters.
        params.targets = self.build_targets(&params.calendar);
        if self.problems.is_empty() {
            self.resolve_targets(&params);
        }
        params
    }

    /// `[scenario]`: the calendar.
    fn calendar(&mut self) -> core::Calendar {
        let h = &self.file.scenario;
        if h.name.is_empty() {
            self.problem(
                "scenario.name",
                "missing required key",
                "add `name = \"...\"` under [scenario]",
            );
        }
        let start = h.start.unwrap_or_else(|| {
            self.problem(
                "scenario.start",
                "missing required key",
                "add `start = 2025-01-06` under [scenario]",
            );
            NaiveDate::MIN
        });
        if h.step_days == Some(0) {
            self.problem(
                "scenario.step_days",
                "a step must last at least one day",
                "use `step_days = 7` for weekly steps",
            );
        }
        let horizon_weeks = h.horizon_weeks.unwrap_or(0);
        if horizon_weeks == 0 {
            self.problem(
                "scenario.horizon_weeks",
                "the horizon is empty",
                "set `horizon_weeks` to a positive number, e.g. 260 for five years",
            );
        }
        for (key, weeks) in [
            ("scenario.horizon_weeks", Some(horizon_weeks)),
            ("scenario.warmup_weeks", h.warmup_weeks),
        ] {
            if weeks.is_some_and(|w| w > MAX_WEEKS) {
                self.problem(
                    key,
                    format!(
                        "{} weeks is more than a century ({MAX_WEEKS} weeks): every replication keeps a row per step, so this would not fit in memory",
                        weeks.unwrap_or_default()
                    ),
                    "give the length in weeks (260 = five years); runs longer than a century are not what this model describes",
                );
            }
        }
        let step_days = h.step_days.unwrap_or(7).max(1);
        // Whole days over whole days, rounded up: exact in integers (the quotient of two numbers
        // below 2^53 never rounds onto a whole number in f64 either, so this is what `ceil` gave).
        let days = u64::from(horizon_weeks) * 7;
        let n_steps = u32::try_from(days.div_ceil(u64::from(step_days))).unwrap_or_else(|_| {
            self.problem(
                "scenario.horizon_weeks",
                format!("the horizon has more than {} steps", u32::MAX),
                "shorten `horizon_weeks` or lengthen `step_days`",
            );
            u32::MAX
        });
        let warmup_steps = h.warmup_weeks.map_or(0, |w| {
            let days = u64::from(w) * 7;
            u32::try_from(days.div_ceil(u64::from(step_days))).unwrap_or_else(|_| {
                self.problem(
                    "scenario.warmup_weeks",
                    format!("the warm-up has more than {} steps", u32::MAX),
                    "shorten `warmup_weeks`",
                );
                u32::MAX
            })
        });
        core::Calendar {
            start,
            step_days,
            n_steps,
            warmup_steps,
        }
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "whole days, non-negative in each branch; `as` saturates, and so does the date"
)]
fn shift(date: NaiveDate, weeks: f64) -> NaiveDate {
    let days = (weeks * DAYS_PER_WEEK).round();
    if days >= 0.0 {
        date.checked_add_days(Days::new(days as u64))
            .unwrap_or(NaiveDate::MAX)
    } else {
        date.checked_sub_days(Days::new((-days) as u64))
            .unwrap_or(NaiveDate::MIN)
    }
}

fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}
