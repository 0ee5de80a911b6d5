//! Any lines as a sweep design: the first line as `--design` (`grid:K`, `lhs:K`, `oat`), the
//! others as `--param PATH=LO:HI`, parsed through the engine's `FromStr` impls as clap parses
//! them. What parses must print back to itself; small designs (at most `MAX_POINTS` points) are
//! placed by `design::points` (every value finite and inside its range, as many points as the
//! design promises), and tiny ones become a sweep plan on a shipped scenario as `chokepoint
//! sweep` builds it. Huge designs are the admission control's business, not this target's.
#![no_main]

use chokepoint_experiment::design::{self, Design, ParamRange};
use chokepoint_experiment::{Plan, PlanSpec, Settings, SweepSpec};
use chokepoint_fuzz::{Files, assert_explains, scenarios};
use chokepoint_scenario::Scenario;
use libfuzzer_sys::fuzz_target;

/// Largest design whose points this target places.
const MAX_POINTS: usize = 10_000;
/// Largest design this target turns into a plan (one validated scenario per point).
const MAX_PLAN_POINTS: usize = 9;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let design = match lines.next().map(str::parse::<Design>) {
        Some(Ok(d)) => {
            assert_eq!(d.to_string().parse::<Design>(), Ok(d), "design round trip");
            Some(d)
        }
        Some(Err(e)) => {
            assert_explains("--design", &e);
            None
        }
        None => None,
    };
    let mut params = Vec::new();
    for line in lines {
        match line.parse::<ParamRange>() {
            Ok(p) => {
                assert!(p.lo <= p.hi && p.lo.is_finite() && p.hi.is_finite());
                let again = format!("{}={}:{}", p.path, p.lo, p.hi);
                assert_eq!(
                    again.parse::<ParamRange>().as_ref(),
                    Ok(&p),
                    "`{line}` round trip"
                );
                params.push(p);
            }
            Err(e) => assert_explains("--param", &e),
        }
    }
    let Some(design) = design else { return };
    let count = match design {
        Design::Grid(k) => u32::try_from(params.len())
            .ok()
            .and_then(|n| k.checked_pow(n)),
        Design::Lhs(k) => Some(k),
        Design::Oat => Some(1 + 2 * params.len()),
        // Saltelli: A, B and one A_B^i per parameter; Morris: d + 1 points per trajectory.
        Design::Sobol(n) => n.checked_mul(params.len() + 2),
        Design::Morris(r) => r.checked_mul(params.len() + 1),
    };
    // A sensitivity design its generator cannot make is refused with a reason, not built.
    if let Err(e) = design::check(params.len(), design) {
        assert_explains("--design", &e);
        return;
    }
    let Some(count) = count.filter(|&c| c <= MAX_POINTS) else {
        return;
    };
    let points = design::points(&params, design, 7).expect("a small design has points");
    assert_eq!(
        points.len(),
        count,
        "{design} over {} parameters",
        params.len()
    );
    for point in &points {
        assert_eq!(point.len(), params.len());
        for (v, p) in point.iter().zip(&params) {
            assert!(
                v.is_finite() && p.lo <= *v && *v <= p.hi,
                "{}: {v} outside {}..{}",
                p.path,
                p.lo,
                p.hi
            );
        }
    }
    if params.is_empty() || count > MAX_PLAN_POINTS {
        return;
    }
    let spec = PlanSpec::Sweep(SweepSpec {
        scenario: scenarios().join("list_expansion_2025_10.toml"),
        params,
        design,
        strategies: None,
        overrides: Vec::new(),
        settings: Settings {
            seed: Some(7),
            replications: Some(1),
            batch: 1,
        },
    });
    match Plan::<Scenario>::from_spec(&spec, &Files) {
        Ok(plan) => assert_eq!(plan.cells.len(), count, "one cell per point"),
        Err(e) => assert_explains("sweep", &e),
    }
});
