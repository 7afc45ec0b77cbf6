//! The record repository on disk: finding it, where its record files are,
//! and writing them through a [`Transaction`]. The store knows files, folders
//! and git, not what a record means: [`crate::workspace`] reads records into
//! their typed view under the policy in force.

mod files;
mod git;
mod gitindex;
mod head;
mod history;
mod journal;
mod ledger;
mod notice;
pub mod remote;
mod staging;
mod transaction;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Datelike;
use rayon::prelude::*;

pub use git::open_repo;
pub use git::{Author, HistoryCommit, file_at_head, record_commits, repo_prefix};
pub use gitindex::read_index;
pub use history::{CommitBrief, PathHistory, path_histories};
pub use notice::{FileState, Notice};

pub use staging::stage_file;
pub use transaction::{CommitMode, Transaction};

use crate::config::{CONFIG_FILE, RepoConfig};
use crate::error::{Error, Result};

use crate::id::RecordId;
use crate::kind::Kind;

/// How long a command waits for another one's lock when
/// `ARENDE_LOCK_TIMEOUT` (seconds) does not say.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// An opened record repository.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: RepoConfig,
    lock_timeout: Duration,
    notices: Notices,
}

/// Where the store tells what it found or did on the side (a lock waited
/// on, a crashed command's leftovers): the library prints nothing itself.
#[derive(Clone, Default)]
struct Notices(Option<Arc<NoticeHook>>);

/// The function notices go to.
type NoticeHook = dyn Fn(&Notice) + Send + Sync;

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Notices(set)"
        } else {
            "Notices(none)"
        })
    }
}

/// How long to wait for another command's lock: `ARENDE_LOCK_TIMEOUT`
/// seconds, or [`LOCK_TIMEOUT`] when it is unset or empty. A value that is
/// not a number of seconds is an error: waiting some other time than the
/// one asked for would pass unseen.
fn lock_timeout() -> Result<Duration> {
    let value = match std::env::var_os("ARENDE_LOCK_TIMEOUT") {
        Some(v) if !v.is_empty() => v,
        _ => return Ok(LOCK_TIMEOUT),
    };
    value
        .to_str()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| {
            Error::usage(
                format!(
                    "ARENDE_LOCK_TIMEOUT is `{}`, not a number of seconds",
                    value.to_string_lossy()
                ),
                Some(format!(
                    "set it to seconds such as 5 or 0.5, or unset it for the default ({} s)",
                    LOCK_TIMEOUT.as_secs()
                )),
            )
        })
}

impl Store {
    /// Finds the repository like git does: `start` or its nearest parent
    /// holding `arende.yaml`.
    ///
    /// Anything named `arende.yaml` ends the search, whatever it is: it is
    /// looked at without following a link, and a link, a FIFO or a folder
    /// by that name is then refused by [`RepoConfig::read`] with an error
    /// naming it (exit 2), rather than taken for "no repository here" and
    /// passed over for a parent's repository.
    pub fn discover(start: &Path) -> Result<Store> {
        let start = std::path::absolute(start).map_err(|e| Error::io(start, e))?;
        if !start.is_dir() {
            return Err(Error::NotARepository { dir: start });
        }
        let root = start
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).symlink_metadata().is_ok())
            .ok_or_else(|| Error::NotARepository { dir: start.clone() })?;
        Store::open(root)
    }

    /// Opens the repository at `root`.
    pub fn open(root: &Path) -> Result<Store> {
        let config = RepoConfig::read(root)?;
        let lock_timeout = lock_timeout()?;
        Ok(Store {
            root: root.to_owned(),
            config,
            lock_timeout,
            notices: Notices::default(),
        })
    }

    /// Has `f` told of what the store finds or does on the side: a lock it
    /// waits for, leftovers of a command that was killed, uncommitted
    /// changes a commit takes along.
    pub fn with_notices(mut self, f: impl Fn(&Notice) + Send + Sync + 'static) -> Store {
        self.notices = Notices(Some(Arc::new(f)));
        self
    }

    /// Waits at most `timeout` for another command's lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Store {
        self.lock_timeout = timeout;
        self
    }

    /// Tells the notice hook, if there is one.
    pub fn notify(&self, notice: Notice) {
        if let Some(f) = &self.notices.0 {
            f(&notice);
        }
    }

    pub(crate) fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// The repository's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository configuration.
    pub fn config(&self) -> &RepoConfig {
        &self.config
    }

    /// Where arende keeps a file of its own named `name` for this
    /// repository: in git's folder, never committed (see
    /// `git::own_file`). `None` outside git.
    pub fn own_file(&self, name: &str) -> Option<PathBuf> {
        let repo = open_repo(&self.root).ok()?;
        let prefix = repo_prefix(&repo, &self.root).ok()?;
        Some(git::own_file(&repo, &prefix, name))
    }

    /// Where a new record is filed, relative to the root: see [`home_path`].
    pub fn rel_path(&self, id: &RecordId) -> PathBuf {
        home_path(id.kind(), id)
    }

    /// Where the record with this ID is: its sharded path, else its flat
    /// path (one or two `stat`s), else anywhere under its kind's folder (a
    /// walk, only when both miss). `None` if there is no such file.
    pub fn find(&self, id: &RecordId) -> Option<PathBuf> {
        let kind = id.kind();
        let home = home_path(kind, id);
        let flat = flat_path(kind, id);
        [home, flat]
            .into_iter()
            .find(|rel| self.root.join(rel).symlink_metadata().is_ok())
            .or_else(|| self.walk_for(id))
    }

    /// Whether a record with this ID exists anywhere under its kind's folder.
    pub fn exists(&self, id: &RecordId) -> bool {
        self.find(id).is_some()
    }

    /// Whether a fresh ID is taken: its sharded or flat file exists (at most
    /// two `stat`s, never a walk of the repository). A generated ID sits
    /// elsewhere only if a person moved it there, and then validate's
    /// duplicate-ID check finds the clash.
    pub fn id_taken(&self, id: &RecordId) -> bool {
        let kind = id.kind();
        [home_path(kind, id), flat_path(kind, id)]
            .iter()
            .any(|rel| self.root.join(rel).symlink_metadata().is_ok())
    }

    /// Looks for `<ID>.yaml` at any depth under the kind's folder.
    fn walk_for(&self, id: &RecordId) -> Option<PathBuf> {
        let dir = id.kind().dir();
        let name = format!("{id}.yaml");
        walk_records(&self.root, dir, &mut Vec::new())
            .into_iter()
            .find(|rel| rel.file_name().is_some_and(|n| n == name.as_str()))
    }

    /// The record files of the given kinds (all kinds if empty), relative
    /// to the root, at any depth under each kind's folder, and every folder
    /// that could not be walked.
    pub fn record_paths(&self, kinds: &[Kind]) -> (Vec<PathBuf>, Vec<Error>) {
        let kinds = if kinds.is_empty() {
            &Kind::ALL[..]
        } else {
            kinds
        };
        let mut paths = Vec::new();
        let mut errors = Vec::new();
        for kind in kinds {
            paths.extend(walk_records(&self.root, kind.dir(), &mut errors));
        }
        (paths, errors)
    }

    /// How each record file at `rels` stands against HEAD and the index:
    /// committed as it is, changed since, or not in HEAD at all. `None`
    /// when the repository is not in git (then nothing is committed anyway).
    pub fn file_states(&self, rels: &[PathBuf]) -> Result<Option<Vec<FileState>>> {
        notice::file_states(self, rels)
    }

    /// The text HEAD holds for a record file (`None`: HEAD has none, or no git).
    pub fn head_text(&self, rel: &Path) -> Result<Option<String>> {
        notice::head_text(self, rel)
    }

    /// Starts a change of the repository; see [`Transaction`].
    pub fn begin(&self) -> Result<Transaction<'_>> {
        Transaction::begin(self)
    }
}

/// Where a record of `kind` with this ID is filed: `<kind folder>/<YYYY>/<MM>/<ID>.yaml`,
/// the month from the date in the ID (`INC-20261122-K7QF2M` →
/// `incidents/2026/11/`), so no folder grows past a month of records. An ID
/// with no date in it (imported or hand-made, `CI-EPRESCRIPTION`) is filed
/// directly in the kind's folder.
pub fn home_path(kind: Kind, id: &RecordId) -> PathBuf {
    match id.date() {
        Some(date) => Path::new(kind.dir())
            .join(format!("{:04}", date.year()))
            .join(format!("{:02}", date.month()))
            .join(format!("{id}.yaml")),
        None => flat_path(kind, id),
    }
}

/// A record's file directly in its kind's folder, as repositories made
/// before the sharded layout have them.
pub fn flat_path(kind: Kind, id: &RecordId) -> PathBuf {
    Path::new(kind.dir()).join(format!("{id}.yaml"))
}

/// Whether a record of `kind` with this ID is filed where it belongs: in
/// its month's folder ([`home_path`]) or directly in the kind's folder
/// (the flat layout, always accepted).
pub fn filed_right(path: &Path, kind: Kind, id: &RecordId) -> bool {
    // Compared part by part, not against paths made for the purpose:
    // `validate` asks it of every record.
    let parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
    let named = |file: &str| file.strip_suffix(".yaml") == Some(id.as_str());
    match parts[..] {
        [dir, file] => dir == kind.dir() && named(file),
        [dir, year, month, file] => {
            dir == kind.dir()
                && named(file)
                && id.date().is_some_and(|d| {
                    year == format!("{:04}", d.year()) && month == format!("{:02}", d.month())
                })
        }
        _ => false,
    }
}

/// The record files under the kind folder `dir` (relative to `root`), at
/// any depth, sorted by path. Symbolic links are not followed: a linked
/// folder is reported, a linked file is returned and refused when read.
/// Hidden folders (`.trash/`, an editor's backups) are skipped, as git
/// tools and file browsers hide them.
fn walk_records(root: &Path, dir: &str, errors: &mut Vec<Error>) -> Vec<PathBuf> {
    let abs = root.join(dir);
    match abs.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => {
            errors.push(Error::SymlinkFolder {
                path: PathBuf::from(dir),
            });
            return Vec::new();
        }
        Ok(m) if m.is_dir() => {}
        _ => return Vec::new(),
    }
    let mut found = walk_folder(&abs, Path::new(dir));
    errors.append(&mut found.errors);
    found.paths
}

/// What one folder of a kind holds, at any depth.
#[derive(Default)]
struct Found {
    paths: Vec<PathBuf>,
    errors: Vec<Error>,
}

/// The record files under `abs` (which is `rel` under the root) in path
/// order: a folder's entries sorted by their bytes (within one folder that
/// is path order), each subfolder's files where the subfolder sorts. The
/// month folders are read in parallel: one after the other, reading
/// 100 000 directory entries was a serial tenth of `report`.
fn walk_folder(abs: &Path, rel: &Path) -> Found {
    let mut found = Found::default();
    let listing = match std::fs::read_dir(abs) {
        Ok(l) => l,
        Err(e) => {
            found.errors.push(Error::io(abs, e));
            return found;
        }
    };
    let mut entries: Vec<(std::ffi::OsString, std::fs::FileType)> = Vec::new();
    for entry in listing {
        match entry.and_then(|e| Ok((e.file_name(), e.file_type()?))) {
            Ok(e) => entries.push(e),
            Err(e) => found.errors.push(Error::io(abs, e)),
        }
    }
    entries.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
    // Hidden folders (`.trash/`, an editor's backups) are skipped, as git
    // tools and file browsers hide them.
    let folder = |name: &std::ffi::OsStr, t: &std::fs::FileType| {
        t.is_dir() && !name.as_encoded_bytes().starts_with(b".")
    };
    let mut below: Vec<Found> = entries
        .par_iter()
        .filter(|(name, t)| folder(name, t))
        .map(|(name, _)| walk_folder(&abs.join(name), &rel.join(name)))
        .collect();
    below.reverse();
    for (name, t) in &entries {
        if t.is_dir() {
            if folder(name, t)
                && let Some(mut sub) = below.pop()
            {
                found.paths.append(&mut sub.paths);
                found.errors.append(&mut sub.errors);
            }
        } else if is_record_file(Path::new(name)) {
            found.paths.push(rel.join(name));
        } else if t.is_symlink() && abs.join(name).is_dir() {
            found.errors.push(Error::SymlinkFolder {
                path: rel.join(name),
            });
        }
    }
    found
}

fn is_record_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}
