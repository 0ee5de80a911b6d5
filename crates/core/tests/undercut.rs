//! Export pricing that undercuts entrants (issue 18): the world price is capped at the share
//! of the cheapest open competitor's breakeven exactly while the rule is in force and not after;
//! the exporter's revenue forgone is (uncapped − capped price) × its exports; bad rules refused.

mod common;
use chokepoint_core::{
    Economics, Flow, ItemId, Model, ModelParams, OperatorParams, Outcome, ProducerParams, RegionId,
    Simulation, Undercut, testkit,
};
use common::streams;

/// Base price of the test market's magnets, USD/kg (testkit's `embargo_case`).
const BASE: f64 = 60.0;

/// China makes 10 t of magnets a step; Japan wants 12 and has its own maker of 2 t a step with
/// cash cost `cost` USD/kg (operator `jp_co`, closing after `close_after` steps of loss). China
/// undercuts it at `share` × its breakeven from step `from` to step `until`.
fn market(cost: f64, close_after: Option<u32>, share: f64, from: u32, until: u32) -> ModelParams {
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.calendar.n_steps = 30;
    p.lever_metrics = true;
    p.manufacturers[0].demand[0].t_per_step = 12.0;
    let mut jp: ProducerParams = p.producers[0].clone();
    jp.name = "japan_magnets".into();
    jp.region = RegionId(1);
    jp.capacity_t_per_step = 2.0;
    jp.outputs = vec![Flow {
        item: ItemId(0),
        t_per_unit: 1.0,
    }];
    jp.economics = Some(Economics {
        cash_cost_usd_per_kg: cost,
        fixed_cost_usd_per_step: 0.0,
        operator: 0,
    });
    p.producers.push(jp);
    p.operators = vec![OperatorParams {
        name: "jp_co".into(),
        close_after_loss_steps: close_after,
        restart: None,
    }];
    p.undercuts = vec![Undercut {
        name: "war".into(),
        exporter: RegionId(0),
        item: ItemId(0),
        competitors: vec![1],
        cost_share: share,
        from_step: from,
        until_step: until,
        until_competitors_closed: false,
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

fn metric(model: &Model, outcome: &Outcome, name: &str) -> f64 {
    outcome.metrics[model.schema().metric(name).unwrap()]
}

/// Runs `p`: per step the world price ratio, the uncapped one, exports, and the outcome.
fn run(p: ModelParams) -> (Model, Vec<[f64; 3]>, Outcome) {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let outcome = sim.run(&mut streams(5));
    let (w, s, x) = (
        var(&model, "price_ratio/ndfeb"),
        var(&model, "price_ratio_uncapped/ndfeb"),
        var(&model, "exports_t/ndfeb"),
    );
    let t = sim.trajectory();
    let rows = (0..t.n_steps())
        .map(|k| [t.step(k)[w], t.step(k)[s], t.step(k)[x]])
        .collect();
    (model, rows, outcome)
}

#[allow(clippy::float_cmp, reason = "the cap is applied with min: exact bits")]
#[test]
fn the_cap_binds_exactly_while_the_rule_is_in_force_and_not_after() {
    // Breakeven 50 USD/kg (cash cost only); cap 0.9 × 50 / 60 = 0.75 in steps 5..15.
    let (_, rows, _) = run(market(50.0, None, 0.9, 5, 15));
    let cap = 0.9 * 50.0 / BASE;
    for (t, [w, s, _]) in rows.iter().enumerate() {
        if (5..15).contains(&t) {
            assert_eq!(*w, s.min(cap), "step {t}: {w} vs {s}");
            assert!(*w < *s, "step {t}: the cap binds ({w} vs {s})");
        } else {
            assert_eq!(*w, *s, "step {t}: no cap outside the rule's window");
        }
    }
}

#[test]
fn the_exporter_forgoes_the_price_gap_times_its_exports() {
    let (model, rows, outcome) = run(market(50.0, None, 0.9, 5, 15));
    // Step t's exports sold at the price step t - 1 left (row t - 1).
    let want: f64 = (1..rows.len())
        .map(|t| rows[t][2] * 1000.0 * (rows[t - 1][1] - rows[t - 1][0]) * BASE)
        .sum();
    let got = metric(&model, &outcome, "exporter_revenue_forgone_usd");
    assert!(want > 0.0);
    assert!((got - want).abs() <= 1e-9 * want, "got {got}, want {want}");
    // The exporter's cost is in no importer total.
    let policy = metric(&model, &outcome, "policy_cost_usd");
    let stock = metric(&model, &outcome, "stockpile_cost_usd");
    assert!((policy - stock).abs() < 1e-9);
}

#[allow(clippy::float_cmp, reason = "exact bits")]
#[test]
fn the_cap_lifts_once_the_competitor_closes() {
    // Cap 0.75 (45 USD/kg) under a cash cost of 50: a loss every step; closes after 3.
    let mut p = market(50.0, Some(3), 0.9, 2, u32::MAX);
    p.undercuts[0].until_competitors_closed = true;
    let (model, rows, outcome) = run(p);
    assert!((metric(&model, &outcome, "producer_closures") - 1.0).abs() < 1e-12);
    let capped: Vec<usize> = (0..rows.len())
        .filter(|&t| rows[t][0] < rows[t][1])
        .collect();
    assert!(!capped.is_empty());
    let last = *capped.last().unwrap();
    assert!(last + 1 < rows.len());
    assert!(rows[last + 1..].iter().all(|[w, s, _]| w == s));
}

#[test]
fn a_rule_out_of_its_window_changes_nothing() {
    let (_, rows_late, o_late) = run(market(50.0, None, 0.9, 100, 200));
    let mut p = market(50.0, None, 0.9, 100, 200);
    p.undercuts.clear();
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let o_none = sim.run(&mut streams(5));
    // Same metrics bit for bit (the forgone revenue is 0 either way).
    assert_eq!(o_late.metrics, o_none.metrics);
    let w = var(&model, "price_ratio/ndfeb");
    for (t, row) in rows_late.iter().enumerate() {
        assert_eq!(row[0].to_bits(), sim.trajectory().step(t)[w].to_bits());
    }
}

#[test]
fn bad_rules_are_refused_with_their_paths() {
    let mut p = market(50.0, None, 0.0, 0, 10);
    p.undercuts[0].exporter = RegionId(1);
    p.undercuts[0].competitors = vec![0, 9];
    p.undercuts.push(p.undercuts[0].clone());
    let errors = Model::new(p).unwrap_err().0;
    let paths = common::error_paths(&errors);
    for want in [
        "undercuts[0].exporter",
        "undercuts[0].competitors[0]",
        "undercuts[0].competitors[1]",
        "undercuts[0].cost_share",
        "undercuts[1].item",
    ] {
        assert!(paths.contains(&want.to_owned()), "{want} in {paths:?}");
    }
}
