//! Helpers for the CLI tests: a hermetic environment for the real `arende`
//! binary, and read-only looks at the git state it leaves behind.

pub mod bounded;
pub mod cases;

use std::cell::Cell;
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
/// Somebody else, who approves what `AUTHOR` files (segregation of duties
/// keeps the one who asks from approving).
pub const APPROVER: &str = "Åke Forum <ake.forum@example.se>";
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

/// How a sandbox lays out its record repository.
///
/// `Worktree` is the layout of issue 21: people keep records in a linked
/// worktree (`git worktree add`), where the `.git` in the root is a file,
/// the index, HEAD and arende's journal live in `.git/worktrees/<name>/`
/// of the main repository, and objects and branches in its common `.git`.
/// A command that takes "the git folder" for all of them writes objects
/// nowhere git looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The repository's own `.git` folder in the root.
    Plain,
    /// The root is a linked worktree of a main checkout elsewhere. The
    /// worktree has branch `main` checked out (the name the tests use);
    /// the main checkout sits on branch `trunk` at the same commit, and
    /// nothing arende does in the worktree may move or dirty it.
    Worktree,
}

/// A sandbox: its own HOME and XDG config, and a work folder.
///
/// When it is dropped at the end of a test that did not panic, real `git`
/// judges every repository in it ([`Sandbox::assert_git_agrees`]):
/// `git fsck` finds nothing wrong and `git status` finds nothing left
/// uncommitted. A test that leaves changes on purpose says so, and why,
/// with [`Sandbox::leaves_changes`] or [`Sandbox::leaves_untracked`].
pub struct Sandbox {
    home: TempDir,
    xdg: TempDir,
    /// Where the record repository lives (or anything else a test makes).
    pub work: TempDir,
    /// Inputs, clones and other repositories, outside the record
    /// repository (made on first use).
    scratch: std::cell::OnceCell<TempDir>,
    /// In the worktree layout: the main checkout and the commit its HEAD
    /// was at when the worktree was made.
    main: Option<(TempDir, String)>,
    /// What `git status` may show when the test ends, and why.
    leaves: Cell<Leaves>,
    /// Why `git fsck` may find dangling commits, if it may.
    dangling_commits: Cell<Option<&'static str>>,
    /// Why git's fsck may warn about what a test committed (a hostile clone's files).
    fsck_warnings: Cell<Option<&'static str>>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            home: TempDir::new().unwrap(),
            xdg: TempDir::new().unwrap(),
            work: TempDir::new().unwrap(),
            scratch: std::cell::OnceCell::new(),
            main: None,
            leaves: Cell::new(Leaves::Nothing),
            dangling_commits: Cell::new(None),
            fsck_warnings: Cell::new(None),
        }
    }

    /// A sandbox holding an `arende init --policy inera` repository.
    pub fn with_repo() -> Sandbox {
        Sandbox::with_repo_in(Layout::Plain)
    }

    /// A sandbox holding an `arende init --policy inera` repository, laid
    /// out as `layout` says.
    pub fn with_repo_in(layout: Layout) -> Sandbox {
        Sandbox::init_in(layout, &["--policy", "inera"])
    }

    /// A sandbox holding a repository made by `arende init ARGS`, laid out
    /// as `layout` says: in the worktree layout `init` runs in the main
    /// checkout and the root is a linked worktree of it, checked out by
    /// `git worktree add` (so it holds what init committed, and no file
    /// init left uncommitted).
    pub fn init_in(layout: Layout, args: &[&str]) -> Sandbox {
        let sb = Sandbox::new();
        let mut init = vec!["init"];
        init.extend_from_slice(args);
        match layout {
            Layout::Plain => {
                let out = sb.run(&init);
                assert_eq!(code(&out), 0, "init failed: {}", stderr(&out));
                sb
            }
            Layout::Worktree => {
                let main = TempDir::new().unwrap();
                let out = sb.cmd_in(main.path()).args(&init).output().unwrap();
                assert_no_panic(&out);
                assert_eq!(code(&out), 0, "init failed: {}", stderr(&out));
                sb.into_worktree_of(main)
            }
        }
    }

    /// A sandbox with nothing of arende's in it: in the plain layout an
    /// empty root, no repository; in the worktree layout the root is a
    /// linked worktree of a repository with one commit (a `README.md`), as
    /// when `arende init` is run in a worktree of an existing repository.
    pub fn empty_in(layout: Layout) -> Sandbox {
        let sb = Sandbox::new();
        if layout == Layout::Plain {
            return sb;
        }
        let main = TempDir::new().unwrap();
        sb.git_ok_in(main.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(main.path().join("README.md"), "Ärenden\n").unwrap();
        sb.git_ok_in(main.path(), &["add", "README.md"]);
        sb.git_ok_in(main.path(), &["commit", "-q", "-m", "a readme"]);
        sb.into_worktree_of(main)
    }

    /// Makes the root a linked worktree of the repository in `main`, on its
    /// branch `main`, and moves the main checkout to a branch of its own.
    fn into_worktree_of(mut self, main: TempDir) -> Sandbox {
        // A branch is checked out in one worktree at a time: the main
        // checkout gives up `main` so that the worktree can have it.
        self.git_ok_in(main.path(), &["checkout", "-q", "-b", "trunk"]);
        let root = self.root().to_str().unwrap().to_owned();
        // The root is an empty folder, which `git worktree add` accepts.
        self.git_ok_in(main.path(), &["worktree", "add", "-q", &root, "main"]);
        let head = head_of(main.path());
        self.main = Some((main, head));
        self
    }

    /// A folder outside the record repository (and outside `work`), for
    /// inputs, clones and other repositories. Repositories in it are
    /// judged on drop like the record repository.
    pub fn scratch(&self) -> &Path {
        self.scratch.get_or_init(|| TempDir::new().unwrap()).path()
    }

    /// Where git keeps `rel` of the record repository's git folder, as git
    /// itself says (`git rev-parse --git-path`): `index.lock` and arende's
    /// journal in the worktree's own folder, `refs/…` and `objects/…` in
    /// the common one.
    pub fn git_path(&self, rel: &str) -> PathBuf {
        let out = self.git_ok(&["rev-parse", "--git-path", rel]);
        self.root().join(out.trim_end_matches('\n'))
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
            ("PATH", path_with_arende()),
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

    /// The IDs `arende list ARGS --format json` lists, in its order.
    pub fn listed(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&self.ok(&all)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
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

/// PATH with the folder of the `arende` under test first: git runs the
/// merge driver and the pre-commit hook as `arende`, found on PATH.
pub fn path_with_arende() -> OsString {
    let bin = assert_cmd::cargo::cargo_bin("arende");
    let mut parts = vec![bin.parent().expect("a folder").to_owned()];
    parts.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(parts).expect("a PATH")
}

/// PATH without any folder that holds an `arende`: a machine where it is
/// not installed.
pub fn path_without_arende() -> OsString {
    let parts = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|dir| !dir.join("arende").exists())
        .collect::<Vec<_>>();
    std::env::join_paths(parts).expect("a PATH")
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

/// What a command printed, both streams, as a snapshot holds it.
pub fn said(out: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", stdout(out), stderr(out))
}

/// `text` with what differs from run to run replaced by the names a test
/// gives it, for a snapshot: each of `names` is (what, its name), e.g. a
/// record ID `arende new` made and `[A]`, or a commit's short hash and
/// `[filed]`. Naming each one, rather than a pattern for all, keeps in the
/// snapshot which record or commit a line is about.
pub fn redact(text: &str, names: &[(&str, &str)]) -> String {
    names.iter().fold(text.to_owned(), |text, (what, name)| {
        text.replace(what, name)
    })
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
        self.git_cli_in(self.root())
    }

    /// `git ARGS` in `dir`, with the same pinned environment as
    /// [`Sandbox::git_cli`].
    pub fn git_cli_in(&self, dir: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(dir);
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
        self.git_run_in(self.root(), args)
    }

    /// Runs `git ARGS` in `dir` and returns its output, whatever the exit
    /// code.
    pub fn git_run_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.git_cli_in(dir).args(args).output().expect("git runs")
    }

    /// Runs `git ARGS`, expects exit 0, and returns stdout.
    pub fn git_ok(&self, args: &[&str]) -> String {
        self.git_ok_in(self.root(), args)
    }

    /// Runs `git ARGS` in `dir`, expects exit 0, and returns stdout.
    pub fn git_ok_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_run_in(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} in {} failed:\n{}{}",
            dir.display(),
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

// ------------------------------------------------ git's own verdict

impl Sandbox {
    /// Says that this test leaves changes in the working tree or the
    /// index on purpose (`--no-commit`, a hand edit not committed, a merge
    /// left conflicted, a hostile file): `git status` is then not required
    /// to be empty when the sandbox is dropped. `git fsck` still is. `why`
    /// is for the reader; there is no opt-out without a reason.
    pub fn leaves_changes(&self, why: &'static str) {
        assert!(!why.trim().is_empty(), "say why the test leaves changes");
        self.leaves.set(Leaves::Changes);
    }

    /// Says that this test leaves files git does not track on purpose (a
    /// fixture written by hand for a reading command, an input the README
    /// puts in the repository): `git status` may then list untracked
    /// files (`??`) when the sandbox is dropped, and nothing else, so a
    /// command that changes a tracked file or the index still fails the
    /// test. `why` is for the reader.
    pub fn leaves_untracked(&self, why: &'static str) {
        assert!(!why.trim().is_empty(), "say why the test leaves files");
        if !matches!(self.leaves.get(), Leaves::Changes) {
            self.leaves.set(Leaves::Untracked(why));
        }
    }

    /// Says that `git fsck` may warn about what this test committed (a
    /// hostile clone's linked `.gitattributes`), and why; errors still fail.
    pub fn leaves_fsck_warnings(&self, why: &'static str) {
        assert!(!why.trim().is_empty(), "say why fsck may warn");
        self.fsck_warnings.set(Some(why));
    }

    /// Says that this test may leave commits no branch, reflog or index
    /// reaches, and why: a command killed after writing its commit object
    /// and before recording it anywhere leaves one behind, as a killed
    /// `git commit` does. Everything else `git fsck` checks still holds.
    pub fn leaves_dangling_commits(&self, why: &'static str) {
        assert!(!why.trim().is_empty(), "say why commits may dangle");
        self.dangling_commits.set(Some(why));
    }

    /// Real git's verdict on every repository in the sandbox that has a
    /// commit (the record repository, and any other one under `work` or
    /// [`Sandbox::scratch`], two folders deep at most: a clone, a
    /// repository `init` made in a subfolder):
    ///
    /// - `git fsck --strict --cache` exits 0 and prints nothing but
    ///   dangling blobs and trees: every object HEAD, a branch, a reflog
    ///   or the index needs is there and well-formed, and no commit was
    ///   made and then lost (unless the test
    ///   [`leaves_dangling_commits`](Sandbox::leaves_dangling_commits)).
    ///   Dangling blobs and trees are allowed: a command writes its
    ///   objects before it knows whether it commits (a rule refuses the
    ///   change, another command moved the branch meanwhile), as `git add`
    ///   followed by a change of mind does, and they harm nothing (`git
    ///   gc` takes them).
    /// - `git status --porcelain` prints nothing, unless the test
    ///   [`leaves_changes`](Sandbox::leaves_changes) or
    ///   [`leaves_untracked`](Sandbox::leaves_untracked).
    /// - In the worktree layout, the main checkout is as the sandbox made
    ///   it: its HEAD where it was, its `git status` empty.
    ///
    /// Run on drop; call it to check in the middle of a test.
    #[track_caller]
    pub fn assert_git_agrees(&self) {
        let mut dirs = Vec::new();
        repositories_under(self.work.path(), 2, &mut dirs);
        if let Some(scratch) = self.scratch.get() {
            repositories_under(scratch.path(), 2, &mut dirs);
        }
        for dir in &dirs {
            // Whether there is a commit to judge is no verdict: libgit2
            // answers it without starting a process.
            let has_commit = Repository::open(dir)
                .is_ok_and(|r| r.head().is_ok_and(|h| h.peel_to_commit().is_ok()));
            if has_commit {
                self.assert_fsck_clean(dir);
                self.assert_status_clean(dir);
            }
        }
        if let Some((main, head)) = &self.main {
            // Its objects are the worktree's, checked above.
            assert_eq!(
                &head_of(main.path()),
                head,
                "the main checkout's HEAD moved: a command in the worktree changed another branch"
            );
            let status = self.git_ok_in(main.path(), &["status", "--porcelain"]);
            assert!(
                status.is_empty(),
                "git status in the main checkout {} is not empty:\n{status}",
                main.path().display()
            );
        }
    }

    /// `git fsck --strict` in `dir` exits 0 and reports nothing but what
    /// [`Sandbox::assert_git_agrees`] allows.
    #[track_caller]
    fn assert_fsck_clean(&self, dir: &Path) {
        let out = self.git_run_in(dir, &["fsck", "--strict", "--cache", "--no-progress"]);
        let said = format!("{}{}", stdout(&out), stderr(&out));
        let commits_may_dangle = self.dangling_commits.get().is_some();
        let may_warn = self.fsck_warnings.get().is_some();
        let wrong: Vec<&str> = said
            .lines()
            .filter(|l| {
                !(l.starts_with("dangling blob ")
                    || l.starts_with("dangling tree ")
                    || (commits_may_dangle && l.starts_with("dangling commit "))
                    || (may_warn && l.starts_with("warning in ")))
            })
            .collect();
        if out.status.success() && wrong.is_empty() {
            return;
        }
        // Where a worktree's objects went astray, say so: git never looks
        // in `.git/worktrees/<name>/objects`.
        let git_dir = self.git_ok_in(dir, &["rev-parse", "--absolute-git-dir"]);
        let stray = Path::new(git_dir.trim()).join("objects");
        let common = self.git_ok_in(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        );
        let hint = if Path::new(git_dir.trim()) != Path::new(common.trim()) && stray.exists() {
            format!(
                "\n(the worktree's own git folder holds an objects folder, which git never reads: {})",
                stray.display()
            )
        } else {
            String::new()
        };
        panic!(
            "git fsck --strict in {} (exit {:?}):\n{said}{hint}",
            dir.display(),
            out.status.code()
        );
    }

    /// `git status --porcelain` in `dir` shows nothing but what the test
    /// said it leaves.
    #[track_caller]
    fn assert_status_clean(&self, dir: &Path) {
        // Not even run when the test leaves changes: a hostile clone's
        // `.gitattributes` FIFO would hang git itself.
        if matches!(self.leaves.get(), Leaves::Changes) {
            return;
        }
        let status = self.git_ok_in(dir, &["status", "--porcelain"]);
        let (unexpected, allowed): (Vec<&str>, String) = match self.leaves.get() {
            Leaves::Nothing => (status.lines().collect(), String::new()),
            Leaves::Untracked(why) => (
                status.lines().filter(|l| !l.starts_with("?? ")).collect(),
                format!(" (the test leaves untracked files only: {why})"),
            ),
            Leaves::Changes => (Vec::new(), String::new()),
        };
        assert!(
            unexpected.is_empty(),
            "git status in {} is not empty at the end of the test{allowed}; \
             a test that leaves changes on purpose says so with \
             `sb.leaves_changes(\"why\")` or `sb.leaves_untracked(\"why\")`:\n{status}",
            dir.display()
        );
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // A test that failed has said why; a second panic would abort.
        if !std::thread::panicking() {
            self.assert_git_agrees();
        }
    }
}

/// The commit HEAD of the repository in `dir` is at, as a hex string.
fn head_of(dir: &Path) -> String {
    let repo = Repository::open(dir).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    commit.id().to_string()
}

/// What a test may leave for `git status` to show, and why.
#[derive(Clone, Copy, Debug)]
enum Leaves {
    /// Nothing: everything is committed.
    Nothing,
    /// Untracked files, for this reason.
    Untracked(&'static str),
    /// Any change. Its reason is not kept: no message shows it, since
    /// nothing is checked that could fail (the test says why where it
    /// calls [`Sandbox::leaves_changes`]).
    Changes,
}

/// Folders at most `depth` below `dir` (and `dir` itself) that hold a
/// `.git` (a folder, or the file of a linked worktree); symbolic links are
/// not followed and no `.git` folder is entered.
fn repositories_under(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if dir.join(".git").symlink_metadata().is_ok() {
        out.push(dir.to_owned());
    }
    if depth == 0 {
        return;
    }
    let Ok(items) = std::fs::read_dir(dir) else {
        return;
    };
    for item in items.flatten() {
        if item.file_name() != ".git" && item.file_type().is_ok_and(|t| t.is_dir()) {
            repositories_under(&item.path(), depth - 1, out);
        }
    }
}

/// Runs a committing test in both layouts. The test is written once, as
/// a plain function that takes the [`Layout`] and makes its sandbox with
/// it; `both_layouts!(NAME)` beside it makes the tests `NAME::plain` and
/// `NAME::in_worktree` (in a module named after the function: a function
/// and a module may share a name):
///
/// ```ignore
/// both_layouts!(a_set_makes_one_commit);
/// /// What it proves.
/// fn a_set_makes_one_commit(layout: Layout) {
///     let sb = Sandbox::with_repo_in(layout);
///     …
/// }
/// ```
///
/// The body stays an ordinary function, so rustfmt and clippy see it, and
/// both layouts are held to the same snapshots, if they are named
/// (`insta::assert_snapshot!("name", text)`): the body runs twice in one
/// process, and insta gives an unnamed snapshot reached the second time a
/// `-2` name of its own, and refuses an inline one (`@"…"`). Attributes
/// written before the name (`#[cfg(unix)]`, say) go on both tests.
macro_rules! both_layouts {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            $(#[$attr])*
            #[test]
            fn plain() {
                super::$name($crate::support::Layout::Plain);
            }

            $(#[$attr])*
            #[test]
            fn in_worktree() {
                super::$name($crate::support::Layout::Worktree);
            }
        }
    };
}

pub(crate) use both_layouts;
