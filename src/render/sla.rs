//! The lines of `arende sla`: a table's cells, or a JSON document whose
//! array of clocks is written as the records arrive.

use std::io::{self, Write};

use chrono::Duration;
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::json::{Array, pretty_at};
use crate::policy::ClockHours;
use crate::sla::{ClockState, ClockStatus, Row, human};
use crate::time::Timestamp;

/// The table's header.
pub const HEADER: [&str; 9] = [
    "id", "prio", "status", "clock", "target", "due", "left", "state", "flags",
];

/// `{"at": …, "clocks": […]}`, the clocks given to the array by `fill` as
/// they come.
pub fn json_document<W: Write>(
    out: &mut W,
    at: Timestamp,
    fill: impl FnOnce(&mut Array<'_, W>) -> io::Result<()>,
) -> io::Result<()> {
    write!(
        out,
        "{{\n  \"at\": {},\n  \"clocks\": ",
        Value::from(at.to_rfc3339())
    )?;
    let mut array = Array::open(out, 1)?;
    fill(&mut array)?;
    array.close()?;
    out.write_all(b"\n}\n")
}

/// One line as an element of the document's array, due times in `tz`.
pub fn json_element(row: &Row<'_>, tz: Tz) -> io::Result<Vec<u8>> {
    let (r, c, crisis) = (row.record, &row.clock, row.crisis);
    let value = json!({
        "id": r.id().as_str(),
        "priority": r.priority().map(|p| p.get()),
        "status": r.status(),
        "title": r.common.title,
        "clock": c,
        "due": c.as_ref().and_then(|c| c.due).map(|d| d.with_timezone(&tz).to_rfc3339()),
        "major_incident": row.major,
        "crisis_assessment": crisis.is_some(),
        "covered": row.covered,
        "outage_minutes": crisis.map(|d| d.num_minutes()),
    });
    pretty_at(&value, 2)
}

/// One line as the table's cells, times in `tz`.
pub fn cells(row: &Row<'_>, tz: Tz) -> Vec<String> {
    let r = row.record;
    let mut cells = vec![
        r.id().to_string(),
        // No priority, an empty cell.
        r.priority()
            .map(|p| p.get().to_string())
            .unwrap_or_default(),
        r.status().to_owned(),
    ];
    cells.extend(match &row.clock {
        Some(c) => clock_cells(c, tz),
        None => vec![String::new(); 5],
    });
    cells.push(flags(row).join(", "));
    cells
}

/// What the flags column says of a line.
fn flags(row: &Row<'_>) -> Vec<String> {
    let mut flags = Vec::new();
    if row.major {
        flags.push("major incident".to_owned());
    }
    if let Some(d) = row.crisis {
        flags.push(format!("crisis assessment (outage {})", human(d)));
    }
    if row.clock.is_none() && !row.covered {
        flags.push("not covered (incomplete at registration)".to_owned());
    }
    if row.clock.as_ref().is_some_and(|c| c.at_risk) {
        flags.push("at risk".to_owned());
    }
    flags
}

/// clock, target, due, left, state.
fn clock_cells(c: &ClockStatus, tz: Tz) -> Vec<String> {
    let span = |d: Duration| match c.hours {
        // Office time is counted in working hours; "3 d" would read as calendar days.
        ClockHours::Office => working_hours(d),
        ClockHours::Always => human(d),
    };
    let left = Duration::seconds(c.left_seconds);
    let left = if c.state == ClockState::NotStarted {
        String::new()
    } else if left < Duration::zero() {
        format!("overdue {}", span(-left))
    } else {
        span(left)
    };
    vec![
        c.clock.clone(),
        c.target.clone(),
        // Paused, the due time is unknown: an empty cell.
        c.due
            .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        left,
        state_name(c.state).to_owned(),
    ]
}

fn working_hours(d: Duration) -> String {
    let minutes = d.num_minutes();
    format!("{} h {:02} min working time", minutes / 60, minutes % 60)
}

fn state_name(s: ClockState) -> &'static str {
    match s {
        ClockState::NotStarted => "not started (incomplete)",
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Met => "met",
        ClockState::Breached => "breached",
    }
}
