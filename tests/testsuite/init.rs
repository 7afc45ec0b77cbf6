//! `arende init`: the identity is checked before anything is made, a failed
//! init leaves nothing of its own behind, and a new repository has an empty
//! standard-change register that loads and validates.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::*;

fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn with_no_identity_init_refuses_and_leaves_no_new_folder() {
    let sb = Sandbox::new();
    let target = sb.root().join("records/new");
    let out = sb
        .cmd()
        .env_remove("ARENDE_AUTHOR")
        .args(["init", "records/new", "--policy", "inera"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--author"), "{}", stderr(&out));
    assert!(!target.exists());
    assert!(!sb.root().join("records").exists());
}

#[test]
fn with_no_identity_an_adopted_folder_keeps_only_what_it_had() {
    let sb = Sandbox::new();
    std::fs::write(sb.root().join("notes.txt"), "mine\n").unwrap();
    let out = sb
        .cmd()
        .env_remove("ARENDE_AUTHOR")
        .args(["init", "--policy", "inera"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(entries(sb.root()), BTreeSet::from(["notes.txt".to_owned()]));
}

both_layouts!(author_flag_stands_in_for_the_git_identity);
/// In the worktree layout `init` adopts a linked worktree of a repository
/// that has a commit of its own, and commits there.
fn author_flag_stands_in_for_the_git_identity(layout: Layout) {
    let sb = Sandbox::empty_in(layout);
    let out = sb
        .cmd()
        .env_remove("ARENDE_AUTHOR")
        .args([
            "--author",
            "Eva Ek <eva@example.se>",
            "init",
            "--policy",
            "inera",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let git = sb.git();
    let commits = git.commits();
    assert_eq!(commits[0].author().email().ok(), Some("eva@example.se"));
}

#[test]
fn a_failure_after_the_git_repository_is_made_removes_it_and_only_it() {
    let sb = Sandbox::new();
    std::fs::write(sb.root().join("notes.txt"), "mine\n").unwrap();
    // A file where init makes its `policy/` folder: the register cannot be written.
    std::fs::write(sb.root().join("policy"), "not a folder\n").unwrap();
    let out = sb.run(&["init", "--policy", "inera"]);
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        entries(sb.root()),
        BTreeSet::from(["notes.txt".to_owned(), "policy".to_owned()])
    );
    assert_eq!(
        std::fs::read_to_string(sb.root().join("policy")).unwrap(),
        "not a folder\n"
    );
}

both_layouts!(a_new_repository_has_an_empty_register_with_a_commented_example);
/// In the worktree layout `init` adopts a linked worktree of a repository
/// that has a commit of its own, and commits there.
fn a_new_repository_has_an_empty_register_with_a_commented_example(layout: Layout) {
    for policy in ["inera", "ehm", "stockholm"] {
        let sb = Sandbox::empty_in(layout);
        sb.ok(&["init", "--policy", policy]);
        let text = std::fs::read_to_string(sb.root().join("policy/standard-changes.yaml")).unwrap();
        assert!(text.contains("#   - id: STD-01"), "{text}");
        assert!(text.contains("agreed_by"), "{text}");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(doc["changes"].as_sequence().map(Vec::len), Some(0));
        assert!(
            sb.git().head_file("policy/standard-changes.yaml").is_some(),
            "the register is in the first commit"
        );
        let out = sb.run(&["validate"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        if policy != "inera" {
            continue;
        }
        // The example is a comment: a standard change cannot name it yet.
        let out = sb.run(&[
            "new",
            "change",
            "--title",
            "Patch",
            "category=standard",
            "standard_ref=STD-01",
        ]);
        assert_eq!(code(&out), 1, "{policy}: {}", stderr(&out));
    }
}
