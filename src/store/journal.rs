//! The crash journal: while a transaction writes, it keeps in the git folder
//! the commit it is making and the files it writes. The next transaction,
//! holding the repository lock, finds the journal and finishes that commit
//! (or, if the files were changed since, says what was left), and removes
//! the temporary files the killed command left.
//!
//! A journal is text in the git folder that anyone could have written, so
//! it is trusted only as far as it can be checked: it belongs to one record
//! repository (its file is keyed by the record repository's path in the
//! work tree), it is acted on only when its commit's parent is where the
//! branch is now and that commit changes exactly the record repository's
//! files it names. Anything else is reported and not acted on.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use super::Store;
use super::files::{remove_files, write_files};
use super::git::{open_repo, own_file, repo_prefix};
use super::gitindex::{self, LockedIndex};
use super::head::HeadState;
use super::notice::Notice;
use super::staging::Staging;
use crate::config::CONFIG_FILE;
use crate::error::Result;
use crate::fs::{self, prepare_write, read_if_there, write_atomic};
use crate::kind::Kind;

/// The journal's file name in the git folder (keyed for a record repository
/// below the top of the work tree; see [`own_file`]).
const JOURNAL: &str = "arende-journal";

/// What a transaction is writing, kept while it writes.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Journal {
    /// The commit being made (`None`: working tree only).
    pub commit: Option<Oid>,
    /// The ref it moves.
    pub branch: String,
    /// Where that ref was.
    pub old: Option<Oid>,
    /// The files written, relative to the record repository.
    pub paths: Vec<PathBuf>,
    /// The files removed (a record moved to its own folder).
    pub removed: Vec<PathBuf>,
}

impl Journal {
    fn to_text(&self) -> String {
        let oid = |o: Option<Oid>| o.map_or_else(|| "none".to_owned(), |o| o.to_string());
        let mut out = format!(
            "arende journal 2\ncommit {}\nref {}\nold {}\n",
            oid(self.commit),
            self.branch,
            oid(self.old)
        );
        for p in &self.paths {
            out.push_str(&format!("path {}\n", p.display()));
        }
        for p in &self.removed {
            out.push_str(&format!("remove {}\n", p.display()));
        }
        out
    }

    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if !matches!(lines.next()?, "arende journal 1" | "arende journal 2") {
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
        let mut paths = Vec::new();
        let mut removed = Vec::new();
        for line in lines {
            if let Some(p) = line.strip_prefix("path ") {
                paths.push(PathBuf::from(p));
            } else {
                removed.push(PathBuf::from(line.strip_prefix("remove ")?));
            }
        }
        Some(Journal {
            commit,
            branch,
            old,
            paths,
            removed,
        })
    }

    /// Writes the journal of the record repository at `prefix`; returns its path.
    pub fn write(&self, repo: &Repository, prefix: &Path) -> Result<PathBuf> {
        let path = own_file(repo, prefix, JOURNAL);
        write_atomic(&path, self.to_text().as_bytes(), false)?;
        Ok(path)
    }

    fn every_path(&self) -> impl Iterator<Item = &PathBuf> {
        self.paths.iter().chain(&self.removed)
    }
}

/// Removes a journal once its transaction is over.
pub(super) fn remove_journal(path: &Path) {
    // Best effort: a journal left behind is found by the next command, which
    // sees the commit already on its branch and only checks the index.
    let _ = std::fs::remove_file(path);
}

/// What a killed transaction left: its temporary files and git lock are
/// removed, and its commit is finished if the journal checks out and the
/// files it wrote are as it wrote them.
pub(super) fn recover(store: &Store) -> Result<()> {
    let root = store.root();
    let Ok(repo) = open_repo(root) else {
        return Ok(());
    };
    let prefix = repo_prefix(&repo, root)?;
    let mut removed = remove_temp_files(repo.path(), Path::new(".git"));
    if let Some(lock) = gitindex::remove_stale_lock(&repo) {
        removed.push(lock);
    }
    let journal_path = own_file(&repo, &prefix, JOURNAL);
    // `own_file` ends in the journal's own name, so there is always one.
    let shown = Path::new(".git").join(journal_path.file_name().unwrap_or_default());
    let text = match read_if_there(&journal_path, &shown)? {
        Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        None => {
            report_removed(store, removed);
            return Ok(());
        }
    };
    let journal = Journal::parse(&text).filter(|j| j.every_path().all(|p| is_own_file(p)));
    let Some(journal) = journal else {
        report_removed(store, removed);
        store.notify(Notice::InterruptedLeftover {
            reason: format!(
                "its journal {} is unreadable or names files that are not the record repository's; it was not acted on",
                journal_path.display()
            ),
            paths: Vec::new(),
        });
        remove_journal(&journal_path);
        return Ok(());
    };
    let mut folders: Vec<&Path> = journal
        .every_path()
        .map(|p| p.parent().unwrap_or(Path::new("")))
        .collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        // Only real folders inside the repository.
        if fs::check_folders(root, &folder.join("x")).is_ok() {
            removed.extend(remove_temp_files(&root.join(folder), folder));
        }
    }
    report_removed(store, removed);
    if let Some(notice) = finish(store, &repo, &prefix, &journal)? {
        store.notify(notice);
    }
    remove_journal(&journal_path);
    Ok(())
}

/// Whether `rel` is a file a transaction of the record repository writes:
/// a record file under a kind's folder, a kind folder's `.gitkeep`, or one
/// of the repository's own files. Nothing outside the record repository,
/// nothing in the git folder.
fn is_own_file(rel: &Path) -> bool {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => match p.to_str() {
                Some(p) => parts.push(p),
                None => return false,
            },
            _ => return false,
        }
    }
    let record_name = |n: &str| n.ends_with(".yaml") || n.ends_with(".yml");
    match parts.as_slice() {
        [name] => [CONFIG_FILE, ".gitattributes"].contains(name),
        [".vscode", "settings.json"] => true,
        ["policy", .., name] => record_name(name),
        [dir, folders @ .., name] => {
            Kind::ALL.iter().any(|k| k.dir() == *dir)
                && !folders.iter().any(|f| f.starts_with('.') || *f == ".git")
                && (record_name(name) || (folders.is_empty() && *name == ".gitkeep"))
        }
        [] => false,
    }
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
/// still held, a rebase begun since) is returned as such, and the journal is
/// kept for the next try.
fn finish(
    store: &Store,
    repo: &Repository,
    prefix: &Path,
    journal: &Journal,
) -> Result<Option<Notice>> {
    let Some(commit_id) = journal.commit else {
        return Ok(None);
    };
    let leftover = |reason: String| {
        Ok(Some(Notice::InterruptedLeftover {
            reason,
            paths: journal.every_path().cloned().collect(),
        }))
    };
    let Some(head) = HeadState::read(repo)? else {
        return leftover("HEAD is detached now".into());
    };
    if head.branch == journal.branch && head.old == Some(commit_id) {
        // Killed after the branch moved: only the index may lag behind.
        return catch_up_index(store, repo, prefix, journal, commit_id).map(|()| None);
    }
    let (commit, old_tree) = match verified(repo, prefix, journal, &head, commit_id)? {
        Found::Sound(found) => found,
        Found::Leftover(reason) => return leftover(reason),
    };
    let new_tree = commit.tree()?;
    let head = HeadState::for_commit(repo)?;
    let trees = (old_tree.as_ref(), &new_tree);
    let rest = match Rest::of(store.root(), repo, prefix, journal, trees)? {
        Found::Sound(rest) => rest,
        Found::Leftover(reason) => return leftover(reason),
    };
    if !rest.changed.is_empty() {
        return Ok(Some(Notice::InterruptedLeftover {
            reason: "some of its files were changed since".to_owned(),
            paths: rest.changed,
        }));
    }
    rest.finish(store, repo, (journal, &head), &commit)
        .map(Some)
}

/// What checking a journal found: go on with `T`, or leave its files to a
/// person, for the reason given.
enum Found<T> {
    Sound(T),
    Leftover(String),
}

/// The journal's commit and the tree it follows, if the commit is one
/// arende could have made on the branch as it is: its parent is the
/// branch's tip, and it changes only the files the journal names.
fn verified<'r>(
    repo: &'r Repository,
    prefix: &Path,
    journal: &Journal,
    head: &HeadState,
    commit_id: Oid,
) -> Result<Found<(git2::Commit<'r>, Option<git2::Tree<'r>>)>> {
    if head.branch != journal.branch || head.old != journal.old {
        return Ok(Found::Leftover(format!(
            "{} has moved since",
            journal.branch
        )));
    }
    let Ok(commit) = repo.find_commit(commit_id) else {
        let reason = format!("its commit {commit_id} is not in the repository");
        return Ok(Found::Leftover(reason));
    };
    let parents: Vec<Oid> = commit.parent_ids().collect();
    if parents != journal.old.into_iter().collect::<Vec<_>>() {
        let reason = format!(
            "its commit {commit_id:.7} does not follow {}",
            journal.branch
        );
        return Ok(Found::Leftover(reason));
    }
    let old_tree = match journal.old {
        Some(oid) => Some(repo.find_commit(oid)?.tree()?),
        None => None,
    };
    if !changes_only(repo, old_tree.as_ref(), &commit.tree()?, prefix, journal)? {
        let reason = format!("its commit {commit_id:.7} changes files its journal does not name");
        return Ok(Found::Leftover(reason));
    }
    Ok(Found::Sound((commit, old_tree)))
}

/// What is left of an interrupted commit: the files still to write, the
/// index entries, and the files changed since by someone else.
struct Rest {
    staging: Staging,
    to_write: BTreeMap<PathBuf, Vec<u8>>,
    changed: Vec<PathBuf>,
}

impl Rest {
    /// Compares each file the journal names, on disk, with the old and the
    /// new tree: one still as it was is written now, one already as the
    /// commit has it is left, any other was changed since.
    fn of(
        root: &Path,
        repo: &Repository,
        prefix: &Path,
        journal: &Journal,
        (old_tree, new_tree): (Option<&git2::Tree<'_>>, &git2::Tree<'_>),
    ) -> Result<Found<Rest>> {
        let mut rest = Rest {
            staging: Staging::default(),
            to_write: BTreeMap::new(),
            changed: Vec::new(),
        };
        let blob_at = |tree: Option<&git2::Tree<'_>>, rel: &Path| {
            tree.and_then(|t| t.get_path(&prefix.join(rel)).ok())
                .map(|e| e.id())
        };
        for rel in journal.every_path() {
            let new = blob_at(Some(new_tree), rel);
            let old = blob_at(old_tree, rel);
            let on_disk = match on_disk_blob(root, rel) {
                Ok(b) => b,
                Err(e) => return Ok(Found::Leftover(e.to_string())),
            };
            if on_disk == new {
                // written (or removed) before the kill
            } else if on_disk == old {
                if let Some(new) = new {
                    let bytes = repo.find_blob(new)?.content().to_vec();
                    rest.to_write.insert(rel.clone(), bytes);
                }
            } else {
                rest.changed.push(rel.clone());
            }
            match new {
                Some(blob) => rest.staging.add.push((prefix.join(rel), blob)),
                None => rest.staging.remove.push(prefix.join(rel)),
            }
        }
        Ok(Found::Sound(rest))
    }

    /// Writes the rest under git's lock on the index, stages it and moves
    /// the branch (`head`, as the journal found it) to the commit.
    fn finish(
        self,
        store: &Store,
        repo: &Repository,
        (journal, head): (&Journal, &HeadState),
        commit: &git2::Commit<'_>,
    ) -> Result<Notice> {
        let root = store.root();
        let mut index = LockedIndex::take(repo, store.lock_timeout())?;
        write_files(root, &self.to_write)?;
        remove_files(root, journal.removed.iter())?;
        self.staging.write_to(repo, &mut index)?;
        let summary = super::git::summary_of(commit);
        if !head.advance(repo, commit.id(), &summary, store.lock_timeout())? {
            return Err(head.moved());
        }
        index.commit()?;
        Ok(Notice::FinishedInterrupted {
            commit: commit.id(),
            summary,
            files: journal.paths.len() + journal.removed.len(),
        })
    }
}

/// The blob of the working-tree file at `rel`, `None` if there is none.
fn on_disk_blob(root: &Path, rel: &Path) -> Result<Option<Oid>> {
    prepare_write(root, rel)?;
    Ok(read_if_there(&root.join(rel), rel)?
        .map(|b| Oid::hash_object(ObjectType::Blob, &b))
        .transpose()?)
}

/// Whether the commit's tree differs from its parent's in exactly the
/// files the journal names (and no others).
fn changes_only(
    repo: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    prefix: &Path,
    journal: &Journal,
) -> Result<bool> {
    let named: std::collections::HashSet<PathBuf> =
        journal.every_path().map(|p| prefix.join(p)).collect();
    let diff = repo.diff_tree_to_tree(old, Some(new), None)?;
    Ok(diff.deltas().all(|d| {
        [d.old_file().path(), d.new_file().path()]
            .into_iter()
            .flatten()
            .all(|p| named.contains(p))
    }))
}

/// The branch already has the killed transaction's commit; puts in the
/// index what it lacks of it, for the files still as the commit has them.
fn catch_up_index(
    store: &Store,
    repo: &Repository,
    prefix: &Path,
    journal: &Journal,
    commit: Oid,
) -> Result<()> {
    let tree = repo.find_commit(commit)?.tree()?;
    let mut index = LockedIndex::take(repo, store.lock_timeout())?;
    let mut staging = Staging::default();
    for rel in journal.every_path() {
        let git_path = prefix.join(rel);
        let want = tree.get_path(&git_path).ok().map(|e| e.id());
        let have = index.index.get_path(&git_path, 0).map(|e| e.id);
        if want == have || on_disk_blob(store.root(), rel).ok().flatten() != want {
            continue;
        }
        match want {
            Some(blob) => staging.add.push((git_path, blob)),
            None => staging.remove.push(git_path),
        }
    }
    if staging.add.is_empty() && staging.remove.is_empty() {
        return Ok(());
    }
    staging.write_to(repo, &mut index)?;
    index.commit()
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
            removed: vec!["incidents/old/INC-20261122-BBBBBB.yaml".into()],
        };
        assert_eq!(Journal::parse(&j.to_text()), Some(j));
        assert_eq!(Journal::parse("arende journal 1\ncommit nonsense\n"), None);
        assert_eq!(Journal::parse(""), None);
    }

    #[test]
    fn a_journal_names_only_the_record_repository_s_files() {
        for own in [
            "incidents/2026/11/INC-20261122-AAAAAA.yaml",
            "incidents/INC-20261122-AAAAAA.yaml",
            "changes/.gitkeep",
            "arende.yaml",
            ".gitattributes",
            ".vscode/settings.json",
            "policy/standard-changes.yaml",
        ] {
            assert!(is_own_file(Path::new(own)), "{own}");
        }
        for other in [
            "src/main.rs",
            "../incidents/INC-20261122-AAAAAA.yaml",
            "/etc/passwd",
            "incidents/.git/config",
            "incidents/2026/.hidden/INC-20261122-AAAAAA.yaml",
            ".git/config",
            "README.md",
            "",
        ] {
            assert!(!is_own_file(Path::new(other)), "{other}");
        }
    }
}
