//! An opened record repository as the commands see it: the [`Store`] of its
//! files, the policy in force, its timezone, and its records read into their
//! typed view — one at a time ([`Workspace::load`]), all at once
//! ([`Workspace::scan`]) or through the record summary cache ([`cache`]).
//!
//! The store below knows files and git; what a record means comes from the
//! policy and the record model beside this module, so reading typed records
//! is done here, not in the store.

pub mod cache;
mod resolve;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use rayon::prelude::*;

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::fs;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::Record;
use crate::store::{Author, CommitMode, Store, Transaction};
use crate::time::Timestamp;
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

/// An opened record repository: its store, and the policy pack and
/// timezone it is read under.
#[derive(Debug)]
pub struct Workspace {
    store: Store,
    policy: Policy,
    tz: Tz,
    /// Where the command was started: a relative path a person types is
    /// read from here.
    cwd: PathBuf,
}

/// Who changes the repository, when, and whether the change ends in a
/// commit: what every writing command (an action, an import) carries from
/// the command line to [`Transaction::finish`].
#[derive(Debug, Clone)]
pub struct Context<'w> {
    /// The repository.
    pub ws: &'w Workspace,
    /// The author of the change.
    pub author: Author,
    /// The time of the change.
    pub now: Timestamp,
    /// Commit, or only write the working tree.
    pub mode: CommitMode,
}

impl Workspace {
    /// Opens the repository at `root` (see [`Store::open`]).
    pub fn open(root: &Path) -> Result<Workspace> {
        Workspace::new(Store::open(root)?)
    }

    /// Opens the policy pack `store`'s configuration names and the
    /// timezone it or the pack gives.
    pub fn new(store: Store) -> Result<Workspace> {
        let root = store.root();
        let config = store.config();
        let policy = Policy::load(&config.policy, Some(root))?;
        let tz_name = config.timezone.as_deref().unwrap_or(&policy.timezone);
        let tz = crate::clock::parse_tz(tz_name).ok_or_else(|| Error::Config {
            path: root.join(CONFIG_FILE),
            message: format!("`{tz_name}` is not a timezone name"),
            help: Some("use an IANA name such as Europe/Stockholm".into()),
        })?;
        let cwd = root.to_owned();
        Ok(Workspace {
            store,
            policy,
            tz,
            cwd,
        })
    }

    /// Reads the relative paths a person types from `dir` (where the
    /// command was started) rather than from the root.
    pub fn with_cwd(mut self, dir: &Path) -> Workspace {
        self.cwd = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        self
    }

    /// Finds the repository at `start` or above it (see
    /// [`Store::discover`]) and opens it.
    pub fn discover(start: &Path) -> Result<Workspace> {
        Ok(Workspace::new(Store::discover(start)?)?.with_cwd(start))
    }

    /// The files and git of the repository.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The repository's root folder.
    pub fn root(&self) -> &Path {
        self.store.root()
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The repository's timezone: `arende.yaml`'s, else the pack's.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Starts a change of the repository; see [`Transaction`].
    pub fn begin(&self) -> Result<Transaction<'_>> {
        self.store.begin()
    }

    /// Reads one record, with the text it was parsed from.
    pub fn load(&self, id: &RecordId) -> Result<(Entry, String)> {
        let Some(rel) = self.store.find(id) else {
            return Err(Error::UnknownId {
                id: id.to_string(),
                path: self.store.rel_path(id),
            });
        };
        let (entry, text) = read_entry(self.root(), &rel)?;
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
        cache::records(&self.store, kinds, keep, docs)
    }

    /// The records of `kinds` (all if empty) whose [`Brief`](cache::Brief)
    /// `keep` accepts, through the record summary cache, as keys in ID
    /// order: each record is loaded when it is visited, so a command that
    /// prints them one by one never holds them all.
    pub fn select(&self, kinds: &[Kind], keep: cache::Keep<'_>) -> cache::Records {
        cache::pass(&self.store, kinds, keep, cache::Hold::Keys, true)
    }

    /// Reads every record of the given kinds (all kinds if empty) in
    /// parallel. A bad file does not stop the scan: it is reported in
    /// [`Scan::errors`] and the rest are read.
    pub fn scan(&self, kinds: &[Kind]) -> Scan {
        let (paths, mut errors) = self.store.record_paths(kinds);
        let root = self.root();
        let folders = fs::Folders::of(root, &paths);
        let results: Vec<Result<Entry>> = paths
            .par_iter()
            .map(|rel| read_entry_in(root, rel, &folders).map(|(entry, _)| entry))
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
}

/// Reads the record file `rel` under `root` into an [`Entry`], with the
/// text it was parsed from.
pub(crate) fn read_entry(root: &Path, rel: &Path) -> Result<(Entry, String)> {
    fs::check_folders(root, rel)?;
    read_checked(root, rel)
}

/// [`read_entry`] for one of many files from a walk, its folders checked
/// through `folders`.
pub(crate) fn read_entry_in(
    root: &Path,
    rel: &Path,
    folders: &fs::Folders,
) -> Result<(Entry, String)> {
    folders.check(root, rel)?;
    read_checked(root, rel)
}

fn read_checked(root: &Path, rel: &Path) -> Result<(Entry, String)> {
    let abs = root.join(rel);
    let text = fs::read_text_as(&abs, rel, yaml::MAX_RECORD_BYTES)?;
    Ok((Entry::parse(rel, &text)?, text))
}

impl Entry {
    /// The record file `rel` holding `text`, parsed into its document and
    /// typed view (wherever the text was read from: the working tree, the
    /// index).
    pub fn parse(rel: &Path, text: &str) -> Result<Entry> {
        let doc = Value::Mapping(yaml::parse_mapping(rel, text)?);
        let record = Record::from_doc(rel, Some(text), &doc)?;
        Ok(Entry {
            path: rel.to_owned(),
            doc,
            record,
        })
    }
}
