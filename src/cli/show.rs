//! `arende show`: print a record.

use super::exit::ExitCode;
use arende::error::Result;
use arende::record::document;
use arende::yaml::{Mapping, Value};

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Print a record.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record: its ID (any case, O for 0, I or L for 1), the end of its
    /// ID after a dash where only one record ends so, or its file's path.
    id: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Yaml, Format::Json, Format::Table, Format::Human]);

pub fn cmd_show(ui: &Ui, args: &ShowArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let (entry, text) = ws.load(&id)?;
    match format {
        Format::Json => ui.print_json(&json_value(&entry.doc)?),
        Format::Table | Format::Human => {
            let mut table = ui.table(&["field", "value"]);
            let has_approvals = !entry.record.common.approvals.is_empty();
            if let Some(map) = entry.doc.as_mapping() {
                let mut rows = Vec::new();
                flatten("", map, &mut rows);
                // The approvals have a table of their own, below.
                let own = |k: &str| has_approvals && k.starts_with("approvals[");
                for (k, v) in rows.into_iter().filter(|(k, _)| !own(k)) {
                    table.add_row(vec![k, v]);
                }
                if has_approvals {
                    ui.print(&table.to_string());
                    table = approvals_table(ui, &ws, &entry, map)?;
                }
            }
            ui.print(&table.to_string());
        }
        _ => ui.print(&text),
    }
    Ok(ExitCode::Ok)
}

/// The record's approvals: who decided what and when, whether each still
/// stands, and whether it verified against the commit that introduced it
/// (with a people registry).
fn approvals_table(
    ui: &Ui,
    ws: &arende::workspace::Workspace,
    entry: &arende::workspace::Entry,
    map: &Mapping,
) -> Result<arende::render::table::Table> {
    let verdicts = arende::approvals::verify::verdicts(ws, entry)?;
    let rows = arende::approvals::rows(
        ws.policy(),
        &entry.record,
        map,
        verdicts.as_deref().unwrap_or_default(),
        verdicts.is_some(),
    );
    let mut table = ui.table(&[
        "step", "party", "person", "decision", "when", "verified", "stale", "note",
    ]);
    for row in rows {
        let (verified, stale) = (
            arende::render::approvals::verified(&row),
            arende::render::approvals::stale(&row),
        );
        table.add_row(vec![
            row.step,
            row.party,
            row.person.unwrap_or_else(|| "–".into()),
            row.decision,
            row.at,
            verified,
            stale,
            row.note.unwrap_or_default(),
        ]);
    }
    Ok(table)
}

/// Nested mappings as dotted keys; lists of mappings (history, approvals)
/// one row per entry.
fn flatten(prefix: &str, map: &Mapping, rows: &mut Vec<(String, String)>) {
    for (k, v) in map {
        let key = match k.as_str() {
            Some(k) if prefix.is_empty() => k.to_owned(),
            Some(k) => format!("{prefix}.{k}"),
            None => continue,
        };
        match v {
            Value::Mapping(m) => flatten(&key, m, rows),
            Value::Sequence(s) if s.iter().any(Value::is_mapping) => {
                for (i, item) in s.iter().enumerate() {
                    match item {
                        Value::Mapping(m) => flatten(&format!("{key}[{i}]"), m, rows),
                        other => rows.push((format!("{key}[{i}]"), document::display(other))),
                    }
                }
            }
            other => rows.push((key, document::display(other).trim_end().to_owned())),
        }
    }
}
