//! The boundaries ARCHITECTURE.md promises, checked on the crates' manifests.

fn dependencies(krate: &str) -> Vec<String> {
    let path = format!("{}/crates/{krate}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_model_depends_on_no_workspace_crate_and_does_no_io_or_threads() {
    let deps = dependencies("core");
    for banned in [
        "chokepoint-scenario",
        "chokepoint-runner",
        "chokepoint-stats",
        "chokepoint-cli",
        "rayon",
        "toml",
        "serde_json",
        "indicatif",
        "csv",
        "clap",
        "rand_chacha",
    ] {
        assert!(
            !deps.iter().any(|d| d == banned),
            "chokepoint-core must not depend on {banned}"
        );
    }
}

#[test]
fn only_the_runner_knows_threads_and_only_the_cli_knows_terminals_and_files() {
    for krate in ["core", "scenario", "stats", "cli"] {
        assert!(
            !dependencies(krate).iter().any(|d| d == "rayon"),
            "{krate} must not use rayon"
        );
    }
    for krate in ["core", "scenario", "runner", "stats"] {
        let deps = dependencies(krate);
        for banned in ["indicatif", "csv", "clap", "tempfile", "ctrlc"] {
            assert!(
                !deps.iter().any(|d| d == banned),
                "{krate} must not depend on {banned}"
            );
        }
    }
}
