//! Git as the record of truth, judged by git itself: arende's commits beside
//! git's own writers, in the states git can be in, with records moved by
//! hand and crash journals that do not belong. Every test ends with real
//! git's `fsck --strict` and `status` (the sandbox checks them when it is
//! dropped).

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::*;

/// Record files HEAD holds (any depth), by path.
fn head_paths(sb: &Sandbox) -> Vec<String> {
    sb.git_ok(&["ls-tree", "-r", "--name-only", "HEAD"])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `n` valid-looking incident files in `incidents/2026/11/`, committed by git.
fn fill(sb: &Sandbox, n: usize) {
    let dir = sb.root().join("incidents/2026/11");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        let id = format!("INC-20261101-F{i:05}");
        std::fs::write(
            dir.join(format!("{id}.yaml")),
            format!("id: {id}\nkind: incident\ntitle: Fill {i}\nstatus: new\n"),
        )
        .unwrap();
    }
    sb.hand_commit("fill");
}

/// A command as the sandbox would run it, to be run again from another
/// thread (the sandbox itself stays on the test's thread).
#[derive(Clone)]
struct Recipe {
    program: std::ffi::OsString,
    dir: std::path::PathBuf,
    env: Vec<(std::ffi::OsString, Option<std::ffi::OsString>)>,
}

impl Recipe {
    fn of(cmd: &std::process::Command) -> Recipe {
        Recipe {
            program: cmd.get_program().to_owned(),
            dir: cmd.get_current_dir().expect("a folder").to_owned(),
            env: cmd
                .get_envs()
                .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
                .collect(),
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = std::process::Command::new(&self.program);
        cmd.current_dir(&self.dir).args(args).stdin(Stdio::null());
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.output().expect("runs")
    }
}

#[test]
fn every_record_reported_filed_is_in_head_beside_git_commit_add_and_gc() {
    let sb = Sandbox::with_repo();
    sb.leaves_dangling_commits(
        "git's own commits that lost the race to move the branch, and arende's made again on a newer tip",
    );
    fill(&sb, 5000);
    let git = Recipe::of(&sb.git_cli());
    let mut arende = Recipe::of(&sb.std_cmd_in(sb.root()));
    arende
        .env
        .push(("ARENDE_LOCK_TIMEOUT".into(), Some("20".into())));
    let stop = Arc::new(AtomicBool::new(false));
    let filed = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut git_loops = Vec::new();
    // git's own writers, each in a loop until the arende loops are done:
    // empty commits, a person adding and committing files, and gc.
    for n in 0..3 {
        let (git, stop) = (git.clone(), Arc::clone(&stop));
        git_loops.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                match n {
                    0 => {
                        git.run(&[
                            "commit",
                            "-q",
                            "--no-verify",
                            "--allow-empty",
                            "-m",
                            "empty",
                        ]);
                    }
                    1 => {
                        let notes = git.dir.join("notes");
                        std::fs::create_dir_all(&notes).unwrap();
                        std::fs::write(notes.join(format!("n{i}.txt")), format!("{i}\n")).unwrap();
                        git.run(&["add", "notes"]);
                        git.run(&["commit", "-q", "--no-verify", "-m", "note"]);
                    }
                    _ => {
                        let gc = ["-c", "gc.auto=20", "-c", "gc.autoDetach=false"];
                        git.run(&[&gc[..], &["gc", "--auto", "-q"]].concat());
                    }
                }
                i += 1;
            }
        }));
    }
    let new = [
        "new",
        "incident",
        "--title",
        "Samtidigt",
        "impact=low",
        "urgency=low",
    ];
    let mut arende_loops = Vec::new();
    for _ in 0..3 {
        let (arende, filed) = (arende.clone(), Arc::clone(&filed));
        arende_loops.push(std::thread::spawn(move || {
            for _ in 0..30 {
                let out = arende.run(&new);
                assert_no_panic(&out);
                if code(&out) == 0 {
                    filed.lock().unwrap().push(stdout(&out).trim().to_owned());
                } else {
                    // A lock held too long is a refusal, never a loss.
                    assert_eq!(code(&out), 3, "{}", stderr(&out));
                }
            }
        }));
    }
    for t in arende_loops {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for t in git_loops {
        t.join().unwrap();
    }
    // A `git commit` that read the index before an arende commit and wrote
    // it back after drops that commit's file (git's own writers lose files
    // to each other so); arende's next commit puts every such file back.
    let out = sb.run(&new);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    filed.lock().unwrap().push(stdout(&out).trim().to_owned());
    sb.git_ok(&["add", "notes"]);
    // (Nothing to commit if the loop's last round committed them all.)
    sb.git_run(&["commit", "-q", "--no-verify", "-m", "last notes"]);
    let filed = filed.lock().unwrap().clone();
    assert!(filed.len() >= 60, "only {} of 91 filed", filed.len());
    let paths = head_paths(&sb);
    let missing: Vec<&String> = filed
        .iter()
        .filter(|id| !paths.contains(&rel_path(id)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} records reported filed are not in HEAD: {missing:?}",
        missing.len(),
        filed.len()
    );
}

#[test]
fn after_arende_commits_git_commit_has_no_reason_to_write_the_index_back() {
    let sb = Sandbox::with_repo();
    fill(&sb, 300);
    sb.new_incident("Först", &["impact=low", "urgency=low"]);
    let index = sb.root().join(".git/index");
    let before = std::fs::read(&index).unwrap();
    // As-is commit: git writes the index only if something in it (a
    // cached tree, a stat) had to change.
    sb.git_ok(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "x"]);
    assert!(
        std::fs::read(&index).unwrap() == before,
        "git commit rewrote the index arende left"
    );
    // And git's own tree of the index is the commit's.
    let tree = sb.git_ok(&["write-tree"]);
    assert_eq!(tree.trim(), sb.rev("HEAD^{tree}"));
}

#[test]
fn what_a_person_staged_stays_staged_and_out_of_the_commit() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the person's staged file stays staged, which is the point");
    std::fs::write(sb.root().join("notes.txt"), "staged, not committed\n").unwrap();
    sb.git_ok(&["add", "notes.txt"]);
    let id = sb.new_incident("Först", &["impact=low", "urgency=low"]);
    let paths = head_paths(&sb);
    assert!(paths.contains(&rel_path(&id)));
    assert!(!paths.contains(&"notes.txt".to_owned()));
    assert_eq!(sb.git_ok(&["status", "--porcelain"]), "A  notes.txt\n");
}

#[test]
fn a_rebase_in_progress_is_refused_and_nothing_is_lost() {
    let sb = Sandbox::with_repo();
    sb.new_incident("Ett", &["impact=low", "urgency=low"]);
    sb.new_incident("Två", &["impact=low", "urgency=low"]);
    let before = sb.rev("HEAD");
    let out = sb
        .git_cli()
        .env("GIT_SEQUENCE_EDITOR", "sed -i -e 's/^pick/edit/'")
        .args(["rebase", "-q", "-i", "HEAD~1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Under rebase",
        "impact=low",
        "urgency=low",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("rebase is in progress"), "{err}");
    assert!(err.contains("git rebase --abort"), "{err}");
    sb.git_ok(&["rebase", "--abort"]);
    assert_eq!(sb.rev("HEAD"), before);
}

#[test]
fn a_merge_in_progress_and_a_detached_head_are_refused() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Ett", &["impact=low", "urgency=low"]);
    sb.git_ok(&["checkout", "-q", "--detach"]);
    let out = sb.run(&["set", &id, "urgency=medium"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HEAD is detached"),
        "{}",
        stderr(&out)
    );
    sb.git_ok(&["checkout", "-q", "-"]);
    // A merge stopped for its message (--no-commit) is in progress.
    sb.branch("side");
    sb.new_incident("På sidan", &["impact=low", "urgency=low"]);
    sb.git_ok(&["checkout", "-q", "-"]);
    sb.new_incident("På main", &["impact=low", "urgency=low"]);
    sb.git_ok(&["merge", "-q", "--no-commit", "--no-ff", "side"]);
    let out = sb.run(&["set", &id, "urgency=medium"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a merge is in progress"),
        "{}",
        stderr(&out)
    );
    sb.git_ok(&["merge", "--abort"]);
}

#[test]
fn a_branch_that_is_a_symbolic_ref_is_followed() {
    let sb = Sandbox::with_repo();
    let branch = sb.git_ok(&["symbolic-ref", "HEAD"]).trim().to_owned();
    sb.git_ok(&["symbolic-ref", "refs/heads/alias", &branch]);
    sb.git_ok(&["symbolic-ref", "HEAD", "refs/heads/alias"]);
    let before = sb.rev(&branch);
    let id = sb.new_incident("Via alias", &["impact=low", "urgency=low"]);
    assert_ne!(sb.rev(&branch), before, "the branch the alias names moved");
    assert_eq!(sb.rev(&format!("{branch}~1")), before);
    assert!(head_paths(&sb).contains(&rel_path(&id)));
}

/// Loose objects and packs in the object store, to see that a refusal
/// wrote none.
fn objects(sb: &Sandbox) -> usize {
    walkdir(&sb.root().join(".git/objects"))
}

fn walkdir(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|items| {
            items
                .flatten()
                .map(|i| {
                    if i.file_type().unwrap().is_dir() {
                        walkdir(&i.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_split_or_sparse_index_is_refused_before_anything_is_written() {
    for (turn_on, word, fix) in [
        (
            &["update-index", "--split-index"][..],
            "split",
            "--no-split-index",
        ),
        (
            &[
                "sparse-checkout",
                "set",
                "--cone",
                "--sparse-index",
                "incidents",
            ][..],
            "sparse",
            "--no-sparse-index",
        ),
    ] {
        let sb = Sandbox::with_repo();
        let id = sb.new_incident("Ett", &["impact=low", "urgency=low"]);
        if word == "split" {
            sb.git_ok(&["config", "core.splitIndex", "true"]);
        }
        sb.git_ok(turn_on);
        let head = sb.rev("HEAD");
        let index = std::fs::read(sb.root().join(".git/index")).unwrap();
        let count = objects(&sb);
        let out = sb.run(&["set", &id, "urgency=medium"]);
        assert_eq!(code(&out), 3, "{word}: {}", stderr(&out));
        assert!(stderr(&out).contains(word), "{}", stderr(&out));
        assert!(stderr(&out).contains(fix), "{}", stderr(&out));
        assert_eq!(sb.rev("HEAD"), head);
        assert_eq!(std::fs::read(sb.root().join(".git/index")).unwrap(), index);
        assert_eq!(objects(&sb), count, "{word}: objects were written");
        assert!(!sb.root().join(".git/index.lock").exists());
        if word == "sparse" {
            sb.git_ok(&["sparse-checkout", "disable"]);
        } else {
            sb.git_ok(&["update-index", "--no-split-index"]);
        }
    }
}

#[test]
fn a_record_moved_by_hand_is_moved_home_in_the_commit_that_rewrites_it() {
    for staged in [false, true] {
        let sb = Sandbox::with_repo();
        let id = sb.new_incident("Flyttad", &["impact=low", "urgency=low"]);
        let home = rel_path(&id);
        let away = format!("incidents/arkiv/{id}.yaml");
        std::fs::create_dir_all(sb.root().join("incidents/arkiv")).unwrap();
        if staged {
            sb.git_ok(&["mv", &home, &away]);
        } else {
            std::fs::rename(sb.root().join(&home), sb.root().join(&away)).unwrap();
        }
        sb.ok(&["set", &id, "urgency=medium"]);
        let paths = head_paths(&sb);
        let copies: Vec<&String> = paths.iter().filter(|p| p.contains(&id)).collect();
        assert_eq!(copies, vec![&home], "staged: {staged}");
        assert!(!sb.root().join(&away).exists());
        // A fresh clone holds one record, valid.
        let clone = tempfile::TempDir::new().unwrap();
        let out = std::process::Command::new("git")
            .args(["clone", "-q"])
            .arg(sb.root())
            .arg(clone.path().join("c"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let out = sb
            .cmd_in(&clone.path().join("c"))
            .args(["validate"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    }
}

#[test]
fn a_record_in_two_files_is_refused_with_the_fix() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Två kopior", &["impact=low", "urgency=low"]);
    let home = rel_path(&id);
    let flat = format!("incidents/{id}.yaml");
    std::fs::copy(sb.root().join(&home), sb.root().join(&flat)).unwrap();
    sb.hand_commit("a copy by hand");
    let out = sb.run(&["set", &id, "urgency=medium"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("git rm"), "{}", stderr(&out));
}

#[test]
fn a_journal_naming_a_commit_off_the_branch_is_not_acted_on() {
    let sb = Sandbox::with_repo();
    for i in 0..5 {
        sb.new_incident(&format!("Nr {i}"), &["impact=low", "urgency=low"]);
    }
    let tip = sb.rev("HEAD");
    let old = sb.rev("HEAD~4");
    let parent = sb.rev("HEAD~5");
    // A journal a person (or a hostile clone's hook) wrote: "finish" the
    // commit five back, as if the branch had been at its parent.
    let branch = sb.git_ok(&["symbolic-ref", "HEAD"]).trim().to_owned();
    std::fs::write(
        sb.root().join(".git/arende-journal"),
        format!("arende journal 1\ncommit {old}\nref {branch}\nold {parent}\npath arende.yaml\n"),
    )
    .unwrap();
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Efter",
        "impact=low",
        "urgency=low",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not be finished"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.rev("HEAD~1"), tip, "the branch was moved by a journal");
    // One naming files outside the record repository is refused outright.
    std::fs::write(
        sb.root().join(".git/arende-journal"),
        format!("arende journal 2\ncommit {old}\nref {branch}\nold {tip}\npath ../../etc/passwd\n"),
    )
    .unwrap();
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Igen",
        "impact=low",
        "urgency=low",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("not acted on"), "{}", stderr(&out));
}

#[test]
fn two_record_repositories_in_one_git_repository_keep_their_own_journal() {
    let sb = Sandbox::new();
    sb.leaves_dangling_commits(
        "the import killed in A may have made its commit before its journal",
    );
    sb.git_ok(&["init", "-q"]);
    for dir in ["A", "B"] {
        let out = sb.run(&["init", "--policy", "inera", dir]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let a = sb.root().join("A");
    let b = sb.root().join("B");
    // A crash in A: an import killed once its files appear.
    let csv = sb.root().join("many.csv");
    let mut text = "kind,source.system,source.id,title,opened_at,impact,urgency\n".to_owned();
    for i in 0..1500 {
        text.push_str(&format!(
            "incident,tool,T-{i},Fel {i},2026-11-20T10:00:00+01:00,low,low\n"
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let mut child = sb
        .std_cmd_in(&a)
        .args(["import", csv.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if yaml_files_under(&a.join("incidents")).len() > 10 || child.try_wait().unwrap().is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    // B's command leaves A's journal alone (git's index lock the killed
    // process left is git's, shared by both, and B may clear it).
    let journals = || {
        std::fs::read_dir(sb.root().join(".git"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("arende-journal")
            })
            .count()
    };
    assert_eq!(journals(), 1, "the killed import left its journal");
    let out = sb
        .cmd_in(&b)
        .args([
            "new",
            "incident",
            "--title",
            "I B",
            "impact=low",
            "urgency=low",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("is now finished"),
        "{}",
        stderr(&out)
    );
    assert_eq!(journals(), 1, "B's command took A's journal");
    // A's next command commits every record of the killed import.
    let out = sb
        .cmd_in(&a)
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let in_a = head_paths(&sb)
        .iter()
        .filter(|p| p.starts_with("A/incidents/") && p.ends_with(".yaml"))
        .count();
    assert_eq!(in_a, 1500);
    std::fs::remove_file(&csv).unwrap();
}
