//! Every change to a record repository goes through a [`Transaction`]: the
//! repository is locked, the new files are staged in memory, and `commit`
//! either lands all of them, with one git commit, or leaves the working tree,
//! the index and HEAD exactly as they were.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository};

use super::Store;
use super::git::{Author, TreeEdit, edit_tree, open_repo, repo_prefix};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::Timestamp;
use crate::yaml::{self, Value};

/// Below this many files a transaction fsyncs each one; above it (bulk
/// imports) the git objects are the durable copy and per-file syncs would
/// cost more than they protect.
const SYNC_LIMIT: usize = 64;

/// Whether a transaction ends in a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitMode {
    /// Write the files, stage them, and make one commit.
    Commit,
    /// Write the files only (`--no-commit`): index and HEAD are not touched.
    WorkingTreeOnly,
}

/// A pending change of the repository. While it lives, the repository is
/// locked against other arende commands, so what a command read is still
/// true when it writes.
pub struct Transaction<'s> {
    store: &'s Store,
    _lock: File,
    writes: BTreeMap<PathBuf, Vec<u8>>,
}

impl<'s> Transaction<'s> {
    pub(super) fn begin(store: &'s Store) -> Result<Transaction<'s>> {
        // Lock arende.yaml itself: every repository has it, and no command
        // rewrites it, so the lock leaves no file of its own behind.
        let path = store.root().join(CONFIG_FILE);
        let lock = File::open(&path).map_err(|e| Error::io(&path, e))?;
        lock.lock().map_err(|e| Error::io(&path, e))?;
        Ok(Transaction {
            store,
            _lock: lock,
            writes: BTreeMap::new(),
        })
    }

    /// Stages a record's new document.
    pub fn write(&mut self, id: &RecordId, doc: &Value) {
        let text = doc.as_mapping().map(yaml::to_string).unwrap_or_default();
        self.writes
            .insert(self.store.rel_path(id), text.into_bytes());
    }

    /// Stages any file, by its path relative to the repository root.
    pub fn write_file(&mut self, rel: PathBuf, bytes: Vec<u8>) {
        self.writes.insert(rel, bytes);
    }

    /// Whether a record is already staged.
    pub fn is_staged(&self, id: &RecordId) -> bool {
        self.writes.contains_key(&self.store.rel_path(id))
    }

    /// How many files are staged.
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Lands the staged files as `mode` says: [`Transaction::commit`] or
    /// [`Transaction::write_only`].
    pub fn finish(
        self,
        mode: CommitMode,
        message: &str,
        author: &Author,
        at: &Timestamp,
    ) -> Result<Option<Oid>> {
        match mode {
            CommitMode::Commit => self.commit(message, author, at),
            CommitMode::WorkingTreeOnly => self.write_only().map(|()| None),
        }
    }

    /// Writes the staged files to the working tree only; index and HEAD are
    /// left alone. On failure the files written so far are put back.
    pub fn write_only(self) -> Result<()> {
        write_files(self.store.root(), &self.writes).map(drop)
    }

    /// Lands the staged files and commits them on HEAD as one commit, whose
    /// ID is returned; nothing else in the index is committed or changed. On
    /// any failure the working tree, the index and HEAD are put back as they
    /// were.
    pub fn commit(self, message: &str, author: &Author, at: &Timestamp) -> Result<Option<Oid>> {
        if self.writes.is_empty() {
            return Ok(None);
        }
        let root = self.store.root();
        let repo = open_repo(root)?;
        let prefix = repo_prefix(&repo, root)?;
        let head = HeadState::read(&repo)?;

        // 1. Objects: nothing a user can see changes yet.
        let base_tree = match head.old {
            Some(oid) => Some(repo.find_commit(oid)?.tree()?),
            None => None,
        };
        let mut edits: Vec<TreeEdit> = Vec::with_capacity(self.writes.len());
        for (rel, bytes) in &self.writes {
            let path = prefix.join(rel);
            let parts = path
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            edits.push((parts, repo.blob(bytes)?));
        }
        let tree = repo.find_tree(edit_tree(&repo, base_tree.as_ref(), &edits)?)?;
        let signature = author.signature(at)?;
        let parents = match head.old {
            Some(oid) => vec![repo.find_commit(oid)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let commit = repo.commit(None, &signature, &signature, message, &tree, &parent_refs)?;

        // 2. Working tree.
        let backups = write_files(root, &self.writes)?;

        // 3. Index: only the paths written, so what a person staged stays staged.
        let index_entries: Vec<(PathBuf, Oid)> = self
            .writes
            .keys()
            .zip(&edits)
            .map(|(rel, (_, blob))| (prefix.join(rel), *blob))
            .collect();
        let index_backup = match update_index(&repo, &index_entries) {
            Ok(b) => b,
            Err(e) => {
                restore_files(&backups);
                return Err(e);
            }
        };

        // 4. HEAD, only if it is still where it was when we started.
        if let Err(e) = head.advance(&repo, commit, message) {
            restore_index(&repo, index_backup);
            restore_files(&backups);
            return Err(e);
        }
        Ok(Some(commit))
    }
}

struct HeadState {
    /// The ref HEAD points at (`refs/heads/main`), or `None` if detached.
    branch: Option<String>,
    /// The commit it points at, or `None` on a repository with no commits.
    old: Option<Oid>,
}

impl HeadState {
    fn read(repo: &Repository) -> Result<HeadState> {
        let head = repo.find_reference("HEAD")?;
        match head.symbolic_target()? {
            Some(name) => {
                let old = match repo.refname_to_id(name) {
                    Ok(oid) => Some(oid),
                    Err(e)
                        if e.code() == ErrorCode::NotFound
                            || e.code() == ErrorCode::UnbornBranch =>
                    {
                        None
                    }
                    Err(e) => return Err(e.into()),
                };
                Ok(HeadState {
                    branch: Some(name.to_owned()),
                    old,
                })
            }
            None => Ok(HeadState {
                branch: None,
                old: head.target(),
            }),
        }
    }

    fn advance(&self, repo: &Repository, new: Oid, message: &str) -> Result<()> {
        let log = format!("arende: {}", message.lines().next().unwrap_or_default());
        let name = self.branch.as_deref().unwrap_or("HEAD");
        match self.old {
            Some(old) => repo.reference_matching(name, new, true, old, &log),
            None => repo.reference(name, new, false, &log),
        }
        .map_err(|e| Error::Git {
            message: format!(
                "{name} moved while arende was writing ({}); nothing was changed",
                e.message()
            ),
        })?;
        Ok(())
    }
}

struct Backup {
    path: PathBuf,
    old: Option<Vec<u8>>,
}

fn write_files(root: &Path, writes: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<Backup>> {
    let sync = writes.len() <= SYNC_LIMIT;
    let mut backups = Vec::with_capacity(writes.len());
    for (rel, bytes) in writes {
        let path = root.join(rel);
        let old = std::fs::read(&path).ok();
        if let Err(e) = write_atomic(&path, bytes, sync) {
            restore_files(&backups);
            return Err(e);
        }
        backups.push(Backup { path, old });
    }
    Ok(backups)
}

fn restore_files(backups: &[Backup]) {
    // Best effort: this runs after a failure, and a second failure here must
    // not hide the first one.
    for b in backups.iter().rev() {
        let _ = match &b.old {
            Some(bytes) => write_atomic(&b.path, bytes, true),
            None => std::fs::remove_file(&b.path).map_err(|e| Error::io(&b.path, e)),
        };
    }
}

/// Writes a file by writing a temporary file beside it and renaming it into
/// place, so no reader ever sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".arende-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if sync {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

type IndexBackup = Vec<(PathBuf, Option<git2::IndexEntry>)>;

fn update_index(repo: &Repository, entries: &[(PathBuf, Oid)]) -> Result<IndexBackup> {
    let workdir = repo.workdir().map(Path::to_owned).unwrap_or_default();
    let mut index = repo.index()?;
    let backup = entries
        .iter()
        .map(|(p, _)| (p.clone(), index.get_path(p, 0)))
        .collect();
    for (path, blob) in entries {
        add_to_index(&mut index, &workdir, path, *blob)?;
    }
    index.write()?;
    Ok(backup)
}

/// Stages a file just written, from its stat and the blob already stored:
/// `add_path` would read and hash every file again, which dominates a bulk
/// import's commit.
#[cfg(unix)]
fn add_to_index(index: &mut git2::Index, workdir: &Path, path: &Path, blob: Oid) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let abs = workdir.join(path);
    let m = std::fs::symlink_metadata(&abs).map_err(|e| Error::io(&abs, e))?;
    let name = path.to_string_lossy().into_owned().into_bytes();
    // The index stores 32-bit stat fields; git truncates them the same way.
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(m.ctime() as i32, m.ctime_nsec() as u32),
        mtime: git2::IndexTime::new(m.mtime() as i32, m.mtime_nsec() as u32),
        dev: m.dev() as u32,
        ino: m.ino() as u32,
        mode: 0o100644,
        uid: m.uid(),
        gid: m.gid(),
        file_size: m.len() as u32,
        id: blob,
        flags: name.len().min(0xfff) as u16,
        flags_extended: 0,
        path: name,
    };
    index.add(&entry)?;
    Ok(())
}

#[cfg(not(unix))]
fn add_to_index(index: &mut git2::Index, _workdir: &Path, path: &Path, _blob: Oid) -> Result<()> {
    index.add_path(path)?;
    Ok(())
}

fn restore_index(repo: &Repository, backup: IndexBackup) {
    // Best effort, as for files.
    if let Ok(mut index) = repo.index() {
        for (path, old) in backup {
            let _ = match old {
                Some(entry) => index.add(&entry),
                None => index.remove_path(&path),
            };
        }
        let _ = index.write();
    }
}
