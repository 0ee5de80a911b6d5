//! What the outputs count: the warm-up is not reported, exports by destination add up to the
//! exports, `halted_share` counts importers only, and `weeks_to_first_halt` counts from the first
//! policy shock.

mod common;
use chokepoint_core::{
    Demand, ItemId, ManufacturerParams, Model, ModelParams, Outcome, RegionId, RegionParams,
    Simulation, testkit,
};
use common::streams;

fn metric(model: &Model, outcome: &Outcome, name: &str) -> f64 {
    outcome.metrics[model
        .schema()
        .metric(name)
        .unwrap_or_else(|| panic!("no metric {name}"))]
}

fn run(params: ModelParams) -> (Model, Outcome, Vec<Vec<f64>>) {
    let model = Model::new(params).unwrap();
    let mut sim = Simulation::new(&model);
    let out = sim.run(&mut streams(3));
    let t = sim.trajectory();
    let rows = (0..t.n_steps()).map(|s| t.step(s).to_vec()).collect();
    (model, out, rows)
}

/// A manufacturer like the importer's, standing in `region`, with its own demand.
fn manufacturer_in(p: &ModelParams, region: RegionId, t_per_step: f64) -> ManufacturerParams {
    let mut m = p.manufacturers[0].clone();
    m.region = region;
    m.demand = vec![Demand {
        item: ItemId::from(0),
        t_per_step,
    }];
    m
}

#[test]
fn the_warm_up_is_not_reported_and_shocks_keep_their_dates() {
    let mut p = testkit::embargo_case(100.0, 4.0, Some(5));
    p.calendar.warmup_steps = 30;
    let (model, out, rows) = run(p);
    assert_eq!(rows.len(), 52, "the horizon, not the warm-up, is reported");
    let exports = model.schema().step_var("exports_t/ndfeb").unwrap();
    for (s, row) in rows.iter().enumerate() {
        let want = if s < 5 { 100.0 } else { 0.0 };
        approx::assert_abs_diff_eq!(row[exports], want, epsilon = 1e-9);
    }
    // 30 warm-up steps shipped 3,000 t that the metric does not count.
    approx::assert_abs_diff_eq!(metric(&model, &out, "exports_t"), 500.0, epsilon = 1e-9);
    // Cover 4, embargo at step 5: halts at step 9, four weeks after the shock.
    approx::assert_abs_diff_eq!(
        metric(&model, &out, "weeks_to_first_halt"),
        4.0,
        epsilon = 1e-9
    );
}

#[test]
fn exports_by_destination_add_up_to_the_exports() {
    let mut p = testkit::embargo_case(100.0, 4.0, None);
    p.regions.push(RegionParams {
        name: "korea".into(),
    });
    let korea = RegionId::from(2);
    let m = manufacturer_in(&p, korea, 40.0);
    p.manufacturers.push(m);
    p.producers[0].capacity_t_per_step = 140.0;
    p.authorities[0].regime = testkit::regime(3, 1, 1.0);
    // Japan embargoed from step 10: Korea's share goes on, Japan's stops.
    let ni = p.items.len();
    testkit::impose(&mut p, 10, |s| {
        s.authorities[0].embargo[ni] = true;
    });
    let (model, _, rows) = run(p);
    let schema = model.schema();
    let total = schema.step_var("exports_t/ndfeb").unwrap();
    let japan = schema.step_var("exports_t/ndfeb/japan").unwrap();
    let korea = schema.step_var("exports_t/ndfeb/korea").unwrap();
    assert!(
        schema.step_var("exports_t/ndfeb/china").is_none(),
        "an exporter is not its own destination"
    );
    for (s, row) in rows.iter().enumerate() {
        approx::assert_abs_diff_eq!(row[japan] + row[korea], row[total], epsilon = 1e-9);
        if s >= 10 {
            approx::assert_abs_diff_eq!(row[japan], 0.0, epsilon = 1e-12);
        }
        assert!(row[korea] > 0.0, "Korea is shipped to at step {s}");
    }
}

#[test]
fn halted_share_counts_importers_not_the_exporters_own_manufacturers() {
    // A second manufacturer wants an item nobody makes, so it halts every step. Where it stands
    // decides whether the halt metrics see it.
    for (region, counted) in [(RegionId::from(0), false), (RegionId::from(1), true)] {
        let mut p = testkit::embargo_case(100.0, 4.0, None);
        let mut smco = p.items[0].clone();
        smco.name = "smco".into();
        p.items.push(smco);
        let mut m = manufacturer_in(&p, region, 10.0);
        m.demand[0].item = ItemId::from(1);
        m.cover_target_steps = 0.0;
        p.manufacturers.push(m);
        let (model, out, rows) = run(p);
        let halted = model.schema().step_var("halted_share").unwrap();
        let peak = rows.iter().map(|r| r[halted]).fold(0.0, f64::max);
        if counted {
            // Two importers, one halted.
            approx::assert_abs_diff_eq!(peak, 0.5, epsilon = 1e-12);
            assert!(metric(&model, &out, "any_halt") > 0.5);
        } else {
            approx::assert_abs_diff_eq!(peak, 0.0, epsilon = 1e-12);
            approx::assert_abs_diff_eq!(metric(&model, &out, "any_halt"), 0.0, epsilon = 1e-12);
        }
    }
}

#[test]
fn weeks_to_first_halt_counts_from_the_first_policy_shock_not_a_market_event() {
    // A demand surge of 1 (a market event that changes nothing) at step 2, the embargo at 10.
    let mut p = testkit::embargo_case(100.0, 4.0, Some(10));
    testkit::impose(&mut p, 2, |s| s.market.demand_multiplier[0] = 1.0);
    assert_eq!(p.first_event_step(), Some(2));
    assert_eq!(p.first_policy_step(), Some(10));
    let (model, out, _) = run(p);
    approx::assert_abs_diff_eq!(
        metric(&model, &out, "weeks_to_first_halt"),
        4.0,
        epsilon = 1e-9
    );
}
