//! The filesystem, read and written as a repository that may be hostile
//! asks: paths walked one folder at a time without following a symbolic
//! link, so nothing is read or written outside the repository through a
//! link planted in it; files read only if they are regular files, with a
//! size bound and without blocking on a FIFO; files written beside their
//! place and renamed into it, so no reader sees half a file.

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Reads a file as UTF-8 text, refusing symbolic links, anything that is
/// not a regular file, and files over `limit` bytes. Errors name the file as
/// `path` shows it.
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    read_text_as(path, path, limit)
}

/// Like [`read_text`], reading `file` but naming it `path` in errors (a path relative to
/// the repository, say, rather than the absolute one read).
pub fn read_text_as(file: &Path, path: &Path, limit: u64) -> Result<String> {
    let bytes = read_bytes_as(file, path, limit)?;
    text_from_bytes(path, bytes)
}

/// The bytes of a regular file of at most `limit` bytes, read without
/// following a symbolic link and without blocking on a FIFO or device.
pub fn read_bytes_as(file: &Path, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let (f, meta) = open_regular_with(file, path)?;
    let size = meta.len();
    if size > limit {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Opens a regular file for reading. The open itself refuses a symbolic
/// link and does not wait on a FIFO; what it opened is checked before a
/// byte is read, so a folder, a FIFO or a device is refused, and a file
/// swapped in at the same moment cannot get through.
pub fn open_regular(file: &Path, path: &Path) -> Result<std::fs::File> {
    open_regular_with(file, path).map(|(f, _)| f)
}

/// [`open_regular`], and the opened file's metadata (a reader needs its
/// size: one `stat` fewer per file of a walk).
fn open_regular_with(file: &Path, path: &Path) -> Result<(std::fs::File, std::fs::Metadata)> {
    // Where the open can refuse a link itself (O_NOFOLLOW) and not wait
    // on a FIFO (O_NONBLOCK), no `lstat` is needed first: at 100 000
    // records that one call per file was a twentieth of `validate`.
    #[cfg(not(unix))]
    {
        let meta = std::fs::symlink_metadata(file).map_err(|e| Error::io(path, e))?;
        check_regular(&meta, path)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = options.open(file).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return Error::Symlink {
                path: path.to_owned(),
            };
        }
        Error::io(path, e)
    })?;
    let opened = f.metadata().map_err(|e| Error::io(path, e))?;
    check_regular(&opened, path)?;
    Ok((f, opened))
}

/// Refuses a symbolic link or anything but a regular file.
fn check_regular(meta: &std::fs::Metadata, path: &Path) -> Result<()> {
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(Error::Symlink {
            path: path.to_owned(),
        });
    }
    if ft.is_file() {
        return Ok(());
    }
    Err(Error::NotAFile {
        path: path.to_owned(),
        what: describe_file_type(ft),
    })
}

/// What a file that is not a regular file is, for a message.
pub fn describe_file_type(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Turns bytes into text, naming the line of the first invalid UTF-8 sequence.
pub fn text_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::NotUtf8 {
            path: path.to_owned(),
            line,
        }
    })
}

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

/// The folders of many record files, each checked once (see
/// [`check_folders`]): a walk of 100 000 files in a few hundred month
/// folders costs a `stat` per folder, not three per file.
#[derive(Debug, Default)]
pub(crate) struct Folders {
    /// The folders found to be real folders all the way from the root.
    sound: HashSet<PathBuf>,
}

impl Folders {
    /// Checks the folder of each of `rels` once.
    pub(crate) fn of<'a>(root: &Path, rels: impl IntoIterator<Item = &'a PathBuf>) -> Folders {
        let mut seen: HashSet<&Path> = HashSet::new();
        let mut sound = HashSet::new();
        for rel in rels {
            let Some(folder) = rel.parent() else { continue };
            if seen.insert(folder) && check_folders(root, rel).is_ok() {
                sound.insert(folder.to_owned());
            }
        }
        Folders { sound }
    }

    /// [`check_folders`] for `rel`, answered from the checks already made
    /// where its folder was found sound; checked (and the error named)
    /// otherwise.
    pub(crate) fn check(&self, root: &Path, rel: &Path) -> Result<()> {
        match rel.parent() {
            Some(folder) if self.sound.contains(folder) => Ok(()),
            _ => check_folders(root, rel),
        }
    }
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
            what: describe_file_type(meta.file_type()),
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(rel, e)),
    }
}

/// The file's bytes if it is there (a regular file, checked as
/// [`open_regular`] does), `None` if it is not.
pub(crate) fn read_if_there(abs: &Path, shown: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::symlink_metadata(abs) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(shown, e)),
        Ok(_) => read_bytes_as(abs, shown, u64::MAX).map(Some),
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

/// Writes a file by writing a temporary file beside it and renaming it into
/// place, so no reader ever sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".arende-").suffix(".tmp");
    // Made readable as git checks files out (the umask still applies), in
    // the call that makes it rather than a `chmod` after.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if sync {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
