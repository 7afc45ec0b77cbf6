//! The one way a command lands its change: every mutating command loads the
//! records it changes (through [`load_for_rewrite`](super::load_for_rewrite)),
//! changes and re-classifies them, and hands the result here, where each is
//! checked against the record rules and the repository rules it can affect,
//! written, and committed once. So no command can commit an error that was
//! not there before, and none sweeps a person's uncommitted edits into its
//! commit without saying so in the record's history.

use std::path::PathBuf;

use super::{Outcome, guard};
use crate::editor;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::{Event, FieldChange, Record};
use crate::store::Transaction;
use crate::time::rfc3339;
use crate::workspace::Context;
use crate::yaml::Value;

/// One record as a command leaves it, with its typed view read once, when
/// the edit is made: the guard and the warnings judge that view.
#[derive(Debug, Clone)]
pub(crate) struct Edit {
    /// The record.
    pub id: RecordId,
    /// Its file, relative to the repository root.
    pub path: PathBuf,
    /// The document as it was read and its typed view (`None`: a new record).
    before: Option<(Value, Record)>,
    /// The document as it is to be written.
    after: Value,
    /// The typed view of `after`.
    record: Record,
}

impl Edit {
    /// A change of a record read from the repository. Fields of the file
    /// that differed from HEAD when it was read (edits made by hand, or by a
    /// crashed or `--no-commit` command) are taken along: they get their own
    /// history event before the command's.
    pub fn of(cx: &Context<'_>, loaded: &super::Loaded, mut after: Value) -> Result<Edit> {
        if !loaded.hand_edits.is_empty() {
            record_hand_edits(cx, &mut after, loaded.hand_edits.clone());
        }
        let path = loaded.entry.path.clone();
        let record = Record::from_doc(&path, None, &after)?;
        Ok(Edit {
            id: loaded.entry.record.id().clone(),
            path,
            before: Some((loaded.entry.doc.clone(), loaded.entry.record.clone())),
            after,
            record,
        })
    }

    /// A new record, to be written at `path`.
    pub fn new(id: RecordId, path: PathBuf, after: Value) -> Result<Edit> {
        let record = Record::from_doc(&path, None, &after)?;
        Ok(Edit {
            id,
            path,
            before: None,
            after,
            record,
        })
    }

    /// The typed view of the document as it is to be written.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The document as it was read, with its typed view (`None`: a new record).
    pub fn before(&self) -> Option<(&Value, &Record)> {
        self.before.as_ref().map(|(doc, record)| (doc, record))
    }

    /// The document as it is to be written.
    pub fn after(&self) -> &Value {
        &self.after
    }

    /// Refuses an edit whose new history events come before the record's
    /// last one (a `--now` earlier than what the record already says
    /// happened): the history is kept in time order, and `validate` would
    /// reject the record for it ever after (REC004). Said as a usage error,
    /// naming that last event, since the time given is what is wrong.
    fn in_order(&self) -> Result<()> {
        let Some((_, before)) = &self.before else {
            return Ok(());
        };
        let old = &before.common.history;
        let Some(last) = old.last() else {
            return Ok(());
        };
        let added = self
            .record
            .common
            .history
            .get(old.len()..)
            .unwrap_or_default();
        let Some(early) = added.iter().find(|e| e.at < last.at) else {
            return Ok(());
        };
        let last_at = rfc3339(&last.at);
        Err(Error::EventBeforeLast {
            id: self.id.to_string(),
            at: rfc3339(&early.at),
            last: format!("{last_at} ({}, by {})", what_happened(last), last.by),
            help: format!(
                "a record's history is kept in time order: give --now (or ARENDE_NOW) at or after {last_at}, or leave it out to take the clock's time"
            ),
        })
    }
}

/// An event in a few words: the status it moved to, else the fields it
/// changed, else its note.
fn what_happened(event: &Event) -> String {
    if let Some(status) = &event.status {
        return format!("to {status}");
    }
    if !event.changes.is_empty() {
        let fields: Vec<&str> = event.changes.iter().map(|c| c.field.as_str()).collect();
        return format!("changed {}", fields.join(", "));
    }
    match &event.note {
        Some(note) => format!("note \"{}\"", note.lines().next().unwrap_or_default()),
        None => "an event".to_owned(),
    }
}

/// Checks, writes and commits `edits` in one commit: each record must not
/// break a record or repository rule it did not break before (except the
/// rules in `allowed`, which a person forced).
pub(crate) fn land(
    cx: &Context<'_>,
    mut tx: Transaction<'_>,
    edits: Vec<Edit>,
    message: &str,
    allowed: &[&str],
    derived: Vec<(RecordId, FieldChange)>,
) -> Result<Outcome> {
    let mut records = Vec::with_capacity(edits.len());
    let mut typed = Vec::with_capacity(edits.len());
    let landing = crate::validate::Landing::new(
        cx.ws,
        edits
            .iter()
            .map(|e| (e.id.clone(), e.after.clone()))
            .collect(),
    )?;
    for edit in edits {
        edit.in_order()?;
        guard(cx.ws, &edit, &landing, allowed)?;
        // The store keeps a file's comment block and knows nothing of
        // editors: a new file's modeline is made here.
        let modeline = if cx.ws.store().config().modeline {
            editor::modeline(edit.id.kind(), &edit.path)
        } else {
            String::new()
        };
        // The edit's typed view was read from the document, so it is a mapping.
        let Value::Mapping(after) = &edit.after else {
            return Err(Error::field(
                &edit.path,
                "(record)",
                "a record is a mapping of fields",
                Some("write the record as `field: value` lines".to_owned()),
                None,
            ));
        };
        tx.write(&edit.id, &edit.path, after, &modeline)?;
        records.push((edit.id, edit.after));
        typed.push(edit.record);
    }
    let commit = tx.finish(cx.mode, message, &cx.author, &cx.now)?;
    Ok(Outcome {
        records,
        typed,
        commit,
        changed: true,
        derived,
    })
}

/// Puts an event naming the uncommitted fields just before the command's
/// own (the last) event, so the history says what was committed and by whom.
fn record_hand_edits(cx: &Context<'_>, after: &mut Value, changes: Vec<FieldChange>) {
    let event = crate::yaml::to_value(&Event {
        at: cx.now,
        by: cx.author.to_string(),
        status: None,
        note: Some(
            "changes made outside arende and not committed before, taken along with the next event"
                .into(),
        ),
        changes,
        to_customer: false,
        remote: None,
    });
    if let Some(Value::Sequence(history)) =
        after.as_mapping_mut().and_then(|m| m.get_mut("history"))
    {
        let at = history.len().saturating_sub(1);
        history.insert(at, event);
    }
}
