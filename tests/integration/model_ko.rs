//! `docs/model.ko.md` gives the rules and properties of `docs/model.md` in
//! Korean, under the same numbers: hints and narration cite them by
//! number ("규칙 4", "성질 3"), so the two pages must agree.

use crate::util::repo;

/// The rules table's first cells (`activate`, `1 get`, ...), in order.
fn rules(page: &str) -> Vec<String> {
    let start = page
        .lines()
        .position(|l| l.starts_with("| activate |"))
        .expect("a rules table starting with activate");
    page.lines()
        .skip(start)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .next()
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect()
}

/// The numbers of the numbered list under the heading `heading`.
fn properties(page: &str, heading: &str) -> Vec<u32> {
    let at = page
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    let section = &page[at + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.split_once(". ").and_then(|(n, _)| n.parse().ok()))
        .collect()
}

fn pages() -> (String, String) {
    let read = |p: &str| std::fs::read_to_string(repo(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    (read("docs/model.md"), read("docs/model.ko.md"))
}

#[test]
fn the_korean_model_numbers_the_rules_and_properties_as_model_md() {
    let (en, ko) = pages();
    let (re, rk) = (rules(&en), rules(&ko));
    assert_eq!(re.len(), 13, "model.md: {re:?}");
    assert_eq!(
        rk, re,
        "docs/model.ko.md's rules differ from docs/model.md's"
    );
    let (pe, pk) = (
        properties(&en, "## The properties"),
        properties(&ko, "## 성질"),
    );
    assert_eq!(pe, (1..=7).collect::<Vec<_>>(), "model.md's properties");
    assert_eq!(
        pk, pe,
        "docs/model.ko.md's properties differ from docs/model.md's"
    );
}

/// Every rule or property a Korean text cites by number exists.
#[test]
fn korean_texts_cite_only_rules_and_properties_that_exist() {
    let (en, _) = pages();
    let rule_numbers: Vec<u32> = rules(&en)
        .iter()
        .filter_map(|r| r.split(' ').next()?.parse().ok())
        .collect();
    let properties = properties(&en, "## The properties");
    let mut texts = Vec::new();
    for dir in ["sim-scenarios", "sim-scenarios/challenges"] {
        for f in iocp_sim::course::lesson_files(&repo(dir)).unwrap() {
            texts.push((
                f.display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    for f in ["docs/model.ko.md", "sim-scenarios/README.ko.md"] {
        texts.push((f.to_owned(), std::fs::read_to_string(repo(f)).unwrap()));
    }
    for (name, text) in texts {
        for (word, known) in [("규칙 ", &rule_numbers), ("성질 ", &properties)] {
            for (i, _) in text.match_indices(word) {
                let n: String = text[i + word.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = n.parse::<u32>() {
                    assert!(
                        known.contains(&n),
                        "{name}: cites {word}{n}, which does not exist"
                    );
                }
            }
        }
    }
}
