//! A small commit's trees, edited as raw tree objects.
//!
//! libgit2's tree update parses every entry of each tree on the way to a
//! changed path, sorts them again, hashes with the collision-detecting
//! SHA-1 and compresses at zlib's default level. In a folder of 100 000
//! records (a flat repository, or one month of a very large desk) that was
//! most of `arende new`. Here a tree's bytes are kept as they are, the
//! changed entries spliced in at their place, and a large new tree is
//! written as a loose object at zlib's fastest level, as git itself writes
//! loose objects (`core.looseCompression` 1).
//!
//! What does not fit — a file where a folder is needed or the other way
//! round, a tree that does not parse — is left to libgit2 (`None`).

use std::cmp::Ordering;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use crate::error::{Error, Result};

/// Trees smaller than this are written through libgit2: for them its cost
/// does not matter, and its writer knows every kind of object store.
const LARGE_TREE: usize = 64 * 1024;
/// A folder, in a tree entry's mode.
const DIR_MODE: &[u8] = b"40000";
/// A plain file.
const FILE_MODE: &[u8] = b"100644";

/// One entry of a raw tree: its mode, name and object ID, as slices of the tree's bytes.
#[derive(Clone, Copy)]
struct Item<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    id: &'a [u8],
}

impl Item<'_> {
    fn is_dir(&self) -> bool {
        self.mode == DIR_MODE
    }
}

/// Git's order of tree entries: by name, a folder's name as if it ended in `/`.
fn order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {}
        other => return other,
    }
    let end = |s: &[u8], dir: bool| s.get(n).copied().or(dir.then_some(b'/'));
    end(a, a_dir).cmp(&end(b, b_dir))
}

fn parse(data: &[u8]) -> Option<Vec<Item<'_>>> {
    let mut items = Vec::with_capacity(data.len() / 40);
    let mut at = 0;
    while at < data.len() {
        let sp = at + data[at..].iter().position(|&b| b == b' ')?;
        let nul = sp + data[sp..].iter().position(|&b| b == 0)?;
        let id = data.get(nul + 1..nul + 21)?;
        items.push(Item {
            mode: &data[at..sp],
            name: &data[sp + 1..nul],
            id,
        });
        at = nul + 21;
    }
    Some(items)
}

/// What changes at one level: a name gets a blob, or a folder gets edits below it.
enum Change<'e> {
    Blob(Oid),
    Below(Vec<(&'e [Vec<u8>], Oid)>),
}

/// The tree `base` (none: empty) with each blob of `edits` at its path
/// (relative to the work tree), written; `None` where libgit2 must do it.
pub(crate) fn edit(
    repo: &Repository,
    base: Option<Oid>,
    edits: &[(std::path::PathBuf, Oid)],
) -> Result<Option<Oid>> {
    let mut split: Vec<(Vec<Vec<u8>>, Oid)> = Vec::with_capacity(edits.len());
    for (path, blob) in edits {
        let parts: Vec<Vec<u8>> = path
            .iter()
            .map(|c| c.to_string_lossy().into_owned().into_bytes())
            .collect();
        if parts.is_empty() || parts.iter().any(|p| p.is_empty() || p.contains(&0)) {
            return Ok(None);
        }
        split.push((parts, *blob));
    }
    let edits: Vec<(&[Vec<u8>], Oid)> = split.iter().map(|(p, b)| (p.as_slice(), *b)).collect();
    let odb = repo.odb()?;
    level(repo, &odb, base, edits)
}

fn level(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    base: Option<Oid>,
    edits: Vec<(&[Vec<u8>], Oid)>,
) -> Result<Option<Oid>> {
    let object;
    let data: &[u8] = match base {
        Some(oid) => {
            object = odb.read(oid)?;
            if object.kind() != ObjectType::Tree {
                return Ok(None);
            }
            object.data()
        }
        None => &[],
    };
    let Some(mut items) = parse(data) else {
        return Ok(None);
    };
    // The changes by name, each name once (the last blob for a name wins, as in the index).
    let mut changes: Vec<(&[u8], Change<'_>)> = Vec::new();
    for (parts, blob) in edits {
        let name = parts[0].as_slice();
        let slot = match changes.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                changes.push((
                    name,
                    if parts.len() == 1 {
                        Change::Blob(blob)
                    } else {
                        Change::Below(Vec::new())
                    },
                ));
                changes.len() - 1
            }
        };
        match (&mut changes[slot].1, parts.len()) {
            (Change::Blob(b), 1) => *b = blob,
            (Change::Below(below), n) if n > 1 => below.push((&parts[1..], blob)),
            _ => return Ok(None), // a file and a folder of the same name
        }
    }
    let mut made: Vec<(Vec<u8>, bool, [u8; 20])> = Vec::with_capacity(changes.len());
    for (name, change) in changes {
        let (dir, id) = match change {
            Change::Blob(blob) => (false, blob),
            Change::Below(below) => {
                let old = items
                    .iter()
                    .find(|i| i.name == name && i.is_dir())
                    .and_then(|i| Oid::from_bytes(i.id).ok());
                match level(repo, odb, old, below)? {
                    Some(id) => (true, id),
                    None => return Ok(None),
                }
            }
        };
        let mut raw = [0u8; 20];
        raw.copy_from_slice(id.as_bytes());
        made.push((name.to_vec(), dir, raw));
    }
    for (name, dir, id) in &made {
        // An entry of the same name but the other kind would leave both: libgit2 decides.
        if items
            .iter()
            .any(|i| i.name == name.as_slice() && i.is_dir() != *dir)
        {
            return Ok(None);
        }
        let item = Item {
            mode: if *dir { DIR_MODE } else { FILE_MODE },
            name,
            id,
        };
        match items.binary_search_by(|i| order(i.name, i.is_dir(), name, *dir)) {
            Ok(at) => items[at] = item,
            Err(at) => items.insert(at, item),
        }
    }
    let mut out = Vec::with_capacity(data.len() + made.len() * 64);
    for i in &items {
        out.extend_from_slice(i.mode);
        out.push(b' ');
        out.extend_from_slice(i.name);
        out.push(0);
        out.extend_from_slice(i.id);
    }
    drop(items);
    if out.len() < LARGE_TREE {
        return Ok(Some(odb.write(ObjectType::Tree, &out)?));
    }
    write_loose(repo, &out).map(Some)
}

/// Writes a tree as a loose object, compressed at zlib's fastest level.
fn write_loose(repo: &Repository, content: &[u8]) -> Result<Oid> {
    let header = format!("tree {}\0", content.len());
    let mut sha = sha1_smol::Sha1::new();
    sha.update(header.as_bytes());
    sha.update(content);
    let id = Oid::from_bytes(&sha.digest().bytes())?;
    let hex = id.to_string();
    let dir = repo.path().join("objects").join(&hex[..2]);
    let path = dir.join(&hex[2..]);
    if path.exists() {
        return Ok(id);
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut raw = Vec::with_capacity(header.len() + content.len());
    raw.extend_from_slice(header.as_bytes());
    raw.extend_from_slice(content);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 1);
    drop(raw);
    let tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io(&dir, e))?;
    std::io::Write::write_all(&mut tmp.as_file(), &packed).map_err(|e| Error::io(tmp.path(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Git's loose objects are read-only.
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o444));
    }
    match tmp.persist_noclobber(&path) {
        Ok(_) => Ok(id),
        // Written meanwhile by someone else: the same bytes.
        Err(_) if path.exists() => Ok(id),
        Err(e) => Err(Error::io(Path::new(&path), e.error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn blob(repo: &Repository, text: &str) -> Oid {
        repo.blob(text.as_bytes()).unwrap()
    }

    /// The same edits through libgit2's tree update and through the splice.
    fn both(files: &[&str], edits: &[&str], big: bool) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut filler = Vec::new();
        if big {
            // Enough entries that the folder's tree passes LARGE_TREE.
            for i in 0..2000 {
                filler.push(format!("incidents/INC-{i:06}.yaml"));
            }
        }
        let old: Vec<(PathBuf, Oid)> = files
            .iter()
            .map(|f| f.to_string())
            .chain(filler)
            .map(|f| (PathBuf::from(&f), blob(&repo, &f)))
            .collect();
        let base = super::super::git::edit_tree(&repo, None, &old).unwrap();
        let base = repo.find_tree(base).unwrap();
        let new: Vec<(PathBuf, Oid)> = edits
            .iter()
            .map(|f| (PathBuf::from(f), blob(&repo, &format!("new {f}"))))
            .collect();
        let theirs = super::super::git::edit_tree(&repo, Some(&base), &new).unwrap();
        let ours = edit(&repo, Some(base.id()), &new).unwrap();
        assert_eq!(ours, Some(theirs), "{files:?} + {edits:?}");
        // The object is whole: libgit2 reads it back.
        assert_eq!(repo.find_tree(theirs).unwrap().id(), theirs);
    }

    #[test]
    fn tree_spliced_equals_tree_updated_by_libgit2() {
        let files = ["a.yaml", "a-b/x.yaml", "a/x.yaml", "a0.yaml", "b/c/d.yaml"];
        for big in [false, true] {
            both(&files, &["a/y.yaml"], big);
            both(&files, &["a.yaml"], big);
            both(&files, &["a-c.yaml", "a/x.yaml", "a/z/w.yaml"], big);
            both(
                &files,
                &["b/c/e.yaml", "b/d.yaml", "incidents/2026/11/INC-x.yaml"],
                big,
            );
            both(
                &files,
                &["incidents/INC-000500.yaml", "incidents/INC-999999.yaml"],
                big,
            );
            both(&[], &["x/y/z.yaml"], big);
        }
    }

    #[test]
    fn tree_with_a_file_where_a_folder_goes_is_left_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let old = [(PathBuf::from("a"), blob(&repo, "a"))];
        let base = super::super::git::edit_tree(&repo, None, &old).unwrap();
        let new = [(PathBuf::from("a/b.yaml"), blob(&repo, "b"))];
        assert_eq!(edit(&repo, Some(base), &new).unwrap(), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(64))]
        #[test]
        fn tree_spliced_equals_libgit2_for_any_names(
            old in proptest::collection::btree_set("[ab][-.0]?(/[ab][-.0]?){0,2}", 0..10),
            new in proptest::collection::btree_set("[ab][-.0]?(/[ab][-.0]?){0,2}", 1..4),
        ) {
            // Only sets of paths where no path is another's folder.
            let clash = |v: &[&String]| v.iter().any(|p| v.iter().any(|q| q.starts_with(&format!("{p}/"))));
            let all: Vec<&String> = old.iter().chain(&new).collect();
            proptest::prop_assume!(!clash(&all));
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            let new: Vec<&str> = new.iter().map(String::as_str).collect();
            both(&old, &new, false);
        }
    }
}
