//! The lines of `arende list`: a record's table or CSV cells, or its JSON
//! element.

use std::io;

use chrono_tz::Tz;
use serde_json::json;

use super::json::pretty_at;
use crate::workspace::Entry;

/// The columns: without the kind when the listing is of one kind.
pub fn header(one_kind: bool) -> &'static [&'static str] {
    if one_kind {
        &["id", "status", "priority", "title", "opened"]
    } else {
        &["id", "kind", "status", "priority", "title", "opened"]
    }
}

/// A record's cells under [`header`], times in `tz`.
pub fn cells(e: Entry, one_kind: bool, tz: Tz) -> Vec<String> {
    let r = e.record;
    let mut row = vec![r.id().to_string()];
    if !one_kind {
        row.push(r.kind().to_string());
    }
    row.push(r.status().to_owned());
    // No priority, an empty cell.
    row.push(
        r.priority()
            .map(|p| p.get().to_string())
            .unwrap_or_default(),
    );
    let opened = r.common.opened_at.with_timezone(&tz);
    row.push(r.common.title);
    row.push(opened.format("%Y-%m-%d %H:%M").to_string());
    row
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
    });
    pretty_at(&value, 1)
}
