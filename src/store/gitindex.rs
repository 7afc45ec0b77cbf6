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
    let bytes = crate::fs::read_bytes_as(&lock, &lock, 64).ok()?;
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
    // Without /proc (not Linux, or the process just went) there is no state
    // to read, and the process counts as alive: the lock is left alone.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next());
    state != Some('Z')
}

#[cfg(not(unix))]
fn process_alive(_pid: i32) -> bool {
    true
}

/// The index read, and, once [`lock`](Self::lock)ed, held against git.
pub(super) struct LockedIndex {
    /// The index as libgit2 sees it.
    pub index: git2::Index,
    /// The index file git reads.
    file: PathBuf,
    /// `<index>.lock`.
    lock: PathBuf,
    /// Whether this process created the lock (and so removes it).
    held: bool,
    /// The second name libgit2 reads and writes.
    work: PathBuf,
    /// The index file as it was when it was read.
    read_as: Option<Stamp>,
}

/// What tells one version of the index file from another: git replaces
/// the index by renaming a new file over it, so a new version is a new
/// inode (and a copy's size and time change with its content).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        };
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        Some(Stamp {
            dev,
            ino,
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

impl LockedIndex {
    /// Reads the index, without a lock (as git's own commands read it):
    /// an index libgit2 cannot read is refused here, before a command
    /// writes anything.
    pub fn read(repo: &Repository) -> Result<LockedIndex> {
        let file = index_file(repo);
        let mut index = LockedIndex {
            // Replaced below; an in-memory index until the file is read.
            index: git2::Index::new()?,
            lock: with_suffix(&file, ".lock"),
            work: with_suffix(&file, WORK_SUFFIX),
            file,
            held: false,
            read_as: None,
        };
        index.link()?;
        index.index = git2::Index::open(&index.work).map_err(unreadable)?;
        Ok(index)
    }

    /// Reads the index under git's lock: [`read`](Self::read), then
    /// [`lock`](Self::lock).
    pub fn take(repo: &Repository, timeout: Duration) -> Result<LockedIndex> {
        let mut index = LockedIndex::read(repo)?;
        index.lock(timeout)?;
        Ok(index)
    }

    /// Takes git's lock on the index (waiting at most `timeout` for git to
    /// let it go) and reads the index again if it was replaced since it
    /// was read, so what is written is the index as it is under the lock.
    /// The lock is held from here until the new index is in place, which
    /// is kept short: a `git commit` that read the index while the lock
    /// was held writes back what it read if it gets the lock after.
    pub fn lock(&mut self, timeout: Duration) -> Result<()> {
        create_lock(&self.lock, timeout)?;
        self.held = true;
        if Stamp::of(&self.file) != self.read_as {
            self.link()?;
            self.index.read(true).map_err(unreadable)?;
        }
        Ok(())
    }

    /// Gives the index file its second name (a hard link, or a copy where
    /// the filesystem has none) and notes which version that is.
    fn link(&mut self) -> Result<()> {
        // A killed arende's second name, and libgit2's lock on it, are
        // stale: only arende, under its own lock, uses that name.
        let _ = std::fs::remove_file(&self.work);
        let _ = std::fs::remove_file(with_suffix(&self.work, ".lock"));
        let before = Stamp::of(&self.file);
        self.read_as = match std::fs::hard_link(&self.file, &self.work) {
            Ok(()) => Stamp::of(&self.work),
            Err(e) if e.kind() == ErrorKind::NotFound => None, // no index yet
            Err(_) => {
                std::fs::copy(&self.file, &self.work).map_err(|e| Error::io(&self.file, e))?;
                before
            }
        };
        Ok(())
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
        if self.held {
            let _ = std::fs::remove_file(&self.lock);
        }
    }
}

/// The repository's index as libgit2 reads it (honouring
/// `GIT_INDEX_FILE`), with an index format libgit2 cannot read (split,
/// sparse) named and the command that turns it off.
pub fn read_index(repo: &Repository) -> Result<git2::Index> {
    git2::Index::open(&index_file(repo)).map_err(unreadable)
}

/// The index file git uses: `GIT_INDEX_FILE` when set (as in a hook run by
/// `git commit -a`), else the worktree's own. A relative `GIT_INDEX_FILE`
/// is relative to the top of the work tree, where git runs its hooks and
/// means it (a plain `git commit` sets `.git/index`), not to this
/// process's folder.
pub(super) fn index_file(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            match repo.workdir() {
                Some(top) if path.is_relative() => top.join(path),
                _ => path,
            }
        }
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
                // Unmarked, the lock is taken for git's and never removed
                // as stale: a failed write errs on the safe side.
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
fn unreadable(e: git2::Error) -> Error {
    // libgit2 names the extension it does not know: `link` is git's split
    // index, `sdir` its sparse index.
    let message = e.message();
    if message.contains("'link'") {
        return Error::GitState {
            message: format!(
                "the git index is split (core.splitIndex), a format libgit2 cannot read or write ({})",
                e.message()
            ),
            help: "join it for this repository: `git config core.splitIndex false && git update-index --no-split-index`, then run the command again".into(),
        };
    }
    if message.contains("'sdir'") {
        return Error::GitState {
            message: format!(
                "the git index is sparse (index.sparse), a format libgit2 cannot read or write ({})",
                e.message()
            ),
            help: "expand it for this repository: `git sparse-checkout set --no-sparse-index` (or `git sparse-checkout disable`), then run the command again".into(),
        };
    }
    Error::IndexUnreadable {
        source: crate::error::Libgit2(e),
    }
}
