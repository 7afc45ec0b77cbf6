//! The record repository on disk: finding it, reading records (in parallel,
//! reporting every bad file and going on), and writing them through a
//! [`Transaction`].

mod git;
mod transaction;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use rayon::prelude::*;

pub use git::{Author, HistoryCommit, record_commits, repo_prefix};
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

/// An opened record repository.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: RepoConfig,
    policy: Policy,
    tz: Tz,
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
        Ok(Store {
            root: root.to_owned(),
            config,
            policy,
            tz,
        })
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
        let kinds = if kinds.is_empty() {
            &Kind::ALL[..]
        } else {
            kinds
        };
        let mut paths = Vec::new();
        let mut errors = Vec::new();
        for kind in kinds {
            let dir = self.root.join(kind.dir());
            if !dir.is_dir() {
                continue;
            }
            for item in walkdir::WalkDir::new(&dir)
                .min_depth(1)
                .max_depth(1)
                .sort_by_file_name()
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

    /// Starts a change of the repository; see [`Transaction`].
    pub fn begin(&self) -> Result<Transaction<'_>> {
        Transaction::begin(self)
    }
}

fn is_record_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

fn read_entry(root: &Path, rel: &Path) -> Result<(Entry, String)> {
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
