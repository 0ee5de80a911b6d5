//! Recycling mandates and joint stockpiles (issue 18): recovered tonnes follow arisings ×
//! collection × online share × bill of materials × recovery exactly; the mandate pays the deficit
//! within its budget and the cost adds up; adding a recycler draws nothing; a joint stockpile's
//! release to a member abroad is an export and an import of the same tonnes; bad parameters are
//! refused with their path.

mod common;
use chokepoint_core::{
    ItemId, Model, ModelParams, Outcome, ParamError, Recycler, RegionId, Simulation, testkit,
};
use common::{error_paths, streams};
use rand::Rng;

const JAPAN: RegionId = RegionId(1);
const NDPR: ItemId = ItemId(1);
const DY: ItemId = ItemId(2);
const NDFEB: ItemId = ItemId(3);
/// testkit's NdFeB bill: kg of NdPr and Dy per tonne of magnet.
const BOM: [(ItemId, f64); 2] = [(NDPR, 300.0), (DY, 20.0)];

/// Japan recycles NdFeB scrap: 100 t a step arising, half collected, 90 % recovered, output
/// from step 5 ramping over 4 steps, at `cost` USD per kg of scrap.
fn recycler(cost: f64, budget: Option<f64>) -> Recycler {
    Recycler {
        name: "jp_recycling".into(),
        region: JAPAN,
        scrap_item: NDFEB,
        eol_t_per_step: 100.0,
        collection_share: 0.5,
        recovery_share: 0.9,
        start_step: 5,
        ramp_steps: 4.0,
        cash_cost_usd_per_kg: cost,
        budget_usd: budget,
    }
}

fn market(recyclers: Vec<Recycler>) -> ModelParams {
    let mut p = testkit::two_region_market();
    p.calendar.n_steps = 30;
    p.lever_metrics = true;
    p.recycling_metrics = true;
    p.recyclers = recyclers;
    p
}

fn metric(model: &Model, outcome: &Outcome, name: &str) -> f64 {
    outcome.metrics[model.schema().metric(name).unwrap()]
}

fn run(p: ModelParams, seed: u64) -> (Model, Outcome) {
    let model = Model::new(p).unwrap();
    let outcome = Simulation::new(&model).run(&mut streams(seed));
    (model, outcome)
}

/// Japan makes no NdPr or Dy, so what its region produces of them is what the recycler
/// recovered: arisings × collection × share online × kg per t / 1000 × recovery, every step.
#[test]
fn recovered_tonnes_are_arisings_times_collection_online_bom_and_recovery() {
    let r = recycler(0.0, None);
    let model = Model::new(market(vec![r.clone()])).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(3);
    let mut total = 0.0;
    while !sim.is_done() {
        let t = sim.current_step();
        sim.step(&mut rngs);
        let share = r.online_share(t);
        for (item, kg_per_t) in BOM {
            let want = 100.0 * 0.5 * share * (kg_per_t / 1000.0) * 0.9;
            let got = sim.ledger().produced[sim.ledger().at(JAPAN, item)];
            assert!(
                (got - want).abs() <= 1e-12 * want.max(1.0),
                "step {t} item {item:?}: {got} vs {want}"
            );
            total += want;
        }
    }
    assert!(total > 0.0);
    let outcome = sim.outcome();
    let recycled = metric(&model, &outcome, "recycled_t");
    assert!(
        (recycled - total).abs() <= 1e-9 * total,
        "{recycled} vs {total}"
    );
    // Free recycling (revenue above cost) costs the mandate nothing.
    assert!(metric(&model, &outcome, "recycling_cost_usd").abs() < 1e-12);
}

/// The deficit is cost − the recovered materials' value at the step's prices (the world
/// price recorded the step before, base 1 at step 0); policy and total cost add it exactly.
#[test]
fn the_mandate_pays_cost_less_value_and_the_totals_add_up() {
    let cost = 200.0;
    let (model, outcome) = run(market(vec![recycler(cost, None)]), 5);
    let p = model.params();
    // Replay the accounting from the recorded prices.
    let sim_model = Model::new(market(vec![recycler(cost, None)])).unwrap();
    let mut sim = Simulation::new(&sim_model);
    let mut rngs = streams(5);
    let price_var = |item: ItemId| {
        model
            .schema()
            .step_var(&format!("price_ratio/{}", p.items[item.idx()].name))
            .unwrap()
    };
    let mut expected = 0.0;
    let mut last = [1.0, 1.0];
    let r = recycler(cost, None);
    while !sim.is_done() {
        let t = sim.current_step();
        sim.step(&mut rngs);
        let collected = r.collected_t(t);
        if collected > 0.0 {
            let revenue: f64 = BOM
                .iter()
                .zip(last)
                .map(|(&(item, kg), ratio)| {
                    collected
                        * (kg / 1000.0)
                        * 0.9
                        * 1000.0
                        * ratio
                        * p.items[item.idx()].base_price_usd_per_kg
                })
                .sum();
            expected += (collected * 1000.0 * cost - revenue).max(0.0);
        }
        let row = sim.trajectory().step(t as usize);
        last = [row[price_var(NDPR)], row[price_var(DY)]];
    }
    let paid = metric(&model, &outcome, "recycling_cost_usd");
    assert!(expected > 0.0);
    assert!(
        (paid - expected).abs() <= 1e-9 * expected,
        "{paid} vs {expected}"
    );
    let m = |name| metric(&model, &outcome, name);
    assert_eq!(
        m("policy_cost_usd").to_bits(),
        (m("stockpile_cost_usd") + m("floor_paid_usd") + m("recycling_cost_usd")).to_bits()
    );
    assert_eq!(
        m("total_cost_usd").to_bits(),
        (m("lost_output_usd") + m("stockpile_cost_usd") + m("floor_paid_usd") + paid).to_bits()
    );
}

/// A budget caps what the mandate pays exactly, and the recycler recovers less once it is spent.
#[test]
fn the_budget_binds_exactly_and_cuts_recovery() {
    let (free_model, free) = run(market(vec![recycler(200.0, None)]), 7);
    let unbounded = metric(&free_model, &free, "recycling_cost_usd");
    let budget = unbounded / 3.0;
    let (model, capped) = run(market(vec![recycler(200.0, Some(budget))]), 7);
    let paid = metric(&model, &capped, "recycling_cost_usd");
    assert!((paid - budget).abs() <= 1e-9 * budget, "{paid} vs {budget}");
    assert!(metric(&model, &capped, "recycled_t") < metric(&free_model, &free, "recycled_t"));
}

/// A recycler is a rule on prices, not a buyer: every random stream is consumed exactly as
/// without it, step by step (common random numbers), while the market does change.
#[test]
fn adding_a_recycler_leaves_every_random_stream_unchanged() {
    let with = Model::new(market(vec![recycler(10.0, None)])).unwrap();
    let without = Model::new(market(Vec::new())).unwrap();
    let (mut sa, mut sb) = (Simulation::new(&with), Simulation::new(&without));
    let (mut ra, mut rb) = (streams(11), streams(11));
    while !sa.is_done() {
        sa.step(&mut ra);
        sb.step(&mut rb);
        let next = |r: &rand_chacha::ChaCha8Rng| r.clone().random::<u64>();
        assert_eq!(next(&ra.demand), next(&rb.demand));
        assert_eq!(next(&ra.supply), next(&rb.supply));
        assert_eq!(next(&ra.licensing), next(&rb.licensing));
        assert_eq!(next(&ra.investment), next(&rb.investment));
    }
    // The same buyers, so every keyed licence draw has the same key.
    let m = chokepoint_core::ManufacturerId(1);
    assert_eq!(with.manufacturer_buyer(m), without.manufacturer_buyer(m));
    assert_ne!(sa.trajectory().as_slice(), sb.trajectory().as_slice());
}

/// Without the recycling switch the outputs carry no recycling metric (lever scenarios keep
/// their outputs); with it and no recycler they are 0.
#[test]
fn recycling_metrics_exist_only_when_switched_on() {
    let mut p = market(Vec::new());
    p.recycling_metrics = false;
    let model = Model::new(p.clone()).unwrap();
    assert!(model.schema().metric("recycled_t").is_none());
    p.recycling_metrics = true;
    let (model, outcome) = run(p, 1);
    assert!(metric(&model, &outcome, "recycled_t").abs() < 1e-12);
    assert!(metric(&model, &outcome, "recycling_cost_usd").abs() < 1e-12);
}

/// Japan's stockpile, a joint one with China as a member, releasing Dy every step while China's
/// separation is stopped: Japan makes no Dy, so every tonne Japan exports of it is a release to a Chinese buyer, and China books
/// the same tonnes as imports (routes take no time here). Without members it exports none.
#[test]
fn a_joint_release_abroad_books_an_export_and_an_import_of_the_same_tonnes() {
    let exports = |members: Vec<RegionId>| {
        let mut p = market(Vec::new());
        p.stockpiles[0].members = members;
        p.stockpiles[0].release.price_trigger_ratio = Some(1e-6);
        p.stockpiles[0].release.floor_share = 0.0;
        // China's separation stops, so its magnet maker lacks Dy a few steps later.
        testkit::impose(&mut p, 2, |s| s.market.derate_share[1] = 1.0);
        let model = Model::new(p).unwrap();
        let mut sim = Simulation::new(&model);
        let mut rngs = streams(2);
        let mut total = 0.0;
        while !sim.is_done() {
            sim.step(&mut rngs);
            let l = sim.ledger();
            let out = l.exported[l.at(JAPAN, DY)];
            let china_in = l.imported[l.at(RegionId(0), DY)];
            assert!(
                (out - china_in).abs() <= 1e-12 * out.max(1.0),
                "{out} vs {china_in}"
            );
            total += out;
        }
        total
    };
    assert!(exports(vec![JAPAN, RegionId(0)]) > 0.0);
    assert!(exports(Vec::new()).abs() < 1e-12);
}

#[test]
fn bad_recyclers_and_members_are_refused_with_their_path() {
    let mut bad = recycler(10.0, Some(-1.0));
    bad.scrap_item = NDPR; // a material: no bill of materials
    bad.collection_share = 0.0;
    bad.recovery_share = 1.5;
    bad.region = RegionId(9);
    let mut p = market(vec![bad]);
    p.stockpiles[0].members = vec![RegionId(0), RegionId(0), RegionId(7)];
    let errors = Model::new(p).unwrap_err().0;
    let paths = error_paths(&errors);
    for want in [
        "recyclers[0].region",
        "recyclers[0].scrap_item",
        "recyclers[0].collection_share",
        "recyclers[0].recovery_share",
        "recyclers[0].budget_usd",
        "stockpiles[0].members[1]",
        "stockpiles[0].members[2]",
        "stockpiles[0].members",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    assert!(
        errors.iter().all(|e| !matches!(e, ParamError::Empty(_))),
        "{errors:?}"
    );
}
