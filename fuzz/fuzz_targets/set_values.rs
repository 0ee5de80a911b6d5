//! Any lines as `--set PATH=VALUE` assignments on a shipped scenario
//! (`list_expansion_2025_10.toml`, which extends two more): each line is parsed as clap parses
//! `--set` (`Override::from_str`) and the ones that parse are applied as `chokepoint check
//! --set` applies them (`Scenario::load` with overrides). An error must explain itself; a
//! scenario that validates must round-trip and build a model; a panic is a bug.
#![no_main]

use chokepoint_fuzz::{assert_explains, exercise, read, scenarios};
use chokepoint_scenario::{Override, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut overrides = Vec::new();
    for line in text.lines() {
        match line.parse::<Override>() {
            Ok(o) => {
                assert!(!o.path.is_empty(), "`{line}`: an empty path was accepted");
                overrides.push(o);
            }
            Err(e) => assert_explains("--set", &e),
        }
    }
    let path = scenarios().join("list_expansion_2025_10.toml");
    match Scenario::load(&path, &read, &overrides) {
        Ok(scenario) => exercise(&scenario),
        Err(e) => assert_explains("--set", &e),
    }
});
