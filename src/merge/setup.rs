//! The driver's place in git: the `.gitattributes` lines that send record
//! files to it, the `merge.arende.*` configuration that names the command,
//! git's own text merge for files that are not records, and `resolve` for
//! files a merge without the driver left conflicted.

use std::path::{Path, PathBuf};

use git2::ConfigLevel;

use super::{Merged, merge_record};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Store, repo_prefix, write_atomic};

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

/// Adds the attribute lines `.gitattributes` at `root` lacks, keeping what
/// it has. Returns the file's new bytes if it changed.
pub fn attributes_update(root: &Path) -> Result<Option<Vec<u8>>> {
    let path = root.join(ATTRIBUTES_FILE);
    let existing = match path.symlink_metadata() {
        Ok(_) => crate::yaml::read_text(&path, crate::yaml::MAX_RECORD_BYTES)?,
        Err(_) => String::new(),
    };
    let have: Vec<&str> = existing.lines().map(str::trim).collect();
    let missing: Vec<String> = attribute_lines()
        .into_iter()
        .filter(|l| !have.contains(&l.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut text = existing.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(
        "# Records merge field by field with `arende merge-file`; `arende setup` configures it.\n",
    );
    for line in missing {
        text.push_str(&line);
        text.push('\n');
    }
    Ok(Some(text.into_bytes()))
}

/// Whether `.gitattributes` at `root` sends files to the driver.
pub fn attributes_name_driver(root: &Path) -> bool {
    std::fs::read_to_string(root.join(ATTRIBUTES_FILE)).is_ok_and(|t| {
        t.lines()
            .any(|l| l.split_whitespace().any(|w| w == ATTRIBUTE))
    })
}

/// The driver command for git's configuration. git runs it through the
/// shell in the top of the work tree, with `%O %A %B %P` replaced by the
/// base, ours (the result goes there), theirs, and the file's path.
/// `program` is the arende binary to run: the one running now makes the
/// driver work in this clone whatever PATH a later shell has.
pub fn driver_command(program: &Path) -> String {
    format!(
        "{} merge-file %O %A %B %P",
        shell_quote(&program.to_string_lossy())
    )
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Configures the driver in the repository's own git configuration
/// (`.git/config`): a clone does not get it from the remote, which is what
/// `arende setup` is for.
pub fn configure_driver(root: &Path, command: &str) -> Result<()> {
    let repo = crate::store::open_repo(root)?;
    let mut config = repo.config()?.open_level(ConfigLevel::Local)?;
    config.set_str("merge.arende.name", "arende: records merge field by field")?;
    config.set_str(DRIVER_KEY, command)?;
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
pub fn driver_problem(root: &Path) -> Option<String> {
    if !attributes_name_driver(root) {
        return None;
    }
    let Some(command) = configured_driver(root) else {
        return Some(format!(
            "{ATTRIBUTES_FILE} asks for the arende merge driver but this clone has not configured it, so git merges records as text; run `arende setup`"
        ));
    };
    // A command that names a binary by its path, which is gone, fails every merge.
    let program = command.split_whitespace().next().unwrap_or_default();
    let program = program.trim_matches('\'');
    if program.starts_with('/') && !Path::new(program).exists() {
        return Some(format!(
            "the arende merge driver is configured as {program}, which does not exist; run `arende setup` again"
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
pub fn conflicted_files(store: &Store) -> Result<Vec<PathBuf>> {
    let repo = crate::store::open_repo(store.root())?;
    let prefix = repo_prefix(&repo, store.root())?;
    let index = repo.index()?;
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
pub fn resolve(store: &Store, rel: &Path, force: bool) -> Result<Resolution> {
    let repo = crate::store::open_repo(store.root())?;
    let git_path = repo_prefix(&repo, store.root())?.join(rel);
    let mut index = repo.index()?;
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
    let base = text(&stages.ancestor)?.unwrap_or_default();
    let (ours, theirs) = match (text(&stages.our)?, text(&stages.their)?) {
        (Some(o), Some(t)) => (o, t),
        (Some(_), None) => return Ok(Resolution::DeletedOnOneSide { kept_by: "ours" }),
        (None, _) => return Ok(Resolution::DeletedOnOneSide { kept_by: "theirs" }),
    };
    let current = std::fs::read_to_string(store.root().join(rel)).unwrap_or_default();
    if !force && crate::yaml::conflict_marker_line(&current).is_none() {
        return Ok(Resolution::AlreadyEdited);
    }
    let merged = match merge_record(Some(store), rel, &base, &ours, &theirs) {
        Ok(m) => m,
        Err(super::NotARecord(reason)) => return Ok(Resolution::NotARecord(reason)),
    };
    write_atomic(&store.root().join(rel), merged.text.as_bytes(), true)?;
    if merged.is_clean() {
        index.add_path(&git_path)?;
        index.write()?;
    }
    Ok(Resolution::Merged(merged))
}
