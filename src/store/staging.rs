//! What a commit changes in git's index, and putting it there: the blobs
//! staged from the files just written (from their stat, not hashed again),
//! the paths taken out, and the index's cached trees brought up to date.

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Oid, Repository};

use super::git::{git_path, open_repo, repo_prefix};
use super::gitindex::LockedIndex;
use crate::error::{Error, Result};
use crate::fs::read_if_there;

/// From this many entries on, the index is written in version 4, which
/// stores each path as a change of the one before: at 100 000 records it is
/// 7.4 MB rather than 11.2, and every commit reads, hashes and writes it
/// whole. Git reads version 4 since 1.8.0 (2012), as `feature.manyFiles`
/// has it write; a small repository's index is left as git wrote it.
const INDEX_V4_ENTRIES: usize = 10_000;

/// What a commit changes in the index: blobs put at paths (relative to the
/// work tree) and paths taken out.
#[derive(Default)]
pub(super) struct Staging {
    pub add: Vec<(PathBuf, Oid)>,
    pub remove: Vec<PathBuf>,
}

impl Staging {
    /// Stages the change in the locked index from the files as they are
    /// now, brings its cached trees up to date (through `repo`'s object
    /// cache) and writes it beside the old index, for
    /// [`LockedIndex::commit`] to put in place.
    pub fn write_to(&self, repo: &Repository, index: &mut LockedIndex) -> Result<()> {
        // `open_repo` refuses a bare repository, so there is a work tree;
        // without one, the files would be looked for from the current folder.
        let workdir = repo.workdir().ok_or_else(|| Error::NoGit {
            dir: repo.path().to_owned(),
        })?;
        stage_entries(&mut index.index, workdir, self)?;
        cache_trees(repo, &mut index.index);
        index.write()
    }
}

/// Brings every cached tree of the index up to date, as `git commit`
/// leaves them: git's next `commit` then finds nothing to recompute and
/// does not write the index back, so it cannot write back a copy it read
/// before this commit's index was in place. When the index holds exactly
/// the commit's tree (nothing else staged) every tree is already in the
/// object store and nothing is written; otherwise the trees of what a
/// person staged are written, as `git write-tree` would. An index that has
/// no tree (conflicts) is left with the trees it had invalid.
fn cache_trees(repo: &Repository, index: &mut git2::Index) {
    let _ = index.write_tree_to(repo);
}

/// Stages the working-tree file at `rel` (relative to the record
/// repository at `root`) as `git add` would, resolving a conflict git left
/// on it, under git's lock on the index, waiting at most `timeout` for it.
pub fn stage_file(root: &Path, rel: &Path, timeout: Duration) -> Result<()> {
    let repo = open_repo(root)?;
    let git_path = repo_prefix(&repo, root)?.join(rel);
    let bytes = read_if_there(&root.join(rel), rel)?
        .ok_or_else(|| Error::io(rel, std::io::ErrorKind::NotFound.into()))?;
    let blob = repo.blob(&bytes)?;
    let mut index = LockedIndex::take(&repo, timeout)?;
    if (1..=3).any(|stage| index.index.get_path(&git_path, stage).is_some()) {
        index.index.conflict_remove(&git_path)?;
    }
    let staging = Staging {
        add: vec![(git_path, blob)],
        remove: Vec::new(),
    };
    staging.write_to(&repo, &mut index)?;
    index.commit()
}

/// Puts the staged blobs in the index and takes the removed paths out.
fn stage_entries(index: &mut git2::Index, workdir: &Path, staging: &Staging) -> Result<()> {
    for (path, blob) in &staging.add {
        add_to_index(index, workdir, path, *blob)?;
    }
    for path in &staging.remove {
        if index.get_path(path, 0).is_some() {
            index.remove_path(path)?;
        }
    }
    if index.len() >= INDEX_V4_ENTRIES && index.version() < 4 {
        index.set_version(4)?;
    }
    Ok(())
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
