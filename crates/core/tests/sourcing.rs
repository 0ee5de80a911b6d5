//! Sourcing caps (issue 18, `[[sourcing_cap]]`): the capped region's cumulative share of each
//! capped item from a controlling exporter stays at most the cap; the premium is the premium
//! share × the world price × the tonnes bought in the priority pass; a partner region's sales
//! count as other origins; caps draw nothing (common random numbers); bad caps are refused.
#![allow(
    clippy::float_cmp,
    reason = "identities of sums of the same terms in the same order are exact"
)]

mod common;
use chokepoint_core::{ItemId, Model, ModelParams, RegionId, Simulation, SourcingCap, testkit};
use common::{error_paths, streams};
use rand::Rng;

const NDPR: ItemId = ItemId(1);
const DY: ItemId = ItemId(2);
const CHINA: RegionId = RegionId(0);
const JAPAN: RegionId = RegionId(1);
const MALAYSIA: RegionId = RegionId(2);
/// The step the tests' caps start.
const FROM: u32 = 5;
/// Share of China's mining and separation capacity the refinery abroad holds.
const SHARE: f64 = 0.05;
/// Rounding allowed on a cumulative share.
const TOL: f64 = 1e-9;

/// The two-region market with a refinery in Malaysia (China's partner or independent) and, with
/// `cap = Some(s)`, Japan's NdPr and Dy capped at `s` from step [`FROM`] with a 15 % premium.
fn market(partner: bool, cap: Option<f64>) -> ModelParams {
    let mut p = testkit::two_region_market();
    p.calendar.n_steps = 60;
    p.lever_metrics = true;
    testkit::add_partner(&mut p, SHARE, partner);
    if let Some(max_share) = cap {
        p.sourcing_caps.push(SourcingCap {
            name: "japan_65".into(),
            region: JAPAN,
            items: vec![NDPR, DY],
            max_share,
            premium_share: 0.15,
            from_step: FROM,
            until_step: u32::MAX,
        });
        p.sourcing_metrics = true;
    }
    p
}

/// Japan's cumulative tonnes of `item` from China and from everyone else, after each step.
fn shares(sim: &Simulation, item: ItemId) -> (f64, f64) {
    let from = |r| sim.sourcing_received_t(0, item, r);
    (from(CHINA), from(JAPAN) + from(MALAYSIA))
}

#[test]
fn the_cumulative_share_from_the_exporter_stays_within_the_cap() {
    for s in [0.3, 0.45] {
        let model = Model::new(market(false, Some(s))).unwrap();
        let mut sim = Simulation::new(&model);
        let mut rngs = streams(7);
        let mut last = 0.0;
        while !sim.is_done() {
            sim.step(&mut rngs);
            for item in [NDPR, DY] {
                let (e, o) = shares(&sim, item);
                if e + o > 0.0 {
                    assert!(e / (e + o) <= s + TOL, "{item:?} at {s}: {e} of {}", e + o);
                }
            }
            let (e, o) = shares(&sim, NDPR);
            last = e / (e + o).max(f64::MIN_POSITIVE);
        }
        // The cap binds (China supplies about half of Japan's NdPr without it): Japan ends at
        // the cap.
        assert!(last > s - 0.02, "NdPr share {last} well below the cap {s}");
    }
}

#[test]
fn the_cap_cuts_the_exporters_sales_to_the_region() {
    let china_exports = |p| {
        let model = Model::new(p).unwrap();
        let mut sim = Simulation::new(&model);
        let mut rngs = streams(7);
        let mut total = 0.0;
        while !sim.is_done() {
            sim.step(&mut rngs);
            if sim.current_step() > FROM {
                let l = sim.ledger();
                total += l.exported[l.at(CHINA, NDPR)];
            }
        }
        total
    };
    let (free, capped) = (
        china_exports(market(false, None)),
        china_exports(market(false, Some(0.3))),
    );
    assert!(capped < 0.9 * free, "{capped} vs {free}");
}

#[test]
fn the_premium_is_the_share_of_the_price_of_the_tonnes_bought_first() {
    let p = market(false, Some(0.65));
    let base: Vec<f64> = p.items.iter().map(|i| i.base_price_usd_per_kg).collect();
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(9);
    let (mut expected, mut bought) = (0.0, 0.0);
    while !sim.is_done() {
        // The step trades (and pays) at the world price its start sees.
        let price = |i: ItemId| sim.world_price_ratio(i) * base[i.idx()];
        let before: Vec<f64> = [NDPR, DY].iter().map(|&i| price(i)).collect();
        let warmup = sim.current_step() == 0;
        sim.step(&mut rngs);
        for (k, &item) in [NDPR, DY].iter().enumerate() {
            let q = sim.sourcing_priority_t(0, item);
            // The first call runs the warm-up first; the cap starts later anyway.
            assert!(!warmup || q == 0.0);
            bought += q;
            expected += 0.15 * before[k] * q * 1000.0;
        }
    }
    assert!(bought > 10.0, "the priority pass bought {bought} t");
    let paid = sim.sourcing_premium_usd();
    assert!(
        (paid - expected).abs() <= 1e-9 * expected,
        "{paid} vs {expected}"
    );
    // The premium is a lever cost: in policy_cost_usd and total_cost_usd.
    let out = sim.outcome();
    let metric = |n: &str| out.metrics[model.schema().metric(n).unwrap()];
    assert_eq!(metric("sourcing_premium_usd"), paid);
    assert_eq!(
        metric("policy_cost_usd"),
        metric("stockpile_cost_usd") + metric("floor_paid_usd") + paid
    );
    // The same terms added in another order: equal to rounding.
    let total = metric("lost_output_usd") + metric("policy_cost_usd");
    assert!((metric("total_cost_usd") - total).abs() <= 1e-12 * total);
}

#[test]
fn a_partners_sales_count_as_other_origins() {
    let model = Model::new(market(true, Some(0.65))).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(3);
    while !sim.is_done() {
        sim.step(&mut rngs);
    }
    let from_partner = sim.sourcing_received_t(0, NDPR, MALAYSIA);
    assert!(from_partner > 10.0, "{from_partner}");
    // A partner is not a free seller: nothing is bought from it first at a premium, so
    // Japan's priority tonnes come from nowhere (China and Japan are not free sellers either).
    assert_eq!(sim.sourcing_premium_usd(), 0.0);
    let (e, o) = shares(&sim, NDPR);
    assert!(e / (e + o) <= 0.65 + TOL);
}

/// A cap is a rule, not a draw: the demand and outage streams are consumed exactly as without
/// it, step by step.
#[test]
fn a_cap_leaves_demand_noise_and_outages_unchanged() {
    let (a, b) = (
        Model::new(market(false, Some(0.3))).unwrap(),
        Model::new(market(false, None)).unwrap(),
    );
    let (mut sa, mut sb) = (Simulation::new(&a), Simulation::new(&b));
    let (mut ra, mut rb) = (streams(11), streams(11));
    while !sa.is_done() {
        sa.step(&mut ra);
        sb.step(&mut rb);
        let next = |r: &rand_chacha::ChaCha8Rng| r.clone().random::<u64>();
        assert_eq!(next(&ra.demand), next(&rb.demand));
        assert_eq!(next(&ra.supply), next(&rb.supply));
    }
    assert_ne!(sa.trajectory().as_slice(), sb.trajectory().as_slice());
}

/// Before its start (and with no cap at all) nothing differs from the market without caps.
#[test]
fn before_its_start_a_cap_changes_nothing() {
    let mut late = market(false, Some(0.3));
    late.sourcing_caps[0].from_step = 1000;
    late.sourcing_metrics = false;
    let (a, b) = (
        Model::new(late).unwrap(),
        Model::new(market(false, None)).unwrap(),
    );
    let (mut sa, mut sb) = (Simulation::new(&a), Simulation::new(&b));
    let (mut ra, mut rb) = (streams(4), streams(4));
    while !sa.is_done() {
        sa.step(&mut ra);
        sb.step(&mut rb);
    }
    assert_eq!(sa.trajectory().as_slice(), sb.trajectory().as_slice());
    assert_eq!(sa.outcome(), sb.outcome());
}

#[test]
fn bad_caps_are_refused_with_their_path() {
    let refused = |p: ModelParams| error_paths(&Model::new(p).unwrap_err().0);
    for bad in [0.0, 1.0, 1.5, f64::NAN] {
        let mut p = market(false, Some(0.65));
        p.sourcing_caps[0].max_share = bad;
        assert_eq!(refused(p), ["sourcing_caps[0].max_share"], "{bad}");
    }
    let mut p = market(false, Some(0.65));
    p.sourcing_caps[0].premium_share = -0.1;
    assert_eq!(refused(p), ["sourcing_caps[0].premium_share"]);
    // The exporter's own region.
    let mut p = market(false, Some(0.65));
    p.sourcing_caps[0].region = CHINA;
    assert_eq!(refused(p), ["sourcing_caps[0].region"]);
    let mut p = market(false, Some(0.65));
    p.sourcing_caps[0].items.push(ItemId(99));
    assert_eq!(refused(p), ["sourcing_caps[0].items[2]"]);
}
