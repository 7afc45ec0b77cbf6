//! The record repository on disk: finding it, reading records (in parallel,
//! reporting every bad file and going on), and writing them through a
//! [`Transaction`].

pub mod cache;
mod git;
mod gitindex;
mod head;
mod journal;
mod ledger;
mod notice;
mod transaction;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use rayon::prelude::*;

pub use git::open_repo;
pub use git::{Author, HistoryCommit, file_at_head, record_commits, repo_prefix};
pub use gitindex::read_index;
pub use notice::{FileState, Notice};

pub use transaction::{CommitMode, Context, Transaction, stage_file};

use crate::config::{CONFIG_FILE, RepoConfig};
use crate::error::{Error, Result};
use crate::fs;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::Record;
use crate::yaml::{self, Value};

/// A record as read from disk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the repository root (`incidents/2026/11/INC-….yaml`).
    pub path: PathBuf,
    /// The document, as it will be written back.
    pub doc: Value,
    /// The typed view.
    pub record: Record,
}

/// All records of a scan, and every file that could not be read.
#[derive(Debug, Default)]
pub struct Scan {
    /// The records, sorted by ID.
    pub entries: Vec<Entry>,
    /// One error per bad file.
    pub errors: Vec<Error>,
}

/// How long a command waits for another one's lock when
/// `ARENDE_LOCK_TIMEOUT` (seconds) does not say.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// An opened record repository.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: RepoConfig,
    policy: Policy,
    tz: Tz,
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
        let policy = Policy::load(&config.policy, Some(root))?;
        let tz_name = config.timezone.as_deref().unwrap_or(&policy.timezone);
        let tz = crate::clock::parse_tz(tz_name).ok_or_else(|| Error::Config {
            path: root.join(CONFIG_FILE),
            message: format!("`{tz_name}` is not a timezone name"),
            help: Some("use an IANA name such as Europe/Stockholm".into()),
        })?;
        let lock_timeout = lock_timeout()?;
        Ok(Store {
            root: root.to_owned(),
            config,
            policy,
            tz,
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

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The repository's timezone.
    pub fn tz(&self) -> Tz {
        self.tz
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

    /// Reads one record, with the text it was parsed from.
    pub fn load(&self, id: &RecordId) -> Result<(Entry, String)> {
        let Some(rel) = self.find(id) else {
            return Err(Error::UnknownId {
                id: id.to_string(),
                path: self.rel_path(id),
            });
        };
        let (entry, text) = read_entry(&self.root, &rel)?;
        if entry.record.id() != id {
            return Err(Error::field(
                rel,
                "id",
                format!("the file of {id} says it is {}", entry.record.id()),
                Some(
                    "a record's file name is its ID; correct the `id:` field or rename the file"
                        .into(),
                ),
                None,
            ));
        }
        Ok((entry, text))
    }

    /// [`scan`](Self::scan) through the record summary cache (see
    /// [`cache`]): the same entries and errors, in the same order, without
    /// parsing the files that did not change. Only records whose
    /// [`Brief`](cache::Brief) `keep` accepts are decoded and returned, with
    /// their documents or without (see [`cache::Docs`]); the number is how
    /// many records were read before that filter.
    pub fn records(
        &self,
        kinds: &[Kind],
        keep: cache::Keep<'_>,
        docs: cache::Docs,
    ) -> (Scan, usize) {
        cache::records(self, kinds, keep, docs)
    }

    /// The records of `kinds` (all if empty) whose [`Brief`](cache::Brief)
    /// `keep` accepts, through the record summary cache, as keys in ID
    /// order: each record is loaded when it is visited, so a command that
    /// prints them one by one never holds them all.
    pub fn select(&self, kinds: &[Kind], keep: cache::Keep<'_>) -> cache::Records {
        cache::pass(self, kinds, keep, cache::Hold::Keys, true)
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

    /// Reads every record of the given kinds (all kinds if empty) in
    /// parallel. A bad file does not stop the scan: it is reported in
    /// [`Scan::errors`] and the rest are read.
    pub fn scan(&self, kinds: &[Kind]) -> Scan {
        let (paths, mut errors) = self.record_paths(kinds);
        let results: Vec<Result<Entry>> = paths
            .par_iter()
            .map(|rel| read_entry(&self.root, rel).map(|(entry, _)| entry))
            .collect();
        let mut entries = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(e) => entries.push(e),
                Err(e) => errors.push(e),
            }
        }
        entries.sort_by(|a, b| a.record.id().cmp(b.record.id()));
        Scan { entries, errors }
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
            .join(date.format("%Y").to_string())
            .join(date.format("%m").to_string())
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
    path == home_path(kind, id) || path == flat_path(kind, id)
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

pub(crate) fn read_entry(root: &Path, rel: &Path) -> Result<(Entry, String)> {
    fs::check_folders(root, rel)?;
    let abs = root.join(rel);
    let text = fs::read_text_as(&abs, rel, yaml::MAX_RECORD_BYTES)?;
    let doc = Value::Mapping(yaml::parse_mapping(rel, &text)?);
    let record = Record::from_doc(rel, Some(&text), &doc)?;
    Ok((
        Entry {
            path: rel.to_owned(),
            doc,
            record,
        },
        text,
    ))
}
