//! The driver's place in git: the `.gitattributes` lines that send record
//! files to it, the `merge.arende.*` configuration that names the command,
//! git's own text merge for files that are not records, and `resolve` for
//! files a merge without the driver left conflicted.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use git2::ConfigLevel;

use super::{Merged, merge_record};
use crate::error::{Error, Result};
use crate::fs;
use crate::fs::write_atomic;
use crate::kind::Kind;
use crate::store::repo_prefix;
use crate::workspace::Workspace;
use crate::yaml;

/// The attributes file, at the record repository's root.
pub const ATTRIBUTES_FILE: &str = ".gitattributes";

/// The attribute value that names the driver (`merge=arende`).
pub const ATTRIBUTE: &str = "merge=arende";

/// The git configuration key of the driver's command.
pub const DRIVER_KEY: &str = "merge.arende.driver";

/// The `.gitattributes` lines: every file under a record folder, at any
/// depth, merges with the driver.
pub fn attribute_lines() -> Vec<String> {
    Kind::ALL
        .iter()
        .map(|k| format!("{}/** {ATTRIBUTE}", k.dir()))
        .collect()
}

/// The largest `.gitattributes` arende reads: a record's bound
/// ([`yaml::MAX_RECORD_BYTES`], 1 MiB). The file is a few lines; one far
/// larger is a mistake or was planted in a clone, and it is read on every
/// command (see [`driver_problem`]).
pub const MAX_ATTRIBUTES_BYTES: u64 = yaml::MAX_RECORD_BYTES;

/// The bytes of `.gitattributes` at `root`, `None` if there is none. It is
/// opened as a record is: a symbolic link (git does not follow one there
/// either), a FIFO or device, or a file over [`MAX_ATTRIBUTES_BYTES`] is an
/// error, and the open never blocks.
pub fn read_attributes(root: &Path) -> Result<Option<Vec<u8>>> {
    let path = root.join(ATTRIBUTES_FILE);
    // Not `exists()`: it follows links, and a link is to be refused.
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
        Ok(_) => fs::read_bytes_as(&path, &path, MAX_ATTRIBUTES_BYTES).map(Some),
    }
}

/// Adds the attribute lines `.gitattributes` at `root` lacks, keeping what
/// it has byte for byte (git does not ask it to be UTF-8). Returns the
/// file's new bytes if it changed.
pub fn attributes_update(root: &Path) -> Result<Option<Vec<u8>>> {
    // No `.gitattributes` yet: every line is added.
    let existing = read_attributes(root)?.unwrap_or_default();
    let text = String::from_utf8_lossy(&existing);
    let have: Vec<&str> = text.lines().map(str::trim).collect();
    let missing: Vec<String> = attribute_lines()
        .into_iter()
        .filter(|l| !have.contains(&l.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut bytes = existing.clone();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(
        b"# Records merge field by field with `arende merge-file`; `arende setup` configures it.\n",
    );
    for line in missing {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    Ok(Some(bytes))
}

/// Writes `.gitattributes` at `root` (the bytes [`attributes_update`]
/// made). [`write_atomic`] renames its file over whatever is there, so a
/// symbolic link a clone carries would be swapped for a file without a
/// word (and the swap committed by whoever commits next): a link, or
/// anything but a regular file, is refused instead.
pub fn write_attributes(root: &Path, bytes: &[u8]) -> Result<()> {
    let path = root.join(ATTRIBUTES_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Symlink { path }),
        Ok(meta) if !meta.is_file() => {
            return Err(Error::NotAFile {
                path,
                what: fs::describe_file_type(meta.file_type()),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    write_atomic(&path, bytes, true)
}

/// Whether `.gitattributes` at `root` sends files to the driver; an error
/// if it cannot be read as [`read_attributes`] reads it.
pub fn attributes_name_driver(root: &Path) -> Result<bool> {
    Ok(read_attributes(root)?.is_some_and(|bytes| {
        String::from_utf8_lossy(&bytes)
            .lines()
            .any(|l| l.split_whitespace().any(|w| w == ATTRIBUTE))
    }))
}

/// The program the driver and the pre-commit hook run: found on PATH when
/// git runs them, so the configuration keeps working when the binary is
/// moved, upgraded or installed elsewhere on another machine.
pub const PROGRAM: &str = "arende";

/// The driver command for git's configuration. git runs it through the
/// shell in the top of the work tree, with `%O %A %B %P` replaced by the
/// base, ours (the result goes there), theirs, and the file's path.
pub const DRIVER_COMMAND: &str = "arende merge-file %O %A %B %P";

/// Where `program` is on `path` (a PATH value), as the shell would find it:
/// the first folder holding an executable file of that name.
pub fn find_program(program: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        // An empty entry means the current folder to the shell; the
        // driver runs in the work tree's top, which holds no arende.
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The program a driver command runs: its first word, unquoted as the
/// shell would (earlier versions single-quoted a path with spaces).
fn command_program(command: &str) -> String {
    let command = command.trim_start();
    match command.strip_prefix('\'') {
        Some(rest) => rest.split('\'').next().unwrap_or_default().to_owned(),
        None => command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Configures the driver in the repository's own git configuration
/// (`.git/config`): a clone does not get it from the remote, which is what
/// `arende setup` is for.
pub fn configure_driver(root: &Path) -> Result<()> {
    let repo = crate::store::open_repo(root)?;
    let mut config = repo.config()?.open_level(ConfigLevel::Local)?;
    config.set_str("merge.arende.name", "arende: records merge field by field")?;
    config.set_str(DRIVER_KEY, DRIVER_COMMAND)?;
    Ok(())
}

/// The driver command git has configured for the repository at `root`.
pub fn configured_driver(root: &Path) -> Option<String> {
    let repo = crate::store::open_repo(root).ok()?;
    let config = repo.config().ok()?.snapshot().ok()?;
    config
        .get_string(DRIVER_KEY)
        .ok()
        .filter(|c| !c.trim().is_empty())
}

/// Why merges of the repository at `root` would not use the driver though
/// `.gitattributes` asks for it, if they would not.
///
/// A `.gitattributes` arende does not read (a link, a FIFO, too large) is
/// a problem too: this runs as every command opens the repository, and
/// must neither fail it nor block on the file, so it tells what is wrong
/// and how to mend it, and the command goes on.
pub fn driver_problem(root: &Path) -> Option<String> {
    match attributes_name_driver(root) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            return Some(format!(
                "{e} — so arende cannot tell whether git merges records with its driver: make {ATTRIBUTES_FILE} a regular file of at most {MAX_ATTRIBUTES_BYTES} bytes (1 MiB), or remove it, then run `arende setup`"
            ));
        }
    }
    let Some(command) = configured_driver(root) else {
        return Some(format!(
            "{ATTRIBUTES_FILE} asks for the arende merge driver but this clone has not configured it, so git merges records as text; run `arende setup`"
        ));
    };
    // Earlier versions named the binary by its full path, which fails
    // every merge once the binary is moved or upgraded to another place.
    let program = command_program(&command);
    if Path::new(&program).is_absolute() {
        let state = if Path::new(&program).exists() {
            "which breaks merges when that binary moves"
        } else {
            "which does not exist, so git cannot merge records"
        };
        return Some(format!(
            "the arende merge driver this clone configures is outdated: it runs {program} by its full path, {state}; run `arende setup` to have git run `{PROGRAM}` from PATH"
        ));
    }
    None
}

/// git's own three-way text merge (`git merge-file`), for a file that is
/// not a record arende can rewrite: writes the result, with git's conflict
/// markers, into `ours`. Returns whether it merged cleanly.
pub fn text_merge(base: &Path, ours: &Path, theirs: &Path) -> Result<bool> {
    let status = std::process::Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(ours)
        .arg(base)
        .arg(theirs)
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::io(ours, e))?;
    match status.code() {
        Some(0) => Ok(true),
        // git merge-file exits with the number of conflicts, or -1 (255) on an error.
        Some(n) if (1..=127).contains(&n) => Ok(false),
        _ => Err(Error::io(
            ours,
            std::io::Error::other(format!("`git merge-file` failed ({status})")),
        )),
    }
}

/// How `resolve` left a file.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// Merged (cleanly, and staged, or with the conflicts marked).
    Merged(Merged),
    /// One side deleted the record and the other changed it: a person
    /// decides (`git rm` or `git add`).
    DeletedOnOneSide {
        /// Which side still has it: "ours" or "theirs".
        kept_by: &'static str,
    },
    /// Not a record arende can rewrite; git's markers stay.
    NotARecord(String),
    /// The file has no conflict markers left: a person has resolved it
    /// (not staged yet), and merging again would undo that work.
    AlreadyEdited,
}

/// The record files (relative to the record repository) that the index
/// holds in conflict.
pub fn conflicted_files(ws: &Workspace) -> Result<Vec<PathBuf>> {
    let repo = crate::store::open_repo(ws.root())?;
    let prefix = repo_prefix(&repo, ws.root())?;
    let index = crate::store::read_index(&repo)?;
    let mut out = Vec::new();
    for conflict in index.conflicts()? {
        let conflict = conflict?;
        let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
        if let Some(e) = entry {
            let path = PathBuf::from(String::from_utf8_lossy(&e.path).into_owned());
            if let Ok(rel) = path.strip_prefix(&prefix)
                && !out.iter().any(|p: &PathBuf| p == rel)
            {
                out.push(rel.to_owned());
            }
        }
    }
    Ok(out)
}

/// Merges again, as the driver would have, a record file that a merge left
/// conflicted: its base, ours and theirs are the index's stages 1, 2 and 3.
/// The result is written to the file; a clean one is staged. A file
/// without conflict markers left is someone's resolution in progress and
/// is left alone unless `force`.
pub fn resolve(ws: &Workspace, rel: &Path, force: bool) -> Result<Resolution> {
    let repo = crate::store::open_repo(ws.root())?;
    let git_path = repo_prefix(&repo, ws.root())?.join(rel);
    let index = crate::store::read_index(&repo)?;
    let mut stages = None;
    for conflict in index.conflicts()? {
        let conflict = conflict?;
        let path_of = |e: &Option<git2::IndexEntry>| {
            e.as_ref()
                .map(|e| PathBuf::from(String::from_utf8_lossy(&e.path).into_owned()))
        };
        let names = [
            path_of(&conflict.ancestor),
            path_of(&conflict.our),
            path_of(&conflict.their),
        ];
        if names.iter().flatten().any(|p| *p == git_path) {
            stages = Some(conflict);
            break;
        }
    }
    let Some(stages) = stages else {
        return Err(Error::usage(
            format!("{}: git has no merge conflict on this file", rel.display()),
            Some("`git status` lists the files a merge left conflicted".to_owned()),
        ));
    };
    let text = |e: &Option<git2::IndexEntry>| -> Result<Option<String>> {
        match e {
            None => Ok(None),
            Some(e) => {
                let blob = repo.find_blob(e.id)?;
                Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
            }
        }
    };
    // Both sides added the file (no ancestor): they merge from nothing.
    let base = text(&stages.ancestor)?.unwrap_or_default();
    let (ours, theirs) = match (text(&stages.our)?, text(&stages.their)?) {
        (Some(o), Some(t)) => (o, t),
        (Some(_), None) => return Ok(Resolution::DeletedOnOneSide { kept_by: "ours" }),
        (None, _) => return Ok(Resolution::DeletedOnOneSide { kept_by: "theirs" }),
    };
    // Read as a record is: the merge result is written over this file, and
    // a link or FIFO a merge checked out is refused rather than followed.
    let abs = ws.root().join(rel);
    let current = match std::fs::symlink_metadata(&abs) {
        Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
        _ => fs::read_text_as(&abs, rel, yaml::MAX_RECORD_BYTES)?,
    };
    if !force && yaml::conflict_marker_line(&current).is_none() {
        return Ok(Resolution::AlreadyEdited);
    }
    let merged = match merge_record(Some(ws), rel, &base, &ours, &theirs) {
        Ok(m) => m,
        Err(super::NotARecord(reason)) => return Ok(Resolution::NotARecord(reason)),
    };
    write_atomic(&abs, merged.text.as_bytes(), true)?;
    if merged.is_clean() {
        drop(index);
        crate::store::stage_file(ws.root(), rel, ws.store().lock_timeout())?;
    }
    Ok(Resolution::Merged(merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The program of a driver command, as the shell splits it: the PATH
    /// form, a full path, and a quoted full path with a space (earlier
    /// versions wrote both).
    #[test]
    fn a_driver_command_names_its_program_as_the_shell_reads_it() {
        assert_eq!(command_program(DRIVER_COMMAND), PROGRAM);
        assert_eq!(
            command_program("/usr/local/bin/arende merge-file %O %A %B %P"),
            "/usr/local/bin/arende"
        );
        assert_eq!(
            command_program("'/opt/my tools/arende' merge-file %O %A %B %P"),
            "/opt/my tools/arende"
        );
    }

    /// PATH is searched as the shell does: the first folder with an
    /// executable of that name; a plain file there is not one.
    #[cfg(unix)]
    #[test]
    fn a_program_is_found_on_path_only_where_it_can_run() {
        use std::os::unix::fs::PermissionsExt;
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(a.path().join(PROGRAM), "not a program").unwrap();
        let path = std::env::join_paths([a.path(), b.path()]).unwrap();
        assert_eq!(find_program(PROGRAM, &path), None);
        let exe = b.path().join(PROGRAM);
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_program(PROGRAM, &path), Some(exe));
    }

    /// `arende setup` reads `.gitattributes` first and refuses a link there;
    /// one put in place after that read is not replaced either.
    #[cfg(unix)]
    #[test]
    fn attributes_are_not_written_over_a_link() {
        let root = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("temp dir");
        let target = outside.path().join("attributes");
        std::fs::write(&target, "*.txt text\n").expect("write");
        let path = root.path().join(ATTRIBUTES_FILE);
        std::os::unix::fs::symlink(&target, &path).expect("symlink");

        let e = write_attributes(root.path(), b"incidents/** merge=arende\n")
            .expect_err("a link is refused");
        assert!(
            matches!(&e, Error::Symlink { path: p } if *p == path),
            "{e:?}"
        );
        assert!(std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()));
        assert_eq!(std::fs::read(&target).expect("read"), b"*.txt text\n");

        std::fs::remove_file(&path).expect("remove");
        write_attributes(root.path(), b"incidents/** merge=arende\n").expect("written");
        assert_eq!(attributes_name_driver(root.path()).ok(), Some(true));
    }
}
