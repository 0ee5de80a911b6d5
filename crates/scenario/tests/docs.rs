//! docs/scenarios.md documents every key the format accepts.

#[test]
fn every_key_is_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/scenarios.md"
    ))
    .unwrap();
    let missing: Vec<&str> = chokepoint_scenario::schema::KNOWN_KEYS
        .iter()
        .copied()
        .filter(|k| {
            !doc.contains(&format!("`{k}`"))
                && !doc.contains(&format!("`[{k}]`"))
                && !doc.contains(&format!("[[{k}]]"))
                && !doc.contains(&format!("[defaults.{k}]"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "keys missing from docs/scenarios.md: {missing:?}"
    );
}
