//! Stage 4, plan: what each matched candidate does to the repository, as
//! the whole document to write (history walked through the policy's status
//! machine, classification applied), or nothing.

use std::collections::HashMap;

use super::ImportOptions;
use super::candidate::{Candidate, Key};
use super::error::RowError;
use super::matching::{Pair, Target};
use super::summary::PriorityDiff;
use super::values;
use crate::id::RecordId;
use crate::record::{Event, FieldChange, document};
use crate::workspace::Entry;
use crate::yaml::{self, Mapping, Value};
use crate::{classify::apply_classification, schema::canonical_order, workspace::Context};

/// A plan, or the row's errors.
pub(crate) type Planned = Result<(Plan, Option<PriorityDiff>), Vec<RowError>>;

/// What happens to one candidate.
#[derive(Clone)]
pub(crate) enum Plan {
    Create { id: RecordId, doc: Value },
    Update { id: RecordId, doc: Value },
    Unchanged,
    Differs { id: RecordId },
}

/// Plans one candidate: the record it makes, the record it updates as the
/// input would have it, or why it changes nothing.
pub(crate) fn plan(cx: &Context<'_>, pair: &Pair<'_>, options: &ImportOptions) -> Planned {
    let c = &pair.candidate;
    let given = c.fields.to_mapping();
    known_status(cx, c, &given)?;
    let (id, doc, created) = match &pair.target {
        Target::New(id) => (id.clone(), new_doc(cx, c, &given, id)?, true),
        Target::Existing(entry) => match update_doc(cx, c, &given, &whole(cx, c, entry)?)? {
            None => return Ok((Plan::Unchanged, None)),
            Some(_) if !options.update => {
                let id = entry.record.id().clone();
                return Ok((Plan::Differs { id }, None));
            }
            Some(doc) => (entry.record.id().clone(), doc, false),
        },
    };
    let value = classify(cx, c, &id, doc, created)?;
    let diff = priority_diff(c, &id, &value);
    let plan = if created {
        Plan::Create { id, doc: value }
    } else {
        Plan::Update { id, doc: value }
    };
    Ok((plan, diff))
}

/// Refuses a status the kind's machine does not have.
fn known_status(cx: &Context<'_>, c: &Candidate, given: &Mapping) -> Result<(), Vec<RowError>> {
    let machine = cx.ws.policy().machine(c.kind);
    match given.get("status").and_then(Value::as_str) {
        Some(status)
            if !machine.transitions.contains_key(status)
                && !machine.transitions.values().flatten().any(|s| s == status) =>
        {
            Err(vec![c.field_error(
                "status",
                format!(
                    "`{status}` is not a status of a {} ({})",
                    c.kind,
                    crate::record::statuses(c.kind).join(", ")
                ),
            )])
        }
        _ => Ok(()),
    }
}

/// Applies the policy's classification; an update's event names the
/// fields it changed too.
fn classify(
    cx: &Context<'_>,
    c: &Candidate,
    id: &RecordId,
    doc: Mapping,
    created: bool,
) -> Result<Value, Vec<RowError>> {
    let path = cx.ws.store().rel_path(id);
    let mut value = Value::Mapping(doc);
    let changes =
        apply_classification(cx.ws.policy(), &path, &mut value).map_err(|e| vec![c.error(e)])?;
    if changes.is_empty() {
        return Ok(value);
    }
    if created {
        if c.reorder {
            // Classification appends the fields it sets; put them in their place.
            if let Value::Mapping(m) = value {
                value = Value::Mapping(canonical_order(c.kind, m));
            }
        }
        return Ok(value);
    }
    if let Some(Value::Sequence(h)) = value.as_mapping_mut().and_then(|m| m.get_mut("history")) {
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
                format!("classified after the {} import", c.system()),
                changes,
            )),
        }
    }
    Ok(value)
}

/// Where the policy's priority differs from the input's.
fn priority_diff(c: &Candidate, id: &RecordId, doc: &Value) -> Option<PriorityDiff> {
    let policy = doc
        .get("priority")
        .and_then(Value::as_u64)
        .and_then(|p| u8::try_from(p).ok())?;
    let given = c.source_priority?;
    (given != policy).then(|| PriorityDiff {
        id: id.clone(),
        source: match &c.key {
            Key::Source(_, sid) => sid.clone(),
            Key::Id(rid) => rid.to_string(),
        },
        given,
        policy,
    })
}

/// A record of the repository with its document, read again from its file
/// (the scan keeps none).
fn whole(cx: &Context<'_>, c: &Candidate, entry: &Entry) -> Result<Entry, Vec<RowError>> {
    crate::workspace::read_entry(cx.ws.root(), &entry.path)
        .map(|(e, _)| e)
        .map_err(|e| vec![RowError::row(c.unit, c.row, e.to_string())])
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
        to_customer: false,
        remote: None,
    })
}

/// A new record's document.
fn new_doc(
    cx: &Context<'_>,
    c: &Candidate,
    given: &Mapping,
    id: &RecordId,
) -> Result<Mapping, Vec<RowError>> {
    let machine = cx.ws.policy().machine(c.kind);
    let mut doc = Mapping::new();
    if !given.contains_key("id") {
        doc.insert("id".into(), Value::String(id.to_string()));
    }
    if !given.contains_key("kind") && !given.contains_key("id") {
        doc.insert("kind".into(), Value::String(c.kind.name().to_owned()));
    }
    for (k, v) in given {
        doc.insert(k.clone(), v.clone());
        if k.as_str() == Some("id") && !given.contains_key("kind") {
            doc.insert("kind".into(), Value::String(c.kind.name().to_owned()));
        }
    }
    if !doc.contains_key("status") {
        doc.insert("status".into(), Value::String(machine.initial.into()));
    }
    let opened = match doc.get("opened_at").and_then(Value::as_str) {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t).ok(),
        None => {
            doc.insert("opened_at".into(), Value::String(values::rfc3339(&cx.now)));
            Some(cx.now)
        }
    };
    if !doc.contains_key("history") {
        let history = first_history(cx, c, &doc, opened.unwrap_or(cx.now))?;
        doc.insert("history".into(), Value::Sequence(history));
    }
    Ok(if c.reorder {
        canonical_order(c.kind, doc)
    } else {
        doc
    })
}

/// A new record's history where the input gives none: opened, then the
/// statuses the machine walks through to the one the input gives.
fn first_history(
    cx: &Context<'_>,
    c: &Candidate,
    doc: &Mapping,
    opened: crate::time::Timestamp,
) -> Result<Vec<Value>, Vec<RowError>> {
    let machine = cx.ws.policy().machine(c.kind);
    let status = doc
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or(machine.initial.as_str())
        .to_owned();
    let mut history = vec![yaml::to_value(&Event {
        at: opened,
        by: cx.author.to_string(),
        status: Some(machine.initial.into()),
        note: Some(match &c.key {
            Key::Source(s, sid) => format!("imported from {s} {sid}"),
            Key::Id(_) => "imported".to_owned(),
        }),
        changes: Vec::new(),
        to_customer: false,
        remote: None,
    })];
    if status == machine.initial {
        return Ok(history);
    }
    let steps = machine
        .way(machine.initial.as_str(), &status)
        .ok_or_else(|| {
            vec![c.field_error(
                "status",
                format!(
                    "the {} policy has no way from {} to {status}",
                    cx.ws.policy().name,
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
            to_customer: false,
            remote: None,
        }));
    }
    Ok(history)
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
    given: &Mapping,
    entry: &Entry,
) -> Result<Option<Mapping>, Vec<RowError>> {
    let mut doc = entry.doc.as_mapping().cloned().unwrap_or_default();
    let changes = field_changes(c, given, entry, &mut doc)?;
    let have: Vec<Value> = doc
        .get("history")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    let appended = new_events(&have, given);
    let current = entry.record.status().to_owned();
    let target = given
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
        walk_to(cx, c, entry, &status, &target, &mut history)?;
    }
    if !changes.is_empty() {
        history.push(event(
            cx,
            None,
            format!("updated from the {} import", c.system()),
            changes,
        ));
    }
    doc.insert("status".into(), Value::String(target));
    doc.insert("history".into(), Value::Sequence(history));
    Ok(Some(doc))
}

/// Sets the input's fields on `doc` (removing those gone from an owned
/// block), and returns the changes.
fn field_changes(
    c: &Candidate,
    given: &Mapping,
    entry: &Entry,
    doc: &mut Mapping,
) -> Result<Vec<FieldChange>, Vec<RowError>> {
    const NOT_COMPARED: &[&str] = &["id", "kind", "status", "history", "priority"];
    let mut wanted = Vec::new();
    leaves("", given, &mut wanted);
    let mut changes = Vec::new();
    for (path, value) in &wanted {
        let top = path.split('.').next().unwrap_or_default();
        if NOT_COMPARED.contains(&top) {
            continue;
        }
        let old = document::get(doc, path).cloned();
        if old.as_ref() != Some(value) {
            document::set(doc, path, value.clone())
                .map_err(|e| vec![c.field_error(path, e.to_string())])?;
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
                document::remove(doc, &path);
                changes.push(FieldChange {
                    field: path,
                    from: Some(old),
                    to: None,
                });
            }
        }
    }
    Ok(changes)
}

/// The input's events the record lacks, in order.
fn new_events(have: &[Value], given: &Mapping) -> Vec<Value> {
    let mut left: HashMap<String, usize> = HashMap::new();
    for e in have {
        *left.entry(event_key(e)).or_default() += 1;
    }
    let mut appended = Vec::new();
    for e in given
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
    appended
}

/// Appends the events that walk an updated record from `status` to `target`.
fn walk_to(
    cx: &Context<'_>,
    c: &Candidate,
    entry: &Entry,
    status: &str,
    target: &str,
    history: &mut Vec<Value>,
) -> Result<(), Vec<RowError>> {
    let machine = cx.ws.policy().machine(c.kind);
    let steps = machine.way(status, target).ok_or_else(|| {
        vec![c.field_error(
            "status",
            format!(
                "{} is {status} in the repository; the {} policy has no way from there to {target}",
                entry.record.id(),
                cx.ws.policy().name
            ),
        )]
    })?;
    for step in steps {
        history.push(event(
            cx,
            Some(step),
            format!("status from the {} import", c.system()),
            Vec::new(),
        ));
    }
    Ok(())
}

/// Events compared as text, so `1` and `1.0` or key order cannot matter.
fn event_key(e: &Value) -> String {
    serde_json::to_string(e).unwrap_or_default()
}
