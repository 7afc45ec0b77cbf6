//! One pass over the record files through the cache: which records there
//! are, as small keys in ID order, and a way to load each one when it is
//! wanted. A command that prints records visits them in order a chunk at a
//! time, so what it holds does not grow with the repository: at 300 000
//! records, holding every parsed record cost gigabytes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use super::{
    Brief, Docs, Fresh, Keep, Loaded, RACY_MARGIN_NS, Stamp, cache_path, checksum, de, decode_all,
    digest, disabled, encode, load, load_from, ns_since_epoch, save,
};
use crate::error::Error;
use crate::kind::Kind;
use crate::record::Record;
use crate::store::Store;
use crate::workspace::{Entry, Scan, read_entry, read_entry_in};
use crate::yaml::Value;

/// How many records are loaded together, in parallel, before they are
/// handed on in order: enough to keep every core busy, few enough that
/// memory does not grow with the repository.
const CHUNK: usize = 2048;

/// What a pass keeps of each record its filter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// Its key only; the record is loaded again when it is visited.
    Keys,
    /// The entry of every record read from its file (the cache's hits are
    /// decoded when the entries are taken): for the callers that want
    /// every record at once anyway.
    Entries(Docs),
}

/// The records one pass found, as keys in ID order (files of one ID in
/// path order, as [`Workspace::scan`](crate::workspace::Workspace::scan) gives them), the files it could not read,
/// and how many records its filter was given.
pub struct Records {
    root: PathBuf,
    /// The cache the keys point into: the one this pass wrote, else the one it read.
    cache: Option<Loaded>,
    keys: Vec<Key>,
    errors: Vec<Error>,
    total: usize,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("keys", &self.keys.len())
            .field("errors", &self.errors.len())
            .field("total", &self.total)
            .finish()
    }
}

/// One record the filter kept. A cached one is its entry in the cache,
/// whose index holds its path and ID: at 300 000 records, a path and an ID
/// of its own for each cost more than the cache's whole index.
enum Key {
    /// The cache's entry.
    Cached(usize),
    /// A record not in the cache.
    Own(Box<Owned>),
}

/// A record not in the cache: where it is and its ID.
struct Owned {
    path: PathBuf,
    id: Box<str>,
    /// The entry, held since it was read (a pass that holds entries); else
    /// its file is read again.
    held: Option<Entry>,
}

/// How one record file was answered.
enum Outcome {
    /// From the cache: its entry (an index into the old cache) is still good.
    Hit(usize),
    /// Read from its file. (Boxed: one slot per record file.)
    Read(Box<Read>),
    /// Unreadable: reported, not cached.
    Bad(Box<Error>),
}

/// A record file read in this pass.
struct Read {
    /// What the new cache keeps of it; `None` if it is not cached (a pass
    /// that writes no cache, or a path that is not UTF-8).
    fresh: Option<Fresh>,
    id: Box<str>,
    /// Whether the filter keeps it.
    kept: bool,
    /// The entry, if it is kept and the pass holds entries.
    held: Option<Entry>,
}

/// Every record of `kinds` (all if empty) whose brief `keep` accepts. The
/// cache is brought up to date unless `write` is false.
pub(crate) fn pass(
    store: &Store,
    kinds: &[Kind],
    keep: Keep<'_>,
    hold: Hold,
    write: bool,
) -> Records {
    let file = if disabled() { None } else { cache_path(store) };
    match file {
        Some(file) => cached(store, &file, kinds, keep, hold, write),
        None => uncached(store, kinds, keep, hold),
    }
}

/// The pass of a repository without a cache: every file is read.
fn uncached(store: &Store, kinds: &[Kind], keep: Keep<'_>, hold: Hold) -> Records {
    let (paths, mut errors) = store.record_paths(kinds);
    let root = store.root();
    let folders = crate::fs::Folders::of(root, &paths);
    let read: Vec<Result<Option<Key>, Error>> = paths
        .into_par_iter()
        .map(|rel| {
            let (mut entry, _) = read_entry_in(root, &rel, &folders)?;
            if !keep(&Brief::of(&entry.record)) {
                return Ok(None);
            }
            let id = entry.record.id().as_str().into();
            let held = match hold {
                Hold::Keys => None,
                Hold::Entries(docs) => {
                    if docs != Docs::Keep {
                        entry.doc = Value::Null;
                    }
                    Some(entry)
                }
            };
            Ok(Some(Key::Own(Box::new(Owned {
                path: rel,
                id,
                held,
            }))))
        })
        .collect();
    let mut keys = Vec::new();
    let mut total = 0;
    for r in read {
        match r {
            Ok(key) => {
                total += 1;
                keys.extend(key);
            }
            Err(e) => errors.push(e),
        }
    }
    Records::sorted(root, None, keys, errors, total)
}

/// The pass through the cache: files whose stat still matches are answered
/// from it, the rest read, and the cache rewritten if anything changed.
fn cached(
    store: &Store,
    file: &Path,
    kinds: &[Kind],
    keep: Keep<'_>,
    hold: Hold,
    write: bool,
) -> Records {
    let started = ns_since_epoch(SystemTime::now());
    let digest = digest(store);
    // No cache, or one that does not read back whole: every record is read
    // from its file, and the cache is written anew.
    let old = load(file, digest).unwrap_or_default();
    let (paths, mut errors) = store.record_paths(kinds);
    let root = store.root();
    let trusted_before = old.horizon_ns.saturating_sub(RACY_MARGIN_NS);
    let mut outcomes: Vec<Outcome> = paths
        .par_iter()
        .map(|rel| answer(root, &old, rel, trusted_before, (keep, hold, write)))
        .collect();
    let total = outcomes
        .iter()
        .filter(|o| !matches!(o, Outcome::Bad(_)))
        .count();
    let written = if write {
        rewrite(file, digest, started, kinds, &old, &mut outcomes)
    } else {
        None
    };
    let mut keys = Vec::new();
    for (o, rel) in outcomes.into_iter().zip(paths) {
        match o {
            Outcome::Bad(e) => errors.push(*e),
            Outcome::Hit(i) => {
                if keep(&old.brief(&old.entries[i])) {
                    keys.push(Key::Cached(i));
                }
            }
            Outcome::Read(r) if r.kept => keys.push(Key::Own(Box::new(Owned {
                path: rel,
                id: r.id,
                held: r.held,
            }))),
            Outcome::Read(_) => {}
        }
    }
    let cache = match written {
        Some(new) => {
            for key in &mut keys {
                repoint(key, &old, &new);
            }
            new
        }
        None => old,
    };
    Records::sorted(root, Some(cache), keys, errors, total)
}

/// Points a key into the cache just written, if that has its record (and
/// it is not held); a key into the old cache that the new one lacks gets
/// its path and ID of its own.
fn repoint(key: &mut Key, old: &Loaded, new: &Loaded) {
    let found = match key {
        Key::Cached(i) => {
            let c = &old.entries[*i];
            match new.find(old.text(&c.path)) {
                Some(j) => Some(j),
                None => {
                    *key = Key::Own(Box::new(Owned {
                        path: PathBuf::from(old.text(&c.path)),
                        id: old.text(&c.id).into(),
                        held: None,
                    }));
                    None
                }
            }
        }
        Key::Own(o) if o.held.is_none() => o.path.to_str().and_then(|p| new.find(p)),
        Key::Own(_) => None,
    };
    if let Some(j) = found {
        *key = Key::Cached(j);
    }
}

/// How one record file is answered: from the old cache if its stat is
/// still the one cached (and was not racy then), else by reading it.
fn answer(
    root: &Path,
    old: &Loaded,
    rel: &Path,
    trusted_before: i64,
    (keep, hold, write): (Keep<'_>, Hold, bool),
) -> Outcome {
    let stamp = root
        .join(rel)
        .symlink_metadata()
        .ok()
        .map(|m| Stamp::of(&m));
    if let (Some(stamp), Some(i)) = (stamp, rel.to_str().and_then(|p| old.find(p))) {
        let c = &old.entries[i];
        if c.stamp == stamp
            && stamp.mtime_ns < trusted_before
            && checksum(old.bytes(&c.head)) == c.head_sum
        {
            return Outcome::Hit(i);
        }
    }
    let mut entry = match read_entry(root, rel) {
        Ok((entry, _)) => entry,
        Err(e) => return Outcome::Bad(Box::new(e)),
    };
    let brief = Brief::of(&entry.record);
    let id: Box<str> = entry.record.id().as_str().into();
    let fresh = rel.to_str().filter(|_| write).map(|path| {
        let mut doc = Vec::new();
        encode(&entry.doc, &mut doc);
        Fresh {
            path: path.to_owned(),
            id: id.clone(),
            brief,
            // Read but never stat'ed (it appeared meanwhile): read again next time.
            stamp: stamp.unwrap_or_else(Stamp::never),
            doc,
        }
    });
    let kept = keep(&brief);
    let held = match hold {
        Hold::Entries(docs) if kept => {
            if docs != Docs::Keep {
                entry.doc = Value::Null;
            }
            Some(entry)
        }
        _ => None,
    };
    Outcome::Read(Box::new(Read {
        fresh,
        id,
        kept,
        held,
    }))
}

/// Writes the cache again if this pass found it out of date, taking the
/// fresh documents out of `outcomes`; the new cache, opened, if it was
/// written. A cache that cannot be written (read-only repository, full
/// disk) only costs speed; the answer is the same.
fn rewrite(
    file: &Path,
    digest: u64,
    started: i64,
    kinds: &[Kind],
    old: &Loaded,
    outcomes: &mut [Outcome],
) -> Option<Loaded> {
    let hits: Vec<usize> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Hit(i) => Some(*i),
            _ => None,
        })
        .collect();
    let reads = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Read(_)))
        .count();
    // The cached files of the folders this pass walked; other kinds' entries stay as they are.
    let in_scope =
        |rel: &str| kinds.is_empty() || kinds.iter().any(|k| Path::new(rel).starts_with(k.dir()));
    let scoped = old
        .entries
        .iter()
        .filter(|c| in_scope(old.text(&c.path)))
        .count();
    // Unreadable files are never cached, so they alone change nothing.
    if hits.len() == scoped && reads == 0 && old.horizon_ns != 0 {
        return None;
    }
    // Entries of other kinds are kept under the new cache's later time
    // only if they were trusted under the old one's: a racy entry stays
    // racy until it is read.
    let trusted_before = old.horizon_ns.saturating_sub(RACY_MARGIN_NS);
    let mut reused = hits;
    reused.extend((0..old.entries.len()).filter(|&i| {
        let c = &old.entries[i];
        !in_scope(old.text(&c.path)) && c.stamp.mtime_ns < trusted_before
    }));
    let fresh: Vec<Fresh> = outcomes
        .iter_mut()
        .filter_map(|o| match o {
            Outcome::Read(r) => r.fresh.take(),
            _ => None,
        })
        .collect();
    let written = save(file, digest, started, old, &reused, &fresh).ok()?;
    drop(fresh);
    load_from(written, digest)
}

impl Records {
    fn sorted(
        root: &Path,
        cache: Option<Loaded>,
        mut keys: Vec<Key>,
        errors: Vec<Error>,
        total: usize,
    ) -> Records {
        keys.sort_by(|a, b| key_id(a, cache.as_ref()).cmp(key_id(b, cache.as_ref())));
        Records {
            root: root.to_owned(),
            cache,
            keys,
            errors,
            total,
        }
    }

    /// How many records the filter kept.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the filter kept none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many readable records the filter was given.
    pub fn total(&self) -> usize {
        self.total
    }

    /// One error per file that could not be read, in walk order.
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// The file of the `i`th record, relative to the root.
    pub fn path(&self, i: usize) -> &Path {
        key_path(&self.keys[i], self.cache.as_ref())
    }

    /// The `i`th record, with its document if `docs` is [`Docs::Keep`];
    /// `None` if it can no longer be read (its file went meanwhile).
    pub fn load(&self, i: usize, docs: Docs) -> Option<Entry> {
        let key = self.keys.get(i)?;
        let path = key_path(key, self.cache.as_ref());
        match (key, &self.cache) {
            (Key::Own(o), _) if o.held.is_some() => o.held.clone(),
            (Key::Cached(c), Some(cache)) => decoded(cache, *c, path, docs)
                // A damaged document: the file itself is the answer.
                .or_else(|| reread(&self.root, path, docs)),
            _ => reread(&self.root, path, docs),
        }
    }

    /// Loads each record whose index `order` gives, maps it in parallel a
    /// chunk at a time, and hands the results to `each` in that order;
    /// stops at the first error `each` returns.
    pub fn visit<T: Send, E>(
        &self,
        order: &[usize],
        docs: Docs,
        map: impl Fn(Entry) -> T + Sync,
        mut each: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        for chunk in order.chunks(CHUNK) {
            let done: Vec<Option<T>> = chunk
                .par_iter()
                .map(|&i| self.load(i, docs).map(&map))
                .collect();
            for t in done.into_iter().flatten() {
                each(t)?;
            }
        }
        Ok(())
    }

    /// [`visit`](Self::visit) over every record, in ID order.
    pub fn visit_all<T: Send, E>(
        &self,
        docs: Docs,
        map: impl Fn(Entry) -> T + Sync,
        mut each: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        for start in (0..self.len()).step_by(CHUNK) {
            let chunk: Vec<usize> = (start..self.len().min(start + CHUNK)).collect();
            self.visit(&chunk, docs, &map, &mut each)?;
        }
        Ok(())
    }

    /// `f` of every record, in parallel, by index (`None` where a record
    /// can no longer be read): for what is small and needed of all of them
    /// before anything is printed (a sort key, a filter's answer).
    pub fn map<T: Send>(&self, docs: Docs, f: impl Fn(Entry) -> T + Sync) -> Vec<Option<T>> {
        (0..self.len())
            .into_par_iter()
            .map(|i| self.load(i, docs).map(&f))
            .collect()
    }

    /// Every record at once, as a [`Scan`].
    pub fn into_scan(self, docs: Docs) -> Scan {
        let Records {
            root,
            cache,
            keys,
            errors,
            ..
        } = self;
        let entries = keys
            .into_par_iter()
            .filter_map(|key| match (key, &cache) {
                (Key::Own(o), _) => match o.held {
                    Some(entry) => Some(entry),
                    None => reread(&root, &o.path, docs),
                },
                (Key::Cached(c), Some(cache)) => {
                    let path = Path::new(cache.text(&cache.entries[c].path));
                    decoded(cache, c, path, docs).or_else(|| reread(&root, path, docs))
                }
                (Key::Cached(_), None) => None,
            })
            .collect();
        Scan { entries, errors }
    }
}

/// Where a key's record is, relative to the root.
fn key_path<'a>(key: &'a Key, cache: Option<&'a Loaded>) -> &'a Path {
    match (key, cache) {
        (Key::Cached(i), Some(cache)) => Path::new(cache.text(&cache.entries[*i].path)),
        (Key::Own(o), _) => &o.path,
        // A cached key comes only with its cache.
        (Key::Cached(_), None) => Path::new(""),
    }
}

/// A key's record ID, as bytes (their order is the IDs').
fn key_id<'a>(key: &'a Key, cache: Option<&'a Loaded>) -> &'a [u8] {
    match (key, cache) {
        (Key::Cached(i), Some(cache)) => cache.bytes(&cache.entries[*i].id),
        (Key::Own(o), _) => o.id.as_bytes(),
        (Key::Cached(_), None) => &[],
    }
}

/// The cache's entry `i`, decoded; `None` if its document is damaged.
fn decoded(cache: &Loaded, i: usize, rel: &Path, docs: Docs) -> Option<Entry> {
    let bytes = cache.doc(&cache.entries[i])?;
    if docs != Docs::Keep
        && let Ok(record) = Record::from_parts(|| de::Doc(de::Cursor::new(&bytes)))
    {
        return Some(Entry {
            path: rel.to_owned(),
            doc: Value::Null,
            record,
        });
    }
    let doc = decode_all(&bytes)?;
    let record = Record::from_doc(rel, None, &doc).ok()?;
    Some(Entry {
        path: rel.to_owned(),
        doc: if docs == Docs::Keep { doc } else { Value::Null },
        record,
    })
}

/// A record read from its file again.
fn reread(root: &Path, rel: &Path, docs: Docs) -> Option<Entry> {
    let (mut entry, _) = read_entry(root, rel).ok()?;
    if docs != Docs::Keep {
        entry.doc = Value::Null;
    }
    Some(entry)
}
