//! A price floor's offtake (issue 18): the government buys a share of the covered producer's
//! output into a stockpile of its region at the market price, counted in `stockpile_cost_usd`;
//! nothing before the floor starts; bad offtakes are refused with their path.

mod common;
use chokepoint_core::{Floor, ItemId, Model, ModelParams, Offtake, RegionId, Simulation, testkit};
use common::{error_paths, streams};

const JAPAN: RegionId = RegionId(1);
const NDFEB: ItemId = ItemId(3);
/// testkit's NdFeB base price, USD/kg.
const BASE: f64 = 50.0;
const FROM: u32 = 5;

/// Japan's magnet maker under an 80 USD/kg floor from step 5, half its output bought into
/// JOGMEC's stockpile, which neither buys nor releases on its own here.
fn market(share: f64) -> ModelParams {
    let mut p = testkit::two_region_market();
    p.calendar.n_steps = 30;
    p.lever_metrics = true;
    p.stockpiles[0].refill.max_price_ratio = 1e-9;
    p.stockpiles[0].release.shortage_trigger_share = None;
    p.stockpiles[0].release.price_trigger_ratio = None;
    p.floors = vec![Floor {
        name: "jp_floor".into(),
        producer: 3,
        item: NDFEB,
        floor_usd_per_kg: 80.0,
        from_step: FROM,
        until_step: u32::MAX,
        max_t_per_year: None,
        budget_usd: None,
        offtake: (share > 0.0).then_some(Offtake {
            share,
            stockpile: 0,
        }),
    }];
    p
}

/// Each reported step from the floor's start, half of what Japan made of NdFeB the step before
/// (Japan's only NdFeB producer) goes to the stockpile at the world price Japan sees (the
/// price recorded the step before; 1 at step 0): the stockpile's cost grows by exactly that.
#[test]
fn the_offtake_pays_the_market_price_for_its_share_of_last_steps_output() {
    let model = Model::new(market(0.5)).unwrap();
    let price = model.schema().step_var("price_ratio/ndfeb").unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(4);
    let (mut made_before, mut ratio) = (0.0, 1.0);
    let mut expected = 0.0;
    let mut tonnes = 0.0;
    while !sim.is_done() {
        let t = sim.current_step();
        sim.step(&mut rngs);
        if t >= FROM {
            let q = 0.5 * made_before;
            tonnes += q;
            expected += q * 1000.0 * ratio * BASE;
        }
        let l = sim.ledger();
        made_before = l.produced[l.at(JAPAN, NDFEB)];
        ratio = sim.trajectory().step(t as usize)[price];
    }
    assert!(tonnes > 0.0);
    // Opening holdings at base prices: 60 t of Dy at 250 USD/kg and 500 t of NdFeB.
    let opening = 60.0 * 250.0 * 1000.0 + 500.0 * BASE * 1000.0;
    let outcome = sim.outcome();
    let cost = outcome.metrics[model.schema().metric("stockpile_cost_usd").unwrap()] - opening;
    assert!(
        (cost - expected).abs() <= 1e-9 * expected,
        "{cost} vs {expected}"
    );
}

/// Without an offtake the stockpile costs only its opening holdings; with one, the covered
/// producer's output leaves the market, so the runs differ.
#[test]
fn without_offtake_the_stockpile_costs_its_opening_holdings_only() {
    let run = |share| {
        let model = Model::new(market(share)).unwrap();
        let out = Simulation::new(&model).run(&mut streams(4));
        out.metrics[model.schema().metric("stockpile_cost_usd").unwrap()]
    };
    let opening = 60.0 * 250.0 * 1000.0 + 500.0 * BASE * 1000.0;
    assert!((run(0.0) - opening).abs() <= 1e-9 * opening);
    assert!(run(1.0) > run(0.5));
}

#[test]
fn bad_offtakes_are_refused_with_their_path() {
    let mut p = market(1.5);
    p.floors[0].offtake = Some(Offtake {
        share: 1.5,
        stockpile: 3,
    });
    let paths = error_paths(&Model::new(p).unwrap_err().0);
    assert!(
        paths.iter().any(|p| p == "floors[0].offtake.share"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "floors[0].offtake.stockpile"),
        "{paths:?}"
    );
    // A stockpile of another region (or not holding the item) is refused.
    let mut p = market(0.5);
    p.stockpiles[0].region = RegionId(0);
    let paths = error_paths(&Model::new(p).unwrap_err().0);
    assert!(
        paths.iter().any(|p| p == "floors[0].offtake.stockpile"),
        "{paths:?}"
    );
}
