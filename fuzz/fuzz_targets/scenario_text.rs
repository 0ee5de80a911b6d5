//! Any bytes given as a scenario file: an error is fine, a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(scenario) = chokepoint_scenario::Scenario::from_str(&text, "fuzz.toml") {
        // A scenario that validates must also build a model.
        let _ = chokepoint_core::Model::new(scenario.sample(1));
    }
});
