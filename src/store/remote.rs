//! Other repositories, as git reaches them: a partner's record repository,
//! or this repository's own on its host (the inbox partners push to).
//!
//! A path or a `file://` address is fetched from by libgit2; everything
//! else, and every push, goes through git itself, which has the transports
//! and the credentials. Hooks are switched off for each call: ours, and,
//! for a repository on this disk, the receiving side's, so a partner's
//! repository on this machine never runs its code here (a partner's host
//! runs its own hooks, as for any push).
//! Nothing read from another repository is checked out: its blobs are read
//! from the object database, so its attributes and configuration do
//! nothing here.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{FileMode, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use super::git::{Author, open_repo};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Where another repository is, as `arende.yaml` names it: a local path
/// (relative to the record repository) or an address git reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A repository on this machine.
    Local(PathBuf),
    /// One only git's own transports reach (`ssh://`, `https://`,
    /// `git@host:path`).
    Network(String),
}

impl Address {
    /// Reads an address; a relative path is taken from `root`.
    pub fn parse(root: &Path, url: &str) -> Address {
        if let Some(path) = url.strip_prefix("file://") {
            return Address::Local(PathBuf::from(path));
        }
        let scp_like = url
            .split_once(':')
            .is_some_and(|(host, _)| !host.contains('/') && host.len() > 1);
        if url.contains("://") || scp_like {
            return Address::Network(url.to_owned());
        }
        let path = Path::new(url);
        Address::Local(if path.is_absolute() {
            path.to_owned()
        } else {
            root.join(path)
        })
    }

    /// The address as a person reads it.
    pub fn shown(&self) -> String {
        match self {
            Address::Local(p) => p.display().to_string(),
            Address::Network(u) => u.clone(),
        }
    }

    fn failed(&self, what: &str, message: impl std::fmt::Display) -> Error {
        Error::Remote {
            url: self.shown(),
            message: format!("{what} failed: {message}"),
            help: match self {
                Address::Local(_) => {
                    "check that the path names a git repository (`git ls-remote PATH` lists its branches) and that you may write to it".into()
                }
                Address::Network(_) => {
                    "check the address and your access to it: `git ls-remote URL` must list its branches without asking for a password".into()
                }
            },
        }
    }
}

/// Fetches `refspecs` (`+refs/heads/main:refs/arende/…`) from `from` into
/// the repository at `root`; a source branch that does not exist there is
/// no error (a partner's repository with no intake branches yet).
pub fn fetch(root: &Path, from: &Address, refspecs: &[String]) -> Result<()> {
    match from {
        Address::Local(path) => {
            let repo = open_repo(root)?;
            if !path.exists() {
                return Err(from.failed("fetch", "no repository there"));
            }
            let url = path.to_string_lossy().into_owned();
            let mut remote = repo
                .remote_anonymous(&url)
                .map_err(|e| from.failed("fetch", e.message()))?;
            let mut options = git2::FetchOptions::new();
            options.download_tags(git2::AutotagOption::None);
            options.prune(git2::FetchPrune::On);
            remote
                .fetch(refspecs, Some(&mut options), None)
                .map_err(|e| from.failed("fetch", e.message()))
        }
        Address::Network(url) => {
            let mut args = vec![
                "fetch".to_owned(),
                "--no-tags".into(),
                "--prune".into(),
                "--no-recurse-submodules".into(),
                "--quiet".into(),
                url.clone(),
            ];
            args.extend(refspecs.iter().cloned());
            run_git(root, from, "fetch", &args)
        }
    }
}

/// Pushes `refspecs` (`OID:refs/heads/intake/…`, `:refs/heads/…` to
/// delete) from the repository at `root` to `to`, through git itself: for
/// a repository on this machine, its receiving side runs with hooks
/// switched off, so none of the partner's runs here.
pub fn push(root: &Path, to: &Address, refspecs: &[String]) -> Result<()> {
    let mut args = vec!["push".to_owned(), "--quiet".into(), "--no-verify".into()];
    let target = match to {
        Address::Local(path) => {
            args.push("--receive-pack=git -c core.hooksPath=/dev/null receive-pack".into());
            path.to_string_lossy().into_owned()
        }
        Address::Network(url) => url.clone(),
    };
    args.push(target);
    args.extend(refspecs.iter().cloned());
    run_git(root, to, "push", &args)
}

/// Runs git with no hooks and no prompt for a password (a CI job would
/// hang on it).
fn run_git(root: &Path, address: &Address, what: &str, args: &[String]) -> Result<()> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "protocol.ext.allow=never",
        ])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| address.failed(what, format!("git could not be run: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("git gave no reason")
        .to_owned();
    Err(address.failed(what, message))
}

/// The references under `prefix` (`refs/arende/partners/inera/intake/`),
/// with the commits they point at, in name order.
pub fn refs_under(root: &Path, prefix: &str) -> Result<Vec<(String, Oid)>> {
    let repo = open_repo(root)?;
    let mut out = Vec::new();
    for reference in repo.references_glob(&format!("{prefix}*"))? {
        let reference = reference?;
        if let (Ok(name), Ok(commit)) = (reference.name(), reference.peel_to_commit()) {
            out.push((name.to_owned(), commit.id()));
        }
    }
    out.sort();
    Ok(out)
}

/// The commit a reference points at, if it exists.
pub fn ref_commit(root: &Path, name: &str) -> Result<Option<Oid>> {
    let repo = open_repo(root)?;
    match repo.find_reference(name) {
        Ok(r) => Ok(r.peel_to_commit().ok().map(|c| c.id())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Points the reference `name` at `to` (making it if need be).
pub fn set_ref(root: &Path, name: &str, to: Oid, why: &str) -> Result<()> {
    open_repo(root)?.reference(name, to, true, why)?;
    Ok(())
}

/// Removes the reference `name`, if it is there.
pub fn delete_ref(root: &Path, name: &str) -> Result<()> {
    let repo = open_repo(root)?;
    match repo.find_reference(name) {
        Ok(mut r) => Ok(r.delete()?),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Whether `ancestor` is `commit` or one of its ancestors.
pub fn is_ancestor(root: &Path, ancestor: Oid, commit: Oid) -> Result<bool> {
    let repo = open_repo(root)?;
    Ok(ancestor == commit || repo.graph_descendant_of(commit, ancestor)?)
}

/// The file at `path` in `commit`'s tree, if it is a blob no larger than
/// `limit` bytes (a larger one is read as absent: it is no record).
pub fn blob_at(root: &Path, commit: Oid, path: &str, limit: usize) -> Result<Option<Vec<u8>>> {
    let repo = open_repo(root)?;
    let tree = repo.find_commit(commit)?.tree()?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(None);
    };
    read_blob(&repo, entry.id(), entry.filemode(), limit)
}

fn read_blob(repo: &Repository, id: Oid, mode: i32, limit: usize) -> Result<Option<Vec<u8>>> {
    // A link or a submodule is not a file of the other side's to read.
    if mode != i32::from(FileMode::Blob) && mode != i32::from(FileMode::BlobExecutable) {
        return Ok(None);
    }
    let blob = repo.find_blob(id)?;
    Ok((blob.size() <= limit).then(|| blob.content().to_vec()))
}

/// The `.yaml` files under the folders `under` (`incidents`, `changes`)
/// that `to` has and `from` had not, or had otherwise (every one, with no
/// `from`), with their contents: what changed in another repository since
/// it was last read. Files over `limit` bytes are left out.
pub fn changed_files(
    root: &Path,
    from: Option<Oid>,
    to: Oid,
    under: &[&str],
    limit: usize,
) -> Result<Vec<(String, Vec<u8>)>> {
    let repo = open_repo(root)?;
    let new_tree = repo.find_commit(to)?.tree()?;
    let mut found: Vec<(String, Oid, i32)> = Vec::new();
    for folder in under {
        let Ok(entry) = new_tree.get_path(Path::new(folder)) else {
            continue;
        };
        if entry.kind() != Some(ObjectType::Tree) {
            continue;
        }
        let new_sub = repo.find_tree(entry.id())?;
        let old_sub = match from {
            Some(from) => repo
                .find_commit(from)?
                .tree()?
                .get_path(Path::new(folder))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| repo.find_tree(e.id()))
                .transpose()?,
            None => None,
        };
        match old_sub {
            Some(old) => {
                let diff = repo.diff_tree_to_tree(Some(&old), Some(&new_sub), None)?;
                for delta in diff.deltas() {
                    let file = delta.new_file();
                    if delta.status() == git2::Delta::Deleted {
                        continue;
                    }
                    if let Some(p) = file.path().and_then(Path::to_str)
                        && p.ends_with(".yaml")
                    {
                        found.push((
                            format!("{folder}/{p}"),
                            file.id(),
                            u32::from(file.mode()) as i32,
                        ));
                    }
                }
            }
            None => {
                new_sub.walk(TreeWalkMode::PreOrder, |dir, e| {
                    if let Ok(name) = e.name()
                        && name.ends_with(".yaml")
                        && e.kind() == Some(ObjectType::Blob)
                    {
                        found.push((format!("{folder}/{dir}{name}"), e.id(), e.filemode()));
                    }
                    TreeWalkResult::Ok
                })?;
            }
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for (path, id, mode) in found {
        if let Some(bytes) = read_blob(&repo, id, mode, limit)? {
            out.push((path, bytes));
        }
    }
    Ok(out)
}

/// Makes a commit on `parent` whose tree is the parent's with `files`
/// written (each a path from the top and its bytes), and returns it. No
/// branch moves: the caller pushes it, or points a reference at it.
pub fn commit_files(
    root: &Path,
    parent: Oid,
    files: &[(String, Vec<u8>)],
    message: &str,
    author: &Author,
    at: &Timestamp,
) -> Result<Oid> {
    let repo = open_repo(root)?;
    let parent = repo.find_commit(parent)?;
    let mut index = git2::Index::new()?;
    index.read_tree(&parent.tree()?)?;
    for (path, bytes) in files {
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: u32::from(FileMode::Blob),
            uid: 0,
            gid: 0,
            file_size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            id: repo.blob(bytes)?,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        index.add(&entry)?;
    }
    let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
    let signature = author.signature(at)?;
    Ok(repo.commit(None, &signature, &signature, message, &tree, &[&parent])?)
}

/// git's verdict on `commit`'s signature (`%G?`: `G` good, `N` none, `B`
/// bad, `U` a key not among `allowed`, …), checked against `allowed`, the
/// lines of an allowed-signers file, written to `file` for git to read.
pub fn signature(root: &Path, commit: Oid, allowed: &str, file: &Path) -> Result<char> {
    crate::fs::write_atomic(file, allowed.as_bytes(), false)?;
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .arg("-c")
        .arg(format!("gpg.ssh.allowedSignersFile={}", file.display()))
        .args(["log", "-1", "--format=%G?"])
        .arg(commit.to_string())
        .output()
        .map_err(|e| Error::io("git", e))?;
    if !output.status.success() {
        return Err(Error::usage(
            "`git log` could not check a partner's signature",
            Some("checking signatures needs git 2.34 or later on the PATH".into()),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim()
        .chars()
        .next()
        .unwrap_or('E'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_a_path_here_or_one_git_reaches() {
        let root = Path::new("/srv/arenden");
        let local = |p: &str| Address::Local(PathBuf::from(p));
        assert_eq!(
            Address::parse(root, "../inera.git"),
            local("/srv/arenden/../inera.git")
        );
        assert_eq!(
            Address::parse(root, "/srv/inera.git"),
            local("/srv/inera.git")
        );
        assert_eq!(
            Address::parse(root, "file:///srv/inera.git"),
            local("/srv/inera.git")
        );
        for url in [
            "git@gitlab.inera.se:itsm/arenden.git",
            "ssh://git@gitlab.inera.se/itsm/arenden.git",
            "https://github.com/region/arenden.git",
        ] {
            assert_eq!(Address::parse(root, url), Address::Network(url.to_owned()));
        }
        // A Windows-like drive letter or a path with a colon in a folder
        // name is not taken for a host.
        assert_eq!(Address::parse(root, "./a:b"), local("/srv/arenden/./a:b"));
    }
}
