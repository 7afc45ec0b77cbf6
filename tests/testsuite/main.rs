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

mod cache;
mod calendar;
mod ci_formats;
mod classify_check;
mod cli;
mod crash;
mod editor;
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
mod import;
mod init;
mod invalid_fixture;
mod layout;
mod merge;
mod nits;
mod overrides;
mod paths;
mod personnummer;
mod policies_doc;
mod policy_levels;
mod policy_show;
mod readme_tour;
mod report;
mod review;
mod rules;
mod schemas;
mod shell;
mod sla;
mod staged_gate;
mod times;
mod tty;
mod unlink;
mod validate_stream;
mod values;
mod wide_csv;
mod worktree;
