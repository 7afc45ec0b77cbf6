//! Failures that used to pass as a default value (issue 22): an empty
//! text, a date in 1970, the top of the git work tree. Each is now an
//! error that names what failed, or shown as it is.

use std::path::Path;

use crate::support::*;

/// Commits the working tree with `author` (the bytes after `author ` in
/// the commit object) written as it is: libgit2 and git would tidy it.
fn commit_raw(sb: &Sandbox, author: &[u8], message: &str) {
    let git = sb.git();
    let mut index = git.repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = index.write_tree().unwrap();
    let parent = git.head().unwrap();
    let mut object = format!("tree {tree}\nparent {parent}\nauthor ").into_bytes();
    object.extend_from_slice(author);
    object.extend_from_slice(b"\ncommitter Hand Editor <hand@example.se> 1795336200 +0100\n\n");
    object.extend_from_slice(message.as_bytes());
    let oid = git
        .repo
        .odb()
        .unwrap()
        .write(git2::ObjectType::Commit, &object)
        .unwrap();
    git.repo
        .head()
        .unwrap()
        .resolve()
        .unwrap()
        .set_target(oid, message)
        .unwrap();
}

#[test]
fn a_commit_time_beyond_the_calendar_is_an_error_not_1970() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.edit_record(&id, "title: Journal nere", "title: Journal nere igen");
    // 9e12 s is the year 287 000: git reads it, chrono stops at 262 143.
    commit_raw(
        &sb,
        b"Hand Editor <hand@example.se> 9000000000000 +0000",
        "far ahead",
    );
    let out = sb.run(&["log", &id, "--format", "json"]);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("out of range"), "{err}");
    assert!(err.contains(&sb.git().head().unwrap().to_string()), "{err}");
}

#[test]
fn an_author_name_that_is_not_utf8_is_shown_not_dropped() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.edit_record(&id, "title: Journal nere", "title: Journal nere igen");
    commit_raw(
        &sb,
        b"Bj\xf6rn <bjorn@example.se> 1795336200 +0100",
        "by hand",
    );
    let log: serde_json::Value =
        serde_json::from_str(&sb.ok(&["log", &id, "--format", "json"])).expect("log prints JSON");
    let last = log.as_array().and_then(|steps| steps.last()).unwrap();
    assert_eq!(last["author"], "Bj\u{fffd}rn <bjorn@example.se>", "{log}");
}

#[test]
fn a_record_repository_outside_the_git_work_tree_is_not_its_top() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let other = sb.scratch().join("other");
    std::fs::create_dir(&other).unwrap();
    sb.git_ok_in(&other, &["init", "-q"]);
    let out = sb
        .cmd()
        .env("GIT_DIR", other.join(".git"))
        .env("GIT_WORK_TREE", &other)
        .args(["log", &id])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("not in a git repository"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pre_commit_hook_that_does_not_read_is_an_error_not_a_foreign_hook() {
    let sb = Sandbox::with_repo();
    let hook = sb.root().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(&hook).unwrap();
    let out = sb.run(&["hook", "install"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("pre-commit"), "{err}");
    assert!(!err.contains("is not arende's"), "{err}");
    assert!(Path::new(&hook).is_dir());
}

#[test]
fn a_foreign_hook_that_is_not_utf8_is_still_foreign() {
    let sb = Sandbox::with_repo();
    let hook = sb.root().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, b"#!/bin/sh\n# r\xe4kna\nexit 0\n").unwrap();
    let out = sb.run(&["hook", "install"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("is not arende's"), "{}", stderr(&out));
}

#[test]
fn a_record_json_cannot_hold_is_an_error_not_null() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    // A key that is a list, in a field arende does not know: valid YAML,
    // a valid record, and no JSON object can hold it.
    let path = sb.record_path(&id);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("extra:\n  ? [a, b]\n  : x\n");
    std::fs::write(&path, text).unwrap();
    sb.leaves_changes("the record is edited by hand, to a key JSON cannot hold");
    assert_eq!(code(&sb.run(&["validate", "-q"])), 0);
    for args in [
        &["show", id.as_str(), "--format", "json"][..],
        &["export", "--format", "jsonl"],
        &["export", "--format", "json"],
    ] {
        let out = sb.run(args);
        assert_eq!(code(&out), 3, "{args:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("cannot be written as JSON"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("null"), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn a_lock_timeout_that_is_not_seconds_is_an_error_not_the_default() {
    let sb = Sandbox::with_repo();
    let out = sb
        .cmd()
        .env("ARENDE_LOCK_TIMEOUT", "fem")
        .args(["list"])
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("ARENDE_LOCK_TIMEOUT is `fem`"),
        "{}",
        stderr(&out)
    );
    // Empty is unset, as for git's own variables.
    let out = sb
        .cmd()
        .env("ARENDE_LOCK_TIMEOUT", "")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_validate_report_json_cannot_hold_is_an_error_not_null() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let path = sb.record_path(&id);
    let name = std::ffi::OsStr::from_bytes(b"r\xe4kna.yaml");
    std::fs::copy(&path, path.with_file_name(name)).unwrap();
    sb.leaves_untracked("a record file whose name is not UTF-8");
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("cannot be written as JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_record_file_that_does_not_read_is_an_error_for_a_write_not_a_new_header() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let path = sb.record_path(&id);
    let mut bytes = b"# r\xe4kna\n".to_vec();
    bytes.extend(std::fs::read(&path).unwrap());
    std::fs::write(&path, &bytes).unwrap();
    sb.leaves_changes("the record's comment is made not UTF-8 by hand");
    let store = arende::store::Store::open(sb.root()).unwrap();
    let mut tx = store.begin().unwrap();
    let id = arende::id::RecordId::parse(&id).unwrap();
    let rel = rel_path(id.as_str());
    let err = tx
        .write(&id, Path::new(&rel), &serde_yaml::Mapping::new(), "")
        .expect_err("the file does not read as text");
    assert!(matches!(err, arende::error::Error::Io { .. }), "{err}");
    assert!(err.to_string().starts_with(&rel), "{err}");
    assert!(tx.is_empty(), "nothing is staged");
    drop(tx);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}
