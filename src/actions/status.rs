//! `arende status`: move a record through its status machine.

use super::edit::{Edit, land};
use super::{Context, Outcome, append_event, load_for_rewrite, mapping_mut};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::{Event, statuses};
use crate::yaml::Value;

/// Moves a record to `to`, if the policy's status machine allows the move
/// from where it is.
pub fn change_status(
    cx: &Context<'_>,
    id: &RecordId,
    to: &str,
    note: Option<String>,
) -> Result<Outcome> {
    let kind = id.kind();
    if !statuses(kind).contains(&to) {
        return Err(Error::usage(
            format!("`{to}` is not a {kind} status"),
            Some(format!(
                "{kind} statuses are: {}",
                statuses(kind).join(", ")
            )),
        ));
    }
    let mut tx = cx.store.begin()?;
    let entry = load_for_rewrite(cx.store, &mut tx, id)?;
    let from = entry.record.status();
    let machine = cx.store.policy().machine(kind);
    if from == to {
        return Err(Error::refused(format!("{id} is already {to}"), None));
    }
    if !machine.allows(from, to) {
        let next = machine.next(from);
        let help = if next.is_empty() {
            format!(
                "{from} is final: the {} policy allows no move from it",
                cx.store.policy().name
            )
        } else {
            format!("from {from} it can move to: {}", next.join(", "))
        };
        return Err(Error::refused(
            format!(
                "{id}: {from} → {to} is not allowed by the {} policy's status machine",
                cx.store.policy().name
            ),
            Some(help),
        ));
    }
    let mut doc = entry.doc.clone();
    mapping_mut(&mut doc).insert("status".into(), Value::String(to.to_owned()));
    append_event(
        &mut doc,
        &Event {
            at: cx.now,
            by: cx.author.to_string(),
            status: Some(to.to_owned()),
            note,
            changes: Vec::new(),
        },
    );
    let message = format!("{id}: {from} → {to}");
    land(
        cx,
        tx,
        vec![Edit::of(&entry, doc)],
        &message,
        &[],
        Vec::new(),
    )
}
