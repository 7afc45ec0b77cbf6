//! `arende validate`: every record against the record model and every rule
//! of the policy, and the repository as a whole. Every problem is reported;
//! nothing stops at the first.

pub mod checks;
pub mod engine;
pub mod forward;
mod linked;
mod near_miss;
pub mod parties;
pub mod personnummer;
pub mod register;
pub mod repository;
pub mod staged;
pub mod waivers;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

pub use engine::{Context, Lookup, Violation};
pub use register::{REGISTER, StandardRegister};

use crate::error::{Error, Result};
use crate::fs;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::people::{PEOPLE_FILE, Registry};
use crate::policy::Severity;
use crate::record::{Body, Record, ReleaseStatus};
use crate::workspace::{Entry, Workspace};
use crate::yaml::{self, Value};

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule or check ID.
    pub rule: String,
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the repository root.
    pub path: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// The field concerned, where there is one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The seed clause the rule comes from.
    pub clause: Option<String>,
    /// The waiver that accepts this error, if one does: it is reported,
    /// and fails `validate` only with `--strict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
}

/// The waiver (`policy/waivers.yaml`) that accepts an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waived {
    /// Why the error stands.
    pub reason: String,
    /// Who accepted it.
    pub who: String,
    /// When.
    pub when: crate::time::Timestamp,
    /// The waiver's line in its file, where known.
    pub line: Option<usize>,
}

impl Waived {
    /// The waiver in a line: `waived by WHO on DATE (policy/waivers.yaml:LINE): REASON`.
    pub fn describe(&self) -> String {
        let place = match self.line {
            Some(l) => format!("{}:{l}", crate::policy::waivers::WAIVERS_FILE),
            None => crate::policy::waivers::WAIVERS_FILE.to_owned(),
        };
        format!(
            "waived by {} on {} ({place}): {}",
            self.who,
            self.when.format("%Y-%m-%d"),
            self.reason
        )
    }
}

impl Finding {
    /// Whether it is an error no waiver accepts.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error && self.waived.is_none()
    }
}

/// The outcome of a validation.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Record files looked at.
    pub files: usize,
    /// Their paths, relative to the root.
    pub checked: Vec<PathBuf>,
    /// Problems, by file and line.
    pub findings: Vec<Finding>,
}

impl Report {
    /// How many findings have this severity; a waived error is not
    /// counted as an error (see [`Report::waived`]).
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && f.waived.is_none())
            .count()
    }

    /// How many errors a waiver accepts.
    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waived.is_some()).count()
    }

    /// Whether a file could not be read as a record at all.
    pub fn unreadable(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule == checks::UNREADABLE.id || f.rule == checks::MERGE_CONFLICT.id)
    }
}

/// Finds records through the store, one file at a time (for commands that
/// change one record and must not read them all).
pub struct StoreLookup<'a>(pub &'a Workspace);

impl Lookup for StoreLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.0.load(id).ok().map(|(e, _)| e.doc)
    }
}

/// What the checks of a commit's records read besides each record, read
/// once for the commit however many records it writes: the records it
/// writes, the standard-change register, and the change calendar as the
/// commit leaves it (only where a rule of a record it writes asks it).
pub struct Landing<'w> {
    docs: Vec<(RecordId, Value)>,
    register: StandardRegister,
    schedule: Option<crate::schedule::Schedule<'w>>,
}

impl<'w> Landing<'w> {
    /// The landing of a commit that writes `docs`.
    pub fn new(ws: &'w Workspace, docs: Vec<(RecordId, Value)>) -> Result<Landing<'w>> {
        let asked = docs
            .iter()
            .any(|(id, _)| crate::schedule::asked_for(ws.policy(), id.kind()));
        let schedule = if asked {
            Some(crate::schedule::of_workspace(ws, &docs)?)
        } else {
            None
        };
        Ok(Landing {
            register: StandardRegister::load(ws)?,
            docs,
            schedule,
        })
    }
}

/// Finds records as a commit will leave them: those it writes as written,
/// the others through the store.
struct LandingLookup<'a> {
    landing: &'a [(RecordId, Value)],
    store: StoreLookup<'a>,
}

impl Lookup for LandingLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        match self.landing.iter().find(|(landed, _)| landed == id) {
            Some((_, doc)) => Some(doc.clone()),
            None => self.store.document(id),
        }
    }
}

/// Validates the repository. With `only` non-empty, reports only findings in
/// files under those paths (relative to the root); the whole repository is
/// still read, since links and cycles cross files.
///
/// Streams: each record file is read and parsed once, checked and dropped,
/// leaving a [`Summary`] for the checks of the repository as a whole and
/// the few values the rules of linking records read of it. A record whose
/// rules look at the records it links to is kept, and checked again once
/// every record's place is known.
pub fn validate(ws: &Workspace, only: &[PathBuf]) -> Result<Report> {
    check(ws, only, false)
}

/// [`validate`], and with `verify`, every approval in force checked against
/// the commit that introduced it (`--verify-approvals`, APR002).
pub fn check(ws: &Workspace, only: &[PathBuf], verify: bool) -> Result<Report> {
    let register = StandardRegister::load(ws)?;
    let keys = linked::Keys::of(ws.policy());
    let (paths, walk_errors) = ws.store().record_paths(&[]);
    let mut findings: Vec<Finding> = walk_errors.into_iter().map(file_finding).collect();
    let people = people_findings(ws, &mut findings);
    let inputs = Inputs {
        register: &register,
        people: people.as_ref(),
        windows: crate::schedule::calendar_of(ws.policy(), ws.root())?,
    };
    let passes = first_pass(ws, &inputs, &keys, &paths);
    let mut checked = gather(passes, &mut findings);
    // The order a scan gives: by ID, files of one ID in path order.
    let mut order: Vec<usize> = (0..checked.records.len()).collect();
    order.sort_by(|&a, &b| checked.records[a].0.id.cmp(&checked.records[b].0.id));
    if !checked.later.is_empty() {
        second_pass(ws, &inputs, &keys, &order, &mut checked);
    }
    let summaries = in_order(checked.records, &order, &mut findings);
    let refs: Vec<&Summary> = summaries.iter().collect();
    findings.extend(repo_findings(ws, &refs, &checked.unreadable));
    if verify {
        findings.extend(approval_findings(ws, people.as_ref())?);
    }
    waivers::apply(ws.root(), &mut findings);
    Ok(report(ws.root(), only, findings, summaries))
}

/// Every approval in force that does not verify against the commit that
/// introduced it; without a registry, one finding saying none can be.
fn approval_findings(ws: &Workspace, people: Option<&Registry>) -> Result<Vec<Finding>> {
    let check = checks::APPROVAL_HISTORY;
    // Only the kinds the pack has approval steps for are read, and only
    // the records that hold approvals are kept.
    let mut kinds: Vec<Kind> = ws.policy().approval_steps.iter().map(|s| s.kind).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let entries = crate::approvals::records_with_approvals(ws, &kinds);
    // Without approvals there is nothing to verify, registry or not.
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let Some(registry) = people else {
        return Ok(vec![repo_finding(
            check,
            Path::new(PEOPLE_FILE),
            "people",
            format!(
                "{} record(s) hold approvals, which cannot be verified: the repository has no people registry",
                entries.len()
            ),
            format!(
                "write {PEOPLE_FILE} with the people who approve, their e-mail addresses, keys and parties (docs/guide.md, \"Approvals you can audit\")"
            ),
        )]);
    };
    let signed = ws.store().config().approvals.signed;
    Ok(
        crate::approvals::verify::verify(ws, registry, &entries, signed)?
            .into_iter()
            .map(|u| {
                repo_finding(
                    check,
                    &u.path,
                    &format!("approvals[{}]", u.index),
                    u.message,
                    u.help,
                )
            })
            .collect(),
    )
}

/// What the checks of every record read besides the record: the
/// standard-change register and the people registry.
struct Inputs<'a> {
    register: &'a StandardRegister,
    people: Option<&'a Registry>,
    /// The change calendar's windows, for the second pass's schedule.
    windows: crate::policy::windows::ChangeCalendar,
}

/// The people registry, if the repository has one, with a finding in
/// `findings` for each of its faults (or for the file, if it cannot be
/// read as a registry at all: then no approval is judged against it).
fn people_findings(ws: &Workspace, findings: &mut Vec<Finding>) -> Option<Registry> {
    match Registry::read(ws.root()) {
        Ok(None) => None,
        Ok(Some((registry, _))) => {
            findings.extend(registry.faults(ws.policy()).into_iter().map(|f| {
                repo_finding(
                    checks::PEOPLE,
                    Path::new(PEOPLE_FILE),
                    &f.field,
                    f.message,
                    f.help,
                )
            }));
            Some(registry)
        }
        Err(e) => {
            let mut finding = file_finding(e);
            finding.rule = checks::PEOPLE.id.into();
            findings.push(finding);
            None
        }
    }
}

/// Reads and checks every record file, in parallel, placing its findings
/// in the text read. A record whose rules asked for a linked record is
/// kept, text and all, for the second pass.
fn first_pass(
    ws: &Workspace,
    inputs: &Inputs<'_>,
    keys: &linked::Keys,
    paths: &[PathBuf],
) -> Vec<Pass> {
    let folders = crate::fs::Folders::of(ws.root(), paths);
    paths
        .par_iter()
        .map(
            |rel| match crate::workspace::read_entry_in(ws.root(), rel, &folders) {
                Ok((entry, text)) => {
                    let deferred = Deferred::default();
                    let cx = Context {
                        policy: ws.policy(),
                        register: inputs.register,
                        lookup: &deferred,
                        people: inputs.people,
                        calendar: Some(&deferred),
                    };
                    let mut found = record_findings(&cx, &entry);
                    let read = (Summary::of(&entry), keys.project(&entry.doc));
                    if deferred.asked.load(Ordering::Relaxed) {
                        Pass::Later(read, Box::new((entry, text)))
                    } else {
                        place_in(&text, &mut found);
                        Pass::Done(read, found)
                    }
                }
                Err(e) => Pass::Bad(rel.clone(), Box::new(e)),
            },
        )
        .collect()
}

/// The first pass's records, in the order read.
struct Checked {
    /// Each readable record's summary and findings (those in `later`: none yet).
    records: Vec<(Summary, Vec<Finding>)>,
    /// What the rules of linking records read of each of `records`.
    projections: Vec<linked::Projection>,
    /// Which of `records` the second pass checks, each as the first pass
    /// read it (entry and text).
    later: Vec<(usize, Box<(Entry, String)>)>,
    /// The IDs, from their names, of the files that could not be read.
    unreadable: BTreeSet<RecordId>,
}

/// Gathers the first pass: the records read, and a finding in `findings`
/// for each file that could not be.
fn gather(passes: Vec<Pass>, findings: &mut Vec<Finding>) -> Checked {
    let mut checked = Checked {
        records: Vec::with_capacity(passes.len()),
        projections: Vec::with_capacity(passes.len()),
        later: Vec::new(),
        unreadable: BTreeSet::new(),
    };
    for pass in passes {
        match pass {
            Pass::Bad(rel, e) => {
                // Its ID is known from its name: records linking to it are not dangling.
                if let Some(id) = rel
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(|s| RecordId::parse(s).ok())
                {
                    checked.unreadable.insert(id);
                }
                findings.push(file_finding(*e));
            }
            Pass::Done((summary, projection), found) => {
                checked.records.push((summary, found));
                checked.projections.push(projection);
            }
            Pass::Later((summary, projection), read) => {
                checked.later.push((checked.records.len(), read));
                checked.records.push((summary, Vec::new()));
                checked.projections.push(projection);
            }
        }
    }
    checked
}

/// Checks the records left for later again, each with every record's file
/// known (`order`: the scan's order, so that of two files with one ID the
/// one a scan puts last is found), finding the linked ones among the
/// projections the first pass kept.
fn second_pass(
    ws: &Workspace,
    inputs: &Inputs<'_>,
    keys: &linked::Keys,
    order: &[usize],
    checked: &mut Checked,
) {
    let later = std::mem::take(&mut checked.later);
    let lookup = linked::Projected::new(
        keys,
        order
            .iter()
            .map(|&i| (&checked.records[i].0.id, &checked.projections[i])),
    );
    // The calendar of every change, release and item read, in the order a
    // scan gives (of two files with one ID, the later).
    let schedule = crate::schedule::Schedule::new(
        ws.policy(),
        inputs.windows.clone(),
        order
            .iter()
            .filter_map(|&i| checked.records[i].0.fact.as_deref().cloned()),
    );
    let cx = Context {
        policy: ws.policy(),
        register: inputs.register,
        lookup: &lookup,
        people: inputs.people,
        calendar: Some(&schedule),
    };
    let again: Vec<(usize, Vec<Finding>)> = later
        .into_par_iter()
        .map(|(i, read)| {
            let (entry, text) = *read;
            let mut found = record_findings(&cx, &entry);
            place_in(&text, &mut found);
            (i, found)
        })
        .collect();
    for (i, found) in again {
        checked.records[i].1 = found;
    }
}

/// Moves each record's findings into `findings` in `order`, and returns
/// the summaries in that order.
fn in_order(
    records: Vec<(Summary, Vec<Finding>)>,
    order: &[usize],
    findings: &mut Vec<Finding>,
) -> Vec<Summary> {
    let mut summaries = Vec::with_capacity(records.len());
    let mut slots: Vec<Option<(Summary, Vec<Finding>)>> = records.into_iter().map(Some).collect();
    for &i in order {
        if let Some((summary, found)) = slots[i].take() {
            findings.extend(found);
            summaries.push(summary);
        }
    }
    summaries
}

/// The report: the findings under `only` (all, if empty), each with its
/// place in the file, sorted by file and line, and the files checked.
fn report(
    root: &Path,
    only: &[PathBuf],
    mut findings: Vec<Finding>,
    summaries: Vec<Summary>,
) -> Report {
    if !only.is_empty() {
        findings.retain(|f| only.iter().any(|p| f.path.starts_with(p)));
    }
    locate(root, &mut findings);
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    // Files that could not be read as records are checked files too.
    let mut checked: Vec<PathBuf> = summaries.into_iter().map(|s| s.path).collect();
    checked.extend(findings.iter().map(|f| f.path.clone()));
    checked.sort();
    checked.dedup();
    if !only.is_empty() {
        checked.retain(|c| only.iter().any(|p| c.starts_with(p)));
    }
    Report {
        files: checked.len(),
        checked,
        findings,
    }
}

/// What the first pass keeps of every record it read.
type Read = (Summary, linked::Projection);

/// How the first pass over one record file ended.
enum Pass {
    /// Checked; nothing else is needed of it but its summary and projection.
    Done(Read, Vec<Finding>),
    /// Its rules asked for linked records: checked again in the second pass
    /// with the entry and text read here.
    Later(Read, Box<(Entry, String)>),
    /// It could not be read as a record. (Boxed: one slot per record file.)
    Bad(PathBuf, Box<Error>),
}

/// The first pass's lookup: it finds nothing, but notes that it was asked,
/// so that the record is checked again with every record's place known.
#[derive(Default)]
struct Deferred {
    asked: AtomicBool,
}

impl Lookup for Deferred {
    fn document(&self, _: &RecordId) -> Option<Value> {
        self.asked.store(true, Ordering::Relaxed);
        None
    }
}

/// The change calendar is known once every record is read: a rule that
/// asks about it defers the record to the second pass.
impl engine::Calendar for Deferred {
    fn conflicts(
        &self,
        _: &crate::policy::rule::ConflictTest,
        _: &Record,
    ) -> Vec<crate::schedule::Conflict> {
        self.asked.store(true, Ordering::Relaxed);
        Vec::new()
    }
}

/// What the checks of the repository as a whole need of one record: far
/// less than the record, so that `validate` need not hold every record.
pub struct Summary {
    path: PathBuf,
    id: RecordId,
    kind: crate::kind::Kind,
    /// `links`, key by key, as written.
    links: Vec<(String, Vec<String>)>,
    /// References outside `links` (`depends_on`, `configuration_item`).
    references: Vec<(&'static str, RecordId)>,
    /// A configuration item's dependencies.
    depends_on: Option<Vec<String>>,
    /// A deployed release's version package.
    deployed: Option<String>,
    /// What the change calendar needs of it (boxed: most records have none).
    fact: Option<Box<crate::schedule::Fact>>,
}

impl Summary {
    /// The summary of a parsed record.
    pub fn of(e: &Entry) -> Summary {
        Summary {
            path: e.path.clone(),
            id: e.record.id().clone(),
            kind: e.record.kind(),
            links: links_of(&e.doc),
            references: repository::references(&e.record)
                .into_iter()
                .map(|(f, id)| (f, id.clone()))
                .collect(),
            depends_on: match &e.record.body {
                Body::ConfigurationItem(ci) => {
                    Some(ci.depends_on.iter().map(|d| d.to_string()).collect())
                }
                _ => None,
            },
            deployed: match &e.record.body {
                Body::Release(r) if r.status == ReleaseStatus::Deployed => {
                    Some(r.version.as_deref().map_or_else(
                        || e.record.id().to_string(),
                        |v| repository::version_package(v).to_owned(),
                    ))
                }
                _ => None,
            },
            fact: crate::schedule::Fact::of(&e.record).map(Box::new),
        }
    }
}

/// Every finding over a set of parsed records: each record's rules, its
/// history and file name, and the checks of the set as a whole (IDs, links,
/// cycles, deployed releases). `review` runs it on a revision's tree.
pub fn check_entries(ws: &Workspace, cx: &Context<'_>, entries: &[Entry]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = entries
        .par_iter()
        .flat_map_iter(|e| record_findings(cx, e))
        .collect();
    let summaries: Vec<Summary> = entries.iter().map(Summary::of).collect();
    let refs: Vec<&Summary> = summaries.iter().collect();
    findings.extend(repo_findings(ws, &refs, &BTreeSet::new()));
    findings
}

/// The rule violations and sensitive data in one record.
pub fn check_record(cx: &Context<'_>, doc: &Value, record: &Record) -> Vec<Violation> {
    let mut out = engine::check(cx, doc, record);
    out.extend(near_miss::check(doc, record));
    if let Some(map) = doc.as_mapping() {
        out.extend(parties::check(cx.policy, map, record));
    }
    if let Some(registry) = cx.people {
        out.extend(
            crate::approvals::recorded(registry, cx.policy, record)
                .into_iter()
                .map(|(i, e)| Violation {
                    rule: checks::APPROVER.id.into(),
                    severity: checks::APPROVER.severity,
                    field: format!("approvals[{i}].person"),
                    message: e.to_string(),
                    help: Some(e.help()),
                    clause: None,
                }),
        );
        if let Some(assignment) = &record.common.assignment {
            out.extend(registry.assignment_faults(assignment).into_iter().map(
                |(field, message, help)| Violation {
                    rule: checks::ASSIGNEE.id.into(),
                    severity: checks::ASSIGNEE.severity,
                    field: field.into(),
                    message,
                    help: Some(help),
                    clause: None,
                },
            ));
        }
    }
    if let Some(hit) = personnummer::find_in(doc) {
        let place = if hit.in_key { "a key" } else { "the text" };
        out.push(Violation {
            rule: checks::PERSONAL_NUMBER.id.into(),
            severity: checks::PERSONAL_NUMBER.severity,
            field: hit.field,
            // Masked: a report goes to CI logs and terminals, and must not
            // spread the number further.
            message: format!(
                "a Swedish personal identity number ({}) is in {place}",
                hit.number.masked()
            ),
            help: Some(
                "remove it; refer to the person by a case number or initials instead".into(),
            ),
            clause: None,
        });
    }
    out
}

fn record_findings(cx: &Context<'_>, e: &Entry) -> Vec<Finding> {
    let mut out: Vec<Finding> = check_record(cx, &e.doc, &e.record)
        .into_iter()
        .map(|v| Finding {
            rule: v.rule,
            severity: v.severity,
            path: e.path.clone(),
            line: None,
            column: None,
            field: Some(v.field),
            message: v.message,
            help: v.help,
            clause: v.clause,
            waived: None,
        })
        .collect();
    if let Some((index, message)) = history_problem(cx.policy, &e.record) {
        out.push(repo_finding(
            checks::HISTORY,
            &e.path,
            "history",
            message,
            format!(
                "history is appended by arende commands; look at event {} with `arende log {}`",
                index + 1,
                e.record.id()
            ),
        ));
    }
    let expected = crate::store::home_path(e.record.kind(), e.record.id());
    let id_kind = e.record.id().kind();
    if !crate::store::filed_right(&e.path, e.record.kind(), e.record.id())
        || id_kind != e.record.kind()
    {
        out.push(repo_finding(
            checks::FILE_NAME,
            &e.path,
            "id",
            format!("{} is filed as {}", e.record.id(), e.path.display()),
            format!(
                "move it to {} (a {} ID starts with {})",
                expected.display(),
                e.record.kind(),
                e.record.kind().prefix()
            ),
        ));
    }
    out
}

/// The checks of the repository as a whole, over the records' summaries
/// (in ID order). IDs in `unreadable` belong to files that could not be
/// read: they exist, and what they link to is unknown. (Borrowed: the
/// staged check judges HEAD's tree and the commit's with one reading.)
fn repo_findings(
    ws: &Workspace,
    summaries: &[&Summary],
    unreadable: &BTreeSet<RecordId>,
) -> Vec<Finding> {
    let (by_id, mut out) = by_id(summaries);
    for &s in summaries {
        out.extend(dangling_references(s, &by_id, unreadable));
        out.extend(link_findings(s, &by_id, unreadable));
    }
    out.extend(cycles(summaries));
    out.extend(too_many_deployed(ws, summaries));
    out
}

/// The records by ID (of two with one ID, the later), and a finding on
/// each record whose ID an earlier one has.
fn by_id<'a>(summaries: &[&'a Summary]) -> (HashMap<&'a RecordId, &'a Summary>, Vec<Finding>) {
    let mut out = Vec::new();
    let mut by_id: HashMap<&RecordId, &Summary> = HashMap::new();
    for &s in summaries {
        if let Some(first) = by_id.insert(&s.id, s) {
            out.push(repo_finding(
                checks::DUPLICATE_ID,
                &s.path,
                "id",
                format!("{} is also the ID of {}", s.id, first.path.display()),
                "give one of them a new ID (arende new makes unique ones)".into(),
            ));
        }
    }
    (by_id, out)
}

/// The references outside `links` (`depends_on`, `configuration_item`)
/// that name no record.
fn dangling_references(
    s: &Summary,
    by_id: &HashMap<&RecordId, &Summary>,
    unreadable: &BTreeSet<RecordId>,
) -> Vec<Finding> {
    s.references
        .iter()
        .filter(|(_, id)| !by_id.contains_key(id) && !unreadable.contains(id))
        .map(|(field, id)| {
            repo_finding(
                checks::DANGLING_LINK,
                &s.path,
                field,
                format!("{field} names {id}, which does not exist"),
                "name a configuration item that exists".into(),
            )
        })
        .collect()
}

/// The record's `links` that name no record, or a record that does not
/// link back. A text that is not an ID names no record to look for.
fn link_findings(
    s: &Summary,
    by_id: &HashMap<&RecordId, &Summary>,
    unreadable: &BTreeSet<RecordId>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, ids) in &s.links {
        for id in ids {
            let Ok(other_id) = RecordId::parse(id) else {
                continue;
            };
            match by_id.get(&other_id) {
                None if unreadable.contains(&other_id) => {}
                None => out.push(repo_finding(
                    checks::DANGLING_LINK,
                    &s.path,
                    &format!("links.{key}"),
                    format!("links to {id}, which does not exist"),
                    "remove the link or file the record it names".into(),
                )),
                Some(other) if !links_back(other, s) => out.push(repo_finding(
                    checks::ONE_WAY_LINK,
                    &s.path,
                    &format!("links.{key}"),
                    format!("links to {id}, which does not link back"),
                    format!("run `arende link {} {id}` to link both ways", s.id),
                )),
                Some(_) => {}
            }
        }
    }
    out
}

/// Whether `other` links to `s` under the key for `s`'s kind.
fn links_back(other: &Summary, s: &Summary) -> bool {
    let back = s.kind.link_key();
    other
        .links
        .iter()
        .any(|(k, ids)| k == back && ids.iter().any(|x| x == s.id.as_str()))
}

/// A finding on every deployed release when more version packages are in
/// production than the pack's release scheme allows.
fn too_many_deployed(ws: &Workspace, summaries: &[&Summary]) -> Vec<Finding> {
    let Some(max) = ws
        .policy()
        .release_scheme
        .as_ref()
        .and_then(|s| s.max_deployed)
    else {
        return Vec::new();
    };
    // Version packages, not releases: an internal X.Y.Z belongs to its X.Y.
    let deployed: Vec<(&Summary, &str)> = summaries
        .iter()
        .filter_map(|&s| s.deployed.as_deref().map(|p| (s, p)))
        .collect();
    let packages: BTreeSet<&str> = deployed.iter().map(|(_, p)| *p).collect();
    if packages.len() <= max {
        return Vec::new();
    }
    deployed
        .iter()
        .map(|(s, _)| {
            repo_finding(
                checks::TOO_MANY_DEPLOYED,
                &s.path,
                "status",
                format!(
                    "{} version packages are in production at once ({}); the {} policy allows {max}",
                    packages.len(),
                    packages.iter().copied().collect::<Vec<_>>().join(", "),
                    ws.policy().name
                ),
                "retire the releases of the oldest package in production".into(),
            )
        })
        .collect()
}

/// Dependency cycles among configuration items, each reported once, on the
/// item with the smallest ID in the cycle.
fn cycles(summaries: &[&Summary]) -> Vec<Finding> {
    let graph: BTreeMap<&str, (&Summary, &[String])> = summaries
        .iter()
        .filter_map(|&s| {
            s.depends_on
                .as_deref()
                .map(|deps| (s.id.as_str(), (s, deps)))
        })
        .collect();
    // One finding per strongly connected component that holds a cycle, on
    // its first member by ID: linear in the items and their dependencies,
    // so a chain of a thousand items costs a thousand steps, not a
    // thousand walks of it.
    strongly_connected(&graph)
        .into_iter()
        .filter_map(|component| {
            let start = *component.iter().min()?;
            let path = cycle_from(&graph, start, &component)?;
            let (summary, _) = graph[start];
            Some(repo_finding(
                checks::DEPENDENCY_CYCLE,
                &summary.path,
                "depends_on",
                format!("depends on itself: {}", path.join(" → ")),
                "remove the dependency that closes the cycle".into(),
            ))
        })
        .collect()
}

type DependencyGraph<'a> = BTreeMap<&'a str, (&'a Summary, &'a [String])>;

/// The strongly connected components of the dependency graph (Tarjan's
/// algorithm, without recursion): each a set of items that reach each
/// other. A lone item is one only where it depends on itself.
fn strongly_connected<'a>(graph: &DependencyGraph<'a>) -> Vec<BTreeSet<&'a str>> {
    let mut index: HashMap<&str, (usize, usize)> = HashMap::new(); // (index, lowlink)
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    let deps = |n: &str| -> Vec<&'a str> {
        graph
            .get(n)
            .map(|(_, d)| {
                d.iter()
                    .filter_map(|x| graph.get_key_value(x.as_str()).map(|(k, _)| *k))
                    .collect()
            })
            .unwrap_or_default()
    };
    for &root in graph.keys() {
        if index.contains_key(root) {
            continue;
        }
        // (node, its dependencies, the next one to visit)
        let mut work: Vec<(&str, Vec<&str>, usize)> = vec![(root, deps(root), 0)];
        index.insert(root, (next, next));
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some((node, children, i)) = work.last_mut() {
            let node = *node;
            if let Some(&child) = children.get(*i) {
                *i += 1;
                if !index.contains_key(child) {
                    index.insert(child, (next, next));
                    next += 1;
                    stack.push(child);
                    on_stack.insert(child);
                    work.push((child, deps(child), 0));
                } else if on_stack.contains(child) {
                    let low = index[node].1.min(index[child].0);
                    index.entry(node).and_modify(|e| e.1 = low);
                }
                continue;
            }
            work.pop();
            let (own, low) = index[node];
            if let Some((parent, _, _)) = work.last() {
                let parent = *parent;
                let plow = index[parent].1.min(low);
                index.entry(parent).and_modify(|e| e.1 = plow);
            }
            if own == low {
                let mut component = BTreeSet::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member);
                    if member == node {
                        break;
                    }
                }
                let looped = component.len() > 1 || deps(node).contains(&node);
                if looped {
                    out.push(component);
                }
            }
        }
    }
    out
}

/// A shortest way from `start` back to itself inside `component`, as the
/// finding shows it (`A → B → A`).
fn cycle_from(
    graph: &DependencyGraph<'_>,
    start: &str,
    component: &BTreeSet<&str>,
) -> Option<Vec<String>> {
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let (_, deps) = graph.get(node)?;
        for d in deps.iter().map(String::as_str) {
            if d == start {
                let mut path = vec![node];
                while let Some(p) = parent.get(path[path.len() - 1]) {
                    path.push(p);
                }
                let mut shown: Vec<String> = path.iter().rev().map(|s| (*s).to_owned()).collect();
                shown.push(start.to_owned());
                return Some(shown);
            }
            if let Some(&member) = component.get(d)
                && member != start
                && !parent.contains_key(member)
            {
                parent.insert(member, node);
                queue.push_back(member);
            }
        }
    }
    None
}

fn links_of(doc: &Value) -> Vec<(String, Vec<String>)> {
    doc.get("links")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let ids = v
                .as_sequence()?
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect();
            Some((k.as_str()?.to_owned(), ids))
        })
        .collect()
}

fn repo_finding(
    check: checks::Check,
    path: &Path,
    field: &str,
    message: String,
    help: String,
) -> Finding {
    Finding {
        rule: check.id.into(),
        severity: check.severity,
        path: path.to_owned(),
        line: None,
        column: None,
        field: Some(field.to_owned()),
        message,
        help: Some(help),
        clause: None,
        waived: None,
    }
}

fn file_finding(e: Error) -> Finding {
    let check = checks::for_error(&e);
    let (path, field, line, column) = match &e {
        Error::Yaml { path, at, .. } => (
            path.clone(),
            None,
            at.as_ref().map(|a| a.line),
            at.as_ref().map(|a| a.column),
        ),
        Error::Field {
            path, field, at, ..
        } => (
            path.clone(),
            Some(field.clone()),
            at.as_ref().map(|a| a.line),
            at.as_ref().map(|a| a.column),
        ),
        Error::MergeConflict { path, line } | Error::NotUtf8 { path, line } => {
            (path.clone(), None, Some(*line), Some(1))
        }
        Error::TooLarge { path, .. }
        | Error::Symlink { path }
        | Error::SymlinkFolder { path }
        | Error::NotAFile { path, .. }
        | Error::Io { path, .. } => (path.clone(), None, None, None),
        _ => (PathBuf::new(), None, None, None),
    };
    // The report puts the place first; the error's own text starts with it too.
    let text = e.to_string();
    let message = text
        .strip_prefix(&path.display().to_string())
        .map(|rest| {
            rest.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())
                .trim_start()
        })
        .unwrap_or(&text)
        .to_owned();
    let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
    Finding {
        rule: check.id.into(),
        severity: check.severity,
        path,
        line,
        column,
        field,
        message,
        help,
        clause: None,
        waived: None,
    }
}

/// Fills in line and column of findings that name a field and have no
/// place yet (those of the repository as a whole), reading each file once.
fn locate(root: &Path, findings: &mut [Finding]) {
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for f in findings.iter_mut().filter(|f| f.line.is_none()) {
        let Some(field) = &f.field else {
            continue;
        };
        let text = texts
            .entry(f.path.clone())
            .or_insert_with(|| fs::read_text(&root.join(&f.path), yaml::MAX_RECORD_BYTES).ok());
        let Some(text) = text else { continue };
        let (line, column) = place(text, field);
        f.line = Some(line);
        f.column = Some(column);
    }
}

/// Places one file's findings that name a field in its text, as it was read.
fn place_in(text: &str, findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.line.is_none()) {
        if let Some(field) = &f.field {
            let (line, column) = place(text, field);
            f.line = Some(line);
            f.column = Some(column);
        }
    }
}

/// Where a field is in a record's text: the field itself, else its nearest
/// parent, else the record's `id`, else the first line, so that a report
/// always has a place to point at.
pub(crate) fn place(text: &str, field: &str) -> (usize, usize) {
    // A list position (`history[3].note`) is found where the list is in
    // block style; else the place pointed at is the key's first item of
    // that name.
    let exact: Vec<&str> = field.split('.').collect();
    let keys: Vec<&str> = field
        .split('.')
        .filter_map(|p| p.split('[').next().filter(|k| !k.is_empty()))
        .collect();
    let deepest = |parts: &[&str]| {
        (1..=parts.len())
            .rev()
            .find_map(|n| yaml::locate_key(text, &parts[..n]))
    };
    yaml::locate_key(text, &exact)
        .or_else(|| deepest(&keys))
        .or_else(|| yaml::locate_key(text, &["id"]))
        .unwrap_or((1, 1))
}

/// The error rules the record `after` breaks that `before` did not: what a
/// command must refuse to make. Rules a record already broke (a hand edit)
/// do not block unrelated changes; but a status move (`moved`) must meet
/// every rule that depends on the status, whatever was broken before, since
/// those rules are the preconditions of the status it moves to. `landing`:
/// the records written in the same commit, as they will be: the rules that
/// read other records read those as written (a release deployed with the
/// changes it implements; a problem filed with the incident it links).
pub fn new_errors(
    ws: &Workspace,
    landing: &Landing<'_>,
    before: Option<(&Value, &Record)>,
    after: (&Value, &Record),
    moved: bool,
) -> Result<Vec<Violation>> {
    let lookup = LandingLookup {
        landing: &landing.docs,
        store: StoreLookup(ws),
    };
    // The registry is read only for a record with approvals (every edit
    // passes here). Its own faults are validate's to report (PEO001), not a
    // reason to refuse an edit of a record: a registry that cannot be read
    // judges no approval here.
    let people = if after.1.common.approvals.is_empty() && after.1.common.assignment.is_none() {
        None
    } else {
        Registry::read(ws.root()).ok().flatten().map(|(r, _)| r)
    };
    let cx = Context {
        policy: ws.policy(),
        register: &landing.register,
        lookup: &lookup,
        people: people.as_ref(),
        calendar: landing
            .schedule
            .as_ref()
            .map(|s| s as &dyn engine::Calendar),
    };
    // A new record (no `before`) broke nothing before.
    let old: BTreeSet<String> = before
        .map(|(doc, rec)| {
            check_record(&cx, doc, rec)
                .into_iter()
                .map(|v| v.rule)
                .collect()
        })
        .unwrap_or_default();
    let mut new: Vec<Violation> = check_record(&cx, after.0, after.1)
        .into_iter()
        .filter(|v| {
            v.severity == Severity::Error
                && (!old.contains(&v.rule) || (moved && gated_by_status(ws, &v.rule)))
        })
        .collect();
    // The repository rules the change can break, judged on what it reaches;
    // one the record broke before (by field) is not the command's doing.
    let old_repo: BTreeSet<(String, String)> = before
        .map(|(_, rec)| {
            repository::errors(ws, &[], rec)
                .into_iter()
                .map(|v| (v.rule, v.field))
                .collect()
        })
        .unwrap_or_default();
    new.extend(
        repository::errors(ws, &landing.docs, after.1)
            .into_iter()
            .filter(|v| !old_repo.contains(&(v.rule.clone(), v.field.clone()))),
    );
    Ok(new)
}

/// Whether a rule applies only in some statuses: a precondition of them.
fn gated_by_status(ws: &Workspace, rule: &str) -> bool {
    ws.policy()
        .rule(rule)
        .is_some_and(|r| r.when.iter().any(|p| p.field.as_deref() == Some("status")))
}

/// The first event where a record's history leaves the status machine or
/// goes back in time, or where its last status is not the record's status.
/// A record with no status events (filed by hand) is not judged.
pub fn history_problem(policy: &crate::policy::Policy, record: &Record) -> Option<(usize, String)> {
    let machine = policy.machine(record.kind());
    let events = &record.common.history;
    let mut previous: Option<&str> = None;
    let mut last_index = 0;
    for (i, event) in events.iter().enumerate() {
        if i > 0 && event.at < events[i - 1].at {
            return Some((
                i,
                format!("event {} is dated before the event it follows", i + 1),
            ));
        }
        let Some(status) = event.status.as_deref() else {
            continue;
        };
        match previous {
            None if status != machine.initial => {
                return Some((
                    i,
                    format!(
                        "the first status is {status}, but {} starts as {}",
                        record.kind().with_article(),
                        machine.initial
                    ),
                ));
            }
            Some(from) if from != status && !machine.allows(from, status) => {
                return Some((
                    i,
                    format!(
                        "{from} → {status} is not a move the {} policy allows",
                        policy.name
                    ),
                ));
            }
            _ => {}
        }
        previous = Some(status);
        last_index = i;
    }
    match previous {
        Some(last) if last != record.status() => Some((
            last_index,
            format!(
                "the history ends at {last}, but the record's status is {}",
                record.status()
            ),
        )),
        _ => None,
    }
}
