//! Any bytes as a stockpile strategies file, read as `chokepoint compare` reads it; every
//! strategy of a file that reads is applied to a shipped scenario (where its stockpiles are
//! validated). An error must explain itself; a panic is a bug.
#![no_main]

use std::sync::OnceLock;

use chokepoint_fuzz::{assert_explains, exercise, read, shipped, write_input};
use chokepoint_scenario::{Scenario, StrategySet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<Scenario> = OnceLock::new();
    let base = BASE.get_or_init(|| shipped("list_expansion_2025_10.toml"));
    let path = write_input("fuzz_strategies.toml", data);
    match StrategySet::load(&path, &read) {
        Ok(set) => {
            assert!(
                !set.strategies.is_empty(),
                "a strategies file without strategies was accepted"
            );
            for s in &set.strategies {
                assert!(!s.name.is_empty(), "a strategy without a name was accepted");
                match base.with_strategy(s) {
                    Ok(variant) => exercise(&variant),
                    Err(e) => assert_explains("strategy", &e),
                }
            }
        }
        Err(e) => assert_explains("strategies", &e),
    }
});
