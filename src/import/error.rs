//! What can be wrong with an import: rows that cannot be read, mapped or
//! checked (all of them are reported, with their place in the file), or a
//! failure of the repository.

use std::fmt;
use std::path::PathBuf;

use crate::error::Error;

/// Where in the input a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// A CSV row; the header is row 1, as a spreadsheet counts.
    Row,
    /// An item of a JSON or YAML list, counted from 1.
    Record,
}

/// One bad row (or record) of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RowError {
    /// Row or record.
    pub unit: Unit,
    /// Its number; 0 for the input as a whole.
    pub row: usize,
    /// The line the row starts on, where that is not the row number
    /// (quoted cells holding line breaks).
    pub line: Option<u64>,
    /// The column (or dotted field) concerned.
    pub column: Option<String>,
    /// What is wrong, and where it helps, what to do.
    pub reason: String,
}

impl RowError {
    /// A problem with one cell.
    pub fn at(
        unit: Unit,
        row: usize,
        column: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        RowError {
            unit,
            row,
            line: None,
            column: Some(column.into()),
            reason: reason.into(),
        }
    }

    /// A problem with a row as a whole.
    pub fn row(unit: Unit, row: usize, reason: impl Into<String>) -> Self {
        RowError {
            unit,
            row,
            line: None,
            column: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.unit, self.row) {
            (_, 0) => f.write_str("the input")?,
            (Unit::Row, n) => write!(f, "row {n}")?,
            (Unit::Record, n) => write!(f, "record {n}")?,
        }
        if let Some(line) = self.line
            && line != self.row as u64
        {
            write!(f, " (line {line})")?;
        }
        if let Some(c) = &self.column {
            let what = match self.unit {
                Unit::Row => "column",
                Unit::Record => "field",
            };
            write!(f, ", {what} `{c}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// Rows of the input are bad; every one is listed, in file order.
    Rows {
        /// The input, as named on the command line.
        input: PathBuf,
        /// Every bad row.
        errors: Vec<RowError>,
    },
    /// The repository, the mapping file or the input as a whole failed.
    Failed(Error),
}

impl From<Error> for ImportError {
    fn from(e: Error) -> Self {
        ImportError::Failed(e)
    }
}

impl ImportError {
    /// One error for the whole import (exit 2 for bad rows), for the report
    /// that closes the list of rows.
    pub fn into_error(self) -> Error {
        match self {
            ImportError::Failed(e) => e,
            ImportError::Rows { input, errors } => {
                let rows: std::collections::BTreeSet<(Unit, usize)> =
                    errors.iter().map(|e| (e.unit, e.row)).collect();
                let what = match errors.first().map(|e| e.unit) {
                    Some(Unit::Record) => "record",
                    _ => "row",
                };
                Error::usage(
                    format!(
                        "{}: {} {what}{} with errors ({} problem{}); nothing was imported",
                        input.display(),
                        rows.len(),
                        if rows.len() == 1 { "" } else { "s" },
                        errors.len(),
                        if errors.len() == 1 { "" } else { "s" },
                    ),
                    Some(
                        "fix the rows listed (the header is row 1), or map their values with --mapping; nothing was written and no commit was made"
                            .to_owned(),
                    ),
                )
            }
        }
    }
}
