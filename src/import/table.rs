//! Reading the input: CSV into rows of cells, JSON and YAML into a list of
//! mappings. Nothing here knows what the cells mean.

use std::path::Path;

use super::error::{RowError, Unit};
use crate::error::{Error, Result};
use crate::yaml::{self, Mapping, Value};

/// A CSV file: its header and its rows.
#[derive(Debug)]
pub struct Table {
    /// Column names, trimmed.
    pub columns: Vec<String>,
    /// The rows after the header.
    pub rows: Vec<TableRow>,
}

/// One CSV row.
#[derive(Debug)]
pub struct TableRow {
    /// Its number as a spreadsheet shows it: the header is row 1.
    pub row: usize,
    /// The line it starts on.
    pub line: u64,
    /// Its cells.
    pub cells: csv::StringRecord,
}

impl Table {
    /// The index of a column.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

impl TableRow {
    /// The cell in column `i` (empty if the row is short).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).unwrap_or_default()
    }
}

/// Header problems reported one by one; past these a count stands for the
/// rest, so a broken header of many thousand columns stays readable.
const MAX_HEADER_ERRORS: usize = 20;

/// Reads CSV. Rows that cannot be read are returned as errors, and the rest
/// are read on, so every bad row is reported at once.
/// The delimiter is `delimiter`, else the one of `,`, `;` and tab the
/// header has most of (spreadsheets in Swedish write `;`).
pub fn read_csv(text: &str, delimiter: Option<u8>) -> (Table, Vec<RowError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = delimiter.unwrap_or_else(|| sniff(text));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut records = reader.records();
    let columns: Vec<String> = match records.next() {
        Some(Ok(header)) => header.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => {
            errors.push(RowError::row(
                Unit::Row,
                1,
                format!("the header cannot be read: {e}"),
            ));
            Vec::new()
        }
        None => {
            errors.push(RowError::row(
                Unit::Row,
                0,
                "is empty: a CSV import needs a header row and at least one row",
            ));
            Vec::new()
        }
    };
    check_header(&columns, &mut errors);
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        match table_row(i + 2, record, columns.len()) {
            Ok(Some(row)) => rows.push(row),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (Table { columns, rows }, errors)
}

/// Columns without a name or named twice.
fn check_header(columns: &[String], errors: &mut Vec<RowError>) {
    // A set, not a scan of the columns before each one: a header may have
    // a hundred thousand columns.
    let mut seen = std::collections::HashSet::with_capacity(columns.len());
    let mut header_errors = 0usize;
    for (i, c) in columns.iter().enumerate() {
        let error = if c.is_empty() {
            RowError::row(
                Unit::Row,
                1,
                format!("column {} of the header has no name", i + 1),
            )
        } else if !seen.insert(c.as_str()) {
            RowError::at(Unit::Row, 1, c.clone(), "appears twice in the header")
        } else {
            continue;
        };
        header_errors += 1;
        if header_errors <= MAX_HEADER_ERRORS {
            errors.push(error);
        }
    }
    if header_errors > MAX_HEADER_ERRORS {
        errors.push(RowError::row(
            Unit::Row,
            1,
            format!(
                "and {} more columns without a name or named twice",
                header_errors - MAX_HEADER_ERRORS
            ),
        ));
    }
}

/// Row `row` of the table; `None` for a blank line.
fn table_row(
    row: usize,
    record: csv::Result<csv::StringRecord>,
    columns: usize,
) -> std::result::Result<Option<TableRow>, RowError> {
    let cells = record.map_err(|e| RowError {
        unit: Unit::Row,
        row,
        line: e.position().map(|p| p.line()),
        column: None,
        reason: format!("cannot be read as CSV: {e}"),
    })?;
    let line = cells.position().map_or(row as u64, |p| p.line());
    if cells.len() == 1 && cells.get(0).is_some_and(|c| c.trim().is_empty()) {
        return Ok(None); // a blank line
    }
    if cells.len() != columns && columns != 0 {
        return Err(RowError {
            unit: Unit::Row,
            row,
            line: Some(line),
            column: None,
            reason: format!(
                "has {} cells, but the header has {} columns",
                cells.len(),
                columns
            ),
        });
    }
    Ok(Some(TableRow { row, line, cells }))
}

/// The likeliest delimiter of the header line, outside quotes.
fn sniff(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Records with their numbers, and the items that are not records.
pub type Items = (Vec<(usize, Mapping)>, Vec<RowError>);

/// Reads a JSON or YAML list of records (or a single record).
/// Each record comes with its number, counted from 1.
pub fn read_items(path: &Path, text: &str, json: bool) -> Result<Items> {
    let value: Value = if json {
        serde_json::from_str(text).map_err(|e| {
            Error::usage(
                format!(
                    "{}:{}:{}: not valid JSON: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                ),
                Some(
                    "an import in JSON is a list of records, as `arende export` writes".to_owned(),
                ),
            )
        })?
    } else {
        yaml::parse_any(path, text)?
    };
    let items = match value {
        Value::Sequence(items) => items,
        Value::Mapping(m) => vec![Value::Mapping(m)],
        Value::Null => Vec::new(),
        other => {
            return Err(Error::usage(
                format!(
                    "{}: holds {}, not a list of records",
                    path.display(),
                    crate::record::describe(&other)
                ),
                None,
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Mapping(m) => out.push((i + 1, m)),
            other => {
                errors.push(RowError::row(
                    Unit::Record,
                    i + 1,
                    format!(
                        "is {}, not a record (a mapping of fields)",
                        crate::record::describe(&other)
                    ),
                ));
            }
        }
    }
    Ok((out, errors))
}
