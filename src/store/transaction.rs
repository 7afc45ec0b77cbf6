//! Every change to a record repository goes through a [`Transaction`]: the
//! repository is locked, the new files are staged in memory, and `commit`
//! either lands all of them, with one git commit, or leaves the working tree,
//! the index and HEAD exactly as they were.
//!
//! Git is written only through libgit2, with git's own locks: the index is
//! locked before it is read and until it is replaced (see [`super::gitindex`]),
//! the branch moves only if it is still where it was. A commit whose index
//! holds exactly HEAD's tree takes its tree from the index, so every cached
//! tree in the index is valid afterwards and git's next `commit` has no
//! reason to write the index back.
//!
//! A command killed half-way cannot roll anything back, so while it writes
//! it keeps a journal (see [`journal`](super::journal)).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{ObjectType, Oid, Repository};
use rayon::prelude::*;

use super::files::{Backup, remove_files, restore_files, write_files};
use super::git::{Author, edit_tree, open_repo, repo_prefix, write_pack_without_deltas};
use super::gitindex::LockedIndex;
use super::head::HeadState;
use super::journal::{Journal, recover, remove_journal};
use super::ledger::Ledger;
use super::notice::{FileState, Notice};
use super::staging::Staging;
use super::{Store, filed_right, flat_path, home_path};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::fs::{self, prepare_writes};
use crate::id::RecordId;
use crate::time::Timestamp;
use crate::yaml::{self, Mapping};

/// Above this many files a commit writes its objects as one pack: a loose
/// object is a file of its own, and 100 000 of them cost an import more
/// than the records do (and leave `git gc` work behind).
const PACK_LIMIT: usize = 256;

/// The in-memory object store's priority among the repository's object
/// backends: above the loose and packed ones (1 and 2 in libgit2), so new
/// objects are written to it.
const MEMPACK_PRIORITY: i32 = 1000;

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
    /// Records written away from their own folder (by a person's `mv`):
    /// where each was read, and the record and the path a commit moves it to.
    moves: BTreeMap<PathBuf, Move>,
    /// The records among `writes`.
    staged: BTreeSet<RecordId>,
    /// Files read for rewriting that had changes not committed: the commit
    /// takes those along, and says so.
    uncommitted: Vec<(PathBuf, FileState, Vec<String>)>,
}

/// A record written away from its own folder, and where a commit puts it.
struct Move {
    id: RecordId,
    to: PathBuf,
}

impl<'s> Transaction<'s> {
    pub(super) fn begin(store: &'s Store) -> Result<Transaction<'s>> {
        // Lock arende.yaml itself: every repository has it, and no command
        // rewrites it, so the lock leaves no file of its own behind. The
        // lock is the kernel's: it ends with the process, so it is never stale.
        let path = store.root().join(CONFIG_FILE);
        let lock = fs::open_regular(&path, Path::new(CONFIG_FILE))?;
        acquire(store, &lock, &path)?;
        let tx = Transaction {
            store,
            _lock: lock,
            writes: BTreeMap::new(),
            moves: BTreeMap::new(),
            staged: BTreeSet::new(),
            uncommitted: Vec::new(),
        };
        recover(store)?;
        Ok(tx)
    }

    /// Stages a record's new document. The comment block the file starts
    /// with (an editor's schema modeline) is kept; a file not there yet
    /// starts with `new_header` (the modeline, if the repository asks for
    /// one; the caller makes it, the store knows nothing of editors). `rel`
    /// is where the record is (as it was loaded), or [`Store::rel_path`] for
    /// a new one: given, not looked up, so filing a new record never walks
    /// the repository. A file there that does not read (not UTF-8, no
    /// permission) is an error: its comments would otherwise be lost.
    pub fn write(
        &mut self,
        id: &RecordId,
        rel: &Path,
        doc: &Mapping,
        new_header: &str,
    ) -> Result<()> {
        let rel = rel.to_owned();
        let header = match std::fs::read_to_string(self.store.root().join(&rel)) {
            Ok(old) => yaml::leading_comments(&old).to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => new_header.to_owned(),
            Err(e) => return Err(Error::io(rel, e)),
        };
        let text = yaml::to_string_with_header(&header, doc);
        if !filed_right(&rel, id.kind(), id) {
            let to = home_path(id.kind(), id);
            self.moves.insert(rel.clone(), Move { id: id.clone(), to });
        }
        self.writes.insert(rel, text.into_bytes());
        self.staged.insert(id.clone());
        Ok(())
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

    /// [`Transaction::read_for_rewrite`] for many files, with one reading
    /// of git's index; each file's state in the order given.
    pub fn read_many_for_rewrite(&mut self, rels: &[PathBuf]) -> Result<Vec<Option<FileState>>> {
        let Some(states) = self.store.file_states(rels)? else {
            return Ok(vec![None; rels.len()]);
        };
        let mut out = Vec::with_capacity(rels.len());
        for (rel, state) in rels.iter().zip(states) {
            if state == FileState::Committed {
                out.push(None);
            } else {
                self.uncommitted.push((rel.clone(), state, Vec::new()));
                out.push(Some(state));
            }
        }
        Ok(out)
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
    /// left alone (a record away from its folder stays where it is). On
    /// failure the files written so far are put back.
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
                    removed: Vec::new(),
                };
                Some(journal.write(&repo, &repo_prefix(&repo, root)?)?)
            }
            Err(_) => None,
        };
        let written = write_files(root, &self.writes).map(drop);
        if let Some(path) = journal {
            remove_journal(&path);
        }
        written
    }

    /// Lands the staged files and commits them on HEAD's branch as one
    /// commit, whose ID is returned; nothing else in the index is committed
    /// or changed. A record found away from its own folder is moved there
    /// in the same commit. On any failure the working tree, the index and
    /// the branch are as they were.
    pub fn commit(mut self, message: &str, author: &Author, at: &Timestamp) -> Result<Option<Oid>> {
        if self.writes.is_empty() {
            return Ok(None);
        }
        let root = self.store.root();
        let repo = open_repo(root)?;
        let mut head = HeadState::for_commit(&repo)?;
        let prefix = repo_prefix(&repo, root)?;
        let base = head.tree(&repo)?;
        let removed = self.settle_paths(base.as_ref(), &prefix)?;
        prepare_writes(root, self.writes.keys())?;
        // The trees the index's cache will be built from are read on the
        // other core while the index is: at 100 000 records those two reads
        // were two thirds of `new`.
        let warm = base
            .as_ref()
            .map(|tree| warm_in_background(root, tree.id()));
        // The index is read before anything is written, so a refusal (an
        // index libgit2 cannot read) leaves nothing behind; git's lock on
        // it is taken only at the end (step 3).
        let mut index = LockedIndex::read(&repo)?;

        // 1. Objects: nothing a user can see changes yet. A large change
        // (an import) is written as one pack.
        let odb = repo.odb()?;
        let large = self.writes.len() > PACK_LIMIT;
        let mempack = large
            .then(|| odb.add_new_mempack_backend(MEMPACK_PRIORITY))
            .transpose()?;
        let objects = self.write_blobs(&repo, &prefix, &removed, &index, large)?;
        let signature = author.signature(at)?;
        let made = Made {
            repo: &repo,
            signature: &signature,
            message,
            staging: &objects.staging,
        };
        let commit = match &mempack {
            Some(mempack) => self.commit_packed(&made, &head, &odb, mempack)?,
            None => made.commit_on(&head)?,
        };

        // 2. The journal, so a kill from here on leaves a commit the next
        // command can finish; then the working tree.
        let mut journal = Journal {
            commit: Some(commit),
            branch: head.branch.clone(),
            old: head.old,
            paths: objects.paths(),
            removed,
        };
        let (journal_path, backups) = self.write_journaled(&repo, &prefix, &journal)?;

        // 3. Under git's lock on the index: the index and the branch.
        let warm = warm.and_then(|t| t.join().ok()).and_then(|r| r.ok());
        let mut branch = Branch {
            made: &made,
            head: &mut head,
            journal: &mut journal,
            prefix: &prefix,
        };
        let landed = branch.land(&mut index, warm.as_ref(), commit, self.store.lock_timeout());
        let commit = match landed {
            Ok(commit) => commit,
            Err(e) => {
                restore_files(&backups);
                remove_journal(&journal_path);
                return Err(e);
            }
        };
        index.commit()?;
        remove_journal(&journal_path);
        self.after_commit(objects);
        Ok(Some(commit))
    }

    /// Writes `journal`, then the working tree's files; if the files cannot
    /// be written, the journal goes again. Gives the journal's path and what
    /// the files were before.
    fn write_journaled(
        &self,
        repo: &Repository,
        prefix: &Path,
        journal: &Journal,
    ) -> Result<(PathBuf, Vec<Backup>)> {
        let journal_path = journal.write(repo, prefix)?;
        match self.write_working_tree(&journal.removed) {
            Ok(backups) => Ok((journal_path, backups)),
            Err(e) => {
                remove_journal(&journal_path);
                Err(e)
            }
        }
    }

    /// The blobs of the files written, and of the files git's own commands
    /// dropped from the index since arende committed them (they go back
    /// in with this commit, see `ledger`), staged for the commit's tree.
    fn write_blobs(
        &self,
        repo: &Repository,
        prefix: &Path,
        removed: &[PathBuf],
        index: &LockedIndex,
        large: bool,
    ) -> Result<Objects> {
        let mut staging = Staging::default();
        if large {
            // The pack takes a large change's blobs from the staged files
            // (`pack_objects`): here they are only named. Stored in the
            // in-memory object store as well, they were a third of the
            // peak of an import of 100 000 records.
            let files: Vec<(&PathBuf, &Vec<u8>)> = self.writes.iter().collect();
            staging.add = files
                .par_iter()
                .map(|(rel, bytes)| {
                    Ok((prefix.join(rel), Oid::hash_object(ObjectType::Blob, bytes)?))
                })
                .collect::<Result<_>>()?;
        } else {
            for (rel, bytes) in &self.writes {
                staging.add.push((prefix.join(rel), repo.blob(bytes)?));
            }
        }
        let written: Vec<(PathBuf, Oid)> = self
            .writes
            .keys()
            .cloned()
            .zip(staging.add.iter().map(|(_, oid)| *oid))
            .collect();
        staging.remove = removed.iter().map(|r| prefix.join(r)).collect();
        let ledger = Ledger::read(repo, prefix);
        let skip: BTreeSet<&PathBuf> = self.writes.keys().chain(removed).collect();
        let restored = ledger.dropped(&index.index, prefix, self.store.root(), &skip);
        for (rel, blob) in &restored {
            staging.add.push((prefix.join(rel), *blob));
        }
        Ok(Objects {
            staging,
            written,
            restored,
            ledger,
        })
    }

    /// Makes the commit of a large change on `head` and writes its
    /// objects, held in memory until now, as one pack.
    fn commit_packed(
        &self,
        made: &Made<'_>,
        head: &HeadState,
        odb: &git2::Odb<'_>,
        mempack: &git2::Mempack<'_>,
    ) -> Result<Oid> {
        let commit = {
            // A large change's blobs are only named so far (`write_blobs`):
            // its trees are made without libgit2 looking them up, and the
            // indexer that writes the pack checks that every entry of every
            // tree is in the pack or the repository before the pack is used.
            let _lenient = Lenient::new();
            made.commit_on(head)?
        };
        self.pack_objects(made, odb, mempack, commit)?;
        Ok(commit)
    }

    /// Writes the objects of a large change, held in memory until now, as
    /// one pack.
    fn pack_objects(
        &self,
        made: &Made<'_>,
        odb: &git2::Odb<'_>,
        mempack: &git2::Mempack<'_>,
        commit: Oid,
    ) -> Result<()> {
        let blobs = made.staging.add.iter().zip(self.writes.values());
        let blobs = blobs.map(|((_, oid), bytes)| (*oid, bytes.as_slice()));
        let tree = made.repo.find_commit(commit)?.tree()?;
        write_pack(
            made.repo,
            self.store.root(),
            odb,
            mempack,
            blobs,
            &tree,
            commit,
        )
    }

    /// Writes the files and removes the ones the commit removes, returning
    /// what they were; on a failure the files already written are put back.
    fn write_working_tree(&self, removed: &[PathBuf]) -> Result<Vec<Backup>> {
        let root = self.store.root();
        let mut backups = write_files(root, &self.writes)?;
        match remove_files(root, removed.iter()) {
            Ok(b) => {
                backups.extend(b);
                Ok(backups)
            }
            Err(e) => {
                restore_files(&backups);
                Err(e)
            }
        }
    }

    /// Notes the files filed in the ledger and tells the notice hook what
    /// the commit took along.
    fn after_commit(&mut self, objects: Objects) {
        objects.ledger.note(objects.written);
        if !objects.restored.is_empty() {
            self.store.notify(Notice::Restored {
                paths: objects.restored.into_iter().map(|(rel, _)| rel).collect(),
            });
        }
        self.tell_uncommitted();
    }

    /// Tells the notice hook of the files the commit took along with
    /// changes arende did not make.
    fn tell_uncommitted(&mut self) {
        for (path, state, fields) in std::mem::take(&mut self.uncommitted) {
            let path = self.moves.get(&path).map_or(path, |m| m.to.clone());
            if self.writes.contains_key(&path) {
                self.store.notify(Notice::Uncommitted {
                    path,
                    state,
                    fields,
                });
            }
        }
    }

    /// Gives every record written one path: one found away from its own
    /// folder is written there instead, and the files it leaves (where it
    /// was read, or where HEAD has it while the working tree does not) are
    /// returned, to be removed by the commit. A record whose other file is
    /// still in the working tree is refused: which one is right is for a
    /// person to say.
    fn settle_paths(
        &mut self,
        base: Option<&git2::Tree<'_>>,
        prefix: &Path,
    ) -> Result<Vec<PathBuf>> {
        let mut removed = BTreeSet::new();
        for (from, m) in std::mem::take(&mut self.moves) {
            if let Some(bytes) = self.writes.remove(&from) {
                if self.store.root().join(&m.to).symlink_metadata().is_ok() {
                    return Err(Error::RecordTwice {
                        id: m.id.to_string(),
                        path: m.to,
                        other: from,
                    });
                }
                self.writes.insert(m.to.clone(), bytes);
                self.moves.insert(from.clone(), m);
                removed.insert(from);
            }
        }
        let Some(base) = base else {
            return Ok(removed.into_iter().collect());
        };
        for rel in self.writes.keys() {
            let Some(id) = record_id(rel) else { continue };
            for other in [home_path(id.kind(), &id), flat_path(id.kind(), &id)] {
                if other == *rel
                    || removed.contains(&other)
                    || base.get_path(&prefix.join(&other)).is_err()
                {
                    continue;
                }
                if self.store.root().join(&other).symlink_metadata().is_ok() {
                    return Err(Error::RecordTwice {
                        id: id.to_string(),
                        path: rel.clone(),
                        other,
                    });
                }
                removed.insert(other);
            }
        }
        Ok(removed.into_iter().collect())
    }
}

/// The record ID a record file's name gives, for a file in a kind's folder.
fn record_id(rel: &Path) -> Option<RecordId> {
    let stem = rel.file_stem()?.to_str()?;
    let id = RecordId::parse(stem).ok()?;
    rel.starts_with(id.kind().dir()).then_some(id)
}

/// How many times a commit is made again on a branch that git's own
/// commits keep moving before arende gives up (exit 3, nothing changed).
const MAX_REBASES: usize = 10;

/// What step 1 of a commit wrote: the staged blobs, the files written
/// (for the ledger) and the files it takes back into the index.
struct Objects {
    staging: Staging,
    written: Vec<(PathBuf, Oid)>,
    restored: Vec<(PathBuf, Oid)>,
    ledger: Ledger,
}

impl Objects {
    /// Every file the commit writes, relative to the record repository.
    fn paths(&self) -> Vec<PathBuf> {
        let written = self.written.iter().map(|(rel, _)| rel.clone());
        written
            .chain(self.restored.iter().map(|(rel, _)| rel.clone()))
            .collect()
    }
}

/// The branch, moved to a commit with the crash journal following it.
struct Branch<'a, 'r> {
    made: &'a Made<'r>,
    head: &'a mut HeadState,
    journal: &'a mut Journal,
    prefix: &'a Path,
}

impl Branch<'_, '_> {
    /// Under git's lock on the index: the files staged from what was just
    /// written (their stat is what git compares), its cached trees brought
    /// up to date (see `cache_trees`, through `warm`'s object cache),
    /// written beside the old one; then the branch moved to `commit`. The
    /// index is put in place by the caller while the lock is still held,
    /// so git sees both change under its lock.
    fn land(
        &mut self,
        index: &mut LockedIndex,
        warm: Option<&Repository>,
        commit: Oid,
        timeout: Duration,
    ) -> Result<Oid> {
        index.lock(timeout)?;
        let repo = warm.unwrap_or(self.made.repo);
        self.made.staging.write_to(repo, index)?;
        self.advance(commit, timeout)
    }

    /// Moves the branch to `commit` if it is still where it was, and
    /// returns the commit that landed: a commit of git's that landed
    /// meanwhile gets this commit made again on it (at most
    /// [`MAX_REBASES`] times), if it left this commit's files alone.
    fn advance(&mut self, mut commit: Oid, timeout: Duration) -> Result<Oid> {
        let repo = self.made.repo;
        let mut rebased = 0;
        loop {
            if self
                .head
                .advance(repo, commit, self.made.message, timeout)?
            {
                return Ok(commit);
            }
            if rebased == MAX_REBASES {
                return Err(self.head.moved());
            }
            rebased += 1;
            let Some((now, again)) = self.made.again(self.head)? else {
                return Err(self.head.moved());
            };
            (*self.head, commit) = (now, again);
            (self.journal.commit, self.journal.old) = (Some(commit), self.head.old);
            self.journal.write(repo, self.prefix)?;
        }
    }
}

/// What a commit is made of, to make it on the branch's tip, and again on
/// a newer tip.
struct Made<'a> {
    repo: &'a Repository,
    signature: &'a git2::Signature<'static>,
    message: &'a str,
    staging: &'a Staging,
}

impl Made<'_> {
    /// The commit of the change on `head`'s tip.
    fn commit_on(&self, head: &HeadState) -> Result<Oid> {
        let base = head.tree(self.repo)?;
        let tree = edit_tree(
            self.repo,
            base.as_ref(),
            &self.staging.add,
            &self.staging.remove,
        )?;
        let tree = self.repo.find_tree(tree)?;
        let parents = match head.old {
            Some(oid) => vec![self.repo.find_commit(oid)?],
            None => Vec::new(),
        };
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let sig = self.signature;
        Ok(self
            .repo
            .commit(None, sig, sig, self.message, &tree, &parents)?)
    }

    /// The commit made again on the branch's new tip, with that tip;
    /// `None` if the commits since `was` changed any of this commit's
    /// files (then which version is right is for a person to say).
    fn again(&self, was: &HeadState) -> Result<Option<(HeadState, Oid)>> {
        let now = HeadState::for_commit(self.repo)?;
        if now.branch != was.branch {
            return Ok(None);
        }
        let (old, new) = (was.tree(self.repo)?, now.tree(self.repo)?);
        let blob = |tree: &Option<git2::Tree<'_>>, path: &Path| {
            tree.as_ref()
                .and_then(|t| t.get_path(path).ok())
                .map(|e| e.id())
        };
        let paths = self.staging.add.iter().map(|(p, _)| p);
        if paths
            .chain(&self.staging.remove)
            .any(|p| blob(&old, p) != blob(&new, p))
        {
            return Ok(None);
        }
        let commit = self.commit_on(&now)?;
        Ok(Some((now, commit)))
    }
}

/// [`warm_trees`] on a thread of its own.
fn warm_in_background(root: &Path, tree: Oid) -> std::thread::JoinHandle<Result<Repository>> {
    let root = root.to_owned();
    std::thread::spawn(move || warm_trees(&root, tree))
}

/// The repository at `root`, opened anew, with every tree under `tree`
/// read into its object cache, where bringing the index's cached trees up
/// to date (`Staging::write_to`) finds them.
fn warm_trees(root: &Path, tree: Oid) -> Result<Repository> {
    let repo = open_repo(root)?;
    let mut todo = vec![tree];
    while let Some(id) = todo.pop() {
        let tree = repo.find_tree(id)?;
        todo.extend(
            tree.iter()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id()),
        );
    }
    Ok(repo)
}

/// Writes the objects of the commit, gathered in memory, into the
/// repository as one pack (and its index), then empties the memory store,
/// so later reads find them in the pack. The objects are the staged files'
/// blobs, the trees on the way to them (those not in the parent's tree) and
/// the commit. libgit2's indexer checks every object against a view of the
/// repository without the memory store, so the pack is refused unless
/// everything it refers to is in it or already on disk.
fn write_pack<'b>(
    repo: &Repository,
    root: &Path,
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
    let on_disk = open_repo(root)?;
    write_pack_without_deltas(&on_disk, &list)?;
    mempack.reset()?;
    odb.refresh()?;
    Ok(())
}

/// libgit2's check, as it writes an object, that the objects it names
/// exist: off while this lives, on again when it is dropped, whatever way
/// the scope is left.
struct Lenient;

impl Lenient {
    fn new() -> Lenient {
        git2::opts::strict_object_creation(false);
        Lenient
    }
}

impl Drop for Lenient {
    fn drop(&mut self) {
        git2::opts::strict_object_creation(true);
    }
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
