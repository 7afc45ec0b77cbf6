//! `arende validate`: every record against the record model and every rule
//! of the policy, and the repository as a whole. Every problem is reported;
//! nothing stops at the first.

pub mod checks;
pub mod engine;
pub mod parties;
pub mod personnummer;
pub mod repository;
pub mod staged;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

pub use engine::{Context, Lookup, Violation};

use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::policy::Severity;
use crate::record::{Body, Record, ReleaseStatus};
use crate::store::{Entry, Store};
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
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether a file could not be read as a record at all.
    pub fn unreadable(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule == checks::UNREADABLE.id || f.rule == checks::MERGE_CONFLICT.id)
    }
}

/// The IDs in the repository's standard-change register (`policy/standard-changes.yaml`:
/// a list of entries with an `id`). An entry counts only when it states who
/// agreed it and when (`agreed_by`, `agreed_at`): a standard change is one
/// *överenskommit med beställaren i förväg* (000 §3.4), and Staden approves
/// the register (002 §4.2 task 4, G).
pub fn standard_register(store: &Store) -> Result<BTreeSet<String>> {
    let path = store.root().join(REGISTER);
    // Not `exists()`: it follows links, and a link is to be refused.
    if path.symlink_metadata().is_err() {
        return Ok(BTreeSet::new());
    }
    crate::store::check_folders(store.root(), Path::new(REGISTER))?;
    let text = yaml::read_text(&path, yaml::MAX_RECORD_BYTES)?;
    let doc = yaml::parse_any(Path::new(REGISTER), &text)?;
    let entries = doc
        .get("changes")
        .and_then(Value::as_sequence)
        .or_else(|| doc.as_sequence());
    Ok(entries
        .into_iter()
        .flatten()
        .filter(|e| {
            ["agreed_by", "agreed_at"].iter().all(|k| {
                e.get(k)
                    .is_some_and(|v| !crate::record::document::display(v).trim().is_empty())
            })
        })
        .filter_map(|e| e.get("id").map(crate::record::document::display))
        .collect())
}

/// Where the standard-change register lives, relative to the root.
pub const REGISTER: &str = "policy/standard-changes.yaml";

struct ScanLookup<'a>(HashMap<&'a RecordId, &'a Value>);

impl Lookup for ScanLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.0.get(id).map(|v| (*v).clone())
    }
}

/// Finds records through the store, one file at a time (for commands that
/// change one record and must not read them all).
pub struct StoreLookup<'a>(pub &'a Store);

impl Lookup for StoreLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.0.load(id).ok().map(|(e, _)| e.doc)
    }
}

/// Validates the repository. With `only` non-empty, reports only findings in
/// files under those paths (relative to the root); the whole repository is
/// still read, since links and cycles cross files.
pub fn validate(store: &Store, only: &[PathBuf]) -> Result<Report> {
    let register = standard_register(store)?;
    let mut scan = store.scan(&[]);
    let mut findings: Vec<Finding> = std::mem::take(&mut scan.errors)
        .into_iter()
        .map(file_finding)
        .collect();
    let lookup = ScanLookup(
        scan.entries
            .iter()
            .map(|e| (e.record.id(), &e.doc))
            .collect(),
    );
    let cx = Context {
        policy: store.policy(),
        register: &register,
        lookup: &lookup,
    };
    findings.extend(check_entries(store, &cx, &scan.entries));
    if !only.is_empty() {
        findings.retain(|f| only.iter().any(|p| f.path.starts_with(p)));
    }
    locate(store.root(), &mut findings);
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    // Files that could not be read as records are checked files too.
    let mut checked: Vec<PathBuf> = scan.entries.iter().map(|e| e.path.clone()).collect();
    checked.extend(findings.iter().map(|f| f.path.clone()));
    checked.sort();
    checked.dedup();
    if !only.is_empty() {
        checked.retain(|c| only.iter().any(|p| c.starts_with(p)));
    }
    Ok(Report {
        files: checked.len(),
        checked,
        findings,
    })
}

/// Every finding over a set of parsed records: each record's rules, its
/// history and file name, and the checks of the set as a whole (IDs, links,
/// cycles, deployed releases). `validate` runs it on the working tree,
/// `review` on a revision's tree.
pub fn check_entries(store: &Store, cx: &Context<'_>, entries: &[Entry]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = entries
        .par_iter()
        .flat_map_iter(|e| record_findings(cx, e))
        .collect();
    findings.extend(repo_findings(store, entries));
    findings
}

/// The rule violations and sensitive data in one record.
pub fn check_record(cx: &Context<'_>, doc: &Value, record: &Record) -> Vec<Violation> {
    let mut out = engine::check(cx, doc, record);
    if let Some(map) = doc.as_mapping() {
        out.extend(parties::check(cx.policy, map, record));
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

fn repo_findings(store: &Store, entries: &[Entry]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut by_id: HashMap<&RecordId, &Entry> = HashMap::new();
    for e in entries {
        if let Some(first) = by_id.insert(e.record.id(), e) {
            out.push(repo_finding(
                checks::DUPLICATE_ID,
                &e.path,
                "id",
                format!(
                    "{} is also the ID of {}",
                    e.record.id(),
                    first.path.display()
                ),
                "give one of them a new ID (arende new makes unique ones)".into(),
            ));
        }
    }
    for e in entries {
        let references: Vec<(&str, &RecordId)> = match &e.record.body {
            Body::ConfigurationItem(ci) => {
                ci.depends_on.iter().map(|d| ("depends_on", d)).collect()
            }
            Body::CapacityReview(cap) => cap
                .configuration_item
                .iter()
                .map(|c| ("configuration_item", c))
                .collect(),
            _ => Vec::new(),
        };
        for (field, id) in references {
            if !by_id.contains_key(id) {
                out.push(repo_finding(
                    checks::DANGLING_LINK,
                    &e.path,
                    field,
                    format!("{field} names {id}, which does not exist"),
                    "name a configuration item that exists".into(),
                ));
            }
        }
        for (key, ids) in links_of(&e.doc) {
            for id in ids {
                let Ok(other_id) = RecordId::parse(&id) else {
                    continue;
                };
                match by_id.get(&other_id) {
                    None => out.push(repo_finding(
                        checks::DANGLING_LINK,
                        &e.path,
                        &format!("links.{key}"),
                        format!("links to {id}, which does not exist"),
                        "remove the link or file the record it names".into(),
                    )),
                    Some(other) => {
                        let back = e.record.kind().link_key();
                        let linked_back = links_of(&other.doc).into_iter().any(|(k, ids)| {
                            k == back && ids.iter().any(|x| x == e.record.id().as_str())
                        });
                        if !linked_back {
                            out.push(repo_finding(
                                checks::ONE_WAY_LINK,
                                &e.path,
                                &format!("links.{key}"),
                                format!("links to {id}, which does not link back"),
                                format!(
                                    "run `arende link {} {id}` to link both ways",
                                    e.record.id()
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    out.extend(cycles(entries));
    if let Some(max) = store
        .policy()
        .release_scheme
        .as_ref()
        .and_then(|s| s.max_deployed)
    {
        // Version packages, not releases: an internal X.Y.Z belongs to its X.Y.
        let deployed: Vec<(&Entry, String)> = entries
            .iter()
            .filter_map(|e| match &e.record.body {
                Body::Release(r) if r.status == ReleaseStatus::Deployed => Some((
                    e,
                    r.version.as_deref().map_or_else(
                        || e.record.id().to_string(),
                        |v| repository::version_package(v).to_owned(),
                    ),
                )),
                _ => None,
            })
            .collect();
        let packages: BTreeSet<&str> = deployed.iter().map(|(_, p)| p.as_str()).collect();
        if packages.len() > max {
            for (e, _) in &deployed {
                out.push(repo_finding(
                    checks::TOO_MANY_DEPLOYED,
                    &e.path,
                    "status",
                    format!(
                        "{} version packages are in production at once ({}); the {} policy allows {max}",
                        packages.len(),
                        packages.iter().copied().collect::<Vec<_>>().join(", "),
                        store.policy().name
                    ),
                    "retire the releases of the oldest package in production".into(),
                ));
            }
        }
    }
    out
}

/// Dependency cycles among configuration items, each reported once, on the
/// item with the smallest ID in the cycle.
fn cycles(entries: &[Entry]) -> Vec<Finding> {
    let graph: BTreeMap<&str, (&Entry, Vec<String>)> = entries
        .iter()
        .filter_map(|e| match &e.record.body {
            Body::ConfigurationItem(ci) => Some((
                e.record.id().as_str(),
                (e, ci.depends_on.iter().map(|d| d.to_string()).collect()),
            )),
            _ => None,
        })
        .collect();
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<(String, Vec<String>)> =
            vec![(start.to_string(), vec![start.to_string()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            let Some((_, deps)) = graph.get(node.as_str()) else {
                continue;
            };
            for d in deps {
                if d == start {
                    let mut members = path.clone();
                    members.sort();
                    if reported.insert(members.clone()) && members[0] == *start {
                        let (entry, _) = graph[start];
                        let mut shown = path.clone();
                        shown.push(start.to_string());
                        out.push(repo_finding(
                            checks::DEPENDENCY_CYCLE,
                            &entry.path,
                            "depends_on",
                            format!("depends on itself: {}", shown.join(" → ")),
                            "remove the dependency that closes the cycle".into(),
                        ));
                    }
                } else if seen.insert(d.clone()) {
                    let mut next = path.clone();
                    next.push(d.clone());
                    stack.push((d.clone(), next));
                }
            }
        }
    }
    out
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
    }
}

/// Fills in line and column of findings that name a field, reading each
/// file once.
fn locate(root: &Path, findings: &mut [Finding]) {
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for f in findings.iter_mut().filter(|f| f.line.is_none()) {
        let Some(field) = f.field.clone() else {
            continue;
        };
        let text = texts
            .entry(f.path.clone())
            .or_insert_with(|| yaml::read_text(&root.join(&f.path), yaml::MAX_RECORD_BYTES).ok());
        let Some(text) = text else { continue };
        // A list position (`history[3].note`) is not a key: the place
        // pointed at is the key's first item of that name.
        let parts: Vec<&str> = field
            .split('.')
            .filter_map(|p| p.split('[').next().filter(|k| !k.is_empty()))
            .collect();
        // The field itself, else its nearest parent, else the record's `id`:
        // a report always has a place to point at.
        let found = (1..=parts.len())
            .rev()
            .find_map(|n| yaml::locate_key(text, &parts[..n]))
            .or_else(|| yaml::locate_key(text, &["id"]))
            .or(Some((1, 1)));
        if let Some((line, column)) = found {
            f.line = Some(line);
            f.column = Some(column);
        }
    }
}

/// The error rules the record `after` breaks that `before` did not: what a
/// command must refuse to make. Rules a record already broke (a hand edit)
/// do not block unrelated changes; but a status move (`moved`) must meet
/// every rule that depends on the status, whatever was broken before, since
/// those rules are the preconditions of the status it moves to.
pub fn new_errors(
    store: &Store,
    before: Option<(&Value, &Record)>,
    after: (&Value, &Record),
    moved: bool,
) -> Result<Vec<Violation>> {
    let register = standard_register(store)?;
    let lookup = StoreLookup(store);
    let cx = Context {
        policy: store.policy(),
        register: &register,
        lookup: &lookup,
    };
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
                && (!old.contains(&v.rule) || (moved && gated_by_status(store, &v.rule)))
        })
        .collect();
    // The repository rules the change can break, judged on what it reaches;
    // one the record broke before (by field) is not the command's doing.
    let old_repo: BTreeSet<(String, String)> = before
        .map(|(_, rec)| {
            repository::errors(store, rec)
                .into_iter()
                .map(|v| (v.rule, v.field))
                .collect()
        })
        .unwrap_or_default();
    new.extend(
        repository::errors(store, after.1)
            .into_iter()
            .filter(|v| !old_repo.contains(&(v.rule.clone(), v.field.clone()))),
    );
    Ok(new)
}

/// Whether a rule applies only in some statuses: a precondition of them.
fn gated_by_status(store: &Store, rule: &str) -> bool {
    store
        .policy()
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
