//! Small, hand-checkable markets built in code, for tests, examples and benchmarks.
//!
//! These are not calibrated scenarios (those live in `scenarios/*.toml`); they are the smallest
//! models in which an analytic answer is known.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::ids::{ItemId, RegionId, SectorId};
use crate::keyed::LeadTime;
use crate::params::{
    AuthorityParams, BomLine, Demand, ExpansionParams, Flow, ItemKind, ItemParams,
    ManufacturerParams, ModelParams, OutageParams, PriceParams, ProducerParams, QuotaParams,
    RefillRule, RegionParams, ReleaseRule, SectorParams, Stage, StockBuildingParams, StockpileLine,
    StockpileParams, SubstitutionParams, TradeParams, WarehouseStock,
};
use crate::policy::{InForce, LicenceRegime, PolicyEvent};

/// Puts a measure in force from step `from` to the end: `change` is applied to the state in
/// force at `from` (a new event if none is dated then) and to every later event. Measures that
/// touch different fields can be imposed in any order.
pub fn impose(p: &mut ModelParams, from: u32, change: impl Fn(&mut InForce)) {
    if !p.events.iter().any(|e| e.step == from) {
        let at = p.events.partition_point(|e| e.step < from);
        let in_force = p.in_force_at(from);
        p.events.insert(
            at,
            PolicyEvent {
                step: from,
                in_force,
            },
        );
    }
    for e in p.events.iter_mut().filter(|e| e.step >= from) {
        change(&mut e.in_force);
    }
}

/// Price dynamics that respond to scarcity within the usual bounds.
#[must_use]
pub fn responsive_price() -> PriceParams {
    PriceParams {
        elasticity: 0.5,
        reversion_per_step: 0.05,
        min_ratio: 0.2,
        max_ratio: 20.0,
    }
}

/// A producer that never breaks down.
#[must_use]
pub fn no_outage() -> OutageParams {
    OutageParams {
        prob_per_step: 0.0,
        mean_steps: 1.0,
        depth_share: 0.0,
    }
}

/// A producer that never expands.
#[must_use]
pub fn no_expansion() -> ExpansionParams {
    ExpansionParams {
        trigger_price_ratio: 1.5,
        sustain_steps: 26,
        lead_time: LeadTime {
            median_steps: 300.0,
            sigma: 0.3,
            max_steps: 600.0,
        },
        increment_share: 0.0,
        max_capacity_multiple: 1.0,
    }
}

/// A manufacturer that never substitutes.
#[must_use]
pub fn no_substitution() -> SubstitutionParams {
    SubstitutionParams {
        trigger_price_ratio: 2.0,
        lag_steps: 26,
        rate_per_step: 0.0,
        cap_share: 0.0,
    }
}

/// A licence regime with the given approval odds everywhere.
#[must_use]
pub fn regime(n_regions: usize, n_sectors: usize, approval: f64) -> LicenceRegime {
    LicenceRegime {
        review_capacity_per_step: 4.0,
        lead_time: LeadTime {
            median_steps: 9.0,
            sigma: 0.4,
            max_steps: 20.0,
        },
        lead_time_by_region: Vec::new(),
        approval: vec![approval; n_regions * n_sectors],
        validity_steps: vec![26; n_regions * n_sectors],
        reapply_delay_steps: 4,
        renewal_margin_steps: 2.0,
        quantity_cover_factor: None,
    }
}

fn calendar(n_steps: u32) -> Calendar {
    Calendar {
        start: NaiveDate::from_ymd_opt(2025, 1, 6).expect("valid date"),
        step_days: 7,
        n_steps,
        warmup_steps: 0,
    }
}

/// One exporter (`china`) making magnets from nothing at exactly the rate one importer
/// (`japan`) consumes them: `demand_t` per step, manufacturer cover `cover_steps`, no noise.
/// With `embargo_at = Some(s)`, all magnet exports to Japan stop from step `s`.
#[must_use]
pub fn embargo_case(demand_t: f64, cover_steps: f64, embargo_at: Option<u32>) -> ModelParams {
    let magnets = ItemId(0);
    let (china, japan) = (RegionId(0), RegionId(1));
    let ev = SectorId(0);
    let mut p = ModelParams {
        calendar: calendar(52),
        items: vec![ItemParams {
            name: "ndfeb".into(),
            kind: ItemKind::Product,
            base_price_usd_per_kg: 60.0,
            bom: vec![],
            price: responsive_price(),
        }],
        regions: vec![
            RegionParams {
                name: "china".into(),
            },
            RegionParams {
                name: "japan".into(),
            },
        ],
        sectors: vec![SectorParams {
            name: "ev_motors".into(),
            value_added_usd_per_kg: 2000.0,
            deferral_steps: 0,
        }],
        producers: vec![ProducerParams {
            name: "china_magnets".into(),
            region: china,
            stage: Stage::MagnetMaking,
            capacity_t_per_step: demand_t,
            utilisation: 1.0,
            supply_elasticity: 0.0,
            inputs: vec![],
            outputs: vec![Flow {
                item: magnets,
                t_per_unit: 1.0,
            }],
            input_cover_steps: 0.0,
            order_adjust_steps: 1.0,
            end_use: ev,
            outage: no_outage(),
            expansion: no_expansion(),
            online: None,
            plan: None,
            economics: None,
        }],
        manufacturers: vec![ManufacturerParams {
            region: japan,
            sector: ev,
            demand: vec![Demand {
                item: magnets,
                t_per_step: demand_t,
            }],
            growth_per_year: 0.0,
            noise_sigma: 0.0,
            cover_target_steps: cover_steps,
            order_adjust_steps: 4.0,
            price_elasticity: 0.0,
            substitution: no_substitution(),
            halt_unmet_share: 0.0,
            catch_up_share: 0.0,
            stock_building: StockBuildingParams::default(),
        }],
        stockpiles: vec![],
        authorities: vec![AuthorityParams {
            region: china,
            controlled: vec![],
            regime: regime(2, 1, 1.0),
            quotas: vec![],
            embargoes: vec![],
            extraterritorial_share: None,
            general_licences: vec![],
            partner_regions: vec![],
        }],
        events: vec![],
        warehouses: vec![WarehouseStock {
            region: china,
            item: magnets,
            tonnes: demand_t,
        }],
        trade: TradeParams::default(),
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
    if let Some(step) = embargo_at {
        let ni = p.items.len();
        impose(&mut p, step, |s| {
            s.authorities[0].embargo[japan.idx() * ni + magnets.idx()] = true;
        });
    }
    p
}

/// A two-region market with the whole chain: a Chinese mine, separation plant and magnet maker,
/// a Japanese magnet maker buying Chinese NdPr and Dy, manufacturers in both, a Japanese
/// stockpile, and a licence regime on Dy and magnets from step 10 with 70 % approval.
#[must_use]
pub fn two_region_market() -> ModelParams {
    let (conc, ndpr, dy, ndfeb) = (ItemId(0), ItemId(1), ItemId(2), ItemId(3));
    let (china, japan) = (RegionId(0), RegionId(1));
    let (ev, defence) = (SectorId(0), SectorId(1));
    let item = |name: &str, kind, price, bom| ItemParams {
        name: name.into(),
        kind,
        base_price_usd_per_kg: price,
        bom,
        price: responsive_price(),
    };
    let producer = |name: &str, region, stage, cap, inputs, outputs| ProducerParams {
        name: name.into(),
        region,
        stage,
        capacity_t_per_step: cap,
        utilisation: 0.9,
        supply_elasticity: 0.3,
        inputs,
        outputs,
        input_cover_steps: 4.0,
        order_adjust_steps: 4.0,
        end_use: ev,
        outage: OutageParams {
            prob_per_step: 0.01,
            mean_steps: 4.0,
            depth_share: 0.5,
        },
        expansion: ExpansionParams {
            trigger_price_ratio: 1.5,
            sustain_steps: 13,
            lead_time: LeadTime {
                median_steps: 104.0,
                sigma: 0.3,
                max_steps: 400.0,
            },
            increment_share: 0.2,
            max_capacity_multiple: 2.0,
        },
        online: None,
        plan: None,
        economics: None,
    };
    let flow = |item, t_per_unit| Flow { item, t_per_unit };
    let bom = vec![
        BomLine {
            material: ndpr,
            kg_per_t: 300.0,
        },
        BomLine {
            material: dy,
            kg_per_t: 20.0,
        },
    ];
    let manufacturer = |region, sector, t| ManufacturerParams {
        region,
        sector,
        demand: vec![Demand {
            item: ndfeb,
            t_per_step: t,
        }],
        growth_per_year: 0.05,
        noise_sigma: 0.1,
        cover_target_steps: 3.0,
        order_adjust_steps: 4.0,
        price_elasticity: 0.05,
        substitution: SubstitutionParams {
            trigger_price_ratio: 2.0,
            lag_steps: 26,
            rate_per_step: 0.002,
            cap_share: 0.2,
        },
        halt_unmet_share: 0.0,
        catch_up_share: 0.0,
        stock_building: StockBuildingParams::default(),
    };
    let mut p = ModelParams {
        calendar: calendar(104),
        items: vec![
            item("concentrate", ItemKind::Intermediate, 5.0, vec![]),
            item("ndpr", ItemKind::Material, 60.0, vec![]),
            item("dy", ItemKind::Material, 250.0, vec![]),
            item("ndfeb", ItemKind::Product, 50.0, bom.clone()),
        ],
        regions: vec![
            RegionParams {
                name: "china".into(),
            },
            RegionParams {
                name: "japan".into(),
            },
        ],
        sectors: vec![
            SectorParams {
                name: "ev_motors".into(),
                value_added_usd_per_kg: 2000.0,
                deferral_steps: 0,
            },
            SectorParams {
                name: "defence".into(),
                value_added_usd_per_kg: 20000.0,
                deferral_steps: 0,
            },
        ],
        producers: vec![
            producer(
                "cn_mine",
                china,
                Stage::Mining,
                5000.0,
                vec![],
                vec![flow(conc, 1.0)],
            ),
            producer(
                "cn_separation",
                china,
                Stage::Separation,
                5000.0,
                vec![flow(conc, 1.0)],
                vec![flow(ndpr, 0.25), flow(dy, 0.02)],
            ),
            producer(
                "cn_magnets",
                china,
                Stage::MagnetMaking,
                3500.0,
                vec![flow(ndpr, 0.3), flow(dy, 0.02)],
                vec![flow(ndfeb, 1.0)],
            ),
            producer(
                "jp_magnets",
                japan,
                Stage::MagnetMaking,
                400.0,
                vec![flow(ndpr, 0.3), flow(dy, 0.02)],
                vec![flow(ndfeb, 1.0)],
            ),
        ],
        manufacturers: vec![
            manufacturer(china, ev, 2500.0),
            manufacturer(japan, ev, 800.0),
            manufacturer(japan, defence, 50.0),
        ],
        stockpiles: vec![StockpileParams {
            name: "jogmec".into(),
            region: japan,
            members: Vec::new(),
            end_use: defence,
            lines: vec![
                StockpileLine {
                    item: dy,
                    initial_t: 60.0,
                    target_t: 80.0,
                    acquisition_t_per_step: 2.0,
                    release_cap_t_per_step: 5.0,
                },
                StockpileLine {
                    item: ndfeb,
                    initial_t: 500.0,
                    target_t: 500.0,
                    acquisition_t_per_step: 20.0,
                    release_cap_t_per_step: 100.0,
                },
            ],
            budget_usd: 50e6,
            release: ReleaseRule {
                shortage_trigger_share: Some(0.1),
                price_trigger_ratio: Some(3.0),
                priority_sector: Some(defence),
                floor_share: 0.0,
            },
            refill: RefillRule {
                max_price_ratio: 1.2,
                delay_steps: 8,
            },
        }],
        authorities: vec![AuthorityParams {
            region: china,
            controlled: vec![],
            regime: regime(2, 2, 0.7),
            quotas: vec![QuotaParams {
                name: "all_rare_earths".into(),
                items: vec![ndpr, dy],
                annual_t: None,
                batches: vec![],
                carry_over: false,
            }],
            embargoes: vec![],
            extraterritorial_share: None,
            general_licences: vec![],
            partner_regions: vec![],
        }],
        events: vec![],
        warehouses: vec![
            WarehouseStock {
                region: china,
                item: conc,
                tonnes: 4500.0,
            },
            WarehouseStock {
                region: china,
                item: ndpr,
                tonnes: 1200.0,
            },
            WarehouseStock {
                region: china,
                item: dy,
                tonnes: 100.0,
            },
            WarehouseStock {
                region: china,
                item: ndfeb,
                tonnes: 3300.0,
            },
        ],
        trade: TradeParams::default(),
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
    impose(&mut p, 10, |s| {
        for i in [dy, ndfeb] {
            s.authorities[0].controlled[i.idx()] = true;
        }
    });
    impose(&mut p, 30, |s| s.market.derate_share[0] = 0.2);
    impose(&mut p, 40, |s| s.market.demand_multiplier[0] = 1.1);
    p
}

/// Every shipment between two different regions spends `steps` steps in transit (domestic sales
/// still arrive at once).
pub fn ship_in(p: &mut ModelParams, steps: u32) {
    let nr = p.regions.len();
    p.trade.transit_steps = (0..nr * nr)
        .map(|k| if k / nr == k % nr { 0 } else { steps })
        .collect();
}

/// Adds a third region, `malaysia`, holding a refinery abroad (issue 18): its own mine and
/// separator (`my_mine`, `my_separation`) take `share` of China's mining and separation
/// capacity, which China's plants lose, so world capacity is unchanged. With `partner`, it is
/// China's authority's partner from the start (its sales abroad follow China's embargoes and
/// licences); without, it is an independent supplier. Every table of the baseline and of the
/// events grows by the region and the two producers. Call before [`ship_in`].
pub fn add_partner(p: &mut ModelParams, share: f64, partner: bool) {
    let (ni, ns) = (p.items.len(), p.sectors.len());
    let malaysia = RegionId::from(p.regions.len());
    p.regions.push(RegionParams {
        name: "malaysia".into(),
    });
    for (k, name) in [(0, "my_mine"), (1, "my_separation")] {
        let mut plant = p.producers[k].clone();
        plant.name = name.into();
        plant.region = malaysia;
        plant.capacity_t_per_step *= share;
        p.producers[k].capacity_t_per_step *= 1.0 - share;
        p.producers.push(plant);
    }
    let grow_regime = |r: &mut LicenceRegime| {
        let last = r.approval.len() - ns;
        r.approval.extend_from_within(last..);
        let last = r.validity_steps.len() - ns;
        r.validity_steps.extend_from_within(last..);
    };
    for a in &mut p.authorities {
        grow_regime(&mut a.regime);
        if partner {
            a.partner_regions.push(malaysia);
        }
    }
    let nr = p.regions.len();
    for e in &mut p.events {
        for s in &mut e.in_force.authorities {
            s.embargo.resize(nr * ni, false);
            s.general_licence.resize(nr * ni, false);
            grow_regime(&mut s.regime);
            if partner {
                s.partner.resize(nr, false);
                s.partner[malaysia.idx()] = true;
            }
        }
        e.in_force
            .market
            .derate_share
            .resize(p.producers.len(), 0.0);
    }
}
