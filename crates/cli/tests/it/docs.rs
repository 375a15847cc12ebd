//! The Korean README (`docs/ko/README.md`) is kept in step with the English one: every command either shows in a
//! shell block, the other shows too. Commands are compared by what they run (`autodev <subcommand>`, a script, a
//! `docker compose` line), not by their arguments' wording (the request texts are in each language).

use std::collections::BTreeSet;
use std::path::Path;

/// The commands in `sh` code blocks of a markdown file.
fn commands(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_sh = false;
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = t.split(" #").next().unwrap_or("").trim();
        let words: Vec<&str> = code.split_whitespace().collect();
        match words.as_slice() {
            ["autodev", sub, ..] => {
                out.insert(format!("autodev {sub}"));
            }
            ["docker", "compose", ..] | ["cargo", "install", ..] | ["ollama", ..] => {
                out.insert(words.join(" "));
            }
            _ => {
                // Scripts, called directly or inside `eval "$(…)"`.
                for w in &words {
                    if let Some(start) = w.find("scripts/") {
                        let script = &w[start..];
                        let end = script.find(".sh").map_or(script.len(), |i| i + 3);
                        out.insert(script[..end].to_owned());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_korean_readme_shows_every_command_the_english_one_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let en = commands(&std::fs::read_to_string(root.join("README.md")).unwrap());
    let ko = commands(&std::fs::read_to_string(root.join("docs/ko/README.md")).unwrap());
    assert!(
        en.len() > 10,
        "the English README's commands were not found: {en:?}"
    );
    let missing_ko: Vec<_> = en.difference(&ko).collect();
    let missing_en: Vec<_> = ko.difference(&en).collect();
    assert!(
        missing_ko.is_empty() && missing_en.is_empty(),
        "docs/ko/README.md lacks {missing_ko:?}; README.md lacks {missing_en:?}"
    );
}
