//! `arende review`: what a branch does to the records, for the person who
//! reviews its pull request. Both sides are read from git objects, so the
//! branch need not be checked out.
//!
//! Three kinds of finding: the rules the HEAD state of each changed record
//! breaks (as `validate` reports them); the rules only a difference can
//! break (checks REV001–REV006: status jumps, deletions, rewritten history,
//! removed approvals, unexplained re-prioritisation, changed IDs); and files
//! that cannot be read (conflict markers, broken YAML).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Tree};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::fs;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::people::Registry;
use crate::policy::{Policy, Severity};
pub use crate::record::document::FieldDiff;
use crate::record::{Event, Record, document};
use crate::validate::{self, Context, Lookup};
use crate::workspace::{Entry, Workspace};
use crate::yaml::{self, Value};

/// The checks only a difference between two revisions can fail.
pub mod checks {
    crate::validate::checks::checks! {
        STATUS_JUMP = "REV001", Error, "Status moves follow the policy's status machine",
            "A hand edit can set any status; the agreement's process (approval before implementation, …) only holds if every move is one the policy allows.";
        DELETED = "REV002", Error, "Records are closed or retired, never deleted",
            "The register is the audit trail the agreements ask for; a deleted record erases it.";
        HISTORY_REWRITTEN = "REV003", Error, "History is append-only",
            "SLA clocks and audits are computed from the history; an event removed or changed after the fact falsifies them.";
        APPROVAL_REMOVED = "REV004", Error, "Approvals are never removed",
            "An approval (G in the responsibility tables) is a decision on record; withdrawing one is a new decision, not an erasure.";
        UNEXPLAINED_PRIORITY = "REV005", Error, "A changed priority says why",
            "Re-prioritisation is a decision others rely on (seed 002 §2.2); it comes with a reason: a note, a priority_reason, or the impact or urgency it follows from.";
        ID_CHANGED = "REV006", Error, "A record keeps its ID",
            "Links, commits and conversations name records by ID; a changed ID breaks every reference to it.";
    }
}

/// How a record changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New on the branch.
    Added,
    /// Changed on the branch.
    Changed,
    /// Deleted on the branch.
    Deleted,
}

/// A problem the review found.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewFinding {
    /// Rule or check ID.
    pub rule: String,
    /// Error or warning.
    pub severity: Severity,
    /// The field concerned.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The seed clause, for pack rules.
    pub clause: Option<String>,
}

/// What the branch did to one record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReview {
    /// The record's ID (at HEAD, or at BASE if deleted).
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The file, relative to the repository root.
    pub path: PathBuf,
    /// Added, changed or deleted.
    pub change: ChangeKind,
    /// Status at BASE and at HEAD.
    pub status: (Option<String>, Option<String>),
    /// The fields that changed (history shown as the number of events added).
    pub fields: Vec<FieldDiff>,
    /// How many history events the branch added.
    pub events_added: usize,
    /// The history events the branch added: who, when, what.
    pub events: Vec<Event>,
    /// Problems.
    pub findings: Vec<ReviewFinding>,
    /// The approvals the branch adds, as a table shows them.
    pub approvals: Vec<crate::approvals::Row>,
    /// For a change the branch adds or changes: the impact of each
    /// configuration item it links, on HEAD's records (absent from the JSON
    /// where there is none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub impact: Vec<crate::impact::Impact>,
}

/// The whole review.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The base commit (the merge base of BASE and HEAD).
    pub base: String,
    /// The head commit.
    pub head: String,
    /// The records the branch touches.
    pub records: Vec<RecordReview>,
}

impl Review {
    /// Findings of a severity across all records.
    pub fn count(&self, severity: Severity) -> usize {
        self.records
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Reviews `range` (`BASE`, or `BASE..HEAD`) in the store's git repository.
pub fn review(ws: &Workspace, range: &str) -> Result<Review> {
    let repo = crate::store::open_repo(ws.root())?;
    let (base, head) = resolve_range(&repo, range)?;
    let prefix = crate::store::repo_prefix(&repo, ws.root())?;
    let old = records_in(&repo, &base.tree()?, &prefix)?;
    let new = records_in(&repo, &head.tree()?, &prefix)?;
    // The working tree's registry judges who may approve; one that cannot
    // be read is an error naming it, not a registry of nobody.
    let people = Registry::read(ws.root())?.map(|(r, _)| r);
    let mut head_findings = head_findings(ws, &new, people.as_ref())?;
    let mut unverified: HashMap<PathBuf, Vec<(usize, String)>> = HashMap::new();
    if let Some(registry) = &people {
        for (path, index, f) in added_approvals(ws, &repo, head.id(), registry, &old, &new)? {
            unverified
                .entry(path.clone())
                .or_default()
                .push((index, f.message.clone()));
            head_findings.entry(path).or_default().push(f);
        }
    }
    let paths: BTreeSet<&PathBuf> = old.keys().chain(new.keys()).collect();
    let mut records = Vec::new();
    for path in paths {
        let (o, n) = (old.get(path), new.get(path));
        if let (Some(o), Some(n)) = (o, n)
            && o.blob == n.blob
        {
            continue;
        }
        // A file validate finds nothing wrong with has no entry.
        let found = head_findings.remove(path).unwrap_or_default();
        let mut r = review_record(ws.policy(), found, path, o, n);
        let verdicts = unverified.remove(path).unwrap_or_default();
        r.approvals = added_rows(ws.policy(), o, n, &verdicts, people.is_some());
        records.push(r);
    }
    impacts(ws.policy(), &new, &mut records);
    Ok(Review {
        base: base.id().to_string(),
        head: head.id().to_string(),
        records,
    })
}

/// Fills in the impact of each change the branch adds or changes that
/// links configuration items, from HEAD's records (the graph is built only
/// when there is one).
fn impacts(policy: &Policy, new: &BTreeMap<PathBuf, FileAt>, records: &mut [RecordReview]) {
    let linking = |r: &RecordReview| -> Option<&Record> {
        let (_, record) = new.get(&r.path)?.parsed.as_ref().ok()?;
        (r.change != ChangeKind::Deleted
            && record.kind() == Kind::Change
            && !record.common.links.configuration_items.is_empty())
        .then_some(record)
    };
    if !records.iter().any(|r| linking(r).is_some()) {
        return;
    }
    let head: Vec<&Record> = new
        .values()
        .filter_map(|f| f.parsed.as_ref().ok().map(|(_, r)| r))
        .collect();
    let graph = crate::impact::CiGraph::new(head.iter().copied());
    let items: HashMap<&RecordId, &Record> = head
        .iter()
        .filter(|r| r.kind() == Kind::ConfigurationItem)
        .map(|r| (r.id(), *r))
        .collect();
    for r in records.iter_mut() {
        let Some(change) = linking(r) else { continue };
        r.impact = change
            .common
            .links
            .configuration_items
            .iter()
            .filter_map(|id| items.get(id))
            .filter_map(|item| crate::impact::Impact::of(policy, &graph, &head, item, None))
            .collect();
    }
}

/// The commits a range compares: the merge base of its two ends (or BASE
/// itself, where they share no history), and HEAD.
fn resolve_range<'r>(
    repo: &'r Repository,
    range: &str,
) -> Result<(git2::Commit<'r>, git2::Commit<'r>)> {
    // `A..B` and `A...B` mean the same here: the review always compares
    // from the merge base, as a pull request does.
    let (base_rev, head_rev) = match range.split_once("...").or_else(|| range.split_once("..")) {
        Some((b, h)) => (b, if h.is_empty() { "HEAD" } else { h }),
        None => (range, "HEAD"),
    };
    let resolve = |rev: &str| -> Result<git2::Commit<'r>> {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| {
                Error::usage(
                    format!(
                        "`{rev}` is not a revision of this repository: {}",
                        e.message()
                    ),
                    None,
                )
            })
    };
    let head = resolve(head_rev)?;
    let base_tip = resolve(base_rev)?;
    let base = match repo.merge_base(base_tip.id(), head.id()) {
        Ok(oid) => repo.find_commit(oid)?,
        Err(_) => base_tip,
    };
    Ok((base, head))
}

/// HEAD's records checked as `validate` checks a working tree, the
/// findings by file. Files that do not parse are left out here: the review
/// reports them itself.
fn head_findings(
    ws: &Workspace,
    new: &BTreeMap<PathBuf, FileAt>,
    people: Option<&Registry>,
) -> Result<HashMap<PathBuf, Vec<ReviewFinding>>> {
    let entries: Vec<Entry> = new
        .iter()
        .filter_map(|(path, f)| match &f.parsed {
            Ok((doc, record)) => Some(Entry {
                path: path.clone(),
                doc: doc.clone(),
                record: record.clone(),
            }),
            Err(_) => None,
        })
        .collect();
    let head_docs: HashMap<RecordId, Value> = entries
        .iter()
        .map(|e| (e.record.id().clone(), e.doc.clone()))
        .collect();
    let register = validate::StandardRegister::load(ws)?;
    let lookup = MapLookup(&head_docs);
    // HEAD's calendar: the branch's changes against everything the base
    // had scheduled, and against each other.
    let schedule = crate::schedule::Schedule::new(
        ws.policy(),
        crate::schedule::calendar_of(ws.policy(), ws.root())?,
        entries
            .iter()
            .filter_map(|e| crate::schedule::Fact::of(&e.record)),
    );
    let cx = Context {
        policy: ws.policy(),
        register: &register,
        lookup: &lookup,
        people,
        calendar: Some(&schedule),
    };
    let mut by_path: HashMap<PathBuf, Vec<ReviewFinding>> = HashMap::new();
    for f in validate::check_entries(ws, &cx, &entries) {
        by_path
            .entry(f.path.clone())
            .or_default()
            .push(ReviewFinding {
                rule: f.rule,
                severity: f.severity,
                field: f.field,
                message: f.message,
                clause: f.clause,
            });
    }
    Ok(by_path)
}

/// The approvals the branch adds (in force at `head`, not in the base's
/// version of the record) that do not verify against the commit that
/// introduced them (APR002), by file.
fn added_approvals(
    ws: &Workspace,
    repo: &Repository,
    head: Oid,
    registry: &Registry,
    old: &BTreeMap<PathBuf, FileAt>,
    new: &BTreeMap<PathBuf, FileAt>,
) -> Result<Vec<(PathBuf, usize, ReviewFinding)>> {
    let entries: Vec<Entry> = new
        .iter()
        .filter(|(path, f)| old.get(*path).is_none_or(|o| o.blob != f.blob))
        .filter_map(|(path, f)| match &f.parsed {
            Ok((doc, record)) if !record.common.approvals.is_empty() => Some(Entry {
                path: path.clone(),
                doc: doc.clone(),
                record: record.clone(),
            }),
            _ => None,
        })
        .collect();
    let signed = ws.store().config().approvals.signed;
    let unverified =
        crate::approvals::verify::verify_at(ws, repo, head, registry, &entries, signed)?;
    let check = validate::checks::APPROVAL_HISTORY;
    Ok(unverified
        .into_iter()
        .filter(|u| {
            let now = entries
                .iter()
                .find(|e| e.path == u.path)
                .and_then(|e| e.record.common.approvals.get(u.index));
            let before = old.get(&u.path).and_then(|o| o.parsed.as_ref().ok());
            !before.is_some_and(|(_, r)| now.is_some_and(|a| r.common.approvals.contains(a)))
        })
        .map(|u| {
            let finding = ReviewFinding {
                rule: check.id.into(),
                severity: check.severity,
                field: Some(format!("approvals[{}]", u.index)),
                message: u.message,
                clause: None,
            };
            (u.path, u.index, finding)
        })
        .collect())
}

/// The approvals the branch adds to a record (at HEAD, not in the base's
/// version), as rows of a table, with their verdicts where verification ran.
fn added_rows(
    policy: &Policy,
    old: Option<&FileAt>,
    new: Option<&FileAt>,
    unverified: &[(usize, String)],
    checked: bool,
) -> Vec<crate::approvals::Row> {
    let Some((doc, record)) = new.and_then(|f| f.parsed.as_ref().ok()) else {
        return Vec::new();
    };
    let Some(map) = doc.as_mapping() else {
        return Vec::new();
    };
    let before = old
        .and_then(|f| f.parsed.as_ref().ok())
        .map(|(_, r)| r.common.approvals.as_slice())
        .unwrap_or_default();
    crate::approvals::rows(policy, record, map, unverified, checked)
        .into_iter()
        .zip(&record.common.approvals)
        .filter(|(_, a)| !before.contains(a))
        .map(|(row, _)| row)
        .collect()
}

struct MapLookup<'a>(&'a HashMap<RecordId, Value>);

impl Lookup for MapLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.0.get(id).cloned()
    }
}

/// A record file as parsed: the document and its typed view.
type Parsed = (Value, Record);

/// One record file of a tree: its blob, and the record in it or why it
/// cannot be read.
struct FileAt {
    blob: Oid,
    parsed: std::result::Result<Parsed, Unreadable>,
}

/// Why a record file of a tree cannot be read.
#[derive(Debug, thiserror::Error)]
enum Unreadable {
    /// Larger than a record may be: not read at all.
    #[error("{} is larger than a record may be", .0.display())]
    TooLarge(PathBuf),
    /// A file name git holds that is not UTF-8.
    #[error("{}: the file name is not UTF-8", .0.display())]
    NameNotUtf8(PathBuf),
    /// Not text, not YAML, or not a record.
    #[error(transparent)]
    Record(crate::error::Error),
}

/// Every record file of a tree, keyed by its path relative to the record root.
fn records_in(
    repo: &Repository,
    tree: &Tree<'_>,
    prefix: &Path,
) -> Result<BTreeMap<PathBuf, FileAt>> {
    let mut out = BTreeMap::new();
    for kind in Kind::ALL {
        let dir = prefix.join(kind.dir());
        let Ok(entry) = tree.get_path(&dir) else {
            continue;
        };
        let Ok(sub) = repo.find_tree(entry.id()) else {
            continue;
        };
        // Records sit at any depth under the kind's folder (the sharded
        // layout's month folders, or flat); hidden folders are skipped, as
        // the store skips them.
        let mut blobs = Vec::new();
        sub.walk(git2::TreeWalkMode::PreOrder, |folder, item| {
            let bytes = item.name_bytes();
            if item.kind() == Some(git2::ObjectType::Tree) {
                return if bytes.starts_with(b".") {
                    git2::TreeWalkResult::Skip
                } else {
                    git2::TreeWalkResult::Ok
                };
            }
            if bytes.ends_with(b".yaml") || bytes.ends_with(b".yml") {
                // A name git holds that is not UTF-8 is shown as near as
                // it can be, and reported: the store on disk reads it.
                let name = String::from_utf8_lossy(bytes);
                let utf8 = matches!(name, std::borrow::Cow::Borrowed(_));
                let rel = Path::new(kind.dir()).join(folder).join(&*name);
                blobs.push((rel, item.id(), utf8));
            }
            git2::TreeWalkResult::Ok
        })?;
        for (rel, oid, utf8) in blobs {
            let parsed = if utf8 {
                parse(&rel, repo.find_blob(oid)?.content())
            } else {
                Err(Unreadable::NameNotUtf8(rel.clone()))
            };
            out.insert(rel, FileAt { blob: oid, parsed });
        }
    }
    Ok(out)
}

fn parse(rel: &Path, bytes: &[u8]) -> std::result::Result<Parsed, Unreadable> {
    if bytes.len() as u64 > yaml::MAX_RECORD_BYTES {
        return Err(Unreadable::TooLarge(rel.to_owned()));
    }
    let text = fs::text_from_bytes(rel, bytes.to_vec()).map_err(Unreadable::Record)?;
    let doc = Value::Mapping(yaml::parse_mapping(rel, &text).map_err(Unreadable::Record)?);
    let record = Record::from_doc(rel, Some(&text), &doc).map_err(Unreadable::Record)?;
    Ok((doc, record))
}

fn finding(check: crate::validate::checks::Check, field: &str, message: String) -> ReviewFinding {
    ReviewFinding {
        rule: check.id.into(),
        severity: check.severity,
        field: Some(field.into()),
        message,
        clause: None,
    }
}

/// What the branch did to one record, and what is wrong with it: a file
/// HEAD cannot read is reported as such, a deleted record as a deletion; a
/// record present at HEAD gets validate's findings, and, where the base
/// had it too, the checks of the difference.
fn review_record(
    policy: &Policy,
    head_findings: Vec<ReviewFinding>,
    path: &Path,
    old: Option<&FileAt>,
    new: Option<&FileAt>,
) -> RecordReview {
    let old_parsed = old.and_then(|f| f.parsed.as_ref().ok());
    let new_parsed = new.and_then(|f| f.parsed.as_ref().ok());
    let mut r = outline(path, old, new);
    if let Some(Err(message)) = new.map(|f| &f.parsed) {
        r.findings.push(unreadable(message));
        return r;
    }
    if r.change == ChangeKind::Deleted {
        r.findings.push(finding(
            checks::DELETED,
            "id",
            format!("{} was deleted; close or retire it instead", r.id),
        ));
        return r;
    }
    let Some(new_parsed) = new_parsed else {
        return r;
    };
    // The HEAD state, as validate sees it.
    r.findings.extend(head_findings);
    match old_parsed {
        Some(old_parsed) => compare(policy, old_parsed, new_parsed, &mut r),
        None => {
            let (new_doc, new_rec) = new_parsed;
            r.fields = document::diff(None, new_doc.as_mapping());
            r.events_added = new_rec.common.history.len();
            r.events = new_rec.common.history.clone();
        }
    }
    r
}

/// The record as a review shows it, before any finding: who it is (as
/// HEAD has it, else as the base had it), how it changed, its status on
/// each side.
fn outline(path: &Path, old: Option<&FileAt>, new: Option<&FileAt>) -> RecordReview {
    let old_parsed = old.and_then(|f| f.parsed.as_ref().ok());
    let new_parsed = new.and_then(|f| f.parsed.as_ref().ok());
    let shown = new_parsed.or(old_parsed);
    RecordReview {
        // A file read on neither side is named by its file name; every path
        // a tree gives ends in one.
        id: shown.map_or_else(
            || {
                path.file_stem()
                    .unwrap_or(path.as_os_str())
                    .to_string_lossy()
                    .into_owned()
            },
            |(_, rec)| rec.id().to_string(),
        ),
        kind: shown.map_or_else(String::new, |(_, rec)| rec.kind().to_string()),
        title: shown.map_or_else(String::new, |(_, rec)| rec.common.title.clone()),
        path: path.to_owned(),
        change: match (old, new) {
            (None, _) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Deleted,
            _ => ChangeKind::Changed,
        },
        status: (
            old_parsed.map(|(_, r)| r.status().to_owned()),
            new_parsed.map(|(_, r)| r.status().to_owned()),
        ),
        fields: Vec::new(),
        events_added: 0,
        events: Vec::new(),
        findings: Vec::new(),
        approvals: Vec::new(),
        impact: Vec::new(),
    }
}

/// A file HEAD has that cannot be read as a record: a merge left
/// unresolved, or anything else.
fn unreadable(why: &Unreadable) -> ReviewFinding {
    let check = match why {
        Unreadable::Record(crate::error::Error::MergeConflict { .. }) => {
            crate::validate::checks::MERGE_CONFLICT
        }
        _ => crate::validate::checks::UNREADABLE,
    };
    ReviewFinding {
        rule: check.id.into(),
        severity: check.severity,
        field: None,
        message: why.to_string(),
        clause: None,
    }
}

/// The checks of a record both sides have: what changed, and the rules
/// only a difference can break, in the order a review lists them.
fn compare(policy: &Policy, old: &Parsed, new: &Parsed, r: &mut RecordReview) {
    let ((old_doc, old_rec), (new_doc, new_rec)) = (old, new);
    r.fields = document::diff(old_doc.as_mapping(), new_doc.as_mapping());
    let added = added_events(old_rec, new_rec, r);
    r.events = added.clone();
    r.events_added = r.events.len();
    if old_rec.id() != new_rec.id() {
        r.findings.push(finding(
            checks::ID_CHANGED,
            "id",
            format!("the ID changed from {} to {}", old_rec.id(), new_rec.id()),
        ));
    }
    status_moves(policy, old_rec, new_rec, &added, r);
    removed_approvals(old_rec, new_rec, r);
    unexplained_priority(old, new, &added, r);
}

/// The history events the branch added. Where it removed or rewrote an
/// event of the base instead, that is a finding, and none counts as added.
fn added_events(old: &Record, new: &Record, r: &mut RecordReview) -> Vec<Event> {
    let old_events = &old.common.history;
    let new_events = &new.common.history;
    // Events inserted among the base's in time order (the branch merged or
    // rebased onto another) are added, not a rewrite.
    let (added, rewritten) = crate::record::history_added(old_events, new_events);
    if !rewritten {
        return added.into_iter().cloned().collect();
    }
    let kept = old_events
        .iter()
        .zip(new_events)
        .take_while(|(a, b)| a == b)
        .count();
    r.findings.push(finding(
        checks::HISTORY_REWRITTEN,
        "history",
        format!(
            "history event {} of the base was removed or rewritten",
            kept + 1
        ),
    ));
    Vec::new()
}

/// Every approval of the base that HEAD no longer has.
fn removed_approvals(old: &Record, new: &Record, r: &mut RecordReview) {
    let removed = old
        .common
        .approvals
        .iter()
        .filter(|a| !new.common.approvals.contains(a));
    for a in removed {
        r.findings.push(finding(
            checks::APPROVAL_REMOVED,
            "approvals",
            format!(
                "the approval by {} ({}) of {} was removed",
                a.by,
                a.decision.as_str(),
                a.at.to_rfc3339()
            ),
        ));
    }
}

/// A changed priority with no reason: no added event changes it with a
/// note or beside another field, and no new `priority_reason` is given.
fn unexplained_priority(old: &Parsed, new: &Parsed, added: &[Event], r: &mut RecordReview) {
    let ((old_doc, old_rec), (new_doc, new_rec)) = (old, new);
    let (Some(op), Some(np)) = (old_rec.priority(), new_rec.priority()) else {
        return;
    };
    if op == np {
        return;
    }
    let reasoned_event = added.iter().any(|e| {
        e.changes.iter().any(|c| c.field == "priority")
            && (e.note.as_deref().is_some_and(|n| !n.trim().is_empty())
                || e.changes.iter().any(|c| c.field != "priority"))
    });
    let reason_field = |doc: &Value| {
        doc.as_mapping()
            .and_then(|m| document::get(m, "priority_reason"))
            .map(document::display)
    };
    let reason_given = reason_field(new_doc).is_some_and(|n| !n.trim().is_empty())
        && reason_field(new_doc) != reason_field(old_doc);
    if !reasoned_event && !reason_given {
        r.findings.push(finding(
            checks::UNEXPLAINED_PRIORITY,
            "priority",
            format!(
                "the priority changed from {} to {} without a reason",
                op.get(),
                np.get()
            ),
        ));
    }
}

/// Checks the status moves between BASE and HEAD: the status events the
/// branch added must each be a move the machine allows, starting from the
/// base status; a status changed with no event must itself be such a move.
fn status_moves(
    policy: &Policy,
    old: &Record,
    new: &Record,
    added: &[Event],
    r: &mut RecordReview,
) {
    let machine = policy.machine(new.kind());
    let mut from = old.status().to_owned();
    for e in added {
        let Some(to) = &e.status else { continue };
        if *to != from && !machine.allows(&from, to) {
            r.findings.push(finding(
                checks::STATUS_JUMP,
                "status",
                format!(
                    "{from} → {to} is not a move the {} policy allows",
                    policy.name
                ),
            ));
        }
        from = to.clone();
    }
    let to = new.status();
    if from != to && !machine.allows(&from, to) {
        r.findings.push(finding(
            checks::STATUS_JUMP,
            "status",
            format!("{from} → {to} is not a move the {} policy allows (changed without a history event)", policy.name),
        ));
    }
}
