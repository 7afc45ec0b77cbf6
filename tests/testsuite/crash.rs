//! Nothing lost after a crash: commands killed with SIGKILL at random
//! moments, stale git lock files, a lock held by another process, and
//! imports re-run after a kill.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A plain CSV of `n` incidents, each keyed by its `source.id`.
fn csv(n: usize) -> String {
    let mut out = "kind,source.system,source.id,title,opened_at,impact,urgency\n".to_owned();
    for i in 0..n {
        out.push_str(&format!(
            "incident,tool,T-{i},Fel nummer {i},2026-11-20T10:00:00+01:00,low,low\n"
        ));
    }
    out
}

/// Paths `git status` lists (untracked too), relative to the root.
fn dirty(sb: &Sandbox) -> Vec<String> {
    let out = sb.git_ok(&["status", "--porcelain", "--untracked-files=all"]);
    out.lines().map(str::to_owned).collect()
}

/// Every file under `dir` whose name is a temporary file of arende's.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(items) = std::fs::read_dir(dir) else {
        return out;
    };
    for item in items.flatten() {
        let path = item.path();
        let name = item.file_name().to_string_lossy().into_owned();
        if item.file_type().unwrap().is_dir() {
            out.extend(temp_files(&path));
        } else if name.starts_with(".arende-") && name.ends_with(".tmp") {
            out.push(path);
        }
    }
    out
}

/// Record files in HEAD's tree.
fn head_records(sb: &Sandbox) -> usize {
    sb.git_ok(&["ls-tree", "-r", "--name-only", "HEAD", "incidents"])
        .lines()
        .filter(|l| l.ends_with(".yaml"))
        .count()
}

/// The child's output, or a failed test if it runs longer than `limit`.
fn wait_at_most(mut child: Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            kill(child);
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    out
}

fn kill(mut child: Child) {
    // SIGKILL: no destructor, no cleanup, as a crash or the OOM killer.
    let _ = child.kill();
    let _ = child.wait();
}

/// A `description` value of the record as HEAD's commit `rev` has it.
fn description_at(sb: &Sandbox, rev: &str, id: &str) -> Option<String> {
    let out = sb.git_run(&["show", &format!("{rev}:{}", rel_path(id))]);
    let doc: serde_yaml::Mapping = serde_yaml::from_slice(&out.stdout).ok()?;
    doc.get("description")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Runs the next command after a kill. A kill inside libgit2 can leave its
/// lock file; the next command must then say so (exit 3, the file, how to
/// clear it), and work once it is cleared.
fn next_command(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let out = sb.run(args);
    if code(&out) == 3 && stderr(&out).contains(".lock") {
        let err = stderr(&out);
        assert!(err.contains("delete"), "no way out named:\n{err}");
        for lock in ["index.lock", "refs/heads/main.lock"] {
            let _ = std::fs::remove_file(sb.git_path(lock));
        }
        return sb.run(args);
    }
    out
}

both_layouts!(set_and_new_killed_at_random_moments_leave_nothing_the_next_command_does_not_finish);
fn set_and_new_killed_at_random_moments_leave_nothing_the_next_command_does_not_finish(
    layout: Layout,
) {
    let sb = Sandbox::with_repo_in(layout);
    sb.leaves_dangling_commits(
        "a command killed after writing its commit and before its journal leaves that commit \
         unreferenced, as a killed `git commit` does; the next command rightly ignores it",
    );
    let id = sb.journal_incident();
    // Kill at moments spread over the later part of a command's run, where
    // it writes: how long a run takes here is measured first.
    let start = Instant::now();
    sb.ok(&["set", &id, "description=mätning"]);
    let run_time = start.elapsed().as_micros() as u64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut finished = 0;
    for round in 0..24 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(run_time / 3 + seed % (run_time * 3 / 4).max(1));
        let killed_value = format!("killed {round}");
        let mut cmd = sb.std_cmd_in(sb.root());
        if round % 3 == 0 {
            cmd.args([
                "new",
                "incident",
                "--title",
                &killed_value,
                "impact=low",
                "urgency=low",
            ]);
        } else {
            cmd.args(["set", &id, &format!("description={killed_value}")]);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        kill(child);

        let urgency = if round % 2 == 0 { "low" } else { "medium" };
        let out = next_command(&sb, &["set", &id, &format!("urgency={urgency}")]);
        let err = stderr(&out);
        assert_eq!(code(&out), 0, "round {round}: the next set failed:\n{err}");
        if err.contains("is now finished") {
            finished += 1;
        }

        // Nothing is left behind, and the working tree is what HEAD has.
        assert_eq!(
            temp_files(sb.root()),
            Vec::<PathBuf>::new(),
            "round {round}"
        );
        assert!(!sb.git_path("arende-journal").exists(), "round {round}");
        assert_eq!(dirty(&sb), Vec::<String>::new(), "round {round}: {err}");
        // The next command's commit holds its own change only: the killed
        // command's description is either committed under its own message
        // before it, or nowhere.
        let head = sb.git_ok(&["log", "-1", "--format=%s"]);
        assert!(head.contains(": set urgency"), "round {round}: {head}");
        assert_eq!(
            description_at(&sb, "HEAD", &id),
            description_at(&sb, "HEAD~1", &id),
            "round {round}: the next set committed the killed command's change:\n{err}"
        );
        if description_at(&sb, "HEAD", &id).as_deref() == Some(killed_value.as_str()) {
            let killed_commit = sb.git_ok(&["log", "-1", "--format=%s", "HEAD~1"]);
            assert!(killed_commit.contains("set description"), "{killed_commit}");
        }
        let v = sb.run(&["validate"]);
        assert_eq!(code(&v), 0, "round {round}: {}", stderr(&v));
    }
    // Not a condition of correctness, but the loop is there to hit the window.
    eprintln!("{finished} of 24 killed commands were finished by the next one");
}

both_layouts!(a_commit_made_but_not_on_head_is_finished_by_the_next_command_under_its_own_message);
fn a_commit_made_but_not_on_head_is_finished_by_the_next_command_under_its_own_message(
    layout: Layout,
) {
    // The state a kill leaves between writing the files and moving HEAD,
    // made reliably: a big import is killed once its files appear.
    let sb = Sandbox::with_repo_in(layout);
    let inputs = tempfile::TempDir::new().unwrap();
    let file = inputs.path().join("many.csv");
    std::fs::write(&file, csv(1500)).unwrap();
    let base = sb.rev("HEAD");

    let mut child = sb
        .std_cmd_in(sb.root())
        .args(["import", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let incidents = sb.root().join("incidents");
    let start = Instant::now();
    let mut files_seen = 0;
    while start.elapsed() < Duration::from_secs(120) {
        files_seen = yaml_files_under(&incidents).len();
        if files_seen > 10 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let exited_by_itself = child.try_wait().unwrap().is_some();
    kill(child);
    assert!(
        !exited_by_itself,
        "the import ended before it could be killed"
    );
    assert!(files_seen > 10, "no files appeared");
    assert_eq!(sb.rev("HEAD"), base, "killed before HEAD moved");

    // Re-run: every record the import owns ends in HEAD, nothing uncommitted.
    let out = sb.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(dirty(&sb), Vec::<String>::new(), "{}", stderr(&out));
    assert_eq!(head_records(&sb), 1500);
    assert_eq!(temp_files(sb.root()), Vec::<PathBuf>::new());
    let subjects = sb.git_ok(&["log", "--format=%s", &format!("{base}..HEAD")]);
    assert!(
        subjects.lines().all(|s| s.starts_with("import: ")),
        "{subjects}"
    );
    // And a third run changes nothing.
    let again = sb.ok(&["import", file.to_str().unwrap()]);
    assert!(again.contains("unchanged 1500"), "{again}");
    assert!(again.contains("commit: none"), "{again}");
}

both_layouts!(an_import_after_a_no_commit_import_commits_every_record_it_owns);
fn an_import_after_a_no_commit_import_commits_every_record_it_owns(layout: Layout) {
    // "Unchanged" is judged against HEAD, not the working tree: the files
    // are there, as the import would write them, but not committed.
    let sb = Sandbox::with_repo_in(layout);
    let inputs = tempfile::TempDir::new().unwrap();
    let file = inputs.path().join("some.csv");
    std::fs::write(&file, csv(40)).unwrap();
    let out = sb.run(&["import", "--no-commit", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(head_records(&sb), 0);
    let out = sb.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("created 40"), "{out}");
    assert_eq!(head_records(&sb), 40);
    assert_eq!(dirty(&sb), Vec::<String>::new());
}

both_layouts!(a_stale_branch_lock_gets_exit_3_naming_the_file_and_how_to_clear_it);
fn a_stale_branch_lock_gets_exit_3_naming_the_file_and_how_to_clear_it(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    let before = Snapshot::take(&sb, &id);
    for lock in ["refs/heads/main.lock", "index.lock"] {
        let path = sb.git_path(lock);
        std::fs::write(&path, "").unwrap();
        let out = sb.run(&["set", &id, "impact=low"]);
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{err}");
        assert!(err.contains(lock), "{err}");
        assert!(err.contains("delete"), "{err}");
        assert!(!err.contains("moved while"), "{err}");
        assert_eq!(Snapshot::take(&sb, &id), before);
        std::fs::remove_file(&path).unwrap();
    }
    sb.ok(&["set", &id, "impact=low"]);
}

#[test]
fn a_held_lock_is_waited_on_then_exit_3_within_15_seconds() {
    let sb = Sandbox::with_repo();
    let lock = File::open(sb.root().join("arende.yaml")).unwrap();
    lock.lock().unwrap();
    let start = Instant::now();
    let child = sb
        .std_cmd_in(sb.root())
        .args([
            "new",
            "incident",
            "--title",
            "Väntar",
            "impact=low",
            "urgency=low",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(15));
    let took = start.elapsed();
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(took >= Duration::from_secs(1), "did not wait: {took:?}");
    assert!(err.contains("waiting"), "{err}");
    assert!(err.contains("arende.yaml"), "{err}");
    drop(lock);
    assert_eq!(sb.git().commit_count(), 1, "nothing committed");
}

#[test]
fn a_lock_let_go_during_the_wait_lets_the_command_through() {
    let sb = Sandbox::with_repo();
    let lock = File::open(sb.root().join("arende.yaml")).unwrap();
    lock.lock().unwrap();
    let child = sb
        .std_cmd_in(sb.root())
        .args([
            "new",
            "incident",
            "--title",
            "Väntar",
            "impact=low",
            "urgency=low",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(is_incident_id(stdout(&out).trim()), "{}", stdout(&out));
    assert!(stderr(&out).contains("waiting"), "{}", stderr(&out));
}

both_layouts!(a_set_over_a_no_commit_change_says_it_commits_that_change_too);
fn a_set_over_a_no_commit_change_says_it_commits_that_change_too(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    sb.ok(&["--no-commit", "set", &id, "description=ändrad utan commit"]);
    let out = sb.run(&["set", &id, "urgency=low"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{} had changes that were not committed",
            rel_path(&id)
        )),
        "{err}"
    );
    assert_eq!(dirty(&sb), Vec::<String>::new());
    // A record as HEAD has it is rewritten without a word.
    let out = sb.run(&["set", &id, "urgency=medium"]);
    assert!(!stderr(&out).contains("not committed"), "{}", stderr(&out));
}
