//! Where a commit goes: the branch HEAD names (through any chain of
//! symbolic refs), refused while git is in the middle of something.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use git2::{ErrorCode, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};

/// How many symbolic refs a chain may pass through (git's own limit is 5).
const MAX_SYMREF_DEPTH: usize = 5;

/// The branch a commit moves, and where it is now.
pub(super) struct HeadState {
    /// The direct ref the commit moves (`refs/heads/main`), found by
    /// following HEAD and any symbolic ref it points at.
    pub branch: String,
    /// The commit it points at, or `None` on a branch with no commits yet.
    pub old: Option<Oid>,
}

impl HeadState {
    /// HEAD's branch, refusing a detached HEAD and a repository in the
    /// middle of a rebase, merge, cherry-pick, revert or bisect: a commit
    /// made then would land where git's own operation throws it away.
    pub fn for_commit(repo: &Repository) -> Result<HeadState> {
        refuse_busy(repo)?;
        let head = HeadState::read(repo)?;
        head.ok_or_else(|| Error::GitState {
            message: "HEAD is detached (not on a branch), so a commit made now would belong to no branch".into(),
            help: "check out the branch the records belong on (`git switch main`), then run the command again".into(),
        })
    }

    /// HEAD's branch as it is, or `None` when HEAD is detached.
    pub fn read(repo: &Repository) -> Result<Option<HeadState>> {
        let mut name = "HEAD".to_owned();
        for _ in 0..=MAX_SYMREF_DEPTH {
            let target = match repo.find_reference(&name) {
                Ok(r) => match r.symbolic_target()? {
                    Some(t) => t.to_owned(),
                    None if name == "HEAD" => return Ok(None),
                    None => {
                        return Ok(Some(HeadState {
                            branch: name,
                            old: r.target(),
                        }));
                    }
                },
                // A symbolic ref to a branch with no commits yet.
                Err(e) if e.code() == ErrorCode::NotFound && name != "HEAD" => {
                    return Ok(Some(HeadState {
                        branch: name,
                        old: None,
                    }));
                }
                Err(e) => return Err(e.into()),
            };
            name = target;
        }
        Err(Error::GitState {
            message: format!("HEAD is a chain of more than {MAX_SYMREF_DEPTH} symbolic refs"),
            help: "point HEAD at a branch (`git symbolic-ref HEAD refs/heads/main`)".into(),
        })
    }

    /// The tree of the branch's tip (`None` on a branch with no commits).
    pub fn tree<'r>(&self, repo: &'r Repository) -> Result<Option<git2::Tree<'r>>> {
        Ok(match self.old {
            Some(oid) => Some(repo.find_commit(oid)?.tree()?),
            None => None,
        })
    }

    /// Moves the branch from `old` to `new`, only if it is still at `old`:
    /// `false` if it is not. Git's lock on the ref is waited for at most
    /// `timeout`, as git waits for its own (`core.filesRefLockTimeout`).
    pub fn advance(
        &self,
        repo: &Repository,
        new: Oid,
        message: &str,
        timeout: Duration,
    ) -> Result<bool> {
        let log = format!("arende: {}", message.lines().next().unwrap_or_default());
        let start = Instant::now();
        loop {
            let moved = match self.old {
                Some(old) => repo.reference_matching(&self.branch, new, true, old, &log),
                None => repo.reference(&self.branch, new, false, &log),
            };
            match moved {
                Ok(_) => return Ok(true),
                Err(e) if e.code() == ErrorCode::Locked && start.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) if e.code() == ErrorCode::Locked => {
                    return Err(Error::GitLocked {
                        path: ref_lock(repo, &self.branch),
                    });
                }
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists) => {
                    return Ok(false);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The error of a branch that moved under a commit and could not be
    /// caught up with.
    pub fn moved(&self) -> Error {
        Error::BranchMoved {
            branch: self.branch.clone(),
        }
    }
}

/// The lock file git takes to move the ref `name`: a branch's ref lives in
/// the common git folder of all worktrees, HEAD in the worktree's own.
pub(super) fn ref_lock(repo: &Repository, name: &str) -> PathBuf {
    let base = if name == "HEAD" {
        repo.path()
    } else {
        repo.commondir()
    };
    base.join(format!("{name}.lock"))
}

/// Refuses while git is in the middle of an operation that owns HEAD and
/// the index until it is continued or aborted.
fn refuse_busy(repo: &Repository) -> Result<()> {
    let (what, fix) = match repo.state() {
        RepositoryState::Clean => return Ok(()),
        RepositoryState::Merge => ("a merge", "`git merge --continue` or `git merge --abort`"),
        RepositoryState::Revert | RepositoryState::RevertSequence => (
            "a revert",
            "`git revert --continue` or `git revert --abort`",
        ),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => (
            "a cherry-pick",
            "`git cherry-pick --continue` or `git cherry-pick --abort`",
        ),
        RepositoryState::Bisect => ("a bisect", "`git bisect reset`"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge => (
            "a rebase",
            "`git rebase --continue` or `git rebase --abort`",
        ),
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
            ("a `git am`", "`git am --continue` or `git am --abort`")
        }
    };
    Err(Error::GitState {
        message: format!(
            "{what} is in progress in this git repository, so a commit made now would be lost to it"
        ),
        help: format!("finish it or undo it first ({fix}), then run the command again"),
    })
}
