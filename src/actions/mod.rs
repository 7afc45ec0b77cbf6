//! What the filing commands do, without a terminal: each action reads under
//! the repository lock, checks everything, then writes through one
//! [`Transaction`] and one commit.

mod approve;
pub mod assign;
pub mod classify;
mod desk;
mod edit;
pub mod exchange;
mod init;
mod link;
mod new;
pub mod prompt;
mod set;
mod status;

use std::path::Path;

use git2::Oid;

pub use approve::{ApprovalRequest, approve};
pub use desk::{AssignRequest, Assignee, assign, note};
pub use init::{InitOptions, init};
pub use link::{link, unlink};
pub use new::{NewRecord, draft, new_record};
pub use set::set_fields;
pub use status::change_status;

use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::{Event, FieldChange, Record, document};
use crate::store::Transaction;
use crate::validate;
use crate::workspace::{Entry, Workspace};
use crate::yaml::{self, Value};

/// What an action did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The records written, with their new documents.
    pub records: Vec<(RecordId, Value)>,
    /// The typed view of each of `records`, in the same order: read when
    /// the edit was made, so the warnings need not read it again.
    typed: Vec<Record>,
    /// The commit made, if any.
    pub commit: Option<Oid>,
    /// Whether anything changed at all.
    pub changed: bool,
    /// Values the policy's classification changed beside the command's own
    /// (a priority re-derived from impact × urgency).
    pub derived: Vec<(RecordId, FieldChange)>,
}

impl Outcome {
    /// Nothing to write: the records as they are, each with its typed view.
    fn unchanged(records: Vec<(RecordId, Value, Record)>) -> Outcome {
        let (records, typed) = records
            .into_iter()
            .map(|(id, doc, record)| ((id, doc), record))
            .unzip();
        Outcome {
            records,
            typed,
            commit: None,
            changed: false,
            derived: Vec::new(),
        }
    }

    /// The warnings (rules of advice, *bör* and *i regel*) the records as
    /// written break: a command files them, and says so.
    pub fn warnings(&self, ws: &Workspace) -> Vec<(RecordId, validate::Violation)> {
        let Ok(register) = validate::StandardRegister::load(ws) else {
            return Vec::new();
        };
        let lookup = validate::StoreLookup(ws);
        let calendar = self
            .typed
            .iter()
            .any(|r| crate::schedule::asked_for(ws.policy(), r.kind()))
            .then(|| crate::schedule::of_workspace(ws, &[]).ok())
            .flatten();
        let cx = validate::Context {
            policy: ws.policy(),
            register: &register,
            lookup: &lookup,
            people: None,
            calendar: calendar
                .as_ref()
                .map(|s| s as &dyn validate::engine::Calendar),
        };
        self.records
            .iter()
            .zip(&self.typed)
            .flat_map(|((id, doc), record)| {
                validate::check_record(&cx, doc, record)
                    .into_iter()
                    .filter(|v| v.severity == crate::policy::Severity::Warning)
                    .map(|v| (id.clone(), v))
            })
            .collect()
    }
}

/// A record read to be rewritten.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The record as the working tree has it.
    pub entry: Entry,
    /// The fields where the working tree differs from HEAD: changes arende
    /// did not commit, which the rewrite takes along and records.
    pub hand_edits: Vec<FieldChange>,
}

impl std::ops::Deref for Loaded {
    type Target = Entry;

    fn deref(&self) -> &Entry {
        &self.entry
    }
}

/// Loads a record for rewriting: refuses a file whose comments a rewrite
/// would lose, and finds the changes of the file that are not committed (a
/// crashed command's, a `--no-commit` one's, a person's), so that the
/// commit records and says what it takes along.
fn load_for_rewrite(ws: &Workspace, tx: &mut Transaction<'_>, id: &RecordId) -> Result<Loaded> {
    let (entry, text) = ws.load(id)?;
    let state = tx.read_for_rewrite(&entry.path)?;
    finish_load(ws, tx, entry, &text, state)
}

/// [`load_for_rewrite`] for many records, with one reading of git's index
/// for all of them (a sync rewrites a thousand records at once).
fn load_many_for_rewrite(
    ws: &Workspace,
    tx: &mut Transaction<'_>,
    ids: &[RecordId],
) -> Result<Vec<Loaded>> {
    let mut read = Vec::with_capacity(ids.len());
    for id in ids {
        read.push(ws.load(id)?);
    }
    let paths: Vec<std::path::PathBuf> = read.iter().map(|(e, _)| e.path.clone()).collect();
    let states = tx.read_many_for_rewrite(&paths)?;
    read.into_iter()
        .zip(states)
        .map(|((entry, text), state)| finish_load(ws, tx, entry, &text, state))
        .collect()
}

/// The rest of loading a record for rewriting, once its file's state
/// against HEAD is known.
fn finish_load(
    ws: &Workspace,
    tx: &mut Transaction<'_>,
    entry: Entry,
    text: &str,
    state: Option<crate::store::FileState>,
) -> Result<Loaded> {
    let mut hand_edits = Vec::new();
    if state == Some(crate::store::FileState::Changed)
        && let Some(head) = ws.store().head_text(&entry.path)?
        && let Ok(head) = yaml::parse_mapping(&entry.path, &head)
        && let Some(now) = entry.doc.as_mapping()
    {
        hand_edits = document::diff(Some(&head), Some(now))
            .into_iter()
            .map(|d| FieldChange {
                from: document::get(&head, &d.field).cloned(),
                to: document::get(now, &d.field).cloned(),
                field: d.field,
            })
            .collect();
        tx.name_uncommitted_fields(
            &entry.path,
            hand_edits.iter().map(|c| c.field.clone()).collect(),
        );
    }
    if let Some(line) = entry
        .doc
        .as_mapping()
        .and_then(|m| yaml::lost_comment_line(text, m))
    {
        return Err(Error::CommentWouldBeLost {
            path: entry.path,
            line,
        });
    }
    Ok(Loaded { entry, hand_edits })
}

/// A history event by the command's author at its time: a status move,
/// a note, field changes (a reply to the customer is `note`'s own).
fn event(
    cx: &crate::workspace::Context<'_>,
    status: Option<String>,
    note: Option<String>,
    changes: Vec<FieldChange>,
) -> Event {
    Event {
        at: cx.now,
        by: cx.author.to_string(),
        status,
        note,
        changes,
        to_customer: false,
        remote: None,
    }
}

/// Appends an event to the document's history.
fn append_event(doc: &mut Value, event: &Event) {
    let map = document::mapping_mut(doc);
    let history = map
        .entry(Value::String("history".into()))
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if !history.is_sequence() {
        *history = Value::Sequence(Vec::new());
    }
    if let Value::Sequence(seq) = history {
        seq.push(yaml::to_value(event));
    }
}

/// Checks that every linked ID exists, one `stat` each.
fn check_links(ws: &Workspace, path: &Path, record: &Record) -> Result<()> {
    if let Some(missing) = record.common.links.all().find(|id| !ws.store().exists(id)) {
        return Err(Error::field(
            path.to_owned(),
            format!("links.{}", missing.kind().link_key()),
            format!("{missing} does not exist in this repository"),
            Some("link only records that exist; `arende list` shows them".into()),
            None,
        ));
    }
    Ok(())
}

/// Refuses an edit whose record breaks an error rule (of the record, or of
/// the repository as far as the record reaches) that it did not break
/// before, except those in `allowed`, which a person forced: how every
/// command enforces the policy's preconditions, with the same rules
/// `validate` re-checks on hand-edited files. Judges the typed views the
/// edit carries; reads nothing again.
fn guard(
    ws: &Workspace,
    edit: &edit::Edit,
    landing: &validate::Landing<'_>,
    allowed: &[&str],
) -> Result<()> {
    let after = (edit.after(), edit.record());
    let before = edit.before();
    let moved = before.is_some_and(|(_, b)| b.status() != after.1.status());
    let mut errors = validate::new_errors(ws, landing, before, after, moved)?;
    errors.retain(|v| !allowed.contains(&v.rule.as_str()));
    if errors.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = errors
        .iter()
        .map(|v| format!("{} {} (`{}`)", v.rule, v.message, v.field))
        .collect();
    let help: Vec<String> = errors
        .iter()
        .map(|v| {
            let fix = v
                .help
                .clone()
                .filter(|h| !h.trim().is_empty())
                .unwrap_or_else(|| format!("correct `{}` as the message says", v.field));
            match &v.clause {
                Some(c) => format!("{}: {fix} — {c}", v.rule),
                None => format!("{}: {fix}", v.rule),
            }
        })
        .collect();
    Err(Error::refused(
        format!(
            "{}: refused by the {} policy: {}",
            edit.id,
            ws.policy().name,
            lines.join("; ")
        ),
        Some(help.join("\n")),
    ))
}

/// A commit message line naming the fields that changed.
fn summary_of(changes: &[FieldChange]) -> String {
    let mut fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    fields.dedup();
    fields.join(", ")
}
