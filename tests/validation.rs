//! The guard on the 2010 fit (issue 12, docs/validation.md): the behavioural defaults are the
//! calibration's stored values, and at those values the 2010 backtest keeps its fit targets'
//! medians within their tolerance, except the misses docs/validation.md explains.
//!
//! The full calibration is rerun by `.ci/run` (`ci/calibration/reproduce.sh`, release build),
//! which checks that it chooses exactly the stored values.

mod common;

use common::{chokepoint, root, stderr};

/// Fit targets the calibrated model misses for a reason of structure, not of fit (each
/// explained in docs/validation.md, "What the model cannot reproduce").
const KNOWN_MISSES: &[&str] = &[
    // Japan's customs count cargo when it clears in Japan, the model when China sells it (a week
    // before, on this route), and September's 2,246 t is above a normal month (~1,950 t): cargo
    // sold in late August and early September, perhaps hurried ahead of trouble. The model's halt
    // stops sales from ~21 Sep, so its September is two-thirds of a normal month.
    "japan_imports_from_china_2010_09",
    // The informal halt is modelled as a full stop of sales until ~24 Nov; Japan still cleared
    // 634 t in November (slow-walked loading rather than a stop; October's 1,278 t, a holdout
    // for the same reason, shows it too).
    "japan_imports_from_china_2010_11",
    // The 2010 quota as modelled (30,258 t issued + ~6,250 t of unused 2009 quota carried over,
    // derived) is 36.5 kt, below the 39,813 t recorded; the halt to Japan leaves some of it
    // unshipped. What went out beyond it went through channels the model does not have.
    "china_exports_2010",
    // Nd oxide fell from its 2011 peak (model median ~200 $/kg against 260 observed) to 195 by
    // December; the model's falls to ~120. Since prices answer what buyers lacked rather than what
    // they left unused (docs/model.md §9), Nd is scarce in 2011 only through the quota, not
    // through the Dy shortage of magnet makers; after the peak, destocking by manufacturers (the
    // only hoarders the model has) and substitution from 1.2x bring it down faster than traders'
    // stocks, held through 2011 and not modelled, let it fall.
    "nd_oxide_yearend_2011",
    // New supply outside China by 2013 is Mountain Pass and Lynas only, and the calibrated
    // supply elasticity is 0: the model reaches 7 % of world mine output, not the ~11 % read
    // from Sprecher et al. (other producers' growth is not in market_2010).
    "non_china_mine_share_2013",
];

fn toml_file(rel: &str) -> toml::Table {
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    text.parse().unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn behaviour_holds_the_calibrated_values() {
    let calibrated = toml_file("scenarios/calibration/calibrated_2010.toml");
    let behaviour = toml_file("scenarios/common/behaviour.toml");
    let mut checked = 0;
    for (section, keys) in &calibrated {
        let toml::Value::Table(keys) = keys else {
            panic!("calibrated_2010.toml: `{section}` is not a table")
        };
        for (table, values) in keys {
            let toml::Value::Table(values) = values else {
                panic!("calibrated_2010.toml: `{section}.{table}` is not a table")
            };
            for (key, value) in values {
                let path = format!("{section}.{table}.{key}");
                let held = behaviour
                    .get(section)
                    .and_then(|s| s.get(table))
                    .and_then(|t| t.get(key))
                    .unwrap_or_else(|| panic!("behaviour.toml lacks `{path}`"));
                assert_eq!(
                    held.as_float(),
                    value.as_float(),
                    "behaviour.toml `{path}` is not the calibrated value"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 7, "only {checked} calibrated values");
}

#[test]
fn the_2010_backtest_keeps_its_fit_within_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bt");
    // The calibration's own seed and replications: the medians it fitted.
    let calibration = toml_file("scenarios/calibration/calibration_2010.toml");
    let seed = calibration["seed"].as_integer().unwrap().to_string();
    let reps = calibration["replications"]
        .as_integer()
        .unwrap()
        .to_string();
    let run = chokepoint(&[
        "backtest",
        "scenarios/japan_halt_2010.toml",
        "--reps",
        &reps,
        "--seed",
        &seed,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let mut rdr = csv::Reader::from_path(out.join("backtest.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (target, role, within) = (col("target"), col("role"), col("p50_within_tolerance"));
    let (hist, p50) = (col("historical"), col("p50"));
    let mut fit = 0;
    let mut misses = Vec::new();
    for row in rdr.records() {
        let row = row.unwrap();
        if &row[role] != "fit" {
            continue;
        }
        fit += 1;
        let name = &row[target];
        let ok = &row[within] == "true";
        if KNOWN_MISSES.contains(&name) {
            assert!(
                !ok,
                "{name} is now within tolerance: take it off KNOWN_MISSES and docs/validation.md"
            );
        } else if !ok {
            misses.push(format!(
                "{name}: median {} vs observed {}",
                &row[p50], &row[hist]
            ));
        }
    }
    assert!(fit >= 10, "only {fit} fit targets");
    assert!(
        misses.is_empty(),
        "fit targets outside their tolerance (recalibrate, or explain in docs/validation.md):\n{}",
        misses.join("\n")
    );
}
