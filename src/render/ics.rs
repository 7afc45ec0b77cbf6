//! iCalendar (RFC 5545), for the forward schedule of change: one event per
//! change with a service window, which Outlook, Thunderbird and other
//! calendars can subscribe to.
//!
//! Record text is escaped as a TEXT value (`\`, `;`, `,` and line breaks),
//! controls are dropped, lines end in CRLF and are folded at 75 octets
//! without splitting a character.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Utc};

use crate::record::{Body, document};
use crate::workspace::Entry;
use crate::yaml::Value;

/// A TEXT value: escaped, with every control but the line feed (escaped
/// as `\n`) dropped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: no line longer than 75 octets, each
/// continuation starting with a space, every line ending in CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn utc(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
}

/// The VEVENT `STATUS` a change's status comes closest to.
fn event_status(status: &str) -> &'static str {
    match status {
        "approved" | "scheduled" | "implemented" | "reviewed" | "closed" => "CONFIRMED",
        "rejected" => "CANCELLED",
        _ => "TENTATIVE",
    }
}

/// A field as text; one the record leaves out reads as empty, and the
/// event then leaves it out (or, for the status, takes it as tentative).
fn field(doc: &Value, key: &str) -> String {
    doc.get(key).map(document::display).unwrap_or_default()
}

/// The calendar: one VEVENT per change that has a service window start.
/// The UID is the record ID, so a calendar that subscribes sees an event
/// move when its window does, not a new one; DTSTAMP is the record's last
/// event, so an unchanged record exports the same bytes.
pub fn calendar(entries: &[Entry], version: &str) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!("PRODID:-//arende//arende {}//EN", text(version)),
        "CALSCALE:GREGORIAN".to_owned(),
        "X-WR-CALNAME:Changes".to_owned(),
    ] {
        out.push_str(&fold(&line));
    }
    for line in entries.iter().filter_map(event).flatten() {
        out.push_str(&fold(&line));
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

/// A change's VEVENT as content lines, not yet folded; `None` for a record
/// that is not a change or whose service window has no start. An end
/// before the start is left out rather than written as an event that ends
/// before it begins.
fn event(e: &Entry) -> Option<Vec<String>> {
    let Body::Change(change) = &e.record.body else {
        return None;
    };
    let window = change.service_window.as_ref()?;
    let start = window.start?;
    let common = &e.record.common;
    let stamp = common
        .history
        .iter()
        .map(|h| h.at)
        .max()
        .unwrap_or(common.opened_at);
    let status = field(&e.doc, "status");
    let category = field(&e.doc, "category");
    let mut categories = vec!["change".to_owned()];
    if !category.is_empty() {
        categories.push(text(&category));
    }
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@arende", text(e.record.id().as_str())),
        format!("DTSTAMP:{}", utc(&stamp)),
        format!("DTSTART:{}", utc(&start)),
    ];
    if let Some(end) = window.end.filter(|end| *end >= start) {
        lines.push(format!("DTEND:{}", utc(&end)));
    }
    lines.extend([
        format!(
            "SUMMARY:{}",
            text(&format!("{}: {}", e.record.id(), common.title))
        ),
        format!("CATEGORIES:{}", categories.join(",")),
        format!("STATUS:{}", event_status(&status)),
        format!("DESCRIPTION:{}", text(&description(e, &status, &category))),
        "END:VEVENT".to_owned(),
    ]);
    Some(lines)
}

/// The event's description, as plain text before escaping: the ID, the
/// status and category, the record's description, and its approvals (or
/// that it has none, which is what a change board looks for).
fn description(e: &Entry, status: &str, category: &str) -> String {
    let mut description = format!("{}\nstatus: {status}", e.record.id());
    if !category.is_empty() {
        let _ = write!(description, "\ncategory: {category}");
    }
    if let Some(d) = &e.record.common.description {
        let _ = write!(description, "\n\n{}", d.trim_end());
    }
    let approvals = approvals(&e.doc);
    if approvals.is_empty() {
        description.push_str("\n\napprovals: none");
    } else {
        let _ = write!(description, "\n\napprovals:\n{}", approvals.join("\n"));
    }
    description
}

/// Each approval in one line: who, which step, the decision, when, and
/// its note; a part the approval leaves out leaves no double space.
fn approvals(doc: &Value) -> Vec<String> {
    doc.get("approvals")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|a| {
            let mut s = format!(
                "{} {}: {} {}",
                field(a, "by"),
                field(a, "step"),
                field(a, "decision"),
                field(a, "at")
            );
            let note = field(a, "note");
            if !note.is_empty() {
                let _ = write!(s, " ({note})");
            }
            s.replace("  ", " ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_what_rfc_5545_names() {
        assert_eq!(text("a,b;c\\d\ne\r\u{1b}[1m\u{0}"), "a\\,b\\;c\\\\d\\ne[1m");
    }

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let line = format!("SUMMARY:{}", "å".repeat(100));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for physical in folded.split_terminator("\r\n") {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("END:VCALENDAR"), "END:VCALENDAR\r\n");
    }

    #[test]
    fn a_line_break_cannot_start_a_property() {
        let t = text("x\r\nEND:VEVENT\nBEGIN:VEVENT");
        assert!(!t.contains('\n') && !t.contains('\r'));
    }
}
