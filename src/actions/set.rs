//! `arende set`: change fields.

use super::assign::Assignment;
use super::edit::{Edit, land};
use super::{Outcome, append_event, assign, load_for_rewrite, summary_of};
use crate::classify::apply_classification;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::FieldChange;
use crate::record::document::{self, mapping_mut};
use crate::workspace::Context;
use crate::yaml::Mapping;

/// Changes fields of a record, re-classifies it, and records what changed
/// in its history. Assigning a value a field already has is no change: no
/// history event, no commit.
pub fn set_fields(
    cx: &Context<'_>,
    id: &RecordId,
    assignments: &[String],
    note: Option<String>,
) -> Result<Outcome> {
    if assignments.is_empty() {
        return Err(Error::usage(
            "nothing to set",
            Some(format!(
                "give one or more key=value; a note on its own is `arende note {id} \"…\"`"
            )),
        ));
    }
    let kind = id.kind();
    let parsed = assignments
        .iter()
        .map(|a| assign::parse_for(cx, kind, a))
        .collect::<Result<Vec<_>>>()?;
    let mut tx = cx.ws.begin()?;
    let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
    let mut doc = entry.doc.clone();
    let mut changes = assign_all(mapping_mut(&mut doc), &parsed)?;
    place_new_keys(entry.doc.as_mapping(), mapping_mut(&mut doc));
    let derived = apply_classification(cx.ws.policy(), &entry.path, &mut doc)?;
    refuse_overruled(id, &parsed, &derived)?;
    let reclassified: Vec<(RecordId, FieldChange)> =
        derived.iter().map(|d| (id.clone(), d.clone())).collect();
    changes.extend(derived);
    if changes.is_empty() {
        return Ok(Outcome::unchanged(vec![(
            id.clone(),
            doc,
            entry.record.clone(),
        )]));
    }
    let summary = summary_of(&changes);
    append_event(&mut doc, &super::event(cx, None, note, changes));
    let message = format!("{id}: set {summary}");
    land(
        cx,
        tx,
        vec![Edit::of(cx, &entry, doc)?],
        &message,
        &[],
        reclassified,
    )
}

/// Makes each assignment in `map`, in order, and returns the changes: an
/// assignment of the value a field already has is none.
fn assign_all(map: &mut Mapping, assignments: &[Assignment]) -> Result<Vec<FieldChange>> {
    let mut changes = Vec::new();
    for a in assignments {
        let old = document::get(map, &a.field).cloned();
        if old == a.value {
            continue;
        }
        match &a.value {
            Some(v) => {
                document::set(map, &a.field, v.clone())
                    .map_err(|e| Error::usage(e.to_string(), None))?;
            }
            None => {
                document::remove(map, &a.field);
            }
        }
        changes.push(FieldChange {
            field: a.field.clone(),
            from: old,
            to: a.value.clone(),
        });
    }
    Ok(changes)
}

/// Refuses an assignment of a field the policy derives and re-derived
/// otherwise: the value set would not stand.
fn refuse_overruled(
    id: &RecordId,
    assignments: &[Assignment],
    derived: &[FieldChange],
) -> Result<()> {
    let Some(overruled) = derived
        .iter()
        .find(|d| assignments.iter().any(|a| a.field == d.field))
    else {
        return Ok(());
    };
    Err(Error::refused(
        format!(
            "{id}: {} is derived by the policy and would be reset to {}",
            overruled.field,
            overruled
                .to
                .as_ref()
                .map(document::display)
                .unwrap_or_default()
        ),
        Some(if overruled.field == "priority" {
            format!(
                "to override the matrix, give a reason too: arende set {id} priority=… priority_reason=\"…\""
            )
        } else {
            format!(
                "{} follows from other fields; change those instead",
                overruled.field
            )
        }),
    ))
}

/// A field new to the record goes just before `history`, where `new` puts
/// fields, not after the log of events. Keys already there keep their place,
/// wherever a person put them.
pub(super) fn place_new_keys(old: Option<&crate::yaml::Mapping>, map: &mut crate::yaml::Mapping) {
    let Some(old) = old else { return };
    let is_new = |k: &crate::yaml::Value| !old.contains_key(k);
    if !map.keys().any(is_new) || !map.contains_key("history") {
        return;
    }
    let entries: Vec<(crate::yaml::Value, crate::yaml::Value)> =
        std::mem::take(map).into_iter().collect();
    let (added, kept): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_new(k));
    let mut added = Some(added);
    for (k, v) in kept {
        if k.as_str() == Some("history")
            && let Some(added) = added.take()
        {
            map.extend(added);
        }
        map.insert(k, v);
    }
}
