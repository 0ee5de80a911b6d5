//! The shock-free 2010 market (`scenarios/market_2010.toml`) is stationary, as the 2024 baseline is
//! (tests/baseline.rs), except for the one real change it carries: Mountain Pass and Lynas come
//! on stream in 2012 (`online`, `ramp_weeks`) and displace Chinese exports.
//!
//! So the criterion is stated in two parts. (1) With the dated starts moved beyond the horizon
//! (`--set producer.<name>.online=2016-06-01`), every reported series' median over replications
//! stays within ±5 % of its first weeks (13-week means, as tests/baseline.rs, and destination
//! rows held to ±5 % of their item's whole flow), no firm halts, every world and domestic price
//! ratio is exactly 1, week 0 exports the baseline flow, and that flow is China's 2010 exports
//! (facts §1: 39,813 t) and Japan's imports from China (facts §1: 23,310 t). (2) With the dated
//! starts, the non-Chinese mine share rises to the share of the capacity that came, China's
//! quota exports fall by the separated output of the new plants (one for one: world use is
//! held at 2010 levels), and the displacement moves no price of a separated rare earth.

mod common;

use std::path::Path;

use chokepoint_experiment::{Replication, run_one};
use chokepoint_scenario::{Override, Scenario};

const REPS: u64 = 48;
const SEED: u64 = 20100104;
/// The ±5 % band of issue 11's stationarity test.
const BAND: f64 = 0.05;
/// Concentrate's start-up blip when the dated mines and plants come on (a plant's first feed
/// is on the water): 1.03 before the calibration; 1.15 at the calibrated behaviour, whose slow
/// price reversion (0.58 %/week) and strong price response (0.52/week) keep a few weeks' shortage
/// of feed in the price for a long time (docs/validation.md lists it). A limit, not a target:
/// it still catches a mine dated after its plant or a plant without feed.
const CONCENTRATE_BLIP: f64 = 0.25;
/// Weeks averaged when comparing later weeks with the first.
const WINDOW: usize = 13;
/// Below this a series counts as zero (tonnes, ratios, counts).
const ZERO: f64 = 1e-9;
/// The producers with a dated start in `market_2010.toml`.
const DATED: [&str; 4] = [
    "us_mountain_pass",
    "us_separation",
    "australia_mt_weld",
    "lynas_malaysia",
];

fn market(overrides: &[Override]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/market_2010.toml");
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(&path, &read, overrides).expect("market_2010 loads")
}

/// The market with every dated start after the horizon (which ends in December 2015).
fn without_new_capacity() -> Scenario {
    let overrides: Vec<Override> = DATED
        .iter()
        .map(|p| {
            format!("producer.{p}.online=2016-06-01")
                .parse()
                .expect("an override")
        })
        .collect();
    market(&overrides)
}

fn runs(scenario: &Scenario) -> Vec<Replication> {
    (0..REPS)
        .map(|r| run_one(scenario, SEED, r).expect("runs"))
        .collect()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The median over replications of per-step variable `v`, step by step.
fn median_path(runs: &[Replication], v: usize) -> Vec<f64> {
    (0..runs[0].trajectory.n_steps())
        .map(|s| {
            let mut at: Vec<f64> = runs.iter().map(|r| r.trajectory.step(s)[v]).collect();
            median(&mut at)
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn var(runs: &[Replication], name: &str) -> usize {
    runs[0]
        .model
        .schema()
        .step_var(name)
        .unwrap_or_else(|| panic!("no per-step variable {name}"))
}

fn assert_no_halts(runs: &[Replication]) {
    let any_halt = runs[0].model.schema().metric("any_halt").unwrap();
    for (r, run) in runs.iter().enumerate() {
        assert!(
            run.outcome.metrics[any_halt] < 0.5,
            "replication {r} halted in the shock-free 2010 market"
        );
    }
}

#[test]
fn without_new_capacity_the_2010_market_is_stationary_at_its_2010_flows() {
    let scenario = without_new_capacity();
    assert!(scenario.central().calendar.warmup_steps > 0, "it warms up");
    let runs = runs(&scenario);
    assert_no_halts(&runs);
    let schema = runs[0].model.schema().clone();
    let mut failures = Vec::new();
    for (v, name) in schema.step_vars.iter().enumerate() {
        let med = median_path(&runs, v);
        // Prices: exactly at baseline in every step (no scarcity, no glut).
        if name.starts_with("price_ratio/") || name.starts_with("domestic_price_ratio/") {
            if let Some(s) = med.iter().position(|p| (p - 1.0).abs() > 1e-9) {
                failures.push(format!("{name}: median {} in step {s}", med[s]));
            }
            continue;
        }
        let first = mean(&med[..WINDOW]);
        // A destination row (`exports_t/<item>/<destination>`) is held to its item's flow.
        let parent = name
            .rsplit_once('/')
            .and_then(|(p, _)| schema.step_var(p))
            .filter(|_| name.starts_with("exports_t/"));
        let scale = match parent {
            Some(p) => mean(&median_path(&runs, p)[..WINDOW]).max(first.abs()),
            None => first.abs(),
        };
        if let Some(failure) = common::drift(name, &med, first, scale, (WINDOW, BAND, ZERO)) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "drift:\n{}", failures.join("\n"));

    // Week 0 ships the baseline flow (no start-up hole), and the flow is 2010's.
    let quota = median_path(&runs, var(&runs, "quota_exports_t/china/rare_earths"));
    let flow = mean(&quota);
    assert!(
        (quota[0] - flow).abs() <= BAND * flow,
        "week 0 exports {:.1} t, the flow is {flow:.1} t/week",
        quota[0]
    );
    let per_year = mean(&quota[..52]) * 52.0;
    assert!(
        (per_year / 39_813.0 - 1.0).abs() <= BAND,
        "China's quota-item exports {per_year:.0} t/yr, facts §1: 39,813 t in 2010"
    );
    // Japan's imports from China: every separated rare earth shipped to Japan in a year.
    let to_japan: f64 = ["la", "ce", "ndpr", "dy", "tb", "y"]
        .iter()
        .map(|i| {
            mean(&median_path(&runs, var(&runs, &format!("exports_t/{i}/japan")))[..52]) * 52.0
        })
        .sum();
    assert!(
        (to_japan / 23_310.0 - 1.0).abs() <= BAND,
        "Japan's imports from China {to_japan:.0} t/yr, facts §1: 23,310 t in 2010"
    );
}

#[test]
fn new_capacity_outside_china_displaces_chinese_exports_one_for_one() {
    let runs = runs(&market(&[]));
    assert_no_halts(&runs);
    let params = runs[0].model.params();
    let n = runs[0].trajectory.n_steps();
    let last = n - WINDOW..n;
    // What the dated producers add at full capacity, from the scenario itself: mine output
    // outside China, and separated output of the quota's items.
    let china = params.authorities[0].region;
    let quota_items = &params.authorities[0].quotas[0].items;
    let (mut mined, mut mined_outside, mut mined_dated, mut separated_dated) = (0.0, 0.0, 0.0, 0.0);
    for pr in &params.producers {
        let out = pr.capacity_t_per_step * pr.utilisation;
        if pr.stage == chokepoint_core::Stage::Mining {
            mined += out;
            if pr.region != china {
                mined_outside += out;
            }
            if pr.online.is_some() {
                mined_dated += out;
            }
        } else if pr.online.is_some() && pr.stage == chokepoint_core::Stage::Separation {
            let yields: f64 = pr
                .outputs
                .iter()
                .filter(|f| quota_items.contains(&f.item))
                .map(|f| f.t_per_unit)
                .sum();
            separated_dated += out * yields;
        }
    }
    assert!(
        mined_dated > 0.0 && separated_dated > 0.0,
        "market_2010 dates new capacity"
    );

    // The non-Chinese mine share: 2010's before the starts, the capacity share once ramped up.
    let share = median_path(&runs, var(&runs, "mine_output_share_outside_exporters"));
    let before = (mined_outside - mined_dated) / (mined - mined_dated);
    let after = mined_outside / mined;
    let (s0, s1) = (mean(&share[..WINDOW]), mean(&share[last.clone()]));
    assert!(
        (s0 - before).abs() < 0.002,
        "2010 share {s0:.4}, capacity share {before:.4}"
    );
    assert!(
        (s1 - after).abs() < 0.005,
        "2015 share {s1:.4}, capacity share {after:.4}"
    );

    // China's quota exports fall by the new plants' separated output.
    let quota = median_path(&runs, var(&runs, "quota_exports_t/china/rare_earths"));
    let drop = mean(&quota[..WINDOW]) - mean(&quota[last]);
    assert!(
        (drop / separated_dated - 1.0).abs() <= BAND,
        "China's exports fell {drop:.1} t/week; the new plants separate {separated_dated:.1} t/week"
    );

    // Without scarcity: no price of a separated rare earth or magnet moves; concentrate's
    // start-up blip (the plants' first feed) stays small.
    for (i, item) in params.items.iter().enumerate() {
        let path = median_path(&runs, var(&runs, &format!("price_ratio/{}", item.name)));
        let peak = path.iter().copied().fold(0.0, f64::max);
        let limit = if quota_items.iter().any(|q| q.idx() == i) || item.name == "ndfeb" {
            1.0 + 1e-9
        } else {
            1.0 + CONCENTRATE_BLIP
        };
        assert!(
            peak <= limit,
            "price_ratio/{}: median peaks at {peak:.4}",
            item.name
        );
    }
}
