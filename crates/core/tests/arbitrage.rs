//! Arbitrage: a controlling exporter's producers plan output on the price they expect to
//! realise, the domestic and world ratios weighted by home use and the foreign use the exporter
//! may serve (docs/model.md §4, §9).

mod common;
use chokepoint_core::{ItemId, Model, RegionId, Simulation, testkit};
use common::streams;

/// China makes magnets (capacity 600 t a step, utilisation 0.5, supply elasticity 1, so it
/// plans `300 × P` t up to 600) for a Chinese, a Japanese and a US manufacturer, each using
/// 100 t a step with no cover, no price response and no noise; every shipment arrives at once.
/// From step 10 China embargoes magnets to Japan. The glut of Japan's blocked use drags the
/// domestic ratio `D` below 1 while Japan's unmet use lifts the world ratio `W` above it. China
/// may still serve the US, which its warehouse supplies in full (so the US orders exactly its
/// use, `F = 100`), and home use is the Chinese manufacturer's `H = 100`: each step's output is
/// `300 × (H × D + F × W) / (H + F)` with last step's ratios, not `300 × D`.
#[test]
fn exporter_plans_output_on_the_blend_of_domestic_and_world_prices() {
    let mut p = testkit::embargo_case(100.0, 0.0, None);
    let (china, japan, us, ndfeb) = (RegionId(0), RegionId(1), RegionId(2), ItemId(0));
    p.regions
        .push(chokepoint_core::RegionParams { name: "us".into() });
    let mut us_maker = p.manufacturers[0].clone();
    us_maker.region = us;
    let mut china_maker = p.manufacturers[0].clone();
    china_maker.region = china;
    p.manufacturers.extend([us_maker, china_maker]);
    p.authorities[0].regime = testkit::regime(3, 1, 1.0);
    p.warehouses[0].tonnes = 300.0;
    let pr = &mut p.producers[0];
    (pr.capacity_t_per_step, pr.utilisation, pr.supply_elasticity) = (600.0, 0.5, 1.0);
    let ni = p.items.len();
    testkit::impose(&mut p, 10, |s| {
        s.authorities[0].embargo[japan.idx() * ni + ndfeb.idx()] = true;
    });
    p.calendar.n_steps = 40;
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut produced = Vec::new();
    while !sim.is_done() {
        sim.step(&mut streams(5));
        produced.push(sim.ledger().produced[sim.ledger().at(china, ndfeb)]);
    }
    let schema = model.schema();
    let series = |name: &str| -> Vec<f64> {
        sim.trajectory()
            .series(schema.step_var(name).unwrap())
            .collect()
    };
    let (domestic, world) = (
        series("domestic_price_ratio/china/ndfeb"),
        series("price_ratio/ndfeb"),
    );
    let us_imports = series("exports_t/ndfeb/us");
    for s in 12..40 {
        let (d, w) = (domestic[s - 1], world[s - 1]);
        assert!(
            d < 1.0 && w > 1.0,
            "step {s}: glut at home ({d}), scarcity abroad ({w})"
        );
        approx::assert_relative_eq!(us_imports[s - 1], 100.0, max_relative = 1e-12);
        let blended = (100.0 * d + 100.0 * w) / 200.0;
        approx::assert_relative_eq!(
            produced[s],
            (300.0 * blended).min(600.0),
            max_relative = 1e-12
        );
        assert!(
            produced[s] > 300.0 * d,
            "step {s}: more than the domestic price alone"
        );
    }
}

/// With every foreign buyer embargoed there is nothing abroad it may serve: it plans on the
/// domestic price alone (a full embargo still gluts its market).
#[test]
fn under_a_full_embargo_the_exporter_plans_on_the_domestic_price() {
    let mut p = testkit::embargo_case(100.0, 0.0, None);
    let (china, japan, ndfeb) = (RegionId(0), RegionId(1), ItemId(0));
    let mut china_maker = p.manufacturers[0].clone();
    china_maker.region = china;
    p.manufacturers.push(china_maker);
    let pr = &mut p.producers[0];
    (pr.capacity_t_per_step, pr.utilisation, pr.supply_elasticity) = (400.0, 0.5, 1.0);
    let ni = p.items.len();
    testkit::impose(&mut p, 10, |s| {
        s.authorities[0].embargo[japan.idx() * ni + ndfeb.idx()] = true;
    });
    p.calendar.n_steps = 30;
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut produced = Vec::new();
    while !sim.is_done() {
        sim.step(&mut streams(5));
        produced.push(sim.ledger().produced[sim.ledger().at(china, ndfeb)]);
    }
    let domestic: Vec<f64> = sim
        .trajectory()
        .series(
            model
                .schema()
                .step_var("domestic_price_ratio/china/ndfeb")
                .unwrap(),
        )
        .collect();
    for s in 12..30 {
        assert!(domestic[s - 1] < 1.0, "step {s}: the embargo gluts China");
        approx::assert_relative_eq!(produced[s], 200.0 * domestic[s - 1], max_relative = 1e-12);
    }
}
