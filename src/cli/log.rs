//! `arende log`: a record's life, from git and from its history.

use super::exit::ExitCode;
use arende::audit::{Step, life};
use arende::error::Result;
use arende::record::{Event, document};
use serde_json::json;

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Show a record's life: every commit that changed its file, oldest first,
/// each with the history events it recorded.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record: its ID (any case, O for 0, I or L for 1), the end of its
    /// ID after a dash where only one record ends so, or its file's path.
    id: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json]);

pub fn cmd_log(ui: &Ui, args: &LogArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let steps = life(&ws, &id)?;
    if format == Format::Json {
        let steps = steps.iter().map(step_json).collect::<Result<Vec<_>>>()?;
        ui.print_json(&serde_json::Value::Array(steps));
        return Ok(ExitCode::Ok);
    }
    let tz = ws.tz();
    let mut table = ui.table(&["when", "source", "who", "what"]);
    for step in &steps {
        match &step.commit {
            Some(c) => {
                let mut what = c.summary.clone();
                if !step.fields.is_empty() {
                    what.push_str(&format!(" [{}]", step.fields.join(", ")));
                }
                let merge = c.parents.len() > 1;
                if merge {
                    what.push_str(" (merge: brings in the other branch's changes)");
                } else if step.events.is_empty() {
                    what.push_str(" (no history event: edited by hand)");
                }
                if step.rewrote_history {
                    what.push_str(" (rewrote history)");
                }
                table.add_row(vec![
                    c.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                    format!("commit {:.7}", c.id),
                    c.author.clone(),
                    what,
                ]);
            }
            None => {
                table.add_row(vec![
                    String::new(),
                    "uncommitted".into(),
                    String::new(),
                    "changes in the working tree".into(),
                ]);
            }
        }
        for e in &step.events {
            table.add_row(vec![
                e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                "  event".into(),
                e.by.clone(),
                describe(e),
            ]);
        }
    }
    ui.print(&table.to_string());
    Ok(ExitCode::Ok)
}

fn step_json(step: &Step) -> Result<serde_json::Value> {
    let events = json_value(&step.events)?;
    Ok(match &step.commit {
        Some(c) => json!({
            "commit": c.id, "at": c.at.to_rfc3339(), "author": c.author, "summary": c.summary,
            "events": events, "rewrote_history": step.rewrote_history, "fields": step.fields,
            "merge": c.parents.len() > 1,
        }),
        None => json!({
            "commit": null, "events": events, "rewrote_history": step.rewrote_history, "fields": step.fields,
        }),
    })
}

fn describe(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &e.status {
        parts.push(format!("status {s}"));
    }
    for c in &e.changes {
        let show = |v: &Option<arende::yaml::Value>| {
            v.as_ref()
                .map(document::display)
                .unwrap_or_else(|| "–".into())
        };
        parts.push(format!("{}: {} → {}", c.field, show(&c.from), show(&c.to)));
    }
    if let Some(r) = e.remote.as_ref().filter(|r| r.verdict.is_none()) {
        // A partner's event: whose, on which record, and what it was.
        let mut there = Vec::new();
        if let Some(s) = &r.status {
            there.push(format!("status {s}"));
        }
        if let Some(g) = &r.group {
            there.push(format!("team {g}"));
        }
        if let Some(p) = &r.person {
            there.push(format!("person {p}"));
        }
        if r.reply {
            there.push("reply to its customer".to_owned());
        }
        parts.push(format!("at {} {}: {}", r.party, r.record, there.join(", ")));
    }
    match &e.note {
        Some(n) if e.to_customer => parts.push(format!("reply to the customer: {n}")),
        Some(n) => parts.push(n.clone()),
        None => {}
    }
    parts.join("; ")
}
