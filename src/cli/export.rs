//! `arende export`: every record, for spreadsheets and other tools.

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::kind::Kind;
use arende::record::document;
use arende::render;
use std::collections::HashSet;
use std::convert::Infallible;
use std::io::Write as _;

use arende::workspace::Entry;
use arende::workspace::cache::{Docs, Records};
use arende::yaml::{Mapping, Value};

use super::output::to_json;
use super::{Format, Formats, Ui};

/// Export records as JSON (whole documents), JSON Lines (one a line), CSV
/// (one column per dotted field), or iCalendar (`--format ics`: the
/// changes' service windows, for a calendar to subscribe to).
///
/// For Excel in a Swedish locale: `--format csv --delimiter ';' --bom`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Only this kind.
    kind: Option<String>,
    /// The CSV field separator: one ASCII character, or `tab`.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = delimiter)]
    delimiter: u8,
    /// Start the CSV with a UTF-8 byte-order mark (Excel needs it to read UTF-8).
    #[arg(long)]
    bom: bool,
}

fn delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match s.as_bytes() {
            [b] if b.is_ascii()
                && !matches!(b, b'"' | b'\n' | b'\r')
                && !b.is_ascii_alphanumeric() =>
            {
                Ok(*b)
            }
            _ => Err("give one ASCII punctuation character (`,` `;` `|`) or `tab`".into()),
        },
    }
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Json, Format::Jsonl, Format::Csv, Format::Ics]);

pub fn cmd_export(ui: &Ui, args: &ExportArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let kinds: Vec<Kind> = match &args.kind {
        Some(k) => vec![
            Kind::parse(k)
                .ok_or_else(|| Error::usage(format!("`{k}` is not a kind of record"), None))?,
        ],
        None => Vec::new(),
    };
    let ws = ui.workspace()?;
    // A calendar shows only changes: the other records are not decoded.
    let records = ws.select(&kinds, &|b| format != Format::Ics || b.kind == Kind::Change);
    if let Some(first) = records.errors().first() {
        // An export that silently skipped a record would lose it downstream.
        for e in &records.errors()[1..] {
            ui.error_ref(e);
        }
        return Err(Error::usage(
            format!(
                "{} record file(s) could not be read; nothing was exported: {first}",
                records.errors().len()
            ),
            Some("fix the files `arende validate` names, then export again".to_owned()),
        ));
    }
    match format {
        Format::Json => ui.stream(|out| {
            let mut array = render::json::Array::open(out, 0)?;
            records.visit_all(
                Docs::Keep,
                |e| to_json(&e.doc).and_then(|doc| render::json::pretty_at(&doc, 1)),
                |doc| array.element(&doc?),
            )?;
            array.close()?;
            out.write_all(b"\n")
        }),
        Format::Jsonl => ui.stream(|out| {
            let mut lines = 0;
            records.visit_all(
                Docs::Keep,
                |e| to_json(&e.doc).map(|doc| render::jsonl::line(&doc)),
                |line| {
                    let line = line?;
                    lines += 1;
                    out.write_all(line.as_bytes())
                },
            )?;
            // No records print an empty line, as they always have.
            if lines == 0 {
                out.write_all(b"\n")?;
            }
            Ok(())
        }),
        Format::Ics => {
            let scan = records.into_scan(Docs::Keep);
            ui.print(&render::ics::calendar(
                &scan.entries,
                env!("CARGO_PKG_VERSION"),
            ));
        }
        _ => {
            let dialect = render::csv::Dialect {
                delimiter: args.delimiter,
                bom: args.bom,
            };
            csv(ui, &records, dialect);
        }
    }
    Ok(ExitCode::Ok)
}

/// The records as CSV, one column per dotted field, in two passes: the
/// columns (every field any record has, in the order they are first met),
/// then the rows.
fn csv(ui: &Ui, records: &Records, dialect: render::csv::Dialect) {
    let mut columns: Vec<String> = ["id", "kind", "title", "status", "opened_at"]
        .map(String::from)
        .to_vec();
    let mut known: HashSet<String> = columns.iter().cloned().collect();
    let Ok(()) = records.visit_all(
        Docs::Keep,
        |e| cells(&e).map(|row| row.into_iter().map(|(k, _)| k).collect::<Vec<_>>()),
        |keys| {
            // A record whose cells fail fails the rows' pass below, which
            // reports it; its columns do not matter then.
            for k in keys.into_iter().flatten() {
                if known.insert(k.clone()) {
                    columns.push(k);
                }
            }
            Ok::<(), Infallible>(())
        },
    );
    drop(known);
    ui.stream(|out| {
        let mut csv = render::csv::Writer::new(out, dialect, &columns)?;
        records.visit_all(
            Docs::Keep,
            |e| {
                let row = cells(&e)?;
                Ok(columns
                    .iter()
                    .map(|c| {
                        row.iter()
                            .find(|(k, _)| k == c)
                            .map_or_else(String::new, |(_, v)| v.clone())
                    })
                    .collect::<Vec<String>>())
            },
            |row: std::io::Result<Vec<String>>| csv.row(&row?),
        )?;
        csv.finish()
    });
}

/// A record's fields as (dotted key, cell text).
fn cells(e: &Entry) -> std::io::Result<Vec<(String, String)>> {
    let mut cells = Vec::new();
    if let Some(m) = e.doc.as_mapping() {
        flatten("", m, &mut cells)?;
    }
    Ok(cells)
}

/// Scalars under dotted keys; lists of scalars joined by "; "; lists of
/// mappings (history, approvals) as JSON in one cell, so nothing is lost.
fn flatten(prefix: &str, map: &Mapping, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for (k, v) in map {
        let Some(k) = k.as_str() else { continue };
        let key = if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Mapping(m) => flatten(&key, m, out)?,
            Value::Sequence(s) if s.iter().any(|x| x.is_mapping() || x.is_sequence()) => {
                out.push((key, to_json(v)?.to_string()));
            }
            Value::Sequence(s) => {
                out.push((
                    key,
                    s.iter()
                        .map(document::display)
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
            }
            other => out.push((key, document::display(other))),
        }
    }
    Ok(())
}
