//! Git's index file, patched for a small commit rather than read and
//! written through libgit2.
//!
//! At 100 000 records the index is 7 MB, and libgit2 reads all of it into
//! a hash map of entries (checking paths and hashing the file with the
//! collision-detecting SHA-1) and writes all of it back: three quarters of
//! `arende new`. A commit of a few files changes a few entries, so here the
//! file is copied as bytes with those entries put in or replaced, the cached
//! trees above them marked out of date (as git does when it stages a file),
//! the caches that name offsets or untracked files left out (git rebuilds
//! them), and the checksum written anew.
//!
//! What this cannot patch exactly — a conflicted or sparse path, a split
//! index, an extension git calls required that is not known here, a damaged
//! file — it declines, and the caller stages through libgit2 instead.
//!
//! Entries whose file may have changed in the same second as the index was
//! written ("racily clean", git's `racy-git.txt`) are checked against their
//! files as git itself does when it writes the index: the new index is
//! newer than their files, so an unchecked one would look clean for good.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid};

use crate::error::{Error, Result};

/// Size of an entry's fixed part: ten 32-bit stat fields, the object ID, flags.
const FIXED: usize = 62;
/// The flag of an entry with a second flags word (index version 3 and up).
const EXTENDED: u16 = 0x4000;
/// Bits of `flags` that hold the merge stage.
const STAGE_MASK: u16 = 0x3000;
/// The "assume unchanged" flag: git does not look at the file.
const ASSUME_VALID: u16 = 0x8000;
/// In the second flags word: the path is outside the sparse checkout.
const SKIP_WORKTREE: u16 = 0x4000;
/// Longer names are stored as 0xFFF in `flags`, and found by their NUL.
const NAME_MASK: u16 = 0x0fff;
/// Deeper cached trees than any real repository has: the file is not trusted.
const MAX_TREE_DEPTH: usize = 512;

/// One file a commit stages: its path in git's form (relative to the work
/// tree, `/` between components) and its blob.
pub(crate) struct Staged {
    pub(crate) path: Vec<u8>,
    pub(crate) blob: Oid,
}

/// An entry the patch replaced, or `None` where it added one: enough for
/// libgit2 to put the index back if the commit fails after it.
pub(crate) type Replaced = Vec<(Vec<u8>, Option<git2::IndexEntry>)>;

/// Why the index was left for libgit2.
#[derive(Debug)]
pub(crate) struct Declined;

/// Stages `files` (already written to the work tree at `workdir`) in the
/// index at `git_dir/index`. `Ok(Err(Declined))`: nothing was written, and
/// libgit2 should do it.
pub(crate) fn stage(
    git_dir: &Path,
    workdir: &Path,
    files: &[Staged],
) -> Result<std::result::Result<Replaced, Declined>> {
    let path = git_dir.join("index");
    // Git's protocol: hold `index.lock` from before the read to the rename,
    // so no other writer's index is lost in between.
    let lock = IndexLock::take(git_dir.join("index.lock"))?;
    let (bytes, stamp) = match std::fs::read(&path) {
        Ok(b) => {
            let m = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
            (b, mtime_secs(&m))
        }
        // No index yet (a new repository): libgit2 makes one.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Err(Declined)),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let mut files: Vec<&Staged> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let mut new = Vec::with_capacity(files.len());
    for f in &files {
        let Ok(rel) = std::str::from_utf8(&f.path) else {
            return Ok(Err(Declined));
        };
        let abs = workdir.join(rel);
        let m = std::fs::symlink_metadata(&abs).map_err(|e| Error::io(&abs, e))?;
        new.push(fixed_of(&m, f.blob, f.path.len()));
    }
    let Some((patched, replaced)) = patch(&bytes, stamp, workdir, &files, &new) else {
        return Ok(Err(Declined));
    };
    lock.commit(&patched, &path)?;
    Ok(Ok(replaced))
}

/// `index.lock`, created exclusively and removed unless renamed over the index.
struct IndexLock {
    path: PathBuf,
    file: Option<File>,
}

impl IndexLock {
    fn take(path: PathBuf) -> Result<IndexLock> {
        match File::options().write(true).create_new(true).open(&path) {
            Ok(f) => Ok(IndexLock {
                path,
                file: Some(f),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(Error::GitLocked { path })
            }
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Writes the new index and renames it into place.
    fn commit(mut self, bytes: &[u8], index: &Path) -> Result<()> {
        if let Some(mut file) = self.file.take() {
            file.write_all(bytes)
                .map_err(|e| Error::io(&self.path, e))?;
        }
        std::fs::rename(&self.path, index).map_err(|e| Error::io(index, e))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn mtime_secs(m: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The index keeps 32-bit seconds; git compares them truncated alike.
        m.mtime() as u32
    }
    #[cfg(not(unix))]
    {
        m.modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as u32)
    }
}

/// The fixed part of a new entry for a file with this stat and blob.
fn fixed_of(m: &std::fs::Metadata, blob: Oid, name_len: usize) -> [u8; FIXED] {
    #[cfg(unix)]
    let stat = {
        use std::os::unix::fs::MetadataExt;
        // The index stores 32-bit stat fields; git truncates them the same way.
        [
            m.ctime() as u32,
            m.ctime_nsec() as u32,
            m.mtime() as u32,
            m.mtime_nsec() as u32,
            m.dev() as u32,
            m.ino() as u32,
            0o100644,
            m.uid(),
            m.gid(),
            m.len() as u32,
        ]
    };
    #[cfg(not(unix))]
    let stat = [0, 0, mtime_secs(m), 0, 0, 0, 0o100644, 0, 0, m.len() as u32];
    let mut out = [0u8; FIXED];
    for (i, v) in stat.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out[40..60].copy_from_slice(blob.as_bytes());
    let flags = name_len.min(usize::from(NAME_MASK)) as u16;
    out[60..62].copy_from_slice(&flags.to_be_bytes());
    out
}

/// A cursor over the index bytes; every read is checked, a short file declines.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }

    /// Bytes up to a NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.at..)?;
        let n = rest.iter().position(|&b| b == 0)?;
        self.at += n + 1;
        Some(&rest[..n])
    }

    /// Git's variable-length integer of index version 4 (`varint.c`).
    fn varint(&mut self) -> Option<usize> {
        let mut c = *self.take(1)?.first()?;
        let mut val = u64::from(c & 127);
        while c & 128 != 0 {
            val = val.checked_add(1)?;
            if val >> 57 != 0 {
                return None;
            }
            c = *self.take(1)?.first()?;
            val = (val << 7) + u64::from(c & 127);
        }
        usize::try_from(val).ok()
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: usize) {
    let mut buf = [0u8; 16];
    let mut pos = buf.len() - 1;
    buf[pos] = (value & 127) as u8;
    value >>= 7;
    while value != 0 {
        value -= 1;
        pos -= 1;
        buf[pos] = 128 | (value & 127) as u8;
        value >>= 7;
    }
    out.extend_from_slice(&buf[pos..]);
}

/// Writes an entry: its fixed part (and second flags word, if any) and its
/// path, as version `version` stores it after the entry at `prev`.
fn put_entry(out: &mut Vec<u8>, version: u32, fixed: &[u8], path: &[u8], prev: &[u8]) {
    out.extend_from_slice(fixed);
    if version >= 4 {
        let common = prev.iter().zip(path).take_while(|(a, b)| a == b).count();
        put_varint(out, prev.len() - common);
        out.extend_from_slice(&path[common..]);
        out.push(0);
    } else {
        out.extend_from_slice(path);
        // NUL-padded to a multiple of eight, at least one NUL.
        let len = (fixed.len() + path.len() + 8) & !7;
        out.resize(out.len() + len - fixed.len() - path.len(), 0);
    }
}

/// The new index as it is written.
struct Out {
    bytes: Vec<u8>,
    version: u32,
    /// How many entries it has so far.
    written: u32,
    /// The path of the entry last put in, while it is not the old file's
    /// entry before the next one (a staged path was put in between).
    prev_new: Option<Vec<u8>>,
    replaced: Replaced,
}

impl Out {
    /// Puts in the staged files from `*next` on that sort before `limit`
    /// (all that are left, without one), the first after `prev_old`.
    fn put_staged(
        &mut self,
        files: &[&Staged],
        new: &[[u8; FIXED]],
        next: &mut usize,
        limit: Option<&[u8]>,
        prev_old: &[u8],
    ) {
        while let Some(f) = files
            .get(*next)
            .filter(|f| limit.is_none_or(|l| f.path.as_slice() < l))
        {
            let prev = self.prev_new.as_deref().unwrap_or(prev_old);
            put_entry(&mut self.bytes, self.version, &new[*next], &f.path, prev);
            self.replaced.push((f.path.clone(), None));
            self.prev_new = Some(f.path.clone());
            self.written += 1;
            *next += 1;
        }
    }
}

/// The patched index and the entries it replaced; `None` to decline.
fn patch(
    data: &[u8],
    stamp: u32,
    workdir: &Path,
    files: &[&Staged],
    new: &[[u8; FIXED]],
) -> Option<(Vec<u8>, Replaced)> {
    if data.len() < 12 + 20 {
        return None;
    }
    let body = &data[..data.len() - 20];
    // A trailer of zeros is `index.skipHash`: leave such an index to git's own tools.
    if data[data.len() - 20..].iter().all(|&b| b == 0) {
        return None;
    }
    let mut r = Bytes { data: body, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = r.u32()? as usize;

    // Where the staged paths and the folders above them sort, for the
    // checks below, merged with the entries as they come in path order.
    let mut folders: Vec<&[u8]> = files
        .iter()
        .flat_map(|f| {
            f.path
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'/')
                .map(|(i, _)| &f.path[..i])
        })
        .collect();
    folders.sort_unstable();
    folders.dedup();
    let mut under: Vec<Vec<u8>> = files
        .iter()
        .map(|f| [f.path.as_slice(), b"/"].concat())
        .collect();
    under.sort_unstable();

    let mut out = Out {
        bytes: Vec::with_capacity(data.len() + files.len() * 128),
        version,
        written: 0,
        prev_new: None,
        replaced: Vec::new(),
    };
    out.bytes.extend_from_slice(b"DIRC");
    out.bytes.extend_from_slice(&version.to_be_bytes());
    out.bytes.extend_from_slice(&[0; 4]); // the count, once known
    let (mut next_file, mut next_folder, mut next_under) = (0, 0, 0);
    // The path of the entry before in the old file (and `out.prev_new`: of
    // the one before in the new file, where a path was put in between).
    let mut cur: Vec<u8> = Vec::new();
    let mut prev_old: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = r.at;
        let fixed = r.take(FIXED)?;
        let flags = u16::from_be_bytes([fixed[60], fixed[61]]);
        let mut fixed_len = FIXED;
        let mut flags2 = 0;
        if flags & EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            flags2 = r.u16()?;
            fixed_len += 2;
        }
        std::mem::swap(&mut prev_old, &mut cur);
        if version >= 4 {
            let strip = r.varint()?;
            let suffix = r.until_nul()?;
            cur.clear();
            cur.extend_from_slice(prev_old.get(..prev_old.len().checked_sub(strip)?)?);
            cur.extend_from_slice(suffix);
        } else {
            let name_len = usize::from(flags & NAME_MASK);
            let name = if name_len < usize::from(NAME_MASK) {
                r.take(name_len)?
            } else {
                r.until_nul()?
            };
            cur.clear();
            cur.extend_from_slice(name);
            let len = (fixed_len + cur.len() + 8) & !7;
            r.at = start.checked_add(len)?;
            if r.at > body.len() {
                return None;
            }
        }
        let raw = &body[start..r.at];
        let stage = flags & STAGE_MASK;

        // A file under a staged path, or a file where a staged path needs a
        // folder: git would have to remove entries. Declined.
        while next_folder < folders.len() && folders[next_folder] < cur.as_slice() {
            next_folder += 1;
        }
        if folders.get(next_folder) == Some(&cur.as_slice()) {
            return None;
        }
        while next_under < under.len()
            && under[next_under].as_slice() < cur.as_slice()
            && !cur.starts_with(&under[next_under])
        {
            next_under += 1;
        }
        if under.get(next_under).is_some_and(|u| cur.starts_with(u)) {
            return None;
        }

        // The staged paths that sort before this entry are put in first.
        out.put_staged(files, new, &mut next_file, Some(&cur), &prev_old);
        if next_file < files.len() && files[next_file].path == cur {
            if stage != 0 {
                return None; // a conflict: `git add` would resolve it, with its REUC record
            }
            let f = files[next_file];
            let prev = out.prev_new.as_deref().unwrap_or(&prev_old);
            put_entry(&mut out.bytes, version, &new[next_file], &f.path, prev);
            out.replaced
                .push((f.path.clone(), Some(entry_of(fixed, flags2, &cur))));
            out.prev_new = None;
            out.written += 1;
            next_file += 1;
            continue;
        }
        let at = out.bytes.len();
        match &out.prev_new {
            Some(prev) if version >= 4 => {
                put_entry(&mut out.bytes, version, &raw[..fixed_len], &cur, prev)
            }
            _ => out.bytes.extend_from_slice(raw),
        }
        out.prev_new = None;
        out.written += 1;
        if stage == 0
            && flags & ASSUME_VALID == 0
            && flags2 & SKIP_WORKTREE == 0
            && u32::from_be_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]) >= stamp
            && racily_clean(workdir, fixed, &cur)
        {
            // git's smudge: a size no file of this content has, so git looks again.
            out.bytes[at + 36..at + 40].copy_from_slice(&[0; 4]);
        }
    }
    // The rest go after the old file's last entry.
    out.put_staged(files, new, &mut next_file, None, &cur);
    let Out {
        bytes: mut out,
        written,
        replaced,
        ..
    } = out;
    out[8..12].copy_from_slice(&written.to_be_bytes());

    while r.at < body.len() {
        let sig: [u8; 4] = r.take(4)?.try_into().ok()?;
        let len = r.u32()? as usize;
        let ext = r.take(len)?;
        match &sig {
            b"TREE" => {
                let mut tree = Vec::with_capacity(ext.len());
                let mut t = Bytes { data: ext, at: 0 };
                let mut path = Vec::new();
                out_of_date(&mut t, &mut tree, &mut path, &folders, 0)?;
                if t.at != ext.len() {
                    return None;
                }
                out.extend_from_slice(b"TREE");
                out.extend_from_slice(&u32::try_from(tree.len()).ok()?.to_be_bytes());
                out.extend_from_slice(&tree);
            }
            b"REUC" => {
                out.extend_from_slice(&sig);
                out.extend_from_slice(&(len as u32).to_be_bytes());
                out.extend_from_slice(ext);
            }
            // Optional caches (git names them in capitals): untracked files,
            // fsmonitor's token, offsets of entries. They would be stale; git
            // does without them and makes them again.
            [b'A'..=b'Z', ..] => {}
            // `link` (a split index), `sdir` (a sparse one), or one not known.
            _ => return None,
        }
    }
    let mut sha = sha1_smol::Sha1::new();
    sha.update(&out);
    out.extend_from_slice(&sha.digest().bytes());
    Some((out, replaced))
}

/// Copies one cached tree (and those below it) of the TREE extension,
/// marking out of date (`-1` entries, no ID) each that holds a staged path.
fn out_of_date(
    t: &mut Bytes<'_>,
    out: &mut Vec<u8>,
    path: &mut Vec<u8>,
    folders: &[&[u8]],
    depth: usize,
) -> Option<()> {
    if depth > MAX_TREE_DEPTH {
        return None;
    }
    let name = t.until_nul()?;
    let rest = t.data.get(t.at..)?;
    let line_end = rest.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&rest[..line_end]).ok()?;
    t.at += line_end + 1;
    let (entries, subtrees) = line.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    let id = if entries >= 0 {
        Some(t.take(20)?)
    } else {
        None
    };
    let len = path.len();
    if depth > 0 {
        if depth > 1 {
            path.push(b'/');
        }
        path.extend_from_slice(name);
    }
    // The root (empty path) holds every staged path; a folder, those under it.
    let holds = depth == 0 || folders.binary_search(&path.as_slice()).is_ok();
    out.extend_from_slice(name);
    out.push(0);
    match id {
        Some(id) if !holds => {
            out.extend_from_slice(format!("{entries} {subtrees}\n").as_bytes());
            out.extend_from_slice(id);
        }
        _ => out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes()),
    }
    for _ in 0..subtrees {
        out_of_date(t, out, path, folders, depth + 1)?;
    }
    path.truncate(len);
    Some(())
}

/// Whether an entry's file still matches its stat but no longer its blob:
/// the case git's racy-git check smudges. Only size and mtime seconds are
/// compared, which git compares whatever its settings, so this is never
/// less careful than git.
fn racily_clean(workdir: &Path, fixed: &[u8], path: &[u8]) -> bool {
    let Ok(rel) = std::str::from_utf8(path) else {
        return false;
    };
    let abs = workdir.join(rel);
    let Ok(m) = std::fs::symlink_metadata(&abs) else {
        return false;
    };
    let word = |i: usize| u32::from_be_bytes([fixed[i], fixed[i + 1], fixed[i + 2], fixed[i + 3]]);
    if !m.is_file() || m.len() as u32 != word(36) || mtime_secs(&m) != word(8) {
        return false;
    }
    let Ok(bytes) = std::fs::read(&abs) else {
        return false;
    };
    Oid::hash_object(ObjectType::Blob, &bytes).map_or(true, |oid| oid.as_bytes() != &fixed[40..60])
}

/// The libgit2 form of an entry's fixed part and path.
fn entry_of(fixed: &[u8], flags2: u16, path: &[u8]) -> git2::IndexEntry {
    let word = |i: usize| u32::from_be_bytes([fixed[i], fixed[i + 1], fixed[i + 2], fixed[i + 3]]);
    git2::IndexEntry {
        ctime: git2::IndexTime::new(word(0) as i32, word(4)),
        mtime: git2::IndexTime::new(word(8) as i32, word(12)),
        dev: word(16),
        ino: word(20),
        mode: word(24),
        uid: word(28),
        gid: word(32),
        file_size: word(36),
        id: Oid::from_bytes(&fixed[40..60]).unwrap_or(Oid::ZERO_SHA1),
        flags: u16::from_be_bytes([fixed[60], fixed[61]]),
        flags_extended: flags2,
        path: path.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// A work tree with `files` written and staged by libgit2 in an index
    /// of `version`, with its cached trees filled in.
    fn repo_with(files: &[String], version: u32) -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut index = repo.index().unwrap();
        for f in files {
            write(dir.path(), f, &format!("old {f}\n"));
            index.add_path(Path::new(f)).unwrap();
        }
        index.set_version(version).unwrap();
        index.write_tree().unwrap();
        index.write().unwrap();
        drop(index);
        (dir, repo)
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let abs = root.join(rel);
        std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
        std::fs::write(abs, text).unwrap();
    }

    /// What the index holds, as libgit2 reads it.
    fn entries(repo: &git2::Repository) -> Vec<(Vec<u8>, Oid, u32, u16)> {
        let index = git2::Index::open(&repo.path().join("index")).unwrap();
        index
            .iter()
            .map(|e| (e.path, e.id, e.file_size, e.flags & STAGE_MASK))
            .collect()
    }

    /// Stages `changed` (written to the work tree first) by patching, and
    /// returns the index's entries and the tree it writes, cached trees
    /// and all; then the same by libgit2 alone, from the same start.
    fn both_ways(old: &[String], changed: &[String], version: u32) {
        let (dir, repo) = repo_with(old, version);
        let (dir2, repo2) = repo_with(old, version);
        let mut staged = Vec::new();
        for f in changed {
            for root in [dir.path(), dir2.path()] {
                write(root, f, &format!("new {f}\n"));
            }
            let blob = repo.blob(format!("new {f}\n").as_bytes()).unwrap();
            staged.push(Staged {
                path: f.clone().into_bytes(),
                blob,
            });
        }
        let replaced = stage(repo.path(), dir.path(), &staged).unwrap().unwrap();
        assert_eq!(
            replaced.iter().filter(|(_, e)| e.is_none()).count(),
            changed
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .iter()
                .filter(|f| !old.contains(f))
                .count()
        );
        let mut index2 = repo2.index().unwrap();
        for f in changed {
            index2.add_path(Path::new(f)).unwrap();
        }
        index2.write().unwrap();
        let ours = entries(&repo);
        let theirs = entries(&repo2);
        let names = |v: &[(Vec<u8>, Oid, u32, u16)]| {
            v.iter()
                .map(|(p, id, _, s)| (p.clone(), *id, *s))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&ours), names(&theirs));
        // The cached trees: what the patched index writes is the tree of its entries.
        let mut index = git2::Index::open(&repo.path().join("index")).unwrap();
        let cached = index.write_tree_to(&repo).unwrap();
        let mut fresh = git2::Index::new().unwrap();
        for e in index.iter() {
            fresh.add(&e).unwrap();
        }
        assert_eq!(cached, fresh.write_tree_to(&repo).unwrap());
    }

    fn name() -> impl proptest::strategy::Strategy<Value = String> {
        // Components that sort around `/` (`-` and `.` before it, `0` after).
        proptest::string::string_regex("[ab][-.0/]?[ab]?(/[ab0-]{1,2}){0,2}\\.y")
            .unwrap()
            .prop_filter("no empty component", |s| !s.contains("//"))
    }

    use proptest::strategy::Strategy as _;

    /// Keeps only paths no other path has as a folder (git allows no such pair).
    fn tidy(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v.dedup();
        let all = v.clone();
        v.retain(|p| {
            !all.iter()
                .any(|q| q.starts_with(&format!("{p}/")) || p.starts_with(&format!("{q}/")))
        });
        v
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(48))]
        #[test]
        fn index_patched_equals_index_staged_by_libgit2(
            old in proptest::collection::vec(name(), 0..12),
            new in proptest::collection::vec(name(), 1..6),
            version in 2u32..=4,
        ) {
            let old = tidy(old);
            let all = tidy(old.iter().chain(&new).cloned().collect());
            let new: Vec<String> = new.into_iter().filter(|n| all.contains(n)).collect();
            let old: Vec<String> = old.into_iter().filter(|o| all.contains(o)).collect();
            proptest::prop_assume!(!new.is_empty());
            both_ways(&old, &new, version);
        }
    }

    #[test]
    fn index_patched_in_a_sharded_layout_with_many_entries() {
        let old: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "incidents/2026/{:02}/INC-2026{:02}01-{i:06}.yaml",
                    i % 12 + 1,
                    i % 12 + 1
                )
            })
            .collect();
        let new = vec![
            "incidents/2026/11/INC-20261120-AAAAAA.yaml".to_owned(),
            "incidents/2027/01/INC-20270101-AAAAAA.yaml".to_owned(),
            old[7].clone(),
        ];
        for version in [2, 3, 4] {
            both_ways(&old, &new, version);
        }
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@e.se")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@e.se")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn index_patched_reads_as_git_staged_it() {
        // Git's own index (its cached trees, an untracked cache, an end-of-index
        // offset table), patched, then read by git itself.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        git(root, &["config", "index.version", "4"]);
        git(root, &["config", "core.untrackedCache", "true"]);
        git(root, &["config", "index.recordEndOfIndexEntries", "true"]);
        for i in 0..40 {
            write(
                root,
                &format!("incidents/2026/{:02}/INC-{i}.yaml", i % 3 + 1),
                "a: 1\n",
            );
        }
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "start"]);
        git(root, &["status", "--porcelain"]);
        let repo = git2::Repository::open(root).unwrap();
        let rel = "incidents/2026/02/INC-new.yaml";
        write(root, rel, "b: 2\n");
        let blob = repo.blob(b"b: 2\n").unwrap();
        let staged = [Staged {
            path: rel.as_bytes().to_vec(),
            blob,
        }];
        stage(repo.path(), root, &staged).unwrap().unwrap();
        assert_eq!(git(root, &["status", "--porcelain"]), format!("A  {rel}\n"));
        assert_eq!(
            git(root, &["ls-files", "-s", rel]),
            format!("100644 {blob} 0\t{rel}\n")
        );
        // The cached trees above the new file are out of date; git writes the right tree.
        let written = git(root, &["write-tree"]);
        git(root, &["read-tree", "HEAD"]);
        git(root, &["add", rel]);
        assert_eq!(written, git(root, &["write-tree"]));
    }

    #[test]
    fn index_patched_smudges_an_entry_changed_in_the_index_s_second() {
        let (dir, repo) = repo_with(&["a.y".to_owned()], 2);
        let root = dir.path();
        // Changed after the index was written, same size, mtime set back to the same second.
        let abs = root.join("a.y");
        let before = std::fs::metadata(&abs).unwrap().modified().unwrap();
        std::fs::write(&abs, "new a.y\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&abs)
            .unwrap()
            .set_modified(before)
            .unwrap();
        // The index written in that same second (as a fast script's would be).
        std::fs::File::options()
            .write(true)
            .open(repo.path().join("index"))
            .unwrap()
            .set_modified(before)
            .unwrap();
        write(root, "b.y", "b\n");
        let blob = repo.blob(b"b\n").unwrap();
        stage(
            repo.path(),
            root,
            &[Staged {
                path: b"b.y".to_vec(),
                blob,
            }],
        )
        .unwrap()
        .unwrap();
        let a = entries(&repo).into_iter().find(|e| e.0 == b"a.y").unwrap();
        assert_eq!(a.2, 0, "the racily clean entry is smudged");
    }

    #[test]
    fn index_with_a_conflict_or_a_split_is_left_to_libgit2() {
        let (dir, repo) = repo_with(&["a.y".to_owned()], 2);
        let path = repo.path().join("index");
        let good = std::fs::read(&path).unwrap();
        let blob = repo.blob(b"x").unwrap();
        let staged = [Staged {
            path: b"a.y".to_vec(),
            blob,
        }];
        // The entry at stage 2 (ours of a conflict).
        let mut conflicted = good.clone();
        conflicted[12 + 60] |= 0x20;
        let body = conflicted.len() - 20;
        let mut sha = sha1_smol::Sha1::new();
        sha.update(&conflicted[..body]);
        conflicted[body..].copy_from_slice(&sha.digest().bytes());
        std::fs::write(&path, &conflicted).unwrap();
        assert!(stage(repo.path(), dir.path(), &staged).unwrap().is_err());
        assert_eq!(std::fs::read(&path).unwrap(), conflicted, "left as it was");
        assert!(!repo.path().join("index.lock").exists());
        // A required extension not known here (`link`: a split index).
        let mut split = good[..good.len() - 20].to_vec();
        split.extend_from_slice(b"link");
        split.extend_from_slice(&20u32.to_be_bytes());
        split.extend_from_slice(&[0; 20]);
        let mut sha = sha1_smol::Sha1::new();
        sha.update(&split);
        split.extend_from_slice(&sha.digest().bytes());
        std::fs::write(&path, &split).unwrap();
        assert!(stage(repo.path(), dir.path(), &staged).unwrap().is_err());
        // A truncated index.
        std::fs::write(&path, &good[..40]).unwrap();
        assert!(stage(repo.path(), dir.path(), &staged).unwrap().is_err());
    }

    #[test]
    fn index_lock_held_is_an_error_and_stays() {
        let (dir, repo) = repo_with(&["a.y".to_owned()], 2);
        std::fs::write(repo.path().join("index.lock"), "").unwrap();
        let blob = repo.blob(b"x").unwrap();
        let staged = [Staged {
            path: b"b.y".to_vec(),
            blob,
        }];
        write(dir.path(), "b.y", "x");
        assert!(matches!(
            stage(repo.path(), dir.path(), &staged),
            Err(Error::GitLocked { .. })
        ));
        assert!(repo.path().join("index.lock").exists());
    }
}
