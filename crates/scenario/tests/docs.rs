//! The key tables of docs/scenarios.md are generated from `chokepoint_scenario::keys`; this
//! fails when the checked-in file is stale. `CHOKEPOINT_BLESS=1` rewrites it.

use chokepoint_scenario::keys::{self, Table};

fn docs_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenarios.md")
}

#[test]
fn docs_key_tables_are_generated_from_the_key_table() {
    let path = docs_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let fresh = keys::render_docs(&text).unwrap_or_else(|e| panic!("docs/scenarios.md: {e}"));
    if fresh == text {
        return;
    }
    if std::env::var_os("CHOKEPOINT_BLESS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    panic!(
        "docs/scenarios.md is stale: its key tables differ from crates/scenario/src/keys.rs.\n\
         Regenerate them with `CHOKEPOINT_BLESS=1 cargo test -p chokepoint-scenario --test docs`."
    );
}

#[test]
fn every_table_has_a_generated_block() {
    let text = std::fs::read_to_string(docs_path()).unwrap();
    for t in Table::ALL
        .iter()
        .filter(|t| **t != Table::Top && **t != Table::Defaults)
    {
        let marker = format!("{}keys:{} -->", keys::BEGIN, t.id());
        let wanted = if *t == Table::Dist {
            format!("{}dists -->", keys::BEGIN)
        } else {
            marker
        };
        assert!(text.contains(&wanted), "docs/scenarios.md lacks `{wanted}`");
    }
}
