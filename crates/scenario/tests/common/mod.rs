//! What the scenario crate's integration tests share: a scenario that extends the shipped
//! baseline with a snippet, read without touching the disk, and the changes of the policy timeline.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::Path;

use chokepoint_core::InForce;
use chokepoint_scenario::Scenario;

/// `scenarios/baseline_2024.toml` extended by `body` (TOML after `[scenario] name = "t"`),
/// with every problem as one message.
pub fn load(body: &str) -> Result<Scenario, String> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/baseline_2024.toml");
    let text = format!(
        "extends = {:?}\n[scenario]\nname = \"t\"\n{body}",
        base.to_str().unwrap()
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/__test.toml");
    let read = |p: &Path| {
        if p == path {
            Ok(text.clone())
        } else {
            std::fs::read_to_string(p)
        }
    };
    Scenario::load(&path, &read, &[]).map_err(|e| e.to_string())
}

/// As [`load`], for snippets that must be valid.
pub fn scenario(body: &str) -> Scenario {
    load(body).unwrap_or_else(|e| panic!("{e}"))
}

/// The steps at which `f` of the state in force changes, and its new value.
pub fn changes<T: PartialEq>(s: &Scenario, f: impl Fn(&InForce) -> T) -> Vec<(u32, T)> {
    let p = s.central();
    let mut before = f(&p.baseline_in_force());
    let mut out = Vec::new();
    for e in &p.events {
        let now = f(&e.in_force);
        if now != before {
            out.push((e.step, f(&e.in_force)));
        }
        before = now;
    }
    out
}
