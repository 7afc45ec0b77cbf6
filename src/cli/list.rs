//! `arende list`: records as a table.

use arende::store::cache::Docs;
use std::cmp::Ordering;

use arende::error::{Error, ExitCode, Result};
use arende::kind::Kind;
use arende::record::document;
use arende::render;
use arende::store::Entry;
use serde_json::json;

use super::{Format, Formats, Ui};

/// List records, filtered and sorted.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Only this kind (incident, problem, change, release, request, ci, capacity).
    kind: Option<String>,
    /// Only records in this status (repeat for several).
    #[arg(long)]
    status: Vec<String>,
    /// Only records of this priority.
    #[arg(long)]
    priority: Option<u8>,
    /// Only records whose field has this value, as key=value (dotted keys).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    filters: Vec<String>,
    /// Sort by this field (prefix - for descending) [default: id].
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json, Format::Csv]);

pub fn cmd_list(ui: &Ui, args: &ListArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let kind = match &args.kind {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            Error::usage(
                format!("`{k}` is not a kind of record"),
                Some("kinds: incident, problem, change, release, request, ci, capacity".to_owned()),
            )
        })?),
        None => None,
    };
    let filters = args
        .filters
        .iter()
        .map(|f| arende::actions::assign::split(f))
        .collect::<Result<Vec<_>>>()?;
    let store = ui.store()?;
    // Status and priority are in the cache's brief: only matching records are decoded.
    let (scan, total) = store.records(
        kind.as_slice(),
        &|b| {
            (args.status.is_empty() || args.status.iter().any(|s| s == b.status))
                && args.priority.is_none_or(|p| b.priority == Some(p))
        },
        // Documents only where a --where or --sort field is read from them:
        // holding 100 000 of them costs a gigabyte.
        if filters.is_empty() && args.sort.is_none() {
            Docs::Drop
        } else {
            Docs::Keep
        },
    );
    let mut rows: Vec<&Entry> = scan
        .entries
        .iter()
        .filter(|e| {
            filters.iter().all(|(key, want)| {
                e.doc
                    .as_mapping()
                    .and_then(|m| document::get(m, key))
                    .map(document::display)
                    .as_deref()
                    == Some(want.as_str())
            })
        })
        .collect();
    if let Some(sort) = &args.sort {
        let (field, descending) = match sort.strip_prefix('-') {
            Some(f) => (f, true),
            None => (sort.as_str(), false),
        };
        rows.sort_by(|a, b| {
            let ord = compare(field_text(a, field), field_text(b, field));
            if descending { ord.reverse() } else { ord }
        });
    }

    let header: Vec<&str> = match kind {
        Some(_) => vec!["id", "status", "priority", "title", "opened"],
        None => vec!["id", "kind", "status", "priority", "title", "opened"],
    };
    let cells = |e: &Entry| -> Vec<String> {
        let mut row = vec![e.record.id().to_string()];
        if kind.is_none() {
            row.push(e.record.kind().to_string());
        }
        row.push(e.record.status().to_owned());
        row.push(
            e.record
                .priority()
                .map(|p| p.get().to_string())
                .unwrap_or_default(),
        );
        row.push(e.record.common.title.clone());
        row.push(
            e.record
                .common
                .opened_at
                .with_timezone(&store.tz())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        );
        row
    };
    match format {
        Format::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|e| {
                    json!({
                        "id": e.record.id().as_str(),
                        "kind": e.record.kind().name(),
                        "status": e.record.status(),
                        "priority": e.record.priority().map(|p| p.get()),
                        "title": e.record.common.title,
                        "opened_at": e.record.common.opened_at.to_rfc3339(),
                        "path": e.path.display().to_string(),
                    })
                })
                .collect();
            ui.print_json(&json!(items));
        }
        Format::Csv => ui.print(&render::csv::document(
            &header,
            rows.iter().map(|e| cells(e)),
        )),
        _ => {
            let mut table = ui.table(&header);
            for e in &rows {
                table.add_row(cells(e));
            }
            ui.print(&table.to_string());
            ui.info(&format!(
                "{} of {}",
                rows.len(),
                super::output::counted(total, "record", "records")
            ));
        }
    }
    for error in &scan.errors {
        ui.error_ref(error);
    }
    Ok(if scan.errors.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

fn field_text(e: &Entry, field: &str) -> String {
    e.doc
        .as_mapping()
        .and_then(|m| document::get(m, field))
        .map(document::display)
        .unwrap_or_default()
}

/// Numbers as numbers, the rest as text.
fn compare(a: String, b: String) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(&b),
    }
}
