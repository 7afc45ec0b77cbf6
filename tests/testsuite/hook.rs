//! `arende hook install` and `arende validate --staged`: the hook checks
//! what the commit will hold (the index), and is installed where git looks
//! for hooks (`core.hooksPath`).

use std::path::Path;

use crate::support::*;

fn commit(sb: &Sandbox, message: &str) -> std::process::Output {
    sb.git_cli()
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

#[test]
fn the_hook_runs_arende_from_path_and_stops_the_commit_without_it() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let out = sb
        .cmd()
        .env("PATH", path_without_arende())
        .args(["hook", "install"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "installed all the same: {err}");
    let line = err
        .lines()
        .find(|l| l.contains("`arende` is not on PATH"))
        .unwrap_or_else(|| panic!("no line on PATH: {err}"));
    assert!(line.contains("stops every commit"), "{line}");
    assert!(line.contains("cargo install --locked --path ."), "{line}");
    let hook = std::fs::read_to_string(sb.root().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("exec arende validate --staged -q"), "{hook}");
    let bin = assert_cmd::cargo::cargo_bin("arende");
    assert!(!hook.contains(bin.to_str().unwrap()), "by name: {hook}");

    // Without arende on PATH the hook stops the commit and says why.
    sb.edit_record(&id, "title: Journal nere", "title: Journal nere igen");
    sb.git_ok(&["add", "-A"]);
    let before = sb.rev("HEAD");
    let out = sb
        .git_cli()
        .env("PATH", path_without_arende())
        .args(["commit", "-q", "-m", "retitled"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a hook that cannot check passed");
    assert_eq!(sb.rev("HEAD"), before);
    let err = stderr(&out);
    assert!(
        err.contains("arende pre-commit hook: `arende` is not on PATH")
            && err.contains("cargo install --locked --path ."),
        "{err}"
    );
    // With it on PATH, the same commit goes through.
    let out = commit(&sb, "retitled");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(sb.rev("HEAD"), before);
}

#[test]
fn the_hook_an_earlier_version_installed_is_replaced_without_force() {
    let sb = Sandbox::with_repo();
    let hook = sb.root().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let earlier = "#!/bin/sh\n# Installed by `arende hook install`: check the staged records before every commit.\nexec arende validate --staged -q\n";
    std::fs::write(&hook, earlier).unwrap();
    let out = sb.run(&["hook", "install"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let now = std::fs::read_to_string(&hook).unwrap();
    assert!(now.contains("command -v arende"), "{now}");
    // Somebody else's hook is kept.
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let out = sb.run(&["hook", "install"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
}
