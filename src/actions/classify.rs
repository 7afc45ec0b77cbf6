//! `arende classify`: apply the policy's derived values to stored records.

use std::path::Path;

use super::edit::{Edit, land};
use super::{append_event, load_for_rewrite};
use crate::classify::{self, apply_classification};
use crate::error::Result;
use crate::id::RecordId;
use crate::record::{FieldChange, document};
use crate::workspace::{Context, Workspace};

/// A stored value that disagrees with the policy.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// The record.
    pub id: RecordId,
    /// Its file.
    pub path: std::path::PathBuf,
    /// The field, the stored value and the derived one.
    pub change: FieldChange,
    /// Why the policy derives that value.
    pub reason: String,
}

/// Every stored value that disagrees with what the policy derives, for the
/// given records (all if `ids` is empty). Changes nothing.
pub fn check(ws: &Workspace, ids: &[RecordId]) -> Result<Vec<Disagreement>> {
    let entries = if ids.is_empty() {
        let scan = ws.scan(&[]);
        if let Some(e) = scan.errors.into_iter().next() {
            return Err(e);
        }
        scan.entries
    } else {
        ids.iter()
            .map(|id| ws.load(id).map(|(e, _)| e))
            .collect::<Result<Vec<_>>>()?
    };
    let mut out = Vec::new();
    for e in entries {
        let Some(map) = e.doc.as_mapping() else {
            continue;
        };
        for d in classify::derive(ws.policy(), &e.record) {
            let stored = document::get(map, d.field).cloned();
            if stored.as_ref() != Some(&d.value) {
                out.push(Disagreement {
                    id: e.record.id().clone(),
                    path: e.path.clone(),
                    change: FieldChange {
                        field: d.field.to_owned(),
                        from: stored,
                        to: Some(d.value),
                    },
                    reason: d.reason,
                });
            }
        }
    }
    Ok(out)
}

/// Writes the derived values into every record that disagrees, with a
/// history event each, in one commit.
pub fn apply(cx: &Context<'_>, ids: &[RecordId]) -> Result<(Vec<Disagreement>, Option<git2::Oid>)> {
    let mut tx = cx.ws.begin()?;
    let found = check(cx.ws, ids)?;
    let mut touched: Vec<&RecordId> = found.iter().map(|d| &d.id).collect();
    touched.dedup();
    let mut edits = Vec::new();
    for id in &touched {
        let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
        let mut doc = entry.doc.clone();
        let changes = apply_classification(cx.ws.policy(), Path::new(&entry.path), &mut doc)?;
        if changes.is_empty() {
            continue;
        }
        append_event(
            &mut doc,
            &super::event(cx, None, Some("classified by the policy".into()), changes),
        );
        edits.push(Edit::of(cx, &entry, doc)?);
    }
    if edits.is_empty() {
        return Ok((found, None));
    }
    let message = match edits.as_slice() {
        [one] => format!("{}: classify", one.id),
        many => format!("classify: {} records", many.len()),
    };
    let outcome = land(cx, tx, edits, &message, &[], Vec::new())?;
    Ok((found, outcome.commit))
}
