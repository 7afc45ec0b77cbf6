//! `arende show`: print a record.

use super::exit::ExitCode;
use arende::error::Result;
use arende::id::RecordId;
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
    /// The record's ID.
    id: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Yaml, Format::Json, Format::Table, Format::Human]);

pub fn cmd_show(ui: &Ui, args: &ShowArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let id = RecordId::parse(&args.id)?;
    let ws = ui.workspace()?;
    let (entry, text) = ws.load(&id)?;
    match format {
        Format::Json => ui.print_json(&json_value(&entry.doc)?),
        Format::Table | Format::Human => {
            let mut table = ui.table(&["field", "value"]);
            if let Some(map) = entry.doc.as_mapping() {
                let mut rows = Vec::new();
                flatten("", map, &mut rows);
                for (k, v) in rows {
                    table.add_row(vec![k, v]);
                }
            }
            ui.print(&table.to_string());
        }
        _ => ui.print(&text),
    }
    Ok(ExitCode::Ok)
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
