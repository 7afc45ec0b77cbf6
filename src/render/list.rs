//! The lines of `arende list`: a record's table or CSV cells, or its JSON
//! element.

use std::io;

use chrono_tz::Tz;
use serde_json::json;

use super::json::pretty_at;
use crate::record::Event;
use crate::workspace::Entry;

/// Which columns a listing has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// Leave out the kind: the listing is of one kind.
    pub one_kind: bool,
    /// Add who has each record (a desk's queue).
    pub assigned: bool,
}

/// The column names.
pub fn header(c: Columns) -> Vec<&'static str> {
    let mut h = vec!["id"];
    if !c.one_kind {
        h.push("kind");
    }
    h.extend(["status", "priority"]);
    if c.assigned {
        h.push("assigned");
    }
    h.extend(["title", "opened"]);
    h
}

/// A record's cells under [`header`], times in `tz`.
pub fn cells(e: Entry, c: Columns, tz: Tz) -> Vec<String> {
    let r = e.record;
    let mut row = vec![r.id().to_string()];
    if !c.one_kind {
        row.push(r.kind().to_string());
    }
    row.push(r.status().to_owned());
    // No priority, an empty cell.
    row.push(
        r.priority()
            .map(|p| p.get().to_string())
            .unwrap_or_default(),
    );
    if c.assigned {
        // `team / person`, `team`, or empty.
        let a = r.common.assignment.as_ref();
        let parts: Vec<&str> = a
            .into_iter()
            .flat_map(|a| [a.group.as_deref(), a.person.as_deref()])
            .flatten()
            .collect();
        row.push(parts.join(" / "));
    }
    let opened = r.common.opened_at.with_timezone(&tz);
    row.push(r.common.title);
    row.push(opened.format("%Y-%m-%d %H:%M").to_string());
    row
}

/// What happened to a ticket, as a desk reads it: each status move, work
/// note and reply to the customer, oldest first (field changes are in
/// `show` and `log`).
pub fn timeline(history: &[Event]) -> serde_json::Value {
    history
        .iter()
        .filter(|e| e.status.is_some() || e.note.is_some())
        .map(|e| {
            let what = match (&e.status, e.to_customer) {
                (Some(_), _) => "status",
                (None, true) => "reply",
                (None, false) => "note",
            };
            json!({
                "at": e.at.to_rfc3339(),
                "by": e.by,
                "what": what,
                "status": e.status,
                "note": e.note,
            })
        })
        .collect()
}

/// A record as an element of the listing's JSON array.
pub fn json_element(e: &Entry) -> io::Result<Vec<u8>> {
    let value = json!({
        "id": e.record.id().as_str(),
        "kind": e.record.kind().name(),
        "status": e.record.status(),
        "priority": e.record.priority().map(|p| p.get()),
        "title": e.record.common.title,
        "opened_at": e.record.common.opened_at.to_rfc3339(),
        "path": e.path.display().to_string(),
        "assignment": e.record.common.assignment.as_ref().map(|a| json!({
            "group": a.group,
            "person": a.person,
        })),
        "timeline": timeline(&e.record.common.history),
    });
    pretty_at(&value, 1)
}
