//! `arende link`: link two records, both ways.

use super::edit::{Edit, land};
use super::{Context, Outcome, append_event, load_for_rewrite, mapping_mut};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::Event;
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
    let mut tx = cx.store.begin()?;
    let ea = load_for_rewrite(cx.store, &mut tx, a)?;
    let eb = load_for_rewrite(cx.store, &mut tx, b)?;
    let mut da = ea.doc.clone();
    let mut db = eb.doc.clone();
    let added_a = add_link(&mut da, b);
    let added_b = add_link(&mut db, a);
    if !added_a && !added_b {
        return Ok(Outcome {
            records: vec![(a.clone(), da), (b.clone(), db)],
            commit: None,
            changed: false,
            derived: Vec::new(),
        });
    }
    for (doc, other) in [(&mut da, b), (&mut db, a)] {
        append_event(
            doc,
            &Event {
                at: cx.now,
                by: cx.author.to_string(),
                status: None,
                note: Some(format!("linked {other}")),
                changes: Vec::new(),
            },
        );
    }
    let edits = vec![Edit::of(&ea, da), Edit::of(&eb, db)];
    land(cx, tx, edits, &format!("{a}: link {b}"), &[], Vec::new())
}

/// Adds `other` under `links.<its kind>`; false if it was there already.
fn add_link(doc: &mut Value, other: &RecordId) -> bool {
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
