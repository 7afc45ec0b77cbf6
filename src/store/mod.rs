//! The record repository on disk: finding it, reading records (in parallel,
//! reporting every bad file and going on), and writing them through a
//! [`Transaction`].

pub mod cache;
mod git;
mod notice;
mod paths;
mod transaction;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use rayon::prelude::*;

pub(crate) use git::open_repo;
pub use git::{Author, HistoryCommit, file_at_head, record_commits, repo_prefix};
pub use notice::{FileState, Notice};
pub(crate) use paths::check_folders;
pub use transaction::{CommitMode, Transaction, write_atomic};

use crate::config::{CONFIG_FILE, RepoConfig};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::Record;
use crate::yaml::{self, Value};

/// A record as read from disk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the repository root (`incidents/INC-….yaml`).
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
    /// Told to the notice hook as soon as there is one: found at open.
    pending: Option<Notice>,
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

impl Store {
    /// Finds the repository like git does: `start` or its nearest parent
    /// holding `arende.yaml`.
    pub fn discover(start: &Path) -> Result<Store> {
        let start = std::path::absolute(start).map_err(|e| Error::io(start, e))?;
        if !start.is_dir() {
            return Err(Error::NotARepository { dir: start });
        }
        let root = start
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).is_file())
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
        let lock_timeout = std::env::var("ARENDE_LOCK_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .unwrap_or(LOCK_TIMEOUT);
        Ok(Store {
            root: root.to_owned(),
            config,
            policy,
            tz,
            lock_timeout,
            notices: Notices::default(),
            pending: crate::merge::setup::driver_problem(root)
                .map(|problem| Notice::MergeDriver { problem }),
        })
    }

    /// Has `f` told of what the store finds or does on the side: a lock it
    /// waits for, leftovers of a command that was killed, uncommitted
    /// changes a commit takes along, a merge driver not configured.
    pub fn with_notices(mut self, f: impl Fn(&Notice) + Send + Sync + 'static) -> Store {
        if let Some(notice) = self.pending.take() {
            f(&notice);
        }
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

    /// Where a record lives, relative to the root.
    pub fn rel_path(&self, id: &RecordId) -> PathBuf {
        Path::new(id.kind().dir()).join(format!("{id}.yaml"))
    }

    /// Whether a record with this ID exists (one `stat`).
    pub fn exists(&self, id: &RecordId) -> bool {
        self.root.join(self.rel_path(id)).symlink_metadata().is_ok()
    }

    /// Reads one record, with the text it was parsed from.
    pub fn load(&self, id: &RecordId) -> Result<(Entry, String)> {
        let rel = self.rel_path(id);
        let abs = self.root.join(&rel);
        if abs.symlink_metadata().is_err() {
            return Err(Error::UnknownId {
                id: id.to_string(),
                path: rel,
            });
        }
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

    /// The record files of the given kinds (all kinds if empty), relative
    /// to the root, found at any depth under each kind folder and sorted;
    /// and the folders that could not be walked.
    pub fn record_paths(&self, kinds: &[Kind]) -> (Vec<PathBuf>, Vec<Error>) {
        let kinds = if kinds.is_empty() {
            &Kind::ALL[..]
        } else {
            kinds
        };
        let mut paths = Vec::new();
        let mut errors = Vec::new();
        for kind in kinds {
            let dir = self.root.join(kind.dir());
            match dir.symlink_metadata() {
                Ok(m) if m.file_type().is_symlink() => {
                    errors.push(Error::SymlinkFolder {
                        path: PathBuf::from(kind.dir()),
                    });
                    continue;
                }
                Ok(m) if m.is_dir() => {}
                _ => continue,
            }
            // Sorted by the whole path's bytes, not `sort_by_file_name`:
            // that parses both paths on every comparison, a tenth of a warm
            // `list` at 100 000 records; within one folder the orders agree.
            for item in walkdir::WalkDir::new(&dir)
                .min_depth(1)
                .max_depth(1)
                .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
            {
                match item {
                    Ok(e) if is_record_file(e.path()) => {
                        paths.push(Path::new(kind.dir()).join(e.file_name()));
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(Error::io(dir.clone(), e.into())),
                }
            }
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

fn is_record_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

pub(crate) fn read_entry(root: &Path, rel: &Path) -> Result<(Entry, String)> {
    paths::check_folders(root, rel)?;
    let abs = root.join(rel);
    let text = yaml::read_text_as(&abs, rel, yaml::MAX_RECORD_BYTES)?;
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
