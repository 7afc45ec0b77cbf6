//! Validation of what the next commit will hold: the git index (the one
//! `GIT_INDEX_FILE` names, when git runs the hook for `commit -a` or
//! `commit -- FILE` with an index of its own), not the working tree, which
//! may have been fixed, or broken, since `git add`.
//!
//! # The verdict
//!
//! Let *new* be `arende validate` on a checkout of the tree the index holds,
//! and *old* the same on a checkout of HEAD (nothing, on an unborn branch).
//! A record file is *changed* when the index holds it and HEAD does not hold
//! the same blob at that path (deleted files hold no findings). The report is
//!
//! - every finding of *new* on a changed file, and
//! - every finding of *new* on an unchanged file that *old* does not have:
//!   what the commit does to the records it leaves alone (a link it removes
//!   that leaves one behind one-way, a record it deletes that others link
//!   to, a dependency cycle or one version package too many in production
//!   that it closes, a linked change a release's rule now sees unapproved).
//!
//! Two findings on one file are the same when they have the same rule and
//! field, and, for the checks that name the records concerned (duplicate
//! ID, dangling and one-way links, cycles), the same message: a second
//! dangling link under one key is new, a pack rule already broken is not
//! (its message may quote the linked records' values), nor are more
//! packages in production than allowed when there already were. So a
//! repository that already breaks rules can still take commits that do not
//! add to them, and on a repository where `validate` finds nothing the
//! verdict is exactly `validate` on a checkout of the commit, findings and
//! exit code. (`tests/testsuite/staged_gate.rs` checks both against checkouts, on
//! random edits of the fixtures.)
//!
//! The configuration (`arende.yaml`, `policy/`) is the index's, written to a
//! temporary folder and opened there; a record repository whose
//! `arende.yaml` is not in git at all is judged by the working tree's.
//! Under `commit --amend` HEAD is the commit being amended (what it brought
//! was judged when it was made); concluding a merge, it is the first parent,
//! so what the merge brings in counts as changed.
//!
//! # Cost
//!
//! Every record file of the index is parsed once, for the summaries the
//! repository checks need (IDs, links, dependencies, deployed releases):
//! those checks cannot be judged from fewer. The pack's rules run only on
//! the changed records and on the unchanged ones that link to a record the
//! commit changes, adds or deletes (every rule that looks beyond its record
//! looks along its links); all of them when the configuration changes. A
//! title edit in a repository of 10 000 records took 0.9 s of CPU, in one of
//! 100 000 about as much as `validate` (release build, this 2-core machine).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use git2::{Index, Odb, Oid, Repository, Tree};
use rayon::prelude::*;

use super::checks::{self, Check};
use super::{
    Context, Finding, Lookup, Report, StandardRegister, Summary, file_finding, record_findings,
    repo_findings,
};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::fs;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::store::repo_prefix;
use crate::workspace::{Entry, Workspace};
use crate::yaml::{self, Value};

/// The file mode git gives a symbolic link, and a submodule.
const LINK: u32 = 0o120_000;
const GITLINK: u32 = 0o160_000;

/// The folder the policy files sit in, relative to the record root.
const POLICY_DIR: &str = "policy";

/// A file as a tree or the index holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Blob {
    oid: Oid,
    mode: u32,
}

/// The files of one tree that `validate` on a checkout of it would read,
/// by path relative to the record root.
#[derive(Default)]
struct Files {
    /// Record files (`.yaml`/`.yml` at any depth under a kind's folder,
    /// hidden folders skipped, as the store walks the working tree).
    records: BTreeMap<PathBuf, Blob>,
    /// Other links where the walk goes: a kind's folder itself, or a link
    /// inside it that may point at a folder.
    links: BTreeMap<PathBuf, Blob>,
    /// `arende.yaml` and everything under `policy/`.
    config: BTreeMap<PathBuf, Blob>,
}

impl Files {
    /// Sorts one file (path relative to the work tree) into its place, if
    /// it has one.
    fn add(&mut self, prefix: &Path, path: &Path, blob: Blob) {
        let Ok(rel) = path.strip_prefix(prefix) else {
            return;
        };
        if blob.mode == GITLINK {
            return;
        }
        if rel == Path::new(CONFIG_FILE) || rel.starts_with(POLICY_DIR) {
            self.config.insert(rel.to_owned(), blob);
            return;
        }
        let Some(dir) = rel.iter().next() else {
            return;
        };
        if !Kind::ALL.iter().any(|k| dir == k.dir()) {
            return;
        }
        let below: Vec<&std::ffi::OsStr> = rel.iter().skip(1).collect();
        let Some((name, folders)) = below.split_last() else {
            if blob.mode == LINK {
                self.links.insert(rel.to_owned(), blob);
            }
            return;
        };
        if folders
            .iter()
            .any(|f| f.as_encoded_bytes().starts_with(b"."))
        {
            return;
        }
        if Path::new(name)
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            self.records.insert(rel.to_owned(), blob);
        } else if blob.mode == LINK {
            self.links.insert(rel.to_owned(), blob);
        }
    }

    /// The files of the index: merged entries only (git refuses to commit
    /// with conflicts left), and not those `git add -N` only announced.
    fn of_index(index: &Index, prefix: &Path) -> Files {
        let mut files = Files::default();
        for entry in index.iter() {
            let stage = (entry.flags >> 12) & 0x3;
            let announced =
                entry.flags_extended & git2::IndexEntryExtendedFlag::INTENT_TO_ADD.bits() != 0;
            if stage != 0 || announced {
                continue;
            }
            let Ok(path) = std::str::from_utf8(&entry.path) else {
                continue;
            };
            let blob = Blob {
                oid: entry.id,
                mode: entry.mode,
            };
            files.add(prefix, Path::new(path), blob);
        }
        files
    }

    /// The files of a commit's tree, walking only the folders that hold them.
    fn of_tree(repo: &Repository, tree: &Tree<'_>, prefix: &Path) -> Result<Files> {
        let mut files = Files::default();
        let root = match prefix.as_os_str().is_empty() {
            true => tree.clone(),
            false => match tree.get_path(prefix) {
                Ok(entry) => repo.find_tree(entry.id())?,
                Err(_) => return Ok(files),
            },
        };
        let wanted = |name: &str| name == POLICY_DIR || Kind::ALL.iter().any(|k| k.dir() == name);
        root.walk(git2::TreeWalkMode::PreOrder, |folder, item| {
            if item.kind() == Some(git2::ObjectType::Tree) {
                return match folder.is_empty() && !item.name().is_ok_and(wanted) {
                    true => git2::TreeWalkResult::Skip,
                    false => git2::TreeWalkResult::Ok,
                };
            }
            let (Ok(name), Ok(mode)) = (item.name(), u32::try_from(item.filemode())) else {
                return git2::TreeWalkResult::Ok;
            };
            let path = Path::new(folder).join(name);
            let blob = Blob {
                oid: item.id(),
                mode,
            };
            files.add(Path::new(""), &path, blob);
            git2::TreeWalkResult::Ok
        })?;
        Ok(files)
    }
}

/// The index the next commit is made from. A relative `GIT_INDEX_FILE` is
/// relative to the top of the work tree, as git reads it (git runs hooks
/// there and sets `.git/index`); libgit2 would read it relative to this
/// process's folder, which for `arende -C` or a hook that changes folder
/// is another, where it would find no index and judge an empty commit. A
/// missing index is an empty one, for git as here.
fn staged_index(repo: &Repository) -> Result<Index> {
    let Some(file) = std::env::var_os("GIT_INDEX_FILE").filter(|f| !f.is_empty()) else {
        return crate::store::read_index(repo);
    };
    let file = PathBuf::from(file);
    let path = match repo.workdir() {
        Some(top) if file.is_relative() => top.join(file),
        _ => file,
    };
    Ok(Index::open(&path)?)
}

/// HEAD's tree; none on an unborn branch.
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree()?)),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A record file's blob as the store reads a file: a link is refused, the
/// size is checked before the content is read.
fn read_record(odb: &Odb<'_>, rel: &Path, blob: Blob) -> Result<(Entry, String)> {
    if blob.mode == LINK {
        return Err(Error::Symlink {
            path: rel.to_owned(),
        });
    }
    let (size, _) = odb.read_header(blob.oid)?;
    if size as u64 > yaml::MAX_RECORD_BYTES {
        return Err(Error::TooLarge {
            path: rel.to_owned(),
            size: size as u64,
            limit: yaml::MAX_RECORD_BYTES,
        });
    }
    let text = fs::text_from_bytes(rel, odb.read(blob.oid)?.data().to_vec())?;
    Ok((Entry::parse(rel, &text)?, text))
}

/// What the first reading of a record file leaves.
enum Outcome {
    /// Read: what the repository checks need of it.
    Read(Summary),
    /// Not readable as a record: its finding, and the ID its name gives
    /// (records linking to it are not dangling).
    Bad(Box<Finding>, Option<RecordId>),
}

/// Reads the given record files in parallel.
fn outcomes<'f>(
    odb: &Odb<'_>,
    files: impl IntoParallelIterator<Item = (&'f PathBuf, &'f Blob)>,
) -> HashMap<&'f Path, Outcome> {
    files
        .into_par_iter()
        .map(|(rel, blob)| {
            let outcome = match read_record(odb, rel, *blob) {
                Ok((entry, _)) => Outcome::Read(Summary::of(&entry)),
                Err(e) => Outcome::Bad(
                    Box::new(file_finding(e)),
                    rel.file_stem()
                        .and_then(|s| s.to_str())
                        .and_then(|s| RecordId::parse(s).ok()),
                ),
            };
            (rel.as_path(), outcome)
        })
        .collect()
}

/// Where `validate` scans a path: kind by kind, each kind's folder in path
/// order. It decides which of two files with one ID is reported as the
/// duplicate and which one a link finds.
fn scan_key(rel: &Path) -> (usize, &Path) {
    let kind = rel
        .iter()
        .next()
        .and_then(|d| Kind::ALL.iter().position(|k| d == k.dir()))
        .unwrap_or(usize::MAX);
    (kind, rel)
}

/// One tree's records as `validate` on a checkout of it sees them; the
/// summaries are those of the first reading, shared by the two trees.
struct Side<'s, 'o> {
    ws: &'s Workspace,
    register: StandardRegister,
    /// In `validate`'s order: by ID, files of one ID in scan order.
    summaries: Vec<&'o Summary>,
    /// IDs of the files that could not be read.
    unreadable: BTreeSet<RecordId>,
    /// The file a link to each ID finds: of two, the one a scan puts last.
    places: HashMap<RecordId, (PathBuf, Blob)>,
    /// The change calendar of this side's changes, releases and items.
    schedule: crate::schedule::Schedule<'s>,
}

impl<'s, 'o> Side<'s, 'o> {
    fn new(
        ws: &'s Workspace,
        files: &Files,
        outcome: impl Fn(&Path) -> Option<&'o Outcome>,
    ) -> Result<Side<'s, 'o>> {
        let mut paths: Vec<(&PathBuf, &Blob)> = files.records.iter().collect();
        paths.sort_by(|a, b| scan_key(a.0).cmp(&scan_key(b.0)));
        let mut read: Vec<(&Summary, Blob)> = Vec::with_capacity(paths.len());
        let mut unreadable = BTreeSet::new();
        for (rel, blob) in paths {
            match outcome(rel) {
                Some(Outcome::Read(s)) => read.push((s, *blob)),
                Some(Outcome::Bad(_, Some(id))) => {
                    unreadable.insert(id.clone());
                }
                _ => {}
            }
        }
        read.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let places = read
            .iter()
            .map(|(s, blob)| (s.id.clone(), (s.path.clone(), *blob)))
            .collect();
        let summaries: Vec<&Summary> = read.into_iter().map(|(s, _)| s).collect();
        let schedule = crate::schedule::Schedule::new(
            ws.policy(),
            crate::schedule::calendar_of(ws.policy(), ws.root())?,
            summaries.iter().filter_map(|s| s.fact.as_deref().cloned()),
        );
        Ok(Side {
            ws,
            register: StandardRegister::load(ws)?,
            summaries,
            unreadable,
            places,
            schedule,
        })
    }

    /// The findings of the pack's rules (and the record's own checks) on
    /// the given files, linked records read from this side's blobs. Files
    /// that are not readable records have their finding already.
    fn record_findings(&self, odb: &Odb<'_>, files: &Files, paths: &[&PathBuf]) -> Vec<Finding> {
        let lookup = BlobLookup { odb, side: self };
        let cx = Context {
            policy: self.ws.policy(),
            register: &self.register,
            lookup: &lookup,
            people: None,
            calendar: Some(&self.schedule),
        };
        paths
            .par_iter()
            .flat_map_iter(|rel| {
                let entry = files.records.get(*rel).map(|b| read_record(odb, rel, *b));
                match entry {
                    Some(Ok((entry, _))) => record_findings(&cx, &entry),
                    _ => Vec::new(),
                }
            })
            .collect()
    }

    /// The findings of the repository as a whole.
    fn repo_findings(&self) -> Vec<Finding> {
        repo_findings(self.ws, &self.summaries, &self.unreadable)
    }
}

/// Finds a linked record in one side's blobs.
struct BlobLookup<'a> {
    odb: &'a Odb<'a>,
    side: &'a Side<'a, 'a>,
}

impl Lookup for BlobLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        let (rel, blob) = self.side.places.get(id)?;
        read_record(self.odb, rel, *blob).ok().map(|(e, _)| e.doc)
    }
}

/// The configuration a tree holds, opened from a temporary folder (which
/// lives as long as it).
struct Config {
    ws: Workspace,
    _dir: tempfile::TempDir,
}

/// Writes `config` (files relative to the record root) to a temporary
/// folder and opens the store there. Links are written as links, so that
/// the store refuses them as it refuses them in a checkout.
fn open_config(odb: &Odb<'_>, config: &BTreeMap<PathBuf, Blob>, shown: &Path) -> Result<Config> {
    let temp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix("arende-staged-")
        .tempdir()
        .map_err(|e| Error::io(&temp, e))?;
    for (rel, blob) in config {
        // git accepts no such path; a crafted index is not followed out.
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            continue;
        }
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let object = odb.read(blob.oid)?;
        let written = if blob.mode == LINK {
            write_link(object.data(), &path)
        } else {
            std::fs::write(&path, object.data())
        };
        written.map_err(|e| Error::io(&path, e))?;
    }
    let ws = Workspace::open(dir.path()).map_err(|e| {
        let text = e
            .to_string()
            .replace(&dir.path().display().to_string(), &shown.display().to_string());
        Error::Config {
            path: shown.to_owned(),
            message: format!("the configuration staged for this commit cannot be used: {text}"),
            help: Some(format!(
                "fix {CONFIG_FILE} or {POLICY_DIR}/ and stage it again (`git add`), or unstage it (`git restore --staged {CONFIG_FILE} {POLICY_DIR}`)"
            )),
        }
    })?;
    Ok(Config { ws, _dir: dir })
}

#[cfg(unix)]
fn write_link(target: &[u8], path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), path)
}

#[cfg(not(unix))]
fn write_link(target: &[u8], path: &Path) -> std::io::Result<()> {
    std::fs::write(path, target)
}

/// The configurations of the commit and of HEAD. HEAD's is `None` when it
/// cannot be opened (the commit adopts the repository): then nothing on
/// HEAD is to be compared with.
struct Configs {
    new: Option<Config>,
    old: Option<Config>,
    /// Whether the two differ, so that every record may be judged anew.
    changed: bool,
}

impl Configs {
    fn open(odb: &Odb<'_>, new: &Files, old: &Files, shown: &Path) -> Result<Configs> {
        let has = |f: &Files| f.config.contains_key(Path::new(CONFIG_FILE));
        let changed = new.config != old.config;
        let new_cfg = has(new)
            .then(|| open_config(odb, &new.config, shown))
            .transpose()?;
        let old_cfg = if changed && has(old) {
            open_config(odb, &old.config, shown).ok()
        } else {
            None
        };
        Ok(Configs {
            new: new_cfg,
            old: old_cfg,
            changed,
        })
    }

    /// The commit's store: the index's configuration, else the working tree's.
    fn new_ws<'a>(&'a self, working: &'a Workspace) -> &'a Workspace {
        self.new.as_ref().map_or(working, |c| &c.ws)
    }

    /// HEAD's store, if HEAD's findings can be known.
    fn old_ws<'a>(&'a self, working: &'a Workspace) -> Option<&'a Workspace> {
        match (&self.old, self.changed) {
            (Some(c), _) => Some(&c.ws),
            (None, false) => Some(self.new_ws(working)),
            (None, true) => None,
        }
    }
}

/// What the staged check found, with the text of every file it reports
/// on as the index holds it (a report's lines are lines of that text).
pub struct StagedReport {
    /// The findings, as [`validate_staged`] returns them.
    pub report: Report,
    /// The staged text of each file the report names, where it is text.
    pub texts: HashMap<PathBuf, String>,
}

/// Validates the record files staged for the next commit, as the commit
/// will hold them, against every record the commit will hold: see the
/// module documentation for what is reported.
pub fn validate_staged(ws: &Workspace) -> Result<Report> {
    check_staged(ws).map(|s| s.report)
}

/// [`validate_staged`], with the staged text of the files it reports on.
pub fn check_staged(ws: &Workspace) -> Result<StagedReport> {
    let repo = crate::store::open_repo(ws.root())?;
    let prefix = repo_prefix(&repo, ws.root())?;
    let new = Files::of_index(&staged_index(&repo)?, &prefix);
    let old = match head_tree(&repo)? {
        Some(tree) => Files::of_tree(&repo, &tree, &prefix)?,
        None => Files::default(),
    };
    let odb = repo.odb()?;
    let configs = Configs::open(&odb, &new, &old, ws.root())?;
    let changed: BTreeSet<PathBuf> = new
        .records
        .iter()
        .chain(&new.links)
        .filter(|(rel, blob)| old.records.get(*rel).or(old.links.get(*rel)) != Some(blob))
        .map(|(rel, _)| rel.clone())
        .collect();
    let judge = Judge {
        odb: &odb,
        new: &new,
        old: &old,
        changed: &changed,
        workdir: repo.workdir().map(|w| w.join(&prefix)),
        config_changed: configs.changed,
    };
    let mut findings = judge.findings(configs.new_ws(ws), configs.old_ws(ws))?;
    // The waivers the commit holds accept the errors they name here as in
    // `validate` (the index's file, with the index's configuration); one
    // that cannot be read is `validate`'s to report (WAI001), and waives
    // nothing.
    let root = configs.new_ws(ws).root();
    if let Ok(Some((waivers, text))) = crate::policy::waivers::Waivers::read(root) {
        super::waivers::mark(&waivers, &text, &mut findings);
    }
    let texts = judge.texts(&findings);
    locate(&texts, &mut findings);
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    let mut checked: Vec<PathBuf> = changed.into_iter().collect();
    checked.extend(findings.iter().map(|f| f.path.clone()));
    checked.sort();
    checked.dedup();
    Ok(StagedReport {
        report: Report {
            files: checked.len(),
            checked,
            findings,
        },
        texts,
    })
}

/// The commit against HEAD.
struct Judge<'a> {
    odb: &'a Odb<'a>,
    new: &'a Files,
    old: &'a Files,
    /// Record files (and links where the walk goes) the commit adds or changes.
    changed: &'a BTreeSet<PathBuf>,
    /// The record root in the work tree, where a link's target is looked for.
    workdir: Option<PathBuf>,
    /// Whether the commit changes the configuration.
    config_changed: bool,
}

impl Judge<'_> {
    /// Every finding the verdict reports (see the module documentation).
    fn findings(
        &self,
        new_store: &Workspace,
        old_store: Option<&Workspace>,
    ) -> Result<Vec<Finding>> {
        let new_read = outcomes(self.odb, &self.new.records);
        let gone: Vec<(&PathBuf, &Blob)> = self
            .old
            .records
            .iter()
            .filter(|(rel, blob)| self.new.records.get(*rel) != Some(blob))
            .collect();
        let old_read = outcomes(self.odb, gone);
        let new_side = Side::new(new_store, self.new, |rel| new_read.get(rel))?;
        let old_side = old_store
            .map(|ws| {
                Side::new(ws, self.old, |rel| {
                    old_read.get(rel).or_else(|| new_read.get(rel))
                })
            })
            .transpose()?;
        let mut out: Vec<Finding> = new_read
            .iter()
            .filter(|(rel, _)| self.changed.contains(**rel))
            .filter_map(|(_, o)| match o {
                Outcome::Bad(f, _) => Some((**f).clone()),
                Outcome::Read(_) => None,
            })
            .collect();
        out.extend(self.link_findings());
        let affected = self.affected(&new_side, old_side.as_ref());
        let mut judged: Vec<&PathBuf> = self.changed.iter().collect();
        judged.extend(affected.iter().copied());
        let mut fresh = new_side.record_findings(self.odb, self.new, &judged);
        fresh.extend(new_side.repo_findings());
        let before: HashSet<Identity> = match &old_side {
            Some(side) => {
                let mut f = side.record_findings(self.odb, self.old, &affected);
                f.extend(side.repo_findings());
                f.iter().map(identity).collect()
            }
            None => HashSet::new(),
        };
        out.extend(
            fresh
                .into_iter()
                .filter(|f| self.changed.contains(&f.path) || !before.contains(&identity(f))),
        );
        Ok(out)
    }

    /// The unchanged records whose rules may judge differently: every one
    /// when there is nothing to compare with or the configuration changed,
    /// else those linking to an ID whose record the commit changes, adds or
    /// deletes.
    fn affected<'f>(&'f self, new: &Side<'_, '_>, old: Option<&Side<'_, '_>>) -> Vec<&'f PathBuf> {
        let unchanged = self
            .new
            .records
            .keys()
            .filter(|rel| !self.changed.contains(*rel));
        let Some(old) = old.filter(|_| !self.config_changed) else {
            return unchanged.collect();
        };
        let moved = |id: &str| {
            RecordId::parse(id).is_ok_and(|id| new.places.get(&id) != old.places.get(&id))
        };
        let by_path: HashMap<&Path, &Summary> = new
            .summaries
            .iter()
            .map(|&s| (s.path.as_path(), s))
            .collect();
        unchanged
            .filter(|rel| {
                by_path.get(rel.as_path()).is_some_and(|s| {
                    s.links
                        .iter()
                        .any(|(_, ids)| ids.iter().any(|id| moved(id)))
                })
            })
            .collect()
    }

    /// Links the commit puts where the walk goes, which a checkout would
    /// make links to folders: a kind's folder itself, or a link inside one
    /// to a folder (of the commit, or of this machine for a target outside).
    fn link_findings(&self) -> Vec<Finding> {
        self.new
            .links
            .iter()
            .filter(|(rel, _)| self.changed.contains(*rel))
            .filter(|(rel, blob)| rel.iter().count() == 1 || self.to_folder(rel, **blob))
            .map(|(rel, _)| file_finding(Error::SymlinkFolder { path: rel.clone() }))
            .collect()
    }

    /// Whether a link's target is a folder: one the commit holds records
    /// in, or one on this machine (as a checkout would find it).
    fn to_folder(&self, rel: &Path, blob: Blob) -> bool {
        let Ok(target) = self.odb.read(blob.oid) else {
            return false;
        };
        let target = PathBuf::from(String::from_utf8_lossy(target.data()).into_owned());
        let parent = rel.parent().unwrap_or(Path::new(""));
        if target.is_absolute() {
            return target.is_dir();
        }
        let mut inside = PathBuf::new();
        for part in parent.join(&target).components() {
            match part {
                Component::ParentDir => {
                    inside.pop();
                }
                Component::Normal(p) => inside.push(p),
                _ => {}
            }
        }
        let in_commit = self
            .new
            .records
            .range(inside.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&inside) && p != &inside);
        in_commit
            || self
                .workdir
                .as_ref()
                .is_some_and(|root| root.join(parent).join(&target).is_dir())
    }

    /// The staged text of every file a finding names.
    fn texts(&self, findings: &[Finding]) -> HashMap<PathBuf, String> {
        let paths: BTreeSet<&PathBuf> = findings.iter().map(|f| &f.path).collect();
        paths
            .into_iter()
            .filter_map(|rel| {
                let blob = self.new.records.get(rel).filter(|b| b.mode != LINK)?;
                let bytes = self.odb.read(blob.oid).ok()?.data().to_vec();
                Some((rel.clone(), String::from_utf8(bytes).ok()?))
            })
            .collect()
    }
}

/// What makes two findings on one file the same finding (see the module
/// documentation).
type Identity = (PathBuf, String, Option<String>, Option<String>);

/// The checks whose message names exactly the records concerned.
const NAMING: [Check; 4] = [
    checks::DUPLICATE_ID,
    checks::DANGLING_LINK,
    checks::ONE_WAY_LINK,
    checks::DEPENDENCY_CYCLE,
];

fn identity(f: &Finding) -> Identity {
    let naming = NAMING.iter().any(|c| c.id == f.rule);
    (
        f.path.clone(),
        f.rule.clone(),
        f.field.clone(),
        naming.then(|| f.message.clone()),
    )
}

/// Lines and columns of findings that name a field, from the staged text.
fn locate(texts: &HashMap<PathBuf, String>, findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.line.is_none()) {
        let (Some(field), Some(text)) = (f.field.clone(), texts.get(&f.path)) else {
            continue;
        };
        let (line, column) = super::place(text, &field);
        f.line = Some(line);
        f.column = Some(column);
    }
}
