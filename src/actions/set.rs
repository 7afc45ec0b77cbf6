//! `arende set`: change fields.

use super::{Context, Outcome, append_event, apply_classification, assign, check_links, load_for_rewrite, mapping_mut, summary_of};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::{Event, FieldChange, Record, document};

/// Changes fields of a record, re-classifies it, and records what changed
/// in its history. Assigning a value a field already has is no change: no
/// history event, no commit.
pub fn set_fields(cx: &Context<'_>, id: &RecordId, assignments: &[String], note: Option<String>) -> Result<Outcome> {
    if assignments.is_empty() {
        return Err(Error::usage("nothing to set", Some("give one or more key=value".to_owned())));
    }
    let kind = id.kind();
    let parsed = assignments.iter().map(|a| assign::parse(kind, a)).collect::<Result<Vec<_>>>()?;
    let tx = cx.store.begin()?;
    let entry = load_for_rewrite(cx.store, id)?;
    let mut doc = entry.doc.clone();
    let mut changes = Vec::new();
    for a in &parsed {
        let map = mapping_mut(&mut doc);
        let old = document::get(map, &a.field).cloned();
        if old == a.value {
            continue;
        }
        match &a.value {
            Some(v) => {
                document::set(map, &a.field, v.clone()).map_err(|m| Error::usage(m, None))?;
            }
            None => {
                document::remove(map, &a.field);
            }
        }
        changes.push(FieldChange { field: a.field.clone(), from: old, to: a.value.clone() });
    }
    let derived = apply_classification(cx.store, &entry.path, &mut doc)?;
    if let Some(overruled) = derived.iter().find(|d| parsed.iter().any(|a| a.field == d.field)) {
        return Err(Error::refused(
            format!(
                "{id}: {} is derived by the policy and would be reset to {}",
                overruled.field,
                overruled.to.as_ref().map(document::display).unwrap_or_default()
            ),
            Some(format!(
                "to override the matrix, give a reason too: arende set {id} {}=… priority_reason=\"…\"",
                overruled.field
            )),
        ));
    }
    changes.extend(derived);
    if changes.is_empty() {
        return Ok(Outcome::unchanged(id.clone(), doc));
    }
    let summary = summary_of(&changes);
    append_event(&mut doc, &Event { at: cx.now, by: cx.author.to_string(), status: None, note, changes });
    let record = Record::from_doc(&entry.path, None, &doc)?;
    check_links(cx.store, &entry.path, &record)?;
    let mut tx = tx;
    tx.write(id, &doc);
    let commit = tx.finish(cx.mode, &format!("{id}: set {summary}"), &cx.author, &cx.now)?;
    Ok(Outcome { records: vec![(id.clone(), doc)], commit, changed: true })
}
