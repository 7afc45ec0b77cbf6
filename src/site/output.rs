//! The site's folder, written incrementally: a page is written only when
//! its bytes differ from what the last build wrote there, and a page the
//! last build wrote that this one does not is removed. The manifest of
//! what was written (each page's path, size and digest) is kept in the
//! folder; a page changed or removed by hand since is written again.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::fs::write_atomic;

/// The manifest's file name in the site's folder.
pub const MANIFEST: &str = ".arende-site";
/// The first line of a manifest: a folder without it is not taken for a
/// site arende wrote (and nothing in it is removed).
const MAGIC: &str = "arende site manifest 2";

/// What a build did to the folder.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// Pages written (new or changed).
    pub written: usize,
    /// Pages left as they were.
    pub unchanged: usize,
    /// Pages of the last build removed.
    pub removed: usize,
    /// Bytes of every page of this build.
    pub bytes: u64,
}

/// Each page's path and what was written there: its size, its digest,
/// and the digest of what it was made from (`-`: not told).
type Manifest = BTreeMap<String, (u64, String, String)>;

/// The site's folder during a build; pages may be put from many threads.
#[derive(Debug)]
pub struct Output {
    root: PathBuf,
    before: Manifest,
    now: Mutex<(Manifest, Written)>,
}

impl Output {
    /// Opens `root` (made if missing). A folder that holds files but no
    /// manifest is refused: a build would mix its pages with someone
    /// else's files, and could not tell which of them to remove.
    pub fn open(root: &Path) -> Result<Output> {
        std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        let manifest = root.join(MANIFEST);
        let before = match std::fs::read_to_string(&manifest) {
            Ok(text) => parse(&text).ok_or_else(|| not_ours(root))?,
            Err(_) => {
                let empty = std::fs::read_dir(root)
                    .map_err(|e| Error::io(root, e))?
                    .next()
                    .is_none();
                if !empty {
                    return Err(not_ours(root));
                }
                BTreeMap::new()
            }
        };
        Ok(Output {
            root: root.to_owned(),
            before,
            now: Mutex::new((BTreeMap::new(), Written::default())),
        })
    }

    /// Whether the page `rel` is there as the last build made it from
    /// `inputs`: then it is kept as it is, without being made again.
    pub fn kept(&self, rel: &str, inputs: &str) -> bool {
        let Some((size, digest, made_from)) = self.before.get(rel) else {
            return false;
        };
        let there =
            std::fs::metadata(self.root.join(rel)).is_ok_and(|m| m.is_file() && m.len() == *size);
        if made_from != inputs || !there {
            return false;
        }
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        now.0
            .insert(rel.to_owned(), (*size, digest.clone(), made_from.clone()));
        now.1.unchanged += 1;
        now.1.bytes += size;
        true
    }

    /// Puts the page `rel` (a relative path with `/`): written unless the
    /// last build wrote these very bytes and the file still has them.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.put_from(rel, "-", bytes)
    }

    /// [`put`](Self::put), noting what the page was made from, for
    /// [`kept`](Self::kept) to ask next time.
    pub fn put_from(&self, rel: &str, inputs: &str, bytes: &[u8]) -> Result<()> {
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe || inputs.contains(char::is_whitespace) {
            return Err(Error::usage(format!("{rel}: not a page path"), None));
        }
        let digest = sha1_smol::Sha1::from(bytes).digest().to_string();
        let size = bytes.len() as u64;
        let path = self.root.join(rel);
        let same = self
            .before
            .get(rel)
            .is_some_and(|(s, d, _)| *s == size && *d == digest)
            && std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == size);
        if !same {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            write_atomic(&path, bytes, false)?;
        }
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        now.0
            .insert(rel.to_owned(), (size, digest, inputs.to_owned()));
        now.1.bytes += size;
        if same {
            now.1.unchanged += 1;
        } else {
            now.1.written += 1;
        }
        Ok(())
    }

    /// Removes the pages of the last build this one did not put, and
    /// writes the manifest.
    pub fn finish(self) -> Result<Written> {
        let (now, mut written) = self.now.into_inner().unwrap_or_else(|e| e.into_inner());
        for rel in self.before.keys().filter(|r| !now.contains_key(*r)) {
            let path = self.root.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => written.removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        let mut text = format!("{MAGIC}\n");
        for (rel, (size, digest, inputs)) in &now {
            text.push_str(&format!("{digest} {size} {inputs} {rel}\n"));
        }
        write_atomic(&self.root.join(MANIFEST), text.as_bytes(), false)?;
        Ok(written)
    }
}

fn not_ours(root: &Path) -> Error {
    Error::usage(
        format!(
            "{}: the folder holds files arende did not write (no {MANIFEST} manifest)",
            root.display()
        ),
        Some(
            "name an empty or new folder with --out, or one an earlier `arende site` wrote".into(),
        ),
    )
}

fn parse(text: &str) -> Option<Manifest> {
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    lines
        .map(|line| {
            let mut parts = line.splitn(4, ' ');
            let digest = parts.next()?.to_owned();
            let size = parts.next()?.parse().ok()?;
            let inputs = parts.next()?.to_owned();
            let rel = parts.next()?.to_owned();
            Some((rel, (size, digest, inputs)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_build_writes_only_what_changed_and_removes_what_went() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::open(dir.path()).unwrap();
        out.put("a.html", b"one").unwrap();
        out.put("records/b.html", b"two").unwrap();
        let first = out.finish().unwrap();
        assert_eq!((first.written, first.unchanged), (2, 0));

        let out = Output::open(dir.path()).unwrap();
        out.put("a.html", b"one").unwrap();
        out.put("c.html", b"three").unwrap();
        let second = out.finish().unwrap();
        assert_eq!(
            (second.written, second.unchanged, second.removed),
            (1, 1, 1)
        );
        assert!(!dir.path().join("records/b.html").exists());

        // A page changed by hand is written again.
        std::fs::write(dir.path().join("a.html"), b"hand").unwrap();
        let out = Output::open(dir.path()).unwrap();
        out.put("a.html", b"one").unwrap();
        out.put("c.html", b"three").unwrap();
        assert_eq!(out.finish().unwrap().written, 1);
        assert_eq!(std::fs::read(dir.path().join("a.html")).unwrap(), b"one");
    }

    #[test]
    fn a_folder_of_someone_elses_files_is_refused_and_a_page_cannot_leave_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        assert!(Output::open(dir.path()).is_err());
        let fresh = dir.path().join("site");
        let out = Output::open(&fresh).unwrap();
        assert!(out.put("../escape.html", b"x").is_err());
        assert!(out.put("/abs.html", b"x").is_err());
    }
}
