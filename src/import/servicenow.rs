//! The ServiceNow incident event log: one row per update of an incident,
//! `?` for an empty cell. Each `number` becomes one incident whose history
//! is the rows in time order, walked through the policy's status machine.
//!
//! Decisions (docs/import.md has them for users):
//!
//! - States: New → `new`; Active (and In Progress) → `in_progress`;
//!   Awaiting User Info (and Awaiting Caller/Customer) → `awaiting_customer`,
//!   the only waiting that pauses SLA clocks, since only then is the
//!   customer waited on; every other Awaiting … (Problem, Vendor, Change,
//!   Evidence) → `in_progress`, the desk still owes the work; Resolved →
//!   `resolved`; Closed → `closed`. Moves the machine has no edge for get
//!   the statuses between inserted (New → Active is new → assigned →
//!   in_progress), at the same time and by the same person. Any other state
//!   is refused, unless the mapping's `values: {status: …}` names it.
//! - `contact_type`: Phone and IVR → phone, Email → email, Self service,
//!   Web and Portal → web, Monitoring, Alert and Event → monitoring; any
//!   other channel leaves `reported_via` unset (a guess would feed the
//!   rules that judge the channel), and the original is always kept in
//!   `servicenow.contact_type`.
//! - Dates are day first (`29-02-2016 01:16`, `29/2/2016 01:16`), or ISO;
//!   a "month" above 12 is refused; local times are in the repository's
//!   timezone.

use std::collections::HashMap;

use super::error::{RowError, Unit};
use super::mapping::ImportMapping;
use super::table::{Table, TableRow};
use super::values::{self, Placement, ReadTime};
use super::{Candidate, Env, Key, Origin, Tally, walk};
use crate::kind::Kind;
use crate::record::{Event, FieldChange, document};
use crate::time::Timestamp;
use crate::yaml::{self, Mapping, Value};

/// The columns an event log must have.
const REQUIRED: &[&str] = &["number", "incident_state", "sys_updated_at", "opened_at"];

/// Columns that become record fields, or are the log's own bookkeeping:
/// not copied into the `servicenow` block.
const NOT_IN_BLOCK: &[&str] = &[
    "number",
    "incident_state",
    "active",
    "impact",
    "urgency",
    "caller_id",
    "opened_at",
    "sys_updated_at",
    "sys_updated_by",
    "sys_mod_count",
];

/// Block columns whose changes are counters, not news.
const COUNTERS: &[&str] = &["reassignment_count", "reopen_count", "sys_mod_count"];

/// Block columns holding booleans.
const BOOLEANS: &[&str] = &["active", "made_sla", "knowledge", "u_priority_confirmation"];

/// Whether a column of the log is one ServiceNow event logs name.
pub fn looks_like_event_log(columns: &[String]) -> bool {
    REQUIRED.iter().all(|r| columns.iter().any(|c| c == r))
}

struct Cols {
    number: usize,
    state: usize,
    updated_at: usize,
    opened_at: usize,
    updated_by: Option<usize>,
    opened_by: Option<usize>,
    impact: Option<usize>,
    urgency: Option<usize>,
    priority: Option<usize>,
    caller: Option<usize>,
    contact: Option<usize>,
    category: Option<usize>,
    subcategory: Option<usize>,
    symptom: Option<usize>,
    /// Columns copied into the block, with their index.
    block: Vec<(usize, String)>,
}

/// One row, read.
struct Read<'t> {
    row: &'t TableRow,
    at: Timestamp,
    opened: Timestamp,
    status: &'static str,
    state: String,
    by: String,
    /// Tracked fields (dotted) and their values; absent ones are `None`.
    fields: Vec<(String, Option<Value>)>,
}

/// Builds one candidate per incident number.
pub fn candidates(
    table: &Table,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> (Vec<Candidate>, Vec<RowError>) {
    let mut errors = Vec::new();
    if let Some(m) = mapping
        && (!m.columns.is_empty() || m.kind.is_some())
    {
        errors.push(RowError::row(
            Unit::Row,
            0,
            "a mapping for --input servicenow may give party, defaults, values (status, impact, urgency, reported_via), date_format and system, not columns or kind: the event log's columns are fixed",
        ));
        return (Vec::new(), errors);
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| table.index(r).is_none())
        .collect();
    if !missing.is_empty() {
        errors.push(RowError::row(
            Unit::Row,
            1,
            format!(
                "the header lacks {}, which a ServiceNow incident event log has",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return (Vec::new(), errors);
    }
    let idx = |n: &str| table.index(n);
    let cols = Cols {
        number: idx("number").unwrap_or_default(),
        state: idx("incident_state").unwrap_or_default(),
        updated_at: idx("sys_updated_at").unwrap_or_default(),
        opened_at: idx("opened_at").unwrap_or_default(),
        updated_by: idx("sys_updated_by"),
        opened_by: idx("opened_by"),
        impact: idx("impact"),
        urgency: idx("urgency"),
        priority: idx("priority"),
        caller: idx("caller_id"),
        contact: idx("contact_type"),
        category: idx("category"),
        subcategory: idx("subcategory"),
        symptom: idx("u_symptom"),
        block: table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| !NOT_IN_BLOCK.contains(&c.as_str()))
            .map(|(i, c)| (i, c.clone()))
            .collect(),
    };

    // Group the rows by number, in the order numbers first appear.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&TableRow>> = HashMap::new();
    for row in &table.rows {
        let number = row.cell(cols.number).trim();
        if empty(number) {
            errors.push(RowError::at(
                Unit::Row,
                row.row,
                "number",
                "is empty; every row of the event log names its incident",
            ));
            continue;
        }
        groups
            .entry(number)
            .or_insert_with(|| {
                order.push(number);
                Vec::new()
            })
            .push(row);
    }

    let system = mapping
        .and_then(|m| m.system.clone())
        .unwrap_or_else(|| "servicenow".to_owned());
    let mut out = Vec::with_capacity(order.len());
    for number in order {
        match incident(number, &groups[number], &cols, &system, mapping, env, tally) {
            Ok(c) => out.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (out, errors)
}

fn empty(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t == "?"
}

fn opt(row: &TableRow, i: Option<usize>) -> Option<&str> {
    i.map(|i| row.cell(i).trim()).filter(|c| !empty(c))
}

fn time(
    row: &TableRow,
    i: usize,
    column: &str,
    env: &Env<'_>,
    tally: &Tally,
) -> Result<ReadTime, RowError> {
    let mut e = |reason: String| RowError {
        unit: Unit::Row,
        row: row.row,
        line: Some(row.line),
        column: Some(column.to_owned()),
        reason,
    };
    let read = values::parse_time(row.cell(i), &env.rules).map_err(&mut e)?;
    match read.placement {
        Placement::Exact => {}
        Placement::Ambiguous => tally.add(
            "local times in the hour the clocks go back were read as the first of the two (summer time), as java.time does",
            format!("row {}", row.row),
        ),
        Placement::InGap => tally.add(
            "local times in the hour the clocks go forward do not exist; they were read one hour later, as java.time does",
            format!("row {}", row.row),
        ),
    }
    Ok(read)
}

#[allow(clippy::too_many_arguments)]
fn incident(
    number: &str,
    rows: &[&TableRow],
    cols: &Cols,
    system: &str,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> Result<Candidate, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut read: Vec<Read<'_>> = Vec::with_capacity(rows.len());
    for row in rows {
        match read_row(row, cols, system, mapping, env, tally) {
            Ok(r) => read.push(r),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Time order; rows of the same minute keep their order in the file.
    read.sort_by_key(|r| r.at);
    let last_read = read.last().expect("a group has at least one row");
    let last = last_read.row;
    let opened = last_read.opened;
    let first_at = read[0].at;

    let machine = env.policy.machine(Kind::Incident);
    let mut history: Vec<Value> = Vec::new();
    let opened_by = opt(last, cols.opened_by).unwrap_or(system).to_owned();
    let start = opened.min(first_at);
    if start < opened {
        tally.add(
            "incidents have updates dated before their opened_at; their history starts at the first update",
            number.to_owned(),
        );
    }
    history.push(yaml::to_value(&Event {
        at: start,
        by: opened_by,
        status: Some(machine.initial.clone()),
        note: Some(format!("opened in ServiceNow as {number}")),
        changes: Vec::new(),
    }));
    let mut status: &str = machine.initial.as_str();
    let mut state = "New".to_owned();
    let mut fields: Vec<(String, Option<Value>)> = read[0].fields.clone();
    for r in &read {
        let changes: Vec<FieldChange> = r
            .fields
            .iter()
            .zip(&fields)
            // Counters change with every reassignment: kept, not narrated.
            .filter(|((name, new), (_, old))| {
                new != old && !COUNTERS.iter().any(|c| name.ends_with(&format!(".{c}")))
            })
            .map(|((name, new), (_, old))| FieldChange {
                field: name.clone(),
                from: old.clone(),
                to: new.clone(),
            })
            .collect();
        let mut state_note = (r.state != state).then(|| format!("ServiceNow: {}", r.state));
        let mut target = r.status;
        if target == machine.initial && status != machine.initial {
            // No incident goes back to New: a row that says so is stale (the
            // log has such rows, out of time order); its state is not a move.
            tally.add(
                "rows that put an incident back to New after it had left New were taken as stale: their state is noted in the history, not made a move",
                format!("row {}", r.row.row),
            );
            state_note = Some(format!(
                "ServiceNow: {} (a stale row: the incident had left {} already)",
                r.state, r.state
            ));
            target = status;
        }
        if target != status {
            let Some(path) = walk(machine, status, target) else {
                return Err(vec![RowError {
                    unit: Unit::Row,
                    row: r.row.row,
                    line: Some(r.row.line),
                    column: Some("incident_state".into()),
                    reason: format!(
                        "{number} goes from {state} to {}, but the policy's status machine has no way from {status} to {target}",
                        r.state
                    ),
                }]);
            };
            let (last_step, between) = path.split_last().expect("a walk has a step");
            for step in between {
                history.push(yaml::to_value(&Event {
                    at: r.at,
                    by: r.by.clone(),
                    status: Some(step.clone()),
                    note: Some(format!("implied by ServiceNow: {state} → {}", r.state)),
                    changes: Vec::new(),
                }));
            }
            history.push(yaml::to_value(&Event {
                at: r.at,
                by: r.by.clone(),
                status: Some(last_step.clone()),
                note: state_note,
                changes,
            }));
            status = target;
        } else if state_note.is_some() || !changes.is_empty() {
            history.push(yaml::to_value(&Event {
                at: r.at,
                by: r.by.clone(),
                status: None,
                note: state_note.or_else(|| Some("ServiceNow update".to_owned())),
                changes,
            }));
        }
        state = r.state.clone();
        fields = r.fields.clone();
    }

    // The record: the last row's values.
    let mut doc = Mapping::new();
    let title = [cols.category, cols.subcategory, cols.symptom]
        .into_iter()
        .filter_map(|c| opt(last, c))
        .collect::<Vec<_>>()
        .join(" / ");
    let title = if title.is_empty() {
        format!("ServiceNow incident {number}")
    } else {
        format!("{number}: {title}")
    };
    doc.insert("title".into(), Value::String(title));
    doc.insert("status".into(), Value::String(status.to_owned()));
    doc.insert("opened_at".into(), Value::String(values::rfc3339(&opened)));
    let mut origin = Origin::default();
    for (field, value) in &fields {
        if let Some(v) = value {
            // Sets on a fresh mapping of dotted names cannot fail.
            let _ = document::set(&mut doc, field, v.clone());
            let column = match field.as_str() {
                "reporter.name" => "caller_id".to_owned(),
                "reported_via" => "contact_type".to_owned(),
                f => f
                    .strip_prefix(&format!("{system}."))
                    .unwrap_or(f)
                    .to_owned(),
            };
            origin.insert(field.as_str().into(), last.row, column.into());
        }
    }
    let mut apply_default = |field: &str, v: Value| {
        if document::get(&doc, field).is_none() {
            let _ = document::set(&mut doc, field, v);
        }
    };
    if let Some(m) = mapping {
        if let Some(p) = &m.party {
            apply_default("reporter.party", Value::String(p.clone()));
        }
        for (f, v) in &m.defaults {
            apply_default(f, v.clone());
        }
    }
    let mut source = Mapping::new();
    source.insert("system".into(), Value::String(system.to_owned()));
    source.insert("id".into(), Value::String(number.to_owned()));
    doc.insert("source".into(), Value::Mapping(source));
    doc.insert("history".into(), Value::Sequence(history));
    origin.insert("opened_at".into(), last.row, "opened_at".into());
    origin.insert("status".into(), last.row, "incident_state".into());
    origin.insert("history".into(), last.row, "sys_updated_at".into());
    let source_priority = opt(last, cols.priority).and_then(|p| {
        p.split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|d| d.parse::<u8>().ok())
    });
    Ok(Candidate {
        unit: Unit::Row,
        row: last.row,
        line: Some(last.line),
        kind: Kind::Incident,
        key: Key::Source(system.to_owned(), number.to_owned()),
        keep_id: None,
        doc,
        origin,
        source_priority,
        reorder: true,
        owned_block: Some(system.to_owned()),
        held: Default::default(),
    }
    .packed())
}

fn read_row<'t>(
    row: &'t TableRow,
    cols: &Cols,
    system: &str,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> Result<Read<'t>, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell_error = |column: &str, reason: String| RowError {
        unit: Unit::Row,
        row: row.row,
        line: Some(row.line),
        column: Some(column.to_owned()),
        reason,
    };
    let mut read_time = |i: usize, column: &str| match time(row, i, column, env, tally) {
        Ok(t) => Some(t.at),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let at = read_time(cols.updated_at, "sys_updated_at");
    let opened = read_time(cols.opened_at, "opened_at");
    let state = row.cell(cols.state).trim().to_owned();
    let status = match map_state(&state, mapping) {
        Ok(s) => Some(s),
        Err(reason) => {
            errors.push(cell_error("incident_state", reason));
            None
        }
    };
    let mut fields: Vec<(String, Option<Value>)> = Vec::new();
    for (field, col) in [("impact", cols.impact), ("urgency", cols.urgency)] {
        let value = match opt(row, col) {
            None => None,
            Some(text) => match level(field, text, mapping) {
                Ok(v) => Some(v),
                Err(reason) => {
                    errors.push(cell_error(field, reason));
                    None
                }
            },
        };
        fields.push((field.to_owned(), value));
    }
    fields.push((
        "reporter.name".to_owned(),
        opt(row, cols.caller).map(|c| Value::String(c.to_owned())),
    ));
    let contact = opt(row, cols.contact);
    let via = contact.and_then(|c| channel(c, mapping));
    if let (Some(c), None) = (contact, &via) {
        tally.add(
            format!(
                "contact_type `{c}` has no arende channel: reported_via is left empty and `{system}.contact_type` keeps it (map it with --mapping values: {{reported_via: {{\"{c}\": phone}}}})"
            ),
            row.cell(cols.number).trim().to_owned(),
        );
    }
    fields.push(("reported_via".to_owned(), via));
    for (i, column) in &cols.block {
        let text = row.cell(*i).trim();
        let value = if empty(text) {
            None
        } else if BOOLEANS.contains(&column.as_str()) {
            match values::parse_bool(text) {
                Ok(b) => Some(Value::Bool(b)),
                Err(reason) => {
                    errors.push(cell_error(column, reason));
                    None
                }
            }
        } else if COUNTERS.contains(&column.as_str()) {
            match text.parse::<u64>() {
                Ok(n) => Some(Value::Number(n.into())),
                Err(_) => {
                    errors.push(cell_error(
                        column,
                        format!("`{text}` is not a whole number"),
                    ));
                    None
                }
            }
        } else if column.ends_with("_at") {
            match time(row, *i, column, env, tally) {
                Ok(t) => Some(Value::String(values::rfc3339(&t.at))),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        } else {
            Some(Value::String(text.to_owned()))
        };
        fields.push((format!("{system}.{column}"), value));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Read {
        row,
        at: at.expect("no error, so read"),
        opened: opened.expect("no error, so read"),
        status: status.expect("no error, so read"),
        state,
        by: opt(row, cols.updated_by).unwrap_or(system).to_owned(),
        fields,
    })
}

/// The arende status of a ServiceNow incident state.
fn map_state(state: &str, mapping: Option<&ImportMapping>) -> Result<&'static str, String> {
    let statuses = crate::record::statuses(Kind::Incident);
    if let Some(v) = mapping.and_then(|m| m.map_value("status", state)) {
        let name = v.as_str().unwrap_or_default();
        return statuses
            .iter()
            .find(|s| **s == name)
            .copied()
            .ok_or_else(|| {
                format!(
                    "the mapping maps `{state}` to `{}`, which is not an incident status ({})",
                    crate::record::document::display(v),
                    statuses.join(", ")
                )
            });
    }
    let s = state.to_ascii_lowercase();
    Ok(match s.as_str() {
        "new" => "new",
        "active" | "in progress" | "work in progress" => "in_progress",
        "awaiting user info" | "awaiting caller" | "awaiting customer" => "awaiting_customer",
        a if a.starts_with("awaiting ") => "in_progress",
        "resolved" => "resolved",
        "closed" => "closed",
        _ => {
            return Err(format!(
                "`{state}` is not a ServiceNow incident state arende knows (New, Active, Awaiting …, Resolved, Closed); map it with --mapping, e.g. values: {{status: {{\"{state}\": closed}}}}"
            ));
        }
    })
}

/// `1 - High` → high, `2 - Medium` → medium, `3 - Low` → low.
fn level(field: &str, text: &str, mapping: Option<&ImportMapping>) -> Result<Value, String> {
    if let Some(v) = mapping.and_then(|m| m.map_value(field, text)) {
        return Ok(v.clone());
    }
    let lower = text.trim().to_ascii_lowercase();
    let word = lower
        .split_once(" - ")
        .map_or(lower.as_str(), |(_, w)| w.trim());
    let digit = lower.chars().next().filter(char::is_ascii_digit);
    let by_digit = match digit {
        Some('1') => Some("high"),
        Some('2') => Some("medium"),
        Some('3') => Some("low"),
        _ => None,
    };
    let by_word = match word {
        "high" => Some("high"),
        "medium" => Some("medium"),
        "low" => Some("low"),
        _ => None,
    };
    match (by_digit, by_word) {
        (Some(a), Some(b)) if a != b => Err(format!(
            "`{text}` contradicts itself: {} is {a}, but the word says {b}",
            digit.unwrap_or_default()
        )),
        (Some(a), _) | (None, Some(a)) => Ok(Value::String(a.to_owned())),
        (None, None) => Err(format!(
            "`{text}` is not an {field} arende knows (1 - High, 2 - Medium, 3 - Low)"
        )),
    }
}

/// The arende channel of a ServiceNow contact type, if there is one.
fn channel(contact: &str, mapping: Option<&ImportMapping>) -> Option<Value> {
    if let Some(v) = mapping.and_then(|m| m.map_value("reported_via", contact)) {
        return Some(v.clone());
    }
    let c = contact.trim().to_ascii_lowercase().replace(['-', '_'], " ");
    let name = match c.as_str() {
        "phone" | "telephone" | "ivr" => "phone",
        "email" | "e mail" | "mail" => "email",
        "self service" | "web" | "portal" | "service portal" => "web",
        "monitoring" | "alert" | "event" | "event management" => "monitoring",
        _ => return None,
    };
    Some(Value::String(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_to_the_incident_machine() {
        assert_eq!(map_state("New", None), Ok("new"));
        assert_eq!(map_state("Active", None), Ok("in_progress"));
        assert_eq!(
            map_state("Awaiting User Info", None),
            Ok("awaiting_customer")
        );
        assert_eq!(map_state("Awaiting Problem", None), Ok("in_progress"));
        assert_eq!(map_state("Awaiting Vendor", None), Ok("in_progress"));
        assert_eq!(map_state("Resolved", None), Ok("resolved"));
        assert_eq!(map_state("Closed", None), Ok("closed"));
        assert!(map_state("-100", None).is_err());
    }

    #[test]
    fn levels_read_number_and_word() {
        assert_eq!(
            level("impact", "1 - High", None),
            Ok(Value::String("high".into()))
        );
        assert_eq!(
            level("impact", "2 - Medium", None),
            Ok(Value::String("medium".into()))
        );
        assert_eq!(
            level("urgency", "3 - Low", None),
            Ok(Value::String("low".into()))
        );
        assert_eq!(
            level("urgency", "low", None),
            Ok(Value::String("low".into()))
        );
        assert!(level("impact", "1 - Low", None).is_err());
        assert!(level("impact", "4 - Planning", None).is_err());
    }

    #[test]
    fn channels() {
        assert_eq!(channel("Phone", None), Some(Value::String("phone".into())));
        assert_eq!(
            channel("Self service", None),
            Some(Value::String("web".into()))
        );
        assert_eq!(channel("Email", None), Some(Value::String("email".into())));
        assert_eq!(channel("Direct opening", None), None);
    }
}
