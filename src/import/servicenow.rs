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
//! - `assignment_group` and `assigned_to` are the record's
//!   `assignment.group` and `assignment.person`, as ServiceNow writes them
//!   (`Group 56`): where the repository has a people registry, `validate`
//!   names those it does not know (ASG003).
//! - Dates are day first (`29-02-2016 01:16`, `29/2/2016 01:16`), or ISO;
//!   a "month" above 12 is refused; local times are in the repository's
//!   timezone.

use std::collections::HashMap;

use super::candidate::{Candidate, Fields, Key, Origin, Shared};
use super::env::{Env, Tally};
use super::error::{RowError, Unit};
use super::mapping::ImportMapping;
use super::table::{Table, TableRow};
use super::values::{self, CellError, Placement, ReadTime};
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

/// What building every incident shares.
struct Log<'a> {
    cols: Cols,
    system: String,
    mapping: Option<&'a ImportMapping>,
    env: &'a Env<'a>,
    tally: &'a Tally,
    shared: Shared,
}

/// Builds one candidate per incident number.
pub fn candidates(
    table: &Table,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> (Vec<Candidate>, Vec<RowError>) {
    let cols = match columns(table, mapping) {
        Ok(cols) => cols,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut log = Log {
        cols,
        system: mapping
            .and_then(|m| m.system.clone())
            .unwrap_or_else(|| "servicenow".to_owned()),
        mapping,
        env,
        tally,
        shared: Shared::default(),
    };
    let (order, groups, mut errors) = group(table, log.cols.number);
    let mut out = Vec::with_capacity(order.len());
    for number in order {
        match log.incident(number, &groups[number]) {
            Ok(c) => out.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (out, errors)
}

/// The columns of the log, or why the mapping or the header cannot do.
fn columns(table: &Table, mapping: Option<&ImportMapping>) -> Result<Cols, RowError> {
    if let Some(m) = mapping
        && (!m.columns.is_empty() || m.kind.is_some())
    {
        return Err(RowError::row(
            Unit::Row,
            0,
            "a mapping for --input servicenow may give party, defaults, values (status, impact, urgency, reported_via), date_format and system, not columns or kind: the event log's columns are fixed",
        ));
    }
    // The required columns, found or named as missing, in REQUIRED's order.
    let found: Vec<Result<usize, &str>> =
        REQUIRED.iter().map(|&r| table.index(r).ok_or(r)).collect();
    let [Ok(number), Ok(state), Ok(updated_at), Ok(opened_at)] = found[..] else {
        let missing: Vec<String> = found
            .iter()
            .filter_map(|f| f.err())
            .map(|m| format!("`{m}`"))
            .collect();
        return Err(RowError::row(
            Unit::Row,
            1,
            format!(
                "the header lacks {}, which a ServiceNow incident event log has",
                missing.join(", ")
            ),
        ));
    };
    let idx = |n: &str| table.index(n);
    Ok(Cols {
        number,
        state,
        updated_at,
        opened_at,
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
    })
}

/// The rows grouped by number, numbers in the order they first appear.
type Groups<'t> = (
    Vec<&'t str>,
    HashMap<&'t str, Vec<&'t TableRow>>,
    Vec<RowError>,
);

fn group(table: &Table, number_col: usize) -> Groups<'_> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&TableRow>> = HashMap::new();
    let mut errors = Vec::new();
    for row in &table.rows {
        let number = row.cell(number_col).trim();
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
    (order, groups, errors)
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
    let read = values::parse_time(row.cell(i), &env.rules).map_err(|e| RowError {
        unit: Unit::Row,
        row: row.row,
        line: Some(row.line),
        column: Some(column.to_owned()),
        reason: e.to_string(),
    })?;
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

/// An incident's history as it is walked, row by row.
struct Walk<'r> {
    number: &'r str,
    history: Vec<Value>,
    /// The arende status reached.
    status: &'r str,
    /// The ServiceNow state of the last row.
    state: String,
    fields: Vec<(String, Option<Value>)>,
}

impl<'a> Log<'a> {
    fn incident(&mut self, number: &str, rows: &[&TableRow]) -> Result<Candidate, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut read: Vec<Read<'_>> = Vec::with_capacity(rows.len());
        for row in rows {
            match self.read_row(row) {
                Ok(r) => read.push(r),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Time order; rows of the same minute keep their order in the file.
        read.sort_by_key(|r| r.at);
        let mut walk = self.opened(number, &read);
        for r in &read {
            self.step(&mut walk, r)?;
        }
        let last = read.last().expect("a group has at least one row");
        self.candidate(walk, last)
    }

    /// The walk's start: the incident opened, by whom the last row says.
    fn opened<'r>(&self, number: &'r str, read: &[Read<'_>]) -> Walk<'r>
    where
        'a: 'r,
    {
        let machine = self.env.policy.machine(Kind::Incident);
        let last = read.last().expect("a group has at least one row");
        let opened_by = opt(last.row, self.cols.opened_by)
            .unwrap_or(&self.system)
            .to_owned();
        let start = last.opened.min(read[0].at);
        if start < last.opened {
            self.tally.add(
                "incidents have updates dated before their opened_at; their history starts at the first update",
                number.to_owned(),
            );
        }
        let history = vec![yaml::to_value(&Event {
            at: start,
            by: opened_by,
            status: Some(machine.initial.into()),
            note: Some(format!("opened in ServiceNow as {number}")),
            changes: Vec::new(),
            to_customer: false,
            remote: None,
        })];
        Walk {
            number,
            history,
            status: machine.initial.as_str(),
            state: "New".to_owned(),
            fields: read[0].fields.clone(),
        }
    }

    /// One row's events: the statuses its state moves through, and the
    /// fields it changed.
    fn step<'r>(&self, walk: &mut Walk<'r>, r: &Read<'_>) -> Result<(), Vec<RowError>>
    where
        'a: 'r,
    {
        let machine = self.env.policy.machine(Kind::Incident);
        let changes: Vec<FieldChange> = r
            .fields
            .iter()
            .zip(&walk.fields)
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
        let mut state_note = (r.state != walk.state).then(|| format!("ServiceNow: {}", r.state));
        let mut target = r.status;
        if target == machine.initial && walk.status != machine.initial {
            // No incident goes back to New: a row that says so is stale (the
            // log has such rows, out of time order); its state is not a move.
            self.tally.add(
                "rows that put an incident back to New after it had left New were taken as stale: their state is noted in the history, not made a move",
                format!("row {}", r.row.row),
            );
            state_note = Some(format!(
                "ServiceNow: {} (a stale row: the incident had left {} already)",
                r.state, r.state
            ));
            target = walk.status;
        }
        if target != walk.status {
            self.moved(walk, r, target, state_note, changes)?;
        } else if state_note.is_some() || !changes.is_empty() {
            walk.history.push(yaml::to_value(&Event {
                at: r.at,
                by: r.by.clone(),
                status: None,
                note: state_note.or_else(|| Some("ServiceNow update".to_owned())),
                changes,
                to_customer: false,
                remote: None,
            }));
        }
        walk.state = r.state.clone();
        walk.fields = r.fields.clone();
        Ok(())
    }

    /// The events of a row that moves the incident to `target`: the
    /// statuses the machine walks through, the last with the row's changes.
    fn moved<'r>(
        &self,
        walk: &mut Walk<'r>,
        r: &Read<'_>,
        target: &'r str,
        state_note: Option<String>,
        changes: Vec<FieldChange>,
    ) -> Result<(), Vec<RowError>> {
        let machine = self.env.policy.machine(Kind::Incident);
        let Some(path) = machine.way(walk.status, target) else {
            return Err(vec![RowError {
                unit: Unit::Row,
                row: r.row.row,
                line: Some(r.row.line),
                column: Some("incident_state".into()),
                reason: format!(
                    "{} goes from {} to {}, but the policy's status machine has no way from {} to {target}",
                    walk.number, walk.state, r.state, walk.status
                ),
            }]);
        };
        let (last_step, between) = path.split_last().expect("a walk has a step");
        for step in between {
            walk.history.push(yaml::to_value(&Event {
                at: r.at,
                by: r.by.clone(),
                status: Some(step.clone()),
                note: Some(format!(
                    "implied by ServiceNow: {} → {}",
                    walk.state, r.state
                )),
                changes: Vec::new(),
                to_customer: false,
                remote: None,
            }));
        }
        walk.history.push(yaml::to_value(&Event {
            at: r.at,
            by: r.by.clone(),
            status: Some(last_step.clone()),
            note: state_note,
            changes,
            to_customer: false,
            remote: None,
        }));
        walk.status = target;
        Ok(())
    }

    /// The record: the last row's values, and the history walked.
    fn candidate(
        &mut self,
        walk: Walk<'_>,
        last_read: &Read<'_>,
    ) -> Result<Candidate, Vec<RowError>> {
        let (last, number, system) = (last_read.row, walk.number, self.system.as_str());
        let mut doc = Mapping::new();
        doc.insert("title".into(), Value::String(self.title(number, last)));
        doc.insert("status".into(), Value::String(walk.status.to_owned()));
        doc.insert(
            "opened_at".into(),
            Value::String(values::rfc3339(&last_read.opened)),
        );
        let mut origin = Vec::new();
        for (field, value) in &walk.fields {
            if let Some(v) = value {
                // The log's fields are the columns' (reporter.name,
                // servicenow.*): none is a value another's path runs through.
                document::set(&mut doc, field, v.clone())
                    .map_err(|e| vec![cell_error(last, field, e)])?;
                let column = match field.as_str() {
                    "reporter.name" => "caller_id",
                    "reported_via" => "contact_type",
                    "assignment.group" => "assignment_group",
                    "assignment.person" => "assigned_to",
                    f => f.strip_prefix(&format!("{system}.")).unwrap_or(f),
                };
                origin.push((field.as_str().into(), column.into()));
            }
        }
        if let Some(m) = self.mapping {
            let unset = m.fill(Kind::Incident, &mut doc);
            if !unset.is_empty() {
                return Err(unset
                    .into_iter()
                    .map(|e| RowError {
                        unit: Unit::Row,
                        row: last.row,
                        line: Some(last.line),
                        column: None,
                        reason: e.to_string(),
                    })
                    .collect());
            }
        }
        let mut source = Mapping::new();
        source.insert("system".into(), Value::String(system.to_owned()));
        source.insert("id".into(), Value::String(number.to_owned()));
        doc.insert("source".into(), Value::Mapping(source));
        doc.insert("history".into(), Value::Sequence(walk.history));
        origin.push(("opened_at".into(), "opened_at".into()));
        origin.push(("status".into(), "incident_state".into()));
        origin.push(("history".into(), "sys_updated_at".into()));
        Ok(Candidate {
            unit: Unit::Row,
            row: last.row,
            line: Some(last.line),
            kind: Kind::Incident,
            key: Key::Source(system.to_owned(), number.to_owned()),
            keep_id: None,
            fields: Fields::new(doc, &mut self.shared),
            origin: Origin::new(origin, &mut self.shared),
            source_priority: priority(last, self.cols.priority),
            reorder: true,
            owned_block: Some(system.to_owned()),
        })
    }

    /// `INC0001: category / subcategory / symptom`, of the last row.
    fn title(&self, number: &str, last: &TableRow) -> String {
        let c = &self.cols;
        let title = [c.category, c.subcategory, c.symptom]
            .into_iter()
            .filter_map(|c| opt(last, c))
            .collect::<Vec<_>>()
            .join(" / ");
        if title.is_empty() {
            format!("ServiceNow incident {number}")
        } else {
            format!("{number}: {title}")
        }
    }
}

/// The priority the log gives (`4 - Low` → 4).
fn priority(last: &TableRow, col: Option<usize>) -> Option<u8> {
    opt(last, col).and_then(|p| {
        p.split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|d| d.parse::<u8>().ok())
    })
}

impl Log<'_> {
    fn read_row<'t>(&self, row: &'t TableRow) -> Result<Read<'t>, Vec<RowError>> {
        let (cols, env, tally) = (&self.cols, self.env, self.tally);
        let mut errors = Vec::new();
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
        let status = map_state(&state, self.mapping)
            .map_err(|reason| errors.push(cell_error(row, "incident_state", reason)))
            .ok();
        let mut fields: Vec<(String, Option<Value>)> = Vec::new();
        for (field, col) in [("impact", cols.impact), ("urgency", cols.urgency)] {
            let value = opt(row, col).and_then(|text| {
                level(field, text, self.mapping)
                    .map_err(|reason| errors.push(cell_error(row, field, reason)))
                    .ok()
            });
            fields.push((field.to_owned(), value));
        }
        fields.push((
            "reporter.name".to_owned(),
            opt(row, cols.caller).map(|c| Value::String(c.to_owned())),
        ));
        fields.push(("reported_via".to_owned(), self.via(row)));
        for (i, column) in &cols.block {
            let value = self
                .block_value(row, *i, column)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten();
            let field = match column.as_str() {
                "assignment_group" => "assignment.group".to_owned(),
                "assigned_to" => "assignment.person".to_owned(),
                _ => format!("{}.{column}", self.system),
            };
            fields.push((field, value));
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
            by: opt(row, cols.updated_by).unwrap_or(&self.system).to_owned(),
            fields,
        })
    }

    /// The row's channel; one arende has no name for is noted.
    fn via(&self, row: &TableRow) -> Option<Value> {
        let contact = opt(row, self.cols.contact);
        let via = contact.and_then(|c| channel(c, self.mapping));
        if let (Some(c), None) = (contact, &via) {
            self.tally.add(
                format!(
                    "contact_type `{c}` has no arende channel: reported_via is left empty and `{}.contact_type` keeps it (map it with --mapping values: {{reported_via: {{\"{c}\": phone}}}})",
                    self.system
                ),
                row.cell(self.cols.number).trim().to_owned(),
            );
        }
        via
    }

    /// A cell copied into the block: booleans, counters and times read as
    /// such, the rest as text; empty cells are `None`.
    fn block_value(
        &self,
        row: &TableRow,
        i: usize,
        column: &str,
    ) -> Result<Option<Value>, RowError> {
        let text = row.cell(i).trim();
        if empty(text) {
            return Ok(None);
        }
        let value = if BOOLEANS.contains(&column) {
            Value::Bool(values::parse_bool(text).map_err(|r| cell_error(row, column, r))?)
        } else if COUNTERS.contains(&column) {
            let n = text
                .parse::<u64>()
                .map_err(|_| cell_error(row, column, format!("`{text}` is not a whole number")))?;
            Value::Number(n.into())
        } else if column.ends_with("_at") {
            let t = time(row, i, column, self.env, self.tally)?;
            Value::String(values::rfc3339(&t.at))
        } else {
            Value::String(text.to_owned())
        };
        Ok(Some(value))
    }
}

fn cell_error(row: &TableRow, column: &str, reason: impl std::fmt::Display) -> RowError {
    RowError {
        unit: Unit::Row,
        row: row.row,
        line: Some(row.line),
        column: Some(column.to_owned()),
        reason: reason.to_string(),
    }
}

/// The arende status of a ServiceNow incident state.
fn map_state(state: &str, mapping: Option<&ImportMapping>) -> Result<&'static str, CellError> {
    let statuses = crate::record::statuses(Kind::Incident);
    if let Some(v) = mapping.and_then(|m| m.map_value("status", state)) {
        let name = v.as_str().unwrap_or_default();
        return statuses
            .iter()
            .find(|s| **s == name)
            .copied()
            .ok_or_else(|| CellError::MappedStatus {
                state: state.to_owned(),
                to: crate::record::document::display(v),
                statuses: statuses.join(", "),
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
            return Err(CellError::UnknownState(state.to_owned()));
        }
    })
}

/// `1 - High` → high, `2 - Medium` → medium, `3 - Low` → low.
fn level(field: &str, text: &str, mapping: Option<&ImportMapping>) -> Result<Value, CellError> {
    if let Some(v) = mapping.and_then(|m| m.map_value(field, text)) {
        return Ok(v.clone());
    }
    let lower = text.trim().to_ascii_lowercase();
    let word = lower
        .split_once(" - ")
        .map_or(lower.as_str(), |(_, w)| w.trim());
    // The level a leading digit names, with the digit.
    let by_digit = match lower.chars().next() {
        Some(d @ '1') => Some((d, "high")),
        Some(d @ '2') => Some((d, "medium")),
        Some(d @ '3') => Some((d, "low")),
        _ => None,
    };
    let by_word = match word {
        "high" => Some("high"),
        "medium" => Some("medium"),
        "low" => Some("low"),
        _ => None,
    };
    match (by_digit, by_word) {
        (Some((digit, a)), Some(b)) if a != b => Err(CellError::LevelContradicts {
            text: text.to_owned(),
            digit,
            by_digit: a,
            by_word: b,
        }),
        (Some((_, a)), _) | (None, Some(a)) => Ok(Value::String(a.to_owned())),
        (None, None) => Err(CellError::UnknownLevel {
            text: text.to_owned(),
            field: field.to_owned(),
        }),
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
        assert_eq!(map_state("New", None).ok(), Some("new"));
        assert_eq!(map_state("Active", None).ok(), Some("in_progress"));
        assert_eq!(
            map_state("Awaiting User Info", None).ok(),
            Some("awaiting_customer")
        );
        assert_eq!(
            map_state("Awaiting Problem", None).ok(),
            Some("in_progress")
        );
        assert_eq!(map_state("Awaiting Vendor", None).ok(), Some("in_progress"));
        assert_eq!(map_state("Resolved", None).ok(), Some("resolved"));
        assert_eq!(map_state("Closed", None).ok(), Some("closed"));
        assert!(map_state("-100", None).is_err());
    }

    #[test]
    fn levels_read_number_and_word() {
        assert_eq!(
            level("impact", "1 - High", None).ok(),
            Some(Value::String("high".into()))
        );
        assert_eq!(
            level("impact", "2 - Medium", None).ok(),
            Some(Value::String("medium".into()))
        );
        assert_eq!(
            level("urgency", "3 - Low", None).ok(),
            Some(Value::String("low".into()))
        );
        assert_eq!(
            level("urgency", "low", None).ok(),
            Some(Value::String("low".into()))
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
