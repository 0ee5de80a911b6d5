//! Licences and quotas end to end: renewal ahead of expiry, general licences, quotas issued in
//! batches and paced, carry-over, and announced controls (issue 11).

mod common;
use chokepoint_core::{
    ItemId, LeadTime, Model, ModelParams, QuotaBatch, QuotaParams, Simulation, testkit,
};
use common::streams;

/// Runs `p` and returns the per-step series `name`.
fn series(p: ModelParams, names: &[&str]) -> Vec<Vec<f64>> {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    sim.run(&mut streams(7));
    names
        .iter()
        .map(|n| {
            let var = model
                .schema()
                .step_var(n)
                .unwrap_or_else(|| panic!("no variable {n}"));
            sim.trajectory().series(var).collect()
        })
        .collect()
}

/// The embargo case (China makes magnets at Japan's rate) with magnets controlled from step 5,
/// one review a week taking exactly two weeks, always approved, 8-week terms.
fn licensed_market(renewal_margin_steps: f64) -> ModelParams {
    let mut p = testkit::embargo_case(100.0, 4.0, None);
    let regime = &mut p.authorities[0].regime;
    regime.review_capacity_per_step = 1.0;
    regime.lead_time = LeadTime {
        median_steps: 2.0,
        sigma: 0.0,
        max_steps: 9.0,
    };
    regime.validity_steps.fill(8);
    regime.renewal_margin_steps = renewal_margin_steps;
    regime.quantity_cover_factor = Some(1.5);
    testkit::impose(&mut p, 5, |s| s.authorities[0].controlled[0] = true);
    p
}

/// A licence renewed before it expires leaves no gap: after the first approval magnets reach
/// Japan every week, through six renewals of an 8-week licence, each sized on Japan's need.
#[test]
fn a_licence_renewed_before_expiry_leaves_no_gap_in_shipments() {
    let [exports, approved, refused]: [Vec<f64>; 3] = series(
        licensed_market(1.0),
        &[
            "exports_t/ndfeb",
            "licences_approved/china",
            "licences_refused/china",
        ],
    )
    .try_into()
    .unwrap();
    // Applied at step 5, reviewed from step 5, decided at step 7.
    assert_eq!(&exports[5..7], &[0.0, 0.0], "{exports:?}");
    assert!(
        exports[7..].iter().all(|&e| e > 1.0),
        "a week without shipments after the first licence: {exports:?}"
    );
    assert!(approved.iter().sum::<f64>() >= 6.0, "{approved:?}");
    approx::assert_abs_diff_eq!(refused.iter().sum::<f64>(), 0.0);
}

/// A general licence for Japan from the day magnets are controlled: no application is filed and
/// shipments never stop; without it they stop for the two weeks of review.
#[test]
fn a_general_licence_bypasses_the_queue() {
    let mut p = licensed_market(1.0);
    testkit::impose(&mut p, 5, |s| {
        let ni = s.authorities[0].controlled.len();
        s.authorities[0].general_licence[ni] = true; // japan × ndfeb
    });
    let [exports, pending, approved]: [Vec<f64>; 3] = series(
        p,
        &[
            "exports_t/ndfeb",
            "licences_pending/china",
            "licences_approved/china",
        ],
    )
    .try_into()
    .unwrap();
    assert!(exports.iter().all(|&e| e > 1.0), "{exports:?}");
    assert!(pending.iter().all(|&x| x == 0.0), "{pending:?}");
    assert!(approved.iter().all(|&x| x == 0.0), "{approved:?}");
}

/// A 2,600 t/yr quota on a 5,200 t/yr export flow, issued half on 1 January and half on 1 July
/// (pro rata to the part of 2025 simulated): each half is spread evenly over its weeks (26 and
/// 26 from 6 January 2025), so China ships the same tonnage every week of the year instead of
/// everything until the cap and then nothing.
#[test]
fn a_quota_issued_in_batches_is_paced_over_each_batch() {
    let mut p = testkit::embargo_case(100.0, 4.0, None);
    let annual = 2600.0;
    p.authorities[0].quotas.push(QuotaParams {
        name: "magnets".into(),
        items: vec![ItemId(0)],
        annual_t: Some(annual),
        batches: vec![
            QuotaBatch {
                day_of_year: 1,
                share: 0.5,
            },
            QuotaBatch {
                day_of_year: 182,
                share: 0.5,
            },
        ],
        carry_over: false,
    });
    let share = p.calendar.first_year_share();
    let [exports]: [Vec<f64>; 1] = series(p, &["exports_t/ndfeb"]).try_into().unwrap();
    let weekly = annual * share * 0.5 / 26.0;
    for &e in exports.iter().take(52) {
        approx::assert_relative_eq!(e, weekly, max_relative = 1e-9);
    }
    approx::assert_relative_eq!(
        exports.iter().take(52).sum::<f64>(),
        annual * share,
        max_relative = 1e-9
    );
}

/// With carry-over, tonnage issued and not shipped in 2025 is added to 2026's: when demand
/// triples in 2026, exports reach the 2026 cap plus what 2025 left, instead of the cap alone.
#[test]
fn unused_quota_carries_over_only_when_the_quota_says_so() {
    let run = |carry_over: bool| {
        let mut p = testkit::embargo_case(100.0, 4.0, None);
        p.calendar.n_steps = 104;
        p.producers[0].capacity_t_per_step = 400.0;
        p.authorities[0].quotas.push(QuotaParams {
            name: "magnets".into(),
            items: vec![ItemId(0)],
            annual_t: Some(8000.0),
            batches: vec![],
            carry_over,
        });
        // 6 January 2025 + 52 weeks = 5 January 2026, the first step of 2026.
        testkit::impose(&mut p, 52, |s| s.market.demand_multiplier[0] = 3.0);
        let share = p.calendar.first_year_share();
        let [exports]: [Vec<f64>; 1] = series(p, &["exports_t/ndfeb"]).try_into().unwrap();
        let y1: f64 = exports[..52].iter().sum();
        let y2: f64 = exports[52..].iter().sum();
        (8000.0 * share - y1, y2)
    };
    let (unused, with) = run(true);
    assert!(unused > 1000.0, "2025 left {unused} t unused");
    approx::assert_relative_eq!(with, 8000.0 + unused, max_relative = 1e-9);
    let (_, without) = run(false);
    approx::assert_relative_eq!(without, 8000.0, max_relative = 1e-9);
}

/// An announced control moves the world price before it takes effect; with no announcement
/// the price stays at baseline until then.
#[test]
fn an_announced_control_moves_the_world_price_on_announcement() {
    let run = |premium: f64| {
        let mut p = licensed_market(1.0);
        testkit::impose(&mut p, 2, |s| {
            s.authorities[0].announcement_premium[0] = premium;
        });
        let [price]: [Vec<f64>; 1] = series(p, &["price_ratio/ndfeb"]).try_into().unwrap();
        price
    };
    let announced = run(0.5);
    let silent = run(0.0);
    approx::assert_abs_diff_eq!(announced[1], 1.0);
    assert!(
        announced[2] > 1.0 && announced[4] > announced[2],
        "{announced:?}"
    );
    assert!(
        silent[..5].iter().all(|&x| (x - 1.0).abs() < 1e-12),
        "{silent:?}"
    );
}

/// A quota shared by NdPr and Dy whose room binds every week: both are shipped every week, in
/// proportion to what Japan's magnet maker orders of each (Dy : NdPr = 0.02 : 0.3 a tonne of
/// magnet), instead of the first item in the list taking the whole room.
#[test]
fn a_binding_quota_is_shared_among_its_items_by_what_buyers_order() {
    let mut p = testkit::two_region_market();
    p.events.clear();
    // Ample Chinese separation, so that the quota, not supply, limits exports.
    p.producers[1].capacity_t_per_step *= 3.0;
    p.authorities[0].quotas[0].annual_t = Some(2000.0);
    let [ndpr, dy]: [Vec<f64>; 2] = series(p, &["exports_t/ndpr", "exports_t/dy"])
        .try_into()
        .unwrap();
    for w in 1..52 {
        assert!(ndpr[w] > 0.0 && dy[w] > 0.0, "week {w}: {ndpr:?} {dy:?}");
        let ratio = dy[w] / ndpr[w];
        assert!((0.01..0.3).contains(&ratio), "week {w}: Dy/NdPr {ratio}");
    }
    approx::assert_relative_eq!(
        ndpr[..52].iter().chain(&dy[..52]).sum::<f64>(),
        2000.0
            * chokepoint_core::Calendar::first_year_share(&testkit::two_region_market().calendar),
        max_relative = 1e-6
    );
}
