//! `arende list`: records as a table.

use std::cmp::Ordering;
use std::io::Write as _;

use arende::error::{Error, ExitCode, Result};
use arende::kind::Kind;
use arende::record::document;
use arende::render;
use arende::render::json::pretty_at;
use arende::store::Entry;
use arende::store::cache::{Docs, Records};
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
    let records = store.select(kind.as_slice(), &|b| {
        (args.status.is_empty() || args.status.iter().any(|s| s == b.status))
            && args.priority.is_none_or(|p| b.priority == Some(p))
    });
    let order = order(&records, &filters, args.sort.as_deref());
    let header: Vec<&str> = match kind {
        Some(_) => vec!["id", "status", "priority", "title", "opened"],
        None => vec!["id", "kind", "status", "priority", "title", "opened"],
    };
    let tz = store.tz();
    let cells = |e: Entry| -> Vec<String> {
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
        row.push(e.record.common.title);
        row.push(
            e.record
                .common
                .opened_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        );
        row
    };
    match format {
        Format::Json => ui.stream(|out| {
            let mut array = render::json::Array::open(out, 0)?;
            records.visit(
                &order,
                Docs::Drop,
                |e| pretty_at(&item(&e), 1),
                |item| array.element(&item?),
            )?;
            array.close()?;
            out.write_all(b"\n")
        }),
        Format::Csv => ui.stream(|out| {
            let mut csv = render::csv::Writer::new(out, render::csv::Dialect::default(), &header)?;
            records.visit(&order, Docs::Drop, cells, |row| csv.row(&row))?;
            csv.finish()
        }),
        _ => {
            let mut table = ui.table(&header);
            let mut shown = 0;
            let Ok(()) = records.visit(&order, Docs::Drop, cells, |row| {
                table.add_row(row);
                shown += 1;
                Ok::<(), std::convert::Infallible>(())
            });
            ui.print(&table.to_string());
            ui.info(&format!(
                "{shown} of {}",
                super::output::counted(records.total(), "record", "records")
            ));
        }
    }
    for error in records.errors() {
        ui.error_ref(error);
    }
    Ok(if records.errors().is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

/// A listed record as JSON.
fn item(e: &Entry) -> serde_json::Value {
    json!({
        "id": e.record.id().as_str(),
        "kind": e.record.kind().name(),
        "status": e.record.status(),
        "priority": e.record.priority().map(|p| p.get()),
        "title": e.record.common.title,
        "opened_at": e.record.common.opened_at.to_rfc3339(),
        "path": e.path.display().to_string(),
    })
}

/// The records to list, in the order to list them: those whose fields
/// match every `--where`, by ID or stably by the `--sort` field. Only the
/// sort key of each is held, never its document.
fn order(records: &Records, filters: &[(String, String)], sort: Option<&str>) -> Vec<usize> {
    if filters.is_empty() && sort.is_none() {
        return (0..records.len()).collect();
    }
    let (field, descending) =
        match sort.map(|s| s.strip_prefix('-').map_or((s, false), |f| (f, true))) {
            Some((f, d)) => (Some(f), d),
            None => (None, false),
        };
    let keys = records.map(Docs::Keep, |e| {
        let matches = filters.iter().all(|(key, want)| {
            e.doc
                .as_mapping()
                .and_then(|m| document::get(m, key))
                .map(document::display)
                .as_deref()
                == Some(want.as_str())
        });
        matches.then(|| field.map(|f| field_text(&e, f)))
    });
    let mut kept: Vec<(usize, Option<String>)> = keys
        .into_iter()
        .enumerate()
        .filter_map(|(i, k)| Some((i, k.flatten()?)))
        .collect();
    if field.is_some() {
        kept.sort_by(|(_, a), (_, b)| {
            let ord = compare(
                a.as_deref().unwrap_or_default(),
                b.as_deref().unwrap_or_default(),
            );
            if descending { ord.reverse() } else { ord }
        });
    }
    kept.into_iter().map(|(i, _)| i).collect()
}

fn field_text(e: &Entry, field: &str) -> String {
    e.doc
        .as_mapping()
        .and_then(|m| document::get(m, field))
        .map(document::display)
        .unwrap_or_default()
}

/// Numbers as numbers, the rest as text.
fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}
