//! Prices answer what buyers *lacked*, not what they left unused (docs/model.md §9): a firm
//! that uses several inputs in fixed proportions and runs out of one holds the others idle, and
//! those idle inputs are not scarce. Before this rule the world price read `1 - consumed /
//! wanted`, so a magnet maker short of Dy made NdPr look scarce and every co-input of a short
//! item ran to the price cap with it (issue 18 notes: Sm, Lu, Tm and Sc at 25x in
//! `separator_at_risk` after Lynas, which makes none of them, closed).

mod common;
use chokepoint_core::{ItemId, Model, RegionId, Simulation, testkit};
use common::streams;

/// The two-region market with nothing random and nothing price-driven on the supply side
/// (no outages, no supply elasticity, no expansion, no demand noise): from step 10 China
/// embargoes Dy to Japan. Japan's magnet maker runs out of Dy and leaves its NdPr idle, so
/// NdPr is wanted for use and not consumed, yet Japan never lacks it: the world NdPr ratio
/// stays exactly 1 while Dy's rises.
#[test]
fn an_input_idle_for_want_of_another_is_not_scarce() {
    let mut p = testkit::two_region_market();
    let (japan, ndpr, dy) = (RegionId(1), ItemId(1), ItemId(2));
    p.events.clear();
    for pr in &mut p.producers {
        pr.outage = testkit::no_outage();
        pr.supply_elasticity = 0.0;
        pr.expansion = testkit::no_expansion();
    }
    for m in &mut p.manufacturers {
        m.noise_sigma = 0.0;
        m.growth_per_year = 0.0;
    }
    p.stockpiles.clear();
    let ni = p.items.len();
    testkit::impose(&mut p, 10, |s| {
        s.authorities[0].embargo[japan.idx() * ni + dy.idx()] = true;
    });
    p.calendar.n_steps = 60;
    let model = Model::new(p).unwrap();
    let mut sim = Simulation::new(&model);
    let (mut ndpr_idle_steps, mut ndpr_wanted, mut ndpr_used) = (0, 0.0, 0.0);
    while !sim.is_done() {
        sim.step(&mut streams(3));
        let l = sim.ledger();
        let at = l.at(japan, ndpr);
        ndpr_wanted += l.wanted[at];
        ndpr_used += l.consumed[at];
        if l.consumed[at] < 0.5 * l.wanted[at] {
            ndpr_idle_steps += 1;
        }
    }
    let schema = model.schema();
    let series = |name: &str| -> Vec<f64> {
        sim.trajectory()
            .series(schema.step_var(name).unwrap())
            .collect()
    };
    // The premise: Japan's magnet maker did leave most of its NdPr unused for many steps.
    assert!(
        ndpr_idle_steps >= 20 && ndpr_used < 0.7 * ndpr_wanted,
        "Japan used {ndpr_used} of {ndpr_wanted} t NdPr wanted; idle in {ndpr_idle_steps} steps"
    );
    let (ndpr_world, dy_world) = (series("price_ratio/ndpr"), series("price_ratio/dy"));
    for (s, w) in ndpr_world.iter().enumerate() {
        assert!(
            w.to_bits() == 1.0_f64.to_bits(),
            "step {s}: NdPr ratio {w}, though Japan held all the NdPr it wanted"
        );
    }
    assert!(
        dy_world.iter().copied().fold(0.0, f64::max) > 2.0,
        "Dy, the input Japan lacked, is scarce"
    );
}
