//! The files arende committed lately, kept to put back one that git's own
//! commands dropped.
//!
//! Git's `commit` reads the index before it takes the index's lock, and
//! writes what it read back if it has anything to update in it. When an
//! arende commit lands between that read and that lock, the index git
//! writes back lacks the file arende just committed, and git's next commit
//! deletes it from HEAD, leaving it untracked. Git's own writers lose files
//! to each other the same way. No writer can close that window from
//! outside git, so each arende commit looks at the files the last ones
//! committed: one git's index has lost while the working tree still holds
//! it exactly as committed is staged and committed again, and the command
//! says so. A file a person removed, changed or staged otherwise is left
//! alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::git::own_file;
use crate::fs::{read_if_there, write_atomic};

/// The ledger's file name in the git folder (keyed like the journal).
const LEDGER: &str = "arende-filed";

/// How many files the ledger remembers: far more than the commits a git
/// command can overlap with, few enough to check on every commit.
const KEEP: usize = 64;

/// The ledger's largest size read; a longer one is a damaged hint, ignored.
const MAX_BYTES: u64 = 64 * 1024;

/// The files committed lately, oldest first.
pub(super) struct Ledger {
    path: PathBuf,
    entries: Vec<(Oid, PathBuf)>,
}

impl Ledger {
    /// The ledger of the record repository at `prefix`; empty if there is
    /// none or it does not read (it is a hint, never a source of truth).
    pub fn read(repo: &Repository, prefix: &Path) -> Ledger {
        let path = own_file(repo, prefix, LEDGER);
        let entries = crate::fs::read_bytes_as(&path, &path, MAX_BYTES)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|text| {
                text.lines()
                    .filter_map(|line| {
                        let (oid, rel) = line.split_once(' ')?;
                        Some((Oid::from_str(oid).ok()?, PathBuf::from(rel)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ledger { path, entries }
    }

    /// The files committed lately that the index no longer has while the
    /// working tree still holds them as committed, with their blobs; the
    /// paths in `skip` (being written or removed now) are not looked at.
    pub fn dropped(
        &self,
        index: &git2::Index,
        prefix: &Path,
        root: &Path,
        skip: &BTreeSet<&PathBuf>,
    ) -> Vec<(PathBuf, Oid)> {
        let mut out: BTreeMap<PathBuf, Oid> = BTreeMap::new();
        for (blob, rel) in self.entries.iter().rev() {
            if skip.contains(rel) || out.contains_key(rel) {
                continue;
            }
            if index.get_path(&prefix.join(rel), 0).is_some() {
                continue;
            }
            let on_disk = read_if_there(&root.join(rel), rel)
                .ok()
                .flatten()
                .and_then(|b| Oid::hash_object(ObjectType::Blob, &b).ok());
            if on_disk == Some(*blob) {
                out.insert(rel.clone(), *blob);
            }
        }
        out.into_iter().collect()
    }

    /// Notes the files a commit holds, and writes the ledger (best effort:
    /// without it only the putting back is lost).
    pub fn note(mut self, committed: impl IntoIterator<Item = (PathBuf, Oid)>) {
        let committed: Vec<(PathBuf, Oid)> = committed.into_iter().collect();
        // Past a few hundred files (an import) no git command overlaps with
        // every one of them; the newest are the ones to watch.
        let from = committed.len().saturating_sub(KEEP);
        self.entries.extend(
            committed
                .into_iter()
                .skip(from)
                .map(|(rel, oid)| (oid, rel)),
        );
        let drop = self.entries.len().saturating_sub(KEEP);
        self.entries.drain(..drop);
        let text: String = self
            .entries
            .iter()
            .map(|(oid, rel)| format!("{oid} {}\n", rel.display()))
            .collect();
        // The ledger is a hint (see `read`): one not written costs the next
        // command a check it could have skipped, and fails nothing.
        let _ = write_atomic(&self.path, text.as_bytes(), false);
    }
}
