//! `arende import`: records from a CSV, JSON or YAML file, or a ServiceNow
//! incident event log, checked all before any is written, and written with
//! one commit.
//!
//! The import is all or nothing: every row is read, mapped, classified and
//! checked first; if any row is bad, every bad row is reported (row number as
//! a spreadsheet shows it, column, reason) and nothing is written. It is
//! idempotent: each record keeps where it came from in `source: {system,
//! id}` (arende's own export keeps its IDs instead), so a second run finds
//! the records the first made, changes nothing and makes no commit. With
//! `update`, rows that changed since are applied to the records they made,
//! with `history` events saying so.
//!
//! What blocks an import: input that cannot be read, values that are not
//! the field's type or allowed values, a history the policy's status machine
//! cannot walk (REC004), and personal identity numbers (SEC001, unless
//! forced). The policy's rules are reported in the summary, not enforced,
//! unless `strict`: imported history is what it was, and a rule that needs
//! data the other system never kept (a major incident manager) cannot be
//! met by an import without inventing it.

mod error;
mod generic;
mod mapping;
mod servicenow;
mod table;
pub mod values;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::Oid;
use rayon::prelude::*;

pub use error::{ImportError, RowError, Unit};
pub use mapping::ImportMapping;

use crate::error::Error;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::{Policy, Severity, StatusMachine};
use crate::record::{Event, FieldChange, Record, document};
use crate::store::{CommitMode, Entry, FileState, Store};
use crate::validate::{self, Lookup};
use crate::yaml::{self, Mapping, Value};
use crate::{classify::apply_classification, schema::canonical_order, store::Context};
use values::DateRules;

/// The largest input an import reads (1 GiB).
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV with the record model's field names (dotted for nested fields), or mapped.
    Csv,
    /// A JSON list of records, as `arende export` writes.
    Json,
    /// A YAML list of records.
    Yaml,
    /// A ServiceNow incident event log (CSV).
    ServiceNow,
}

impl InputFormat {
    /// The name, as `--input` takes it.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::Json => "json",
            InputFormat::Yaml => "yaml",
            InputFormat::ServiceNow => "servicenow",
        }
    }

    /// The format of an input with no `--format`: by the file's extension,
    /// else by its first characters; CSV with the columns of a ServiceNow
    /// event log is one.
    pub fn guess(path: &Path, text: &str) -> InputFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let by_ext = match ext.as_deref() {
            Some("json") => Some(InputFormat::Json),
            Some("yaml" | "yml") => Some(InputFormat::Yaml),
            Some("csv") => Some(InputFormat::Csv),
            _ => None,
        };
        let start = text.trim_start_matches('\u{feff}').trim_start();
        let format = by_ext.unwrap_or(if start.starts_with(['[', '{']) {
            InputFormat::Json
        } else if start.starts_with("- ") || start.starts_with("---") {
            InputFormat::Yaml
        } else {
            InputFormat::Csv
        });
        if format == InputFormat::Csv {
            let header: Vec<String> = start
                .lines()
                .next()
                .unwrap_or_default()
                .split([',', ';', '\t'])
                .map(|c| c.trim().trim_matches('"').to_owned())
                .collect();
            if servicenow::looks_like_event_log(&header) {
                return InputFormat::ServiceNow;
            }
        }
        format
    }
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The input's format; guessed when `None`.
    pub format: Option<InputFormat>,
    /// How another tool's columns map to fields.
    pub mapping: Option<ImportMapping>,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Apply changed rows to the records they made.
    pub update: bool,
    /// Refuse the import if a record would break an error rule of the policy.
    pub strict: bool,
    /// Import text holding a personal identity number.
    pub force: bool,
}

/// The input: its name (for messages and the commit) and its text.
#[derive(Debug, Clone)]
pub struct Input {
    /// As named on the command line (`-` for standard input).
    pub name: PathBuf,
    /// The text.
    pub text: String,
}

impl Input {
    /// Reads a file, refusing symbolic links' targets no more than other
    /// files, but files over [`MAX_INPUT_BYTES`] and text that is not UTF-8.
    pub fn read(path: &Path) -> crate::error::Result<Input> {
        let text = crate::fs::read_text(path, MAX_INPUT_BYTES).or_else(|e| match e {
            Error::Symlink { .. } => {
                // An input file is not a record: a link to one is fine.
                let target = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
                crate::fs::read_text_as(&target, path, MAX_INPUT_BYTES)
            }
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Err(
                Error::usage(format!("{}: no such file", path.display()), None),
            ),
            other => Err(other),
        })?;
        Ok(Input {
            name: path.to_owned(),
            text,
        })
    }
}

/// Told how far an import has come; the CLI draws a bar with it.
pub trait Progress: Sync {
    /// A stage begins, with this many steps (0: unknown).
    fn start(&self, _stage: &'static str, _total: u64) {}
    /// Steps done.
    fn advance(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self) {}
}

/// Reports no progress.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Where the policy's priority differs from the one the input gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityDiff {
    /// The record.
    pub id: RecordId,
    /// Its key in the other system.
    pub source: String,
    /// The input's priority.
    pub given: u8,
    /// The policy's.
    pub policy: u8,
}

/// A rule of the policy that imported records break.
#[derive(Debug, Clone)]
pub struct RuleTally {
    /// The rule.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// What it says.
    pub message: String,
    /// The records that break it.
    pub records: Vec<RecordId>,
    /// How to name each of `records` to a person: its ID, or, in a dry run,
    /// the source row of a record whose ID is not made yet (the dry run's
    /// IDs are drawn at random and the real import draws others).
    pub examples: Vec<String>,
}

impl RuleTally {
    fn push(&mut self, id: &RecordId, c: &Candidate, dry_run: bool) {
        let example = match (&c.key, &c.keep_id) {
            (Key::Source(..), None) if dry_run => format!("{} (row {})", c.key.describe(), c.row),
            _ => id.to_string(),
        };
        self.records.push(id.clone());
        self.examples.push(example);
    }
}

/// A warning, with the rows or records it concerns.
#[derive(Debug, Clone)]
pub struct Warning {
    /// What happened.
    pub message: String,
    /// Examples: source IDs or rows (empty for warnings about the whole input).
    pub examples: Vec<String>,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone)]
pub struct Summary {
    /// The input.
    pub input: PathBuf,
    /// Its format.
    pub format: InputFormat,
    /// Rows (or records) read.
    pub rows: usize,
    /// Records they make.
    pub records: usize,
    /// Records created.
    pub created: Vec<RecordId>,
    /// Records updated.
    pub updated: Vec<RecordId>,
    /// Records found as they are.
    pub unchanged: usize,
    /// Records whose rows changed, left alone because `update` was not asked.
    pub differing: Vec<RecordId>,
    /// The commit made.
    pub commit: Option<Oid>,
    /// Whether nothing was written because of `dry_run`.
    pub dry_run: bool,
    /// Where the policy's priority differs from the input's.
    pub priority_diffs: Vec<PriorityDiff>,
    /// Rules of the policy the written records break.
    pub rules: Vec<RuleTally>,
    /// Everything else worth knowing.
    pub warnings: Vec<Warning>,
}

impl Summary {
    /// The summary for scripts: the same facts the human summary prints.
    pub fn to_json(&self) -> serde_json::Value {
        let ids = |v: &[RecordId]| {
            v.iter()
                .map(|id| id.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        serde_json::json!({
            "input": self.input.display().to_string(),
            "input_format": self.format.name(),
            "rows": self.rows,
            "records": self.records,
            "created": ids(&self.created),
            "updated": ids(&self.updated),
            "unchanged": self.unchanged,
            "differing": ids(&self.differing),
            "dry_run": self.dry_run,
            "commit": self.commit.map(|c| c.to_string()),
            "priority_differences": self.priority_diffs.iter().map(|d| serde_json::json!({
                "id": d.id.as_str(),
                "source": d.source,
                "given": d.given,
                "policy": d.policy,
            })).collect::<Vec<_>>(),
            "rules": self.rules.iter().map(|r| serde_json::json!({
                "rule": r.rule,
                "severity": r.severity.as_str(),
                "message": r.message,
                "count": r.records.len(),
                "records": ids(&r.records),
                "examples": r.examples,
            })).collect::<Vec<_>>(),
            "warnings": self.warnings.iter().map(|w| serde_json::json!({
                "message": w.message,
                "examples": w.examples,
            })).collect::<Vec<_>>(),
        })
    }
}

/// A record as the input gives it, before it meets the repository.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub unit: Unit,
    /// The row to name for the record as a whole.
    pub row: usize,
    pub line: Option<u64>,
    pub kind: Kind,
    pub key: Key,
    /// The ID the input gives (arende's own export).
    pub keep_id: Option<RecordId>,
    /// The fields, in the input's order; `status` and `history` if given.
    /// Empty while the row waits to be checked (see [`Candidate::packed`]).
    pub doc: Mapping,
    /// The fields while they wait, encoded, and what matching reads of them before then.
    pub held: Held,
    /// Where each field came from, to point errors at the input.
    pub origin: Origin,
    /// The priority the input gave.
    pub source_priority: Option<u8>,
    /// Put a new record's keys in the usual order.
    pub reorder: bool,
    /// A top-level key the import owns whole (`servicenow`): on update, keys
    /// gone from the source are removed from it.
    pub owned_block: Option<String>,
}

/// A candidate's fields while it waits to be checked: encoded (at 100 000
/// rows the maps were most of an import's memory), with the two that
/// matching reads before then.
#[derive(Debug, Clone, Default)]
pub(crate) struct Held {
    packed: Vec<u8>,
    opened_at: Option<Value>,
    links: Option<Value>,
}

impl Candidate {
    /// The candidate with its fields put away until [`unpack`](Self::unpack).
    pub fn packed(mut self) -> Candidate {
        let doc = std::mem::take(&mut self.doc);
        self.held = Held {
            opened_at: doc.get("opened_at").cloned(),
            links: doc.get("links").cloned(),
            packed: crate::store::cache::pack(&Value::Mapping(doc)),
        };
        self
    }

    /// Takes its fields back out.
    fn unpack(&mut self) -> Result<(), Vec<RowError>> {
        if self.held.packed.is_empty() {
            return Ok(());
        }
        match crate::store::cache::unpack(&self.held.packed) {
            Some(Value::Mapping(doc)) => {
                self.doc = doc;
                self.held.packed = Vec::new();
                Ok(())
            }
            _ => Err(vec![RowError::row(
                self.unit,
                self.row,
                "arende could not read back its copy of this row (a fault of arende's, not of the input); nothing was imported",
            )]),
        }
    }
}

/// Where a candidate's fields came from: (dotted field, row, column). The
/// names are shared with every other row's, so at 100 000 rows this is a
/// list of row numbers and pointers, not a map of strings per row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin(Vec<(Arc<str>, usize, Arc<str>)>);

impl Origin {
    /// Notes that `field` came from `row`, `column` (the last note wins).
    /// Appended without a search: a row of 100 000 columns made a search
    /// per column quadratic (over a minute); a field is noted again only
    /// where a mapping sends two columns to it.
    pub fn insert(&mut self, field: Arc<str>, row: usize, column: Arc<str>) {
        self.0.push((field, row, column));
    }

    /// Where `field` came from: its last note. Asked only for a row error.
    fn get(&self, field: &str) -> Option<(usize, &str)> {
        self.0
            .iter()
            .rev()
            .find(|(f, ..)| &**f == field)
            .map(|(_, row, column)| (*row, &**column))
    }
}

/// What identifies a record across runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// `source: {system, id}`.
    Source(String, String),
    /// arende's own ID.
    Id(RecordId),
}

impl Key {
    fn describe(&self) -> String {
        match self {
            Key::Source(s, id) => format!("{s} {id}"),
            Key::Id(id) => id.to_string(),
        }
    }
}

/// What the builders read values with.
pub(crate) struct Env<'a> {
    pub policy: &'a Policy,
    pub rules: DateRules,
}

/// Warnings gathered from many threads, each with examples.
#[derive(Default)]
pub(crate) struct Tally(Mutex<BTreeMap<String, Vec<String>>>);

impl Tally {
    pub fn add(&self, message: impl Into<String>, example: impl Into<String>) {
        let example = example.into();
        if let Ok(mut map) = self.0.lock() {
            let list = map.entry(message.into()).or_default();
            if !example.is_empty() && !list.contains(&example) {
                list.push(example);
            }
        }
    }

    fn into_warnings(self) -> Vec<Warning> {
        self.0
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|(message, examples)| Warning { message, examples })
            .collect()
    }
}

/// The shortest way through the machine from `from` to `to` (the statuses
/// after `from`, ending with `to`), if there is one.
pub(crate) fn walk(machine: &StatusMachine, from: &str, to: &str) -> Option<Vec<String>> {
    let mut previous: HashMap<String, String> = HashMap::new();
    let mut queue = VecDeque::from([from.to_owned()]);
    while let Some(at) = queue.pop_front() {
        if at == to && at != from {
            break;
        }
        for next in machine.next(&at) {
            if next != from && !previous.contains_key(next) {
                previous.insert(next.clone(), at.clone());
                queue.push_back(next.clone());
            }
        }
    }
    let mut path = vec![to.to_owned()];
    let mut at = to;
    while let Some(p) = previous.get(at) {
        if p == from {
            path.reverse();
            return Some(path);
        }
        path.push(p.clone());
        at = p;
    }
    None
}

/// A plan, or the row's errors.
type Planned = Result<(Plan, Option<PriorityDiff>), Vec<RowError>>;

/// What happens to one candidate.
#[derive(Clone)]
enum Plan {
    Create { id: RecordId, doc: Value },
    Update { id: RecordId, doc: Value },
    Unchanged,
    Differs { id: RecordId },
}

/// A checked plan, or the row's errors.
type Checked = Result<(Ready, Option<PriorityDiff>), Vec<RowError>>;

/// A checked plan: a record to write is held as its path and text.
enum Ready {
    Create {
        id: RecordId,
        file: (PathBuf, Vec<u8>),
    },
    Update {
        id: RecordId,
        file: (PathBuf, Vec<u8>),
    },
    Unchanged,
    Differs {
        id: RecordId,
    },
}

/// Imports `input` into the repository of `cx`.
pub fn import(
    cx: &Context<'_>,
    input: &Input,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Summary, ImportError> {
    let store = cx.store;
    let format = options
        .format
        .unwrap_or_else(|| InputFormat::guess(&input.name, &input.text));
    let mapping = options.mapping.as_ref();
    if let Some(p) = mapping.and_then(|m| m.party.as_deref())
        && store.policy().party(p).is_none_or(|p| !p.reports)
    {
        return Err(Error::usage(
            format!(
                "the mapping's party `{p}` is not a reporting party of the {} policy",
                store.policy().name
            ),
            Some(format!(
                "parties: {}",
                store
                    .policy()
                    .parties
                    .iter()
                    .filter(|p| p.reports)
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        )
        .into());
    }
    let env = Env {
        policy: store.policy(),
        rules: DateRules {
            tz: store.tz(),
            formats: mapping.map(|m| m.date_formats.clone()).unwrap_or_default(),
        },
    };
    let tally = Tally::default();

    // Under the lock: what the repository holds, read before the rows are
    // mapped, so that what the read needs on its way is given back before
    // 100 000 mapped rows take theirs.
    let mut tx = store.begin()?;
    // Each record's typed view only: a record's document is read again
    // where a row updates it or a link check looks at it. Holding every
    // document made a second import of 100 000 rows take 2 GB.
    let (scan, _) = store.records(&[], &|_| true, crate::store::cache::Docs::DropUncached);
    if let Some(first) = scan.errors.first() {
        return Err(Error::usage(
            format!(
                "{} record file(s) of the repository cannot be read, so the import cannot tell which records it made already; nothing was imported: {first}",
                scan.errors.len()
            ),
            Some("fix the files `arende validate` names, then import again".to_owned()),
        )
        .into());
    }

    // 1. Read and map every row.
    progress.start("reading", 0);
    let (rows, candidates, mut errors) = match format {
        InputFormat::Csv | InputFormat::ServiceNow => {
            let (table, mut errors) =
                table::read_csv(&input.text, mapping.and_then(|m| m.delimiter));
            let (cands, mut more) = if format == InputFormat::ServiceNow {
                servicenow::candidates(&table, mapping, &env, &tally)
            } else {
                generic::from_table(&table, mapping, &env, &tally)
            };
            errors.append(&mut more);
            (table.rows.len(), cands, errors)
        }
        InputFormat::Json | InputFormat::Yaml => {
            let (items, mut errors) =
                table::read_items(&input.name, &input.text, format == InputFormat::Json)?;
            let n = items.len() + errors.len();
            let (cands, mut more) = generic::from_items(items, mapping, &env, &tally);
            errors.append(&mut more);
            (n, cands, errors)
        }
    };
    progress.finish();

    // 2. Match the rows with the records they make or update.
    let by_source: HashMap<(&str, &str), usize> = scan
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.record
                .common
                .source
                .as_ref()
                .map(|s| ((s.system.as_str(), s.id.as_str()), i))
        })
        .collect();
    let by_id: HashMap<&RecordId, usize> = scan
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.record.id(), i))
        .collect();

    // Match, and give new records their IDs (one at a time: they must differ).
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut used: HashSet<RecordId> = HashSet::new();
    let mut matched: Vec<(Candidate, Option<usize>, Option<RecordId>)> =
        Vec::with_capacity(candidates.len());
    for c in candidates {
        if let Some(first) = seen.get(&c.key) {
            errors.push(RowError {
                unit: c.unit,
                row: c.row,
                line: c.line,
                column: None,
                reason: format!(
                    "{} is also {} {first}; each record may appear once",
                    c.key.describe(),
                    match c.unit {
                        Unit::Row => "row",
                        Unit::Record => "record",
                    }
                ),
            });
            continue;
        }
        seen.insert(c.key.clone(), c.row);
        let existing = match &c.key {
            Key::Source(s, id) => by_source
                .get(&(s.as_str(), id.as_str()))
                .copied()
                .or_else(|| c.keep_id.as_ref().and_then(|id| by_id.get(id).copied())),
            Key::Id(id) => by_id.get(id).copied(),
        };
        if let (Some(i), Some(id), Key::Source(s, sid)) = (existing, &c.keep_id, &c.key) {
            let entry = &scan.entries[i];
            let other = entry.record.common.source.as_ref();
            if entry.record.id() == id && other.is_some_and(|o| (&o.system, &o.id) != (s, sid)) {
                errors.push(RowError::row(
                    c.unit,
                    c.row,
                    format!(
                        "{id} is already the record of {}, not of {s} {sid}",
                        other
                            .map(|o| format!("{} {}", o.system, o.id))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
        }
        let new_id = match existing {
            Some(_) => None,
            None => Some(match &c.keep_id {
                Some(id) => {
                    if !used.insert(id.clone()) {
                        errors.push(RowError::row(
                            c.unit,
                            c.row,
                            format!("{id} appears twice in the input"),
                        ));
                        continue;
                    }
                    id.clone()
                }
                None => {
                    let date = opened_date(c.held.opened_at.as_ref(), cx);
                    loop {
                        let id = RecordId::generate(c.kind, date);
                        let taken = by_id.contains_key(&id) || store.id_taken(&id);
                        if !taken && used.insert(id.clone()) {
                            break id;
                        }
                    }
                }
            }),
        };
        matched.push((c, existing, new_id));
    }

    // 3. Build and check every record, in parallel. A record is kept as
    // the text it will be written as, not as its document: at 100 000 rows
    // the documents are most of an import's memory. Only the records some
    // record links to are built first and kept whole, since the checks of a
    // link read the linked record.
    let targets = link_targets(&matched, &scan.entries);
    let id_of = |(_, existing, new_id): &(Candidate, Option<usize>, Option<RecordId>)| {
        new_id
            .as_ref()
            .or_else(|| existing.map(|i| scan.entries[i].record.id()))
            .cloned()
    };
    let early: HashMap<usize, Planned> = matched
        .par_iter()
        .enumerate()
        .filter(|(_, m)| id_of(m).is_some_and(|id| targets.contains(&id)))
        .map(|(i, (c, existing, new_id))| {
            let mut c = c.clone();
            let out = c.unpack().and_then(|()| {
                plan(
                    cx,
                    &c,
                    existing.map(|i| &scan.entries[i]),
                    new_id.as_ref(),
                    options,
                )
            });
            (i, out)
        })
        .collect();
    let staged: HashMap<RecordId, &Value> = early
        .values()
        .filter_map(|p| match p {
            Ok((Plan::Create { id, doc } | Plan::Update { id, doc }, _)) => Some((id.clone(), doc)),
            _ => None,
        })
        .collect();
    let register = validate::standard_register(store)?;
    let lookup = ImportLookup {
        staged: &staged,
        root: store.root(),
        scanned: scan
            .entries
            .iter()
            .map(|e| (e.record.id(), e.path.as_path()))
            .collect(),
    };
    let vcx = validate::Context {
        policy: store.policy(),
        register: &register,
        lookup: &lookup,
    };
    let rule_hits: Mutex<BTreeMap<String, RuleTally>> = Mutex::new(BTreeMap::new());
    progress.start("checking", matched.len() as u64);
    let built: Vec<Checked> = matched
        .par_iter_mut()
        .enumerate()
        .map(|(i, (c, existing, new_id))| {
            // A linked record was planned already; its plan is cloned, as
            // the plans of the records linking to it still read it.
            let planned = c.unpack().and_then(|()| match early.get(&i) {
                Some(p) => p.clone(),
                None => plan(
                    cx,
                    c,
                    existing.map(|i| &scan.entries[i]),
                    new_id.as_ref(),
                    options,
                ),
            });
            let out = planned.and_then(|(p, diff)| {
                let ready = ready(cx, &vcx, c, p, &by_id, &scan.entries, options, &rule_hits)?;
                Ok((ready, diff))
            });
            // The row's copy of its fields is not read again, and at 100 000
            // rows it is hundreds of MB.
            c.doc = Mapping::new();
            progress.advance(1);
            out
        })
        .collect();
    progress.finish();
    let mut plans = Vec::with_capacity(built.len());
    let mut priority_diffs = Vec::new();
    for (b, (c, ..)) in built.into_iter().zip(&matched) {
        match b {
            Ok((p, diff)) => {
                priority_diffs.extend(diff);
                plans.push((p, c));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| (a.unit, a.row, &a.column).cmp(&(b.unit, b.row, &b.column)));
        errors.dedup();
        return Err(ImportError::Rows {
            input: input.name.clone(),
            errors,
        });
    }

    let mut summary = Summary {
        input: input.name.clone(),
        format,
        rows,
        records: plans.len(),
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: 0,
        differing: Vec::new(),
        commit: None,
        dry_run: options.dry_run,
        priority_diffs,
        rules: rule_hits
            .into_inner()
            .unwrap_or_default()
            .into_values()
            .map(|mut t| {
                // By how a person sees them: the IDs, or a dry run's rows.
                let mut pairs: Vec<(String, RecordId)> =
                    t.examples.into_iter().zip(t.records).collect();
                pairs.sort();
                (t.examples, t.records) = pairs.into_iter().unzip();
                t
            })
            .collect(),
        warnings: Vec::new(),
    };
    // "Unchanged" means unchanged in HEAD: a record the import owns whose
    // file is as the import would write it but is not committed (a killed
    // import's, a `--no-commit` one's) is committed now.
    // (No row failed, so `plans` and `matched` are in step.)
    let unchanged: Vec<&Entry> = plans
        .iter()
        .zip(&matched)
        .filter(|((p, _), _)| matches!(p, Ready::Unchanged))
        .filter_map(|(_, (_, existing, _))| existing.map(|i| &scan.entries[i]))
        .collect();
    let paths: Vec<PathBuf> = unchanged.iter().map(|e| e.path.clone()).collect();
    let states = if cx.mode == CommitMode::Commit {
        store.file_states(&paths)?
    } else {
        None
    };
    let mut catch_up: Vec<(&Entry, FileState)> = Vec::new();
    for (entry, state) in unchanged.into_iter().zip(states.into_iter().flatten()) {
        if state != FileState::Committed {
            catch_up.push((entry, state));
        }
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (p, _) in plans {
        match p {
            Ready::Create { id, file } => {
                summary.created.push(id);
                files.push(file);
            }
            Ready::Update { id, file } => {
                summary.updated.push(id);
                files.push(file);
            }
            Ready::Unchanged => summary.unchanged += 1,
            Ready::Differs { id } => summary.differing.push(id),
        }
    }
    let mut carried = Vec::new();
    for (entry, state) in catch_up {
        let id = entry.record.id();
        summary.unchanged -= 1;
        if state == FileState::NotInHead {
            summary.created.push(id.clone());
        } else {
            summary.updated.push(id.clone());
            carried.push(id.to_string());
        }
        // As it is in the working tree: as the import would write it.
        let abs = store.root().join(&entry.path);
        let text = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
        files.push((entry.path.clone(), text));
    }
    let message = format!(
        "{} record(s) the import made had changes in the working tree that were not committed; they are committed with this import (`git show HEAD` shows them)",
        carried.len()
    );
    for id in carried {
        tally.add(message.clone(), id);
    }
    if !summary.differing.is_empty() {
        tally.add(
            format!(
                "{} record(s) differ from their rows in the input and were left as they are; import again with --update to apply the rows",
                summary.differing.len()
            ),
            String::new(),
        );
    }
    summary.warnings = tally.into_warnings();
    if options.dry_run || files.is_empty() {
        return Ok(summary);
    }

    // 5. Write, in one commit.
    for (rel, bytes) in files {
        tx.write_file(rel, bytes);
    }
    progress.start("committing", 0);
    let name = input.name.file_name().map_or_else(
        || input.name.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let message = format!(
        "import: {} created, {} updated from {name} ({})\n\n{} rows read; {} records: {} created, {} updated, {} unchanged.\n",
        summary.created.len(),
        summary.updated.len(),
        format.name(),
        summary.rows,
        summary.records,
        summary.created.len(),
        summary.updated.len(),
        summary.unchanged,
    );
    let commit = tx.finish(cx.mode, &message, &cx.author, &cx.now);
    progress.finish();
    summary.commit = commit?;
    Ok(summary)
}

/// Checks a plan's record and turns it into the file it will be written
/// as (in a dry run, which writes nothing, without its text); the document
/// is dropped here.
#[allow(clippy::too_many_arguments)]
fn ready(
    cx: &Context<'_>,
    vcx: &validate::Context<'_>,
    c: &Candidate,
    plan: Plan,
    by_id: &HashMap<&RecordId, usize>,
    entries: &[Entry],
    options: &ImportOptions,
    hits: &Mutex<BTreeMap<String, RuleTally>>,
) -> Result<Ready, Vec<RowError>> {
    let (id, doc, created) = match plan {
        Plan::Create { id, doc } => (id, doc, true),
        Plan::Update { id, doc } => (id, doc, false),
        Plan::Unchanged => return Ok(Ready::Unchanged),
        Plan::Differs { id } => return Ok(Ready::Differs { id }),
    };
    let problems = check(cx, vcx, c, &id, &doc, options, hits);
    if !problems.is_empty() {
        return Err(problems);
    }
    // A record the repository has is rewritten where it is; a new one is
    // filed in its month's folder.
    let rel = by_id
        .get(&id)
        .map_or_else(|| cx.store.rel_path(&id), |&i| entries[i].path.clone());
    let text = if options.dry_run {
        Vec::new()
    } else {
        doc.as_mapping()
            .map(yaml::to_string)
            .unwrap_or_default()
            .into_bytes()
    };
    let file = (rel, text);
    Ok(if created {
        Ready::Create { id, file }
    } else {
        Ready::Update { id, file }
    })
}

/// The records some record links to: those the input's rows name under
/// `links`, and those the repository's records that the rows update link
/// to. Only these are looked up while checking.
fn link_targets(
    matched: &[(Candidate, Option<usize>, Option<RecordId>)],
    entries: &[Entry],
) -> HashSet<RecordId> {
    fn ids_in(v: &Value, out: &mut HashSet<RecordId>) {
        match v {
            Value::String(s) => {
                if let Ok(id) = RecordId::parse(s) {
                    out.insert(id);
                }
            }
            Value::Sequence(items) => items.iter().for_each(|v| ids_in(v, out)),
            Value::Mapping(m) => m.values().for_each(|v| ids_in(v, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    for (c, existing, _) in matched {
        if let Some(links) = &c.held.links {
            ids_in(links, &mut out);
        }
        if let Some(i) = existing {
            out.extend(entries[*i].record.common.links.all().cloned());
        }
    }
    out
}

fn opened_date(opened_at: Option<&Value>, cx: &Context<'_>) -> chrono::NaiveDate {
    opened_at
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or(cx.now)
        .with_timezone(&cx.store.tz())
        .date_naive()
}

/// The records a link check reads: those the import makes, as staged, and
/// the repository's, read from their files when asked for.
struct ImportLookup<'a> {
    staged: &'a HashMap<RecordId, &'a Value>,
    root: &'a Path,
    scanned: HashMap<&'a RecordId, &'a Path>,
}

impl Lookup for ImportLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        match self.staged.get(id) {
            Some(doc) => Some((*doc).clone()),
            None => {
                let rel = self.scanned.get(id)?;
                crate::store::read_entry(self.root, rel)
                    .ok()
                    .map(|(e, _)| e.doc)
            }
        }
    }
}

/// A row error pointing at the column a field came from.
fn field_error(c: &Candidate, field: &str, reason: String) -> RowError {
    let parts: Vec<&str> = field.split('.').collect();
    let found = (1..=parts.len())
        .rev()
        .find_map(|n| c.origin.get(&parts[..n].join(".")));
    let (row, column) = match found {
        Some((row, column)) => (row, column.to_owned()),
        None => (c.row, field.to_owned()),
    };
    RowError {
        unit: c.unit,
        row,
        line: if row == c.row { c.line } else { None },
        column: Some(column),
        reason,
    }
}

fn from_error(c: &Candidate, e: Error) -> RowError {
    match e {
        Error::Field { field, message, .. } => field_error(c, &field, message),
        other => RowError::row(c.unit, c.row, other.to_string()),
    }
}

fn event(
    cx: &Context<'_>,
    status: Option<String>,
    note: String,
    changes: Vec<FieldChange>,
) -> Value {
    yaml::to_value(&Event {
        at: cx.now,
        by: cx.author.to_string(),
        status,
        note: Some(note),
        changes,
    })
}

fn system_of(c: &Candidate) -> String {
    match &c.key {
        Key::Source(s, _) => s.clone(),
        Key::Id(_) => "arende".to_owned(),
    }
}

/// What to do with one candidate.
fn plan(
    cx: &Context<'_>,
    c: &Candidate,
    existing: Option<&Entry>,
    new_id: Option<&RecordId>,
    options: &ImportOptions,
) -> Planned {
    let machine = cx.store.policy().machine(c.kind);
    if let Some(status) = c.doc.get("status").and_then(Value::as_str)
        && !machine.transitions.contains_key(status)
        && !machine.transitions.values().flatten().any(|s| s == status)
    {
        return Err(vec![field_error(
            c,
            "status",
            format!(
                "`{status}` is not a status of a {} ({})",
                c.kind,
                crate::record::statuses(c.kind).join(", ")
            ),
        )]);
    }
    let (id, mut doc, created) = match (existing, new_id) {
        (None, Some(id)) => (id.clone(), new_doc(cx, c, id)?, true),
        (Some(entry), _) => match update_doc(cx, c, &whole(cx.store, c, entry)?)? {
            None => return Ok((Plan::Unchanged, None)),
            Some(_) if !options.update => {
                return Ok((
                    Plan::Differs {
                        id: entry.record.id().clone(),
                    },
                    None,
                ));
            }
            Some(doc) => (entry.record.id().clone(), doc, false),
        },
        (None, None) => unreachable!("a new record is given an ID"),
    };
    let path = cx.store.rel_path(&id);
    let mut value = Value::Mapping(std::mem::take(&mut doc));
    let changes = apply_classification(cx.store.policy(), &path, &mut value)
        .map_err(|e| vec![from_error(c, e)])?;
    if created && c.reorder && !changes.is_empty() {
        // Classification appends the fields it sets; put them in their place.
        if let Value::Mapping(m) = value {
            value = Value::Mapping(canonical_order(c.kind, m));
        }
    }
    if !created && !changes.is_empty() {
        // The update event names the fields classification changed too.
        if let Some(Value::Sequence(h)) = value.as_mapping_mut().and_then(|m| m.get_mut("history"))
        {
            match h.last_mut().and_then(Value::as_mapping_mut) {
                Some(last)
                    if last.get("at") == Some(&Value::String(values::rfc3339(&cx.now)))
                        && last.get("status").is_none()
                        && last.contains_key("changes") =>
                {
                    if let Some(Value::Sequence(list)) = last.get_mut("changes") {
                        list.extend(changes.iter().map(yaml::to_value));
                    }
                }
                _ => h.push(event(
                    cx,
                    None,
                    format!("classified after the {} import", system_of(c)),
                    changes,
                )),
            }
        }
    }
    let policy_priority = value
        .get("priority")
        .and_then(Value::as_u64)
        .and_then(|p| u8::try_from(p).ok());
    let diff = match (c.source_priority, policy_priority, &c.key) {
        (Some(given), Some(policy), key) if given != policy => Some(PriorityDiff {
            id: id.clone(),
            source: match key {
                Key::Source(_, sid) => sid.clone(),
                Key::Id(rid) => rid.to_string(),
            },
            given,
            policy,
        }),
        _ => None,
    };
    Ok((
        if created {
            Plan::Create { id, doc: value }
        } else {
            Plan::Update { id, doc: value }
        },
        diff,
    ))
}

/// A record of the repository with its document, read again from its file
/// (the scan keeps none).
fn whole(store: &Store, c: &Candidate, entry: &Entry) -> Result<Entry, Vec<RowError>> {
    crate::store::read_entry(store.root(), &entry.path)
        .map(|(e, _)| e)
        .map_err(|e| vec![RowError::row(c.unit, c.row, e.to_string())])
}

/// A new record's document.
fn new_doc(cx: &Context<'_>, c: &Candidate, id: &RecordId) -> Result<Mapping, Vec<RowError>> {
    let machine = cx.store.policy().machine(c.kind);
    let mut doc = Mapping::new();
    if !c.doc.contains_key("id") {
        doc.insert("id".into(), Value::String(id.to_string()));
    }
    if !c.doc.contains_key("kind") && !c.doc.contains_key("id") {
        doc.insert("kind".into(), Value::String(c.kind.name().to_owned()));
    }
    for (k, v) in &c.doc {
        doc.insert(k.clone(), v.clone());
        if k.as_str() == Some("id") && !c.doc.contains_key("kind") {
            doc.insert("kind".into(), Value::String(c.kind.name().to_owned()));
        }
    }
    if !doc.contains_key("status") {
        doc.insert("status".into(), Value::String(machine.initial.clone()));
    }
    let opened = match doc.get("opened_at").and_then(Value::as_str) {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t).ok(),
        None => {
            doc.insert("opened_at".into(), Value::String(values::rfc3339(&cx.now)));
            Some(cx.now)
        }
    };
    if !doc.contains_key("history") {
        let status = doc
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or(&machine.initial)
            .to_owned();
        let opened = opened.unwrap_or(cx.now);
        let mut history = vec![yaml::to_value(&Event {
            at: opened,
            by: cx.author.to_string(),
            status: Some(machine.initial.clone()),
            note: Some(match &c.key {
                Key::Source(s, sid) => format!("imported from {s} {sid}"),
                Key::Id(_) => "imported".to_owned(),
            }),
            changes: Vec::new(),
        })];
        if status != machine.initial {
            let steps = walk(machine, &machine.initial, &status).ok_or_else(|| {
                vec![field_error(
                    c,
                    "status",
                    format!(
                        "the {} policy has no way from {} to {status}",
                        cx.store.policy().name,
                        machine.initial
                    ),
                )]
            })?;
            let at = opened.max(cx.now);
            for step in steps {
                history.push(yaml::to_value(&Event {
                    at,
                    by: cx.author.to_string(),
                    status: Some(step),
                    note: Some("status as imported".to_owned()),
                    changes: Vec::new(),
                }));
            }
        }
        doc.insert("history".into(), Value::Sequence(history));
    }
    Ok(if c.reorder {
        canonical_order(c.kind, doc)
    } else {
        doc
    })
}

/// Leaves of a mapping by dotted path (lists and empty mappings are leaves).
fn leaves(prefix: &str, map: &Mapping, out: &mut Vec<(String, Value)>) {
    for (k, v) in map {
        let Some(k) = k.as_str() else { continue };
        let path = if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Mapping(m) if !m.is_empty() => leaves(&path, m, out),
            other => out.push((path, other.clone())),
        }
    }
}

/// The record as the input would have it now, or `None` if the input
/// changes nothing. Keys a person added since are kept; the input's values
/// win where both have one.
fn update_doc(
    cx: &Context<'_>,
    c: &Candidate,
    entry: &Entry,
) -> Result<Option<Mapping>, Vec<RowError>> {
    const NOT_COMPARED: &[&str] = &["id", "kind", "status", "history", "priority"];
    let machine = cx.store.policy().machine(c.kind);
    let mut doc = entry.doc.as_mapping().cloned().unwrap_or_default();
    let mut wanted = Vec::new();
    leaves("", &c.doc, &mut wanted);
    let mut changes = Vec::new();
    for (path, value) in &wanted {
        let top = path.split('.').next().unwrap_or_default();
        if NOT_COMPARED.contains(&top) {
            continue;
        }
        let old = document::get(&doc, path).cloned();
        if old.as_ref() != Some(value) {
            document::set(&mut doc, path, value.clone())
                .map_err(|m| vec![field_error(c, path, m)])?;
            changes.push(FieldChange {
                field: path.clone(),
                from: old,
                to: Some(value.clone()),
            });
        }
    }
    if let Some(block) = &c.owned_block
        && let Some(Value::Mapping(have)) = entry.doc.get(block.as_str())
    {
        let mut had = Vec::new();
        leaves(block, have, &mut had);
        for (path, old) in had {
            if !wanted.iter().any(|(p, _)| *p == path) {
                document::remove(&mut doc, &path);
                changes.push(FieldChange {
                    field: path,
                    from: Some(old),
                    to: None,
                });
            }
        }
    }
    // History: the input's events the record lacks, in order.
    let have: Vec<Value> = doc
        .get("history")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    let mut left: HashMap<String, usize> = HashMap::new();
    for e in &have {
        *left.entry(event_key(e)).or_default() += 1;
    }
    let mut appended = Vec::new();
    for e in c
        .doc
        .get("history")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        match left.get_mut(&event_key(e)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => appended.push(e.clone()),
        }
    }
    let current = entry.record.status().to_owned();
    let target = c
        .doc
        .get("status")
        .and_then(Value::as_str)
        .map_or_else(|| current.clone(), str::to_owned);
    if changes.is_empty() && appended.is_empty() && target == current {
        return Ok(None);
    }
    let mut history = have;
    let mut status = current;
    for e in appended {
        if let Some(s) = e.get("status").and_then(Value::as_str) {
            status = s.to_owned();
        }
        history.push(e);
    }
    if status != target {
        let steps = walk(machine, &status, &target).ok_or_else(|| {
            vec![field_error(
                c,
                "status",
                format!(
                    "{} is {status} in the repository; the {} policy has no way from there to {target}",
                    entry.record.id(),
                    cx.store.policy().name
                ),
            )]
        })?;
        for step in steps {
            history.push(event(
                cx,
                Some(step),
                format!("status from the {} import", system_of(c)),
                Vec::new(),
            ));
        }
    }
    if !changes.is_empty() {
        history.push(event(
            cx,
            None,
            format!("updated from the {} import", system_of(c)),
            changes,
        ));
    }
    doc.insert("status".into(), Value::String(target));
    doc.insert("history".into(), Value::Sequence(history));
    Ok(Some(doc))
}

/// Events compared as text, so `1` and `1.0` or key order cannot matter.
fn event_key(e: &Value) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

/// Checks a record about to be written; rule findings go to the tally.
#[allow(clippy::too_many_arguments)]
fn check(
    cx: &Context<'_>,
    vcx: &validate::Context<'_>,
    c: &Candidate,
    id: &RecordId,
    doc: &Value,
    options: &ImportOptions,
    hits: &Mutex<BTreeMap<String, RuleTally>>,
) -> Vec<RowError> {
    let path = cx.store.rel_path(id);
    let record = match Record::from_doc(&path, None, doc) {
        Ok(r) => r,
        Err(e) => return vec![from_error(c, e)],
    };
    let mut errors = Vec::new();
    if record.kind() != c.kind {
        errors.push(field_error(
            c,
            "kind",
            format!("{id} is a {}, not a {}", record.kind(), c.kind),
        ));
    }
    if let Some((index, message)) = validate::history_problem(cx.store.policy(), &record) {
        errors.push(field_error(
            c,
            "history",
            format!("event {} of the history: {message}", index + 1),
        ));
    }
    for link in record.common.links.all() {
        if vcx.lookup.document(link).is_none() {
            errors.push(field_error(
                c,
                &format!("links.{}", link.kind().link_key()),
                format!("{link} is neither in the repository nor in this import"),
            ));
        }
    }
    for v in validate::check_record(vcx, doc, &record) {
        let blocking = (v.rule == validate::checks::PERSONAL_NUMBER.id && !options.force)
            || (options.strict && v.severity == Severity::Error);
        if blocking {
            let help = v
                .help
                .as_deref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            errors.push(field_error(
                c,
                &v.field,
                format!("{} {}{help}", v.rule, v.message),
            ));
            continue;
        }
        if let Ok(mut hits) = hits.lock() {
            hits.entry(v.rule.clone())
                .or_insert_with(|| RuleTally {
                    rule: v.rule.clone(),
                    severity: v.severity,
                    message: v.message.clone(),
                    records: Vec::new(),
                    examples: Vec::new(),
                })
                .push(id, c, options.dry_run);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_insert_the_statuses_between() {
        let policy = Policy::load("ehm", None).unwrap();
        let m = policy.machine(Kind::Incident);
        assert_eq!(
            walk(m, "new", "in_progress").unwrap(),
            ["assigned", "in_progress"]
        );
        assert_eq!(
            walk(m, "new", "closed").unwrap(),
            ["assigned", "in_progress", "resolved", "closed"]
        );
        assert_eq!(
            walk(m, "awaiting_customer", "resolved").unwrap(),
            ["in_progress", "resolved"]
        );
        assert_eq!(walk(m, "resolved", "in_progress").unwrap(), ["in_progress"]);
        assert_eq!(walk(m, "closed", "in_progress"), None);
    }
}
