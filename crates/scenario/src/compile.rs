//! From a [`ScenarioFile`] to [`ModelParams`]: name resolution, unit conversion, defaults,
//! validation, and the compilation of dated shocks into on/off policy events.
//!
//! The same code validates (drawing central values and recording every problem) and samples
//! (drawing each uncertain number from its own stream), so what is checked is what runs.

use std::collections::BTreeMap;

use chokepoint_core as core;
use chokepoint_core::{
    AuthorityId, ItemId, ManufacturerId, PolicyAction, PolicyEvent, ProducerId, RegionId, SectorId,
};
use chrono::{Days, NaiveDate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::diagnostics::did_you_mean;
use crate::num::{Domain, Num};
use crate::schema::*;

/// Days per week, for converting weekly inputs to steps.
const DAYS_PER_WEEK: f64 = 7.0;

/// How numbers are obtained while building.
pub(crate) enum Draw {
    /// Check every number; use central values.
    Validate,
    /// Sample every uncertain number from the stream of its key, seeded by this replication.
    Sample(u64),
}

/// Reads one field of a lead-time table.
type LeadTimeField = fn(&LeadTimeSpec) -> Option<&Num>;

/// A problem before it is located in a file: key path, message, fix.
pub(crate) type RawProblem = (String, String, String);

/// What happens to a shock at a step, for `chokepoint check`'s timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The measure takes effect.
    Starts,
    /// The measure ends (its duration is over).
    Ends,
    /// A `suspend` shock pauses its target.
    Suspended,
    /// A suspension ends; the target is in force again.
    Restored,
    /// A `lift` shock ends its target.
    Lifted,
}

/// One dated change, before it is described.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimelineMark {
    pub step: u32,
    pub shock: usize,
    pub target: Option<usize>,
    pub phase: Phase,
}

pub(crate) struct Build<'a> {
    pub(crate) timeline: Vec<TimelineMark>,
    file: &'a ScenarioFile,
    draw: Draw,
    pub(crate) problems: Vec<RawProblem>,
    items: Vec<String>,
    regions: Vec<String>,
    sectors: Vec<String>,
    step_days: f64,
}

/// FNV-1a: a stable 64-bit hash of a key path, naming its random stream.
fn stream_of(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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

    fn num(&mut self, key: &str, n: &Num, domain: Domain) -> f64 {
        match self.draw {
            Draw::Validate => {
                if let Err((message, fix)) = n.check(domain) {
                    self.problem(key, message, fix);
                }
                n.central()
            }
            Draw::Sample(seed) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(stream_of(key));
                n.sample(domain, &mut rng)
            }
        }
    }

    /// A number from the agent's own key or, failing that, the defaults table.
    fn pick(
        &mut self,
        own: (&str, Option<&Num>),
        default: Option<(&str, Option<&Num>)>,
        domain: Domain,
    ) -> f64 {
        if let Some(n) = own.1 {
            return self.num(own.0, n, domain);
        }
        if let Some((dkey, Some(n))) = default {
            return self.num(dkey, n, domain);
        }
        match default {
            // Reported once, at the defaults table, rather than once per agent.
            Some((dkey, _)) => {
                let (table, name) = dkey.rsplit_once('.').unwrap_or(("defaults", dkey));
                self.problem(
                    dkey,
                    "missing required key",
                    format!("add `{name} = <number>` under [{table}], or set it on every entry"),
                );
            }
            None => self.problem(
                own.0,
                "missing required key",
                format!("add `{} = <number>`", last(own.0)),
            ),
        }
        0.0
    }

    fn weeks_to_steps(&self, weeks: f64) -> f64 {
        weeks * DAYS_PER_WEEK / self.step_days
    }

    fn per_year_to_step(&self, per_year: f64) -> f64 {
        per_year * self.step_days / core::Calendar::DAYS_PER_YEAR
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

    fn lead_time(
        &mut self,
        key: &str,
        own: Option<&LeadTimeSpec>,
        default: Option<(String, Option<&LeadTimeSpec>)>,
    ) -> core::LeadTime {
        let parts: [(&str, LeadTimeField); 3] = [
            ("median", |s| s.median.as_ref()),
            ("sigma", |s| s.sigma.as_ref()),
            ("max", |s| s.max.as_ref()),
        ];
        let mut v = [0.0; 3];
        for (slot, (name, field)) in v.iter_mut().zip(parts) {
            let own_key = format!("{key}.{name}");
            let def_key = default.as_ref().map(|(k, _)| format!("{k}.{name}"));
            let def_n = default.as_ref().and_then(|(_, s)| s.and_then(field));
            *slot = self.pick(
                (&own_key, own.and_then(field)),
                def_key.as_deref().map(|k| (k, def_n)),
                Domain::NonNegative,
            );
        }
        core::LeadTime {
            median_steps: self.weeks_to_steps(v[0]),
            sigma: v[1],
            max_steps: self.weeks_to_steps(v[2]),
        }
    }

    fn steps(&self, weeks: f64) -> u32 {
        self.weeks_to_steps(weeks)
            .round()
            .clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// Builds the whole parameter set; problems are left in `self.problems`.
    pub(crate) fn params(&mut self) -> core::ModelParams {
        let f = self.file;
        let h = &f.scenario;
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
        let step_days = h.step_days.unwrap_or(7).max(1);
        let calendar = core::Calendar {
            start,
            step_days,
            n_steps: (f64::from(horizon_weeks) * DAYS_PER_WEEK / f64::from(step_days)).ceil()
                as u32,
        };
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
        let items = self.build_items();
        let regions = f
            .region
            .iter()
            .map(|r| core::RegionParams {
                name: r.name.clone(),
            })
            .collect();
        let sectors = f
            .sector
            .iter()
            .enumerate()
            .map(|(k, s)| core::SectorParams {
                name: s.name.clone(),
                lost_output_usd_per_kg: self.pick(
                    (
                        &format!("sector.{k}.lost_output_usd_per_kg"),
                        s.lost_output_usd_per_kg.as_ref(),
                    ),
                    None,
                    Domain::NonNegative,
                ),
            })
            .collect();
        let (producers, warehouses) = self.build_producers(&items);
        let manufacturers = self.build_manufacturers();
        let stockpiles = self.build_stockpiles(&manufacturers, &producers);
        let authorities = self.build_authorities();
        let mut params = core::ModelParams {
            calendar,
            items,
            regions,
            sectors,
            producers,
            manufacturers,
            stockpiles,
            authorities,
            events: Vec::new(),
            warehouses,
        };
        params.events = self.build_events(&params);
        params
    }

    fn build_items(&mut self) -> Vec<core::ItemParams> {
        let f = self.file;
        let d = &f.defaults.price;
        let mut out = Vec::new();
        for (k, it) in f.item.iter().enumerate() {
            let key = format!("item.{k}");
            let kind = match it.kind.as_str() {
                "material" => core::ItemKind::Material,
                "intermediate" => core::ItemKind::Intermediate,
                "product" => core::ItemKind::Product,
                other => {
                    self.problem(
                        format!("{key}.kind"),
                        format!(
                            "unknown item kind `{other}`{}",
                            did_you_mean(other, &["material", "intermediate", "product"])
                        ),
                        "use `material`, `intermediate` or `product`",
                    );
                    core::ItemKind::Material
                }
            };
            let mut bom = Vec::new();
            for (m, n) in &it.bom {
                let bkey = format!("{key}.bom.{m}");
                let material = self.item(&bkey, m);
                let kg_per_t = self.num(&bkey, n, Domain::NonNegative);
                if kg_per_t > 1000.0 {
                    self.problem(
                        &bkey,
                        format!("{kg_per_t} kg per tonne is more than the tonne itself"),
                        "bills of materials are kg per tonne of product: use a value <= 1000",
                    );
                }
                bom.push(core::BomLine { material, kg_per_t });
            }
            let p = &it.price;
            let reversion = self.pick(
                (
                    &format!("{key}.price.reversion_per_week"),
                    p.reversion_per_week.as_ref(),
                ),
                Some((
                    "defaults.price.reversion_per_week",
                    d.reversion_per_week.as_ref(),
                )),
                Domain::Share,
            );
            let per_step = self.step_days / DAYS_PER_WEEK;
            let price = core::PriceParams {
                elasticity: self.pick(
                    (&format!("{key}.price.elasticity"), p.elasticity.as_ref()),
                    Some(("defaults.price.elasticity", d.elasticity.as_ref())),
                    Domain::NonNegative,
                ) * per_step,
                reversion_per_step: 1.0 - (1.0 - reversion).powf(per_step),
                min_ratio: self.pick(
                    (&format!("{key}.price.min_ratio"), p.min_ratio.as_ref()),
                    Some(("defaults.price.min_ratio", d.min_ratio.as_ref())),
                    Domain::Positive,
                ),
                max_ratio: self.pick(
                    (&format!("{key}.price.max_ratio"), p.max_ratio.as_ref()),
                    Some(("defaults.price.max_ratio", d.max_ratio.as_ref())),
                    Domain::AtLeastOne,
                ),
            };
            if price.min_ratio > 1.0 {
                self.problem(
                    format!("{key}.price.min_ratio"),
                    "the lowest price ratio must be <= 1 (the baseline)",
                    "use a value in (0, 1]",
                );
            }
            out.push(core::ItemParams {
                name: it.name.clone(),
                kind,
                base_price_usd_per_kg: self.pick(
                    (
                        &format!("{key}.base_price_usd_per_kg"),
                        it.base_price_usd_per_kg.as_ref(),
                    ),
                    None,
                    Domain::Positive,
                ),
                bom,
                price,
            });
        }
        out
    }

    fn build_producers(
        &mut self,
        items: &[core::ItemParams],
    ) -> (Vec<core::ProducerParams>, Vec<core::WarehouseStock>) {
        let f = self.file;
        let d = &f.defaults.producer;
        let mut producers = Vec::new();
        let mut warehouses = Vec::new();
        for (k, p) in f.producer.iter().enumerate() {
            let key = format!("producer.{k}");
            let region = self.region(&format!("{key}.region"), &p.region);
            let kn = &p.knobs;
            macro_rules! knob {
                ($field:ident, $domain:expr) => {
                    self.pick(
                        (&format!("{key}.{}", stringify!($field)), kn.$field.as_ref()),
                        Some((
                            concat!("defaults.producer.", stringify!($field)),
                            d.$field.as_ref(),
                        )),
                        $domain,
                    )
                };
            }
            let flow = |item, t_per_unit| core::Flow { item, t_per_unit };
            let (stage, inputs, outputs) = match p.stage.as_str() {
                "mining" => {
                    let out = self.named(
                        &format!("{key}.output"),
                        p.output.as_deref(),
                        "item",
                        "the item mined, e.g. `output = \"concentrate\"`",
                    );
                    (core::Stage::Mining, vec![], vec![flow(out, 1.0)])
                }
                "separation" => {
                    let feed = self.named(
                        &format!("{key}.feed"),
                        p.feed.as_deref(),
                        "item",
                        "the feed item, e.g. `feed = \"concentrate\"`",
                    );
                    let mut outs = Vec::new();
                    for (m, n) in &p.yields {
                        let ykey = format!("{key}.yields.{m}");
                        let item = self.item(&ykey, m);
                        outs.push(flow(item, self.num(&ykey, n, Domain::Share)));
                    }
                    if outs.is_empty() {
                        self.problem(
                            format!("{key}.yields"),
                            "a separation plant needs yields",
                            "add `yields = { ndpr = 0.2, dy = 0.01 }` (tonnes per tonne of feed)",
                        );
                    }
                    // The main output, whose price drives utilisation and expansion, is the one
                    // worth most per tonne of feed (NdPr for a rare-earth refinery).
                    outs.sort_by(|a: &core::Flow, b: &core::Flow| {
                        let value = |f: &core::Flow| {
                            f.t_per_unit
                                * items
                                    .get(f.item.idx())
                                    .map_or(0.0, |i| i.base_price_usd_per_kg)
                        };
                        value(b).total_cmp(&value(a))
                    });
                    (core::Stage::Separation, vec![flow(feed, 1.0)], outs)
                }
                "magnet_making" => {
                    let product = self.named(
                        &format!("{key}.product"),
                        p.product.as_deref(),
                        "item",
                        "the magnet made, e.g. `product = \"ndfeb\"`",
                    );
                    let bom = items
                        .get(product.idx())
                        .map(|i| i.bom.clone())
                        .unwrap_or_default();
                    let ins = bom
                        .iter()
                        .map(|l| flow(l.material, l.kg_per_t / 1000.0))
                        .collect();
                    (core::Stage::MagnetMaking, ins, vec![flow(product, 1.0)])
                }
                other => {
                    self.problem(
                        format!("{key}.stage"),
                        format!(
                            "unknown stage `{other}`{}",
                            did_you_mean(other, &["mining", "separation", "magnet_making"])
                        ),
                        "use `mining`, `separation` or `magnet_making`",
                    );
                    (core::Stage::Mining, vec![], vec![flow(ItemId(0), 1.0)])
                }
            };
            let capacity = self.pick(
                (
                    &format!("{key}.capacity_t_per_year"),
                    p.capacity_t_per_year.as_ref(),
                ),
                None,
                Domain::NonNegative,
            );
            let capacity_t_per_step = self.per_year_to_step(capacity);
            let utilisation = knob!(utilisation, Domain::Share);
            let end_use_name = kn
                .end_use
                .clone()
                .or_else(|| d.end_use.clone())
                .unwrap_or_default();
            let end_use = self.sector(&format!("{key}.end_use"), &end_use_name);
            let outage_per_year = knob!(outage_prob_per_year, Domain::Share);
            let warehouse_weeks = knob!(warehouse_weeks, Domain::NonNegative);
            let lead_time = self.lead_time(
                &format!("{key}.expansion_lead_time_weeks"),
                kn.expansion_lead_time_weeks.as_ref(),
                Some((
                    "defaults.producer.expansion_lead_time_weeks".to_owned(),
                    d.expansion_lead_time_weeks.as_ref(),
                )),
            );
            let params = core::ProducerParams {
                name: p.name.clone(),
                region,
                stage,
                capacity_t_per_step,
                utilisation,
                supply_elasticity: knob!(supply_elasticity, Domain::NonNegative),
                inputs,
                outputs,
                input_cover_steps: {
                    let w = knob!(input_cover_weeks, Domain::NonNegative);
                    self.weeks_to_steps(w)
                },
                order_adjust_steps: {
                    let w = knob!(order_adjust_weeks, Domain::AtLeastOne);
                    self.weeks_to_steps(w)
                }
                .max(1.0),
                end_use,
                outage: core::OutageParams {
                    prob_per_step: 1.0
                        - (1.0 - outage_per_year)
                            .powf(self.step_days / core::Calendar::DAYS_PER_YEAR),
                    mean_steps: {
                        let w = knob!(outage_mean_weeks, Domain::AtLeastOne);
                        self.weeks_to_steps(w)
                    }
                    .max(1.0),
                    depth_share: knob!(outage_depth_share, Domain::Share),
                },
                expansion: core::ExpansionParams {
                    trigger_price_ratio: knob!(expansion_trigger_price_ratio, Domain::Positive),
                    sustain_steps: {
                        let w = knob!(expansion_sustain_weeks, Domain::NonNegative);
                        self.steps(w)
                    },
                    lead_time,
                    increment_share: knob!(expansion_increment_share, Domain::NonNegative),
                    max_capacity_multiple: knob!(
                        expansion_max_capacity_multiple,
                        Domain::AtLeastOne
                    ),
                },
            };
            let weekly_output = capacity_t_per_step * utilisation / self.step_days * DAYS_PER_WEEK;
            for o in &params.outputs {
                warehouses.push(core::WarehouseStock {
                    region,
                    item: o.item,
                    tonnes: warehouse_weeks * weekly_output * o.t_per_unit,
                });
            }
            producers.push(params);
        }
        (producers, warehouses)
    }

    fn named(&mut self, key: &str, name: Option<&str>, kind: &str, example: &str) -> ItemId {
        match name {
            Some(n) => ItemId::from(self.resolve(key, n, kind).unwrap_or(0)),
            None => {
                self.problem(key, "missing required key", format!("add {example}"));
                ItemId(0)
            }
        }
    }

    fn build_manufacturers(&mut self) -> Vec<core::ManufacturerParams> {
        let f = self.file;
        let d = &f.defaults.manufacturer;
        let mut out: Vec<core::ManufacturerParams> = Vec::new();
        for (k, dm) in f.demand.iter().enumerate() {
            let key = format!("demand.{k}");
            let r = self.resolve(&format!("{key}.region"), &dm.region, "region");
            let s = self.resolve(&format!("{key}.sector"), &dm.sector, "sector");
            let (region, sector) = (
                RegionId::from(r.unwrap_or(0)),
                SectorId::from(s.unwrap_or(0)),
            );
            if r.is_some()
                && s.is_some()
                && out.iter().any(|m| m.region == region && m.sector == sector)
            {
                self.problem(
                    &key,
                    format!("demand for {} × {} is given twice", dm.region, dm.sector),
                    "merge the two `[[demand]]` entries into one",
                );
            }
            let kn = &dm.knobs;
            macro_rules! knob {
                ($field:ident, $domain:expr) => {
                    self.pick(
                        (&format!("{key}.{}", stringify!($field)), kn.$field.as_ref()),
                        Some((
                            concat!("defaults.manufacturer.", stringify!($field)),
                            d.$field.as_ref(),
                        )),
                        $domain,
                    )
                };
            }
            let mut demand = Vec::new();
            for (name, n) in &dm.t_per_year {
                let dkey = format!("{key}.t_per_year.{name}");
                let item = self.item(&dkey, name);
                let t = self.num(&dkey, n, Domain::NonNegative);
                demand.push(core::Demand {
                    item,
                    t_per_step: self.per_year_to_step(t),
                });
            }
            if demand.is_empty() {
                self.problem(
                    format!("{key}.t_per_year"),
                    "no demand given",
                    "add `t_per_year = { ndfeb = 1000 }`",
                );
            }
            let rate_per_year = knob!(substitution_rate_per_year, Domain::Share);
            out.push(core::ManufacturerParams {
                region,
                sector,
                demand,
                growth_per_year: knob!(growth_per_year, Domain::Any),
                // Weekly shocks independent from week to week: sd scales with the square root of time.
                noise_sigma: knob!(noise_sigma, Domain::NonNegative)
                    * (self.step_days / DAYS_PER_WEEK).sqrt(),
                cover_target_steps: {
                    let w = knob!(cover_weeks, Domain::NonNegative);
                    self.weeks_to_steps(w)
                },
                order_adjust_steps: {
                    let w = knob!(order_adjust_weeks, Domain::AtLeastOne);
                    self.weeks_to_steps(w)
                }
                .max(1.0),
                price_elasticity: knob!(price_elasticity, Domain::NonNegative),
                substitution: core::SubstitutionParams {
                    trigger_price_ratio: knob!(substitution_trigger_price_ratio, Domain::Positive),
                    lag_steps: {
                        let w = knob!(substitution_lag_weeks, Domain::NonNegative);
                        self.steps(w)
                    },
                    rate_per_step: self.per_year_to_step(rate_per_year),
                    cap_share: knob!(substitution_cap_share, Domain::Share),
                },
                halt_unmet_share: knob!(halt_unmet_share, Domain::Share),
            });
        }
        out
    }

    /// Baseline use of an item in a region, tonnes per step: manufacturers' demand plus
    /// producers' inputs. The unit of `*_weeks` stockpile sizes.
    fn regional_use(
        region: RegionId,
        item: ItemId,
        ms: &[core::ManufacturerParams],
        ps: &[core::ProducerParams],
    ) -> f64 {
        let m: f64 = ms
            .iter()
            .filter(|m| m.region == region)
            .flat_map(|m| &m.demand)
            .filter(|d| d.item == item)
            .map(|d| d.t_per_step)
            .sum();
        let p: f64 = ps
            .iter()
            .filter(|p| p.region == region)
            .flat_map(|p| {
                p.inputs
                    .iter()
                    .map(move |f| (f, p.capacity_t_per_step * p.utilisation))
            })
            .filter(|(f, _)| f.item == item)
            .map(|(f, a)| f.t_per_unit * a)
            .sum();
        m + p
    }

    fn build_stockpiles(
        &mut self,
        ms: &[core::ManufacturerParams],
        ps: &[core::ProducerParams],
    ) -> Vec<core::StockpileParams> {
        let f = self.file;
        let mut out = Vec::new();
        for (k, s) in f.stockpile.iter().enumerate() {
            let key = format!("stockpile.{k}");
            let region = self.region(&format!("{key}.region"), &s.region);
            let end_use = self.sector(&format!("{key}.end_use"), &s.end_use);
            let mut lines = Vec::new();
            for (j, h) in s.holding.iter().enumerate() {
                let hkey = format!("{key}.holding.{j}");
                if s.holding[..j].iter().any(|other| other.item == h.item) {
                    self.problem(
                        format!("{hkey}.item"),
                        format!("`{}` is held twice in this stockpile", h.item),
                        "merge the two `[[stockpile.holding]]` entries for it into one",
                    );
                }
                let item = self.item(&format!("{hkey}.item"), &h.item);
                let use_per_week =
                    Self::regional_use(region, item, ms, ps) * DAYS_PER_WEEK / self.step_days;
                let tonnes =
                    |b: &mut Self, t: Option<&Num>, w: Option<&Num>, name: &str| match (t, w) {
                        (Some(t), None) => {
                            b.num(&format!("{hkey}.{name}_t"), t, Domain::NonNegative)
                        }
                        (None, Some(w)) => {
                            b.num(&format!("{hkey}.{name}_weeks"), w, Domain::NonNegative)
                                * use_per_week
                        }
                        (None, None) => 0.0,
                        (Some(_), Some(_)) => {
                            b.problem(
                                format!("{hkey}.{name}_t"),
                                format!("both `{name}_t` and `{name}_weeks` are given"),
                                "keep one of them",
                            );
                            0.0
                        }
                    };
                let initial_t = tonnes(
                    self,
                    h.initial_t.as_ref(),
                    h.initial_weeks.as_ref(),
                    "initial",
                );
                let target_t = tonnes(self, h.target_t.as_ref(), h.target_weeks.as_ref(), "target");
                let per_step = self.step_days / DAYS_PER_WEEK;
                lines.push(core::StockpileLine {
                    item,
                    initial_t,
                    target_t,
                    acquisition_t_per_step: self.pick(
                        (
                            &format!("{hkey}.acquisition_t_per_week"),
                            h.acquisition_t_per_week.as_ref(),
                        ),
                        None,
                        Domain::NonNegative,
                    ) * per_step,
                    release_cap_t_per_step: self.pick(
                        (
                            &format!("{hkey}.release_cap_t_per_week"),
                            h.release_cap_t_per_week.as_ref(),
                        ),
                        None,
                        Domain::NonNegative,
                    ) * per_step,
                });
            }
            let opt = |b: &mut Self, name: &str, n: Option<&Num>, domain| {
                n.map(|n| b.num(&format!("{key}.{name}"), n, domain))
            };
            let priority_sector = s
                .priority_sector
                .as_ref()
                .map(|n| self.sector(&format!("{key}.priority_sector"), n));
            out.push(core::StockpileParams {
                name: s.name.clone(),
                region,
                end_use,
                lines,
                budget_usd: self.pick(
                    (&format!("{key}.budget_usd"), s.budget_usd.as_ref()),
                    None,
                    Domain::NonNegative,
                ),
                release: core::ReleaseRule {
                    shortage_trigger_share: opt(
                        self,
                        "release_shortage_share",
                        s.release_shortage_share.as_ref(),
                        Domain::Share,
                    ),
                    price_trigger_ratio: opt(
                        self,
                        "release_price_ratio",
                        s.release_price_ratio.as_ref(),
                        Domain::Positive,
                    ),
                    priority_sector,
                },
                refill: core::RefillRule {
                    max_price_ratio: self.pick(
                        (
                            &format!("{key}.refill_max_price_ratio"),
                            s.refill_max_price_ratio.as_ref(),
                        ),
                        None,
                        Domain::Positive,
                    ),
                    delay_steps: {
                        let w = self.pick(
                            (
                                &format!("{key}.refill_delay_weeks"),
                                s.refill_delay_weeks.as_ref(),
                            ),
                            None,
                            Domain::NonNegative,
                        );
                        self.steps(w)
                    },
                },
            });
        }
        out
    }

    /// A licence regime from `own` settings over `base` (the exporter's baseline).
    fn regime(
        &mut self,
        key: &str,
        own: &LicenceSpec,
        base: Option<(&str, &LicenceSpec)>,
    ) -> core::LicenceRegime {
        let bkey = base.map(|b| b.0.to_owned());
        let bspec = base.map(|b| b.1);
        let get = |b: &mut Self, name: &str, own_n: Option<&Num>, base_n: Option<&Num>, domain| {
            let ok = format!("{key}.{name}");
            let bk = bkey.as_ref().map(|k| format!("{k}.{name}"));
            b.pick((&ok, own_n), bk.as_deref().map(|k| (k, base_n)), domain)
        };
        let capacity = get(
            self,
            "review_capacity_per_week",
            own.review_capacity_per_week.as_ref(),
            bspec.and_then(|b| b.review_capacity_per_week.as_ref()),
            Domain::NonNegative,
        );
        let validity = get(
            self,
            "validity_weeks",
            own.validity_weeks.as_ref(),
            bspec.and_then(|b| b.validity_weeks.as_ref()),
            Domain::NonNegative,
        );
        let reapply = get(
            self,
            "reapply_delay_weeks",
            own.reapply_delay_weeks.as_ref(),
            bspec.and_then(|b| b.reapply_delay_weeks.as_ref()),
            Domain::NonNegative,
        );
        let lead_time = self.lead_time(
            &format!("{key}.lead_time_weeks"),
            own.lead_time_weeks.as_ref(),
            bkey.as_deref().map(|k| {
                (
                    format!("{k}.lead_time_weeks"),
                    bspec.and_then(|b| b.lead_time_weeks.as_ref()),
                )
            }),
        );
        let approval_spec = if own.approval.is_empty() {
            bspec.map(|b| &b.approval)
        } else {
            Some(&own.approval)
        };
        let akey = if own.approval.is_empty() {
            bkey.clone().unwrap_or_else(|| key.to_owned())
        } else {
            key.to_owned()
        };
        let approval = self.approval(&format!("{akey}.approval"), approval_spec);
        core::LicenceRegime {
            review_capacity_per_step: capacity * self.step_days / DAYS_PER_WEEK,
            lead_time,
            approval,
            validity_steps: self.steps(validity),
            reapply_delay_steps: self.steps(reapply),
        }
    }

    /// Approval odds per destination × sector. The most specific entry wins:
    /// region.sector, region.default or region, sector, default.
    fn approval(&mut self, key: &str, spec: Option<&BTreeMap<String, Approval>>) -> Vec<f64> {
        let empty = BTreeMap::new();
        let spec = spec.unwrap_or(&empty);
        let regions = self.regions.clone();
        let sectors = self.sectors.clone();
        for (name, entry) in spec {
            let is_region = regions.contains(name);
            if !(is_region || sectors.contains(name) || name == "default") {
                let mut cands: Vec<&str> =
                    regions.iter().chain(&sectors).map(String::as_str).collect();
                cands.push("default");
                self.problem(
                    format!("{key}.{name}"),
                    format!(
                        "`{name}` is not a region, a sector or `default`{}",
                        did_you_mean(name, &cands)
                    ),
                    "key approval odds by a region name, a sector name or `default`",
                );
            }
            if let Approval::BySector(t) = entry {
                if !is_region {
                    self.problem(
                        format!("{key}.{name}"),
                        "only a region may hold a table of odds by sector",
                        format!("write `{name} = <probability>`"),
                    );
                }
                for s in t.keys() {
                    if !(sectors.contains(s) || s == "default") {
                        let cands: Vec<&str> = sectors
                            .iter()
                            .map(String::as_str)
                            .chain(["default"])
                            .collect();
                        self.problem(
                            format!("{key}.{name}.{s}"),
                            format!(
                                "`{s}` is not a sector or `default`{}",
                                did_you_mean(s, &cands)
                            ),
                            "key odds within a region by sector name or `default`",
                        );
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(regions.len() * sectors.len());
        let mut missing = false;
        for r in &regions {
            for s in &sectors {
                let found = match spec.get(r) {
                    Some(Approval::BySector(t)) => t
                        .get(s)
                        .map(|n| (format!("{key}.{r}.{s}"), n))
                        .or_else(|| t.get("default").map(|n| (format!("{key}.{r}.default"), n))),
                    Some(Approval::Odds(n)) => Some((format!("{key}.{r}"), n)),
                    None => None,
                }
                .or_else(|| match spec.get(s) {
                    Some(Approval::Odds(n)) => Some((format!("{key}.{s}"), n)),
                    _ => None,
                })
                .or_else(|| match spec.get("default") {
                    Some(Approval::Odds(n)) => Some((format!("{key}.default"), n)),
                    _ => None,
                });
                match found {
                    Some((k, n)) => out.push(self.num(&k, n, Domain::Share)),
                    None => {
                        missing = true;
                        out.push(0.0);
                    }
                }
            }
        }
        if missing {
            self.problem(
                key,
                "approval odds are not given for every destination and sector",
                "add `default = <probability>` to the approval table",
            );
        }
        out
    }

    fn build_authorities(&mut self) -> Vec<core::AuthorityParams> {
        let f = self.file;
        let mut out = Vec::new();
        for (k, e) in f.exporter.iter().enumerate() {
            let key = format!("exporter.{k}");
            let region = self.region(&format!("{key}.region"), &e.region);
            if out
                .iter()
                .any(|a: &core::AuthorityParams| a.region == region)
            {
                self.problem(
                    format!("{key}.region"),
                    format!("`{}` has two exporter tables", e.region),
                    "merge them into one `[[exporter]]`",
                );
            }
            let controlled = self.items(&format!("{key}.controlled"), &e.controlled);
            let regime = self.regime(&format!("{key}.licence"), &e.licence, None);
            let mut quotas = Vec::new();
            for (q, spec) in e.quota.iter().enumerate() {
                let qkey = format!("{key}.quota.{q}");
                quotas.push(core::QuotaParams {
                    name: spec.name.clone(),
                    items: self.items(&format!("{qkey}.items"), &spec.items),
                    annual_t: spec
                        .annual_t
                        .as_ref()
                        .map(|n| self.num(&format!("{qkey}.annual_t"), n, Domain::NonNegative)),
                });
            }
            let extraterritorial_share = e
                .extraterritorial_share
                .as_ref()
                .map(|n| self.num(&format!("{key}.extraterritorial_share"), n, Domain::Share));
            out.push(core::AuthorityParams {
                region,
                controlled,
                regime,
                quotas,
                embargoes: vec![],
                extraterritorial_share,
            });
        }
        out
    }

    fn build_events(&mut self, params: &core::ModelParams) -> Vec<PolicyEvent> {
        let f = self.file;
        let cal = &params.calendar;
        let end_date = cal.date_of(cal.n_steps);
        // Per shock: (start step, end step) and the actions that put it in force.
        struct Window {
            start: u32,
            end: u32,
            on: Vec<PolicyAction>,
        }
        let mut windows: Vec<Option<Window>> = Vec::new();
        let names: Vec<&str> = f.shock.iter().map(|s| s.name.as_str()).collect();
        for (k, s) in f.shock.iter().enumerate() {
            let key = format!("shock.{k}");
            if !s.name.is_empty() && names[..k].contains(&s.name.as_str()) {
                self.problem(
                    format!("{key}.name"),
                    format!("shock `{}` is defined twice", s.name),
                    "give each shock its own name",
                );
            }
            let Some(date) = s.date else {
                self.problem(
                    format!("{key}.date"),
                    "missing required key",
                    "add `date = 2025-04-04` (the day it takes effect)",
                );
                windows.push(None);
                continue;
            };
            if date < cal.start || date >= end_date {
                self.problem(
                    format!("{key}.date"),
                    format!("{date} is outside the horizon {} to {}", cal.start, end_date),
                    "move the date inside the horizon, or change `scenario.start` / `scenario.horizon_weeks`",
                );
            }
            let delay = s.delay_weeks.as_ref().map_or(0.0, |n| {
                self.num(&format!("{key}.delay_weeks"), n, Domain::Any)
            });
            let shifted = shift(date, delay);
            let start = cal.step_of(shifted);
            let end = match &s.duration_weeks {
                Some(n) => {
                    let w = self.num(&format!("{key}.duration_weeks"), n, Domain::NonNegative);
                    cal.step_of(shift(shifted, w)).max(start)
                }
                None => u32::MAX,
            };
            let authority = match &s.exporter {
                Some(name) => {
                    let r = self.region(&format!("{key}.exporter"), name);
                    match params.authorities.iter().position(|a| a.region == r) {
                        Some(a) => AuthorityId::from(a),
                        None => {
                            self.problem(
                                format!("{key}.exporter"),
                                format!("`{name}` has no `[[exporter]]` table"),
                                "add an `[[exporter]]` for it or name another exporter",
                            );
                            AuthorityId(0)
                        }
                    }
                }
                None => AuthorityId(0),
            };
            let needs_authority = !matches!(
                s.kind.as_str(),
                "capacity_outage" | "demand_surge" | "suspend" | "lift"
            );
            if needs_authority && params.authorities.is_empty() {
                self.problem(
                    format!("{key}.type"),
                    format!("a `{}` shock needs an exporter", s.kind),
                    "add an `[[exporter]]` table",
                );
                windows.push(None);
                continue;
            }
            // What the shock sets while active; events are computed from the state of all
            // active shocks (below).
            let on = match s.kind.as_str() {
                "halt" => {
                    let items = self.require_items(&key, &s.items);
                    let destinations: Vec<RegionId> = s
                        .destinations
                        .iter()
                        .enumerate()
                        .map(|(j, n)| self.region(&format!("{key}.destinations.{j}"), n))
                        .collect();
                    if destinations.is_empty() {
                        self.problem(
                            format!("{key}.destinations"),
                            "a halt needs destinations",
                            "add `destinations = [\"japan\"]`",
                        );
                    }
                    vec![PolicyAction::Embargo {
                        authority,
                        destinations,
                        items,
                        active: true,
                    }]
                }
                "list_expansion" => {
                    let items = self.require_items(&key, &s.items);
                    vec![PolicyAction::Control {
                        authority,
                        items,
                        controlled: true,
                    }]
                }
                "licence_regime" => {
                    let items = self.require_items(&key, &s.items);
                    let base_key = format!("exporter.{}.licence", authority.idx());
                    let base = f.exporter.get(authority.idx()).map(|e| &e.licence);
                    let regime =
                        self.regime(&key, &s.licence, base.map(|b| (base_key.as_str(), b)));
                    vec![
                        PolicyAction::Control {
                            authority,
                            items,
                            controlled: true,
                        },
                        PolicyAction::LicenceRegime { authority, regime },
                    ]
                }
                "quota" => {
                    let qname = s.quota.clone().unwrap_or_default();
                    let quotas = params
                        .authorities
                        .get(authority.idx())
                        .map(|a| a.quotas.clone())
                        .unwrap_or_default();
                    let q = quotas.iter().position(|q| q.name == qname);
                    if q.is_none() {
                        let cands: Vec<&str> = quotas.iter().map(|q| q.name.as_str()).collect();
                        self.problem(
                            format!("{key}.quota"),
                            format!("unknown quota `{qname}`{}", did_you_mean(&qname, &cands)),
                            "name a quota defined under the exporter's `[[exporter.quota]]`",
                        );
                    }
                    let q = q.unwrap_or(0);
                    let annual = self.pick(
                        (&format!("{key}.annual_t"), s.annual_t.as_ref()),
                        None,
                        Domain::NonNegative,
                    );
                    vec![PolicyAction::Quota {
                        authority,
                        quota: q,
                        annual_t: Some(annual),
                    }]
                }
                "extraterritorial" => {
                    let share = self.pick(
                        (&format!("{key}.share"), s.share.as_ref()),
                        None,
                        Domain::Share,
                    );
                    vec![PolicyAction::Extraterritorial {
                        authority,
                        share: Some(share),
                    }]
                }
                "capacity_outage" => {
                    let share = self.pick(
                        (&format!("{key}.share"), s.share.as_ref()),
                        None,
                        Domain::Share,
                    );
                    let mut producers = Vec::new();
                    for (j, n) in s.producers.iter().enumerate() {
                        match params.producers.iter().position(|p| &p.name == n) {
                            Some(p) => producers.push(ProducerId::from(p)),
                            None => {
                                let cands: Vec<&str> =
                                    params.producers.iter().map(|p| p.name.as_str()).collect();
                                self.problem(
                                    format!("{key}.producers.{j}"),
                                    format!("unknown producer `{n}`{}", did_you_mean(n, &cands)),
                                    "name a `[[producer]]` defined in the file",
                                );
                            }
                        }
                    }
                    if s.producers.is_empty() {
                        self.problem(
                            format!("{key}.producers"),
                            "a capacity outage needs producers",
                            "add `producers = [\"...\"]`",
                        );
                    }
                    vec![PolicyAction::CapacityOutage { producers, share }]
                }
                "demand_surge" => {
                    let multiplier = self.pick(
                        (&format!("{key}.multiplier"), s.multiplier.as_ref()),
                        None,
                        Domain::NonNegative,
                    );
                    let regions: Vec<RegionId> = s
                        .regions
                        .iter()
                        .enumerate()
                        .map(|(j, n)| self.region(&format!("{key}.regions.{j}"), n))
                        .collect();
                    let sectors: Vec<SectorId> = s
                        .sectors
                        .iter()
                        .enumerate()
                        .map(|(j, n)| self.sector(&format!("{key}.sectors.{j}"), n))
                        .collect();
                    let manufacturers: Vec<ManufacturerId> = params
                        .manufacturers
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| {
                            (regions.is_empty() || regions.contains(&m.region))
                                && (sectors.is_empty() || sectors.contains(&m.sector))
                        })
                        .map(|(j, _)| ManufacturerId::from(j))
                        .collect();
                    vec![PolicyAction::DemandSurge {
                        manufacturers,
                        multiplier,
                    }]
                }
                "suspend" | "lift" => vec![],
                other => {
                    let kinds = [
                        "halt",
                        "quota",
                        "licence_regime",
                        "list_expansion",
                        "suspend",
                        "lift",
                        "extraterritorial",
                        "capacity_outage",
                        "demand_surge",
                    ];
                    self.problem(
                        format!("{key}.type"),
                        format!(
                            "unknown shock type `{other}`{}",
                            did_you_mean(other, &kinds)
                        ),
                        format!("use one of {}", kinds.join(", ")),
                    );
                    vec![]
                }
            };
            windows.push(Some(Window { start, end, on }));
        }
        // Suspensions and lifts act on their targets: lifts first (each cuts the target short,
        // whatever the file order), then suspensions as gaps in the target's activity.
        let n = windows.len();
        let mut lifted_by: Vec<Option<usize>> = vec![None; n];
        let mut gaps: Vec<Vec<(u32, u32, usize)>> = vec![Vec::new(); n];
        let targets: Vec<Option<usize>> = f
            .shock
            .iter()
            .enumerate()
            .map(|(k, s)| {
                if !matches!(s.kind.as_str(), "suspend" | "lift") {
                    return None;
                }
                let target = s.target.clone().unwrap_or_default();
                let found = f
                    .shock
                    .iter()
                    .position(|x| x.name == target && !target.is_empty());
                if found.is_none() {
                    let cands: Vec<&str> = f
                        .shock
                        .iter()
                        .map(|x| x.name.as_str())
                        .filter(|n| !n.is_empty())
                        .collect();
                    self.problem(
                        format!("shock.{k}.target"),
                        format!("unknown shock `{target}`{}", did_you_mean(&target, &cands)),
                        "name the `name` of the shock to suspend or lift",
                    );
                }
                found
            })
            .collect();
        for (k, t) in targets.iter().enumerate() {
            let (Some(t), Some(lift)) = (*t, windows[k].as_ref().map(|w| w.start)) else {
                continue;
            };
            if f.shock[k].kind == "lift"
                && let Some(tw) = windows[t].as_mut()
                && lift < tw.end
            {
                tw.end = lift.max(tw.start);
                lifted_by[t] = Some(k);
            }
        }
        for (k, t) in targets.iter().enumerate() {
            let (Some(t), Some((a, b))) = (*t, windows[k].as_ref().map(|w| (w.start, w.end)))
            else {
                continue;
            };
            if f.shock[k].kind == "suspend" {
                gaps[t].push((a, b, k));
            }
        }
        let active = |k: usize, step: u32| {
            windows[k]
                .as_ref()
                .is_some_and(|w| !w.on.is_empty() && step >= w.start && step < w.end)
                && !gaps[k].iter().any(|&(a, b, _)| step >= a && step < b)
        };
        // Activity is constant between these steps.
        let mut boundaries: Vec<u32> = windows
            .iter()
            .flatten()
            .flat_map(|w| [w.start, w.end])
            .chain(gaps.iter().flatten().flat_map(|&(a, b, _)| [a, b]))
            .filter(|&s| s < cal.n_steps)
            .collect();
        boundaries.sort_unstable();
        boundaries.dedup();
        // The state in force is recomputed from every active shock at each boundary, and only
        // what changed becomes an event: ending one measure never undoes another's, or the
        // baseline's. Among shocks setting the same value (a quota, the regime, the
        // extraterritorial share) the latest to start wins; derates and surges multiply.
        let baseline = EventState::baseline(params);
        let mut previous = baseline.clone();
        let mut was_active = vec![false; n];
        let mut events = Vec::new();
        for &step in &boundaries {
            let mut order: Vec<usize> = (0..n).filter(|&k| active(k, step)).collect();
            order.sort_by_key(|&k| (windows[k].as_ref().map_or(0, |w| w.start), k));
            let mut state = baseline.clone();
            for &k in &order {
                if let Some(w) = &windows[k] {
                    state.apply(k, &w.on);
                }
            }
            for k in 0..n {
                let now = active(k, step);
                if now == was_active[k] {
                    continue;
                }
                let w = windows[k].as_ref().expect("active shocks have windows");
                let gap_start = gaps[k]
                    .iter()
                    .find(|&&(a, _, _)| a == step)
                    .map(|&(_, _, g)| g);
                let gap_end = gaps[k]
                    .iter()
                    .find(|&&(_, b, _)| b == step)
                    .map(|&(_, _, g)| g);
                let mark = |shock, target, phase| TimelineMark {
                    step,
                    shock,
                    target,
                    phase,
                };
                self.timeline.push(match (now, gap_start, gap_end) {
                    (true, _, Some(g)) if step != w.start => mark(g, Some(k), Phase::Restored),
                    (true, _, _) => mark(k, None, Phase::Starts),
                    (false, Some(g), _) => mark(g, Some(k), Phase::Suspended),
                    (false, _, _) => match lifted_by[k] {
                        Some(l) if step == w.end => mark(l, Some(k), Phase::Lifted),
                        _ => mark(k, None, Phase::Ends),
                    },
                });
                was_active[k] = now;
            }
            for action in state.changes_from(
                &previous,
                params,
                &windows
                    .iter()
                    .map(|w| w.as_ref().map(|w| w.on.as_slice()))
                    .collect::<Vec<_>>(),
            ) {
                events.push(PolicyEvent { step, action });
            }
            previous = state;
        }
        events
    }

    fn require_items(&mut self, key: &str, names: &[String]) -> Vec<ItemId> {
        if names.is_empty() {
            self.problem(
                format!("{key}.items"),
                "no items given",
                "add `items = [\"dy\", \"tb\"]` (or `[\"*\"]` for all)",
            );
        }
        self.items(&format!("{key}.items"), names)
    }
}

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

/// What the shocks set, at one step: the basis for turning overlapping shocks into events.
#[derive(Clone, Debug, PartialEq)]
struct EventState {
    /// Per authority, per item.
    controlled: Vec<Vec<bool>>,
    /// Per authority, per destination × item.
    embargo: Vec<Vec<bool>>,
    /// Per authority, per quota.
    quota: Vec<Vec<Option<f64>>>,
    /// Per authority: the shock whose licence regime is in force (`None` = the exporter's own).
    regime: Vec<Option<usize>>,
    /// Per authority.
    extraterritorial: Vec<Option<f64>>,
    /// Per producer: share of capacity lost.
    derate: Vec<f64>,
    /// Per manufacturer: demand multiplier.
    surge: Vec<f64>,
}

impl EventState {
    fn baseline(p: &core::ModelParams) -> Self {
        let ni = p.items.len();
        let nr = p.regions.len();
        let controlled = p
            .authorities
            .iter()
            .map(|a| {
                let mut v = vec![false; ni];
                for i in &a.controlled {
                    v[i.idx()] = true;
                }
                v
            })
            .collect();
        let embargo = p
            .authorities
            .iter()
            .map(|a| {
                let mut v = vec![false; nr * ni];
                for e in &a.embargoes {
                    v[e.destination.idx() * ni + e.item.idx()] = true;
                }
                v
            })
            .collect();
        Self {
            controlled,
            embargo,
            quota: p
                .authorities
                .iter()
                .map(|a| a.quotas.iter().map(|q| q.annual_t).collect())
                .collect(),
            regime: vec![None; p.authorities.len()],
            extraterritorial: p
                .authorities
                .iter()
                .map(|a| a.extraterritorial_share)
                .collect(),
            derate: vec![0.0; p.producers.len()],
            surge: vec![1.0; p.manufacturers.len()],
        }
    }

    /// Adds the effect of shock `k` (its "on" actions).
    fn apply(&mut self, k: usize, on: &[PolicyAction]) {
        let ni = self.controlled.first().map_or(0, Vec::len);
        for action in on {
            match action {
                PolicyAction::Control {
                    authority,
                    items,
                    controlled,
                } => {
                    for i in items {
                        if let Some(c) = self
                            .controlled
                            .get_mut(authority.idx())
                            .and_then(|v| v.get_mut(i.idx()))
                        {
                            *c |= *controlled;
                        }
                    }
                }
                PolicyAction::Embargo {
                    authority,
                    destinations,
                    items,
                    active,
                } => {
                    for d in destinations {
                        for i in items {
                            if let Some(e) = self
                                .embargo
                                .get_mut(authority.idx())
                                .and_then(|v| v.get_mut(d.idx() * ni + i.idx()))
                            {
                                *e |= *active;
                            }
                        }
                    }
                }
                PolicyAction::Quota {
                    authority,
                    quota,
                    annual_t,
                } => {
                    if let Some(q) = self
                        .quota
                        .get_mut(authority.idx())
                        .and_then(|v| v.get_mut(*quota))
                    {
                        *q = *annual_t;
                    }
                }
                PolicyAction::LicenceRegime { authority, .. } => {
                    if let Some(r) = self.regime.get_mut(authority.idx()) {
                        *r = Some(k);
                    }
                }
                PolicyAction::Extraterritorial { authority, share } => {
                    if let Some(e) = self.extraterritorial.get_mut(authority.idx()) {
                        *e = *share;
                    }
                }
                PolicyAction::CapacityOutage { producers, share } => {
                    for p in producers {
                        if let Some(d) = self.derate.get_mut(p.idx()) {
                            *d = 1.0 - (1.0 - *d) * (1.0 - share);
                        }
                    }
                }
                PolicyAction::DemandSurge {
                    manufacturers,
                    multiplier,
                } => {
                    for m in manufacturers {
                        if let Some(s) = self.surge.get_mut(m.idx()) {
                            *s *= multiplier;
                        }
                    }
                }
            }
        }
    }

    /// The events that turn `before` into `self`. `on[k]` are shock k's actions (for the
    /// licence regime a shock sets).
    #[allow(
        clippy::float_cmp,
        reason = "an unchanged value is bit-for-bit the same"
    )]
    fn changes_from(
        &self,
        before: &Self,
        p: &core::ModelParams,
        on: &[Option<&[PolicyAction]>],
    ) -> Vec<PolicyAction> {
        let mut out = Vec::new();
        let ni = p.items.len();
        for (a, (now, was)) in self.controlled.iter().zip(&before.controlled).enumerate() {
            let authority = AuthorityId::from(a);
            for flag in [true, false] {
                let items: Vec<ItemId> = (0..ni)
                    .filter(|&i| now[i] != was[i] && now[i] == flag)
                    .map(ItemId::from)
                    .collect();
                if !items.is_empty() {
                    out.push(PolicyAction::Control {
                        authority,
                        items,
                        controlled: flag,
                    });
                }
            }
        }
        for (a, (now, was)) in self.embargo.iter().zip(&before.embargo).enumerate() {
            let authority = AuthorityId::from(a);
            for d in 0..p.regions.len() {
                for flag in [true, false] {
                    let items: Vec<ItemId> = (0..ni)
                        .filter(|&i| now[d * ni + i] != was[d * ni + i] && now[d * ni + i] == flag)
                        .map(ItemId::from)
                        .collect();
                    if !items.is_empty() {
                        out.push(PolicyAction::Embargo {
                            authority,
                            destinations: vec![RegionId::from(d)],
                            items,
                            active: flag,
                        });
                    }
                }
            }
        }
        for (a, (now, was)) in self.quota.iter().zip(&before.quota).enumerate() {
            for (q, (x, y)) in now.iter().zip(was).enumerate() {
                if x != y {
                    out.push(PolicyAction::Quota {
                        authority: AuthorityId::from(a),
                        quota: q,
                        annual_t: *x,
                    });
                }
            }
        }
        for (a, (now, was)) in self.regime.iter().zip(&before.regime).enumerate() {
            if now != was {
                let authority = AuthorityId::from(a);
                let regime = now
                    .and_then(|k| on.get(k).copied().flatten())
                    .and_then(|acts| {
                        acts.iter().find_map(|x| match x {
                            PolicyAction::LicenceRegime { regime, .. } => Some(regime.clone()),
                            _ => None,
                        })
                    })
                    .unwrap_or_else(|| p.authorities[a].regime.clone());
                out.push(PolicyAction::LicenceRegime { authority, regime });
            }
        }
        for (a, (now, was)) in self
            .extraterritorial
            .iter()
            .zip(&before.extraterritorial)
            .enumerate()
        {
            if now != was {
                out.push(PolicyAction::Extraterritorial {
                    authority: AuthorityId::from(a),
                    share: *now,
                });
            }
        }
        for (k, (now, was)) in self.derate.iter().zip(&before.derate).enumerate() {
            if now != was {
                out.push(PolicyAction::CapacityOutage {
                    producers: vec![ProducerId::from(k)],
                    share: *now,
                });
            }
        }
        for (k, (now, was)) in self.surge.iter().zip(&before.surge).enumerate() {
            if now != was {
                out.push(PolicyAction::DemandSurge {
                    manufacturers: vec![ManufacturerId::from(k)],
                    multiplier: *now,
                });
            }
        }
        out
    }
}
