//! Producer economics (issue 18): a producer at a loss for longer than its operator tolerates
//! closes and ships nothing after; a profitable one changes nothing; bad parameters are refused.

mod common;
use chokepoint_core::{
    Economics, ItemId, Model, ModelParams, OperatorParams, RegionId, Simulation, testkit,
};
use common::streams;

/// One exporter making magnets (base price 60 USD/kg) for one importer, 10 t a step, with
/// economics: cash cost `cost` USD/kg, one operator that closes after `close_after` steps.
fn market(cost: f64, close_after: u32) -> ModelParams {
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.calendar.n_steps = 20;
    p.lever_metrics = true;
    p.producers[0].economics = Some(Economics {
        cash_cost_usd_per_kg: cost,
        fixed_cost_usd_per_step: 0.0,
        operator: 0,
    });
    p.operators = vec![OperatorParams {
        name: "cn_magnets_co".into(),
        close_after_loss_steps: Some(close_after),
        restart: None,
    }];
    p
}

fn var(model: &Model, name: &str) -> usize {
    model
        .schema()
        .step_vars
        .iter()
        .position(|v| v == name)
        .unwrap_or_else(|| panic!("no variable {name}"))
}

fn metric(model: &Model, outcome: &chokepoint_core::Outcome, name: &str) -> f64 {
    outcome.metrics[model.schema().metric(name).unwrap()]
}

#[test]
fn a_producer_at_a_loss_longer_than_its_tolerance_closes_and_ships_nothing_after() {
    // Cost 100 USD/kg against a price of 60: a loss every step; the counter reaches 3 in step 2.
    let model = Model::new(market(100.0, 3)).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(7);
    let (china, magnets) = (RegionId(0), ItemId(0));
    let mut produced = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        let l = sim.ledger();
        produced.push(l.produced[l.at(china, magnets)]);
    }
    assert!(produced[..3].iter().all(|&t| t > 0.0), "{produced:?}");
    assert!(produced[3..].iter().all(|&t| t == 0.0), "{produced:?}");
    let open = var(&model, "producer_open/china_magnets");
    let loss = var(&model, "loss_weeks/cn_magnets_co");
    let exports = var(&model, "exports_t/ndfeb");
    let t = sim.trajectory();
    let open_by_step: Vec<f64> = (0..t.n_steps()).map(|s| t.step(s)[open]).collect();
    assert_eq!(&open_by_step[..4], &[1.0, 1.0, 0.0, 0.0]);
    assert!((t.step(1)[loss] - 2.0).abs() < 1e-12, "two weeks of loss");
    // Once the warehouse is empty the exporter ships nothing.
    assert!(t.step(t.n_steps() - 1)[exports].abs() < 1e-12);
    let outcome = sim.outcome();
    assert!((metric(&model, &outcome, "producer_closures") - 1.0).abs() < 1e-12);
    assert!((metric(&model, &outcome, "any_producer_closed") - 1.0).abs() < 1e-12);
    assert!(
        (metric(&model, &outcome, "policy_cost_usd")
            - metric(&model, &outcome, "stockpile_cost_usd"))
        .abs()
            < 1e-9
    );
}

#[test]
fn a_closed_operator_restarts_after_its_sustain_and_offline_weeks_and_closes_again() {
    // Breakeven 100 USD/kg (its cash cost); a restart when the price is at least 0.1 × that for
    // 2 steps, then 3 steps offline. Still at a loss once open, it closes again.
    let mut p = market(100.0, 3);
    p.operators[0].restart = Some(chokepoint_core::Restart {
        price_ratio: 0.1,
        sustain_steps: 2,
        offline_steps: 3,
    });
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let outcome = sim.run(&mut streams(7));
    let open = var(&model, "producer_open/china_magnets");
    let t = sim.trajectory();
    let open_by_step: Vec<f64> = (0..12).map(|s| t.step(s)[open]).collect();
    // Closed in step 2; high in steps 3 and 4; offline 5, 6; open again from step 7's end;
    // losses in steps 8, 9, 10 close it again.
    assert_eq!(
        open_by_step,
        [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    );
    assert!((metric(&model, &outcome, "producer_closures") - 2.0).abs() < 1e-12);
}

#[test]
fn a_profitable_producer_changes_nothing_and_never_closes() {
    let plain = testkit::embargo_case(10.0, 4.0, None);
    let mut plain = plain;
    plain.calendar.n_steps = 20;
    let with = Model::new(market(10.0, 1)).unwrap();
    let without = Model::new(plain).unwrap();
    let run = |m: &Model| {
        let mut sim = Simulation::new(m);
        let outcome = sim.run(&mut streams(3));
        (outcome, sim.trajectory().clone())
    };
    let ((o1, t1), (o0, t0)) = (run(&with), run(&without));
    // The outputs of the model without economics are a prefix of those with, bit for bit.
    assert_eq!(&o1.metrics[..o0.metrics.len()], &o0.metrics[..]);
    for s in 0..t0.n_steps() {
        assert_eq!(&t1.step(s)[..t0.n_vars()], t0.step(s));
        assert!((t1.step(s)[var(&with, "producer_open/china_magnets")] - 1.0).abs() < 1e-12);
        assert!(t1.step(s)[var(&with, "loss_weeks/cn_magnets_co")].abs() < 1e-12);
    }
    assert!(metric(&with, &o1, "producer_closures").abs() < 1e-12);
    assert!(without.schema().metric("producer_closures").is_none());
}

#[test]
fn an_unknown_operator_and_a_zero_tolerance_are_refused() {
    let mut p = market(10.0, 0);
    p.producers[0].economics.as_mut().unwrap().operator = 3;
    p.producers[0]
        .economics
        .as_mut()
        .unwrap()
        .cash_cost_usd_per_kg = f64::NAN;
    let errors = Model::new(p).unwrap_err().0;
    let paths = common::error_paths(&errors);
    assert!(
        paths.contains(&"producers[0].economics.operator".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"producers[0].economics.cash_cost_usd_per_kg".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"operators[0].close_after_loss_steps".to_owned()),
        "{paths:?}"
    );
}

/// Runs `p`, returning the model, the tonnes made per step and the floor paid.
fn run_with_floor(p: ModelParams) -> (Vec<f64>, f64, Vec<f64>) {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(11);
    let mut made = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        let l = sim.ledger();
        made.push(l.produced[l.at(RegionId(0), ItemId(0))]);
    }
    let outcome = sim.outcome();
    let paid = metric(&model, &outcome, "floor_paid_usd");
    let policy = metric(&model, &outcome, "policy_cost_usd")
        - metric(&model, &outcome, "stockpile_cost_usd");
    let domestic = var(&model, "domestic_price_ratio/china/ndfeb");
    // The floor pays on the price the producer sees in the step: the price the previous step
    // left (1 at the start, no warm-up).
    let t = sim.trajectory();
    let price: Vec<f64> = (0..t.n_steps())
        .map(|s| if s == 0 { 1.0 } else { t.step(s - 1)[domestic] } * 60.0)
        .collect();
    let gaps: Vec<f64> = made
        .iter()
        .zip(&price)
        .map(|(m, p)| m * 1000.0 * (80.0 - p).max(0.0))
        .collect();
    assert!(
        (policy - paid).abs() <= 1e-9 * paid.max(1.0),
        "policy cost counts the floor"
    );
    (made, paid, gaps)
}

fn with_floor(max_t_per_year: Option<f64>, budget_usd: Option<f64>) -> ModelParams {
    let mut p = market(10.0, 3);
    p.floors = vec![chokepoint_core::Floor {
        name: "floor".into(),
        producer: 0,
        item: ItemId(0),
        floor_usd_per_kg: 80.0,
        from_step: 0,
        until_step: u32::MAX,
        max_t_per_year,
        budget_usd,
        offtake: None,
    }];
    p
}

#[test]
fn a_floor_pays_the_gap_to_the_market_price_times_the_tonnes_made() {
    let (made, paid, gaps) = run_with_floor(with_floor(None, None));
    assert!(made.iter().all(|&m| m > 0.0));
    let gaps: f64 = gaps.iter().sum();
    assert!(paid > 0.0);
    assert!(
        (paid - gaps).abs() <= 1e-9 * gaps,
        "paid {paid}, gaps {gaps}"
    );
}

#[test]
fn a_floor_stops_at_its_yearly_volume_and_its_budget() {
    // 10 t a step from 6 Jan 2025: the cap of 25 t a year is pro rata in the floor's first
    // year (360 of 365 days left), 24.66 t: two steps and 0.466 of the third.
    let (made, paid, gaps) = run_with_floor(with_floor(Some(25.0), None));
    assert!(
        made[..3].iter().all(|m| (m - 10.0).abs() < 1e-9),
        "{made:?}"
    );
    let first_year = 25.0 * 360.0 / 365.0;
    let want = gaps[0] + gaps[1] + (first_year - 20.0) / 10.0 * gaps[2];
    assert!(
        (paid - want).abs() <= 1e-9 * want,
        "paid {paid}, want {want}"
    );
    let (_, uncapped, _) = run_with_floor(with_floor(None, None));
    let budget = uncapped / 3.0;
    let (_, paid, _) = run_with_floor(with_floor(None, Some(budget)));
    assert!(
        (paid - budget).abs() <= 1e-9 * budget,
        "paid {paid} of {budget}"
    );
}

#[test]
fn a_floor_from_mid_year_gets_its_yearly_cap_pro_rata_then_in_full() {
    // From step 26 (7 Jul 2025: 178 of 365 days left in 2025) with 52 t a year: 25.4 t in
    // 2025, then 52 t in 2026 from step 52 (5 Jan 2026); 10 t are made every step.
    let mut p = with_floor(Some(52.0), None);
    p.calendar.n_steps = 70;
    p.floors[0].from_step = 26;
    let (made, paid, gaps) = run_with_floor(p);
    let mut room = 52.0 * 178.0 / 365.0;
    let mut want = 0.0;
    for s in 26..70 {
        if s == 52 {
            room = 52.0;
        }
        let q = made[s].min(room).max(0.0);
        room -= q;
        want += q / made[s] * gaps[s];
    }
    assert!(want > 0.0);
    assert!(
        (paid - want).abs() <= 1e-9 * want,
        "paid {paid}, want {want}"
    );
}

#[test]
fn a_floor_keeps_a_producer_at_a_loss_open() {
    // Cost 70 USD/kg against a price of 60: closes in step 2 without the floor; a floor of 80
    // lifts its revenue above its cost.
    let mut p = with_floor(None, None);
    p.producers[0]
        .economics
        .as_mut()
        .unwrap()
        .cash_cost_usd_per_kg = 70.0;
    let model = Model::new(p.clone()).unwrap();
    let outcome = Simulation::new(&model).run(&mut streams(11));
    assert!(metric(&model, &outcome, "producer_closures").abs() < 1e-12);
    p.floors.clear();
    let model = Model::new(p).unwrap();
    let outcome = Simulation::new(&model).run(&mut streams(11));
    assert!((metric(&model, &outcome, "producer_closures") - 1.0).abs() < 1e-12);
}

/// A closed separator orders no feed: in the two-region market China's separation plant (the
/// only user of concentrate) runs at a loss and closes after 3 steps; from the step after its
/// closure nothing in China wants concentrate for use (before the review mend, a closed producer
/// still ordered its input cover of feed).
#[test]
fn a_closed_producer_wants_and_orders_no_inputs() {
    let mut p = testkit::two_region_market();
    let (china, conc, separation) = (RegionId(0), ItemId(0), 1);
    p.lever_metrics = true;
    p.producers[separation].economics = Some(Economics {
        cash_cost_usd_per_kg: 1000.0,
        fixed_cost_usd_per_step: 0.0,
        operator: 0,
    });
    p.operators = vec![OperatorParams {
        name: "cn_separation_co".into(),
        close_after_loss_steps: Some(3),
        restart: None,
    }];
    p.calendar.n_steps = 30;
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(5);
    let open = var(&model, "producer_open/cn_separation");
    let mut wanted = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        let l = sim.ledger();
        wanted.push(l.wanted[l.at(china, conc)]);
    }
    let t = sim.trajectory();
    let closed_at = (0..t.n_steps())
        .find(|&s| t.step(s)[open] == 0.0)
        .expect("the separator closes");
    assert!(wanted[0] > 0.0, "it wanted feed while open");
    for (s, w) in wanted.iter().enumerate().skip(closed_at + 1) {
        assert!(
            *w == 0.0,
            "step {s}: a closed separator wanted {w} t of feed"
        );
    }
}
