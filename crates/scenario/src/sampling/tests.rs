//! Sampling through the plan gives exactly what compiling the whole replication gives.

use std::path::{Path, PathBuf};

use chokepoint_core::{Model, ModelParams, ScenarioSource};

use crate::compile::{Build, Draw};
use crate::{Override, Scenario};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The 2010 quota shocks on the 2024 market (a fixture: shocks, quotas that end, every section).
const QUOTAS_ON_2024: &str = "../crates/scenario/src/sampling/fixtures/quotas_on_2024.toml";

fn load(name: &str, overrides: &[Override]) -> Scenario {
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(&scenarios().join(name), &read, overrides)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// True for a file of `scenarios/` that is not a scenario: a strategies file (`[[strategy]]`) or a
/// suite (`[suite]`), which are inputs of `compare`; read from the content, so a new one is
/// recognised without naming it here.
fn is_scenario_file(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    !text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("[[strategy]]") || l.starts_with("[suite]")
    })
}

/// Every shipped scenario file (not the suite or strategies files, which are not scenarios).
fn shipped() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        })
        .filter(|n| is_scenario_file(&scenarios().join(n)))
        .collect();
    names.sort();
    names
}

/// Overrides that make the firms of every entry equal, so that nothing is sampled per
/// replication unless a test says so.
fn equal_firms() -> Vec<Override> {
    ["firm_size_sigma", "firm_cover_sigma"]
        .iter()
        .map(|k| Override {
            path: format!("defaults.manufacturer.{k}"),
            value: "0".to_owned(),
        })
        .collect()
}

/// `equal_firms` and then `more`.
fn with_equal_firms(more: &[Override]) -> Vec<Override> {
    let mut all = equal_firms();
    all.extend_from_slice(more);
    all
}

/// The reference: the whole replication compiled from the file, as every replication was
/// before plans.
fn full_rebuild(s: &Scenario, seed: u64) -> ModelParams {
    Build::new(&s.file, Draw::Sample(seed)).params()
}

/// Bit for bit: `Debug` prints every float in its shortest exact form.
fn same(a: &ModelParams, b: &ModelParams) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Samples seeds into one reused buffer and one reused model, out of order, and compares each
/// with a full rebuild.
fn check(s: &Scenario, name: &str, seeds: u64) {
    let mut buffer = s.central().clone();
    let mut model = s.new_model().unwrap();
    for k in 0..seeds {
        let seed = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (k % 3);
        let want = full_rebuild(s, seed);
        s.sample_params_into(seed, &mut buffer);
        assert!(
            same(&buffer, &want),
            "{name}: seed {seed}: sample_params_into differs"
        );
        s.sample_model(seed, &mut model).unwrap();
        assert!(
            same(model.params(), &want),
            "{name}: seed {seed}: model differs"
        );
    }
    assert!(
        same(&s.sample(7), &full_rebuild(s, 7)),
        "{name}: sample differs"
    );
}

#[test]
fn every_shipped_scenario_samples_what_a_full_rebuild_gives() {
    for name in shipped() {
        let s = load(&name, &[]);
        check(&s, &name, 100);
    }
}

/// Uncertain numbers in every section, including those read by other sections (a bill of
/// materials, a yield that orders a plant's outputs, demand and capacity that size stockpiles
/// in weeks, an exporter's licence that shocks fall back to), over the shocks' own.
#[test]
fn numbers_uncertain_in_every_section_sample_what_a_full_rebuild_gives() {
    let set = |path: &str, value: &str| Override {
        path: path.to_owned(),
        value: value.to_owned(),
    };
    let overrides = [
        set(
            "defaults.price.elasticity",
            r#"{ dist = "uniform", lo = 0.05, hi = 0.15 }"#,
        ),
        set(
            "item.dy.base_price_usd_per_kg",
            r#"{ dist = "lognormal", median = 400, sigma = 0.8 }"#,
        ),
        set(
            "item.ndfeb.bom.dy",
            r#"{ dist = "triangular", lo = 5, mode = 10, hi = 15 }"#,
        ),
        set(
            "sector.defence.value_added_usd_per_kg",
            r#"{ dist = "uniform", lo = 100, hi = 200 }"#,
        ),
        set(
            "producer.china_separation.yields.dy",
            r#"{ dist = "uniform", lo = 0.005, hi = 0.2 }"#,
        ),
        set(
            "producer.china_mines.capacity_t_per_year",
            r#"{ dist = "normal", mean = 270000, sd = 20000, lo = 200000, hi = 340000 }"#,
        ),
        set(
            "defaults.producer.utilisation",
            r#"{ dist = "beta", alpha = 9, beta = 1 }"#,
        ),
        set(
            "defaults.producer.outage_mean_weeks",
            r#"{ dist = "uniform", lo = 2, hi = 6 }"#,
        ),
        set(
            "defaults.manufacturer.cover_weeks",
            r#"{ dist = "uniform", lo = 2, hi = 6 }"#,
        ),
        set(
            "demand.0.t_per_year.ndfeb",
            r#"{ dist = "lognormal", median = 70000, sigma = 0.1 }"#,
        ),
        // Japan's other uses: part of the Dy use Japan's stockpile is sized in weeks of.
        set(
            "demand.17.t_per_year.dy",
            r#"{ dist = "lognormal", median = 31, sigma = 0.3 }"#,
        ),
        set(
            "stockpile.japan_jogmec.holding.0.initial_weeks",
            r#"{ dist = "uniform", lo = 6, hi = 10 }"#,
        ),
        set(
            "stockpile.us_nds.budget_usd",
            r#"{ dist = "uniform", lo = 1e7, hi = 3e7 }"#,
        ),
        set(
            "exporter.china.licence.review_capacity_per_week",
            r#"{ dist = "uniform", lo = 4, hi = 8 }"#,
        ),
        set(
            "exporter.china.quota.rare_earths.annual_t",
            r#"{ dist = "uniform", lo = 5000, hi = 9000 }"#,
        ),
    ];
    // One at a time over a file with shocks (quotas that end, falling back to the exporter's)
    // and no other uncertain number, so that each rebuilds only what its own key reaches: a
    // missing dependency between sections shows here...
    let fixed = set("shock.japan_halt.duration_weeks", "9");
    for o in &overrides {
        let s = load(
            QUOTAS_ON_2024,
            &with_equal_firms(&[fixed.clone(), o.clone()]),
        );
        assert_eq!(s.sampled_keys().len(), 1, "{:?}", s.sampled_keys());
        check(&s, &format!("quotas_on_2024 with {}", o.path), 20);
    }
    // A licence shock that takes the exporter's review capacity: exporter → events.
    let mut only_exporter: Vec<Override> = [
        ("shock.april_regime.lead_time_weeks.median", "7"),
        ("shock.april_regime.approval.default", "0.67"),
        ("shock.april_regime.approval.us.default", "0.5"),
        ("shock.april_regime.approval.defence", "0.05"),
        ("shock.april_regime.approval.us.defence", "0.05"),
    ]
    .iter()
    .map(|(p, v)| set(p, v))
    .collect();
    only_exporter.push(set(
        "exporter.china.licence.review_capacity_per_week",
        r#"{ dist = "uniform", lo = 4, hi = 8 }"#,
    ));
    let s = load(
        "china_licensing_2025_04.toml",
        &with_equal_firms(&only_exporter),
    );
    assert_eq!(s.sampled_keys().len(), 1, "{:?}", s.sampled_keys());
    check(
        &s,
        "china_licensing_2025_04 with the exporter's review capacity",
        20,
    );
    // ... and all together over the shocks' own.
    let s = load("list_expansion_2025_10.toml", &overrides);
    assert!(
        s.sampled_keys().len() >= overrides.len(),
        "{:?}",
        s.sampled_keys()
    );
    check(
        &s,
        "list_expansion_2025_10 with every section uncertain",
        60,
    );
}

#[test]
fn a_scenario_without_uncertain_numbers_rebuilds_nothing() {
    let s = load("baseline_2024.toml", &equal_firms());
    assert!(s.sampled_keys().is_empty());
    assert_eq!(s.sampling.reach, crate::compile::Sections::NONE);
    let mut model = s.new_model().unwrap();
    s.sample_model(3, &mut model).unwrap();
    assert!(same(model.params(), s.central()));
}

#[test]
fn only_the_sections_reached_are_rebuilt() {
    use crate::compile::Sections;
    let s = load(QUOTAS_ON_2024, &equal_firms());
    assert_eq!(s.sampled_keys().len(), 1, "{:?}", s.sampled_keys());
    assert_eq!(s.sampling.reach, Sections::EVENTS);
    let s = load("china_licensing_2025_04.toml", &equal_firms());
    assert_eq!(s.sampling.reach, Sections::EVENTS);
}

/// Firms that differ are drawn per replication: each entry's firms are a sampled key that
/// reaches the manufacturers, and replications differ in firm sizes and covers, while the
/// entry's total demand stays what the file says.
#[test]
fn differing_firms_are_drawn_per_replication_and_keep_the_entry_total() {
    use crate::compile::Sections;
    let s = load("baseline_2024.toml", &[]);
    assert!(s.sampled_keys().iter().any(|k| k == "demand.0.firms"));
    assert!(s.sampling.reach.has(Sections::MANUFACTURERS));
    let (a, b) = (s.sample(1), s.sample(2));
    let total = |p: &ModelParams| -> f64 {
        p.manufacturers
            .iter()
            .filter(|m| {
                m.region == p.manufacturers[0].region && m.sector == p.manufacturers[0].sector
            })
            .map(|m| m.demand[0].t_per_step)
            .sum()
    };
    for p in [&a, &b] {
        let (got, want) = (total(p), total(s.central()));
        assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
    }
    assert!(!same(&a, &b), "firms differ between replications");
    let covers: Vec<f64> = a
        .manufacturers
        .iter()
        .map(|m| m.cover_target_steps)
        .collect();
    assert!(
        covers.iter().any(|&c| (c - covers[0]).abs() > 1e-9),
        "covers differ"
    );
}

/// A sampled value the model refuses is reported at its key, file and line.
#[test]
fn a_refused_sample_names_its_key() {
    let s = load(
        "baseline_2024.toml",
        &[Override {
            path: "defaults.manufacturer.growth_per_year".to_owned(),
            value: r#"{ dist = "normal", mean = 0, sd = 100 }"#.to_owned(),
        }],
    );
    let mut model: Model = s.new_model().unwrap();
    let err = (0..50)
        .find_map(|seed| s.sample_model(seed, &mut model).err())
        .expect("some draw of growth leaves [-0.99, 10]");
    let text = err.to_string();
    assert!(
        text.contains("defaults.manufacturer.growth_per_year") && text.contains("sampled"),
        "{text}"
    );
}
