//! Every "facts §N" a shipped scenario cites resolves to a section of `docs/facts.md`, the
//! repository's copy of the domain facts (issue 13: the README and scenarios cited a file
//! outside the repository).

mod common;

fn toml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

#[test]
fn every_facts_citation_names_a_section_of_docs_facts_md() {
    let root = common::root();
    let facts = std::fs::read_to_string(root.join("docs/facts.md")).unwrap();
    let sections: Vec<u32> = facts
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split('.').next()?.parse().ok())
        .collect();
    assert!(sections.len() >= 4, "{sections:?}");
    let mut files = Vec::new();
    toml_files(&root.join("scenarios"), &mut files);
    let mut cited = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            !text.contains("shared/domain"),
            "{}: cites a file outside the repository; cite docs/facts.md",
            f.display()
        );
        for (k, _) in text.match_indices("facts §") {
            let n: String = text[k + "facts §".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if n.is_empty() {
                continue; // the header's "facts §N" legend
            }
            let n: u32 = n.parse().unwrap();
            assert!(
                sections.contains(&n),
                "{}: facts §{n} is not a section",
                f.display()
            );
            cited += 1;
        }
    }
    assert!(
        cited > 100,
        "the shipped scenarios cite the facts ({cited})"
    );
}
