//! The working-tree files a transaction writes and removes, with what was
//! there before, so that a failure part-way puts every one of them back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::fs::{read_if_there, write_atomic};

/// Below this many files a transaction fsyncs each one; above it (bulk
/// imports) the git objects are the durable copy and per-file syncs would
/// cost more than they protect.
const SYNC_LIMIT: usize = 64;

/// A working-tree file as it was before a transaction wrote or removed it.
pub(super) struct Backup {
    path: PathBuf,
    /// Its bytes; `None`: it was not there.
    old: Option<Vec<u8>>,
}

/// Writes the files; their paths were checked by [`crate::fs::prepare_writes`]. A
/// bulk change writes them in parallel: creating and renaming 100 000 files
/// one after the other was the largest part of an import.
pub(super) fn write_files(root: &Path, writes: &BTreeMap<PathBuf, Vec<u8>>) -> Result<Vec<Backup>> {
    let sync = writes.len() <= SYNC_LIMIT;
    let write_one = |(rel, bytes): (&PathBuf, &Vec<u8>)| -> Result<Backup> {
        let path = root.join(rel);
        let old = read_if_there(&path, rel)?;
        write_atomic(&path, bytes, sync)?;
        Ok(Backup { path, old })
    };
    let results: Vec<Result<Backup>> = if sync {
        writes.iter().map(write_one).collect()
    } else {
        writes.par_iter().map(write_one).collect()
    };
    let mut backups = Vec::with_capacity(results.len());
    let mut failed = None;
    for result in results {
        match result {
            Ok(b) => backups.push(b),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        Some(e) => {
            restore_files(&backups);
            Err(e)
        }
        None => Ok(backups),
    }
}

/// Removes the working-tree files at `rels` (those there), keeping their
/// bytes to put back; on a failure the ones removed are put back.
pub(super) fn remove_files<'a>(
    root: &Path,
    rels: impl Iterator<Item = &'a PathBuf>,
) -> Result<Vec<Backup>> {
    let mut backups = Vec::new();
    for rel in rels {
        let path = root.join(rel);
        let removed = read_if_there(&path, rel).and_then(|old| match old {
            Some(bytes) => std::fs::remove_file(&path)
                .map(|()| Some(bytes))
                .map_err(|e| Error::io(rel, e)),
            None => Ok(None),
        });
        match removed {
            Ok(Some(bytes)) => backups.push(Backup {
                path,
                old: Some(bytes),
            }),
            Ok(None) => {}
            Err(e) => {
                restore_files(&backups);
                return Err(e);
            }
        }
    }
    Ok(backups)
}

pub(super) fn restore_files(backups: &[Backup]) {
    // Best effort: this runs after a failure, and a second failure here must
    // not hide the first one.
    for b in backups.iter().rev() {
        let _ = match &b.old {
            Some(bytes) => write_atomic(&b.path, bytes, true),
            None => std::fs::remove_file(&b.path).map_err(|e| Error::io(&b.path, e)),
        };
    }
}
