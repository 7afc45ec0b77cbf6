//! Helpers for the CLI tests: a hermetic environment for the real `arende`
//! binary, and read-only looks at the git state it leaves behind.

#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use git2::{Oid, Repository, Signature};
use tempfile::TempDir;

/// The author every command runs as.
pub const AUTHOR_NAME: &str = "Anna Berg";
pub const AUTHOR_EMAIL: &str = "anna@example.se";
pub const AUTHOR: &str = "Anna Berg <anna@example.se>";
/// The clock every command runs at.
pub const NOW: &str = "2026-11-22T09:30:00+01:00";
/// `NOW` as seconds since the epoch (08:30 UTC).
pub const NOW_EPOCH: i64 = 1_795_336_200;

/// Variables that would make a test depend on the machine it runs on.
const REMOVED_VARS: &[&str] = &[
    "ARENDE_DIR",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "EDITOR",
    "VISUAL",
];

/// A sandbox: its own HOME and XDG config, and a work folder.
pub struct Sandbox {
    home: TempDir,
    xdg: TempDir,
    /// Where the record repository lives (or anything else a test makes).
    pub work: TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            home: TempDir::new().unwrap(),
            xdg: TempDir::new().unwrap(),
            work: TempDir::new().unwrap(),
        }
    }

    /// A sandbox holding an `arende init --policy inera` repository.
    pub fn with_repo() -> Sandbox {
        let sb = Sandbox::new();
        let out = sb.run(&["init", "--policy", "inera"]);
        assert_eq!(code(&out), 0, "init failed: {}", stderr(&out));
        sb
    }

    /// The record repository's root.
    pub fn root(&self) -> &Path {
        self.work.path()
    }

    /// The binary, with a pinned environment, run in the repository root.
    pub fn cmd(&self) -> Command {
        self.cmd_in(self.root())
    }

    /// The binary, with a pinned environment, run in `dir`.
    pub fn cmd_in(&self, dir: &Path) -> Command {
        let mut cmd = Command::cargo_bin("arende").unwrap();
        cmd.current_dir(dir);
        for var in REMOVED_VARS {
            cmd.env_remove(var);
        }
        cmd.envs(self.pinned_env());
        cmd
    }

    /// The same as a plain `std::process::Command`, for spawning several at once.
    pub fn std_cmd_in(&self, dir: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("arende"));
        cmd.current_dir(dir);
        for var in REMOVED_VARS {
            cmd.env_remove(var);
        }
        cmd.envs(self.pinned_env())
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// HOME and XDG config in the sandbox, no system git config, and a
    /// pinned author and clock.
    fn pinned_env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("HOME", self.home.path().into()),
            ("XDG_CONFIG_HOME", self.xdg.path().into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            (
                "GIT_CONFIG_GLOBAL",
                self.home.path().join(".gitconfig").into(),
            ),
            ("ARENDE_AUTHOR", AUTHOR.into()),
            ("ARENDE_NOW", NOW.into()),
            ("NO_COLOR", "1".into()),
        ]
    }

    /// Runs `arende ARGS` in the repository root and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().unwrap();
        assert_no_panic(&out);
        out
    }

    /// Runs `arende ARGS`, expects exit 0, and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(code(&out), 0, "arende {args:?} failed:\n{}", stderr(&out));
        stdout(&out)
    }

    /// Files an incident and returns its ID.
    pub fn new_incident(&self, title: &str, fields: &[&str]) -> String {
        let mut args = vec!["new", "incident", "--title", title];
        args.extend_from_slice(fields);
        self.ok(&args).trim().to_owned()
    }

    /// The usual incident of these tests: Inera, kund report, high × medium.
    pub fn journal_incident(&self) -> String {
        self.new_incident(
            "Journal nere",
            &[
                "impact=high",
                "urgency=medium",
                "reporter.party=kund",
                "tickets.kund=4711",
                "reported_via=phone",
            ],
        )
    }

    /// Path of a record file: where it is (its month's folder, or flat in
    /// its kind's folder), or where a new one is filed.
    pub fn record_path(&self, id: &str) -> PathBuf {
        let home = self.root().join(rel_path(id));
        let flat = self.root().join(kind_dir(id)).join(format!("{id}.yaml"));
        if !home.exists() && flat.exists() {
            flat
        } else {
            home
        }
    }

    /// A record file's bytes.
    pub fn record_bytes(&self, id: &str) -> Vec<u8> {
        std::fs::read(self.record_path(id)).unwrap()
    }

    /// A record file, parsed.
    pub fn record(&self, id: &str) -> serde_yaml::Mapping {
        serde_yaml::from_slice(&self.record_bytes(id)).unwrap()
    }

    pub fn git(&self) -> Git {
        Git::open(self.root())
    }
}

/// Read-only looks at a git repository (and one way to commit a hand edit).
pub struct Git {
    pub repo: Repository,
}

impl Git {
    pub fn open(path: &Path) -> Git {
        Git {
            repo: Repository::open(path).unwrap(),
        }
    }

    /// The commit HEAD points at, if any.
    pub fn head(&self) -> Option<Oid> {
        self.repo.head().ok().and_then(|h| h.target())
    }

    /// How many commits HEAD reaches.
    pub fn commit_count(&self) -> usize {
        if self.head().is_none() {
            return 0;
        }
        let mut walk = self.repo.revwalk().unwrap();
        walk.push_head().unwrap();
        walk.count()
    }

    /// The commits HEAD reaches, newest first.
    pub fn commits(&self) -> Vec<git2::Commit<'_>> {
        let mut walk = self.repo.revwalk().unwrap();
        walk.set_sorting(git2::Sort::TOPOLOGICAL).unwrap();
        walk.push_head().unwrap();
        walk.map(|oid| self.repo.find_commit(oid.unwrap()).unwrap())
            .collect()
    }

    /// The index file's bytes (so "unchanged" means byte for byte).
    pub fn index_bytes(&self) -> Vec<u8> {
        std::fs::read(self.repo.path().join("index")).unwrap_or_default()
    }

    /// The index's entries as (path, blob id).
    pub fn index_entries(&self) -> Vec<(String, Oid)> {
        let index = self.repo.index().unwrap();
        index
            .iter()
            .map(|e| (String::from_utf8_lossy(&e.path).into_owned(), e.id))
            .collect()
    }

    /// The bytes of `rel` in HEAD's tree, if it is there.
    pub fn head_file(&self, rel: &str) -> Option<Vec<u8>> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        let entry = tree.get_path(Path::new(rel)).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        Some(blob.content().to_vec())
    }

    /// Stages every file and commits it as a person would by hand.
    pub fn commit_all(&self, message: &str) -> Oid {
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::new(
            "Hand Editor",
            "hand@example.se",
            &git2::Time::new(NOW_EPOCH, 60),
        )
        .unwrap();
        let parents: Vec<git2::Commit<'_>> = self
            .head()
            .map(|h| self.repo.find_commit(h).unwrap())
            .into_iter()
            .collect();
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
            .unwrap()
    }
}

/// Everything a test compares to prove a command changed nothing.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub head: Option<Oid>,
    pub commits: usize,
    pub index: Vec<u8>,
    pub file: Vec<u8>,
}

impl Snapshot {
    pub fn take(sb: &Sandbox, id: &str) -> Snapshot {
        let git = sb.git();
        Snapshot {
            head: git.head(),
            commits: git.commit_count(),
            index: git.index_bytes(),
            file: sb.record_bytes(id),
        }
    }
}

/// The folder of a record kind, from the ID's prefix.
pub fn kind_dir(id: &str) -> &'static str {
    match id.split('-').next().unwrap() {
        "INC" => "incidents",
        "PRB" => "problems",
        "CHG" => "changes",
        "REL" => "releases",
        "SR" => "requests",
        "CI" => "configuration",
        "CAP" => "capacity",
        other => panic!("unknown prefix {other}"),
    }
}

/// Where arende files a record with this ID, relative to the repository
/// root, with `/` between folders (as git names paths):
/// `incidents/2026/11/INC-20261122-K7QF2M.yaml`, or flat in the kind's
/// folder for an ID with no date in it.
pub fn rel_path(id: &str) -> String {
    let dir = kind_dir(id);
    let date = id
        .split('-')
        .nth(1)
        .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()));
    match date {
        Some(d) => format!("{dir}/{}/{}/{id}.yaml", &d[..4], &d[4..6]),
        None => format!("{dir}/{id}.yaml"),
    }
}

/// Every `.yaml` file under `dir` at any depth (a kind's folder holds
/// month folders), sorted; none if `dir` is not there.
pub fn yaml_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(items) = std::fs::read_dir(dir) else {
        return out;
    };
    for item in items.flatten() {
        let path = item.path();
        if item.file_type().unwrap().is_dir() {
            out.extend(yaml_files_under(&path));
        } else if path.extension().is_some_and(|x| x == "yaml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("killed by a signal")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// No command may panic, whatever it is given.
pub fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "arende panicked:\n{err}");
    assert_ne!(
        out.status.code(),
        Some(101),
        "exit 101 is a Rust panic:\n{err}"
    );
}

/// Whether `s` is an incident ID as `new` makes them.
pub fn is_incident_id(s: &str) -> bool {
    use predicates::prelude::*;
    predicates::str::is_match(r"^INC-\d{8}-[0-9A-Z]{6}$")
        .unwrap()
        .eval(s)
}

/// A top-level string field of a parsed record.
pub fn field<'a>(doc: &'a serde_yaml::Mapping, key: &str) -> &'a serde_yaml::Value {
    doc.get(key)
        .unwrap_or_else(|| panic!("no `{key}` in {doc:?}"))
}

/// The `history` list of a parsed record.
pub fn history(doc: &serde_yaml::Mapping) -> Vec<serde_yaml::Mapping> {
    field(doc, "history")
        .as_sequence()
        .expect("history is a list")
        .iter()
        .map(|e| e.as_mapping().expect("an event is a mapping").clone())
        .collect()
}

// ------------------------------------------------ the git CLI, for branches

/// Who makes the hand commits, merges and checkouts done with the `git` CLI.
pub const HAND_NAME: &str = "Hand Editor";
pub const HAND_EMAIL: &str = "hand@example.se";

impl Sandbox {
    /// `git ARGS` in the repository root, with a pinned author, committer,
    /// date and configuration (no system or user config, no hooks of the
    /// machine), the way a person would run it.
    pub fn git_cli(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(self.root());
        for var in REMOVED_VARS {
            cmd.env_remove(var);
        }
        cmd.envs(self.pinned_env())
            .env("GIT_AUTHOR_NAME", HAND_NAME)
            .env("GIT_AUTHOR_EMAIL", HAND_EMAIL)
            .env("GIT_COMMITTER_NAME", HAND_NAME)
            .env("GIT_COMMITTER_EMAIL", HAND_EMAIL)
            .env("GIT_AUTHOR_DATE", NOW)
            .env("GIT_COMMITTER_DATE", NOW)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// Runs `git ARGS` and returns its output, whatever the exit code.
    pub fn git_run(&self, args: &[&str]) -> Output {
        self.git_cli().args(args).output().expect("git runs")
    }

    /// Runs `git ARGS`, expects exit 0, and returns stdout.
    pub fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git_run(args);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Makes branch `name` at HEAD and checks it out.
    pub fn branch(&self, name: &str) {
        self.git_ok(&["checkout", "-q", "-b", name]);
    }

    /// Checks out an existing branch.
    pub fn checkout(&self, name: &str) {
        self.git_ok(&["checkout", "-q", name]);
    }

    /// The commit a revision names, as a full hex string.
    pub fn rev(&self, rev: &str) -> String {
        self.git_ok(&["rev-parse", "--verify", rev])
            .trim()
            .to_owned()
    }

    /// Stages everything (deletions too) and commits it by hand, with the
    /// git CLI; returns the new commit.
    pub fn hand_commit(&self, message: &str) -> String {
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "-q", "--no-verify", "-m", message]);
        self.rev("HEAD")
    }

    /// Replaces `from` by `to` in a record file, where `from` occurs exactly
    /// once: a hand edit.
    pub fn edit_record(&self, id: &str, from: &str, to: &str) {
        let path = self.record_path(id);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` is not in {} exactly once:\n{text}",
            path.display()
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

/// Copies a folder tree (a fixture) into another.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The candidates the dynamic completion offers for `words` (the whole
/// command line, `arende` first), as fish receives them, without their
/// descriptions.
pub fn completions(sb: &Sandbox, words: &[&str]) -> Vec<String> {
    let out = sb
        .cmd()
        .env("COMPLETE", "fish")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}
