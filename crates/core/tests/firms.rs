//! Firms: bills of materials, Leontief curtailment, partial and staggered halts, deferral, and
//! prices that answer the scarcity of consumption (analytic cases on tiny markets).

mod common;
use chokepoint_core::{
    ItemId, ItemKind, ItemParams, Model, ModelParams, RefillRule, RegionId, ReleaseRule, SectorId,
    Simulation, StockpileLine, StockpileParams, WarehouseStock, testkit,
};
use common::streams;

const JAPAN: RegionId = RegionId(1);

fn metric(model: &Model, sim: &Simulation, name: &str) -> f64 {
    sim.outcome().metrics[model
        .schema()
        .metric(name)
        .unwrap_or_else(|| panic!("no metric {name}"))]
}

fn series(model: &Model, sim: &Simulation, name: &str) -> Vec<f64> {
    let v = model
        .schema()
        .step_var(name)
        .unwrap_or_else(|| panic!("no series {name}"));
    sim.trajectory().series(v).collect()
}

fn run(p: ModelParams) -> (Model, Vec<f64>) {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(5));
    let out = sim.outcome().metrics;
    (model, out)
}

/// The embargo case with Japan's manufacturer split into firms of the given shares of demand
/// and covers (steps), before any event.
fn firms(demand_t: f64, firms: &[(f64, f64)]) -> ModelParams {
    let mut p = testkit::embargo_case(demand_t, 0.0, None);
    let template = p.manufacturers[0].clone();
    p.manufacturers = firms
        .iter()
        .map(|&(share, cover)| {
            let mut m = template.clone();
            m.demand[0].t_per_step = demand_t * share;
            m.cover_target_steps = cover;
            m
        })
        .collect();
    p
}

/// Embargo of `item` to Japan from step `from`, lifted at `to` if given.
fn embargo(p: &mut ModelParams, item: ItemId, from: u32, to: Option<u32>) {
    let ni = p.items.len();
    let at = JAPAN.idx() * ni + item.idx();
    testkit::impose(p, from, |s| s.authorities[0].embargo[at] = true);
    if let Some(to) = to {
        testkit::impose(p, to, |s| s.authorities[0].embargo[at] = false);
    }
}

/// Two firms make the same product; only one has scandium in its bill of materials. An
/// embargo of scandium halts that one (after its two weeks of cover) and never the other,
/// which keeps making its full output; the halted firm stops using its NdFeB (it stays in
/// stock), so the NdFeB behind its lost output is counted, the other firm's is not.
#[test]
fn a_firm_not_using_an_item_never_halts_for_it() {
    let sc = ItemId(1);
    let mut p = firms(100.0, &[(0.5, 2.0), (0.5, 2.0)]);
    p.items.push(ItemParams {
        name: "sc".into(),
        kind: ItemKind::Material,
        base_price_usd_per_kg: 1000.0,
        bom: vec![],
        price: testkit::responsive_price(),
    });
    let mut sc_maker = p.producers[0].clone();
    sc_maker.name = "china_sc".into();
    sc_maker.capacity_t_per_step = 1.0;
    sc_maker.outputs[0].item = sc;
    p.producers.push(sc_maker);
    p.warehouses.push(WarehouseStock {
        region: RegionId(0),
        item: sc,
        tonnes: 1.0,
    });
    p.manufacturers[1].demand.push(chokepoint_core::Demand {
        item: sc,
        t_per_step: 1.0,
    });
    for a in &mut p.authorities {
        a.quotas.clear();
    }
    embargo(&mut p, sc, 5, None);
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(1));
    let halted = series(&model, &sim, "halted_share");
    for (t, &h) in halted.iter().enumerate() {
        let want = if t >= 7 { 0.5 } else { 0.0 };
        assert!((h - want).abs() < 1e-12, "step {t}: halted share {h}");
    }
    // The Sc user loses 45 steps (7..52) of its output: 50 t of NdFeB and 1 t of Sc a step.
    let lost_steps = 45.0;
    approx::assert_relative_eq!(
        metric(&model, &sim, "unmet_demand_t/ndfeb"),
        50.0 * lost_steps,
        max_relative = 1e-9
    );
    approx::assert_relative_eq!(
        metric(&model, &sim, "unmet_demand_t/sc"),
        lost_steps,
        max_relative = 1e-9
    );
    approx::assert_relative_eq!(
        metric(&model, &sim, "firm_weeks_halted"),
        lost_steps,
        max_relative = 1e-12
    );
    approx::assert_abs_diff_eq!(metric(&model, &sim, "weeks_to_first_halt"), 2.0);
}

/// Firms that hold more cover halt later: covers of 2 and 6 weeks halt 2 and 6 weeks after an
/// embargo, so the halted share steps 0 → ½ → 1 instead of jumping.
#[test]
fn halts_are_staggered_firms_with_more_cover_halt_later() {
    let mut p = firms(100.0, &[(0.5, 2.0), (0.5, 6.0)]);
    embargo(&mut p, ItemId(0), 10, None);
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(1));
    let halted = series(&model, &sim, "halted_share");
    for (t, &h) in halted.iter().enumerate() {
        let want = match t {
            0..12 => 0.0,
            12..16 => 0.5,
            _ => 1.0,
        };
        assert!((h - want).abs() < 1e-12, "step {t}: halted share {h}");
    }
}

/// A firm that gets 70 % of its input curtails to 70 % of its output: it loses 30 % a step but
/// is not halted when its halt threshold is a cut of more than half.
#[test]
fn a_partial_shortage_curtails_without_halting() {
    let mut p = firms(100.0, &[(1.0, 0.0)]);
    p.manufacturers[0].halt_unmet_share = 0.5;
    testkit::impose(&mut p, 5, |s| s.market.derate_share[0] = 0.3);
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(1));
    assert!(
        metric(&model, &sim, "any_halt") < 0.5,
        "curtailed, not halted"
    );
    let unmet = series(&model, &sim, "unmet_demand_t/ndfeb");
    approx::assert_relative_eq!(*unmet.last().unwrap(), 30.0, max_relative = 1e-9);
    let made = 1.0 - metric(&model, &sim, "demand_met_share/japan/ev_motors");
    assert!(made > 0.0, "output was lost");
}

/// Analytic deferral: with no cover, a two-week embargo leaves two weeks of output undone.
/// With spare supply after it and a catch-up of half a week's output a week, the backlog is
/// made up in four weeks: with a four-week window nothing is lost; with a one-week window the
/// first week's output ages out before supply returns (exactly one week, 100 t, is lost).
#[test]
fn deferral_recovers_output_when_supply_returns_within_the_window() {
    for (window, lost_t) in [(4, 0.0), (1, 100.0), (0, 200.0)] {
        let mut p = firms(100.0, &[(1.0, 0.0)]);
        p.producers[0].capacity_t_per_step = 150.0;
        p.manufacturers[0].catch_up_share = 0.5;
        p.sectors[0].deferral_steps = window;
        embargo(&mut p, ItemId(0), 5, Some(7));
        let (model, out) = run(p);
        let at = |name: &str| out[model.schema().metric(name).unwrap()];
        approx::assert_abs_diff_eq!(at("unmet_magnet_t"), lost_t, epsilon = 1e-9);
        approx::assert_relative_eq!(
            at("demand_met_share/japan/ev_motors"),
            1.0 - lost_t / (52.0 * 100.0),
            max_relative = 1e-12
        );
        // Valued at the sector's value added per kg.
        let va = model.params().sectors[0].value_added_usd_per_kg;
        approx::assert_relative_eq!(
            at("lost_output_usd"),
            lost_t * 1000.0 * va,
            max_relative = 1e-12
        );
    }
}

/// Prices answer consumption, not orders: a stockpile in Japan wants far more than the
/// market can sell, so orders go unfilled every week, while the manufacturer still uses all it
/// needs from its inventory. Every week in which Japan's use was met leaves the world price at
/// exactly 1; the price moves only once use falls short.
#[test]
fn prices_do_not_move_when_supply_meets_consumption_whatever_inventories_want() {
    let mut p = firms(100.0, &[(1.0, 8.0)]);
    p.stockpiles.push(StockpileParams {
        name: "hoard".into(),
        region: JAPAN,
        members: Vec::new(),
        end_use: SectorId(0),
        lines: vec![StockpileLine {
            item: ItemId(0),
            initial_t: 0.0,
            target_t: 1e6,
            acquisition_t_per_step: 100.0,
            release_cap_t_per_step: 0.0,
        }],
        budget_usd: 1e15,
        release: ReleaseRule {
            shortage_trigger_share: None,
            price_trigger_ratio: None,
            priority_sector: None,
            floor_share: 0.0,
        },
        refill: RefillRule {
            max_price_ratio: 1e9,
            delay_steps: 0,
        },
    });
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(1));
    let price = series(&model, &sim, "price_ratio/ndfeb");
    let unmet = series(&model, &sim, "unmet_demand_t/ndfeb");
    let held = series(&model, &sim, "stockpile_t/ndfeb");
    let first_short = unmet.iter().position(|&u| u > 0.0).unwrap_or(unmet.len());
    assert!(
        first_short >= 4,
        "weeks of unfilled orders with use met: {first_short}"
    );
    for t in 0..first_short {
        // The stockpile ordered 100 t every week and got less: orders went unfilled.
        assert!(
            held[t] < 100.0 * f64::from(u32::try_from(t).unwrap() + 1) - 1.0,
            "step {t}: stockpile got all it ordered"
        );
        assert_eq!(
            price[t].to_bits(),
            1.0f64.to_bits(),
            "step {t}: price {} moved with use met",
            price[t]
        );
    }
    assert!(
        price[first_short] > 1.0,
        "the price answers once use falls short"
    );
}
