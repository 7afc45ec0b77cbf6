//! `arende hook install` and `arende validate --staged`: the hook checks
//! what the commit will hold (the index), and is installed where git looks
//! for hooks (`core.hooksPath`).

use std::ffi::OsString;
use std::path::Path;

use crate::support::*;

/// PATH with the folder of the `arende` under test first, so the hook's
/// `exec arende` runs it.
fn path_with_arende() -> OsString {
    let bin = assert_cmd::cargo::cargo_bin("arende");
    let dir = bin.parent().expect("a folder").to_owned();
    let mut parts = vec![dir];
    parts.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(parts).expect("a PATH")
}

fn commit(sb: &Sandbox, message: &str) -> std::process::Output {
    sb.git_cli()
        .env("PATH", path_with_arende())
        .args(["commit", "-q", "-m", message])
        .output()
        .expect("git runs")
}

#[test]
fn the_hook_checks_the_staged_record_not_the_working_copy() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.ok(&["hook", "install"]);
    let hook = sb.root().join(".git/hooks/pre-commit");
    assert!(std::fs::read_to_string(&hook).unwrap().contains("--staged"));
    let rel = rel_path(&id);
    let good = std::fs::read_to_string(sb.root().join(&rel))
        .unwrap()
        .replace("title: Journal nere", "title: Journal nere igen");
    // Stage a broken record, then fix the working copy without staging it.
    sb.edit_record(&id, "impact: high", "impact: enormous");
    sb.git_ok(&["add", &rel]);
    std::fs::write(sb.root().join(&rel), &good).unwrap();
    assert_eq!(
        code(&sb.run(&["validate", "-q"])),
        0,
        "the working copy is fine"
    );
    let out = sb.run(&["validate", "--staged", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["files"], 1, "only the staged record is checked");
    assert_eq!(report["findings"][0]["path"], rel.as_str());
    assert!(report["findings"][0]["line"].as_u64().is_some(), "{report}");
    let before = sb.rev("HEAD");
    let out = commit(&sb, "broken");
    assert!(!out.status.success(), "the commit went through");
    assert_eq!(sb.rev("HEAD"), before);
    // Staging the fix lets it through.
    sb.git_ok(&["add", &rel]);
    let out = commit(&sb, "fixed");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_staged_fix_passes_though_the_working_copy_is_broken() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the working copy is left broken while the index holds the fix");
    let id = sb.journal_incident();
    sb.edit_record(&id, "title: Journal nere", "title: Journal nere igen");
    sb.git_ok(&["add", "-A"]);
    sb.edit_record(&id, "impact: high", "impact: enormous");
    assert_eq!(code(&sb.run(&["validate", "-q"])), 1);
    let out = sb.run(&["validate", "--staged"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn nothing_staged_is_nothing_to_check() {
    let sb = Sandbox::with_repo();
    sb.journal_incident();
    let out = sb.run(&["validate", "--staged", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["files"], 0);
}

#[test]
fn the_hook_goes_where_core_hooks_path_points() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes(
        "the hook folder and a staged edit are left for the commit the test does not make",
    );
    let id = sb.journal_incident();
    sb.git_ok(&["config", "core.hooksPath", ".githooks"]);
    let out = sb.run(&["hook", "install", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let hook = sb.root().join(".githooks/pre-commit");
    assert!(hook.is_file(), "no hook at {}", hook.display());
    assert!(!Path::new(&sb.root().join(".git/hooks/pre-commit")).exists());
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        report["hook"]
            .as_str()
            .unwrap()
            .ends_with(".githooks/pre-commit")
    );
    // git runs it from there.
    sb.edit_record(&id, "impact: high", "impact: enormous");
    sb.git_ok(&["add", "-A"]);
    assert!(!commit(&sb, "broken").status.success());
}
