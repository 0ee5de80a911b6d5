//! Planned capacity and grants (issue 18, design §2.4, §3.2): a plan is financed in exactly the
//! first step where the expected price covers breakeven + capital charge, a grant moves that
//! step by the computed amount, a plan never financed never produces nor pays, an abandoned one
//! pays nothing, a loan's write-off is the unpaid principal, and the cost totals add up.

mod common;
use chokepoint_core::{
    Economics, Grant, ItemId, Loan, Model, ModelParams, OperatorParams, Outcome, Plan, RegionId,
    Simulation, testkit,
};
use common::streams;

/// Base price of the testkit's magnets, USD/kg.
const BASE: f64 = 60.0;
/// The planned plant's capacity, t per step (utilisation 1, one output per unit).
const CAP: f64 = 2.0;

/// The testkit's exporter of magnets to Japan, embargoed from step 5 (so Japan's price climbs),
/// profitable, plus a planned Japanese magnet maker `jp_plant` (producer 1) with cash cost
/// `cost` USD/kg and the given plan; lever metrics on.
fn market(cost: f64, plan: Plan) -> ModelParams {
    let mut p = testkit::embargo_case(10.0, 4.0, Some(5));
    p.calendar.n_steps = 60;
    p.lever_metrics = true;
    p.producers[0].economics = Some(Economics {
        cash_cost_usd_per_kg: 1.0,
        fixed_cost_usd_per_step: 0.0,
        operator: 0,
    });
    let mut jp = p.producers[0].clone();
    jp.name = "jp_plant".into();
    jp.region = RegionId(1);
    jp.capacity_t_per_step = CAP;
    jp.economics = Some(Economics {
        cash_cost_usd_per_kg: cost,
        fixed_cost_usd_per_step: 0.0,
        operator: 1,
    });
    jp.plan = Some(plan);
    p.producers.push(jp);
    // The embargo's state holds one derate per producer.
    for e in &mut p.events {
        e.in_force.market.derate_share.push(0.0);
    }
    p.operators = vec![
        OperatorParams {
            name: "cn_co".into(),
            close_after_loss_steps: None,
            restart: None,
        },
        OperatorParams {
            name: "jp_co".into(),
            close_after_loss_steps: None,
            restart: None,
        },
    ];
    p
}

fn plan(capex_usd: f64) -> Plan {
    Plan {
        decision_step: 3,
        build_steps: 10,
        ramp_steps: 0.0,
        capex_usd,
        capital_charge_share_per_step: 0.15 / 52.0,
        financing_window_steps: 4.0,
        abandon_after_steps: None,
    }
}

fn grant(amount_usd: f64, from_step: u32, loan: Option<Loan>) -> Grant {
    Grant {
        name: "support".into(),
        producer: 1,
        amount_usd,
        from_step,
        lead_time_cut_steps: 0,
        loan,
    }
}

struct Run {
    model: Model,
    outcome: Outcome,
    /// Per step: world price ratio of magnets, the plan's online share, Japan's tonnes made.
    price: Vec<f64>,
    online: Vec<f64>,
    made_in_japan: Vec<f64>,
    open: Vec<f64>,
}

fn run(p: ModelParams) -> Run {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(5);
    let mut made_in_japan = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        let l = sim.ledger();
        made_in_japan.push(l.produced[l.at(RegionId(1), ItemId(0))]);
    }
    let outcome = sim.outcome();
    let names = &model.schema().step_vars;
    let at = |n: &str| names.iter().position(|v| v == n).unwrap();
    let t = sim.trajectory();
    let series = |n: &str| (0..t.n_steps()).map(|s| t.step(s)[at(n)]).collect();
    let (price, online, open) = (
        series("price_ratio/ndfeb"),
        series("online_share/jp_plant"),
        series("producer_open/jp_plant"),
    );
    Run {
        model,
        outcome,
        price,
        online,
        made_in_japan,
        open,
    }
}

impl Run {
    fn metric(&self, name: &str) -> f64 {
        self.outcome.metrics[self.model.schema().metric(name).unwrap()]
    }

    /// The first step with any capacity running (its output's start), if any.
    fn first_online(&self) -> Option<usize> {
        self.online.iter().position(|&s| s > 0.0)
    }
}

/// The first step ≥ 3 (the decision step) at which the EWMA (window 4) of the price, started at
/// step 0's, reaches `cost + charge` with `charge` from capex net of `support`.
fn first_financeable(price: &[f64], cost: f64, capex: f64, support: f64) -> Option<usize> {
    let charge = (capex - support).max(0.0) * 0.15 / 52.0 / (CAP * 1000.0);
    let mut e = f64::NAN;
    for (t, r) in price.iter().enumerate() {
        let p = r * BASE;
        e = if e.is_nan() { p } else { e + (p - e) / 4.0 };
        if t >= 3 && e >= cost + charge {
            return Some(t);
        }
    }
    None
}

#[test]
fn financing_happens_in_the_first_step_the_inequality_holds_and_a_grant_moves_it_earlier() {
    // Cash cost 60 (= the base price): with capex 20 M USD the charge is 28.8 USD/kg, so only
    // the embargo's price rise finances it; a 15 M USD grant from step 4 cuts the charge to 7.2.
    let (cost, capex, amount) = (60.0, 20e6, 15e6);
    let plain = run(market(cost, plan(capex)));
    let want = first_financeable(&plain.price, cost, capex, 0.0).expect("financed at some step");
    assert!(
        want > 5,
        "the price rise finances it, not the base price: {want}"
    );
    // Output starts build_steps (10) after the financing step (ramp 0: full at once).
    assert_eq!(plain.first_online(), Some(want + 10), "{:?}", plain.online);
    assert!(plain.metric("grants_paid_usd").abs() < 1e-12);

    let mut p = market(cost, plan(capex));
    p.grants = vec![grant(amount, 4, None)];
    let helped = run(p);
    // The prices are the same until the plant produces, so the plain run's prices decide.
    let want_helped = first_financeable(&plain.price, cost, capex, amount).unwrap();
    assert!(want_helped < want, "{want_helped} vs {want}");
    assert_eq!(helped.first_online(), Some(want_helped + 10));
    assert_eq!(helped.metric("grants_paid_usd").to_bits(), amount.to_bits());
    // Delay past the earliest start (decision step 3 + build 10), in weeks (steps of a week).
    #[allow(clippy::cast_precision_loss, reason = "small step counts")]
    let delay = (want_helped - 3) as f64;
    assert!((helped.metric("planned_capacity_delay_weeks") - delay).abs() < 1e-9);
    assert!((helped.metric("planned_capacity_online_share") - 1.0).abs() < 1e-12);
    assert!(helped.made_in_japan[want_helped + 10] > 0.0);
    assert!(
        helped.made_in_japan[..want_helped + 10]
            .iter()
            .all(|&t| t == 0.0)
    );
    // Cost accounting: the grant is in the policy cost, the policy cost in the total.
    let policy = helped.metric("stockpile_cost_usd")
        + helped.metric("floor_paid_usd")
        + helped.metric("grants_paid_usd");
    assert_eq!(helped.metric("policy_cost_usd").to_bits(), policy.to_bits());
    let total = helped.metric("lost_output_usd") + helped.metric("policy_cost_usd");
    assert!((helped.metric("total_cost_usd") - total).abs() <= 1e-12 * total);
}

#[test]
fn a_plan_never_financed_never_produces_and_never_pays_its_grant() {
    // A charge of 1,440 USD/kg: no price of the run covers it, even with the grant.
    let mut p = market(60.0, plan(1e9));
    p.grants = vec![grant(1e6, 0, None)];
    let r = run(p);
    assert!(r.online.iter().all(|&s| s == 0.0));
    assert!(r.made_in_japan.iter().all(|&t| t == 0.0));
    assert!(r.metric("grants_paid_usd").abs() < 1e-12);
    assert!(r.metric("planned_capacity_online_share").abs() < 1e-12);
    // Censored at the horizon: 60 steps − (3 + 10).
    assert!((r.metric("planned_capacity_delay_weeks") - 47.0).abs() < 1e-9);
}

#[test]
fn an_abandoned_plan_pays_nothing_though_a_later_grant_would_have_financed_it() {
    // At base prices the charge (capex 20 M USD: 28.8 USD/kg) blocks it; a 20 M USD grant from
    // step 4 makes it financeable at once (charge 0, cost 50 < 60).
    let with_grant = |abandon| {
        let mut pl = plan(20e6);
        pl.abandon_after_steps = abandon;
        let mut p = market(50.0, pl);
        p.grants = vec![grant(20e6, 4, None)];
        run(p)
    };
    let kept = with_grant(None);
    assert_eq!(kept.first_online(), Some(4 + 10));
    assert_eq!(kept.metric("grants_paid_usd").to_bits(), 20e6_f64.to_bits());
    // Abandoned one step after its decision step (step 4 is too late).
    let gone = with_grant(Some(1));
    assert_eq!(gone.first_online(), None);
    assert!(gone.made_in_japan.iter().all(|&t| t == 0.0));
    assert!(gone.metric("grants_paid_usd").abs() < 1e-12);
}

#[test]
fn a_plan_without_capex_is_financed_at_its_decision_step_and_ramps_after_its_build() {
    let mut pl = plan(0.0);
    pl.ramp_steps = 4.0;
    // A cash cost far above any price: capex 0 means committed, financed whatever the price.
    let r = run(market(1e4, pl));
    // Financed at step 3, building 10 steps: output from step 13 (share 0 then, ramping).
    assert!(r.online[..14].iter().all(|&s| s == 0.0), "{:?}", r.online);
    assert!((r.online[14] - 0.25).abs() < 1e-12, "{:?}", r.online);
    assert!((r.online[17] - 1.0).abs() < 1e-12, "{:?}", r.online);
    assert!(r.metric("planned_capacity_delay_weeks").abs() < 1e-12);
}

#[test]
fn a_loans_write_off_is_the_unpaid_principal_when_its_operator_closes() {
    // Financed at step 3 (capex 0), output from step 13, a loss every step it runs (cost far
    // above the price), closed after 6 steps of losses: in step 13 + 5 = 18.
    let mut p = market(1e4, plan(0.0));
    p.operators[1].close_after_loss_steps = Some(6);
    let (amount, share, term) = (100e6, 0.35, 52);
    p.grants = vec![grant(
        amount,
        0,
        Some(Loan {
            grant_element_share: share,
            term_steps: term,
        }),
    )];
    let r = run(p);
    let closed = r.open.iter().position(|&o| o == 0.0).unwrap();
    assert_eq!(closed, 18, "{:?}", r.open);
    // Repaid straight-line from step 13 over 52 steps: 5/52 by the closure.
    let unpaid = amount * (1.0 - 5.0 / 52.0);
    let want = share * amount + unpaid;
    assert!(
        (r.metric("grants_paid_usd") - want).abs() <= 1e-9 * want,
        "{} vs {want}",
        r.metric("grants_paid_usd")
    );
    assert!(r.metric("planned_capacity_online_share").abs() < 1e-12);
}

#[test]
fn a_loan_to_an_operator_that_stays_open_costs_its_grant_element_only() {
    let mut p = market(1.0, plan(0.0));
    p.grants = vec![grant(
        100e6,
        0,
        Some(Loan {
            grant_element_share: 0.35,
            term_steps: 52,
        }),
    )];
    let r = run(p);
    assert!((r.metric("grants_paid_usd") - 35e6).abs() < 1e-6);
}

#[test]
fn bad_plans_and_grants_are_refused() {
    let mut p = market(60.0, plan(1e6));
    p.producers[1].online = Some(chokepoint_core::Online {
        step: 3,
        ramp_steps: 0.0,
    });
    p.producers[0].plan = Some(plan(1e6));
    p.producers[0].economics = None;
    p.grants = vec![
        grant(1.0, 0, None),
        Grant {
            producer: 9,
            ..grant(1.0, 0, None)
        },
        Grant {
            producer: 0,
            ..grant(
                1.0,
                0,
                Some(Loan {
                    grant_element_share: 1.5,
                    term_steps: 0,
                }),
            )
        },
    ];
    p.operators.truncate(2);
    let errors = Model::new(p).unwrap_err().0;
    let paths = common::error_paths(&errors);
    for want in [
        "producers[1].online",
        "producers[0].plan",
        "grants[1].producer",
        "grants[2].loan.grant_element_share",
        "grants[2].loan.term_steps",
    ] {
        assert!(paths.contains(&want.to_owned()), "{want}: {paths:?}");
    }
}

#[test]
fn a_plan_never_financed_leaves_every_other_output_bit_identical() {
    // Its outage draws are keyed, not taken from the supply stream, and it has no plant to
    // expand: the market runs as if it were not there.
    let with = run(market(60.0, plan(1e9)));
    let mut p = market(60.0, plan(1e9));
    p.producers.pop();
    for e in &mut p.events {
        e.in_force.market.derate_share.pop();
    }
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let without = sim.run(&mut streams(5));
    let n = without.metrics.len();
    assert_eq!(&with.outcome.metrics[..n], &without.metrics[..]);
    let trajectory = sim.trajectory();
    let names = &model.schema().step_vars;
    let price = names.iter().position(|v| v == "price_ratio/ndfeb").unwrap();
    let prices: Vec<f64> = (0..trajectory.n_steps())
        .map(|s| trajectory.step(s)[price])
        .collect();
    assert_eq!(with.price, prices);
}
