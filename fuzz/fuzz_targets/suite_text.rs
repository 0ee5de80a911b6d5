//! Any bytes as a benchmark suite file (`[suite]`), given to `chokepoint compare`: the plan is
//! built as the CLI builds it (`Plan::from_spec` with the file-system loader), scenarios and
//! strategies resolved against a copy of the shipped ones. Nothing runs. An error must explain
//! itself; a plan must have cells; a panic is a bug.
#![no_main]

use chokepoint_experiment::{CompareSpec, Plan, PlanSpec, Settings};
use chokepoint_fuzz::{Files, assert_explains, write_input};
use chokepoint_scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = write_input("fuzz_suite.toml", data);
    let spec = PlanSpec::Compare(CompareSpec {
        scenarios: vec![path],
        strategies: None,
        baseline: None,
        objective: None,
        overrides: Vec::new(),
        settings: Settings {
            seed: None,
            replications: Some(1),
            batch: 1,
        },
    });
    match Plan::<Scenario>::from_spec(&spec, &Files) {
        Ok(plan) => assert!(!plan.cells.is_empty(), "a comparison without cells"),
        Err(e) => assert_explains("suite", &e),
    }
});
