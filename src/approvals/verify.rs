//! Approvals checked against the history that made them
//! (`validate --verify-approvals`).
//!
//! For every approval in force, the commit that introduced it is found: the
//! newest commit whose version of the record has the approval, word for
//! word, while none of its parents' versions does. A merge that only
//! carried it from one side is passed through to that side. That commit's
//! author must be the person the approval names (or, naming none, a person
//! of the registry), acting for the approving party and not barred by the
//! step's segregation of duties; where the repository asks for signed
//! approvals, git itself checks the commit's signature against the keys of
//! the registry, and the key must be that person's.
//!
//! An approval that appears first in a merge commit (in none of its
//! parents) was made by whoever merged, not by a commit of the approver's:
//! it is refused. In a shallow clone, an approval whose introduction lies
//! beyond the clone's history cannot be verified and is said so.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::{Oid, Repository};

use super::cache::{self, Cache, Introduced, Signature};
use super::{Approver, held_at};
use crate::error::{Error, Result};
use crate::people::{Person, Registry};
use crate::policy::Policy;
use crate::record::{Approval, Decision};
use crate::store::{open_repo, repo_prefix};
use crate::workspace::{Entry, Workspace};
use crate::yaml;

/// What a commit git gave no verdict on is taken for: no signature.
const NO_VERDICT: Signature = Signature {
    status: 'N',
    signer: String::new(),
    fingerprint: String::new(),
};

/// git's allowed-signers file made from the registry, in git's folder
/// beside arende's other files of its own (never committed).
const SIGNERS_FILE: &str = "arende-allowed-signers";

/// One approval that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// The record file, relative to the repository root.
    pub path: PathBuf,
    /// The approval's index in the record's `approvals`.
    pub index: usize,
    /// What is wrong, naming the commit and the person.
    pub message: String,
    /// How to put it right.
    pub help: String,
}

/// An approval sought in the history: where it is and its text.
struct Sought<'e> {
    entry: &'e Entry,
    index: usize,
    approval: &'e Approval,
    key: String,
}

/// Every approval in force among `entries` that does not verify against
/// the commit that introduced it, in the history that leads to HEAD.
pub fn verify(
    ws: &Workspace,
    registry: &Registry,
    entries: &[Entry],
    signed: bool,
) -> Result<Vec<Unverified>> {
    let repo = open_repo(ws.root())?;
    let head = repo.head()?.peel_to_commit()?.id();
    verify_at(ws, &repo, head, registry, entries, signed)
}

/// The verdicts on one record's approvals in force, by index: those that
/// do not verify, with why. `None` without a registry (nothing to verify
/// against) or outside git.
pub fn verdicts(ws: &Workspace, entry: &Entry) -> Result<Option<Vec<(usize, String)>>> {
    let Some((registry, _)) = Registry::read(ws.root())? else {
        return Ok(None);
    };
    let Ok(repo) = open_repo(ws.root()) else {
        return Ok(None);
    };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(None);
    };
    let signed = ws.store().config().approvals.signed;
    let found = verify_at(
        ws,
        &repo,
        head.id(),
        &registry,
        std::slice::from_ref(entry),
        signed,
    )?;
    Ok(Some(
        found.into_iter().map(|u| (u.index, u.message)).collect(),
    ))
}

/// [`verify`] for the records `entries` as the commit `start` holds them,
/// in the history that leads to it (a branch under review).
pub fn verify_at(
    ws: &Workspace,
    repo: &Repository,
    start: Oid,
    registry: &Registry,
    entries: &[Entry],
    signed: bool,
) -> Result<Vec<Unverified>> {
    let policy = ws.policy();
    let sought = in_force(policy, entries);
    if sought.is_empty() {
        return Ok(Vec::new());
    }
    let prefix = repo_prefix(repo, ws.root())?;
    let cache_file = ws.store().own_file(cache::CACHE_FILE);
    let mut cache = cache_file
        .as_deref()
        .map(|f| Cache::load(repo, f, start))
        .unwrap_or_default();
    let found = introducers(repo, start, &prefix, &sought, &mut cache)?;
    let signatures = if signed {
        let commits: HashSet<Oid> = found.values().map(|i| i.commit).collect();
        let signers = ws
            .store()
            .own_file(SIGNERS_FILE)
            .ok_or_else(|| Error::NoGit {
                dir: ws.root().to_owned(),
            })?;
        signatures(repo, registry, &signers, &commits, &mut cache)?
    } else {
        HashMap::new()
    };
    if let Some(file) = &cache_file {
        cache.save(file);
    }
    let mut out = Vec::new();
    for (i, s) in sought.iter().enumerate() {
        let verdict = match found.get(&i) {
            None => Err(unverifiable(s, "no commit of the history holds it")),
            Some(at) => {
                // With signatures required, a commit git said nothing of
                // counts as unsigned, never as checked.
                let signature =
                    signed.then(|| signatures.get(&at.commit).cloned().unwrap_or(NO_VERDICT));
                judge(repo, policy, registry, s, *at, signature.as_ref())
            }
        };
        if let Err(e) = verdict {
            out.push(e);
        }
    }
    Ok(out)
}

/// The approvals in force: each party's latest decision on each step of
/// its record's kind, when it is an approval nothing covered has moved
/// since.
fn in_force<'e>(policy: &Policy, entries: &'e [Entry]) -> Vec<Sought<'e>> {
    let mut out = Vec::new();
    for entry in entries {
        let approvals = &entry.record.common.approvals;
        if approvals.is_empty() {
            continue;
        }
        let Some(doc) = entry.doc.as_mapping() else {
            continue;
        };
        for step in policy.steps(entry.record.kind()) {
            for approval in step.in_force(approvals, doc) {
                let Some(index) = approvals.iter().position(|a| std::ptr::eq(a, approval)) else {
                    continue;
                };
                out.push(Sought {
                    entry,
                    index,
                    approval,
                    key: key_of(approval),
                });
            }
        }
    }
    out
}

/// An approval as text, for finding it word for word in older versions.
fn key_of(approval: &Approval) -> String {
    serde_json::to_string(approval).unwrap_or_else(|e| format!("unkeyable: {e}"))
}

/// The approvals of a version of a record file, as keys; none if the file
/// is not there or not a record with approvals.
fn keys_at(repo: &Repository, tree: &git2::Tree<'_>, path: &Path) -> HashSet<String> {
    let Ok(entry) = tree.get_path(path) else {
        return HashSet::new();
    };
    let Ok(blob) = repo.find_blob(entry.id()) else {
        return HashSet::new();
    };
    let Ok(text) = std::str::from_utf8(blob.content()) else {
        return HashSet::new();
    };
    let Ok(doc) = yaml::parse_mapping(path, text) else {
        return HashSet::new();
    };
    doc.get("approvals")
        .and_then(|a| yaml::from_value::<Vec<Approval>>(a).ok())
        .into_iter()
        .flatten()
        .map(|a| key_of(&a))
        .collect()
}

/// For each sought approval (by its index in `sought`), the commit that
/// introduced it, found in one walk of the history from HEAD, newest first:
/// each commit is compared with its parents' trees (only the folders that
/// differ are read), and a record file that changed is read in both.
fn introducers(
    repo: &Repository,
    start: Oid,
    prefix: &Path,
    sought: &[Sought<'_>],
    cache: &mut Cache,
) -> Result<HashMap<usize, Introduced>> {
    let mut found = HashMap::new();
    let mut pending: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    let digests: Vec<String> = sought.iter().map(|s| cache::digest(&s.key)).collect();
    for (i, s) in sought.iter().enumerate() {
        let path = prefix.join(&s.entry.path);
        match cache.introducer(&path, &digests[i]) {
            Some(at) => {
                found.insert(i, at);
            }
            None => pending.entry(path).or_default().push(i),
        }
    }
    if pending.is_empty() {
        return Ok(found);
    }
    let mut walk = repo.revwalk()?;
    walk.push(start)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    for oid in walk {
        if pending.is_empty() {
            break;
        }
        let commit = repo.find_commit(oid?)?;
        let tree = commit.tree()?;
        let parents: Vec<git2::Tree<'_>> = commit
            .parents()
            .map(|p| p.tree())
            .collect::<std::result::Result<_, _>>()?;
        let changed = changed_paths(repo, &tree, &parents, &pending)?;
        for path in changed {
            let now = keys_at(repo, &tree, &path);
            let before: Vec<HashSet<String>> =
                parents.iter().map(|p| keys_at(repo, p, &path)).collect();
            let Some(waiting) = pending.get_mut(&path) else {
                continue;
            };
            waiting.retain(|&i| {
                let key = &sought[i].key;
                let new = now.contains(key) && before.iter().all(|b| !b.contains(key));
                if new {
                    let at = Introduced {
                        commit: commit.id(),
                        merge: parents.len() > 1,
                        shallow: parents.is_empty() && names_parents(&commit),
                    };
                    cache.found(&path, &digests[i], at);
                    found.insert(i, at);
                }
                !new
            });
            if waiting.is_empty() {
                pending.remove(&path);
            }
        }
    }
    Ok(found)
}

/// The pending record files that differ between `tree` and any of its
/// parents (all those it holds, for a commit without parents).
fn changed_paths(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    parents: &[git2::Tree<'_>],
    pending: &HashMap<PathBuf, Vec<usize>>,
) -> Result<HashSet<PathBuf>> {
    let mut changed = HashSet::new();
    if parents.is_empty() {
        changed.extend(pending.keys().filter(|p| tree.get_path(p).is_ok()).cloned());
        return Ok(changed);
    }
    for parent in parents {
        let diff = repo.diff_tree_to_tree(Some(parent), Some(tree), None)?;
        for delta in diff.deltas() {
            if let Some(path) = delta.new_file().path()
                && pending.contains_key(path)
            {
                changed.insert(path.to_owned());
            }
        }
    }
    Ok(changed)
}

/// Whether a commit git shows without parents names some in its header:
/// then it is where a shallow clone's history is cut, not a first commit.
fn names_parents(commit: &git2::Commit<'_>) -> bool {
    commit
        .raw_header_bytes()
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"parent "))
}

/// The verdict on one approval introduced at `at`.
fn judge(
    repo: &Repository,
    policy: &Policy,
    registry: &Registry,
    s: &Sought<'_>,
    at: Introduced,
    signature: Option<&Signature>,
) -> std::result::Result<(), Unverified> {
    let short = short_id(at.commit);
    if at.shallow {
        return Err(unverifiable(
            s,
            &format!("the history of this clone ends at {short}, which holds it"),
        ));
    }
    let fail = |message: String, help: &str| Unverified {
        path: s.entry.path.clone(),
        index: s.index,
        message: format!("{}: {message}", describe(s.approval)),
        help: help.to_owned(),
    };
    if at.merge {
        return Err(fail(
            format!(
                "it appears first in merge commit {short}, in neither side merged: no commit of the approver's made it"
            ),
            "give the approval again with `arende approve`, committed by the approver, and merge that",
        ));
    }
    let commit = repo
        .find_commit(at.commit)
        .map_err(|e| fail(e.to_string(), "check the repository with `git fsck`"))?;
    let author = commit.author();
    let email = author.email().unwrap_or_default();
    let who = format!("{} <{email}>", author.name().unwrap_or_default());
    let Some(person) = registry.by_email(email) else {
        return Err(fail(
            format!(
                "commit {short} that added it is by {who}, who is nobody in the people registry"
            ),
            "an approval is added by the approver's own commit (`arende approve`); give it again so",
        ));
    };
    if let Some(named) = &s.approval.person
        && *named != person.handle
    {
        return Err(fail(
            format!(
                "it names {named}, but commit {short} that added it is by {} ({who}): written by hand, not by {named}",
                person.handle
            ),
            "the approver gives the approval with `arende approve`, committed as themselves",
        ));
    }
    if !registry.acts_for(person, &s.approval.by) {
        return Err(fail(
            format!(
                "commit {short} that added it is by {}, who does not act for {}",
                person.handle, s.approval.by
            ),
            "the approval is given by a person who acts for the party",
        ));
    }
    held_at(
        policy,
        &s.entry.record,
        s.approval,
        &Approver::of(policy, registry, person),
    )
    .map_err(|e| fail(format!("{e} (commit {short})"), &e.help()))?;
    if let Some(sig) = signature {
        check_signature(sig, person).map_err(|m| {
            fail(
                format!("commit {short} by {}: {m}", person.handle),
                "approvers sign their commits (`git config gpg.format ssh`, `git config user.signingkey ~/.ssh/id_ed25519.pub`, `commit.gpgsign true`) with a key listed under their `keys:` in policy/people.yaml",
            )
        })?;
    }
    Ok(())
}

/// Whether git found a good signature by a key of `person`'s.
fn check_signature(sig: &Signature, person: &Person) -> std::result::Result<(), String> {
    match sig.status {
        'G' if person.has_email(&sig.signer) => Ok(()),
        'G' if !sig.fingerprint.is_empty() && person.has_fingerprint(&sig.fingerprint) => Ok(()),
        'G' => Err(format!(
            "signed with a key of {}'s, not {}'s",
            sig.signer, person.handle
        )),
        'N' => Err("not signed, and this repository asks for signed approvals".to_owned()),
        'U' => Err("signed with a key nobody in the people registry has".to_owned()),
        'B' => Err("its signature is bad: the commit was changed after it was signed".to_owned()),
        other => Err(format!(
            "git could not check its signature (%G? says {other})"
        )),
    }
}

/// git's verdict on the signature of every commit in `commits`, in one
/// `git log --no-walk` with the registry's keys as the allowed signers.
fn signatures(
    repo: &Repository,
    registry: &Registry,
    signers: &Path,
    commits: &HashSet<Oid>,
    cache: &mut Cache,
) -> Result<HashMap<Oid, Signature>> {
    let allowed = registry.allowed_signers();
    let keyed = cache::digest(&allowed);
    let mut found: HashMap<Oid, Signature> = commits
        .iter()
        .filter_map(|c| cache.signature(&keyed, *c).map(|s| (*c, s.clone())))
        .collect();
    let commits: Vec<Oid> = commits
        .iter()
        .filter(|c| !found.contains_key(c))
        .copied()
        .collect();
    if commits.is_empty() {
        return Ok(found);
    }
    crate::fs::write_atomic(signers, allowed.as_bytes(), false)?;
    let dir = repo.workdir().unwrap_or_else(|| repo.path());
    let mut stdin = String::new();
    for c in commits {
        stdin.push_str(&format!("{c}\n"));
    }
    let mut child = Command::new("git")
        .current_dir(dir)
        .arg("-c")
        .arg(format!("gpg.ssh.allowedSignersFile={}", signers.display()))
        .args([
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "--format=%H%x00%G?%x00%GS%x00%GF",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::io("git", e))?;
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write as _;
        input
            .write_all(stdin.as_bytes())
            .map_err(|e| Error::io("git", e))?;
    }
    let out = child.wait_with_output().map_err(|e| Error::io("git", e))?;
    if !out.status.success() {
        return Err(Error::usage(
            "`git log` could not check the approvals' signatures",
            Some("verifying signed approvals needs git 2.34 or later on the PATH".into()),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let mut parts = line.split('\0');
        let (Some(id), Some(status), signer, fingerprint) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(id) = Oid::from_str(id) else { continue };
        let signature = Signature {
            status: status.chars().next().unwrap_or('E'),
            signer: signer.unwrap_or_default().to_owned(),
            fingerprint: fingerprint.unwrap_or_default().to_owned(),
        };
        cache.signed(&keyed, id, signature.clone());
        found.insert(id, signature);
    }
    Ok(found)
}

fn unverifiable(s: &Sought<'_>, why: &str) -> Unverified {
    Unverified {
        path: s.entry.path.clone(),
        index: s.index,
        message: format!("{}: cannot be verified: {why}", describe(s.approval)),
        help: "fetch the whole history (`git fetch --unshallow`) and verify again".to_owned(),
    }
}

/// `the approval of change_forum by andringsforum (asa.forum) at …`.
fn describe(a: &Approval) -> String {
    let person = a
        .person
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let decision = if a.decision == Decision::Approved {
        "approval"
    } else {
        "rejection"
    };
    format!(
        "the {decision} of `{}` by {}{person} at {}",
        a.step.as_deref().unwrap_or("?"),
        a.by,
        a.at.to_rfc3339()
    )
}

fn short_id(oid: Oid) -> String {
    oid.to_string()[..7].to_owned()
}
