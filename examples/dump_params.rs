//! Writes a scenario's resolved parameters as JSON, for the Python peer in `benches/peer/`.
//!
//! ```text
//! cargo run --release --example dump_params -- <scenario.toml> <out.json> [replications] [seed]
//! ```
//!
//! The file holds `central` (the scenario's `ModelParams` at the central value of every
//! uncertain number, as serde writes it) and, for each of `replications` (default 0), the values
//! that replication's sampled parameters change: a list of `[path, value]` pairs, where `path`
//! is the list of object keys and array indices from the root of `central`. Replication `r`
//! samples with the parameter seed `splitmix64(seed ^ splitmix64(r))`, a stream independent of
//! the engine's (`chokepoint_experiment::streams`), so the peer's parameter draws are
//! independent of those of a `chokepoint run` with the same seed, as a two-sample comparison
//! needs.

use std::path::Path;

use serde_json::{Value, json};

/// SplitMix64's finaliser: a well-mixed 64-bit function of `z`.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every leaf where `new` differs from `old`, as `[path, value]` (arrays of equal length are
/// compared element by element; anything else that differs is written whole).
fn diff(old: &Value, new: &Value, path: &mut Vec<Value>, out: &mut Vec<Value>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            for (k, vb) in b {
                path.push(json!(k));
                match a.get(k) {
                    Some(va) => diff(va, vb, path, out),
                    None => out.push(json!([path.clone(), vb])),
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                path.push(json!(i));
                diff(va, vb, path, out);
                path.pop();
            }
        }
        _ => {
            if old != new {
                out.push(json!([path.clone(), new]));
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(scenario), Some(out)) = (args.first(), args.get(1)) else {
        return Err("usage: dump_params <scenario.toml> <out.json> [replications] [seed]".into());
    };
    let reps: u64 = args.get(2).map_or(Ok(0), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(0), |s| s.parse())?;
    let read = |p: &Path| std::fs::read_to_string(p);
    let sc = chokepoint_scenario::Scenario::load(Path::new(scenario), &read, &[])?;
    let central = serde_json::to_value(sc.central())?;
    let mut replications = Vec::new();
    for r in 0..reps {
        let sampled = serde_json::to_value(sc.sample(mix(seed ^ mix(r))))?;
        let mut changes = Vec::new();
        diff(&central, &sampled, &mut Vec::new(), &mut changes);
        replications.push(Value::Array(changes));
    }
    let doc = json!({
        "scenario": sc.name(),
        "seed": seed,
        "sampled_keys": sc.sampled_keys(),
        "central": central,
        "replications": replications,
    });
    std::fs::write(out, serde_json::to_string(&doc)?)?;
    Ok(())
}
