//! What verification learnt of the history, kept between runs in git's
//! folder (`arende-approvals`, never committed): which commit introduced
//! each approval, and git's verdict on each commit's signature. Neither
//! changes once a commit is made, so CI on a large repository walks and
//! verifies only the commits that are new since the last run.
//!
//! The introducers hold while the commit the cache was made at is still an
//! ancestor of the one verified (or is it): a rewritten history drops them
//! all. Signature verdicts are keyed by the allowed-signers text they were
//! checked against, so a change of the registry's keys checks them again.
//! A missing, damaged or foreign cache is no error: it is made anew.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

/// The cache file's name in git's folder.
pub const CACHE_FILE: &str = "arende-approvals";

/// The first line: the format, bumped whenever the lines change.
const MAGIC: &str = "arende-approvals 1";

/// Where an approval was introduced, as the cache keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Introduced {
    /// The commit.
    pub commit: Oid,
    /// It has more than one parent.
    pub merge: bool,
    /// It is where a shallow clone's history is cut.
    pub shallow: bool,
}

/// git's verdict on a commit's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `%G?`: G good, U good but by a key of nobody, N none, B bad, …
    pub status: char,
    /// `%GS`: the principal (an e-mail address) the key belongs to.
    pub signer: String,
    /// `%GF`: the OpenPGP key's fingerprint.
    pub fingerprint: String,
}

/// The cache as read, and what this run adds to it.
#[derive(Debug, Default)]
pub struct Cache {
    /// The commit verified when the introducers were found.
    at: Option<Oid>,
    /// By record file (git path) and approval digest.
    introducers: HashMap<(PathBuf, String), Introduced>,
    /// By allowed-signers digest and commit.
    signatures: HashMap<(String, Oid), Signature>,
}

impl Cache {
    /// The cache at `file`, with its introducers kept only if the commit
    /// it was made at leads to `start`.
    pub fn load(repo: &Repository, file: &Path, start: Oid) -> Cache {
        let Ok(text) = crate::fs::read_text_as(file, file, 64 << 20) else {
            return Cache::default();
        };
        let mut cache = Cache::parse(&text).unwrap_or_default();
        let leads = cache
            .at
            .is_some_and(|at| at == start || repo.graph_descendant_of(start, at).unwrap_or(false));
        if !leads {
            cache.introducers.clear();
        }
        cache.at = Some(start);
        cache
    }

    fn parse(text: &str) -> Option<Cache> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut cache = Cache::default();
        for line in lines {
            let f: Vec<&str> = line.split('\t').collect();
            match f.as_slice() {
                ["at", oid] => cache.at = Some(Oid::from_str(oid).ok()?),
                ["I", path, key, oid, flags] => {
                    cache.introducers.insert(
                        (PathBuf::from(path), (*key).to_owned()),
                        Introduced {
                            commit: Oid::from_str(oid).ok()?,
                            merge: flags.contains('m'),
                            shallow: flags.contains('s'),
                        },
                    );
                }
                ["S", signers, oid, status, signer, fingerprint] => {
                    cache.signatures.insert(
                        ((*signers).to_owned(), Oid::from_str(oid).ok()?),
                        Signature {
                            status: status.chars().next()?,
                            signer: (*signer).to_owned(),
                            fingerprint: (*fingerprint).to_owned(),
                        },
                    );
                }
                _ => return None,
            }
        }
        Some(cache)
    }

    /// Where the approval with this digest in the record file `path` was
    /// introduced, if a run found it before.
    pub fn introducer(&self, path: &Path, key: &str) -> Option<Introduced> {
        self.introducers
            .get(&(path.to_owned(), key.to_owned()))
            .copied()
    }

    /// Keeps where an approval was introduced.
    pub fn found(&mut self, path: &Path, key: &str, at: Introduced) {
        self.introducers
            .insert((path.to_owned(), key.to_owned()), at);
    }

    /// git's verdict on `commit` against the allowed signers `signers`.
    pub fn signature(&self, signers: &str, commit: Oid) -> Option<&Signature> {
        self.signatures.get(&(signers.to_owned(), commit))
    }

    /// Keeps git's verdict on `commit`.
    pub fn signed(&mut self, signers: &str, commit: Oid, signature: Signature) {
        self.signatures
            .insert((signers.to_owned(), commit), signature);
    }

    /// Writes the cache to `file`. A failure (a read-only checkout) only
    /// means the next run walks again, so it is left unsaid.
    pub fn save(&self, file: &Path) {
        let mut text = format!("{MAGIC}\n");
        if let Some(at) = self.at {
            text.push_str(&format!("at\t{at}\n"));
        }
        for ((path, key), i) in &self.introducers {
            // A tab or line break in a path would break the line: such a
            // file is walked again next time rather than cached.
            let Some(path) = path.to_str().filter(|p| !p.contains(['\t', '\n'])) else {
                continue;
            };
            let flags = format!(
                "{}{}",
                if i.merge { "m" } else { "" },
                if i.shallow { "s" } else { "-" }
            );
            text.push_str(&format!("I\t{path}\t{key}\t{}\t{flags}\n", i.commit));
        }
        for ((signers, oid), s) in &self.signatures {
            if [&s.signer, &s.fingerprint]
                .iter()
                .any(|v| v.contains(['\t', '\n']))
            {
                continue;
            }
            text.push_str(&format!(
                "S\t{signers}\t{oid}\t{}\t{}\t{}\n",
                s.status, s.signer, s.fingerprint
            ));
        }
        let _ = crate::fs::write_atomic(file, text.as_bytes(), false);
    }
}

/// A short, stable digest of a text: an approval's words, the allowed
/// signers.
pub fn digest(text: &str) -> String {
    sha1_smol::Sha1::from(text).digest().to_string()
}
