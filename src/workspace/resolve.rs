//! The record a person names on a command line: a whole ID in any case,
//! with Crockford's look-alikes (`O` for `0`, `I` and `L` for `1`), the
//! end of an ID after one of its dashes (`S05K7W`) where only one record
//! ends so, or the path of the record's file. Every command that takes an
//! ID reads it here; [`RecordId::parse`] stays the strict reading of the
//! IDs records store.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Workspace;
use crate::error::{Error, Result};
use crate::id::{RecordId, TypedId};

/// How many candidates an ambiguous ID lists.
const LISTED: usize = 10;

/// The ways a record may be named, for the help of a miss.
const FORMS: &str = "name a record by its ID in any case (O for 0, I or L for 1), by the end of its ID after a dash (K7QF2M, 20261122-K7QF2M) where only one record ends so, or by the path of its file; `arende list` shows the records there are";

impl Workspace {
    /// The record `typed` names (see the module's page): the exact ID
    /// first, so a hand-made ID such as `CI-EPRESCRIPTION` is found as it
    /// is, then with look-alikes read, then the ends of the repository's
    /// IDs. None is [`Error::NoMatch`], with the nearest ID; more than one
    /// end is [`Error::AmbiguousId`].
    pub fn resolve(&self, typed: &str) -> Result<RecordId> {
        if looks_like_path(typed) {
            return self.id_at(typed);
        }
        let wanted = TypedId::parse(typed)?;
        for id in [wanted.exact().cloned(), wanted.aliased()]
            .into_iter()
            .flatten()
        {
            if self.store.find(&id).is_some() {
                return Ok(id);
            }
        }
        let (paths, _) = self.store.record_paths(wanted.kind().as_slice());
        let ids: BTreeSet<RecordId> = paths
            .iter()
            .filter_map(|p| RecordId::parse(p.file_stem()?.to_str()?).ok())
            .collect();
        let mut found: Vec<&RecordId> = ids.iter().filter(|id| wanted.matches(id)).collect();
        match found.len() {
            1 => Ok(found.remove(0).clone()),
            0 => Err(Error::NoMatch {
                input: typed.trim().to_owned(),
                help: format!("{}{FORMS}", nearest(&wanted, &ids)),
            }),
            n => {
                let mut candidates: Vec<String> =
                    found.iter().take(LISTED).map(|id| id.to_string()).collect();
                if n > LISTED {
                    candidates.push(format!("and {} more", n - LISTED));
                }
                Err(Error::AmbiguousId {
                    input: typed.trim().to_owned(),
                    candidates,
                })
            }
        }
    }

    /// What `validate` is asked to check, relative to the root: a file or
    /// folder (relative to where the command was started, or to the root),
    /// or the file of the record a typed ID names.
    pub fn locate(&self, typed: &Path) -> Result<PathBuf> {
        if let Some(found) = self.on_disk(typed) {
            return self.relative(&found);
        }
        let Some(text) = typed.to_str() else {
            return Err(self.no_file(&typed.display().to_string()));
        };
        let id = self.resolve(text)?;
        self.store.find(&id).ok_or_else(|| self.no_file(text))
    }

    /// The record whose file is at `typed`.
    fn id_at(&self, typed: &str) -> Result<RecordId> {
        let path = Path::new(typed.trim());
        let Some(found) = self.on_disk(path) else {
            // A file name alone, typed away from its folder: its ID.
            let stem = path.file_stem().and_then(|s| s.to_str());
            return match stem {
                Some(stem) if path.parent() == Some(Path::new("")) && !looks_like_path(stem) => {
                    self.resolve(stem)
                }
                _ => Err(self.no_file(typed)),
            };
        };
        let rel = self.relative(&found)?;
        let not_a_record = |why: String| {
            Error::usage(
                format!("{} is not a record file: {why}", path.display()),
                Some(format!(
                    "a record's file is named after its ID and kept in its kind's folder, e.g. incidents/2026/11/INC-20261122-K7QF2M.yaml; {FORMS}"
                )),
            )
        };
        let id = rel
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| RecordId::parse(s).ok())
            .ok_or_else(|| not_a_record("its name is no record ID".to_owned()))?;
        match self.store.find(&id) {
            Some(at) if at == rel => Ok(id),
            Some(at) => Err(not_a_record(format!(
                "arende reads {id} from {}",
                at.display()
            ))),
            None => Err(not_a_record(format!(
                "it is not in the folder of {}s",
                id.kind()
            ))),
        }
    }

    /// `typed` where it is: as given if absolute, else under the folder the
    /// command was started in, else under the root.
    fn on_disk(&self, typed: &Path) -> Option<PathBuf> {
        let tries = if typed.is_absolute() {
            vec![typed.to_owned()]
        } else {
            vec![self.cwd.join(typed), self.root().join(typed)]
        };
        tries.into_iter().find(|p| p.symlink_metadata().is_ok())
    }

    /// `path` relative to the root; a path outside the repository is refused.
    fn relative(&self, path: &Path) -> Result<PathBuf> {
        let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        let root = std::fs::canonicalize(self.root()).map_err(|e| Error::io(self.root(), e))?;
        abs.strip_prefix(&root).map(Path::to_owned).map_err(|_| {
            Error::usage(
                format!(
                    "{} is not inside the repository {}",
                    path.display(),
                    root.display()
                ),
                Some(
                    "name a file or folder of this repository, or use -C to run in another"
                        .to_owned(),
                ),
            )
        })
    }

    fn no_file(&self, typed: &str) -> Error {
        Error::NoMatch {
            input: typed.trim().to_owned(),
            help: format!(
                "there is no such file in {} or in the repository root; {FORMS}",
                self.cwd.display()
            ),
        }
    }
}

/// Whether a person meant a path: an ID has no separator and no extension.
fn looks_like_path(typed: &str) -> bool {
    let t = typed.trim();
    let lower = t.to_ascii_lowercase();
    t.contains('/')
        || t.contains(std::path::MAIN_SEPARATOR)
        || lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || t == "."
        || t == ".."
}

/// `did you mean X? ` for the ID nearest what was typed, if one is near.
fn nearest(wanted: &TypedId, ids: &BTreeSet<RecordId>) -> String {
    let limit = 2.max(wanted.as_str().len() / 4);
    ids.iter()
        .map(|id| (wanted.distance(id), id))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| format!("did you mean {id}? "))
        .unwrap_or_default()
}
