//! Paths inside the record repository, walked one component at a time
//! without following symbolic links, so nothing is read or written outside
//! the repository through a link planted in it.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::yaml;

/// Checks that every folder on the way from `root` to `rel` (the file's own
/// name excluded) is a real folder, not a symbolic link.
pub(crate) fn check_folders(root: &Path, rel: &Path) -> Result<()> {
    let mut at = PathBuf::new();
    for folder in folders(rel)? {
        at.push(folder);
        let meta = std::fs::symlink_metadata(root.join(&at)).map_err(|e| Error::io(&at, e))?;
        refuse_non_folder(&meta, &at)?;
    }
    Ok(())
}

/// Makes the folders on the way from `root` to `rel` that are missing,
/// refusing a symbolic link or a non-folder on the way, and refuses a target
/// that exists and is not a regular file (a link would be replaced, a FIFO
/// would block the backup read).
pub(crate) fn prepare_write(root: &Path, rel: &Path) -> Result<()> {
    prepare_write_in(root, rel, &mut HashSet::new())
}

/// [`prepare_write`] for every path of a transaction: a folder checked (or
/// made) for one file is not checked again for the next, so a bulk import
/// into a few hundred month folders costs a `stat` a file, not one per
/// folder on its way.
pub(crate) fn prepare_writes<'a>(
    root: &Path,
    rels: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<()> {
    let mut ready = HashSet::new();
    for rel in rels {
        prepare_write_in(root, rel, &mut ready)?;
    }
    Ok(())
}

fn prepare_write_in(root: &Path, rel: &Path, ready: &mut HashSet<PathBuf>) -> Result<()> {
    let mut at = PathBuf::new();
    for folder in folders(rel)? {
        at.push(folder);
        if ready.contains(&at) {
            continue;
        }
        ready.insert(at.clone());
        let abs = root.join(&at);
        match std::fs::symlink_metadata(&abs) {
            Ok(meta) => refuse_non_folder(&meta, &at)?,
            Err(e) if e.kind() == ErrorKind::NotFound => match std::fs::create_dir(&abs) {
                Ok(()) => {}
                // Made meanwhile by someone else: look at what it is.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let meta = std::fs::symlink_metadata(&abs).map_err(|e| Error::io(&at, e))?;
                    refuse_non_folder(&meta, &at)?;
                }
                Err(e) => return Err(Error::io(&at, e)),
            },
            Err(e) => return Err(Error::io(&at, e)),
        }
    }
    match std::fs::symlink_metadata(root.join(rel)) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::Symlink {
            path: rel.to_owned(),
        }),
        Ok(meta) if !meta.is_file() => Err(Error::NotAFile {
            path: rel.to_owned(),
            what: yaml::describe_file_type(meta.file_type()),
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(rel, e)),
    }
}

/// The file's bytes if it is there (a regular file, checked as
/// [`yaml::open_regular`] does), `None` if it is not.
pub(crate) fn read_if_there(abs: &Path, shown: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::symlink_metadata(abs) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(shown, e)),
        Ok(_) => yaml::read_bytes_as(abs, shown, u64::MAX).map(Some),
    }
}

fn refuse_non_folder(meta: &std::fs::Metadata, at: &Path) -> Result<()> {
    if meta.file_type().is_symlink() {
        return Err(Error::SymlinkFolder {
            path: at.to_owned(),
        });
    }
    if !meta.is_dir() {
        return Err(Error::io(at, ErrorKind::NotADirectory.into()));
    }
    Ok(())
}

/// The folder components of a relative path; `..`, a root or a prefix is
/// refused, since a record path never has one.
fn folders(rel: &Path) -> Result<Vec<&std::ffi::OsStr>> {
    let mut out = Vec::new();
    for c in rel.parent().unwrap_or(Path::new("")).components() {
        match c {
            Component::Normal(name) => out.push(name),
            Component::CurDir => {}
            _ => {
                return Err(Error::usage(
                    format!("{}: not a path inside the repository", rel.display()),
                    None,
                ));
            }
        }
    }
    Ok(out)
}
