//! Every change to a record repository goes through a [`Transaction`]: the
//! repository is locked, the new files are staged in memory, and `commit`
//! either lands all of them, with one git commit, or leaves the working tree,
//! the index and HEAD exactly as they were.
//!
//! A command killed half-way (kill -9, a power cut of the terminal) cannot
//! roll anything back, so while it writes it keeps a journal in the git
//! folder: the commit it is making and the files it writes. The next
//! transaction, holding the lock, finds the journal and finishes that commit
//! (or, if the files were changed since, says what was left), and removes
//! the temporary files the killed command left.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository};
use rayon::prelude::*;

use super::Store;
use super::git::{Author, edit_tree, git_path, open_repo, repo_prefix, write_pack_without_deltas};
use super::notice::{FileState, Notice};
use super::paths::{prepare_write, prepare_writes, read_if_there};
use super::{index, tree};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::Timestamp;
use crate::yaml::{self, Value};

/// Below this many files a transaction fsyncs each one; above it (bulk
/// imports) the git objects are the durable copy and per-file syncs would
/// cost more than they protect.
const SYNC_LIMIT: usize = 64;

/// Above this many files a commit writes its objects as one pack: a loose
/// object is a file of its own, and 100 000 of them cost an import more
/// than the records do (and leave `git gc` work behind).
const PACK_LIMIT: usize = 256;

/// The in-memory object store's priority among the repository's object
/// backends: above the loose and packed ones (1 and 2 in libgit2), so new
/// objects are written to it.
const MEMPACK_PRIORITY: i32 = 1000;

/// From this many entries on, the index is written in version 4, which
/// stores each path as a change of the one before: at 100 000 records it is
/// 7.4 MB rather than 11.2, and every commit reads, hashes and writes it
/// whole (arende's `new` went from 125 to 105 ms, git's own add + commit
/// from 185 to 170). Git reads version 4 since 1.8.0 (2012), as
/// `feature.manyFiles` has it write; a small repository's index is left
/// as git wrote it.
const INDEX_V4_ENTRIES: usize = 10_000;

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
    /// The records among `writes`.
    staged: BTreeSet<RecordId>,
    /// Files read for rewriting that had changes not committed: the commit
    /// takes those along, and says so.
    uncommitted: Vec<(PathBuf, FileState, Vec<String>)>,
}

impl<'s> Transaction<'s> {
    pub(super) fn begin(store: &'s Store) -> Result<Transaction<'s>> {
        // Lock arende.yaml itself: every repository has it, and no command
        // rewrites it, so the lock leaves no file of its own behind. The
        // lock is the kernel's: it ends with the process, so it is never stale.
        let path = store.root().join(CONFIG_FILE);
        let lock = File::open(&path).map_err(|e| Error::io(&path, e))?;
        acquire(store, &lock, &path)?;
        let tx = Transaction {
            store,
            _lock: lock,
            writes: BTreeMap::new(),
            staged: BTreeSet::new(),
            uncommitted: Vec::new(),
        };
        recover(store)?;
        Ok(tx)
    }

    /// Stages a record's new document. The comment block the file starts
    /// with (an editor's schema modeline) is kept; a new record gets the
    /// modeline if the repository asks for one. `rel` is where the record
    /// is (as it was loaded), or [`Store::rel_path`] for a new one: given,
    /// not looked up, so filing a new record never walks the repository.
    pub fn write(&mut self, id: &RecordId, rel: &Path, doc: &Value) {
        let rel = rel.to_owned();
        let header = match std::fs::read_to_string(self.store.root().join(&rel)) {
            Ok(old) => yaml::leading_comments(&old).to_owned(),
            Err(_) if self.store.config().modeline => crate::editor::modeline(id.kind(), &rel),
            Err(_) => String::new(),
        };
        let text = doc
            .as_mapping()
            .map(|m| yaml::to_string_with_header(&header, m))
            .unwrap_or_default();
        self.writes.insert(rel, text.into_bytes());
        self.staged.insert(id.clone());
    }

    /// Stages any file, by its path relative to the repository root.
    pub fn write_file(&mut self, rel: PathBuf, bytes: Vec<u8>) {
        self.writes.insert(rel, bytes);
    }

    /// Notes whether the record file at `rel`, read to be rewritten, holds
    /// changes that are not committed: a commit of the rewrite takes them
    /// along, and the store's notice hook is told so, since arende did not
    /// make them.
    pub fn read_for_rewrite(&mut self, rel: &Path) -> Result<Option<FileState>> {
        if let Some(states) = self.store.file_states(&[rel.to_owned()])?
            && let Some(&state) = states.first()
            && state != FileState::Committed
        {
            self.uncommitted.push((rel.to_owned(), state, Vec::new()));
            return Ok(Some(state));
        }
        Ok(None)
    }

    /// Names the fields of an uncommitted record file that differ from HEAD,
    /// for the notice the commit gives.
    pub fn name_uncommitted_fields(&mut self, rel: &Path, fields: Vec<String>) {
        if let Some(entry) = self.uncommitted.iter_mut().find(|(p, ..)| p == rel) {
            entry.2 = fields;
        }
    }

    /// Whether a record is already staged.
    pub fn is_staged(&self, id: &RecordId) -> bool {
        self.staged.contains(id)
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
        let root = self.store.root();
        prepare_writes(root, self.writes.keys())?;
        let journal = match open_repo(root) {
            Ok(repo) => {
                let journal = Journal {
                    commit: None,
                    branch: String::new(),
                    old: None,
                    paths: self.writes.keys().cloned().collect(),
                };
                Some(journal.write(&repo)?)
            }
            Err(_) => None,
        };
        let written = write_files(root, &self.writes).map(drop);
        if let Some(path) = journal {
            remove_journal(&path);
        }
        written
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
        prepare_writes(root, self.writes.keys())?;
        let repo = open_repo(root)?;
        let prefix = repo_prefix(&repo, root)?;
        let head = HeadState::read(&repo)?;
        check_git_locks(&repo, &head)?;

        // 1. Objects: nothing a user can see changes yet. A large change (an
        // import) is written as one pack rather than a loose file per object.
        let base_tree = match head.old {
            Some(oid) => Some(repo.find_commit(oid)?.tree()?),
            None => None,
        };
        let odb = repo.odb()?;
        let mempack = if self.writes.len() > PACK_LIMIT {
            Some(odb.add_new_mempack_backend(MEMPACK_PRIORITY)?)
        } else {
            None
        };
        let mut edits: Vec<(PathBuf, Oid)> = Vec::with_capacity(self.writes.len());
        for (rel, bytes) in &self.writes {
            edits.push((prefix.join(rel), repo.blob(bytes)?));
        }
        // A small commit splices its trees (see `tree`); a large one's are
        // built by libgit2 into the pack.
        let spliced = match mempack {
            None => tree::edit(&repo, base_tree.as_ref().map(git2::Tree::id), &edits)?,
            Some(_) => None,
        };
        let tree = match spliced {
            Some(id) => repo.find_tree(id)?,
            None => repo.find_tree(edit_tree(&repo, base_tree.as_ref(), &edits)?)?,
        };
        let signature = author.signature(at)?;
        let parents = match head.old {
            Some(oid) => vec![repo.find_commit(oid)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let commit = repo.commit(None, &signature, &signature, message, &tree, &parent_refs)?;
        if let Some(mempack) = &mempack {
            let blobs = edits.iter().zip(self.writes.values());
            let blobs = blobs.map(|((_, oid), bytes)| (*oid, bytes.as_slice()));
            write_pack(&repo, &odb, mempack, blobs, &tree, commit)?;
        }

        // 2. The journal, so a kill from here on leaves a commit the next
        // command can finish; then the working tree.
        let journal = Journal {
            commit: Some(commit),
            branch: head.name().to_owned(),
            old: head.old,
            paths: self.writes.keys().cloned().collect(),
        }
        .write(&repo)?;
        let backups = match write_files(root, &self.writes) {
            Ok(b) => b,
            Err(e) => {
                remove_journal(&journal);
                return Err(e);
            }
        };

        // 3. Index: only the paths written, so what a person staged stays staged.
        let index_backup = match update_index(&repo, &edits) {
            Ok(b) => b,
            Err(e) => {
                restore_files(&backups);
                remove_journal(&journal);
                return Err(e);
            }
        };

        // 4. HEAD, only if it is still where it was when we started.
        if let Err(e) = head.advance(&repo, commit, message) {
            restore_index(&repo, index_backup);
            restore_files(&backups);
            remove_journal(&journal);
            return Err(e);
        }
        remove_journal(&journal);
        for (path, state, fields) in self.uncommitted {
            if self.writes.contains_key(&path) {
                self.store.notify(Notice::Uncommitted {
                    path,
                    state,
                    fields,
                });
            }
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

    /// The ref that moves: the branch, or HEAD itself when detached.
    fn name(&self) -> &str {
        self.branch.as_deref().unwrap_or("HEAD")
    }

    fn advance(&self, repo: &Repository, new: Oid, message: &str) -> Result<()> {
        let log = format!("arende: {}", message.lines().next().unwrap_or_default());
        let name = self.name();
        match self.old {
            Some(old) => repo.reference_matching(name, new, true, old, &log),
            None => repo.reference(name, new, false, &log),
        }
        .map_err(|e| {
            if e.code() == ErrorCode::Locked {
                Error::GitLocked {
                    path: ref_lock(repo, name),
                }
            } else {
                Error::Git {
                    message: format!(
                        "{name} moved while arende was writing ({}); nothing was changed",
                        e.message()
                    ),
                }
            }
        })?;
        Ok(())
    }
}

/// Writes the objects of the commit, gathered in memory, into the
/// repository as one pack (and its index), then empties the memory store,
/// so later reads find them in the pack. The objects are the staged files'
/// blobs, the trees on the way to them (those not in the parent's tree) and
/// the commit.
fn write_pack<'b>(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    mempack: &git2::Mempack<'_>,
    blobs: impl Iterator<Item = (Oid, &'b [u8])>,
    tree: &git2::Tree<'_>,
    commit: Oid,
) -> Result<()> {
    let mut seen = HashSet::new();
    let mut objects: Vec<(ObjectType, Vec<u8>)> = Vec::new();
    let commit_object = odb.read(commit)?;
    objects.push((ObjectType::Commit, commit_object.data().to_vec()));
    let base = repo
        .find_commit(commit)?
        .parents()
        .next()
        .map(|p| p.tree())
        .transpose()?;
    new_trees(repo, tree, base.as_ref(), &mut seen, &mut objects)?;
    let mut list: Vec<(ObjectType, &[u8])> =
        objects.iter().map(|(t, d)| (*t, d.as_slice())).collect();
    for (oid, bytes) in blobs {
        if seen.insert(oid) {
            list.push((ObjectType::Blob, bytes));
        }
    }
    write_pack_without_deltas(repo, &list)?;
    mempack.reset()?;
    odb.refresh()?;
    Ok(())
}

/// Gathers `tree` and, below it, every tree that is not the one `base` has
/// at the same path: those are the trees the commit made.
fn new_trees(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    base: Option<&git2::Tree<'_>>,
    seen: &mut HashSet<Oid>,
    out: &mut Vec<(ObjectType, Vec<u8>)>,
) -> Result<()> {
    if base.is_some_and(|b| b.id() == tree.id()) || !seen.insert(tree.id()) {
        return Ok(());
    }
    out.push((
        ObjectType::Tree,
        repo.odb()?.read(tree.id())?.data().to_vec(),
    ));
    for entry in tree.iter() {
        if entry.kind() != Some(ObjectType::Tree) {
            continue;
        }
        let sub = repo.find_tree(entry.id())?;
        let old = base
            .and_then(|b| b.get_name_bytes(entry.name_bytes()))
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| repo.find_tree(e.id()))
            .transpose()?;
        new_trees(repo, &sub, old.as_ref(), seen, out)?;
    }
    Ok(())
}

struct Backup {
    path: PathBuf,
    old: Option<Vec<u8>>,
}

/// Writes the files; their paths were checked by [`prepare_write`]. A
/// bulk change writes them in parallel: creating and renaming 100 000 files
/// one after the other was the largest part of an import.
fn write_files(root: &Path, writes: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<Backup>> {
    let sync = writes.len() <= SYNC_LIMIT;
    let write_one = |(rel, bytes): (&PathBuf, &Vec<u8>)| -> Result<Backup> {
        let path = root.join(rel);
        let old = read_if_there(&path, rel)?;
        write_atomic(&path, bytes, sync)?;
        Ok(Backup { path, old })
    };
    let results: Vec<Result<Backup>> = if sync {
        writes.iter().map(write_one).collect()
    } else {
        writes.par_iter().map(write_one).collect()
    };
    let mut backups = Vec::with_capacity(results.len());
    let mut failed = None;
    for result in results {
        match result {
            Ok(b) => backups.push(b),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        Some(e) => {
            restore_files(&backups);
            Err(e)
        }
        None => Ok(backups),
    }
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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".arende-").suffix(".tmp");
    // Made readable as git checks files out (the umask still applies), in
    // the call that makes it rather than a `chmod` after.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if sync {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

type IndexBackup = Vec<(PathBuf, Option<git2::IndexEntry>)>;

fn update_index(repo: &Repository, entries: &[(PathBuf, Oid)]) -> Result<IndexBackup> {
    let workdir = repo.workdir().map(Path::to_owned).unwrap_or_default();
    // A small commit patches the index file; a large one (an import) goes
    // through libgit2, which also moves a big index to version 4.
    if entries.len() <= PACK_LIMIT {
        let staged: Vec<index::Staged> = entries
            .iter()
            .map(|(p, blob)| index::Staged {
                path: git_path(p).into_bytes(),
                blob: *blob,
            })
            .collect();
        if let Ok(replaced) = index::stage(repo.path(), &workdir, &staged)? {
            return Ok(replaced
                .into_iter()
                .map(|(p, e)| (PathBuf::from(String::from_utf8_lossy(&p).into_owned()), e))
                .collect());
        }
    }
    let mut index = repo.index()?;
    let backup = entries
        .iter()
        .map(|(p, _)| (p.clone(), index.get_path(p, 0)))
        .collect();
    for (path, blob) in entries {
        add_to_index(&mut index, &workdir, path, *blob)?;
    }
    if index.len() >= INDEX_V4_ENTRIES && index.version() < 4 {
        index.set_version(4)?;
    }
    index.write().map_err(|e| {
        if e.code() == ErrorCode::Locked {
            Error::GitLocked {
                path: repo.path().join("index.lock"),
            }
        } else {
            e.into()
        }
    })?;
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
    let name = git_path(path).into_bytes();
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

// ------------------------------------------------------------- the lock

/// Takes the repository lock, waiting at most the store's lock timeout for
/// another command to let it go.
fn acquire(store: &Store, lock: &File, path: &Path) -> Result<()> {
    let timeout = store.lock_timeout();
    let start = Instant::now();
    let mut told = false;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(Error::Locked {
                path: path.to_owned(),
                waited_secs: timeout.as_secs_f64(),
            });
        }
        if !told {
            store.notify(Notice::WaitingForLock {
                path: path.to_owned(),
                timeout,
            });
            told = true;
        }
        std::thread::sleep((timeout - waited).min(Duration::from_millis(25)));
    }
}

/// Refuses to start a commit while git's own lock files are there: git (or
/// an arende that was killed) holds the index or the branch, and writing
/// past it would fail half-way.
fn check_git_locks(repo: &Repository, head: &HeadState) -> Result<()> {
    for path in [repo.path().join("index.lock"), ref_lock(repo, head.name())] {
        if path.symlink_metadata().is_ok() {
            return Err(Error::GitLocked { path });
        }
    }
    Ok(())
}

/// The lock file git takes to move the ref `name`.
fn ref_lock(repo: &Repository, name: &str) -> PathBuf {
    // A branch's ref lives in the common git folder of all worktrees.
    let base = if name == "HEAD" {
        repo.path()
    } else {
        repo.commondir()
    };
    base.join(format!("{name}.lock"))
}

// ------------------------------------------------------ the journal

/// The journal's file name, in the git folder.
const JOURNAL: &str = "arende-journal";

/// What a transaction is writing, kept while it writes.
#[derive(Debug, PartialEq, Eq)]
struct Journal {
    /// The commit being made (`None`: working tree only).
    commit: Option<Oid>,
    /// The ref it moves.
    branch: String,
    /// Where that ref was.
    old: Option<Oid>,
    /// The files, relative to the record repository.
    paths: Vec<PathBuf>,
}

impl Journal {
    fn to_text(&self) -> String {
        let oid = |o: Option<Oid>| o.map_or_else(|| "none".to_owned(), |o| o.to_string());
        let mut out = format!(
            "arende journal 1\ncommit {}\nref {}\nold {}\n",
            oid(self.commit),
            self.branch,
            oid(self.old)
        );
        for p in &self.paths {
            out.push_str(&format!("path {}\n", p.display()));
        }
        out
    }

    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != "arende journal 1" {
            return None;
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' '))
                .map(str::to_owned)
        };
        let oid = |v: String| match v.as_str() {
            "none" => Some(None),
            hex => Oid::from_str(hex).ok().map(Some),
        };
        let commit = oid(field("commit")?)?;
        let branch = field("ref")?;
        let old = oid(field("old")?)?;
        let paths = lines
            .map(|l| l.strip_prefix("path ").map(PathBuf::from))
            .collect::<Option<Vec<_>>>()?;
        Some(Journal {
            commit,
            branch,
            old,
            paths,
        })
    }

    /// Writes the journal; returns its path.
    fn write(&self, repo: &Repository) -> Result<PathBuf> {
        let path = repo.path().join(JOURNAL);
        write_atomic(&path, self.to_text().as_bytes(), false)?;
        Ok(path)
    }
}

fn remove_journal(path: &Path) {
    // Best effort: a journal left behind is found by the next command, which
    // sees the commit already on HEAD and only removes it.
    let _ = std::fs::remove_file(path);
}

/// What a killed transaction left: its temporary files are removed, and its
/// commit is finished if the files it wrote are as it wrote them.
fn recover(store: &Store) -> Result<()> {
    let root = store.root();
    let Ok(repo) = open_repo(root) else {
        return Ok(());
    };
    let journal_path = repo.path().join(JOURNAL);
    let mut removed = remove_temp_files(repo.path(), Path::new(".git"));
    let text = match read_if_there(&journal_path, Path::new(JOURNAL)) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(None) => {
            report_removed(store, removed);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let Some(journal) = Journal::parse(&text) else {
        report_removed(store, removed);
        store.notify(Notice::InterruptedLeftover {
            reason: format!("its journal {} is unreadable", journal_path.display()),
            paths: Vec::new(),
        });
        remove_journal(&journal_path);
        return Ok(());
    };
    let mut folders: Vec<&Path> = journal
        .paths
        .iter()
        .map(|p| p.parent().unwrap_or(Path::new("")))
        .collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        // Only real folders inside the repository: the journal is text a
        // person could have edited.
        if super::paths::check_folders(root, &folder.join("x")).is_ok() {
            removed.extend(remove_temp_files(&root.join(folder), folder));
        }
    }
    report_removed(store, removed);
    if let Some(notice) = finish(store, &repo, &journal)? {
        store.notify(notice);
    }
    remove_journal(&journal_path);
    Ok(())
}

fn report_removed(store: &Store, paths: Vec<PathBuf>) {
    if !paths.is_empty() {
        store.notify(Notice::RemovedTempFiles { paths });
    }
}

/// Removes the `.arende-*.tmp` files directly in `dir` (shown as `shown`):
/// [`write_atomic`]'s, which only a transaction makes, under the lock this
/// one now holds, so they are left by a command that was killed.
fn remove_temp_files(dir: &Path, shown: &Path) -> Vec<PathBuf> {
    let Ok(items) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for item in items.flatten() {
        let name = item.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with(".arende-") && name.ends_with(".tmp");
        if ours
            && item.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(item.path()).is_ok()
        {
            removed.push(shown.join(&*name));
        }
    }
    removed
}

/// Finishes a killed transaction's commit, returning what to tell: that it
/// was finished, or why it cannot be. An error of the repository (a git lock
/// still there) is returned as such, and the journal is kept for the next try.
fn finish(store: &Store, repo: &Repository, journal: &Journal) -> Result<Option<Notice>> {
    let root = store.root();
    let Some(commit_id) = journal.commit else {
        return Ok(None);
    };
    let leftover = |reason: String| {
        Ok(Some(Notice::InterruptedLeftover {
            reason,
            paths: journal.paths.clone(),
        }))
    };
    let head = HeadState::read(repo)?;
    if head.old == Some(commit_id) {
        return Ok(None); // killed after HEAD moved: nothing left to do
    }
    if head.name() != journal.branch || head.old != journal.old {
        return leftover(format!("{} has moved since", journal.branch));
    }
    let Ok(commit) = repo.find_commit(commit_id) else {
        return leftover(format!("its commit {commit_id} is not in the repository"));
    };
    let prefix = repo_prefix(repo, root)?;
    let new_tree = commit.tree()?;
    let old_tree = match journal.old {
        Some(oid) => Some(repo.find_commit(oid)?.tree()?),
        None => None,
    };
    let mut to_write: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let mut entries = Vec::with_capacity(journal.paths.len());
    let mut changed = Vec::new();
    for rel in &journal.paths {
        let git_path = prefix.join(rel);
        let Ok(new) = new_tree.get_path(&git_path).map(|e| e.id()) else {
            return leftover(format!("its commit has no {}", rel.display()));
        };
        let old = old_tree
            .as_ref()
            .and_then(|t| t.get_path(&git_path).ok())
            .map(|e| e.id());
        let on_disk =
            match prepare_write(root, rel).and_then(|()| read_if_there(&root.join(rel), rel)) {
                Ok(bytes) => bytes
                    .map(|b| Oid::hash_object(ObjectType::Blob, &b))
                    .transpose()?,
                Err(e) => return leftover(e.to_string()),
            };
        if on_disk == Some(new) {
            // written before the kill
        } else if on_disk == old {
            to_write.insert(rel.clone(), repo.find_blob(new)?.content().to_vec());
        } else {
            changed.push(rel.clone());
        }
        entries.push((git_path, new));
    }
    if !changed.is_empty() {
        return Ok(Some(Notice::InterruptedLeftover {
            reason: "some of its files were changed since".to_owned(),
            paths: changed,
        }));
    }
    check_git_locks(repo, &head)?;
    write_files(root, &to_write)?;
    update_index(repo, &entries)?;
    let summary = commit
        .summary()
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_owned();
    head.advance(repo, commit_id, &summary)?;
    Ok(Some(Notice::FinishedInterrupted {
        commit: commit_id,
        summary,
        files: journal.paths.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reads_back_as_written() {
        let j = Journal {
            commit: Some(Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap()),
            branch: "refs/heads/main".into(),
            old: None,
            paths: vec![
                "incidents/INC-20261122-AAAAAA.yaml".into(),
                "arende.yaml".into(),
            ],
        };
        assert_eq!(Journal::parse(&j.to_text()), Some(j));
        assert_eq!(Journal::parse("arende journal 1\ncommit nonsense\n"), None);
        assert_eq!(Journal::parse(""), None);
    }
}
