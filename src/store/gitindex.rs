//! The git index, changed the way git changes it: `<index>.lock` is taken
//! before the index is read and held until the new index is in place, so a
//! `git add` or `git commit` running at the same moment either waits for
//! arende or finishes first, and neither ever writes over the other.
//!
//! libgit2 reads and writes the index (arende has no code for its format),
//! but libgit2 takes the lock only when it writes, after reading. So the
//! index is read and written by libgit2 through a second name for the same
//! file (a hard link beside it, or a copy), while git's lock is held under
//! the index's own name; the result is renamed over the index before the
//! lock is let go.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::Repository;

use crate::error::{Error, Result};

/// Suffix of the second name libgit2 works on (beside the index, so the
/// rename stays on one filesystem). A killed command's is removed by the
/// next one's recovery, which holds the repository lock.
pub(super) const WORK_SUFFIX: &str = ".arende-work";

/// How a lock file arende made begins; the process ID follows.
const LOCK_MARK: &str = "arende ";

/// Removes the index lock and work file a killed arende left (the lock
/// names its process, and that process is gone); returns the lock's path
/// if it did. A lock of git's, or of a live process, is left alone.
pub(super) fn remove_stale_lock(repo: &Repository) -> Option<PathBuf> {
    let file = index_file(repo);
    let lock = with_suffix(&file, ".lock");
    let bytes = crate::yaml::read_bytes_as(&lock, &lock, 64).ok()?;
    let pid: i32 = std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix(LOCK_MARK)?
        .trim()
        .parse()
        .ok()?;
    if process_alive(pid) {
        return None;
    }
    let _ = std::fs::remove_file(with_suffix(&file, WORK_SUFFIX));
    std::fs::remove_file(&lock).ok()?;
    Some(lock)
}

#[cfg(unix)]
fn process_alive(pid: i32) -> bool {
    // Signal 0 checks only whether the process exists.
    // SAFETY: kill with signal 0 sends nothing and touches no memory.
    let r = unsafe { libc::kill(pid, 0) };
    if r != 0 {
        return std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
    }
    // A killed process its parent has not waited for yet still answers:
    // on Linux its state in /proc says it is a zombie.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
    state != Some('Z')
}

#[cfg(not(unix))]
fn process_alive(_pid: i32) -> bool {
    true
}

/// The index, locked against git and read.
pub(super) struct LockedIndex {
    /// The index as libgit2 sees it.
    pub index: git2::Index,
    /// The index file git reads.
    file: PathBuf,
    /// `<index>.lock`, created by this process.
    lock: PathBuf,
    /// The second name libgit2 reads and writes.
    work: PathBuf,
}

impl LockedIndex {
    /// Takes git's lock on the index (waiting at most `timeout` for git to
    /// let it go, as git itself does not) and reads the index under it.
    pub fn take(repo: &Repository, timeout: Duration) -> Result<LockedIndex> {
        let file = index_file(repo);
        let lock = with_suffix(&file, ".lock");
        create_lock(&lock, timeout)?;
        let work = with_suffix(&file, WORK_SUFFIX);
        let mut taken = LockedIndex {
            // Replaced below; an in-memory index until the file is read.
            index: git2::Index::new()?,
            file,
            lock,
            work,
        };
        let _ = std::fs::remove_file(&taken.work);
        match std::fs::hard_link(&taken.file, &taken.work) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {} // no index yet
            Err(_) => {
                std::fs::copy(&taken.file, &taken.work).map_err(|e| Error::io(&taken.file, e))?;
            }
        }
        taken.index = git2::Index::open(&taken.work).map_err(|e| unreadable(repo, &e))?;
        Ok(taken)
    }

    /// Writes the changed index under its second name; git still sees the
    /// old one, and the lock.
    pub fn write(&mut self) -> Result<()> {
        self.index.write()?;
        Ok(())
    }

    /// Puts the written index in place of the old one and lets the lock go.
    pub fn commit(self) -> Result<()> {
        std::fs::rename(&self.work, &self.file).map_err(|e| Error::io(&self.file, e))
        // Drop removes the lock.
    }
}

impl Drop for LockedIndex {
    fn drop(&mut self) {
        // After `commit` the second name is gone already; after a failure
        // it is removed, and the index was never touched.
        let _ = std::fs::remove_file(&self.work);
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// The index file git uses: `GIT_INDEX_FILE` when set (as in a hook run by
/// `git commit -a`), else the worktree's own.
pub(super) fn index_file(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(path) => std::path::absolute(&path).unwrap_or_else(|_| PathBuf::from(path)),
        None => repo.path().join("index"),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the lock file as git does (exclusively), retrying while someone
/// else holds it, up to `timeout`.
fn create_lock(lock: &Path, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    loop {
        match OpenOptions::new().write(true).create_new(true).open(lock) {
            Ok(mut file) => {
                // Who holds it, so the next arende can tell its own lock
                // left by a killed command from git's (git never reads a
                // lock file's bytes: it writes its own and renames them).
                use std::io::Write;
                let _ = writeln!(file, "{LOCK_MARK}{}", std::process::id());
                return Ok(());
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if start.elapsed() >= timeout {
                    return Err(Error::GitLocked {
                        path: lock.to_owned(),
                    });
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(Error::io(lock, e)),
        }
    }
}

/// Why libgit2 could not read the index, in git's terms: the formats it
/// cannot write are named, with the command that turns them off.
fn unreadable(repo: &Repository, e: &git2::Error) -> Error {
    let config = repo.config().and_then(|mut c| c.snapshot()).ok();
    let on = |key: &str| {
        config
            .as_ref()
            .and_then(|c| c.get_bool(key).ok())
            .unwrap_or(false)
    };
    let unknown_extension = e.message().contains("mandatory extension");
    if on("core.splitIndex") || (unknown_extension && !on("index.sparse")) {
        return Error::GitState {
            message: format!(
                "the git index is split (core.splitIndex), a format libgit2 cannot read or write ({})",
                e.message()
            ),
            help: "join it for this repository: `git config core.splitIndex false && git update-index --no-split-index`, then run the command again".into(),
        };
    }
    if on("index.sparse") {
        return Error::GitState {
            message: format!(
                "the git index is sparse (index.sparse), a format libgit2 cannot read or write ({})",
                e.message()
            ),
            help: "expand it for this repository: `git sparse-checkout set --no-sparse-index` (or `git sparse-checkout disable`), then run the command again".into(),
        };
    }
    Error::Git {
        message: format!("the index could not be read: {}", e.message()),
    }
}
