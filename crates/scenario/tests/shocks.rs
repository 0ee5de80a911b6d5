//! Overlapping shocks: ending, suspending or lifting one never undoes another's effect or the
//! baseline's, whatever the order they are written in.

mod common;

use chokepoint_scenario::Scenario;
use common::{changes, scenario};

fn embargo_on(s: &Scenario) -> Vec<(u32, bool)> {
    changes(s, |x| x.authorities[0].embargo.iter().any(|&e| e))
}

const HALT: &str = "[[shock]]\nname = \"h\"\ntype = \"halt\"\ndate = 2025-03-03\ndestinations = [\"japan\"]\nitems = [\"dy\"]\n";
const SUSPEND: &str = "[[shock]]\nname = \"s\"\ntype = \"suspend\"\ntarget = \"h\"\ndate = 2025-06-02\nduration_weeks = 20\n";
const LIFT: &str = "[[shock]]\nname = \"l\"\ntype = \"lift\"\ntarget = \"h\"\ndate = 2025-08-04\n";

#[test]
fn a_lift_during_a_suspension_ends_the_measure_in_either_order() {
    for body in [
        format!("{HALT}{SUSPEND}{LIFT}"),
        format!("{HALT}{LIFT}{SUSPEND}"),
    ] {
        let s = scenario(&body);
        assert_eq!(embargo_on(&s), vec![(8, true), (21, false)], "{body}");
    }
}

#[test]
fn ending_a_licence_regime_keeps_baseline_controls() {
    let s = scenario(
        "[[exporter]]\nregion = \"china\"\ncontrolled = [\"dy\"]\n\
         [[shock]]\ntype = \"licence_regime\"\ndate = 2025-03-03\nduration_weeks = 10\nitems = [\"dy\", \"tb\"]\n",
    );
    let p = s.central();
    let (dy, tb) = (p.item_id("dy").unwrap(), p.item_id("tb").unwrap());
    let controls = changes(&s, |x| {
        let a = &x.authorities[0];
        (a.is_controlled(dy), a.is_controlled(tb))
    });
    // tb on and off; dy was controlled all along, so it stays on.
    assert_eq!(controls, vec![(8, (true, true)), (18, (true, false))]);
}

#[test]
fn a_nested_quota_gives_way_to_the_one_it_interrupted() {
    let s = scenario(
        "[[shock]]\ntype = \"quota\"\nquota = \"rare_earths\"\nannual_t = 3000\ndate = 2025-02-03\n\
         [[shock]]\ntype = \"quota\"\nquota = \"rare_earths\"\nannual_t = 2000\ndate = 2025-06-02\nduration_weeks = 13\n",
    );
    let q = s.central().authorities[0]
        .quotas
        .iter()
        .position(|q| q.name == "rare_earths")
        .unwrap();
    let caps = changes(&s, |x| x.authorities[0].quota_annual_t[q]);
    assert_eq!(
        caps,
        vec![(4, Some(3000.0)), (21, Some(2000.0)), (34, Some(3000.0))]
    );
}

#[test]
fn overlapping_outages_multiply_and_end_one_at_a_time() {
    let s = scenario(
        "[[shock]]\ntype = \"capacity_outage\"\nproducers = [\"china_mines\"]\nshare = 0.5\ndate = 2025-02-03\nduration_weeks = 10\n\
         [[shock]]\ntype = \"capacity_outage\"\nproducers = [\"china_mines\"]\nshare = 0.5\ndate = 2025-03-03\nduration_weeks = 10\n",
    );
    let p = s.central();
    let mines = p
        .producers
        .iter()
        .position(|p| p.name == "china_mines")
        .unwrap();
    let shares = changes(&s, |x| x.market.derate_share[mines]);
    assert_eq!(shares, vec![(4, 0.5), (8, 0.75), (14, 0.5), (18, 0.0)]);
}

/// A partnership (issue 18) starts and ends with its `partner_control` shock, over the
/// exporter's baseline partner, which stays; it turns lever metrics on.
#[test]
fn a_partner_control_starts_and_ends_over_the_baseline_partner() {
    let s = scenario(
        "[[exporter]]\nregion = \"china\"\npartner_regions = [\"myanmar\"]\n\
         [[shock]]\ntype = \"partner_control\"\nregions = [\"malaysia\"]\ndate = 2025-03-03\nduration_weeks = 10\n",
    );
    let p = s.central();
    assert!(p.lever_metrics);
    let (malaysia, myanmar) = (
        p.region_id("malaysia").unwrap(),
        p.region_id("myanmar").unwrap(),
    );
    let partners = changes(&s, |x| {
        let a = &x.authorities[0];
        (a.is_partner(myanmar), a.is_partner(malaysia))
    });
    assert!(p.baseline_in_force().authorities[0].is_partner(myanmar));
    assert_eq!(partners, vec![(8, (true, true)), (18, (true, false))]);
    // Without partners, nothing of the kind is in the state (and lever metrics stay off).
    let plain = scenario("");
    assert!(!plain.central().lever_metrics);
    assert!(
        plain.central().baseline_in_force().authorities[0]
            .partner
            .is_empty()
    );
}

const TECH: &str = "[[shock]]\nname = \"ban\"\ntype = \"technology_control\"\nexporter = \"china\"\nstages = [\"magnet_making\"]\nregions = [\"japan\"]\nbuild_speed_share = 0.5\nramp_speed_share = 0.25\ndate = 2025-02-03\n";

/// Per producer, the (build, ramp) speed in force (empty tables: full speed).
fn speeds(x: &chokepoint_core::InForce, k: usize) -> (f64, f64) {
    let m = &x.market;
    (
        m.build_speed.get(k).copied().unwrap_or(1.0),
        m.ramp_speed.get(k).copied().unwrap_or(1.0),
    )
}

#[test]
fn a_technology_control_slows_only_its_stages_in_its_regions() {
    let s = scenario(TECH);
    let p = s.central();
    let japan = p.region_id("japan").unwrap();
    let covered: Vec<usize> = (0..p.producers.len())
        .filter(|&k| {
            p.producers[k].region == japan
                && p.producers[k].stage == chokepoint_core::Stage::MagnetMaking
        })
        .collect();
    assert_eq!(covered.len(), 2, "japan_ndfeb and japan_smco");
    let e = p.events.iter().find(|e| e.step == 4).unwrap();
    for k in 0..p.producers.len() {
        let want = if covered.contains(&k) {
            (0.5, 0.25)
        } else {
            (1.0, 1.0)
        };
        assert_eq!(speeds(&e.in_force, k), want, "{}", p.producers[k].name);
    }
}

#[test]
fn the_default_regions_are_all_but_the_exporters_and_overlapping_controls_multiply() {
    let s = scenario(&format!(
        "{}[[shock]]\nname = \"all\"\ntype = \"technology_control\"\nstages = [\"magnet_making\", \"separation\"]\nbuild_speed_share = 0.5\ndate = 2025-03-03\nduration_weeks = 10\n",
        TECH.replace("regions = [\"japan\"]\n", "")
    ));
    let p = s.central();
    let k = |n: &str| p.producers.iter().position(|x| x.name == n).unwrap();
    let (jp, cn, us_sep) = (k("japan_ndfeb"), k("china_ndfeb"), k("us_separation"));
    assert_eq!(
        changes(&s, |x| speeds(x, jp)),
        vec![(4, (0.5, 0.25)), (8, (0.25, 0.25)), (18, (0.5, 0.25))]
    );
    assert_eq!(
        changes(&s, |x| speeds(x, us_sep)),
        vec![(8, (0.5, 1.0)), (18, (1.0, 1.0))]
    );
    assert!(
        changes(&s, |x| speeds(x, cn)).is_empty(),
        "never the exporter's own"
    );
}

#[test]
fn a_suspended_technology_control_restores_full_speed_for_its_window() {
    let s = scenario(&format!(
        "{TECH}[[shock]]\nname = \"truce\"\ntype = \"suspend\"\ntarget = \"ban\"\ndate = 2025-06-02\nduration_weeks = 20\n"
    ));
    let p = s.central();
    let jp = p
        .producers
        .iter()
        .position(|x| x.name == "japan_ndfeb")
        .unwrap();
    assert_eq!(
        changes(&s, |x| speeds(x, jp)),
        vec![(4, (0.5, 0.25)), (21, (1.0, 1.0)), (41, (0.5, 0.25))]
    );
    // While suspended, the tables are empty: exactly the state without any control.
    let during = p.events.iter().find(|e| e.step == 21).unwrap();
    assert!(during.in_force.market.build_speed.is_empty());
    assert!(during.in_force.market.ramp_speed.is_empty());
}

#[test]
fn a_technology_control_at_full_speed_adds_no_event() {
    let s = scenario(
        &TECH
            .replace("build_speed_share = 0.5", "build_speed_share = 1")
            .replace("ramp_speed_share = 0.25", "ramp_speed_share = 1"),
    );
    assert_eq!(s.central().events, scenario("").central().events);
}
