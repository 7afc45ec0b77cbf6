//! Nothing read or written outside the repository through a symbolic link,
//! and nothing that is not a regular file opened (a FIFO would block).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use tempfile::TempDir;

/// Runs `arende ARGS`, failing the test if it is not done within 10 s.
fn run_bounded(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let child = sb
        .std_cmd_in(sb.root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_at_most(child, Duration::from_secs(10), args)
}

fn wait_at_most(mut child: Child, limit: Duration, args: &[&str]) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("arende {args:?} still running after {limit:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    out
}

/// Moves the repository's `incidents` folder out, and links it back.
fn link_incidents_out(sb: &Sandbox) -> TempDir {
    let outside = TempDir::new().unwrap();
    let incidents = sb.root().join("incidents");
    for item in std::fs::read_dir(&incidents).unwrap() {
        let item = item.unwrap();
        std::fs::rename(item.path(), outside.path().join(item.file_name())).unwrap();
    }
    std::fs::remove_dir(&incidents).unwrap();
    std::os::unix::fs::symlink(outside.path(), &incidents).unwrap();
    outside
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_symlinked_record_folder_is_not_read_through() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes(
        "the record folder is replaced by a link out of the repository, never committed",
    );
    let id = sb.new_incident("Hemlig rubrik utanför", &["impact=low", "urgency=low"]);
    let _outside = link_incidents_out(&sb);

    let out = run_bounded(&sb, &["validate"]);
    let all = stdout(&out) + &stderr(&out);
    assert_ne!(code(&out), 0, "{all}");
    assert!(all.contains("incidents: is a symbolic link"), "{all}");
    assert!(
        !all.contains("Hemlig rubrik"),
        "read through the link:\n{all}"
    );

    let out = run_bounded(&sb, &["list"]);
    let all = stdout(&out) + &stderr(&out);
    assert!(!all.contains(&id), "listed through the link:\n{all}");
    assert!(all.contains("symbolic link"), "{all}");

    let out = run_bounded(&sb, &["show", &id]);
    let all = stdout(&out) + &stderr(&out);
    assert_eq!(code(&out), 2, "{all}");
    assert!(
        !all.contains("Hemlig rubrik"),
        "shown through the link:\n{all}"
    );
}

#[test]
fn a_symlinked_record_folder_is_not_written_through_nor_replaced() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Utanför", &["impact=low", "urgency=low"]);
    let outside = link_incidents_out(&sb);
    sb.hand_commit("incidents is a link now");
    let head = sb.rev("HEAD");
    let before = listing(outside.path());

    let out = run_bounded(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Ny",
            "impact=low",
            "urgency=low",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    let out = run_bounded(&sb, &["set", &id, "urgency=medium"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    assert_eq!(
        listing(outside.path()),
        before,
        "written outside the repository"
    );
    let meta = std::fs::symlink_metadata(sb.root().join("incidents")).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(sb.rev("HEAD"), head);
}

#[test]
fn a_symlinked_record_file_is_neither_read_nor_replaced() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes(
        "the record file is replaced by a link out of the repository, never committed",
    );
    let id = sb.new_incident("Länkad", &["impact=low", "urgency=low"]);
    let outside = TempDir::new().unwrap();
    let target = outside.path().join("target.yaml");
    let path = sb.record_path(&id);
    std::fs::rename(&path, &target).unwrap();
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let target_bytes = std::fs::read(&target).unwrap();

    let out = run_bounded(&sb, &["set", &id, "urgency=medium"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), target_bytes);
}

#[test]
fn a_fifo_named_like_a_record_is_reported_and_never_blocks() {
    let sb = Sandbox::with_repo();
    sb.new_incident("Vanlig", &["impact=low", "urgency=low"]);
    let fifo = sb.root().join("incidents/INC-20261122-F1F0F1.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let inputs = TempDir::new().unwrap();
    let csv = inputs.path().join("in.csv");
    std::fs::write(
        &csv,
        "kind,source.system,source.id,title,opened_at\nincident,tool,T-1,Nere,2026-11-20T10:00:00+01:00\n",
    )
    .unwrap();

    for args in [
        vec!["validate"],
        vec!["list"],
        vec!["show", "INC-20261122-F1F0F1"],
        vec!["import", csv.to_str().unwrap()],
    ] {
        let out = run_bounded(&sb, &args);
        let all = stdout(&out) + &stderr(&out);
        assert_ne!(code(&out), 0, "arende {args:?}:\n{all}");
        assert!(
            all.contains("FIFO"),
            "arende {args:?} did not name the FIFO:\n{all}"
        );
        assert!(
            all.contains("INC-20261122-F1F0F1.yaml"),
            "arende {args:?}:\n{all}"
        );
    }
}

/// The policy folder and its files are read inside the repository only: an
/// override or a standard-change register behind a link (the folder or the
/// file) is refused, never read.
#[test]
fn policy_files_behind_a_link_are_refused() {
    let outside = TempDir::new().unwrap();
    std::fs::create_dir_all(outside.path().join("policy")).unwrap();
    std::fs::write(
        outside.path().join("policy/overrides.yaml"),
        "timezone: UTC\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("policy/standard-changes.yaml"),
        "changes: [{id: STD-1}]\n",
    )
    .unwrap();
    for (link, target) in [
        ("policy", outside.path().join("policy")),
        (
            "policy/overrides.yaml",
            outside.path().join("policy/overrides.yaml"),
        ),
        (
            "policy/standard-changes.yaml",
            outside.path().join("policy/standard-changes.yaml"),
        ),
    ] {
        let sb = Sandbox::with_repo();
        sb.leaves_changes(
            "a policy file or folder is replaced by a link out of the repository, never committed",
        );
        let at = sb.root().join(link);
        if at.is_dir() {
            std::fs::remove_dir_all(&at).unwrap();
        } else if at.exists() {
            std::fs::remove_file(&at).unwrap();
        }
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, &at).unwrap();
        let out = run_bounded(&sb, &["validate"]);
        assert_eq!(code(&out), 2, "{link}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("symbolic link"),
            "{link}: {}",
            stderr(&out)
        );
    }
}
