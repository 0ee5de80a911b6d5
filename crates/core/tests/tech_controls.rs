//! Technology controls (issue 18, design §4.2): while in force, covered producers' construction
//! and ramp-up progress advance by the control's speed shares each step. Speed ½ doubles the
//! remaining build and ramp steps exactly; a build that ends mid-step spends the rest of the
//! step ramping; expansion projects take twice as long; a speed outside (0, 1] is refused.

mod common;
use chokepoint_core::{
    Economics, ExpansionParams, LeadTime, Model, ModelParams, OperatorParams, Plan, RegionId,
    Simulation, testkit,
};
use common::streams;

/// The testkit's exporter of magnets to Japan plus a committed (capex 0) Japanese magnet plant
/// `jp_plant` (producer 1): decided at step 3, built in 10 steps, ramped over 4.
fn market() -> ModelParams {
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.calendar.n_steps = 40;
    p.lever_metrics = true;
    let mut jp = p.producers[0].clone();
    jp.name = "jp_plant".into();
    jp.region = RegionId(1);
    jp.capacity_t_per_step = 2.0;
    jp.economics = Some(Economics {
        cash_cost_usd_per_kg: 1.0,
        fixed_cost_usd_per_step: 0.0,
        operator: 0,
    });
    jp.plan = Some(Plan {
        decision_step: 3,
        build_steps: 10,
        ramp_steps: 4.0,
        capex_usd: 0.0,
        capital_charge_share_per_step: 0.0,
        financing_window_steps: 4.0,
        abandon_after_steps: None,
    });
    p.producers.push(jp);
    p.operators = vec![OperatorParams {
        name: "jp_co".into(),
        close_after_loss_steps: None,
        restart: None,
    }];
    p
}

/// From step `from` on, producer 1 builds at `build` and ramps at `ramp`.
fn control(p: &mut ModelParams, from: u32, build: f64, ramp: f64) {
    let n = p.producers.len();
    testkit::impose(p, from, |s| {
        s.market.build_speed = vec![1.0; n];
        s.market.ramp_speed = vec![1.0; n];
        s.market.build_speed[1] = build;
        s.market.ramp_speed[1] = ramp;
    });
}

/// The plant's online share per step and the planned-capacity delay metric, weeks.
fn run(p: ModelParams) -> (Vec<f64>, f64) {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let outcome = sim.run(&mut streams(3));
    let names = &model.schema().step_vars;
    let at = names
        .iter()
        .position(|v| v == "online_share/jp_plant")
        .unwrap();
    let t = sim.trajectory();
    let online = (0..t.n_steps()).map(|s| t.step(s)[at]).collect();
    let delay = model
        .schema()
        .metric("planned_capacity_delay_weeks")
        .unwrap();
    (online, outcome.metrics[delay])
}

/// First step with output, first step at full capacity.
fn milestones(online: &[f64]) -> (usize, usize) {
    let first = online.iter().position(|&s| s > 0.0).unwrap();
    let full = online.iter().position(|&s| s >= 1.0).unwrap();
    (first, full)
}

#[test]
fn half_speed_doubles_the_remaining_build_and_ramp_steps_exactly() {
    let (free, free_delay) = run(market());
    // Financed at 3, output from 13 (share 0), ramping 0.25 a step: full at 17.
    assert_eq!(milestones(&free), (14, 17), "{free:?}");
    assert!(free_delay.abs() < 1e-12);
    // From step 8, five build steps remain: they take ten; the ramp's four take eight.
    let mut p = market();
    control(&mut p, 8, 0.5, 0.5);
    let (slow, delay) = run(p);
    assert_eq!(milestones(&slow), (19, 26), "{slow:?}");
    assert!((slow[19] - 0.125).abs() < 1e-12, "{slow:?}");
    // Output starts at 18 instead of 13: five weeks late (weekly steps).
    assert!((delay - 5.0).abs() < 1e-12, "{delay}");
}

#[test]
fn a_build_that_ends_mid_step_ramps_for_the_rest_of_it() {
    let mut p = market();
    control(&mut p, 0, 0.75, 0.5);
    let (online, _) = run(p);
    // Progress from -10 by 0.75 a step: -0.25 after 13 advances (end of step 15); the 14th
    // (end of step 16) ends the build after 1/3 of the step and ramps 2/3 × 0.5 = 1/3.
    assert!(online[..17].iter().all(|&s| s == 0.0), "{online:?}");
    assert!((online[17] - 1.0 / 12.0).abs() < 1e-12, "{online:?}");
    assert!(
        (online[18] - (1.0 / 3.0 + 0.5) / 4.0).abs() < 1e-12,
        "{online:?}"
    );
}

#[test]
fn a_control_on_another_producer_or_at_full_speed_changes_nothing() {
    let (free, _) = run(market());
    let mut p = market();
    let n = p.producers.len();
    testkit::impose(&mut p, 0, |s| {
        s.market.build_speed = vec![1.0; n];
        s.market.ramp_speed = vec![1.0; n];
        s.market.build_speed[0] = 0.5;
        s.market.ramp_speed[0] = 0.5;
    });
    assert_eq!(run(p).0, free);
    let mut p = market();
    control(&mut p, 0, 1.0, 1.0);
    assert_eq!(run(p).0, free);
}

/// Capacity of producer 0 per step (the last values of the state are the capacities).
fn capacities(p: ModelParams) -> Vec<f64> {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(3);
    let n = model.params().producers.len();
    let mut out = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        let values: Vec<f64> = sim.state_values().collect();
        out.push(values[values.len() - n]);
    }
    out
}

#[test]
fn an_expansion_project_takes_twice_as_long_at_half_build_speed() {
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.calendar.n_steps = 30;
    p.producers[0].expansion = ExpansionParams {
        trigger_price_ratio: 1e-9,
        sustain_steps: 1,
        lead_time: LeadTime {
            median_steps: 10.0,
            sigma: 0.0,
            max_steps: 100.0,
        },
        increment_share: 1.0,
        max_capacity_multiple: 2.0,
    };
    let grows = |c: &[f64]| c.iter().position(|&x| x > c[0]).unwrap();
    let free = capacities(p.clone());
    let mut slow = p.clone();
    testkit::impose(&mut slow, 0, |s| {
        s.market.build_speed = vec![0.5];
        s.market.ramp_speed = vec![1.0];
    });
    let slow = capacities(slow);
    assert_eq!(grows(&free), 10, "{free:?}");
    assert_eq!(grows(&slow), 20, "{slow:?}");
}

#[test]
fn a_speed_outside_zero_to_one_or_a_wrong_table_is_refused() {
    for (build, ramp) in [(0.0, 0.5), (0.5, 1.5), (f64::NAN, 1.0)] {
        let mut p = market();
        control(&mut p, 5, build, ramp);
        let errors = Model::new(p).unwrap_err().0;
        let paths = common::error_paths(&errors);
        let want = if build > 0.0 && build <= 1.0 {
            "events[0].in_force.market.ramp_speed[1]"
        } else {
            "events[0].in_force.market.build_speed[1]"
        };
        assert_eq!(paths, vec![want.to_owned()], "{build} {ramp}");
    }
    let mut p = market();
    testkit::impose(&mut p, 5, |s| s.market.build_speed = vec![0.5]);
    let paths = common::error_paths(&Model::new(p).unwrap_err().0);
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(
        paths[0].contains("WrongLength") && paths[0].contains("market.build_speed\""),
        "{paths:?}"
    );
}
