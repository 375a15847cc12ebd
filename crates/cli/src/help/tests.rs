use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Every text of the tree, once per key (a global argument and `--help` recur in every command).
fn needed() -> BTreeMap<String, String> {
    keys().into_iter().collect()
}

#[test]
fn the_help_catalogue_parses() {
    let errors = i18n::help_errors();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A new command, argument or possible value without a Korean text fails here, as does a Korean text whose
/// command or argument is gone.
#[test]
fn every_command_and_argument_has_korean_help_and_every_entry_is_used() {
    let needed = needed();
    let have: BTreeSet<String> = i18n::help_keys().into_iter().collect();
    let missing: Vec<String> = needed
        .iter()
        .filter(|(k, _)| !have.contains(*k))
        .map(|(k, english)| format!("{k} = {}", english.replace('\n', "\n    ")))
        .collect();
    let unused: Vec<&String> = have.iter().filter(|k| !needed.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "missing in ko/help.ftl:\n{}\n\nin ko/help.ftl but not in the CLI: {unused:?}",
        missing.join("\n")
    );
}
