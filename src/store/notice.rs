//! What the store tells on the side, and how working-tree files stand
//! against what git has committed.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{ObjectType, Oid};
use rayon::prelude::*;

use super::Store;
use super::git::{open_repo, repo_prefix};
use crate::error::{Error, Result};

/// Something the store found or did that a person should hear about, though
/// the command goes on.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Another command holds the repository lock; this one waits for it.
    WaitingForLock {
        /// The lock file.
        path: PathBuf,
        /// How long it waits at most.
        timeout: Duration,
    },
    /// Temporary files a killed command left were removed.
    RemovedTempFiles {
        /// The files, relative to the repository root.
        paths: Vec<PathBuf>,
    },
    /// A command killed while it committed left its commit half made; this
    /// one finished it.
    FinishedInterrupted {
        /// The commit now on HEAD.
        commit: Oid,
        /// Its first line.
        summary: String,
        /// How many files it has.
        files: usize,
    },
    /// A command killed while it committed left files that could not be
    /// committed for it; they are left in the working tree.
    InterruptedLeftover {
        /// Why it could not be finished.
        reason: String,
        /// The files it was writing, relative to the repository root.
        paths: Vec<PathBuf>,
    },
    /// A record about to be rewritten and committed had changes that are not
    /// committed, which arende did not make; they go into the commit too.
    Uncommitted {
        /// The record file, relative to the repository root.
        path: PathBuf,
        /// How it stands against HEAD.
        state: FileState,
        /// The fields that differ from HEAD's version (recorded in the
        /// record's history too); empty when HEAD has none.
        fields: Vec<String>,
    },
    /// Files an earlier arende commit committed, which a git command
    /// running at the same moment dropped from git's index, are committed
    /// again with this commit.
    Restored {
        /// The files, relative to the repository root.
        paths: Vec<PathBuf>,
    },
}

/// How a working-tree file stands against HEAD and the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// HEAD and the index hold exactly these bytes.
    Committed,
    /// HEAD has the file, with other bytes (or the index differs).
    Changed,
    /// HEAD does not have the file (untracked, or only staged).
    NotInHead,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::WaitingForLock { path, timeout } => write!(
                f,
                "waiting for another arende command to finish (it holds the lock on {}); giving up after {} s",
                path.display(),
                timeout.as_secs_f64()
            ),
            Notice::RemovedTempFiles { paths } => write!(
                f,
                "removed {} temporary file(s) a killed arende command left: {}",
                paths.len(),
                list(paths)
            ),
            Notice::FinishedInterrupted {
                commit,
                summary,
                files,
            } => write!(
                f,
                "an arende command was killed while it committed; its commit {commit:.7} \"{summary}\" ({files} file(s)) is now finished"
            ),
            Notice::InterruptedLeftover { reason, paths } => write!(
                f,
                "an arende command was killed while it committed, and its commit could not be finished ({reason}); the files it was writing are left as they are, not committed: {} — look at them with `git status` and `git diff`, then commit or undo them",
                list(paths)
            ),
            Notice::Uncommitted {
                path,
                state,
                fields,
            } => write!(
                f,
                "{} {}; those changes are committed with this one and recorded in its history (`git show HEAD -- {}` shows them)",
                path.display(),
                match state {
                    FileState::NotInHead =>
                        "was not committed before (it is not in HEAD)".to_owned(),
                    _ if fields.is_empty() => "had changes that were not committed".to_owned(),
                    _ => format!(
                        "had changes that were not committed, to {}",
                        fields.join(", ")
                    ),
                },
                path.display()
            ),
            Notice::Restored { paths } => write!(
                f,
                "git dropped {} from its index after arende committed it (a `git commit` that read the index before that commit wrote it back afterwards); committed again with this change: {}",
                if paths.len() == 1 { "a file" } else { "files" },
                list(paths)
            ),
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    let mut out: Vec<String> = paths
        .iter()
        .take(5)
        .map(|p| p.display().to_string())
        .collect();
    if paths.len() > 5 {
        out.push(format!("and {} more", paths.len() - 5));
    }
    out.join(", ")
}

pub(super) fn file_states(store: &Store, rels: &[PathBuf]) -> Result<Option<Vec<FileState>>> {
    let root = store.root();
    let repo = match open_repo(root) {
        Ok(repo) => repo,
        Err(Error::NoGit { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let prefix = repo_prefix(&repo, root)?;
    let tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(_) => None, // no commits yet
    };
    let index = super::gitindex::read_index(&repo)?;
    // What git has, path by path (git objects are not shared across
    // threads). Each folder's tree is looked up once: libgit2 does not cache
    // a large tree object, and reading (and hashing) a folder of thousands
    // of records once per record made an import's no-op re-run quadratic.
    let mut folders: std::collections::HashMap<PathBuf, Option<git2::Tree<'_>>> =
        std::collections::HashMap::new();
    let known: Vec<(Option<Oid>, Option<Oid>)> = rels
        .iter()
        .map(|rel| {
            let path = prefix.join(rel);
            // A path has no parent only when it is empty; a record's never is.
            let folder = path.parent().map(Path::to_owned).unwrap_or_default();
            let sub = folders.entry(folder.clone()).or_insert_with(|| {
                let tree = tree.as_ref()?;
                if folder.as_os_str().is_empty() {
                    return Some(tree.clone());
                }
                let entry = tree.get_path(&folder).ok()?;
                repo.find_tree(entry.id()).ok()
            });
            let head = sub
                .as_ref()
                .zip(path.file_name())
                .and_then(|(t, name)| t.get_name(&name.to_string_lossy()).map(|e| e.id()));
            let staged = index.get_path(&path, 0).map(|e| e.id);
            (head, staged)
        })
        .collect();
    // What the working tree has, read and hashed in parallel.
    let hashes: Vec<Result<Option<Oid>>> = rels
        .par_iter()
        .map(|rel| {
            let bytes = crate::fs::read_if_there(&root.join(rel), rel)?;
            bytes
                .map(|b| Oid::hash_object(ObjectType::Blob, &b).map_err(Error::from))
                .transpose()
        })
        .collect();
    let mut out = Vec::with_capacity(rels.len());
    for ((head, staged), hash) in known.into_iter().zip(hashes) {
        let hash = hash?;
        out.push(match head {
            None => FileState::NotInHead,
            Some(h) if hash == Some(h) && staged == Some(h) => FileState::Committed,
            Some(_) => FileState::Changed,
        });
    }
    Ok(Some(out))
}

/// The text HEAD holds for a record file, if HEAD has it.
pub(super) fn head_text(store: &Store, rel: &std::path::Path) -> Result<Option<String>> {
    let root = store.root();
    let repo = match open_repo(root) {
        Ok(repo) => repo,
        Err(Error::NoGit { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let path = repo_prefix(&repo, root)?.join(rel);
    let Ok(head) = repo.head() else {
        return Ok(None);
    };
    let tree = head.peel_to_tree()?;
    let Ok(entry) = tree.get_path(&path) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id())?;
    Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
}
