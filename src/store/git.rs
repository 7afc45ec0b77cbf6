//! The git side of the store: authors, trees, commits, and a record's commits.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{Commit, Oid, Repository, Signature, Sort, Tree};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// The author of a change: who commits, and who the history names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

impl Author {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Result<Author> {
        let bad = || {
            Error::usage(
                format!("`{text}` is not an author"),
                Some("write it as \"Name <email>\", e.g. --author \"Anna Berg <anna.berg@example.se>\"".to_owned()),
            )
        };
        let (name, rest) = text.split_once('<').ok_or_else(bad)?;
        let email = rest.strip_suffix('>').ok_or_else(bad)?.trim();
        let name = name.trim();
        if name.is_empty() || email.is_empty() || email.contains(['<', '>']) {
            return Err(bad());
        }
        Ok(Author {
            name: name.to_owned(),
            email: email.to_owned(),
        })
    }

    /// The author to use: the one given, else `GIT_AUTHOR_NAME` and
    /// `GIT_AUTHOR_EMAIL`, else git's `user.name` and `user.email`.
    pub fn resolve(given: Option<&str>, repo_dir: &Path) -> Result<Author> {
        if let Some(text) = given {
            return Author::parse(text);
        }
        if let (Ok(name), Ok(email)) = (
            std::env::var("GIT_AUTHOR_NAME"),
            std::env::var("GIT_AUTHOR_EMAIL"),
        ) && !name.is_empty()
            && !email.is_empty()
        {
            return Ok(Author { name, email });
        }
        let config = match Repository::discover(repo_dir) {
            Ok(repo) => repo.config(),
            Err(_) => git2::Config::open_default(),
        }
        .map_err(|_| Error::NoAuthor)?;
        match (
            config.get_string("user.name"),
            config.get_string("user.email"),
        ) {
            (Ok(name), Ok(email)) if !name.is_empty() && !email.is_empty() => {
                Ok(Author { name, email })
            }
            _ => Err(Error::NoAuthor),
        }
    }

    pub(crate) fn signature(&self, at: &Timestamp) -> Result<Signature<'static>> {
        let time = git2::Time::new(at.timestamp(), at.offset().local_minus_utc() / 60);
        Ok(Signature::new(&self.name, &self.email, &time)?)
    }
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// Opens the git repository the record repository lives in, as git would:
/// found from `root` upwards, with the environment git honours applied
/// (`GIT_INDEX_FILE`, `GIT_OBJECT_DIRECTORY`, `GIT_COMMON_DIR`,
/// `GIT_WORK_TREE`, …). When `GIT_DIR` is set it names the repository and
/// no search is made, as for git itself (a hook run by git may set it).
pub fn open_repo(root: &Path) -> Result<Repository> {
    tune_libgit2();
    let no_git = || Error::NoGit {
        dir: root.to_owned(),
    };
    let repo = if std::env::var_os("GIT_DIR").is_some_and(|d| !d.is_empty()) {
        Repository::open_from_env()
    } else {
        Repository::open_ext(
            root,
            git2::RepositoryOpenFlags::FROM_ENV,
            std::iter::empty::<&std::ffi::OsStr>(),
        )
    }
    .map_err(|_| no_git())?;
    if repo.is_bare() {
        return Err(no_git());
    }
    Ok(repo)
}

/// The largest tree kept in libgit2's object cache: a month's folder of
/// a large desk (about 3 000 records) is a tree of some 150 KB, far over
/// libgit2's default of 4 KiB, which would read and parse it again.
const TREE_CACHE_LIMIT: usize = 4 << 20;

/// Sets libgit2's process-wide options once, before any repository is
/// opened: objects are not hashed again on every read (git itself checks
/// hashes in `fsck`, not on reads; at 100 000 records the re-hashing of the
/// trees a commit reads was a tenth of `new`), and trees up to
/// [`TREE_CACHE_LIMIT`] stay in the object cache.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        // SAFETY: libgit2's global settings are written here once, inside
        // `call_once`, before this process opens any repository or starts
        // a thread that does.
        let _ =
            unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, TREE_CACHE_LIMIT) };
    });
}

/// The file of arende's own named `name` (its journal, its cache) for the
/// record repository at `prefix` inside the work tree: in the git folder
/// (a linked worktree has its own), and keyed by the prefix, so two record
/// repositories in one git repository never share one. The record
/// repository at the top of the work tree keeps the plain name.
pub(crate) fn own_file(repo: &Repository, prefix: &Path, name: &str) -> PathBuf {
    if prefix.as_os_str().is_empty() {
        return repo.path().join(name);
    }
    let digest = sha1_smol::Sha1::from(git_path(prefix)).digest().to_string();
    repo.path().join(format!("{name}-{}", &digest[..16]))
}

/// Where the record repository sits inside the git work tree (empty when it
/// is the top of it): git paths are relative to the work tree, record paths
/// to the record repository. A record repository outside the work tree
/// (`GIT_DIR` and `GIT_WORK_TREE` naming another one) is not in that git
/// repository: taking it for the top would read and write the wrong paths.
pub fn repo_prefix(repo: &Repository, root: &Path) -> Result<PathBuf> {
    let no_git = || Error::NoGit {
        dir: root.to_owned(),
    };
    let workdir = repo.workdir().ok_or_else(no_git)?;
    let workdir = std::fs::canonicalize(workdir).map_err(|e| Error::io(workdir, e))?;
    let full = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    full.strip_prefix(&workdir)
        .map(Path::to_owned)
        .map_err(|_| no_git())
}

/// Writes the tree `base` (none: an empty one) with each blob of `edits` put
/// at its path and each path of `removed` taken out (paths relative to the
/// work tree). Only the trees on the way to a changed path are rebuilt and
/// hashed; every other subtree is kept by its ID, so a commit in a sharded
/// repository rewrites a month's folder, not the whole kind's.
pub(crate) fn edit_tree(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    edits: &[(PathBuf, Oid)],
    removed: &[PathBuf],
) -> Result<Oid> {
    let Some(base) = base else {
        // A first commit: its trees from an index of the edits alone, so no
        // empty tree is written to be left dangling.
        let mut index = git2::Index::new()?;
        for (path, blob) in edits {
            let name = git_path(path).into_bytes();
            index.add(&git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: *blob,
                flags: name.len().min(0xfff) as u16,
                flags_extended: 0,
                path: name,
            })?;
        }
        return Ok(index.write_tree_to(repo)?);
    };
    let mut update = git2::build::TreeUpdateBuilder::new();
    for (path, blob) in edits {
        update.upsert(git_path(path), *blob, git2::FileMode::Blob);
    }
    for path in removed.iter().filter(|p| base.get_path(p).is_ok()) {
        update.remove(git_path(path));
    }
    Ok(update.create_updated(repo, base)?)
}

/// A path as git names it: its components joined by `/`.
pub(crate) fn git_path(path: &Path) -> String {
    path.iter()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A commit that changed a record's file.
#[derive(Debug, Clone)]
pub struct HistoryCommit {
    /// The commit ID.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// When it was authored.
    pub at: DateTime<FixedOffset>,
    /// The first line of its message.
    pub summary: String,
    /// The record file as that commit left it (`None`: the commit deleted it).
    pub content: Option<Vec<u8>>,
    /// The file as each parent had it, first parent first (`None`: that
    /// parent did not have it). What the commit changed is against these,
    /// not against the commit before it in time: a merge brings in what its
    /// other parents had.
    pub parents: Vec<Option<Vec<u8>>>,
}

/// The record file at `rel` as HEAD has it, if HEAD has it.
pub fn file_at_head(root: &Path, rel: &Path) -> Result<Option<Vec<u8>>> {
    let repo = open_repo(root)?;
    let path = repo_prefix(&repo, root)?.join(rel);
    let Ok(head) = repo.head() else {
        return Ok(None);
    };
    let tree = head.peel_to_tree()?;
    blob_content(&repo, blob_at(&tree, &path))
}

/// The blob at `path` in `tree`, if the tree has a file there.
fn blob_at(tree: &Tree<'_>, path: &Path) -> Option<Oid> {
    tree.get_path(path).ok().map(|e| e.id())
}

/// The bytes of the blob `oid` names, if it names one. A blob a tree names
/// that the object store lacks (a damaged or partial clone) is git's error,
/// not a file that is not there.
fn blob_content(repo: &Repository, oid: Option<Oid>) -> Result<Option<Vec<u8>>> {
    oid.map(|oid| Ok(repo.find_blob(oid)?.content().to_vec()))
        .transpose()
}

/// Whether `commit` changed the file at `path` (to the blob `mine`) from
/// every parent's, as `git log` counts it.
fn changed_from_parents(commit: &Commit<'_>, path: &Path, mine: Option<Oid>) -> Result<bool> {
    if commit.parent_count() == 0 {
        return Ok(mine.is_some());
    }
    for parent in commit.parents() {
        if blob_at(&parent.tree()?, path) == mine {
            return Ok(false);
        }
    }
    Ok(true)
}

/// When `commit` was authored, at its own offset. A commit with an
/// impossible offset (hand-made objects) is shown in UTC; a time beyond
/// the calendar's range is an error naming the commit, not a date in 1970.
fn authored_at(commit: &Commit<'_>) -> Result<DateTime<FixedOffset>> {
    let when = commit.author().when();
    let offset = FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or(chrono::Offset::fix(&chrono::Utc));
    offset
        .timestamp_opt(when.seconds(), 0)
        .single()
        .ok_or_else(|| {
            git2::Error::from_str(&format!(
                "commit {}: its author time ({} s since 1970) is out of range",
                commit.id(),
                when.seconds()
            ))
            .into()
        })
}

/// `Name <email>` of a commit's author; bytes that are not UTF-8 (git does
/// not ask for it) are shown replaced rather than dropped.
fn author_of(commit: &Commit<'_>) -> String {
    let author = commit.author();
    format!(
        "{} <{}>",
        String::from_utf8_lossy(author.name_bytes()),
        String::from_utf8_lossy(author.email_bytes())
    )
}

/// The first paragraph of a commit's message on one line, bytes that are
/// not UTF-8 shown replaced. libgit2 gives none only for a commit without
/// a message (or when it cannot allocate): that shows as empty.
pub(super) fn summary_of(commit: &Commit<'_>) -> String {
    commit
        .summary_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The commits reachable from HEAD that changed the file at `rel` (relative
/// to the record repository's root), oldest first. A commit counts when the
/// file differs from every parent's, as `git log` shows it.
pub fn record_commits(root: &Path, rel: &Path) -> Result<Vec<HistoryCommit>> {
    let repo = open_repo(root)?;
    let path = repo_prefix(&repo, root)?.join(rel);
    let head = match repo.head() {
        Ok(h) => h,
        Err(_) => return Ok(Vec::new()), // no commits yet
    };
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(head.peel_to_commit()?.id())?;
    // The path the record has at the commits still to come; it changes where
    // a commit renamed (moved) the file, so the walk follows the record.
    let mut path = path;
    let mut out = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let tree = commit.tree()?;
        let mine = blob_at(&tree, &path);
        let renamed_from = match (mine, commit.parents().next()) {
            (Some(_), Some(parent)) if blob_at(&parent.tree()?, &path).is_none() => {
                find_rename(&repo, &parent.tree()?, &tree, &path)
            }
            _ => None,
        };
        if changed_from_parents(&commit, &path, mine)? {
            let mut parents = Vec::new();
            for parent in commit.parents() {
                let parent_tree = parent.tree()?;
                let at = blob_at(&parent_tree, &path).or_else(|| {
                    mine.and_then(|_| find_rename(&repo, &parent_tree, &tree, &path))
                        .and_then(|old| blob_at(&parent_tree, &old))
                });
                parents.push(blob_content(&repo, at)?);
            }
            out.push(HistoryCommit {
                id: commit.id().to_string(),
                author: author_of(&commit),
                at: authored_at(&commit)?,
                summary: summary_of(&commit),
                content: blob_content(&repo, mine)?,
                parents,
            });
        }
        if let Some(old) = renamed_from {
            path = old;
        }
    }
    out.reverse();
    Ok(out)
}

/// The path a file at `path` in `new` had in `old`, if the change between
/// them is a rename (git's rename detection: same or similar content).
fn find_rename(repo: &Repository, old: &Tree<'_>, new: &Tree<'_>, path: &Path) -> Option<PathBuf> {
    let mut diff = repo.diff_tree_to_tree(Some(old), Some(new), None).ok()?;
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))
        .ok()?;
    diff.deltas()
        .find(|d| d.status() == git2::Delta::Renamed && d.new_file().path() == Some(path))
        .and_then(|d| d.old_file().path().map(Path::to_owned))
}

/// How much of a pack is handed to libgit2's indexer at a time.
const PACK_WRITE_BUFFER: usize = 4 << 20;

/// Writes `objects` (type and content, each once) into `repo`'s object
/// store as one pack and its index, without deltas.
///
/// libgit2's own pack writer searches every object for a delta base: at an
/// import of 100 000 records that search was a seventh of the import, for
/// records that share little but their keys. Here each object is
/// compressed on its own (in parallel) and the stream — "PACK", version 2,
/// the count, per object its type-and-size header and zlib data, then the
/// SHA-1 of all of it — is handed to libgit2's indexer with verification
/// on: it hashes and parses every object, checks that everything each one
/// refers to is in the pack or already in `repo`, and writes the `.idx`
/// only then. `git gc` may delta them later.
pub(crate) fn write_pack_without_deltas(
    repo: &Repository,
    objects: &[(git2::ObjectType, &[u8])],
) -> Result<()> {
    use rayon::prelude::*;
    use std::io::Write;
    /// Fast compression: a record is a few hundred bytes of YAML, and the
    /// higher levels cost far more time than they save bytes.
    const LEVEL: u8 = 1;
    let count = u32::try_from(objects.len()).map_err(|_| Error::TooManyObjects {
        count: objects.len(),
    })?;
    let entries: Vec<Vec<u8>> = objects
        .par_iter()
        .map(|(kind, data)| {
            // Sized to fit: the entries of a large import are all held
            // until the pack is written.
            let compressed = miniz_oxide::deflate::compress_to_vec_zlib(data, LEVEL);
            let mut entry = pack_entry_header(*kind, data.len());
            entry.reserve_exact(compressed.len());
            entry.extend_from_slice(&compressed);
            entry
        })
        .collect();
    let odb = repo.odb()?;
    let pack_dir = objects_dir(repo).join("pack");
    let io = |e: std::io::Error| Error::io(&pack_dir, e);
    let indexer = git2::Indexer::new(Some(&odb), &pack_dir, 0, true)?;
    // The indexer does work on every call it is given (it frees and maps
    // its window of the pack again), so it is fed in large pieces, not an
    // object at a time.
    let mut writer = std::io::BufWriter::with_capacity(PACK_WRITE_BUFFER, indexer);
    let mut sha = sha1_smol::Sha1::new();
    let mut header = b"PACK".to_vec();
    header.extend(2u32.to_be_bytes());
    header.extend(count.to_be_bytes());
    for bytes in std::iter::once(&header).chain(&entries) {
        sha.update(bytes);
        writer.write_all(bytes).map_err(io)?;
    }
    writer.write_all(&sha.digest().bytes()).map_err(io)?;
    let indexer = writer.into_inner().map_err(|e| io(e.into_error()))?;
    indexer.commit()?;
    odb.refresh()?;
    Ok(())
}

/// The folder new objects go to: `GIT_OBJECT_DIRECTORY` when git is told
/// so, else the common git folder's (shared by every linked worktree).
fn objects_dir(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_OBJECT_DIRECTORY").filter(|v| !v.is_empty()) {
        Some(dir) => std::path::absolute(&dir).unwrap_or_else(|_| PathBuf::from(dir)),
        None => repo.commondir().join("objects"),
    }
}

/// A pack entry's header: the type in bits 4–6 of the first byte, the size
/// in its low four bits and then seven bits a byte, low bits first, the top
/// bit of each byte saying another follows.
fn pack_entry_header(kind: git2::ObjectType, size: usize) -> Vec<u8> {
    let code: u8 = match kind {
        git2::ObjectType::Commit => 1,
        git2::ObjectType::Tree => 2,
        git2::ObjectType::Tag => 4,
        _ => 3,
    };
    let mut out = Vec::with_capacity(10);
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
    out
}
