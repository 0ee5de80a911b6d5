//! Every file in tests/fixtures/bad/ is refused with the messages its `# expect:` lines name.

use std::path::{Path, PathBuf};

use chokepoint_scenario::Scenario;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_fixture_produces_its_messages() {
    let files = fixtures();
    assert!(
        files.len() >= 15,
        "the corpus shrank to {} files",
        files.len()
    );
    let read = |p: &Path| std::fs::read_to_string(p);
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expects.is_empty(),
            "{} has no `# expect:` line",
            file.display()
        );
        match Scenario::load(file, &read, &[]) {
            Ok(_) => failures.push(format!("{}: loaded without error", file.display())),
            Err(e) => {
                let report = e.to_string();
                for want in expects {
                    if !report.contains(want) {
                        failures.push(format!(
                            "{}: report lacks `{want}`:\n{report}",
                            file.display()
                        ));
                    }
                }
                if report.contains("panicked") {
                    failures.push(format!("{}: report mentions a panic", file.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
