// Densities of exactly 1 and limits equal to the cases' own values are exact by construction.
#![allow(clippy::float_cmp)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// `n` cases uniform on [0, 1]^3, of interest inside x0 > 0.6 and x1 < 0.3 (a known box), with
/// a share `noise` of labels flipped.
fn known_box(n: usize, noise: f64, seed: u64) -> Cases {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns: Vec<Vec<f64>> = (0..3).map(|_| Vec::with_capacity(n)).collect();
    let mut interesting = Vec::with_capacity(n);
    for _ in 0..n {
        let x: [f64; 3] = [rng.random(), rng.random(), rng.random()];
        for (c, v) in columns.iter_mut().zip(x) {
            c.push(v);
        }
        let inside = x[0] > 0.6 && x[1] < 0.3;
        interesting.push(inside != (rng.random::<f64>() < noise));
    }
    let names = ["x0", "x1", "x2"].map(String::from).to_vec();
    Cases::new(names, columns, interesting).unwrap()
}

fn find(cases: &Cases, min_coverage: f64) -> (Step, Vec<Restriction>) {
    let settings = Settings::default();
    let trajectory = peel(cases, &settings).unwrap();
    let chosen = trajectory.choose(min_coverage);
    let pasted = paste(cases, &settings, &trajectory.steps[chosen].limits).unwrap();
    let r = restrictions(cases, &pasted.limits);
    (pasted, r)
}

#[test]
fn finds_a_known_box_without_noise() {
    let cases = known_box(2000, 0.0, 1);
    let (step, r) = find(&cases, 0.8);
    let names: Vec<&str> = r.iter().map(|r| r.parameter.as_str()).collect();
    assert_eq!(names, ["x0", "x1"], "{r:?}");
    assert!(
        (r[0].lo - 0.6).abs() < 0.03 && r[0].hi == r[0].cases_hi,
        "{r:?}"
    );
    assert!(
        (r[1].hi - 0.3).abs() < 0.03 && r[1].lo == r[1].cases_lo,
        "{r:?}"
    );
    assert!(
        step.stats.density > 0.95 && step.stats.coverage > 0.9,
        "{:?}",
        step.stats
    );
    assert!(r.iter().all(|r| r.quasi_p < 1e-6), "{r:?}");
}

#[test]
fn finds_a_known_box_through_noise() {
    let cases = known_box(3000, 0.05, 2);
    // Flipped labels outside the box (5 % of 82 % of cases) are a quarter of all cases of
    // interest, so the true box covers only about 0.74 of them: ask for half.
    let (step, r) = find(&cases, 0.5);
    let x0 = r
        .iter()
        .find(|r| r.parameter == "x0")
        .expect("x0 restricted");
    let x1 = r
        .iter()
        .find(|r| r.parameter == "x1")
        .expect("x1 restricted");
    assert!(x0.lo > 0.57 && x0.lo < 0.7, "{x0:?}");
    assert!(x1.hi > 0.2 && x1.hi < 0.33, "{x1:?}");
    // Inside the true box 95 % are of interest; the found box cannot be much purer.
    assert!(
        step.stats.density > 0.8 && step.stats.density < 0.99,
        "{:?}",
        step.stats
    );
    // x2 plays no part: if peeling nicked it, its restriction must look like noise.
    if let Some(x2) = r.iter().find(|r| r.parameter == "x2") {
        assert!(x2.quasi_p > 0.01, "{x2:?}");
    }
}

#[test]
fn trajectory_trades_coverage_for_density_and_respects_mass_min() {
    let cases = known_box(1000, 0.1, 3);
    let settings = Settings::default();
    let t = peel(&cases, &settings).unwrap();
    assert_eq!(t.steps[0].stats.coverage, 1.0);
    assert_eq!(t.steps[0].stats.restricted, 0);
    for w in t.steps.windows(2) {
        assert!(w[1].stats.density > w[0].stats.density, "{w:?}");
        assert!(w[1].stats.coverage <= w[0].stats.coverage);
        assert!(w[1].stats.cases < w[0].stats.cases);
    }
    assert!(t.steps.iter().all(|s| s.stats.mass >= settings.mass_min));
    assert!(t.steps.len() > 5, "only {} steps", t.steps.len());
}

#[test]
fn grid_levels_with_ties_give_an_exact_box() {
    // 5 levels per parameter, every combination: peels must take whole levels.
    let levels = [0.0, 0.25, 0.5, 0.75, 1.0];
    let mut columns = vec![Vec::new(); 3];
    let mut interesting = Vec::new();
    for a in levels {
        for b in levels {
            for c in levels {
                for (col, v) in columns.iter_mut().zip([a, b, c]) {
                    col.push(v);
                }
                interesting.push(a >= 0.75);
            }
        }
    }
    let names = ["a", "b", "c"].map(String::from).to_vec();
    let cases = Cases::new(names, columns, interesting).unwrap();
    let (step, r) = find(&cases, 0.8);
    assert_eq!(step.stats.density, 1.0);
    assert_eq!(step.stats.coverage, 1.0);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0].parameter.as_str(), r[0].lo, r[0].hi),
        ("a", 0.75, 1.0)
    );
}

#[test]
fn pasting_grows_an_over_peeled_box_back() {
    let cases = known_box(2000, 0.0, 4);
    let tight = BoxLimits {
        lo: vec![0.8, 0.0, 0.0],
        hi: vec![1.0, 0.3, 1.0],
    };
    let pasted = paste(&cases, &Settings::default(), &tight).unwrap();
    assert!(pasted.limits.lo[0] < 0.65, "{:?}", pasted.limits);
    assert_eq!(pasted.stats.density, 1.0);
}

#[test]
fn choose_takes_the_densest_box_with_enough_coverage() {
    let cases = known_box(1000, 0.1, 5);
    let t = peel(&cases, &Settings::default()).unwrap();
    let i = t.choose(0.5);
    assert!(t.steps[i].stats.coverage >= 0.5);
    assert!(
        t.steps
            .iter()
            .filter(|s| s.stats.coverage >= 0.5)
            .all(|s| s.stats.density <= t.steps[i].stats.density)
    );
    assert_eq!(
        t.choose(1.0),
        0,
        "only the whole box covers everything here"
    );
}

#[test]
fn refuses_bad_input() {
    let names = || vec!["x".to_owned()];
    assert_eq!(
        Cases::new(names(), vec![vec![1.0, f64::NAN]], vec![true, false]).unwrap_err(),
        Error::NotFinite {
            parameter: "x".into(),
            case: 1
        }
    );
    assert!(matches!(
        Cases::new(names(), vec![vec![1.0, 2.0]], vec![false, false]),
        Err(Error::NoneOfInterest { cases: 2 })
    ));
    assert!(matches!(
        Cases::new(names(), vec![vec![1.0, 2.0]], vec![true, true]),
        Err(Error::AllOfInterest { cases: 2 })
    ));
    assert!(matches!(
        Cases::new(names(), vec![vec![1.0]], vec![true, false]),
        Err(Error::Lengths { .. })
    ));
    assert!(matches!(
        Cases::new(vec![], vec![], vec![true]),
        Err(Error::NoParameters)
    ));
    let cases = Cases::new(names(), vec![vec![1.0, 2.0]], vec![true, false]).unwrap();
    let bad = Settings {
        peel_alpha: 0.5,
        ..Settings::default()
    };
    assert!(matches!(
        peel(&cases, &bad),
        Err(Error::Setting {
            name: "peel_alpha",
            ..
        })
    ));
}

#[test]
fn one_distinct_value_cannot_be_peeled() {
    let cases = Cases::new(
        vec!["x".into()],
        vec![vec![3.0; 10]],
        (0..10).map(|i| i < 3).collect(),
    )
    .unwrap();
    let t = peel(&cases, &Settings::default()).unwrap();
    assert_eq!(t.steps.len(), 1);
    assert!(restrictions(&cases, &t.steps[0].limits).is_empty());
}
