//! `arende log`: a record's life, from git and from its history.

use arende::error::{ExitCode, Result};
use arende::id::RecordId;
use arende::record::{Event, Timestamp, document};
use arende::store::record_commits;
use serde_json::json;

use super::{Format, Ui};

/// Show a record's life: the commits that changed its file, and its history events.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The record's ID.
    id: String,
}

struct Line {
    at: Timestamp,
    source: &'static str,
    who: String,
    what: String,
    commit: Option<String>,
}

pub fn cmd_log(ui: &Ui, args: &LogArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Table, Format::Human, Format::Json], Format::Table)?;
    let id = RecordId::parse(&args.id)?;
    let store = ui.store()?;
    let (entry, _) = store.load(&id)?;
    let mut lines: Vec<Line> = entry.record.common.history.iter().map(event_line).collect();
    for c in record_commits(store.root(), &entry.path)? {
        lines.push(Line { at: c.at, source: "commit", who: c.author, what: c.summary, commit: Some(c.id) });
    }
    // Oldest first; at the same moment the event comes before the commit that recorded it.
    lines.sort_by(|a, b| a.at.cmp(&b.at).then(a.source.cmp(b.source).reverse()));
    if format == Format::Json {
        let items: Vec<_> = lines
            .iter()
            .map(|l| json!({"at": l.at.to_rfc3339(), "source": l.source, "by": l.who, "what": l.what, "commit": l.commit}))
            .collect();
        ui.print_json(&json!(items));
        return Ok(ExitCode::Ok);
    }
    let mut table = ui.table(&["when", "source", "who", "what"]);
    for l in &lines {
        let source = match &l.commit {
            Some(c) => format!("commit {:.7}", c),
            None => l.source.to_owned(),
        };
        table.add_row(vec![
            l.at.with_timezone(&store.tz()).format("%Y-%m-%d %H:%M").to_string(),
            source,
            l.who.clone(),
            l.what.clone(),
        ]);
    }
    ui.print(&table.to_string());
    Ok(ExitCode::Ok)
}

fn event_line(e: &Event) -> Line {
    let mut parts = Vec::new();
    if let Some(s) = &e.status {
        parts.push(format!("status {s}"));
    }
    for c in &e.changes {
        let show = |v: &Option<arende::yaml::Value>| v.as_ref().map(document::display).unwrap_or_else(|| "–".into());
        parts.push(format!("{}: {} → {}", c.field, show(&c.from), show(&c.to)));
    }
    if let Some(n) = &e.note {
        parts.push(n.clone());
    }
    Line { at: e.at, source: "history", who: e.by.clone(), what: parts.join("; "), commit: None }
}
