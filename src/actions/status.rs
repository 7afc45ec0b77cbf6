//! `arende status`: move a record through its status machine.

use super::edit::{Edit, land};
use super::{Outcome, append_event, load_for_rewrite};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::document::mapping_mut;
use crate::record::statuses;
use crate::workspace::Context;
use crate::yaml::Value;

/// Moves a record to `to`, if the policy's status machine allows the move
/// from where it is; with `assign`, gives it to a team or person in the
/// same event (`status ID assigned --to PERSON`).
pub fn change_status(
    cx: &Context<'_>,
    id: &RecordId,
    to: &str,
    note: Option<String>,
    assign: Option<&super::AssignRequest>,
) -> Result<Outcome> {
    let kind = id.kind();
    let to = status_named(cx, id, to)?;
    let to = to.as_str();
    let mut tx = cx.ws.begin()?;
    let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
    let from = entry.record.status();
    check_move(cx, id, from, to)?;
    let mut doc = entry.doc.clone();
    let changes = match assign.filter(|a| !a.is_empty()) {
        Some(a) => super::desk::reassign(cx, &entry.record, mapping_mut(&mut doc), a)?,
        None => Vec::new(),
    };
    super::set::place_new_keys(entry.doc.as_mapping(), mapping_mut(&mut doc));
    mapping_mut(&mut doc).insert("status".into(), Value::String(to.to_owned()));
    append_event(
        &mut doc,
        &super::event(cx, Some(to.to_owned()), note, changes),
    );
    let mut edits = vec![Edit::of(cx, &entry, doc)?];
    let mut message = format!("{id}: {from} → {to}");
    for cascade in cx
        .ws
        .policy()
        .cascades
        .iter()
        .filter(|c| c.kind == kind && c.status == to)
    {
        let carried = carry(cx, &mut tx, id, &entry, cascade)?;
        if !carried.is_empty() {
            let ids: Vec<String> = carried.iter().map(|e| e.id.to_string()).collect();
            message.push_str(&format!(", {} {}", cascade.then, ids.join(", ")));
        }
        edits.extend(carried);
    }
    land(cx, tx, edits, &message, &[], Vec::new())
}

/// The status `to` names, by ID, Swedish label or alias, among those of
/// the record's kind.
fn status_named(cx: &Context<'_>, id: &RecordId, to: &str) -> Result<String> {
    let kind = id.kind();
    match cx.ws.policy().word(kind, "status", to) {
        Some(Ok(status)) => Ok(status),
        _ => Err(Error::usage(
            format!("`{to}` is not {} status", kind.with_article()),
            Some(format!(
                "{}{kind} statuses are: {}",
                crate::suggest::did_you_mean(to, statuses(kind).iter().copied()),
                crate::policy::words::listed(
                    &cx.ws
                        .policy()
                        .vocabulary(kind, "status")
                        .unwrap_or_default()
                )
            )),
        )),
    }
}

/// Refuses a move to where the record is, or one the status machine does
/// not allow, saying where it can go.
fn check_move(cx: &Context<'_>, id: &RecordId, from: &str, to: &str) -> Result<()> {
    let policy = cx.ws.policy();
    let machine = policy.machine(id.kind());
    if from == to {
        return Err(Error::refused(
            format!("{id} is already {to}"),
            Some(format!(
                "to write what was done, add a note: arende note {id} \"…\" (--customer for a reply)"
            )),
        ));
    }
    if machine.allows(from, to) {
        return Ok(());
    }
    let next = machine.next(from);
    let help = if next.is_empty() {
        format!(
            "{from} is final: the {} policy allows no move from it",
            policy.name
        )
    } else {
        format!("from {from} it can move to: {}", next.join(", "))
    };
    Err(Error::refused(
        format!(
            "{id}: {from} → {to} is not allowed by the {} policy's status machine",
            policy.name
        ),
        Some(help),
    ))
}

/// The records a move carries along: each one linked under the cascade's
/// key that is not done yet, moved to the cascade's status (through the
/// status machine, so a move it does not allow is refused, naming the
/// record).
fn carry(
    cx: &Context<'_>,
    tx: &mut crate::store::Transaction<'_>,
    id: &RecordId,
    entry: &super::Loaded,
    cascade: &crate::policy::Cascade,
) -> Result<Vec<Edit>> {
    let ids: Vec<RecordId> = crate::record::document::get(
        entry
            .doc
            .as_mapping()
            .unwrap_or(&crate::yaml::Mapping::new()),
        &format!("links.{}", cascade.links),
    )
    .and_then(Value::as_sequence)
    .into_iter()
    .flatten()
    .filter_map(|v| v.as_str().and_then(|s| RecordId::parse(s).ok()))
    .collect();
    let mut out = Vec::new();
    for other in ids {
        let loaded = load_for_rewrite(cx.ws, tx, &other)?;
        let status = loaded.record.status();
        if status == cascade.then || cascade.done.iter().any(|d| d == status) {
            continue;
        }
        let machine = cx.ws.policy().machine(other.kind());
        if !machine.allows(status, cascade.then.as_str()) {
            return Err(Error::refused(
                format!(
                    "{id}: {other} is {status}, and cannot move to {} with it ({}): {status} → {} is not allowed by the {} policy's status machine",
                    cascade.then,
                    cascade.clause,
                    cascade.then,
                    cx.ws.policy().name
                ),
                Some(format!(
                    "move {other} on first (from {status} it can move to: {})",
                    machine.next(status).join(", ")
                )),
            ));
        }
        let mut doc = loaded.doc.clone();
        mapping_mut(&mut doc).insert("status".into(), Value::String(cascade.then.into()));
        append_event(
            &mut doc,
            &super::event(
                cx,
                Some(cascade.then.into()),
                Some(format!("{} with {id}", cascade.then)),
                Vec::new(),
            ),
        );
        out.push(Edit::of(cx, &loaded, doc)?);
    }
    Ok(out)
}
