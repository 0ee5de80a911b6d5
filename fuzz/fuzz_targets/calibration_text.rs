//! Any bytes as a calibration file, read as `chokepoint calibrate` reads it
//! (`Calibration::load`, its `scenario` resolved next to the shipped calibration file) and on
//! its own (`Calibration::read`). An error must explain itself; a file that loads maps the unit
//! cube's corners onto its parameters' ranges (whole-number keys to within rounding); a panic is a bug.
#![no_main]

use chokepoint_experiment::Calibration;
use chokepoint_fuzz::{Files, assert_explains, write_input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = write_input("calibration/fuzz_calibration.toml", data);
    let alone = Calibration::read(&path);
    if let Err(e) = &alone {
        assert_explains("calibration (alone)", e);
    }
    match Calibration::load(&path, &Files) {
        Ok((cal, _scenario)) => {
            assert!(
                alone.is_ok(),
                "the file loads with its scenario but not alone"
            );
            let n = cal.parameters.len();
            for (u, end) in [(0.0, true), (1.0, false)] {
                let values = cal.values_at(&vec![u; n]);
                for (v, p) in values.iter().zip(&cal.parameters) {
                    assert!(v.is_finite(), "{}: a non-finite value", p.key);
                    let want = if end { p.min } else { p.max };
                    // Keys that hold whole numbers are rounded.
                    let slack = if p.integer {
                        0.5
                    } else {
                        1e-9 * want.abs().max(1.0)
                    };
                    assert!(
                        (v - want).abs() <= slack,
                        "{}: unit {u} gives {v}, not {want}",
                        p.key
                    );
                }
            }
        }
        Err(e) => assert_explains("calibration", &e),
    }
});
