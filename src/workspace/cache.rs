//! The record summary cache: each readable record file's parsed document,
//! kept in the git directory (`.git/arende-cache`, never committed) so that
//! `list`, `sla`, `report` and `export` need not parse every YAML file on
//! every run.
//!
//! Entries are keyed like git's own index: a record file's path, size,
//! mtime and ctime (to the nanosecond) and inode, under a digest of what
//! the answer depends on besides the files (the binary's version, the cache
//! format, `arende.yaml` and everything under `policy/`). A file whose stat
//! differs is read again; so is one whose mtime is not well before the
//! moment the cache was made (git's racy-git rule, with a second's margin
//! for filesystems whose clocks tick coarsely): such a file may have been
//! changed again within the same tick without its stat showing it.
//!
//! A missing, truncated, corrupt or foreign cache is no error: it is
//! rebuilt. Files that cannot be read are never cached, so their errors are
//! found again, word for word, on every run. In a repository outside git
//! there is no cache (there is no place for it that is never committed).
//! `ARENDE_NO_CACHE=1` reads every file, as if there were no cache.

use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

mod de;
mod pass;

pub use pass::Records;
pub(crate) use pass::{Hold, pass};

use super::Scan;
use crate::kind::Kind;
use crate::record::Record;
use crate::store::Store;
use crate::yaml::{Mapping, Value};

/// The cache's file name in the git directory.
pub const CACHE_FILE: &str = "arende-cache";
/// Set to `1` to read every record file and leave the cache alone.
pub const NO_CACHE_VAR: &str = "ARENDE_NO_CACHE";

const MAGIC: &[u8; 8] = b"ARENDE\x00C";
/// Bumped whenever the layout below changes: an older cache is rebuilt.
const FORMAT: u32 = 3;
/// Magic, format, digest, time of making, entry count, index length.
const HEADER_LEN: usize = 8 + 4 + 8 + 8 + 4 + 8;
/// How much earlier than the cache's making a file's mtime must be for its
/// stat to be trusted.
const RACY_MARGIN_NS: i64 = 1_000_000_000;
/// Deeper than any record the YAML reader accepts; a cache claiming more is corrupt.
const MAX_DEPTH: usize = 256;

/// What a record answers without its document being decoded: enough for
/// the filters of `list` and `sla` to pass over most records cheaply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Brief<'a> {
    /// The record's kind.
    pub kind: Kind,
    /// Its status.
    pub status: &'a str,
    /// Its priority, if it has one.
    pub priority: Option<u8>,
}

impl Brief<'static> {
    /// The brief of a parsed record.
    pub fn of(record: &Record) -> Brief<'static> {
        Brief {
            kind: record.kind(),
            status: record.status(),
            priority: record.priority().map(|p| p.get()),
        }
    }
}

/// The filter of [`Workspace::records`](super::Workspace::records).
pub type Keep<'k> = &'k (dyn Fn(&Brief<'_>) -> bool + Sync);

/// Whether [`Workspace::records`](super::Workspace::records) gives each record's
/// document, or only its typed view (the document is then `Null`): `sla`
/// and `report` read records only, and holding every document would double
/// their memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Docs {
    /// Each entry's `doc` as read.
    Keep,
    /// Each entry's `doc` is `Null`.
    Drop,
    /// Each entry's `doc` is `Null`, and the cache is read but not written:
    /// for a pass over records that are about to change anyway (an
    /// import), where encoding every file read for the cache would hold all
    /// of them again until it is written.
    DropUncached,
}

/// A file's stat as the cache compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                size: meta.len(),
                mtime_ns: meta
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.mtime_nsec()),
                ctime_ns: meta
                    .ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            Stamp {
                size: meta.len(),
                mtime_ns: meta.modified().map_or(i64::MAX, ns_since_epoch),
                ctime_ns: 0,
                ino: 0,
            }
        }
    }
}

fn ns_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// One cached record: its path, stat, ID, brief and the place of its document
/// (the head: ranges of the index bytes, which `head_sum` covers), and its
/// encoded document (a range of the documents section, which `doc_sum`
/// covers, read and checked only when it is decoded).
struct Cached {
    path: Range<usize>,
    stamp: Stamp,
    /// The record's ID: a pass sorts by it without decoding the document.
    id: Range<usize>,
    kind: Kind,
    status: Range<usize>,
    priority: Option<u8>,
    head: Range<usize>,
    head_sum: u64,
    doc: Range<u64>,
    doc_sum: u64,
}

/// A cache as read from disk: its index in memory, its documents left in
/// the file until one is needed (most filters of `list` decode a few).
#[derive(Default)]
struct Loaded {
    /// When the scan that wrote it started, in ns since the epoch.
    horizon_ns: i64,
    /// The index section.
    data: Vec<u8>,
    entries: Vec<Cached>,
    /// The cache file, open (a cache renamed over it meanwhile leaves this one readable).
    file: Option<std::fs::File>,
    /// Where the documents section starts in the file.
    docs_at: u64,
}

impl Loaded {
    /// Text the loader has checked is UTF-8.
    fn text(&self, range: &Range<usize>) -> &str {
        self.data
            .get(range.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    fn brief(&self, c: &Cached) -> Brief<'_> {
        Brief {
            kind: c.kind,
            status: self.text(&c.status),
            priority: c.priority,
        }
    }

    /// The entry of the file at `path`, relative to the root.
    fn find(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|c| self.bytes(&c.path).cmp(path.as_bytes()))
            .ok()
    }

    /// Bytes of a range the loader has checked lies inside the data.
    fn bytes(&self, range: &Range<usize>) -> &[u8] {
        self.data.get(range.clone()).unwrap_or_default()
    }

    /// An entry's encoded document, if it reads back intact.
    fn doc(&self, c: &Cached) -> Option<Vec<u8>> {
        let mut buf = vec![0; usize::try_from(c.doc.end - c.doc.start).ok()?];
        read_at(self.file.as_ref()?, &mut buf, self.docs_at + c.doc.start).ok()?;
        (checksum(&buf) == c.doc_sum).then_some(buf)
    }

    /// The whole documents section, for rewriting the cache.
    fn docs(&self) -> Vec<u8> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let len = self.entries.iter().map(|c| c.doc.end).max().unwrap_or(0);
        let mut buf = vec![0; usize::try_from(len).unwrap_or(0)];
        match read_at(file, &mut buf, self.docs_at) {
            Ok(()) => buf,
            Err(_) => Vec::new(),
        }
    }
}

/// Reads exactly `buf.len()` bytes at `offset`, without moving a shared cursor.
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            match std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }
}

/// Where the cache lives, if the repository is in git.
pub(crate) fn cache_path(store: &Store) -> Option<PathBuf> {
    store.own_file(CACHE_FILE)
}

/// Whether the cache is turned off for this process.
fn disabled() -> bool {
    std::env::var_os(NO_CACHE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// What the cached answers depend on besides the record files.
///
/// `arende.yaml` and the policy files are read as records are (never
/// through a symbolic link, never a FIFO or device, at most
/// [`crate::yaml::MAX_RECORD_BYTES`]), so that a clone cannot make every
/// `list` hang on a FIFO, read `/proc`, or open all of `/usr`.
fn digest(store: &Store) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    FORMAT.hash(&mut h);
    let root = store.root();
    let config = root.join(crate::config::CONFIG_FILE);
    crate::fs::read_bytes_as(&config, &config, crate::yaml::MAX_RECORD_BYTES)
        .ok()
        .hash(&mut h);
    hash_policy_files(&root.join(crate::policy::POLICY_DIR), &mut h);
    h.finish()
}

/// Hashes the regular files under the policy folder `dir`, by path and
/// bytes. A `policy` that is a link or not a folder is not walked: the
/// policy refuses it when the repository is opened, and its kind alone
/// keys the cache if one gets here. Links inside are not followed
/// (walkdir's default; `follow_root_links(false)` for the root, checked
/// above, in case it is swapped meanwhile), and a file too large to read
/// (or swapped for a FIFO) is keyed by its size and modification time,
/// which change when it does.
fn hash_policy_files(dir: &Path, h: &mut impl Hasher) {
    let kind = std::fs::symlink_metadata(dir).map(|m| m.file_type());
    let is_dir = kind.as_ref().is_ok_and(std::fs::FileType::is_dir);
    kind.ok().map(crate::fs::describe_file_type).hash(h);
    if !is_dir {
        return;
    }
    for item in walkdir::WalkDir::new(dir)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !item.file_type().is_file() {
            continue;
        }
        item.path().strip_prefix(dir).ok().hash(h);
        match crate::fs::read_bytes_as(item.path(), item.path(), crate::yaml::MAX_RECORD_BYTES) {
            Ok(bytes) => Some(bytes).hash(h),
            Err(_) => {
                None::<Vec<u8>>.hash(h);
                item.metadata()
                    .ok()
                    .map(|m| (m.len(), m.modified().ok()))
                    .hash(h);
            }
        }
    }
}

/// Every record of `kinds` (all if empty) whose brief `keep` accepts,
/// through the cache, with the same entries and errors, in the same order,
/// as [`Workspace::scan`](super::Workspace::scan) followed by the filter, and how many records the
/// filter was given.
pub(crate) fn records(store: &Store, kinds: &[Kind], keep: Keep<'_>, docs: Docs) -> (Scan, usize) {
    let pass = pass(
        store,
        kinds,
        keep,
        Hold::Entries(docs),
        docs != Docs::DropUncached,
    );
    let total = pass.total();
    (pass.into_scan(docs), total)
}

impl Stamp {
    /// A stamp no file has: its entry is read again next time.
    fn never() -> Stamp {
        Stamp {
            size: u64::MAX,
            mtime_ns: i64::MAX,
            ctime_ns: i64::MAX,
            ino: u64::MAX,
        }
    }
}

/// Reads the cache; `None` if it is missing, of another format or digest,
/// or does not parse (it is then rebuilt).
fn load(path: &Path, digest: u64) -> Option<Loaded> {
    load_from(std::fs::File::open(path).ok()?, digest)
}

/// [`load`] from the cache file, open. Entries are in path order (as
/// [`save`] writes them), so a path is found by a binary search.
fn load_from(mut file: std::fs::File, digest: u64) -> Option<Loaded> {
    use std::io::{Read, Seek};
    file.rewind().ok()?;
    let file_len = file.metadata().ok()?.len();
    let mut header = [0u8; HEADER_LEN];
    file.read_exact(&mut header).ok()?;
    let mut r = Reader {
        data: &header,
        at: 0,
    };
    if r.bytes(MAGIC.len())? != MAGIC || r.u32()? != FORMAT || r.u64()? != digest {
        return None;
    }
    let horizon_ns = r.i64()?;
    let count = r.u32()? as usize;
    let index_len = r.u64()?;
    let docs_at = (HEADER_LEN as u64).checked_add(index_len)?;
    let docs_len = file_len.checked_sub(docs_at)?;
    let mut data = vec![0; usize::try_from(index_len).ok()?];
    file.read_exact(&mut data).ok()?;
    let mut r = Reader { data: &data, at: 0 };
    let mut entries = Vec::with_capacity(count.min(data.len() / 16));
    let utf8 = |range: &Range<usize>| std::str::from_utf8(&data[range.clone()]).is_ok();
    for _ in 0..count {
        let head_start = r.at;
        let path = r.sized_range()?;
        let stamp = Stamp {
            size: r.u64()?,
            mtime_ns: r.i64()?,
            ctime_ns: r.i64()?,
            ino: r.u64()?,
        };
        let id = r.sized_range()?;
        let kind = *Kind::ALL.get(usize::from(r.byte()?))?;
        let status = r.sized_range()?;
        let priority = match r.byte()? {
            0 => None,
            p => Some(p),
        };
        let doc_start = r.u64()?;
        let doc = doc_start..doc_start.checked_add(u64::from(r.u32()?))?;
        let doc_sum = r.u64()?;
        let head = head_start..r.at;
        let head_sum = r.u64()?;
        if !utf8(&path) || !utf8(&id) || !utf8(&status) || doc.end > docs_len {
            return None;
        }
        if let Some(last) = entries.last().map(|c: &Cached| &data[c.path.clone()])
            && last >= &data[path.clone()]
        {
            return None;
        }
        entries.push(Cached {
            path,
            stamp,
            id,
            kind,
            status,
            priority,
            head,
            head_sum,
            doc,
            doc_sum,
        });
    }
    if r.at != data.len() {
        return None;
    }
    Some(Loaded {
        horizon_ns,
        data,
        entries,
        file: Some(file),
        docs_at,
    })
}

/// A record file read in this pass, as the new cache keeps it.
struct Fresh {
    path: String,
    id: Box<str>,
    brief: Brief<'static>,
    stamp: Stamp,
    doc: Vec<u8>,
}

/// One entry of the cache being written.
struct Row<'a> {
    path: &'a str,
    stamp: Stamp,
    id: &'a str,
    brief: Brief<'a>,
    doc: &'a [u8],
}

/// Writes the new cache atomically (a temporary file renamed over it):
/// the old entries still good (`reused`, indexes into `old`), and the fresh
/// ones, in path order. Gives back the file written, open, so the pass
/// reads its documents from exactly what it wrote.
fn save(
    file: &Path,
    digest: u64,
    started: i64,
    old: &Loaded,
    reused: &[usize],
    fresh: &[Fresh],
) -> std::io::Result<std::fs::File> {
    let old_docs = if reused.is_empty() {
        Vec::new()
    } else {
        old.docs()
    };
    let rows = rows(old, &old_docs, reused, fresh);
    let index = index(&rows);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT.to_le_bytes());
    header.extend_from_slice(&digest.to_le_bytes());
    header.extend_from_slice(&started.to_le_bytes());
    put_len(&mut header, rows.len());
    header.extend_from_slice(&(index.len() as u64).to_le_bytes());
    write_file(file, &header, index, &rows)
}

/// The entries of the new cache, in path order: the old ones still good
/// (their documents cut from `old_docs`, the old documents section), then
/// the fresh ones.
fn rows<'a>(
    old: &'a Loaded,
    old_docs: &'a [u8],
    reused: &[usize],
    fresh: &'a [Fresh],
) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(reused.len() + fresh.len());
    for &i in reused {
        let c = &old.entries[i];
        let range = usize::try_from(c.doc.start)
            .ok()
            .zip(usize::try_from(c.doc.end).ok());
        // A document the old cache cannot give back is left out: read again next time.
        let Some(doc) = range.and_then(|(a, b)| old_docs.get(a..b)) else {
            continue;
        };
        rows.push(Row {
            path: old.text(&c.path),
            stamp: c.stamp,
            id: old.text(&c.id),
            brief: old.brief(c),
            doc,
        });
    }
    rows.extend(fresh.iter().map(|f| Row {
        path: &f.path,
        stamp: f.stamp,
        id: &f.id,
        brief: f.brief,
        doc: &f.doc,
    }));
    rows.sort_unstable_by(|a, b| a.path.cmp(b.path));
    // A path twice (never from one walk) would break the binary search.
    rows.dedup_by(|a, b| a.path == b.path);
    rows
}

/// The index section: each row's path, stamp, ID, brief, where its
/// document lies in the documents section, and the checksums.
fn index(rows: &[Row<'_>]) -> Vec<u8> {
    let mut index = Vec::with_capacity(rows.len() * 120);
    let mut docs_len = 0u64;
    for row in rows {
        let head_start = index.len();
        put_str(&mut index, row.path);
        index.extend_from_slice(&row.stamp.size.to_le_bytes());
        index.extend_from_slice(&row.stamp.mtime_ns.to_le_bytes());
        index.extend_from_slice(&row.stamp.ctime_ns.to_le_bytes());
        index.extend_from_slice(&row.stamp.ino.to_le_bytes());
        put_str(&mut index, row.id);
        let kind = Kind::ALL
            .iter()
            .position(|k| *k == row.brief.kind)
            .unwrap_or(0);
        index.push(u8::try_from(kind).unwrap_or(0));
        put_str(&mut index, row.brief.status);
        index.push(row.brief.priority.unwrap_or(0));
        index.extend_from_slice(&docs_len.to_le_bytes());
        put_len(&mut index, row.doc.len());
        index.extend_from_slice(&checksum(row.doc).to_le_bytes());
        let head_sum = checksum(&index[head_start..]);
        index.extend_from_slice(&head_sum.to_le_bytes());
        docs_len += row.doc.len() as u64;
    }
    index
}

/// Writes the header, the index and the rows' documents to a temporary
/// file beside `file` and renames it over `file`. The documents go
/// straight from where they are to the file: gathered into one buffer
/// first, a first run over 100 000 records held them twice.
fn write_file(
    file: &Path,
    header: &[u8],
    index: Vec<u8>,
    rows: &[Row<'_>],
) -> std::io::Result<std::fs::File> {
    use std::io::Write as _;
    let dir = file.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
    out.write_all(header)?;
    out.write_all(&index)?;
    drop(index);
    for row in rows {
        out.write_all(row.doc)?;
    }
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    tmp.persist(file).map_err(|e| e.error)
}

/// A fast 64-bit hash of an entry's bytes: damage to the cache (a bad
/// disk, a half-written copy) must never change an answer, and a flipped
/// byte inside a string would otherwise decode to another valid string.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// A YAML document in a compact binary form: one tag byte per node, then
/// its payload.
fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(false) => out.push(1),
        Value::Bool(true) => out.push(2),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push(3);
                out.extend_from_slice(&i.to_le_bytes());
            } else if let Some(u) = n.as_u64() {
                out.push(4);
                out.extend_from_slice(&u.to_le_bytes());
            } else {
                out.push(5);
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(6);
            put_str(out, s);
        }
        Value::Sequence(items) => {
            out.push(7);
            put_len(out, items.len());
            for item in items {
                encode(item, out);
            }
        }
        Value::Mapping(map) => {
            out.push(8);
            put_len(out, map.len());
            for (k, v) in map {
                encode(k, out);
                encode(v, out);
            }
        }
        Value::Tagged(t) => {
            out.push(9);
            put_str(out, &t.tag.to_string());
            encode(&t.value, out);
        }
    }
}

/// Decodes a whole encoded document; `None` if it is damaged.
fn decode_all(data: &[u8]) -> Option<Value> {
    let mut r = Reader { data, at: 0 };
    let v = decode(&mut r, 0)?;
    (r.at == data.len()).then_some(v)
}

fn decode(r: &mut Reader<'_>, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match r.byte()? {
        0 => Value::Null,
        1 => Value::Bool(false),
        2 => Value::Bool(true),
        3 => Value::Number(r.i64()?.into()),
        4 => Value::Number(r.u64()?.into()),
        5 => Value::Number(f64::from_bits(r.u64()?).into()),
        6 => Value::String(std::str::from_utf8(r.sized()?).ok()?.to_owned()),
        7 => {
            let n = r.u32()? as usize;
            // Every item takes at least a byte: a count beyond the rest is damage.
            if n > r.left() {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode(r, depth + 1)?);
            }
            Value::Sequence(items)
        }
        8 => {
            let n = r.u32()? as usize;
            if n > r.left() {
                return None;
            }
            let mut map = Mapping::with_capacity(n);
            for _ in 0..n {
                let k = decode(r, depth + 1)?;
                let v = decode(r, depth + 1)?;
                map.insert(k, v);
            }
            Value::Mapping(map)
        }
        9 => {
            let tag = std::str::from_utf8(r.sized()?).ok()?;
            if tag.is_empty() {
                return None;
            }
            let tag = serde_yaml::value::Tag::new(tag);
            let value = decode(r, depth + 1)?;
            Value::Tagged(Box::new(serde_yaml::value::TaggedValue { tag, value }))
        }
        _ => return None,
    })
}

/// Reads the cache's bytes; every read is checked against the end.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.at
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    fn sized_range(&mut self) -> Option<Range<usize>> {
        let n = self.u32()? as usize;
        let start = self.at;
        self.bytes(n)?;
        Some(start..self.at)
    }

    fn sized(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::read_entry;

    #[test]
    fn cache_documents_survive_encoding() {
        let text = "a: 1\nb: -2\nc: 18446744073709551615\nd: 1.5\ne: [x, ~, true, false]\n\
                    f: {g: !thing h}\n'7': nested\n";
        let doc: Value = serde_yaml::from_str(text).expect("valid yaml");
        let mut bytes = Vec::new();
        encode(&doc, &mut bytes);
        assert_eq!(decode_all(&bytes), Some(doc));
        for cut in 0..bytes.len() {
            assert_eq!(decode_all(&bytes[..cut]), None, "truncated at {cut}");
        }
    }

    fn policy_key(dir: &Path) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        hash_policy_files(dir, &mut h);
        h.finish()
    }

    /// A real policy folder keys the cache by its files; a link in its place
    /// is not walked, so nothing it points to is opened (or keys the cache).
    #[cfg(unix)]
    #[test]
    fn cache_key_walks_only_a_real_policy_folder() {
        let repo = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        let real = repo.path().join("policy");
        std::fs::create_dir(&real).expect("policy folder");
        std::fs::write(real.join("overrides.yaml"), "a: 1\n").expect("write");
        let before = policy_key(&real);
        std::fs::write(real.join("overrides.yaml"), "a: 2\n").expect("write");
        assert_ne!(
            policy_key(&real),
            before,
            "a changed policy file changes the key"
        );

        let linked = repo.path().join("linked");
        std::os::unix::fs::symlink(outside.path(), &linked).expect("symlink");
        std::fs::write(outside.path().join("overrides.yaml"), "a: 1\n").expect("write");
        let before = policy_key(&linked);
        std::fs::write(outside.path().join("overrides.yaml"), "a: 2\n").expect("write");
        assert_eq!(policy_key(&linked), before, "walked through the link");
        assert_ne!(policy_key(&linked), policy_key(&repo.path().join("absent")));
    }

    #[test]
    fn cache_damaged_bytes_never_panic() {
        let doc: Value = serde_yaml::from_str("a: [1, 2, {b: c}]").expect("valid yaml");
        let mut bytes = Vec::new();
        encode(&doc, &mut bytes);
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                let _ = decode_all(&damaged);
            }
        }
    }

    /// Every record of every fixture, read from the cache's bytes directly,
    /// is the record read through its YAML value; every cut of those bytes
    /// is refused, not misread.
    #[test]
    fn cache_records_read_directly_equal_those_read_through_the_value() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for file in walkdir::WalkDir::new(&fixtures) {
            let file = file.expect("fixtures are readable");
            let rel = file.path().strip_prefix(&fixtures).expect("under fixtures");
            let Some(root) = rel.iter().next().map(|pack| fixtures.join(pack)) else {
                continue;
            };
            let rel = file.path().strip_prefix(&root).expect("under its fixture");
            let Ok((entry, _)) = read_entry(&root, rel) else {
                continue;
            };
            let mut bytes = Vec::new();
            encode(&entry.doc, &mut bytes);
            let direct = Record::from_parts(|| de::Doc(de::Cursor::new(&bytes)))
                .unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            assert_eq!(direct, entry.record, "{}", rel.display());
            for cut in (0..bytes.len()).step_by(7) {
                let cut = Record::from_parts(|| de::Doc(de::Cursor::new(&bytes[..cut])));
                assert!(cut.is_err(), "{} read from a cut document", rel.display());
            }
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} fixture records were checked");
    }
}
