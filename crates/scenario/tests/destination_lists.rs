//! Destination lists (issue 18): a list sets approval odds, licence terms, general licences and
//! review time for its regions only, over whatever regime is in force; a `destination_list`
//! shock moves regions onto a list for its window; bad lists are refused at their key.
#![allow(
    clippy::float_cmp,
    reason = "the odds and times are copied from the file, bit for bit"
)]

mod common;

use chokepoint_core::{InForce, ModelParams, RegionId};
use common::{changes, load, scenario};

/// Japan on `partners` from the start, with every term the list can set.
const LISTS: &str = "[[exporter]]\nregion = \"china\"\n\
    [[exporter.destination_list]]\nname = \"partners\"\nregions = [\"japan\"]\n\
    approval = { default = 0.95, defence = 0.2 }\n\
    lead_time_weeks = { median = 2, sigma = 0.1, max = 4 }\nvalidity_weeks = 52\n\
    general_licence = [\"dy\"]\n\
    [[exporter.destination_list]]\nname = \"targets\"\napproval = { default = 0.1 }\n";

fn ids(p: &ModelParams) -> (usize, usize, usize, usize, usize) {
    let region = |n: &str| p.region_id(n).unwrap().idx();
    (
        region("japan"),
        region("us"),
        region("eu"),
        p.sector_id("defence").unwrap().idx(),
        p.item_id("dy").unwrap().idx(),
    )
}

/// Approval of (region, sector) in the state `x` of the first exporter.
fn approval(x: &InForce, p: &ModelParams, region: usize, sector: usize) -> f64 {
    x.authorities[0].regime.approval[region * p.sectors.len() + sector]
}

#[test]
fn a_list_sets_odds_terms_licences_and_review_time_of_its_regions_only() {
    let s = scenario(LISTS);
    let p = s.central();
    let (japan, us, eu, defence, dy) = ids(p);
    let ev = p.sector_id("ev_motors").unwrap().idx();
    let base = p.baseline_in_force();
    let a = &base.authorities[0];
    let ns = p.sectors.len();
    // Odds: the list's for Japan (sector, then default), the exporter's table elsewhere.
    assert_eq!(approval(&base, p, japan, ev), 0.95);
    assert_eq!(approval(&base, p, japan, defence), 0.2);
    assert_eq!(approval(&base, p, us, ev), 0.6);
    assert_eq!(approval(&base, p, eu, ev), 0.8);
    assert_eq!(approval(&base, p, eu, defence), 0.05);
    // Terms: 52 weeks for Japan, the exporter's 26 elsewhere.
    assert!(
        a.regime.validity_steps[japan * ns..(japan + 1) * ns]
            .iter()
            .all(|&v| v == 52)
    );
    assert!(
        a.regime.validity_steps[eu * ns..(eu + 1) * ns]
            .iter()
            .all(|&v| v == 26)
    );
    // Review time: the list's for Japan, the regime's elsewhere.
    let lt = |r: usize| *a.regime.lead_time_for(RegionId::from(r));
    assert_eq!(lt(japan).median_steps, 2.0);
    assert_eq!(lt(japan).max_steps, 4.0);
    assert_eq!(lt(eu), a.regime.lead_time);
    assert_eq!(lt(eu).median_steps, 6.0);
    // General licence: Japan's Dy only.
    assert!(a.has_general_licence(RegionId::from(japan), p.item_id("dy").unwrap()));
    assert!(!a.has_general_licence(RegionId::from(eu), p.item_id("dy").unwrap()));
    assert_eq!(
        a.general_licence.iter().filter(|&&g| g).count(),
        1,
        "dy is item {dy}"
    );
}

#[test]
fn a_shock_moves_regions_onto_a_list_for_its_window_over_the_regime_in_force() {
    let s = scenario(&format!(
        "{LISTS}\
         [[shock]]\ntype = \"destination_list\"\nlist = \"targets\"\nregions = [\"eu\", \"japan\"]\n\
         date = 2025-03-03\nduration_weeks = 10\n\
         [[shock]]\ntype = \"licence_regime\"\nitems = [\"dy\"]\ndate = 2025-02-03\n\
         approval = {{ default = 0.5 }}\nlead_time_weeks = {{ median = 8, sigma = 0.4, max = 9 }}\n"
    ));
    let p = s.central();
    let (japan, us, eu, _, _) = ids(p);
    let ev = p.sector_id("ev_motors").unwrap().idx();
    // 3 Feb is step 4 (the regime), 3 Mar step 8 (onto `targets`), 10 weeks later step 18.
    let odds = changes(&s, |x| {
        (
            approval(x, p, japan, ev),
            approval(x, p, eu, ev),
            approval(x, p, us, ev),
        )
    });
    assert_eq!(
        odds,
        vec![
            (4, (0.95, 0.5, 0.5)),
            (8, (0.1, 0.1, 0.5)),
            (18, (0.95, 0.5, 0.5))
        ]
    );
    // While on `targets` (no review time of its own), Japan's review time is the regime's.
    let lead = changes(&s, |x| {
        x.authorities[0]
            .regime
            .lead_time_for(RegionId::from(japan))
            .median_steps
    });
    assert_eq!(lead, vec![(8, 8.0), (18, 2.0)]);
}

#[test]
fn bad_lists_are_refused_at_their_key() {
    let err = |body: &str| load(body).expect_err("refused");
    let e = err(&format!(
        "{LISTS}[[shock]]\ntype = \"destination_list\"\nlist = \"partnres\"\nregions = [\"eu\"]\ndate = 2025-03-03\n"
    ));
    assert!(
        e.contains(
            "`shock.0.list`: unknown destination list `partnres` (did you mean `partners`?)"
        ),
        "{e}"
    );
    assert!(
        e.contains("name one of the exporter's lists: partners, targets"),
        "{e}"
    );
    let e = err(&format!(
        "{LISTS}[[shock]]\ntype = \"destination_list\"\nlist = \"partners\"\nregions = [\"eu\", \"mars\"]\ndate = 2025-03-03\n"
    ));
    assert!(
        e.contains("`shock.0.regions.1`: unknown region `mars`"),
        "{e}"
    );
    let e = err("[[exporter]]\nregion = \"china\"\n\
         [[exporter.destination_list]]\nname = \"a\"\nregions = [\"japan\", \"japn\"]\napproval = { defense = 0.1 }\n\
         [[exporter.destination_list]]\nname = \"a\"\nregions = [\"japan\"]\n");
    for want in [
        "`exporter.0.destination_list.0.regions.1`: unknown region `japn` (did you mean `japan`?)",
        "`exporter.0.destination_list.0.approval.defense`: `defense` is not a sector or `default` (did you mean `defence`?)",
        "`exporter.0.destination_list.1.name`: list `a` is defined twice",
        "`exporter.0.destination_list.1.regions.0`: `japan` is already on list `a`",
    ] {
        assert!(e.contains(want), "lacks {want}:\n{e}");
    }
}

/// A replication's parameters are the same whether only the events are redone (an uncertain
/// regime) or the exporters too (an uncertain list): the lists are applied over the exporters
/// as their tables state them either way.
#[test]
fn sampled_replications_apply_the_lists_as_a_full_build_does() {
    for body in [
        "[[shock]]\ntype = \"licence_regime\"\nitems = [\"dy\"]\ndate = 2025-02-03\n\
         approval = { default = { dist = \"beta\", alpha = 4, beta = 2 } }\n",
        "[[exporter]]\nregion = \"china\"\n[[exporter.destination_list]]\nname = \"targets\"\n\
         regions = [\"us\"]\napproval = { default = { dist = \"uniform\", lo = 0, hi = 0.2 } }\n\
         [[shock]]\ntype = \"list_expansion\"\nitems = [\"dy\"]\ndate = 2025-02-03\n",
    ] {
        let s = scenario(&format!("{LISTS}{body}"));
        for seed in [3, 4] {
            let mut p = s.central().clone();
            s.sample_params_into(seed, &mut p);
            assert_eq!(p, s.sample(seed), "{body}");
        }
        assert!(!s.sampled_keys().is_empty());
    }
}
