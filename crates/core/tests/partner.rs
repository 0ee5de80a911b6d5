//! Partner regions (issue 18): a refinery abroad under an exporter's control sells abroad under
//! the exporter's embargoes and licences (not its quotas); an independent one does not. The
//! share of importers' receipts that needed a licence says which; partner control draws nothing,
//! so demand noise and outages stay the same; bad partners are refused.
#![allow(
    clippy::cast_possible_truncation,
    reason = "region, item and step counts of the small test markets are tiny"
)]

mod common;
use chokepoint_core::{ItemId, Model, ModelParams, RegionId, Simulation, testkit};
use common::{error_paths, streams};
use rand::Rng;

const NDPR: usize = 1;
const DY: usize = 2;
const JAPAN: RegionId = RegionId(1);
/// The step from which the tests' measures are in force.
const FROM: u32 = 5;
/// Share of China's mining and separation capacity the refinery abroad holds.
const SHARE: f64 = 0.3;

/// The two-region market with a refinery in Malaysia (partner of China or not), lever metrics
/// on, no outages or noise-driven surprises beyond the testkit's.
fn market(partner: bool) -> ModelParams {
    let mut p = testkit::two_region_market();
    p.calendar.n_steps = 60;
    p.lever_metrics = true;
    testkit::add_partner(&mut p, SHARE, partner);
    p
}

/// Japan's imports of NdPr and Dy in each step from `from` on, and the step series of
/// `supply_under_licence_share`.
fn run(p: ModelParams, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let mut rngs = streams(seed);
    let mut imports = Vec::new();
    while !sim.is_done() {
        sim.step(&mut rngs);
        if sim.current_step() > FROM {
            let l = sim.ledger();
            imports.push(
                l.imported[l.at(JAPAN, ItemId(NDPR as u32))]
                    + l.imported[l.at(JAPAN, ItemId(DY as u32))],
            );
        }
    }
    let var = model
        .schema()
        .step_var("supply_under_licence_share")
        .expect("the series exists with lever metrics and controls");
    let share = sim.trajectory().series(var).collect();
    (imports, share)
}

#[test]
fn a_partner_ships_nothing_to_an_embargoed_destination() {
    let embargo = |partner| {
        let mut p = market(partner);
        let ni = p.items.len();
        testkit::impose(&mut p, FROM, |s| {
            for i in [NDPR, DY] {
                s.authorities[0].embargo[JAPAN.idx() * ni + i] = true;
            }
        });
        p
    };
    let (controlled, _) = run(embargo(true), 3);
    assert!(
        controlled.iter().all(|&q| q == 0.0),
        "Japan received NdPr or Dy under the embargo: {controlled:?}"
    );
    let (independent, _) = run(embargo(false), 3);
    assert!(
        independent.iter().sum::<f64>() > 100.0,
        "an independent refinery keeps supplying Japan: {independent:?}"
    );
}

#[test]
fn a_partner_ships_only_under_the_exporters_licence() {
    let licensing = |partner, approval: f64| {
        let mut p = market(partner);
        testkit::impose(&mut p, FROM, |s| {
            s.authorities[0].controlled[NDPR] = true;
            s.authorities[0].controlled[DY] = true;
            s.authorities[0].regime.approval.fill(approval);
        });
        p
    };
    // No licence is ever granted: a controlled partner ships Japan nothing.
    let (refused, _) = run(licensing(true, 0.0), 5);
    assert!(refused.iter().all(|&q| q == 0.0), "{refused:?}");
    let (independent, free_share) = run(licensing(false, 0.0), 5);
    assert!(independent.iter().sum::<f64>() > 100.0, "{independent:?}");
    // Every licence granted: the partner ships, under licence.
    let (granted, licensed_share) = run(licensing(true, 1.0), 5);
    let late = &granted[granted.len() / 2..];
    assert!(late.iter().all(|&q| q > 0.0), "{granted:?}");
    assert!(licensed_share.iter().all(|s| (0.0..=1.0).contains(s)));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (with, without) = (mean(&licensed_share[30..]), mean(&free_share[30..]));
    assert!(
        with > without + 0.05,
        "a controlled partner's sales need licences: {with} vs {without}"
    );
    // Before any control, nothing needs a licence.
    assert!(licensed_share[..FROM as usize].iter().all(|&s| s == 0.0));
}

/// Partner control is a rule, not a draw: the demand and outage streams are consumed exactly
/// as without it, step by step (common random numbers).
#[test]
fn partner_control_leaves_demand_noise_and_outages_unchanged() {
    let (a, b) = (
        Model::new(market(true)).unwrap(),
        Model::new(market(false)).unwrap(),
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
    // The partner did change trade (else the comparison shows nothing).
    assert_ne!(sa.trajectory().as_slice(), sb.trajectory().as_slice());
}

#[test]
fn without_controls_or_lever_metrics_there_is_no_licence_share_series() {
    let mut p = testkit::two_region_market();
    p.lever_metrics = true;
    p.events.clear();
    let name = "supply_under_licence_share";
    assert!(
        Model::new(p.clone())
            .unwrap()
            .schema()
            .step_var(name)
            .is_none()
    );
    testkit::add_partner(&mut p, SHARE, false);
    assert!(
        Model::new(p.clone())
            .unwrap()
            .schema()
            .step_var(name)
            .is_none()
    );
    let mut partnered = market(true);
    partnered.events.clear();
    assert!(
        Model::new(partnered.clone())
            .unwrap()
            .schema()
            .step_var(name)
            .is_some()
    );
    partnered.lever_metrics = false;
    assert!(
        Model::new(partnered)
            .unwrap()
            .schema()
            .step_var(name)
            .is_none()
    );
}

#[test]
fn bad_partners_are_refused_with_their_path() {
    let refused = |p: ModelParams| error_paths(&Model::new(p).unwrap_err().0);
    // The exporter's own region.
    let mut p = market(true);
    p.authorities[0].partner_regions = vec![RegionId(0)];
    assert_eq!(refused(p), ["authorities[0].partner_regions[0]"]);
    // A region that does not exist.
    let mut p = market(true);
    p.authorities[0].partner_regions.push(RegionId(9));
    assert_eq!(refused(p), ["authorities[0].partner_regions[1]"]);
    // A region without producers (Japan makes magnets; a new region makes nothing).
    let mut p = market(false);
    p.regions.push(chokepoint_core::RegionParams {
        name: "nowhere".into(),
    });
    for a in &mut p.authorities {
        let ns = p.sectors.len();
        a.regime.approval.extend(vec![0.5; ns]);
        a.regime.validity_steps.extend(vec![26; ns]);
        a.partner_regions = vec![RegionId(3)];
    }
    p.events.clear();
    assert_eq!(refused(p), ["authorities[0].partner_regions[0]"]);
    // An event's partner table of the wrong size.
    let mut p = market(true);
    p.events[0].in_force.authorities[0].partner = vec![true];
    let errors = refused(p);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("events[0].in_force.authorities[0].partner"),
        "{errors:?}"
    );
}
