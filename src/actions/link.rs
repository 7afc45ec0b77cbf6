//! `arende link`: link two records, both ways.

use super::edit::{Edit, land};
use super::{Outcome, append_event, load_for_rewrite};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::document::mapping_mut;
use crate::workspace::Context;
use crate::yaml::{Mapping, Value};

/// Links `a` and `b` both ways. Linking records already linked both ways is
/// no change.
pub fn link(cx: &Context<'_>, a: &RecordId, b: &RecordId) -> Result<Outcome> {
    if a == b {
        return Err(Error::usage(
            format!("{a} cannot be linked to itself"),
            None,
        ));
    }
    let mut tx = cx.ws.begin()?;
    let ea = load_for_rewrite(cx.ws, &mut tx, a)?;
    let eb = load_for_rewrite(cx.ws, &mut tx, b)?;
    let mut da = ea.doc.clone();
    let mut db = eb.doc.clone();
    let added_a = add_link(&mut da, b);
    let added_b = add_link(&mut db, a);
    if !added_a && !added_b {
        return Ok(Outcome::unchanged(vec![
            (a.clone(), da, ea.record.clone()),
            (b.clone(), db, eb.record.clone()),
        ]));
    }
    for (doc, other) in [(&mut da, b), (&mut db, a)] {
        append_event(
            doc,
            &super::event(cx, None, Some(format!("linked {other}")), Vec::new()),
        );
    }
    let edits = vec![Edit::of(cx, &ea, da)?, Edit::of(cx, &eb, db)?];
    land(cx, tx, edits, &format!("{a}: link {b}"), &[], Vec::new())
}

/// Adds `other` under `links.<its kind>`; false if it was there already.
pub(super) fn add_link(doc: &mut Value, other: &RecordId) -> bool {
    let map = mapping_mut(doc);
    let links = map
        .entry("links".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if !links.is_mapping() {
        *links = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(links) = links else {
        return false;
    };
    let list = links
        .entry(other.kind().link_key().into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if !list.is_sequence() {
        *list = Value::Sequence(Vec::new());
    }
    let Value::Sequence(seq) = list else {
        return false;
    };
    let id = Value::String(other.to_string());
    if seq.contains(&id) {
        return false;
    }
    seq.push(id);
    true
}

/// Removes the link between `a` and `b`, both ways, in one commit. Records
/// that are not linked either way are an error: nothing to undo. A link the
/// policy needs (a resolved priority-4 incident's problem) is refused by the
/// rules, as any change that would break one.
pub fn unlink(cx: &Context<'_>, a: &RecordId, b: &RecordId) -> Result<Outcome> {
    if a == b {
        return Err(Error::usage(
            format!("{a} cannot be unlinked from itself"),
            Some("name two different records".to_owned()),
        ));
    }
    let mut tx = cx.ws.begin()?;
    let ea = load_for_rewrite(cx.ws, &mut tx, a)?;
    let eb = load_for_rewrite(cx.ws, &mut tx, b)?;
    let mut da = ea.doc.clone();
    let mut db = eb.doc.clone();
    let removed_a = remove_link(&mut da, b);
    let removed_b = remove_link(&mut db, a);
    if !removed_a && !removed_b {
        return Err(Error::usage(
            format!("{a} and {b} are not linked"),
            Some(format!(
                "`arende show {a}` lists its links under `links`; unlink one of those"
            )),
        ));
    }
    let mut edits = Vec::new();
    for (loaded, mut doc, other, removed) in [(&ea, da, b, removed_a), (&eb, db, a, removed_b)] {
        if removed {
            append_event(
                &mut doc,
                &super::event(cx, None, Some(format!("unlinked {other}")), Vec::new()),
            );
            edits.push(Edit::of(cx, loaded, doc)?);
        }
    }
    land(cx, tx, edits, &format!("{a}: unlink {b}"), &[], Vec::new()).map_err(|e| match e {
        // The rule's own fix says how to make the link; say what it means here.
        Error::Refused { message, help } => Error::Refused {
            message,
            help: Some(format!(
                "the policy needs the link between {a} and {b}: keep it, or link the \
                 record that takes its place first (`arende link`), then unlink{}",
                help.map(|h| format!("\n{h}")).unwrap_or_default()
            )),
        },
        other => other,
    })
}

/// Removes `other` from `links.<its kind>`, and the list and `links` when
/// they are left empty; false if it was not there.
fn remove_link(doc: &mut Value, other: &RecordId) -> bool {
    let map = mapping_mut(doc);
    let key = other.kind().link_key();
    let Some(Value::Mapping(links)) = map.get_mut("links") else {
        return false;
    };
    let Some(Value::Sequence(seq)) = links.get_mut(key) else {
        return false;
    };
    let id = Value::String(other.to_string());
    let before = seq.len();
    seq.retain(|v| v != &id);
    if seq.len() == before {
        return false;
    }
    if seq.is_empty() {
        links.remove(key);
    }
    if links.is_empty() {
        map.remove("links");
    }
    true
}
