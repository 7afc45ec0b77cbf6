//! arende's integration tests, in one binary: the real `arende` in
//! temporary git repositories, and the library on the fixtures.
//!
//! One module a subject. They were 43 test binaries, each linking the whole
//! crate and its dependencies again; one binary links once and runs every
//! test on one pool of threads (issue 22). The price is that tests share a
//! process: none may change the process's environment, working directory
//! or other global state, so every command gets its environment and folder
//! on its `Command` ([`support::Sandbox`] pins them).
//!
//! Run one subject with `cargo test --test testsuite <module>::`, e.g.
//! `cargo test --test testsuite review::`.
//!
//! Helpers live in [`support`]; the data the tests read stays beside this
//! folder (`tests/rules/`, `tests/schemas/`) and in `fixtures/`. insta
//! keeps snapshots in `snapshots/`, named `testsuite__<module>__<name>.snap`.

mod support;

mod approvals;
mod cache;
mod calendar;
mod ci_examples;
mod ci_formats;
mod classify_check;
mod cli;
mod crash;
mod desk;
mod desk_nits;
mod editor;
mod event_order;
mod exchange;
mod export;
mod fixes;
mod formats;
mod fuzz;
mod gate;
mod git_trust;
mod hand_edits;
mod hook;
mod hostile_clone;
mod hostile_editor;
mod hostile_output;
mod ids;
mod impact;
mod import;
mod init;
mod invalid_fixture;
mod layers;
mod layout;
mod list_typos;
mod man_pages;
mod merge;
mod near_miss;
mod nits;
mod overrides;
mod paths;
mod personnummer;
mod policies_doc;
mod policy_levels;
mod policy_show;
mod readme_tour;
mod registration;
mod report;
mod review;
mod rules;
mod schedule;
mod schemas;
mod shell;
mod silent_defaults;
mod site;
mod sla;
mod staged_gate;
mod standard_register;
mod time_options;
mod times;
mod tty;
mod unlink;
mod validate_stream;
mod values;
mod verify_approvals;
mod waivers;
mod wide_csv;
mod words;
mod worktree;

/// A file of this folder that no `mod` line names is never compiled, so
/// its tests never run and nothing says so.
#[test]
fn every_file_of_the_suite_is_a_module_of_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let module = if path.is_dir() && path.join("mod.rs").exists() {
            path.file_name()
        } else if path.extension().is_some_and(|x| x == "rs") {
            path.file_stem()
        } else {
            None
        };
        let Some(module) = module.and_then(|m| m.to_str()) else {
            continue;
        };
        if module != "main" && !main.lines().any(|l| l == format!("mod {module};")) {
            missing.push(path.display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "add a `mod` line to tests/testsuite/main.rs for: {missing:?}"
    );
}
