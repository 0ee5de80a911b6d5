//! Any bytes as a scenario file, read as `chokepoint check` reads it (`Scenario::load` from
//! the file system, `extends` resolved against a copy of the shipped scenarios): an error must
//! explain itself; a scenario that validates must round-trip through its resolved text and
//! build and step a model. A panic is a bug.
#![no_main]

use chokepoint_fuzz::{assert_explains, exercise, read, write_input};
use chokepoint_scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = write_input("fuzz_scenario.toml", data);
    match Scenario::load(&path, &read, &[]) {
        Ok(scenario) => exercise(&scenario),
        Err(e) => assert_explains("scenario", &e),
    }
});
